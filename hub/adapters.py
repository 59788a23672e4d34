"""The adapter contract and the registry.

An adapter knows one message format. It can *detect* the format from a cheap
probe (root element and namespace for XML, the first bytes for text), *parse*
it into a canonical document, *render* a canonical document into it, and, for
receipt formats, parse into :class:`~hub.models.Receipt`. The engine never
imports a concrete adapter: the CLI's composition root registers them.
"""

from __future__ import annotations

import itertools
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from lxml import etree

from .errors import ConfigError, ConversionError, Problem, UnknownFormat
from .models import Document, Kind

if TYPE_CHECKING:
    from .signatures import SigningKey


@dataclass(frozen=True)
class Probe:
    """What detection looks at: the raw bytes and, for XML, the parsed tree."""

    data: bytes
    tree: etree._ElementTree | None = None
    warnings: list[Problem] = field(default_factory=list, compare=False)
    """What the reading relaxed on request (HUB_EDIFACT_LENIENT, say): problems the message has but
    that did not refuse it. Adapters append here; the engine hands them on in ``Reading.warnings``."""

    @property
    def root(self) -> etree.QName | None:
        """Namespace and local name of the root element (XML only)."""
        return etree.QName(self.tree.getroot()) if self.tree is not None else None

    @property
    def head(self) -> bytes:
        """The first bytes, BOM and leading white space removed (text formats sniff these)."""
        return self.data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")


_RECEIVED_AT: ContextVar[datetime | None] = ContextVar("hub_received_at", default=None)


def reception_time() -> datetime | None:
    """When the message being read was received, while ``Engine.read`` (or ``inspect``) is given it.

    Formats whose dates carry no year (Cargo-IMP FSU and FFM: ``26NOV``) resolve them around the
    reception time; a stored message read again later (a hold released, a replay) must resolve them
    around the time it was first received, not around the time it is read again."""
    return _RECEIVED_AT.get()


@contextmanager
def received_at(at: datetime | None) -> Iterator[None]:
    """Read messages as received at ``at`` (None: now) within this block."""
    token = _RECEIVED_AT.set(at)
    try:
        yield
    finally:
        _RECEIVED_AT.reset(token)


@dataclass(frozen=True)
class RenderContext:
    """Facts an output needs that the canonical model does not carry."""

    message_id: str
    sender_id: str = "EPORTHUB"
    receiver_id: str = "RECEIVER"
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    signer: SigningKey | None = None
    """The key a writer signs with where the receiver's format carries a signature (CEB: the
    runtime sets it from HUB_SIGNING_KEY / HUB_SIGNING_CERT); None: unsigned, as before."""
    origin: tuple[str, str] | None = None
    """(hub message id, authenticated sender) of the message this output comes from, which canonical
    JSON carries (another e-port hub shows it; it never authorises anything there); None: not told."""


@dataclass(frozen=True)
class Output:
    """A rendered message: its bytes and, for XML, the tree that was validated."""

    data: bytes
    media_type: str
    tree: etree._ElementTree | None = None
    references: tuple[str, ...] = ()
    """Further ids a receipt to this output may quote (a shortened reference where the format's
    field is too short for the hub's message id); the runtime correlates receipts by them too."""
    warnings: tuple[Problem, ...] = ()
    """What the writer had to change that the standard allows (free text cut at the last line the
    format has, say); the runtime records them with the delivery's acceptance."""


