"""APERAK (application error and acknowledgement) <-> Receipt.

The hub's profile (it writes D:96A), with the shared parts of :mod:`.receipts`:

    BGM++<the receipt's own number>+<function>   agency_reference = BGM 1004
    DTM+137                                      issued_at
    FTX+AAI, DOC, RFF+ACW                        text, answered document, answered message
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
from .reading import FUNCTION_OUT, Body
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
            **receipts.answered(body, head), issuer=body.interchange.sender, status=status,
            agency_status=codes[0] if codes else None, agency_reference=bgm and bgm.get(1),
            issued_at=body.instant(body.first("DTM", "137", head)), text=text,
            errors=[receipts.error(g, code) for g, code in zip(groups, codes) if code != ACCEPTED])

    def write(self, doc: Receipt, ctx: RenderContext) -> MessageWriter:
        w = MessageWriter()
        w.add("BGM", None, doc.agency_reference, FUNCTION_OUT[doc.header.function])
        w.dtm("137", doc.issued_at)
        receipts.write_answered(w, doc)
        if doc.status is ReceiptStatus.ACCEPTED:
            w.add("ERC", [ACCEPTED])
        elif doc.status is ReceiptStatus.REJECTED and not doc.errors:
            w.add("ERC", [doc.agency_status if doc.agency_status not in (None, ACCEPTED) else REJECTED])
        for error in doc.errors:
            receipts.write_error(w, error)
        return w
