"""What APERAK and CUSRES share: the answered document, the back-reference, texts and error groups.

    DOC+<answered type>+<business key>   the answered document: type as a code (1001, up to 3
                                         characters) or as its name (C002 1000, e.g. CUSCAR)
    RFF+ACW:<message reference>          the answered message (the hub's id when it wrote it)
    FTX+AAI+++<text>                     the receipt's own text (before any error), as many FTX
                                         as it needs (:meth:`FittedWriter.texts`)
    ERC+<code> [FTX+AAO+++<text>] [RFF+ZZZ:<pointer>]   one error each; the pointer is the
                                         hub's (see :mod:`.pointer`) or any text the agency sends

The answered interchange (UNB 0020) has no place in either message and is not kept.

Values the directory cannot carry as they are:

- Error codes. ERC C901 9321 is an..8, and the hub's codes are longer (RULE_AWB_CHECK_DIGIT).
  Such a code is written as a short code (:func:`short_code`: the 0085 syntax error code for
  the hub's EDI_* codes, else ``H`` and seven characters of its digest), and the full code
  is the first line of the error's FTX+AAO, its text the lines after. The reader gives back
  the full code when that first line is a code whose short code is the ERC's, so a receipt
  the hub writes and reads back keeps its codes; an agency's ERC (its own codes, its own
  texts) reads as it always did. A code that fits is written as it is, with its text alone.
- Texts. FTX+AAI and FTX+AAO are laid out over as many segments as the text needs (five
  components of C108 each) and read back under :func:`lengths.join`'s rule, so a long text
  round-trips; only a text beyond the segments the message allows is cut (a recorded
  truncation, EDI_TEXT_TRUNCATED on the output).
- The answered message (RFF+ACW 1154, an..35). An id that fits is written as it is. One of
  the hub's own ids (``HUB-``...: its deliveries, ``hub.worker.receipts.HUB_OUT_ID``) is
  written as :func:`writer.reference` of it, the 14-character reference the hub wrote as UNB
  and UNH reference of that delivery and correlates answers by. Any other id (a partner's
  UUID, a GACC MessageID) cannot be shortened without losing it: CONVERT_FIELD_INVALID.
- Pointers (RFF+ZZZ 1154, an..35): a pointer that does not fit is CONVERT_FIELD_INVALID, as
  any other value the message cannot carry.
"""

from __future__ import annotations

from hub.models import Receipt, ReceiptError

from . import lengths
from .contrl import SYNTAX_ERRORS
from .lengths import FittedWriter
from .reading import Body, joined
from .syntax import Segment
from .writer import digest_reference, reference

HUB_ID_PREFIX = "HUB-"
"""How the hub's own message ids start (``hub.lifecycle.hub_message_id``)."""
ANSWERED_TEXTS = 9
"""FTX segments of the receipt's own text: the header FTX repeats nine times (APERAK D:96A, CUSRES D:96B)."""
ERROR_TEXT = "AAO"
OWN_TEXT = "AAI"


def answered(body: Body, head: list[Segment]) -> dict:
    """business_key, answers_type, answers_message_id from DOC and RFF+ACW (ACW stands in for a missing DOC)."""
    doc, acw = body.first("DOC", within=head), body.first("RFF", "ACW", head)
    ref = acw and acw.get(0, 1)
    key = (doc and doc.get(1, 0)) or ref
    return {"business_key": key or "", "answers_type": doc and (doc.get(0, 0) or doc.get(0, 3)),
            "answers_message_id": ref}


def text(body: Body, head: list[Segment]) -> str | None:
    """The receipt's own text: every FTX+AAI of the header as one text; without one, the first FTX
    of any qualifier (as agencies send it)."""
    return _texts(body, head, OWN_TEXT)


def _texts(body: Body, segments: list[Segment], qualifier: str) -> str | None:
    ftx = [s for s in segments if s.tag == "FTX"]
    own = [s for s in ftx if s.get(0) == qualifier]
    if own:
        return body.text(own)
    return joined(ftx[0], 3) if ftx else None


def short_code(code: str, width: int) -> str:
    """The ERC 9321 for a receipt error's ``code``: itself when it fits ``width``; else the 0085
    syntax error code of one of the hub's EDI_* codes, or ``H`` + base32 digest (stable)."""
    if len(code) <= width:
        return code
    if code in SYNTAX_ERRORS:
        return SYNTAX_ERRORS[code]
    return digest_reference(code, width)


def error(body: Body, group: list[Segment], code: str) -> ReceiptError:
    """One error group: its code, its FTX+AAO as text (else its first FTX), RFF+ZZZ as pointer; the
    hub's full code when the text's first line is one whose short code is ``code``."""
    found = _texts(body, group[1:], ERROR_TEXT)
    rff = next((s for s in group[1:] if s.tag == "RFF" and s.get(0, 0) == "ZZZ"), None)
    first, _, rest = (found or "").partition("\n")
    if len(first) > (width := lengths.limit(body.version, "9321")) and short_code(first, width) == code:
        code, found = first, rest or None
    return ReceiptError(code=code, text=found, pointer=rff and rff.get(0, 1))


def answered_id(w: FittedWriter, message_id: str) -> str | None:
    """RFF+ACW 1154 for the answered message: see the module's docstring."""
    if len(message_id) > lengths.limit(w.version, "1154") and message_id.startswith(HUB_ID_PREFIX):
        return reference(message_id)
    return w.value(message_id, "1154", "RFF+ACW C506 1154")


def write_text(w: FittedWriter, doc: Receipt) -> None:
    """The receipt's own text as FTX+AAI segments."""
    for run in w.texts(doc.text, "FTX+AAI C108 4440", ANSWERED_TEXTS):
        w.add("FTX", OWN_TEXT, None, None, run)


def write_answered(w: FittedWriter, r: Receipt) -> None:
    """FTX (text), DOC (answered document), RFF+ACW (answered message)."""
    write_text(w, r)
    if r.business_key:
        doc_type = r.answers_type or ""
        name = [doc_type] if len(doc_type) <= 3 else [None, None, None, doc_type]
        w.add("DOC", name, [w.value(r.business_key, "1004", "DOC C503 1004")])
    if r.answers_message_id is not None:
        w.add("RFF", ["ACW", answered_id(w, r.answers_message_id)])


def error_texts(w: FittedWriter, e: ReceiptError, most: int) -> tuple[str, list[list[str | None]]]:
    """ERC 9321 and the FTX+AAO runs (at most ``most``) for one error: see the module's docstring."""
    code = short_code(e.code, lengths.limit(w.version, "9321"))
    full = e.text if code == e.code else "\n".join(t for t in (e.code, e.text) if t)
    return code, w.texts(full, "FTX+AAO C108 4440", most)


def pointer(w: FittedWriter, e: ReceiptError) -> str | None:
    """RFF+ZZZ 1154 for an error's pointer (CONVERT_FIELD_INVALID when it does not fit)."""
    return w.value(e.pointer, "1154", "RFF+ZZZ C506 1154")
