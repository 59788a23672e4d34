"""APERAK (application error and acknowledgement) <-> Receipt.

The hub's profile (it writes D:96A), with the shared parts of :mod:`.receipts`:

    BGM++<the receipt's own number>+<function>   agency_reference = BGM 1004
    DTM+137                                      issued_at
    FTX+AAI, RFF+ACW, RFF+ACE                    text, answered message, answered document (related
                                                 document number: D:96A APERAK has no DOC, so the
                                                 document's type is not written; DOC is still read)
    ERC+1 [FTX]                                  accepted (its text is the receipt's text)
    ERC+<code> FTX+AAO [RFF+ZZZ [FTX+AAO...]]    one per error: rejected (12 and any other code)

D:96A gives an error (segment group 3) one FTX after its ERC, and nine more after the group's
RFF (segment group 4): a text longer than one FTX carries (five lines of 70) goes on after
RFF+ZZZ, which is then written even without a pointer (RFF+ZZZ with no reference: C506 1154
is conditional). ERC codes longer than an..8 and the answered id: see :mod:`.receipts`.

Status: no ERC -> acknowledged; only ERC+1 -> accepted; any other ERC -> rejected;
agency_status is the first ERC code. The issuer is the UNB sender.
"""

from __future__ import annotations

from hub.adapters import RenderContext
from hub.models import Function, Kind, Receipt, ReceiptError, ReceiptStatus

from . import receipts
from .base import EdifactAdapter
from .lengths import FittedWriter, version_of
from .reading import FUNCTION_OUT, RELATED_DOCUMENT, Body, with_related

ACCEPTED = "1"
REJECTED = "12"
ERROR_TEXTS = 1 + 9
"""FTX segments an error's text may take: one in segment group 3, nine in its group 4."""


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
        text = receipts.text(body, head) or (receipts.error(body, acks[0], ACCEPTED).text if acks else None)
        if not codes:
            status = ReceiptStatus.ACKNOWLEDGED
        else:
            status = ReceiptStatus.ACCEPTED if set(codes) == {ACCEPTED} else ReceiptStatus.REJECTED
        return Receipt(
            header=self.header(body, body.function(bgm, strict=False) if bgm else Function.ORIGINAL),
            **with_related(body, head, receipts.answered(body, head)), issuer=body.interchange.sender, status=status,
            agency_status=codes[0] if codes else None, agency_reference=bgm and bgm.get(1),
            issued_at=body.instant(body.first("DTM", "137", head)), text=text,
            errors=[receipts.error(body, g, code) for g, code in zip(groups, codes) if code != ACCEPTED])

    def write(self, doc: Receipt, ctx: RenderContext) -> FittedWriter:
        w = FittedWriter(version=version_of(self.identifier))
        w.add("BGM", None, w.value(doc.agency_reference, "1004", "BGM 1004"), FUNCTION_OUT[doc.header.function])
        w.dtm("137", doc.issued_at)
        _write_answered(w, doc)
        if doc.status is ReceiptStatus.ACCEPTED:
            w.add("ERC", [ACCEPTED])
        elif doc.status is ReceiptStatus.REJECTED and not doc.errors:
            w.add("ERC", [doc.agency_status if doc.agency_status not in (None, ACCEPTED) else REJECTED])
        for error in doc.errors:
            _write_error(w, error)
        return w


def _write_answered(w: FittedWriter, r: Receipt) -> None:
    """FTX (text), RFF+ACW (answered message), RFF+ACE (answered document): segment group 1, as
    D:96A has it; the answered document's type has no place there and is not written."""
    receipts.write_text(w, r)
    if r.answers_message_id is not None:
        w.add("RFF", ["ACW", receipts.answered_id(w, r.answers_message_id)])
    if r.business_key:
        w.add("RFF", [RELATED_DOCUMENT, w.value(r.business_key, "1154", "RFF+ACE C506 1154")])


def _write_error(w: FittedWriter, e: ReceiptError) -> None:
    """ERC, its first FTX+AAO, then RFF+ZZZ and the rest of the text (segment group 4)."""
    code, runs = receipts.error_texts(w, e, ERROR_TEXTS)
    w.add("ERC", [code])
    if runs:
        w.add("FTX", receipts.ERROR_TEXT, None, None, runs[0])
    if e.pointer is not None or len(runs) > 1:
        w.add("RFF", ["ZZZ", receipts.pointer(w, e)])
    for run in runs[1:]:
        w.add("FTX", receipts.ERROR_TEXT, None, None, run)
