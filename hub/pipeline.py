"""Steps 1-6 of the flow: detect, parse, validate, (route), render and validate outputs.

Pure: no broker, no store, no clock except what the caller passes in a
RenderContext. ``hub validate`` and ``hub convert`` use it offline; the runtime
worker calls it unchanged.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from pydantic import ValidationError

from . import rules
from .adapters import Adapter, Enveloped, Output, Probe, Registry, RenderContext, received_at
from .errors import ConversionError, DocumentError, EmptyInput, EngineError, InvalidDocument, OutputTooLarge, Problem
from .models import Document, Kind
from .models.common import NUMBER_OUT_OF_RANGE
from .validation import SchemaSet, XmlLimits, check_size, parse_xml

DEFAULT_MAX_OUTPUT_BYTES = 16_000_000
"""The output limit when none is given (HUB_MAX_OUTPUT_BYTES's default)."""


@dataclass
class Reading:
    """A message read by the engine: its format, canonical document and any problems."""

    adapter: Adapter
    document: Document | None
    problems: list[Problem] = field(default_factory=list)
    tree: etree._ElementTree | None = None
    envelope: Adapter | None = None
    """The envelope the message came in (DXP, Type-B), when it had one."""
    documents: list[Document] = field(default_factory=list)
    """Every document the message carries (``document`` is the first); one for most messages."""
    warnings: list[Problem] = field(default_factory=list)
    """Problems the reading relaxed on request (HUB_EDIFACT_LENIENT): kept, shown and recorded, not refusing."""

    def __post_init__(self) -> None:
        if not self.documents and self.document is not None:
            self.documents = [self.document]

    @property
    def valid(self) -> bool:
        return self.document is not None and not self.problems


def looks_like_xml(data: bytes) -> bool:
    """True when the first significant byte is '<' (after a UTF-8 BOM or a UTF-16 BOM)."""
    head = data[:64]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


class Engine:
    """The offline message engine: everything between bytes in and bytes out."""

    def __init__(self, registry: Registry, schemas: SchemaSet, limits: XmlLimits = XmlLimits(),  # noqa: B008 - frozen, shared
                 max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES) -> None:
        self.registry = registry
        self.schemas = schemas
        self.limits = limits
        self.max_output_bytes = max_output_bytes

    def probe(self, data: bytes) -> Probe:
        """Parse XML safely once (or just size-check text) so detection and parsing share it."""
        check_size(data, self.limits)
        tree = parse_xml(data, self.limits) if looks_like_xml(data) else None
        return Probe(data=data, tree=tree)

    def detect(self, data: bytes) -> Adapter:
        return self.registry.detect(self.probe(data))

    def inspect(self, data: bytes, _nested: bool = False, received: datetime | None = None) -> Reading:
        """Read a message and collect every problem instead of stopping at the first.

        Raises DocumentError only when nothing can be read at all (empty, malformed,
        forbidden or unknown input), ConversionError for a write-only format; schema and
        rule problems land in ``problems``. A message in an envelope is checked as an
        envelope, then its payload is read. Problem texts are always encodable as UTF-8.
        ``received``: when the message was received (default now); dates without a year
        resolve around it (``hub.adapters.received_at``).
        """
        try:
            with received_at(received) if received is not None else nullcontext():
                inbound = self._inspect(data, _nested)
        except DocumentError as exc:
            if not all(map(_encodable, exc.problems)):
                raise InvalidDocument([_printable(p) for p in exc.problems]) from exc
            raise
        if not all(map(_encodable, inbound.problems)):
            inbound.problems = [_printable(p) for p in inbound.problems]
        return inbound

    def _inspect(self, data: bytes, _nested: bool = False) -> Reading:
        probe = self.probe(data)
        adapter = self.registry.detect(probe)
        if not adapter.reads and not (adapter.is_envelope and not _nested):
            raise ConversionError(f"format {adapter.name} is write-only", code="FORMAT_NOT_READABLE")
        if adapter.schema and probe.tree is not None:
            problems = self.schemas.validate(probe.tree, adapter.schema)
            if problems:
                return Reading(adapter, None, problems, probe.tree)
        if adapter.is_envelope and not _nested:
            try:
                payload = adapter.unwrap(probe)
            except DocumentError as exc:
                return Reading(adapter, None, exc.problems, probe.tree)
            if payload is None:  # an envelope that carries nothing reads as an empty message
                raise EmptyInput("the message is empty")
            inner = self._inspect(payload, _nested=True)
            inner.envelope = adapter
            inner.warnings[:0] = probe.warnings
            return inner
        try:
            documents = adapter.parse_all(probe)
        except DocumentError as exc:
            return Reading(adapter, None, exc.problems, probe.tree)
        except ValidationError as exc:
            problems = [self._locate(p, adapter, probe) for p in model_problems(exc)]
            return Reading(adapter, None, problems, probe.tree)
        problems = [self._locate(p, adapter, probe) for document in documents for p in rules.check(document)]
        return Reading(adapter, documents[0], problems, probe.tree, documents=documents, warnings=probe.warnings)

    def read(self, data: bytes, received: datetime | None = None) -> Reading:
        """Read a message that must be valid; raise InvalidDocument with every problem if not."""
        inbound = self.inspect(data, received=received)
        if inbound.problems:
            raise InvalidDocument(inbound.problems)
        return inbound

    def render(self, document: Document, format_name: str, ctx: RenderContext) -> Output:
        """Render into ``format_name`` and validate the result; an invalid output is an engine bug.

        Except when every schema violation is a value facet (a length, pattern, enumeration or
        digits restriction of one element's text): the canonical model has no such limits, so a
        value the sender gave that the target format cannot carry (a 36-character reference in
        a 35-character field) is a ConversionError, CONVERT_FIELD_INVALID, naming the output
        element. A structural violation (an element missing or misplaced) stays an EngineError.

        An output (an enveloped one after sealing) larger than ``max_output_bytes`` is refused
        with OutputTooLarge: the broker would refuse it, and nobody downstream expects it."""
        adapter = self.registry.get(format_name)
        if not adapter.accepts(document):
            raise ConversionError(f"format {format_name} cannot carry a {document.kind.value}")
        if isinstance(adapter, Enveloped):
            output = adapter.envelope.seal(self.render(document, adapter.inner.name, ctx), adapter.inner, ctx)
        else:
            output = adapter.render(document, ctx)
        if len(output.data) > self.max_output_bytes:
            raise OutputTooLarge(f"the {format_name} output has {len(output.data)} bytes; the limit is "
                                 f"{self.max_output_bytes} (HUB_MAX_OUTPUT_BYTES)")
        if adapter.schema and output.tree is not None:
            problems, values_only = self.schemas.check(output.tree, adapter.schema)
            if problems and values_only:
                raise ConversionError(f"a value of the document does not fit {format_name}: {problems[0].message}",
                                      code="CONVERT_FIELD_INVALID", line=problems[0].line, path=problems[0].path)
            if problems:
                raise EngineError(f"rendered {format_name} fails its schema: {problems[0].message}",
                                  problems=problems)
        return output

    def convert(self, data: bytes, format_name: str, ctx: RenderContext) -> Output:
        """Read, validate and render into another format."""
        document = self.read(data).document
        assert document is not None, "read raises unless the message gave a document"
        return self.render(document, format_name, ctx)

    @staticmethod
    def _locate(problem: Problem, adapter: Adapter, probe: Probe) -> Problem:
        if problem.line is not None or problem.path is None:
            return problem
        if probe.tree is not None:
            line = adapter.locate(probe.tree, problem.path)
        else:
            line = adapter.locate_text(probe.data, problem.path)
        return Problem(problem.code, problem.message, line or 1, problem.path)


_MODEL_CODES = {"number_out_of_range": NUMBER_OUT_OF_RANGE, "finite_number": NUMBER_OUT_OF_RANGE,
                "int_parsing_size": NUMBER_OUT_OF_RANGE}
"""pydantic error types that have a code of their own; the rest are MODEL_INVALID."""


def model_problems(exc: ValidationError) -> list[Problem]:
    """pydantic errors as problems with JSON-pointer paths (the union's kind tag left out)."""
    kinds = {k.value for k in Kind}
    return [Problem(_MODEL_CODES.get(err["type"], "MODEL_INVALID"), err["msg"],
                    path="/" + "/".join(str(p) for p in err["loc"] if p not in kinds))
            for err in exc.errors()]


def _encodable(problem: Problem) -> bool:
    try:
        f"{problem.message}{problem.path or ''}".encode()
    except UnicodeEncodeError:
        return False
    return True


def _printable(problem: Problem) -> Problem:
    """A problem whose message and path hold undecodable input (lone surrogates) shown as escapes."""
    def clean(text: str) -> str:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return Problem(problem.code, clean(problem.message), problem.line,
                   None if problem.path is None else clean(problem.path))


__all__ = ["Engine", "Reading", "looks_like_xml"]
