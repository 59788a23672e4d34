"""APERAK (application error and acknowledgement) <-> Receipt.

The hub's profile (it writes D:96A), with the shared parts of :mod:`.receipts`:

    BGM++<the receipt's own number>+<function>   agency_reference = BGM 1004
    DTM+137                                      issued_at
    FTX+AAI, RFF+ACW, RFF+ACE                    text, answered message, answered document (related
                                                 document number: D:96A APERAK has no DOC, so the
                                                 document's type is not written; DOC is still read)
    ERC+1 [FTX]                                  accepted (its text is the receipt's text)
    ERC+<code> FTX+AAO RFF+ZZZ                   one per error: rejected (12 and any other code)

Status: no ERC -> acknowledged; only ERC+1 -> accepted; any other ERC -> rejected;
agency_status is the first ERC code. The issuer is the UNB sender.
"""

from __future__ import annotations

from hub.adapters import RenderContext
from hub.models import Function, Kind, Receipt, ReceiptStatus

from . import receipts
from .base import EdifactAdapter
from .reading import FUNCTION_OUT, RELATED_DOCUMENT, Body, lines, with_related
from .writer import MessageWriter

ACCEPTED = "1"
REJECTED = "12"


class Aperak(EdifactAdapter):
    name = "aperak"
    message_type = "APERAK"
    identifier = ("APERAK", "D", "96A", "UN")
    description = "UN/EDIFACT APERAK application error and acknowledgement"
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})

    def read(self, body: Body) -> Receipt:
        head, groups = body.groups("ERC")
        bgm = body.first("BGM", within=head)
        codes = [g[0].get(0, 0) or "" for g in groups]
        acks = [g for g, code in zip(groups, codes) if code == ACCEPTED]
        text = receipts.text(head) or (receipts.error(acks[0], ACCEPTED).text if acks else None)
        if not codes:
            status = ReceiptStatus.ACKNOWLEDGED
        else:
            status = ReceiptStatus.ACCEPTED if set(codes) == {ACCEPTED} else ReceiptStatus.REJECTED
        return Receipt(
            header=self.header(body, body.function(bgm, strict=False) if bgm else Function.ORIGINAL),
            **with_related(body, head, receipts.answered(body, head)), issuer=body.interchange.sender, status=status,
            agency_status=codes[0] if codes else None, agency_reference=bgm and bgm.get(1),
            issued_at=body.instant(body.first("DTM", "137", head)), text=text,
            errors=[receipts.error(g, code) for g, code in zip(groups, codes) if code != ACCEPTED])

    def write(self, doc: Receipt, ctx: RenderContext) -> MessageWriter:
        w = MessageWriter()
        w.add("BGM", None, doc.agency_reference, FUNCTION_OUT[doc.header.function])
        w.dtm("137", doc.issued_at)
        _write_answered(w, doc)
        if doc.status is ReceiptStatus.ACCEPTED:
            w.add("ERC", [ACCEPTED])
        elif doc.status is ReceiptStatus.REJECTED and not doc.errors:
            w.add("ERC", [doc.agency_status if doc.agency_status not in (None, ACCEPTED) else REJECTED])
        for error in doc.errors:
            receipts.write_error(w, error)
        return w


def _write_answered(w: MessageWriter, r: Receipt) -> None:
    """FTX (text), RFF+ACW (answered message), RFF+ACE (answered document): segment group 1, as
    D:96A has it; the answered document's type has no place there and is not written."""
    if r.text is not None:
        w.add("FTX", "AAI", None, None, lines(r.text, 5))
    if r.answers_message_id is not None:
        w.add("RFF", ["ACW", r.answers_message_id])
    if r.business_key:
        w.add("RFF", [RELATED_DOCUMENT, r.business_key])
