"""What APERAK and CUSRES share: the answered document, the back-reference, texts and error groups.

    DOC+<answered type>+<business key>   the answered document: type as a code (1001, up to 3
                                         characters) or as its name (C002 1000, e.g. CUSCAR)
    RFF+ACW:<message reference>          the answered message (the hub's id when it wrote it)
    FTX+AAI+++<text>                     the receipt's own text (before any error)
    ERC+<code> [FTX+AAO+++<text>] [RFF+ZZZ:<pointer>]   one error each; the pointer is the
                                         hub's (see :mod:`.pointer`) or any text the agency sends

The answered interchange (UNB 0020) has no place in either message and is not kept.
"""

from __future__ import annotations

from hub.models import Receipt, ReceiptError

from .reading import Body, joined, lines
from .syntax import Segment
from .writer import MessageWriter


def answered(body: Body, head: list[Segment]) -> dict:
    """business_key, answers_type, answers_message_id from DOC and RFF+ACW (ACW stands in for a missing DOC)."""
    doc, acw = body.first("DOC", within=head), body.first("RFF", "ACW", head)
    ref = acw and acw.get(0, 1)
    key = (doc and doc.get(1, 0)) or ref
    return {"business_key": key or "", "answers_type": doc and (doc.get(0, 0) or doc.get(0, 3)),
            "answers_message_id": ref}


def text(head: list[Segment]) -> str | None:
    """The first free text of the receipt's header."""
    ftx = next((s for s in head if s.tag == "FTX"), None)
    return joined(ftx, 3)


def error(group: list[Segment], code: str) -> ReceiptError:
    """One error group: its code, the first FTX as text, RFF+ZZZ as pointer."""
    ftx = next((s for s in group[1:] if s.tag == "FTX"), None)
    rff = next((s for s in group[1:] if s.tag == "RFF" and s.get(0, 0) == "ZZZ"), None)
    return ReceiptError(code=code, text=joined(ftx, 3), pointer=rff and rff.get(0, 1))


def write_answered(w: MessageWriter, r: Receipt) -> None:
    """FTX (text), DOC (answered document), RFF+ACW (answered message)."""
    if r.text is not None:
        w.add("FTX", "AAI", None, None, lines(r.text, 5))
    if r.business_key:
        doc_type = r.answers_type or ""
        name = [doc_type] if len(doc_type) <= 3 else [None, None, None, doc_type]
        w.add("DOC", name, [r.business_key])
    if r.answers_message_id is not None:
        w.add("RFF", ["ACW", r.answers_message_id])


def write_error(w: MessageWriter, e: ReceiptError) -> None:
    """ERC, FTX+AAO and RFF+ZZZ for one error."""
    w.add("ERC", [e.code])
    if e.text is not None:
        w.add("FTX", "AAO", None, None, lines(e.text, 5))
    if e.pointer is not None:
        w.add("RFF", ["ZZZ", e.pointer])
