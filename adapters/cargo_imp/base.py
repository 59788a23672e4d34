"""What every Cargo-IMP adapter shares: detection, the envelope and header, rendering, reply facts.

A message is an optional Type-B envelope, the standard message identifier
(``FWB/16``, ``FMA``) and the body. Subclasses map the body (``read``) and write
it (``write``); this class does the rest. Output lines end with CR LF, as
Type-B lines do; input may use any line ending.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from hub.adapters import Adapter, Output, Probe, RenderContext
from hub.errors import ConversionError, EngineError, ParseError
from hub.models import Document, MessageHeader

from . import dates, envelope, fields
from .check import check
from .consignment import AWB_START
from .envelope import Envelope
from .lines import MESSAGE_START, Line, checked, collecting_warnings, numbered, raise_text_before

AWB_LINE = r"\d{3}-\d{8}[A-Z]{3}"
"""The consignment detail line a waybill's number, route and quantities are on (text_locations)."""
_IDENTIFIER = re.compile(r"^([A-Z]{3})(?:/(\d{1,3}))?\s*$")
_ADDRESS_LINE = re.compile(r"^Q[A-Z] [A-Z0-9]{7}")
_ADDRESSES = re.compile(r"^[A-Z0-9]{7}(?: +[A-Z0-9]{7})* *$")
_FLIGHT_LINE = re.compile(r"^\d{1,3}/([A-Z0-9]{2}[A-Z]?\d{1,5}[A-Z]?)/(\d{2}[A-Z]{3})")


@dataclass(frozen=True)
class Message:
    """A message split into envelope, identifier line and body."""

    envelope: Envelope | None
    head: Line
    identifier: str
    body: list[Line]
    clock: dates.Clock
    """The reception time, consulted only for dates that carry no year and no anchor (see :mod:`.dates`)."""

    def sent_at(self, issued: date | None = None) -> datetime | None:
        """The envelope's transmission time around the reception time, never before the message's issue
        date (when it has one) minus the tolerance."""
        return None if self.envelope is None else self.envelope.sent_at(issued, self.clock)

    def header_for(self, issued: date | None = None) -> MessageHeader:
        """The header, its time bounded below by the message's own issue date when it has one."""
        return self.envelope.header(self.sent_at(issued)) if self.envelope is not None else MessageHeader()

    @property
    def header(self) -> MessageHeader:
        return self.header_for(None)

    @property
    def reference(self) -> date:
        """The day a day and month without a year resolve against: the transmission day, else the reception day."""
        sent = self.sent_at()
        return sent.date() if sent is not None else self.clock().date()


def read_message(lines: list[Line], clock: dates.Clock) -> Message:
    """Split numbered lines; no identifier line after the envelope is a parse error."""
    if len(lines) > 1 and not MESSAGE_START.match(lines[0].text) and MESSAGE_START.match(lines[1].text):
        raise_text_before(lines[0].number, lines[0].text)
    env, lines = envelope.split(lines)
    if not lines:
        raise ParseError("the message has no standard message identifier (FWB/16)", code="CIMP_LINE_MISSING", line=1)
    match = _IDENTIFIER.match(lines[0].text)
    if match is None:
        raise lines[0].error(f"{lines[0].text.strip()[:20]!r} is not a message identifier (FWB/16)",
                             "CIMP_IDENTIFIER_INVALID")
    return Message(env, lines[0], match.group(1), lines[1:], clock)


def identify(data: bytes) -> str | None:
    """The message type (FWB, FSU ...) after any envelope, read cheaply and leniently; None when absent."""
    lines = numbered(data[:4096])
    at = 0
    if len(lines) > 1 and not MESSAGE_START.match(lines[0].text) and MESSAGE_START.match(lines[1].text):
        lines = lines[1:]          # a label before the message: detected, then refused when read
    if lines and _ADDRESS_LINE.match(lines[0].text):
        at = 1
        while at < len(lines) and (lines[at].text.startswith(".") or _ADDRESSES.match(lines[at].text)):
            at += 1
    match = _IDENTIFIER.match(lines[at].text) if at < len(lines) else None
    return match.group(1) if match else None


def business_key(identifier: str, body: list[Line], reference: Callable[[], date]) -> str | None:
    """The key a document of this message would have, found leniently (for replies and echoes);
    ``reference`` gives the day an FFM's flight date resolves against (asked only for an FFM)."""
    if identifier == "FHL":
        house = next((line.fields[1].strip() for line in body if line.text.startswith("HBS/")), None)
        if house:
            return house
    if identifier == "FFM":
        flight = _FLIGHT_LINE.match(body[0].text) if body else None
        try:
            day = dates.day_month(flight.group(2), reference()).date() if flight else None
        except ValueError:
            day = None
        if not day:
            return None
        number = int(body[0].text.split("/", 1)[0])
        ends = [line.text.strip() for line in body if line.text.strip() in ("CONT", "LAST")]
        whole = number == 1 and (not ends or ends[-1] == "LAST")   # as Manifest.business_key: parts get /partN
        return f"{flight.group(1)}/{day.isoformat()}" + ("" if whole else f"/part{number}")
    texts = (line.text[4:] if line.text.startswith("MBI/") else line.text for line in body)
    return next((m.group(1) for text in texts if (m := AWB_START.match(text))), None)