class Adapter(ABC):
    """One message format. Subclasses set the class attributes and implement parse/render."""

    # Set by each format's class; a compound format (``Enveloped``) sets them per instance, from its parts.
    name: str
    family: str
    description: str
    media_type: str = "application/xml"
    reads: ClassVar[frozenset[Kind]] = frozenset()
    writes: frozenset[Kind] = frozenset()
    schema: str | None = None
    locations: ClassVar[dict[str, str]] = {}
    """Canonical JSON-pointer patterns (``*`` for list indexes) -> XPath in this format,
    used to put a source line on business-rule errors."""
    namespaces: ClassVar[dict[str, str]] = {}
    text_locations: ClassVar[dict[str, str]] = {}
    """For text formats: canonical JSON-pointer patterns -> a regular expression a line starts with
    (after blanks); with a list index in the pointer, the line of that index's match."""
    negative_receipt: ClassVar[str | None] = None
    """The receipt format a sender of this format gets when the hub rejects its message
    (XFNM for Cargo-XML, CONTRL for EDIFACT, FNA for Cargo-IMP); None: the JSON status event only."""

    @property
    def is_receipt(self) -> bool:
        return Kind.RECEIPT in self.reads or Kind.RECEIPT in self.writes

    @abstractmethod
    def detect(self, probe: Probe) -> bool:
        """Cheap recognition: no full parse, no validation."""

    def parse(self, probe: Probe) -> Document:
        """Map the message into its canonical document."""
        raise ConversionError(f"format {self.name} cannot be read")

    def parse_all(self, probe: Probe) -> list[Document]:
        """Every document the message carries, in order: one for most formats; a format whose
        messages may carry several (an FHL listing several houses, an EDIFACT interchange of
        several messages) overrides this. Each document is routed and delivered on its own."""
        return [self.parse(probe)]

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        """Render a canonical document into this format."""
        raise ConversionError(f"format {self.name} cannot be written")

    def reply_facts(self, data: bytes) -> dict[str, Any]:
        """What a reply to this message must echo, read leniently from the raw bytes even when the
        message failed: Receipt fields such as ``answers_interchange`` (EDIFACT UNB 0020),
        ``answers_message_id``, ``answers_type``, ``business_key`` or ``text``. Never raises."""
        return {}

    def unwrap(self, probe: Probe) -> bytes | None:
        """For an envelope format (DXP, Type-B): the payload it carries, which the engine then reads
        like any message; None for a format that is not an envelope."""
        return None

    def seal(self, inner: Output, inner_adapter: Adapter, ctx: RenderContext) -> Output:
        """For an envelope format: wrap an already rendered and validated payload."""
        raise ConversionError(f"format {self.name} is not an envelope")

    @property
    def is_envelope(self) -> bool:
        return type(self).seal is not Adapter.seal

    def accepts(self, doc: Document) -> bool:
        """Whether this adapter can render this document."""
        return doc.kind in self.writes

    def locate(self, tree: etree._ElementTree | None, pointer: str) -> int | None:
        """Source line of a canonical field, from ``locations``; None when unknown."""
        if tree is None or not self.locations:
            return None
        parts = pointer.strip("/").split("/")
        while parts:
            pattern = "/" + "/".join("*" if p.isdigit() else p for p in parts)
            xpath = self.locations.get(pattern)
            if xpath:
                indexes = [int(p) + 1 for p in parts if p.isdigit()]
                found = tree.getroot().xpath(xpath.format(*indexes), namespaces=self.namespaces)
                if found and hasattr(found[0], "sourceline"):
                    line: int | None = found[0].sourceline
                    return line
            parts.pop()
        return None


    def locate_text(self, data: bytes, pointer: str) -> int | None:
        """Source line of a canonical field in a text message, from ``text_locations``."""
        if not self.text_locations:
            return None
        found = self.text_index([line.lstrip() for line in data.decode("latin-1").splitlines()], pointer)
        return None if found is None else found + 1

    def text_index(self, texts: Sequence[str], pointer: str) -> int | None:
        """Index of the text (a line, an EDIFACT segment) a canonical field comes from, from
        ``text_locations``: the n-th match of the pattern for the pointer's first index, the
        pointer shortened until one matches; None when none does."""
        parts = pointer.strip("/").split("/")
        while parts:
            pattern = "/" + "/".join("*" if p.isdigit() else p for p in parts)
            regex = self.text_locations.get(pattern)
            if regex:
                wanted = next((int(p) for p in parts if p.isdigit()), 0)
                hits = (n for n, text in enumerate(texts) if re.match(regex, text))
                found = next(itertools.islice(hits, wanted, None), None)
                if found is not None:
                    return found
            parts.pop()
        return None


class XmlAdapter(Adapter):
    """An XML format recognised by its root element's namespace and local name."""

    root_names: ClassVar[tuple[tuple[str | None, str], ...]]

    def detect(self, probe: Probe) -> bool:
        root = probe.root
        return root is not None and (root.namespace, root.localname) in self.root_names

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        if not self.accepts(doc):
            raise ConversionError(f"format {self.name} cannot carry a {doc.kind.value}")
        root = self.build(doc, ctx)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return Output(data=data, media_type=self.media_type, tree=root.getroottree())

    def build(self, doc: Document, ctx: RenderContext) -> etree._Element:
        """Build the output tree (XML writers override this)."""
        raise ConversionError(f"format {self.name} cannot be written")


class Enveloped(Adapter):
    """A compound format ``inner+envelope`` (``ceb621+dxp``): the inner format, sealed.

    The engine renders and validates the inner format, then seals it and validates the envelope."""

    reads: ClassVar[frozenset[Kind]] = frozenset()

    def __init__(self, inner: Adapter, envelope: Adapter) -> None:
        self.inner, self.envelope = inner, envelope
        self.name = f"{inner.name}+{envelope.name}"
        self.family, self.media_type = inner.family, envelope.media_type
        self.description = f"{inner.description}, in a {envelope.name} envelope"
        self.writes, self.schema = inner.writes, envelope.schema

    def detect(self, probe: Probe) -> bool:
        return False

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        return self.envelope.seal(self.inner.render(doc, ctx), self.inner, ctx)


class Registry:
    """The formats this hub speaks, in registration order (detection tries them in turn)."""

    def __init__(self, adapters: list[Adapter] | None = None) -> None:
        self._by_name: dict[str, Adapter] = {}
        for adapter in adapters or []:
            self.register(adapter)

    def register(self, adapter: Adapter) -> None:
        if adapter.name in self._by_name:
            raise ConfigError(f"two adapters are called {adapter.name}")
        self._by_name[adapter.name] = adapter

    def __iter__(self) -> Iterator[Adapter]:
        return iter(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)

    def knows(self, name: str) -> bool:
        """A registered format, or ``inner+envelope`` of two registered ones."""
        try:
            self.get(name)
        except ConversionError:
            return False
        return True

    def get(self, name: str) -> Adapter:
        try:
            return self._by_name[name]
        except KeyError:
            if "+" in name:
                inner, _, envelope = name.partition("+")
                if inner in self._by_name and envelope in self._by_name and self._by_name[envelope].is_envelope:
                    return Enveloped(self._by_name[inner], self._by_name[envelope])
            known = ", ".join(self._by_name)
            raise ConversionError(f"unknown format {name!r}; known formats: {known}",
                                  code="FORMAT_NOT_REGISTERED") from None

    def detect(self, probe: Probe) -> Adapter:
        for adapter in self._by_name.values():
            if adapter.detect(probe):
                return adapter
        raise UnknownFormat(_describe(probe), line=1)


def _describe(probe: Probe) -> str:
    root = probe.root
    if root is not None:
        ns = f" in namespace {root.namespace}" if root.namespace else " without a namespace"
        return f"no adapter reads a <{root.localname}> root element{ns}"
    return "the message is neither XML nor a text format the hub knows"
