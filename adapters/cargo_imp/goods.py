"""FWB rate lines (RTD) and what the canonical waybill keeps of them: goods, HS codes, volume, ULDs.

``RTD/1/P1/K40/CQ/W59.5/R10.65/T633.68`` is one rate line; its continuations
carry the nature of goods (``/NG/`` or, for a consolidation, ``/NC/``), HS codes
(``/3/NH/30049000``), the volume (``/8/NV/MC0.36``), the ULD numbers
(``/9/NU/PMC12345CA``: the waybill's ``equipment``, each ULD once, written after
the volume; see :mod:`.uld`) and dimensions (read past). Rates and charges are
not in the canonical model and are not written.

The nature of goods travels in chunks of at most 20 characters: a full chunk
runs on into the next one (``PHARMACEUTICALS - NO`` + ``T RESTRICTED``), a
shorter one ends a line of the description; rate lines are separated by a line
break. Writing splits each description line the same way (an empty ``/NG/``
after a line of exactly 20, 40 ... characters ends it), so a description
survives FWB -> canonical -> FWB unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.models import Measure, TransportEquipment, Waybill

from .consignment import read_volume, write_volume, write_weight
from .lines import Line, Segment, chunk, run_on
from .uld import read_uld, write_uld

WIDTH = 20


@dataclass
class Goods:
    """What the rate lines say about the goods."""

    description: str | None = None
    hs_codes: list[str] = field(default_factory=list)
    volume: Measure | None = None
    consolidation: bool = False
    equipment: list[TransportEquipment] = field(default_factory=list)


def read_goods(rate_lines: list[Segment]) -> Goods:
    """Nature of goods, HS codes, volume and the consolidation mark of every rate line."""
    goods, paragraphs = Goods(), []
    for seg in rate_lines:
        chunks = []
        for line in seg.more:
            code, value = _item(line)
            if code in ("NG", "NC"):
                goods.consolidation |= code == "NC"
                chunks.append(value)
            elif code == "NH" and value.strip():
                goods.hs_codes.append(value.strip())
            elif code == "NV" and goods.volume is None:
                goods.volume = read_volume(value, line)
            elif code == "NU" and value.strip():
                uld = read_uld(value)
                if uld is None:
                    raise line.error(f"{value.strip()[:20]!r} is not a ULD number (PMC12345CA)", "CIMP_FIELD_INVALID")
                if uld not in goods.equipment:
                    goods.equipment.append(uld)
        paragraphs += run_on(chunks, WIDTH)   # 20-character chunks
    goods.description = "\n".join(paragraphs) or None
    return goods


def _item(line: Line) -> tuple[str, str]:
    """``/NG/text`` or ``/2/NG/text`` as (NG, text); the text keeps its blanks."""
    fields = line.fields
    if len(fields) > 2 and fields[1].isdigit():
        return fields[2], line.after(3)
    return (fields[1], line.after(2)) if len(fields) > 1 else ("", "")


def write_goods(wb: Waybill) -> list[str]:
    """One rate line with the pieces and weight, then goods, HS codes and volume."""
    tag = "NC" if wb.consolidation else "NG"
    items = [(tag, piece) for piece in chunk(wb.goods_description or "", WIDTH)]
    if not items and wb.consolidation:
        items = [("NC", "")]  # keeps the consolidation mark without inventing a description
    items += [("NH", code) for code in wb.hs_codes]
    if wb.volume is not None:
        items.append(("NV", write_volume(wb.volume)))
    items += [("NU", write_uld(uld, "an FWB ULD number")) for uld in wb.equipment]
    lines = [f"RTD/1/P{wb.pieces}/{write_weight(wb.gross_weight)}"]
    for number, (code, value) in enumerate(items, 1):
        lines.append(f"/{code}/{value}" if number == 1 else f"/{number}/{code}/{value}")
    return lines

