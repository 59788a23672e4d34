"""Field tables: one row per CEB element, in the customs' element order, read and written by
the same two functions.

A row names the element, the dotted canonical path it maps to (``buyer.id_number``), how the
value is converted, and whether the customs require it (then a canonical document without it
cannot be written: FIELD_REQUIRED at its JSON pointer). The same rows give each adapter its
``locations`` (canonical pointer -> XPath), so rule errors point at the source line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from adapters.gacc import clock, codes
from hub import xmlkit
from hub.errors import ConversionError, ParseError
from hub.models import Direction, Measure
from hub.validation import element_path

from .common import COUNTRY_IN, COUNTRY_OUT, CURRENCY_IN, CURRENCY_OUT, NS, q

_KG = {"KGM": Decimal(1), "GRM": Decimal("0.001"), "TNE": Decimal(1000)}


class Text:
    """A string, written as it is."""

    def read(self, el: etree._Element, value: str):
        return value

    def write(self, value, pointer: str) -> str:
        return str(value)


class Number(Text):
    """A decimal; more than five decimal places cannot be written."""

    def read(self, el, value):
        return xmlkit.decimal_of(value, el)

    def write(self, value: Decimal, pointer: str) -> str:
        if isinstance(value, Decimal) and value.as_tuple().exponent < -5:
            raise ConversionError(f"{pointer}: {value} has more than 5 decimal places", code="NUMBER_PRECISION",
                                  path=pointer)
        return xmlkit.fmt_decimal(Decimal(value))


class Whole(Number):
    def read(self, el, value):
        number = super().read(el, value)
        if number != number.to_integral_value():
            raise ParseError(f"{value} is not a whole number", code="NUMBER_INVALID", line=el.sourceline,
                             path=element_path(el))
        return int(number)

    def write(self, value: int, pointer: str) -> str:
        return str(value)


class Kilograms(Number):
    """A weight in kilograms <-> a Measure (grams and tonnes are converted when written)."""

    def read(self, el, value):
        return {"value": super().read(el, value), "unit": "KGM"}

    def write(self, value: Measure, pointer: str) -> str:
        factor = _KG.get(value.unit)
        if factor is None:
            raise ConversionError(f"{pointer}: a weight in {value.unit} cannot be written in kilograms",
                                  code="CODE_UNMAPPED", path=pointer)
        return super().write((value.value * factor).normalize() if factor != 1 else value.value, pointer)


class Code(Text):
    """A GACC 3-digit code <-> an ISO code, through adapters/gacc/codes.py's tables."""

    def __init__(self, kind: str, table_in: dict[str, str], table_out: dict[str, str]) -> None:
        self.kind, self.table_in, self.table_out = kind, table_in, table_out

    def read(self, el, value):
        return codes.read(self.table_in, self.kind, el, value)

    def write(self, value, pointer):
        return codes.write(self.table_out, self.kind, pointer, value)


class Day(Text):
    """YYYYMMDD in Beijing time <-> a date."""

    def read(self, el, value):
        return _beijing(el, value).date()

    def write(self, value: date, pointer):
        return clock.stamp(value)


class Moment(Text):
    """YYYYMMDDhhmmss in Beijing time <-> an aware datetime."""

    def read(self, el, value):
        return _beijing(el, value)

    def write(self, value: datetime, pointer):
        return clock.stamp(value, 14)


class Flag(Text):
    """ieFlag I/E <-> Direction."""

    def read(self, el, value):
        return codes.read({"I": Direction.IMPORT, "E": Direction.EXPORT}, "ieFlag", el, value)

    def write(self, value: Direction, pointer):
        return "I" if value is Direction.IMPORT else "E"


def _beijing(el: etree._Element, value: str) -> datetime:
    when = xmlkit.parse_when(value, el)
    return when.replace(tzinfo=clock.CST) if when.tzinfo is None else when


TEXT, NUMBER, WHOLE, KILOGRAMS, DAY, MOMENT, FLAG = Text(), Number(), Whole(), Kilograms(), Day(), Moment(), Flag()
CURRENCY = Code("currency", CURRENCY_IN, CURRENCY_OUT)
COUNTRY = Code("country", COUNTRY_IN, COUNTRY_OUT)


@dataclass(frozen=True)
class Field:
    tag: str
    path: str
    kind: Text = TEXT
    required: bool = False

    @property
    def pointer(self) -> str:
        return self.path.replace(".", "/")


def F(tag: str, path: str, kind: Text = TEXT) -> Field:
    """A field the customs require."""
    return Field(tag, path, kind, True)


def O(tag: str, path: str, kind: Text = TEXT) -> Field:  # noqa: E743 - reads like the table it builds
    """An optional field."""
    return Field(tag, path, kind, False)


def read(el: etree._Element, fields: tuple[Field, ...]) -> dict:
    """The canonical data of a record, nested along the dotted paths; empty elements are absent."""
    data: dict = {}
    for f in fields:
        child = el.find(f"ceb:{f.tag}", NS)
        value = xmlkit.text(el, f"ceb:{f.tag}", NS)
        if child is None or value is None:
            continue
        *parents, leaf = f.path.split(".")
        target = data
        for name in parents:
            target = target.setdefault(name, {})
        target[leaf] = f.kind.read(child, value)
    return data


def write(parent: etree._Element, obj, fields: tuple[Field, ...], base: str) -> None:
    """Append the record's elements in table order; ``base`` is the record's JSON pointer."""
    for f in fields:
        value = obj
        for name in f.path.split("."):
            value = None if value is None else getattr(value, name)
        pointer = f"{base}/{f.pointer}"
        if value is None:
            if f.required:
                raise ConversionError(f"{pointer}: CEB requires {f.tag}, the canonical document has none",
                                      code="FIELD_REQUIRED", path=pointer)
            continue
        etree.SubElement(parent, q(f.tag)).text = f.kind.write(value, pointer)


def locations(fields: tuple[Field, ...], prefix: str, xpath: str) -> dict[str, str]:
    """Canonical pointer pattern -> XPath for every row (``prefix`` like ``/records/*``)."""
    return {f"{prefix}/{f.pointer}": f"{xpath}/ceb:{f.tag}" for f in fields}
