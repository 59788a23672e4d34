"""Hardened XML parsing and XSD validation with line + path errors.

Design note: every byte that enters the hub goes through :func:`parse_xml`
(XML) or an adapter's own text reader. The XML parser never resolves entities,
never loads a DTD and never touches the network; any DOCTYPE is refused, which
stops XXE and billion-laughs documents before anything is expanded. libxml2's
own depth limit (256) stays in force because ``huge_tree`` is off. Schemas are
compiled once per process and cached by :class:`SchemaSet`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .errors import ConfigError, EmptyInput, ForbiddenXml, InputTooLarge, MalformedXml, Problem

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
VALUE_FACETS = frozenset(f"SCHEMAV_CVC_{facet}_VALID" for facet in (
    "LENGTH", "MINLENGTH", "MAXLENGTH", "PATTERN", "ENUMERATION", "TOTALDIGITS", "FRACTIONDIGITS",
    "MININCLUSIVE", "MAXINCLUSIVE", "MINEXCLUSIVE", "MAXEXCLUSIVE"))
"""libxml2's names for a value that breaks a facet of its simple type."""


@dataclass(frozen=True)
class XmlLimits:
    """Input limits; the depth limit is libxml2's (256) unless lowered here."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = 256


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=False)


_PARSER = _parser()


def check_size(data: bytes, limits: XmlLimits) -> None:
    """Refuse empty and oversized inputs before any parsing."""
    if not data or not data.strip():
        raise EmptyInput("the message is empty")
    if len(data) > limits.max_bytes:
        raise InputTooLarge(f"the message has {len(data)} bytes; the limit is {limits.max_bytes}")


def parse_xml(data: bytes, limits: XmlLimits = XmlLimits()) -> etree._ElementTree:
    """Parse untrusted XML bytes safely; the declared encoding and any BOM are honoured."""
    check_size(data, limits)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from exc
    except ValueError as exc:  # e.g. an encoding declaration lxml refuses
        raise MalformedXml(f"cannot decode the document: {exc}", code="XML_ENCODING") from exc
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise ForbiddenXml("a DOCTYPE is not allowed (entities and DTDs are refused)", line=1)
    if limits.max_depth < 256:
        _check_depth(root, limits.max_depth)
    return tree


def _syntax_error(exc: etree.XMLSyntaxError) -> MalformedXml:
    message = str(exc.msg or exc).split(", line ")[0]
    code = "XML_TOO_DEEP" if "depth" in message.lower() else "XML_MALFORMED"
    if "encoding" in message.lower() or "Document labelled" in message:
        code = "XML_ENCODING"
    return MalformedXml(message, code=code, line=exc.lineno)


def _check_depth(root: etree._Element, max_depth: int) -> None:
    for el in root.iter():
        depth = sum(1 for _ in el.iterancestors())
        if depth >= max_depth:
            raise MalformedXml(f"nesting deeper than {max_depth} levels", code="XML_TOO_DEEP",
                               line=el.sourceline)


def element_path(el: etree._Element) -> str:
    """An XPath-like location with local names and 1-based positions among siblings."""
    parts = []
    while el is not None:
        name = etree.QName(el).localname
        parent = el.getparent()
        if parent is None:
            parts.append(name)
        else:
            same = [s for s in parent if isinstance(s.tag, str) and s.tag == el.tag]
            parts.append(f"{name}[{same.index(el) + 1}]" if len(same) > 1 else name)
        el = parent
    return "/" + "/".join(reversed(parts))


class SchemaSet:
    """Compiled XSDs by name, with an optional override directory (licensed IATA schemas)."""

    def __init__(self, base_dir: Path, overrides: dict[str, Path] | None = None) -> None:
        self.base_dir = Path(base_dir)
        self.overrides = overrides or {}
        self._cache: dict[str, etree.XMLSchema] = {}

    def path_of(self, name: str) -> Path:
        """Where the XSD called ``name`` (e.g. ``cargo_xml/waybill.xsd``) lives."""
        for prefix, directory in self.overrides.items():
            if name.startswith(prefix + "/"):
                candidate = Path(directory) / name[len(prefix) + 1:]
                if candidate.exists():
                    return candidate
        return self.base_dir / name

    def get(self, name: str) -> etree.XMLSchema:
        """Compile (once) and return the schema; a missing or broken XSD is a config error."""
        schema = self._cache.get(name)
        if schema is None:
            schema = self._cache[name] = self._compile(self.path_of(name))
        return schema

    @staticmethod
    def _compile(path: Path) -> etree.XMLSchema:
        if not path.exists():
            raise ConfigError(f"schema {path} does not exist", code="SCHEMA_MISSING")
        try:
            doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
            return etree.XMLSchema(doc)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise ConfigError(f"schema {path} does not compile: {exc}", code="SCHEMA_BROKEN") from exc

    def validate(self, tree: etree._ElementTree | etree._Element, name: str) -> list[Problem]:
        """Validate against the named XSD; every violation becomes a Problem with line and path."""
        return self.check(tree, name)[0]

    def check(self, tree: etree._ElementTree | etree._Element, name: str) -> tuple[list[Problem], bool]:
        """Validate as :meth:`validate` does; also say whether every violation is a value facet.

        A value facet (a length, pattern, enumeration, digits or range restriction) fails when an
        element's text does not fit its type; the element itself is where it belongs."""
        schema = self.get(name)
        if schema.validate(tree):
            return [], False
        entries = list(schema.error_log)
        problems = [Problem(code="SCHEMA_INVALID", message=_clean(entry.message), line=entry.line,
                            path=_readable_path(tree, entry.path)) for entry in entries]
        return problems, all(entry.type_name in VALUE_FACETS for entry in entries)


_NAMESPACE = re.compile(r"\{(?![0-9]+(?:,[0-9]*)?\})[^{}]*\}(?=[A-Za-z_])")
"""A ``{namespace}`` before an element name; a pattern's quantifier (``{4}``, ``{1,3}``, ``{2,}``) is not one."""
_LONG_VALUE = re.compile(r"(?<!pattern )'([^']{40})[^']{20,}'")
"""A quoted text of 60 characters or more: a sender's value, shortened; never the schema's pattern."""


def _clean(message: str) -> str:
    # libxml2 writes elements as {namespace}name; the local name is what a sender looks for. The
    # facet a message quotes (a pattern with its {n,m} quantifiers) is kept as the schema says it.
    # A value quoted at length (a hostile 5,000-character one) is shortened.
    return _LONG_VALUE.sub(r"'\1...'", _NAMESPACE.sub("", message))


def _readable_path(tree: etree._ElementTree | etree._Element, path: str | None) -> str | None:
    """libxml2 writes namespaced steps as ``*[n]``; resolve the path and name the element instead."""
    if not path:
        return path
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    try:
        found = root.xpath(path, namespaces={k: v for k, v in root.nsmap.items() if k})
    except etree.XPathError:
        found = None
    if found and isinstance(found[0], etree._Element):
        return element_path(found[0])
    return re.sub(r"[a-zA-Z0-9_]+:", "", path)