class CargoImpAdapter(Adapter):
    """A Cargo-IMP message recognised by its standard message identifier."""

    family = "cargo-imp"
    media_type = "text/plain"
    negative_receipt: ClassVar[str | None] = "fna"
    identifier: ClassVar[str]
    version: ClassVar[str | None]
    """The version written after the identifier (FWB/16); any version is read."""

    def __init__(self, clock: dates.Clock | None = None) -> None:
        self.clock = clock or dates.utc_now

    def detect(self, probe: Probe) -> bool:
        return probe.tree is None and identify(probe.data) == self.identifier

    def parse(self, probe: Probe) -> Document:
        msg = self.message(probe)
        document = self.read(msg)
        self.check_fields(msg)
        return document

    def check_fields(self, msg: Message) -> None:
        """Refuse a message whose fields break its version's definitions (:mod:`.fields`): the first
        finding, with its line and field, as CIMP_FIELD_TOO_LONG, CIMP_FIELD_FORMAT or CIMP_FIELD_MISSING.
        Called after :meth:`read`, so that what the reader refuses keeps the reader's code."""
        match = _IDENTIFIER.match(msg.head.text)
        definitions = fields.version(msg.identifier, match.group(2) if match else None)
        found = check(definitions, msg.body) if definitions is not None else []
        if found:
            problem = found[0].problem()
            raise ParseError(problem.message, code=problem.code, line=problem.line, path=problem.path)

    def message(self, probe: Probe) -> Message:
        """The checked message, split into envelope, identifier and body; of this adapter's type."""
        msg = read_message(checked(probe.data), self.clock)
        if msg.identifier != self.identifier:
            raise msg.head.error(f"expected {self.identifier}, found {msg.identifier}", "CIMP_IDENTIFIER_INVALID")
        return msg

    def read(self, msg: Message) -> Document:
        """Map the body into the canonical document."""
        raise ConversionError(f"format {self.name} cannot be read")

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        if not self.accepts(doc):
            raise ConversionError(f"format {self.name} cannot carry a {doc.kind.value}")
        head = f"{self.identifier}/{self.version}" if self.version else self.identifier
        with collecting_warnings() as warnings:
            body = self.write(doc)
        lines = [*envelope.write(ctx), head, *body]
        self._check_output(lines, len(lines) - len(body))
        return Output(data=("\r\n".join(lines) + "\r\n").encode("utf-8"), media_type=self.media_type,
                      warnings=tuple(warnings))

    def _check_output(self, lines: list[str], start: int) -> None:
        """The written body against the definitions of the version it declares. A value that breaks its
        field is the sender's value the format cannot carry (CONVERT_FIELD_INVALID, naming the line and
        field and the limit); a line without the shape of its field is the writer's fault (EngineError)."""
        definitions = fields.version(self.identifier, self.version)
        if definitions is None:
            return
        body = [Line(number, text) for number, text in enumerate(lines[start:], start + 1)]
        for finding in check(definitions, body):
            problem = finding.problem()
            if finding.structural:
                raise EngineError(f"rendered {self.name} is malformed: {problem.message}", problems=[problem],
                                  line=problem.line, path=problem.path)
            raise ConversionError(f"a value of the document does not fit {self.identifier}/{self.version}: "
                                  f"{problem.message}", code="CONVERT_FIELD_INVALID", line=problem.line,
                                  path=problem.path)

    def write(self, doc: Document) -> list[str]:
        """The body lines for a document this adapter accepts."""
        raise ConversionError(f"format {self.name} cannot be written")

    def reply_facts(self, data: bytes) -> dict:
        """The message text to echo (without its envelope), its type, key and Type-B identity."""
        try:
            lines = numbered(data)
            try:
                env, body = envelope.split(lines)
            except ParseError:
                env, body = None, lines[2:]
            facts: dict = {"text": "\n".join(line.text for line in body) or None}
            match = _IDENTIFIER.match(body[0].text) if body else None
            if match:
                facts["answers_type"] = match.group(1)
                msg = Message(env, body[0], match.group(1), body[1:], self.clock)
                facts["business_key"] = business_key(match.group(1), body[1:], lambda: msg.reference)
            if env is not None and env.identity:
                facts["answers_message_id"] = env.identity
            return {k: v for k, v in facts.items() if v is not None}
        except Exception:  # noqa: BLE001 - a reply must never fail on what it echoes
            return {}
