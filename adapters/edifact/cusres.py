"""CUSRES (customs response) <-> Receipt.

The hub's profile (it writes D:96B), with the shared parts of :mod:`.receipts`:

    BGM+962+<customs reference>+<function>+<response type>   agency_reference = BGM 1004 (MRN,
                                          entry number); 4343 AB acknowledged, AP accepted,
                                          RE rejected (CA conditionally accepted reads as accepted)
    DTM+137                               issued_at
    FTX+AAI, DOC, RFF+ACW                 text, answered document, answered message (D:96B group 6);
                                          a document of unknown type (no C002 for DOC) as
                                          RFF+ACW, RFF+ACE (related document number, group 3)
    GIS+<status>                          agency_status: C529 7365 when it fits an..3, else
                                          GIS+ZZZ:::<status> (7187 processing type, an..17);
                                          D:96B CUSRES has no STS (STS C555 4405 is still read)
    per error: ERP++<tag>:<position>      the erroneous segment when the pointer names it (C853)
               RFF+ZZZ:<pointer>  ERC+<code>  FTX+AAO+++<text>   (up to nine FTX+AAO)

ERC codes longer than an..8, long texts and the answered id: see :mod:`.receipts`.

Without a response type: errors -> rejected, a status -> other (held, released ...),
else acknowledged.
"""

from __future__ import annotations

from hub.adapters import RenderContext
from hub.models import Kind, Receipt, ReceiptError, ReceiptStatus

from . import receipts
from .base import EdifactAdapter
from .lengths import FittedWriter, version_of
from .pointer import Pointer
from .reading import FUNCTION_OUT, RELATED_DOCUMENT, Body, with_related
from .syntax import Segment
from .writer import MessageWriter

RESPONSE_IN = {"AB": ReceiptStatus.ACKNOWLEDGED, "AP": ReceiptStatus.ACCEPTED, "CA": ReceiptStatus.ACCEPTED,
               "RE": ReceiptStatus.REJECTED}
INDICATOR = 3
"""GIS C529 7365 is an..3."""
MUTUALLY_DEFINED = "ZZZ"
RESPONSE_OUT = {ReceiptStatus.ACKNOWLEDGED: "AB", ReceiptStatus.ACCEPTED: "AP", ReceiptStatus.REJECTED: "RE"}
ERROR_TEXTS = 9
"""FTX+AAO segments an error's text may take: nine in segment group 12 (99 in group 4; the smaller holds both)."""


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
        errors = [_error(body, g, answered["answers_message_id"]) for g in groups]
        sts, gis = body.first("STS", within=head), body.first("GIS", within=head)
        agency_status = (sts and sts.get(1, 0)) or _read_indicator(gis)
        status = RESPONSE_IN.get(bgm.get(3) or "") or (
            ReceiptStatus.REJECTED if errors else ReceiptStatus.OTHER if agency_status else ReceiptStatus.ACKNOWLEDGED)
        return Receipt(
            header=self.header(body, body.function(bgm, strict=False)), **with_related(body, head, answered),
            issuer=body.interchange.sender, status=status, agency_status=agency_status,
            agency_reference=bgm.get(1), issued_at=body.instant(body.first("DTM", "137", head)),
            text=receipts.text(body, head), errors=errors)

    def write(self, doc: Receipt, ctx: RenderContext) -> MessageWriter:
        w = FittedWriter(version=version_of(self.identifier))
        w.add("BGM", "962", w.value(doc.agency_reference, "1004", "BGM 1004"), FUNCTION_OUT[doc.header.function],
              RESPONSE_OUT.get(doc.status))
        w.dtm("137", doc.issued_at)
        _write_answered(w, doc)
        for error in doc.errors:
            pointer = Pointer.parse(error.pointer)
            position = pointer and pointer.message_position
            w.add("ERP", None, [pointer.tag, str(position)] if position else None)
            if error.pointer is not None:
                w.add("RFF", ["ZZZ", receipts.pointer(w, error)])
            code, runs = receipts.error_texts(w, error, ERROR_TEXTS)
            w.add("ERC", [code])
            for run in runs:
                w.add("FTX", receipts.ERROR_TEXT, None, None, run)
        return w


def _write_answered(w: FittedWriter, doc: Receipt) -> None:
    """FTX+AAI, then the answered document and the agency status where D:96B has room: DOC, RFF+ACW
    and GIS in segment group 6 when the document's type is known (DOC needs C002), else GIS in the
    header and RFF+ACW, RFF+ACE (related document number) in segment group 3."""
    receipts.write_text(w, doc)
    if doc.business_key and doc.answers_type:
        receipts.write_answered(w, doc.model_copy(update={"text": None}))
        if doc.agency_status is not None:
            w.add("GIS", _indicator(w, doc.agency_status))
        return
    if doc.agency_status is not None:
        w.add("GIS", _indicator(w, doc.agency_status))
    if doc.answers_message_id is not None:
        w.add("RFF", ["ACW", receipts.answered_id(w, doc.answers_message_id)])
    if doc.business_key:
        w.add("RFF", [RELATED_DOCUMENT, w.value(doc.business_key, "1154", "RFF+ACE C506 1154")])


def _indicator(w: FittedWriter, status: str) -> list[str | None]:
    """GIS C529 for an agency status: 7365 (an..3) when it fits, else 7365 ZZZ (mutually defined)
    with the status as 7187 processing type (an..17): RELEASED, HELD ..."""
    if len(status) <= INDICATOR:
        return [status]
    return [MUTUALLY_DEFINED, None, None, w.value(status, "7187", "GIS C529 7187")]


def _read_indicator(gis: Segment | None) -> str | None:
    if gis is None:
        return None
    if gis.get(0, 0) == MUTUALLY_DEFINED and gis.get(0, 3):
        return gis.get(0, 3)
    return gis.get(0, 0)


def _error_groups(body: Body) -> tuple[list[Segment], list[list[Segment]]]:
    """Header, and one group per error (from ERP, or from ERC when a sender leaves ERP out)."""
    trigger = "ERP" if body.first("ERP") else "ERC"
    return body.groups(trigger)


def _error(body: Body, group: list[Segment], message: str | None) -> ReceiptError:
    erc = next((s for s in group if s.tag == "ERC"), None)
    found = receipts.error(body, group, (erc and erc.get(0, 0)) or "UNKNOWN")
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
