"""What every EDIFACT adapter shares: detection, the envelope, every message of an interchange, reply facts.

An adapter names its message type and the directory it writes (``identifier``, UNH S009);
it reads any directory version of that type. Subclasses implement ``read(body)`` and
``write(doc, ctx)``; this base reads and checks the interchange (:mod:`.envelope`), reads
each message and fills the canonical :class:`MessageHeader`:

- message_id = UNH 0062, conversation_id = UNH 0068 (common access reference)
- issued_at = UNB S004 (a naive date-time), sender_id / recipient_id = UNB S002 / S003
- function = BGM 1225 (each reader decides; see :mod:`.reading`)

An interchange may carry several messages (UNH..UNT repeated, in groups or not): each is
checked (its UNT count and reference, by :mod:`.envelope`), read, and returned by
``parse_all`` as its own document; a problem in one message names that message (its
reference and the segment), and every message's problems are reported together. Every
message must be of the adapter's type (EDI_MESSAGE_TYPE otherwise); an interchange without
a message is EDI_UNH_MISSING. Receipts (CONTRL, APERAK, CUSRES) are the exception: the
answers of one interchange form ONE Receipt whose ``answers()`` are the messages in order
(the last message is the receipt itself, the earlier ones its ``more``), because the receipt
worker reads one document per receipt message and applies each answer.

A message type the hub does not read (PNRGOV, INVOIC ...) is recognised as EDIFACT and
refused by name at detection: EDI_MESSAGE_TYPE_UNSUPPORTED.

Every message, read or written, is checked against the UN/EDIFACT directory its UNH names
(:mod:`.directory`: segment table, repeats, element formats and lengths), as XML is against
its XSD. Inbound, a message that breaks it is refused with the segment, element and code
(EDI_SEGMENT_UNEXPECTED, EDI_ELEMENT_TOO_LONG ...), which the CONTRL answer names. Outbound,
a value the target cannot carry (too long, wrong characters) is CONVERT_FIELD_INVALID, as
an XML value beyond its facet; any other break is the hub's own bug (OUTPUT_INVALID), never
delivered.

Adapters take two settings: ``lenient`` (relax control counts and references, see
:mod:`.envelope`, and the directory checks: all kept as the reading's warnings) and
``syntax_id`` (the repertoire to write; None: the smallest that fits).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

from pydantic import ValidationError

from hub import rules
from hub.adapters import Adapter, Output, Probe, RenderContext
from hub.errors import ConversionError, DocumentError, EngineError, InvalidDocument, ParseError, Problem
from hub.models import Document, Function, Kind, MessageHeader, ReceiptStatus
from hub.pipeline import model_problems  # the engine's codes for model errors

from . import directory, envelope
from .envelope import Interchange, Message
from .reading import Body
from .syntax import breaks
from .writer import MessageWriter, interchange, reference

MEDIA_TYPE = "application/edifact"
SUPPORTED = ("CUSCAR", "CUSDEC", "IFTMIN", "PAXLST", "CONTRL", "APERAK", "CUSRES")
"""The message types the hub reads (one adapter each)."""
MAX_ANSWERED = 100
"""Further messages a reply names (``reply_facts``'s ``more``)."""


def unsupported(kind: str) -> str:
    """Why a message of type ``kind`` is refused."""
    return f"{kind} is not a message type the hub reads (it reads {', '.join(SUPPORTED)})"


@lru_cache(maxsize=512)
def sniff(head: bytes) -> str | None:
    """The UNH message type (S009 0065) of an interchange's first bytes; None when it is not EDIFACT."""
    found = _first_unh(head)
    return found[0] if found else None


def _first_unh(head: bytes) -> tuple[str, str, int] | None:
    """(message type, message reference, offset of UNH in ``head``) of the first message."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    skipped = len(head) - len(stripped)
    if stripped.startswith(b"UNA") and len(stripped) > 9:
        sep, term = stripped[4:5], stripped[8:9]
    elif stripped.startswith(b"UNB\x1d"):
        sep, term = b"\x1d", b"\x1c"
    elif stripped.startswith(b"UNB"):
        sep, term = stripped[3:4], b"'"
    else:
        return None
    match = _unh(sep, term).search(stripped)
    if not match:
        return None
    return match.group(2).decode("ascii"), match.group(1).decode("latin-1"), skipped + match.start(1)


@lru_cache(maxsize=16)
def _unh(sep: bytes, term: bytes) -> re.Pattern:
    s, t = re.escape(sep), re.escape(term)
    return re.compile(rb"(?:^|" + t + rb")\s*UNH" + s + rb"([^" + s + t + rb"]*)" + s + rb"([A-Z0-9]{6})")


class EdifactAdapter(Adapter):
    """One UN/EDIFACT message type."""

    family = "edifact"
    media_type = MEDIA_TYPE
    negative_receipt = "contrl"
    message_type: ClassVar[str]
    identifier: ClassVar[tuple[str, ...]]
    """UNH S009 the hub writes: type, version, release, agency."""

    def __init__(self, lenient: bool = False, syntax_id: str | None = None) -> None:
        self.lenient = lenient
        self.syntax_id = syntax_id

    def detect(self, probe: Probe) -> bool:
        """Whether the first message is of this adapter's type; a type the hub does not read at all is
        refused here, by name (EDI_MESSAGE_TYPE_UNSUPPORTED), so that it is not FORMAT_UNKNOWN."""
        if probe.tree is not None:
            return False
        kind = sniff(probe.data[:4096])
        if kind is not None and kind not in SUPPORTED:
            _, ref, at = _first_unh(probe.data[:4096])
            line = 1 + breaks(probe.data[:at].decode("latin-1"))
            raise ParseError(unsupported(kind), code="EDI_MESSAGE_TYPE_UNSUPPORTED", line=line,
                             path=f"UNH, message {ref}" if ref and " " not in ref else "UNH")
        return kind == self.message_type

    def parse(self, probe: Probe) -> Document:
        return self.parse_all(probe)[0]

    def parse_all(self, probe: Probe) -> list[Document]:
        """Every message of the interchange as its own document (receipts: one Receipt, see above)."""
        bodies = self.bodies(probe.data, self.lenient)
        probe.warnings.extend(bodies[0].interchange.relaxed)
        documents: list[Document] = []
        problems: list[Problem] = []
        for body in bodies:
            try:
                doc = self.read(body)
            except DocumentError as exc:
                problems.extend(exc.problems)
                continue
            except ValidationError as exc:
                if len(bodies) == 1:
                    raise
                problems.extend(_model_problems(self, body, exc))
                continue
            if len(bodies) > 1:
                problems.extend(_rule_problems(self, body, doc))
            documents.append(doc)
        if problems:
            raise InvalidDocument(sorted(problems, key=lambda p: p.line or 0))
        if Kind.RECEIPT in self.reads and len(documents) > 1:
            answers = [a for doc in documents for a in doc.answers()]
            return [answers[-1].model_copy(update={"more": answers[:-1]})]
        return documents

    def bodies(self, data: bytes, lenient: bool) -> list[Body]:
        """The checked interchange's messages, each of this adapter's type."""
        ic = envelope.read(data, lenient)
        if not ic.messages:
            raise ParseError("the interchange holds no message (UNH..UNT)", code="EDI_UNH_MISSING",
                             line=ic.header.line, path="segment 1 UNB")
        problems = [p for msg in ic.messages if (p := self._type_problem(msg)) is not None]
        if problems:
            raise InvalidDocument(problems)
        problems = structure_problems(ic, lenient)
        if problems:
            raise InvalidDocument(problems)
        return [Body(ic, msg) for msg in ic.messages]

    def _type_problem(self, msg: Message) -> Problem | None:
        if msg.type == self.message_type:
            return None
        where = dict(line=msg.header.line, path=str(msg.pointer(msg.header)))
        if msg.type not in SUPPORTED:
            return Problem("EDI_MESSAGE_TYPE_UNSUPPORTED", f"message {msg.ref}: {unsupported(msg.type)}", **where)
        return Problem("EDI_MESSAGE_TYPE", f"message {msg.ref} is a {msg.type}, not a {self.message_type}: "
                       f"an interchange carries messages of one type", **where)

    def header(self, body: Body, function: Function = Function.ORIGINAL) -> MessageHeader:
        """The canonical envelope of the message."""
        ic, msg = body.interchange, body.message
        return MessageHeader(message_id=msg.ref, issued_at=ic.prepared_at, function=function,
                             sender_id=ic.sender, recipient_id=ic.recipient, conversation_id=msg.common_access_ref)

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        if not self.accepts(doc):
            raise ConversionError(f"format {self.name} cannot carry a {doc.kind.value}")
        body = self.write(doc, ctx)
        data = interchange(body, self.identifier, ctx, doc.header.conversation_id, self.syntax_id)
        check_output(data, self.name)
        ref = reference(ctx.message_id)
        cut = tuple(t.problem("EDI_TEXT_TRUNCATED") for t in getattr(body, "truncated", ()))
        return Output(data=data, media_type=self.media_type,
                      references=(ref,) if ref != ctx.message_id else (), warnings=cut)

    def reply_facts(self, data: bytes) -> dict:
        """UNB 0020, the first UNH 0062 and its type, and the business key when the message reads;
        ``more``: the interchange's further messages (reference, type, key), so that the CONTRL for a
        refused interchange can name each of them with its type."""
        try:
            ic = envelope.read(data, lenient=True)
        except Exception:  # noqa: BLE001 - a reply must be possible for any input
            return _raw_facts(data)
        facts: dict = {"answers_interchange": ic.reference}
        if ic.messages:
            facts.update(answers_message_id=ic.messages[0].ref, answers_type=ic.messages[0].type,
                         business_key=self._key(ic, ic.messages[0]))
            facts["more"] = [{"answers_message_id": m.ref, "answers_type": m.type, "answers_interchange": ic.reference,
                              "business_key": self._key(ic, m) or m.ref or "", "status": ReceiptStatus.REJECTED.value}
                             for m in ic.messages[1:MAX_ANSWERED + 1]]
        return {k: v for k, v in facts.items() if v}

    def _key(self, ic: Interchange, msg: Message) -> str | None:
        """The business key of a message when it reads, else None."""
        if msg.type != self.message_type:
            return None
        try:
            return self.read(Body(ic, msg)).business_key
        except Exception:  # noqa: BLE001 - the key is optional
            return None

    def read(self, body: Body) -> Document:
        """Map the message body into its canonical document."""
        raise ConversionError(f"format {self.name} cannot be read")

    def write(self, doc: Document, ctx: RenderContext) -> MessageWriter:
        """The message body (UNH and UNT excluded) of a canonical document."""
        raise ConversionError(f"format {self.name} cannot be written")


VALUE_CODES = frozenset({"EDI_ELEMENT_TOO_LONG", "EDI_ELEMENT_FORMAT"})
"""Directory problems of one value's text: outbound, the value (the sender's) does not fit the target."""


def structure_problems(ic: Interchange, lenient: bool) -> list[Problem]:
    """Every message of ``ic`` against its directory (:mod:`.directory`); ``lenient`` keeps them in
    ``ic.relaxed`` (the reading's warnings) instead of returning them."""
    application = ic.header.get(6)     # UNB 0026: may name an implementation guide (ACE ...)
    problems = [p for msg in ic.messages
                for p in directory.check_message(msg, ic.chars, ic.syntax_version, application)]
    if lenient:
        ic.relaxed.extend(problems)
        return []
    return problems


def check_output(data: bytes, name: str) -> None:
    """An interchange the hub wrote, read back strictly and checked against its directory.

    A value that does not fit (EDI_ELEMENT_TOO_LONG, EDI_ELEMENT_FORMAT) is the sender's: the
    delivery is refused with CONVERT_FIELD_INVALID naming the segment and element. Anything else
    (a segment missing, misplaced or repeated too often, an envelope count) is the writer's bug."""
    try:
        problems = structure_problems(envelope.read(data), lenient=False)
    except DocumentError as exc:
        raise EngineError(f"rendered {name} fails its own envelope checks: {exc.problems[0].message}",
                          problems=exc.problems) from exc
    if not problems:
        return
    if all(p.code in VALUE_CODES for p in problems):
        first = problems[0]
        raise ConversionError(f"a value of the document does not fit {name}: {first.message}",
                              code="CONVERT_FIELD_INVALID", path=first.path)
    broken = [p for p in problems if p.code not in VALUE_CODES]
    raise EngineError(f"rendered {name} breaks its UN/EDIFACT directory: {broken[0].message}", problems=problems)


def _model_problems(adapter: EdifactAdapter, body: Body, exc: ValidationError) -> list[Problem]:
    """The values of one message of several that the canonical model refuses, with the codes the
    engine gives them in a message alone (NUMBER_OUT_OF_RANGE ...), named and pointed at the message."""
    return [_in_message(adapter, body, problem) for problem in model_problems(exc)]


def _rule_problems(adapter: EdifactAdapter, body: Body, doc: Document) -> list[Problem]:
    """The business rules of one message of several, each problem pointed at that message's segment
    (the engine checks them too, but by document only, without the message)."""
    return [_in_message(adapter, body, problem) for problem in rules.check(doc)]


def _in_message(adapter: EdifactAdapter, body: Body, problem: Problem) -> Problem:
    """A problem of a canonical field, named by its message and pointed at the segment the field
    comes from (``text_locations``), else at the message's UNH."""
    segments = [body.message.header, *body.message.body]
    found = adapter.text_index([s.raw for s in segments], problem.path or "")
    seg = segments[found] if found is not None else body.message.header
    return Problem(problem.code, f"message {body.message.ref}: {problem.path}: {problem.message}",
                   line=seg.line, path=str(body.message.pointer(seg)))


_RAW_UNB = re.compile(rb"UNB\+[^+']*\+[^+']*\+[^+']*\+[^+']*\+([^+'?]+)")
_RAW_UNH = re.compile(rb"UNH\+([^+'?]+)\+([A-Z0-9]{6})")


def _raw_facts(data: bytes) -> dict:
    """What a broken interchange still says with the default separators."""
    facts = {}
    if (unb := _RAW_UNB.search(data[:4096])) is not None:
        facts["answers_interchange"] = unb.group(1).decode("latin-1")
    if (unh := _RAW_UNH.search(data[:8192])) is not None:
        facts["answers_message_id"] = unh.group(1).decode("latin-1")
        facts["answers_type"] = unh.group(2).decode("latin-1")
    return facts
