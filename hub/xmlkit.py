"""Small helpers adapters use to read and build XML.

Reading helpers raise :class:`~hub.errors.ParseError` with the source line and
element path, so a sender can find a bad value; building helpers skip absent
optional values so renderers stay flat and readable.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from lxml import etree

from .errors import ParseError
from .models.common import NumberError, read_number
from .validation import element_path


def text(el: etree._Element | None, path: str, ns: dict[str, str]) -> str | None:
    """The stripped text at ``path`` below ``el``, or None when absent or empty."""
    if el is None:
        return None
    value = el.findtext(path, namespaces=ns)
    if value is None:
        return None
    value = value.strip()
    return value or None


def texts(el: etree._Element, path: str, ns: dict[str, str]) -> list[str]:
    """Every non-empty stripped text at ``path``."""
    return [t.strip() for t in (c.text for c in el.iterfind(path, namespaces=ns)) if t and t.strip()]


def required(el: etree._Element, path: str, ns: dict[str, str]) -> str:
    """Text that must be there; its absence is a parse error naming where."""
    value = text(el, path, ns)
    if value is None:
        raise ParseError(f"{_local(path)} is missing", code="FIELD_MISSING", line=el.sourceline,
                         path=element_path(el) + "/" + _local(path))
    return value


def number(el: etree._Element, path: str, ns: dict[str, str]) -> Decimal | None:
    """A decimal value, or None when absent."""
    value = text(el, path, ns)
    if value is None:
        return None
    return decimal_of(value, el.find(path, namespaces=ns))


def decimal_of(value: str, node: etree._Element) -> Decimal:
    """The number an element's text holds, within the canonical bounds (see ``read_number``):
    NUMBER_INVALID or NUMBER_OUT_OF_RANGE naming the element's line and path."""
    try:
        return read_number(value)
    except NumberError as exc:
        raise ParseError(str(exc), code=exc.code, line=node.sourceline, path=element_path(node)) from None


def integer(el: etree._Element, path: str, ns: dict[str, str]) -> int | None:
    """A whole number, or None when absent."""
    value = number(el, path, ns)
    if value is None:
        return None
    if value != value.to_integral_value():
        node = el.find(path, namespaces=ns)
        raise ParseError(f"{value} is not a whole number", code="NUMBER_INVALID",
                         line=node.sourceline, path=element_path(node))
    return int(value)


def attr(el: etree._Element, path: str, name: str, ns: dict[str, str]) -> str | None:
    """An attribute of the element at ``path``."""
    node = el.find(path, namespaces=ns) if path else el
    return None if node is None else node.get(name)


_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?(\d{1,3})?)?([+-]\d{2}(?::?\d{2})?|Z)?$")


def parse_when(value: str | None, el: etree._Element | None = None) -> datetime | None:
    """ISO 8601 or compact (YYYYMMDD[HHMM[SS[fff]]][±hh|Z]) date-times; errors name the line."""
    if value is None:
        return None
    try:
        return _parse_when(value.strip())
    except ValueError:
        raise ParseError(f"{value!r} is not a date or date-time", code="RULE_DATE_INVALID",
                         line=None if el is None else el.sourceline,
                         path=None if el is None else element_path(el)) from None


def _parse_when(value: str) -> datetime:
    match = _COMPACT.match(value)
    if not match:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    y, mo, d, h, mi, s, frac, tz = match.groups()
    when = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                    int((frac or "0").ljust(3, "0")) * 1000)
    if tz == "Z":
        return when.replace(tzinfo=UTC)
    if tz:
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        return when.replace(tzinfo=timezone(offset if tz[0] == "+" else -offset))
    return when


def when_at(el: etree._Element, path: str, ns: dict[str, str]) -> datetime | None:
    """The date-time at ``path``, or None when absent."""
    node = el.find(path, namespaces=ns)
    if node is None or not (node.text or "").strip():
        return None
    return parse_when(node.text, node)


def date_at(el: etree._Element, path: str, ns: dict[str, str]) -> date | None:
    """The date at ``path`` (a date-time is cut to its date)."""
    when = when_at(el, path, ns)
    return None if when is None else when.date()


def compact(when: datetime | date, with_time: bool = True) -> str:
    """GACC style: YYYYMMDD or YYYYMMDDhhmmss."""
    return when.strftime("%Y%m%d%H%M%S" if with_time and isinstance(when, datetime) else "%Y%m%d")


def iso(when: datetime | date) -> str:
    """ISO 8601 without microseconds."""
    if isinstance(when, datetime):
        return when.replace(microsecond=0).isoformat()
    return when.isoformat()


def fmt_decimal(value: Decimal) -> str:
    """A decimal as plain text (no exponent), keeping its scale."""
    return format(value, "f")


def add(parent: etree._Element, tag: str, value: object = None, **attrib: str | None) -> etree._Element | None:
    """Append ``<tag>value</tag>``; with a value of None nothing is added and None returned.

    Decimals are written plainly (no exponent); use :func:`container` for an element without text.
    """
    if value is None:
        return None
    el = etree.SubElement(parent, tag, {k: v for k, v in attrib.items() if v is not None})
    el.text = fmt_decimal(value) if isinstance(value, Decimal) else str(value)
    return el


def container(parent: etree._Element, tag: str) -> etree._Element:
    """Append and return an empty element."""
    return etree.SubElement(parent, tag)


def _local(path: str) -> str:
    return path.split("/")[-1].split(":")[-1]
