"""The WCO Data Model DMS profile: namespaces, the MetaData envelope, date-times and field limits.

Design note: the DMS profile limits most texts (names 70 characters,
descriptions 512), allows one line of text only, writes numbers with at
most 16 digits, and writes date-times as ``YYYYMMDDhhmmss`` followed by ``Z`` or
a whole-hour offset. Renderers write every canonical value through :func:`put`
or :func:`put_number`: text is folded onto one line (runs of white space become
one blank), and a value that still does not fit is refused as a
``ConversionError`` naming the canonical field, instead of an output that fails
the schema (which the engine would report as a hub bug).

One limit is the generic WCO Data Model's, not the UK profile's: a party ID
(Declarant, Exporter, Importer) may have up to 35 characters (:data:`PARTY_ID_LENGTH`)
where UK DMS allows a 17-character EORI, because a Chinese party's unified social
credit code has 18. The hub no longer refuses an ID of 18 to 35 characters, so an
output meant for UK CDS itself is valid there only when its party IDs are EORIs.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from lxml import etree

from hub import xmlkit
from hub.errors import ConversionError

MD = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
DEC = "urn:wco:datamodel:WCO:DEC-DMS:2"
DEC_DS = "urn:wco:datamodel:WCO:Declaration_DS:DMS:2"
RES = "urn:wco:datamodel:WCO:RES-DMS:2"
RES_DS = "urn:wco:datamodel:WCO:Response_DS:DMS:2"
NS = {"md": MD, "dec": DEC, "decds": DEC_DS, "res": RES, "resds": RES_DS}
DATA_MODEL_VERSION = "3.6"

AMOUNT_DIGITS = (16, 3)
MEASURE_DIGITS = (16, 6)
COUNT_DIGITS = (8, 0)
PARTY_ID_LENGTH = 35
"""Party ID (an..35 in the WCO Data Model; UK DMS restricts it to its 17-character EORI)."""
_HOUR = timedelta(hours=1)


def type_name(root: etree._Element) -> str | None:
    """The WCOTypeName (DEC, RES ...) of a MetaData envelope; None for any other root."""
    if root.tag != f"{{{MD}}}MetaData":
        return None
    return xmlkit.text(root, "md:WCOTypeName", NS)


def bodies(root: etree._Element, namespace: str, local: str) -> list[etree._Element]:
    """The payload elements: the children of a MetaData envelope, or the bare root itself."""
    tag = f"{{{namespace}}}{local}"
    if root.tag == tag:
        return [root]
    if root.tag != f"{{{MD}}}MetaData":
        return []
    return [child for child in root if child.tag == tag]


def envelope(wco_type: str, nsmap: dict[str | None, str]) -> etree._Element:
    """A MetaData root with the data model version and the type name (DEC, RES)."""
    root = etree.Element(f"{{{MD}}}MetaData", nsmap={"md": MD, **nsmap})
    xmlkit.add(root, f"{{{MD}}}WCODataModelVersionCode", DATA_MODEL_VERSION)
    xmlkit.add(root, f"{{{MD}}}WCOTypeName", wco_type)
    return root


def fold(value: str | None) -> str | None:
    """One line of text: white space runs become one blank; nothing left becomes None."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def fit(value: str | None, limit: int, pointer: str, what: str) -> str | None:
    """The folded value, refused when longer than ``limit`` characters."""
    value = fold(value)
    if value is not None and len(value) > limit:
        raise ConversionError(f"{pointer} has {len(value)} characters; WCO {what} allows {limit}",
                              code="CONVERT_FIELD_TOO_LONG", path=pointer)
    return value


def put(parent: etree._Element, tag: str, value: str | None, limit: int, pointer: str,
        **attrib: str | None) -> etree._Element | None:
    """Append the folded text when present; refuse text longer than the DMS allows."""
    value = fit(value, limit, pointer, _local(tag))
    if value is None:
        return None
    try:
        return xmlkit.add(parent, tag, value, **attrib)
    except ValueError as exc:  # control characters cannot be written in XML 1.0
        raise ConversionError(f"{pointer} cannot be written in XML: {exc}",
                              code="CONVERT_FIELD_INVALID", path=pointer) from exc


def put_number(parent: etree._Element, tag: str, value: Decimal | int | None, pointer: str,
               digits: tuple[int, int], **attrib: str | None) -> etree._Element | None:
    """Append a number when present; refuse more digits than the DMS allows (total, fraction)."""
    if value is None:
        return None
    total, fraction = _digits(Decimal(value))
    if total > digits[0] or fraction > digits[1]:
        raise ConversionError(f"{pointer} = {value} needs {total} digits ({fraction} decimals); "
                              f"WCO {_local(tag)} allows {digits[0]} ({digits[1]} decimals)",
                              code="CONVERT_FIELD_PRECISION", path=pointer)
    return put(parent, tag, xmlkit.fmt_decimal(Decimal(value)), 40, pointer, **attrib)


def _digits(value: Decimal) -> tuple[int, int]:
    """Total and fraction digits of the value (trailing zeros do not count, as in XSD)."""
    if value.is_zero():
        return 1, 0
    _, digits, exponent = value.normalize().as_tuple()
    if exponent >= 0:
        return len(digits) + exponent, 0
    return max(len(digits), -exponent), -exponent


def put_when(parent: etree._Element, tag: str, ds_namespace: str, when: datetime | None,
             pointer: str) -> etree._Element | None:
    """Append ``<tag><ds:DateTimeString formatCode=..>`` for a date-time, when present."""
    if when is None:
        return None
    format_code, value = when_text(when, pointer)
    holder = xmlkit.container(parent, tag)
    xmlkit.add(holder, f"{{{ds_namespace}}}DateTimeString", value, formatCode=format_code)
    return holder


def when_text(when: datetime, pointer: str) -> tuple[str, str]:
    """DMS format code and text: 102 for a bare date, else 304 with Z or a whole-hour offset.

    The profile has no minutes in offsets and no local time without an offset, so
    an offset such as +05:30 is written as the same instant in UTC, a naive
    date-time with a time of day is taken as UTC, and fractions of a second are
    dropped.
    """
    if when.tzinfo is None:
        if when.time() == time(0):
            return "102", _checked_year(when, pointer).strftime("%Y%m%d")
        when = when.replace(tzinfo=UTC)
    offset = when.utcoffset() or timedelta(0)
    if offset % _HOUR:
        when, offset = when.astimezone(UTC), timedelta(0)
    hours = int(offset / _HOUR)
    suffix = "Z" if hours == 0 else f"{'+' if hours > 0 else '-'}{abs(hours):02d}"
    return "304", _checked_year(when, pointer).strftime("%Y%m%d%H%M%S") + suffix


def _checked_year(when: datetime, pointer: str) -> datetime:
    if not 2000 <= when.year <= 2099:
        raise ConversionError(f"{pointer} = {when.isoformat()} is outside the years 2000-2099 "
                              "that WCO DMS date-times allow", code="CONVERT_FIELD_RANGE", path=pointer)
    return when


def _local(tag: str) -> str:
    return etree.QName(tag).localname
