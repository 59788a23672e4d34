"""Steps 1-6 of the flow: detect, parse, validate, (route), render and validate outputs.

Pure: no broker, no store, no clock except what the caller passes in a
RenderContext. ``hub validate`` and ``hub convert`` use it offline; the runtime
worker calls it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from pydantic import ValidationError

from . import rules
from .adapters import Adapter, Enveloped, Output, Probe, Registry, RenderContext
from .errors import (ConversionError, DocumentError, EngineError, InvalidDocument,
                     Problem)
from .models import Document, Kind
from .validation import SchemaSet, XmlLimits, check_size, parse_xml


@dataclass
class Inbound:
    """A message read by the engine: its format, canonical document and any problems."""

    adapter: Adapter
    document: Document | None
    problems: list[Problem] = field(default_factory=list)
    tree: etree._ElementTree | None = None
    envelope: Adapter | None = None
    """The envelope the message came in (DXP, Type-B), when it had one."""

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

    def __init__(self, registry: Registry, schemas: SchemaSet, limits: XmlLimits = XmlLimits()) -> None:
        self.registry = registry
        self.schemas = schemas
        self.limits = limits

    def probe(self, data: bytes) -> Probe:
        """Parse XML safely once (or just size-check text) so detection and parsing share it."""
        check_size(data, self.limits)
        tree = parse_xml(data, self.limits) if looks_like_xml(data) else None
        return Probe(data=data, tree=tree)

    def detect(self, data: bytes) -> Adapter:
        return self.registry.detect(self.probe(data))

    def inspect(self, data: bytes, _nested: bool = False) -> Inbound:
        """Read a message and collect every problem instead of stopping at the first.

        Raises DocumentError only when nothing can be read at all (empty, malformed,
        forbidden or unknown input); schema and rule problems land in ``problems``.
        A message in an envelope is checked as an envelope, then its payload is read.
        """
        probe = self.probe(data)
        adapter = self.registry.detect(probe)
        if not adapter.reads and not (adapter.is_envelope and not _nested):
            raise ConversionError(f"format {adapter.name} is write-only", code="FORMAT_NOT_READABLE")
        if adapter.schema and probe.tree is not None:
            problems = self.schemas.validate(probe.tree, adapter.schema)
            if problems:
                return Inbound(adapter, None, problems, probe.tree)
        if adapter.is_envelope and not _nested:
            try:
                payload = adapter.unwrap(probe)
            except DocumentError as exc:
                return Inbound(adapter, None, exc.problems, probe.tree)
            inner = self.inspect(payload, _nested=True)
            inner.envelope = adapter
            return inner
        try:
            document = adapter.parse(probe)
        except DocumentError as exc:
            return Inbound(adapter, None, exc.problems, probe.tree)
        except ValidationError as exc:
            problems = [self._locate(p, adapter, probe) for p in _model_problems(exc)]
            return Inbound(adapter, None, problems, probe.tree)
        problems = [self._locate(p, adapter, probe) for p in rules.check(document)]
        return Inbound(adapter, document, problems, probe.tree)

    def read(self, data: bytes) -> Inbound:
        """Read a message that must be valid; raise InvalidDocument with every problem if not."""
        inbound = self.inspect(data)
        if inbound.problems:
            raise InvalidDocument(inbound.problems)
        return inbound

    def render(self, document: Document, format_name: str, ctx: RenderContext) -> Output:
        """Render into ``format_name`` and validate the result; an invalid output is an engine bug."""
        adapter = self.registry.get(format_name)
        if not adapter.accepts(document):
            raise ConversionError(f"format {format_name} cannot carry a {document.kind.value}")
        if isinstance(adapter, Enveloped):
            output = adapter.envelope.seal(self.render(document, adapter.inner.name, ctx), adapter.inner, ctx)
        else:
            output = adapter.render(document, ctx)
        if adapter.schema and output.tree is not None:
            problems = self.schemas.validate(output.tree, adapter.schema)
            if problems:
                raise EngineError(f"rendered {format_name} fails its schema: {problems[0].message}",
                                  problems=problems)
        return output

    def convert(self, data: bytes, format_name: str, ctx: RenderContext) -> Output:
        """Read, validate and render into another format."""
        return self.render(self.read(data).document, format_name, ctx)

    @staticmethod
    def _locate(problem: Problem, adapter: Adapter, probe: Probe) -> Problem:
        if problem.line is not None or problem.path is None:
            return problem
        if probe.tree is not None:
            line = adapter.locate(probe.tree, problem.path)
        else:
            line = adapter.locate_text(probe.data, problem.path)
        return Problem(problem.code, problem.message, line or 1, problem.path)


def _model_problems(exc: ValidationError) -> list[Problem]:
    """pydantic errors as problems with JSON-pointer paths (the union's kind tag left out)."""
    kinds = {k.value for k in Kind}
    return [Problem("MODEL_INVALID", err["msg"],
                    path="/" + "/".join(str(p) for p in err["loc"] if p not in kinds))
            for err in exc.errors()]


__all__ = ["Engine", "Inbound", "looks_like_xml"]
