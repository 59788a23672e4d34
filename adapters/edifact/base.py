"""What every EDIFACT adapter shares: detection, the envelope, one message per interchange, reply facts.

An adapter names its message type and the directory it writes (``identifier``, UNH S009);
it reads any directory version of that type. Subclasses implement ``read(body)`` and
``write(doc, ctx)``; this base reads and checks the interchange (:mod:`.envelope`), picks
the message and fills the canonical :class:`MessageHeader`:

- message_id = UNH 0062, conversation_id = UNH 0068 (common access reference)
- issued_at = UNB S004 (a naive date-time), sender_id / recipient_id = UNB S002 / S003
- function = BGM 1225 (each reader decides; see :mod:`.reading`)

The hub reads one message per interchange; more is a ParseError (EDI_MESSAGE_COUNT).
Adapters take two settings: ``lenient`` (relax control counts and references, see
:mod:`.envelope`) and ``syntax_id`` (the repertoire to write; None: the smallest that fits).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

from hub.adapters import Adapter, Output, Probe, RenderContext
from hub.errors import ConversionError, ParseError
from hub.models import Document, Function, MessageHeader

from . import envelope
from .reading import Body
from .writer import MessageWriter, interchange, reference

MEDIA_TYPE = "application/edifact"


@lru_cache(maxsize=512)
def sniff(head: bytes) -> str | None:
    """The UNH message type (S009 0065) of an interchange's first bytes; None when it is not EDIFACT."""
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"UNA") and len(head) > 9:
        sep, term = head[4:5], head[8:9]
    elif head.startswith(b"UNB\x1d"):
        sep, term = b"\x1d", b"\x1c"
    elif head.startswith(b"UNB"):
        sep, term = head[3:4], b"'"
    else:
        return None
    match = _unh(sep, term).search(head)
    return match.group(1).decode("ascii") if match else None


@lru_cache(maxsize=16)
def _unh(sep: bytes, term: bytes) -> re.Pattern:
    s, t = re.escape(sep), re.escape(term)
    return re.compile(rb"(?:^|" + t + rb")\s*UNH" + s + rb"[^" + s + rb"]*" + s + rb"([A-Z0-9]{6})")


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
        return probe.tree is None and sniff(probe.data[:4096]) == self.message_type

    def parse(self, probe: Probe) -> Document:
        body = self.body(probe.data, self.lenient)
        return self.read(body)

    def body(self, data: bytes, lenient: bool) -> Body:
        """The checked interchange's one message of this adapter's type."""
        ic = envelope.read(data, lenient)
        if len(ic.messages) != 1:
            seg = ic.messages[1].header if ic.messages else ic.header
            raise ParseError(f"the interchange holds {len(ic.messages)} messages; the hub reads exactly one "
                             f"per interchange", code="EDI_MESSAGE_COUNT", line=seg.line,
                             path=f"segment {seg.position} {seg.tag}")
        msg = ic.messages[0]
        if msg.type != self.message_type:
            raise ParseError(f"message {msg.ref} is a {msg.type}, not a {self.message_type}",
                             code="EDI_MESSAGE_TYPE", line=msg.header.line, path=str(msg.pointer(msg.header)))
        return Body(ic, msg)

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
        ref = reference(ctx.message_id)
        return Output(data=data, media_type=self.media_type,
                      references=(ref,) if ref != ctx.message_id else ())

    def reply_facts(self, data: bytes) -> dict:
        """UNB 0020, the first UNH 0062 and its type, and the business key when the message reads."""
        try:
            ic = envelope.read(data, lenient=True)
        except Exception:  # noqa: BLE001 - a reply must be possible for any input
            return _raw_facts(data)
        facts = {"answers_interchange": ic.reference}
        if ic.messages:
            facts.update(answers_message_id=ic.messages[0].ref, answers_type=ic.messages[0].type)
        try:
            facts["business_key"] = self.read(self.body(data, True)).business_key
        except Exception:  # noqa: BLE001 - the key is optional
            pass
        return {k: v for k, v in facts.items() if v}

    def read(self, body: Body) -> Document:
        """Map the message body into its canonical document."""
        raise ConversionError(f"format {self.name} cannot be read")

    def write(self, doc: Document, ctx: RenderContext) -> MessageWriter:
        """The message body (UNH and UNT excluded) of a canonical document."""
        raise ConversionError(f"format {self.name} cannot be written")


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
