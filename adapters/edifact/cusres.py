"""CUSRES (customs response) <-> Receipt.

The hub's profile (it writes D:96B), with the shared parts of :mod:`.receipts`:

    BGM+962+<customs reference>+<function>+<response type>   agency_reference = BGM 1004 (MRN,
                                          entry number); 4343 AB acknowledged, AP accepted,
                                          RE rejected (CA conditionally accepted reads as accepted)
    DTM+137                               issued_at
    FTX+AAI, DOC, RFF+ACW                 text, answered document, answered message
    STS++<status>                         agency_status (C555 4405; GIS 7365 is read when no STS)
    per error: ERP++<tag>:<position>      the erroneous segment when the pointer names it (C853)
               RFF+ZZZ:<pointer>  ERC+<code>  FTX+AAO+++<text>

Without a response type: errors -> rejected, a status -> other (held, released ...),
else acknowledged.
"""

from __future__ import annotations

from hub.adapters import RenderContext
from hub.models import Kind, Receipt, ReceiptError, ReceiptStatus

from . import receipts
from .base import EdifactAdapter
from .pointer import Pointer
from .reading import FUNCTION_OUT, Body, lines
from .syntax import Segment
from .writer import MessageWriter

RESPONSE_IN = {"AB": ReceiptStatus.ACKNOWLEDGED, "AP": ReceiptStatus.ACCEPTED, "CA": ReceiptStatus.ACCEPTED,
               "RE": ReceiptStatus.REJECTED}
RESPONSE_OUT = {ReceiptStatus.ACKNOWLEDGED: "AB", ReceiptStatus.ACCEPTED: "AP", ReceiptStatus.REJECTED: "RE"}


class Cusres(EdifactAdapter):
    name = "cusres"
    message_type = "CUSRES"
    identifier = ("CUSRES", "D", "96B", "UN")
    description = "UN/EDIFACT CUSRES customs response"
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})

    def read(self, body: Body) -> Receipt:
        head, groups = _error_groups(body)
        bgm = body.need("BGM", within=head)
        answered = receipts.answered(body, head)
        errors = [_error(g, answered["answers_message_id"]) for g in groups]
        sts, gis = body.first("STS", within=head), body.first("GIS", within=head)
        agency_status = (sts and sts.get(1, 0)) or (gis and gis.get(0, 0))
        status = RESPONSE_IN.get(bgm.get(3) or "") or (
            ReceiptStatus.REJECTED if errors else ReceiptStatus.OTHER if agency_status else ReceiptStatus.ACKNOWLEDGED)
        return Receipt(
            header=self.header(body, body.function(bgm, strict=False)), **answered,
            issuer=body.interchange.sender, status=status, agency_status=agency_status,
            agency_reference=bgm.get(1), issued_at=body.instant(body.first("DTM", "137", head)),
            text=receipts.text(head), errors=errors)

    def write(self, doc: Receipt, ctx: RenderContext) -> MessageWriter:
        w = MessageWriter()
        w.add("BGM", "962", doc.agency_reference, FUNCTION_OUT[doc.header.function], RESPONSE_OUT.get(doc.status))
        w.dtm("137", doc.issued_at)
        receipts.write_answered(w, doc)
        if doc.agency_status is not None:
            w.add("STS", None, [doc.agency_status])
        for error in doc.errors:
            pointer = Pointer.parse(error.pointer)
            position = pointer and pointer.message_position
            w.add("ERP", None, [pointer.tag, str(position)] if position else None)
            if error.pointer is not None:
                w.add("RFF", ["ZZZ", error.pointer])
            w.add("ERC", [error.code])
            if error.text is not None:
                w.add("FTX", "AAO", None, None, lines(error.text, 5))
        return w


def _error_groups(body: Body) -> tuple[list[Segment], list[list[Segment]]]:
    """Header, and one group per error (from ERP, or from ERC when a sender leaves ERP out)."""
    trigger = "ERP" if body.first("ERP") else "ERC"
    return body.groups(trigger)


def _error(group: list[Segment], message: str | None) -> ReceiptError:
    erc = next((s for s in group if s.tag == "ERC"), None)
    found = receipts.error(group, (erc and erc.get(0, 0)) or "UNKNOWN")
    position = group[0].get(1, 1) if group[0].tag == "ERP" else None
    if found.pointer is None and position:
        pointer = Pointer(message=message, message_position=int(position)) if message and _position(position) \
            else None
        found = found.model_copy(update={"pointer": str(pointer) if pointer else f"segment {position} of the "
                                         f"answered message"})
    return found


def _position(text: str) -> bool:
    """Whether ``text`` is a segment position (a few ASCII digits, nothing int() would refuse)."""
    return text.isascii() and text.isdigit() and len(text) <= 9
