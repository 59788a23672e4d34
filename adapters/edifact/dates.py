"""DTM values (UNTDID 2379 formats) <-> dates and date-times.

Read: 101 YYMMDD, 102 CCYYMMDD, 201 YYMMDDHHMM, 202 YYMMDDHHMMSS, 203 CCYYMMDDHHMM,
204 CCYYMMDDHHMMSS, 205 CCYYMMDDHHMM±HHMM (offset from UTC). Without a format code the
length decides (6, 8, 10, 12 or 14 digits), as IATA PAXLST sends birth dates. Two-digit
years fall in 1970-2069, unless the caller gives a ``not_after`` year (birth dates: a
year that would lie in the future belongs to the previous century).

Write: a date as 102, a time without zone as 203 (204 with seconds), a time with a zone
as 205 with its own offset (seconds are dropped: 205 has none). Times without a format's
zone stay naive: EDIFACT does not say which zone they are in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

_BY_LENGTH = {6: "101", 8: "102", 10: "201", 12: "203", 14: "204"}
_DIGITS = {"101": 6, "102": 8, "201": 10, "202": 12, "203": 12, "204": 14, "205": 17}


class DateError(ValueError):
    """A DTM value that is not a date in its format."""


def parse(value: str, fmt: str | None, not_after: int | None = None) -> date | datetime:
    """A DTM value in format ``fmt`` (2379) as a date (101, 102) or a date-time."""
    fmt = fmt or _BY_LENGTH.get(len(value))
    if fmt not in _DIGITS:
        raise DateError(f"date format {fmt!r} is not one the hub reads (101, 102, 201-205)")
    body, zone = (value[:12], value[12:]) if fmt == "205" else (value, "")
    if len(value) != _DIGITS[fmt] or not (body.isascii() and body.isdigit()):
        raise DateError(f"{value!r} is not a date in format {fmt}")
    if fmt in ("101", "201", "202"):
        body = _century(body[:2], not_after) + body
    try:
        when = datetime(int(body[:4]), int(body[4:6]), int(body[6:8]), int(body[8:10] or 0),
                        int(body[10:12] or 0), int(body[12:14] or 0))
    except ValueError as exc:
        raise DateError(f"{value!r} is not a date in format {fmt}: {exc}") from None
    if zone:
        when = when.replace(tzinfo=_zone(zone, value))
    return when.date() if fmt in ("101", "102") else when


def _century(yy: str, not_after: int | None) -> str:
    year = 2000 + int(yy)
    if not_after is not None:
        return "20" if year <= not_after else "19"
    return "20" if int(yy) < 70 else "19"


def _zone(text: str, value: str) -> timezone:
    if len(text) != 5 or text[0] not in "+-" or not (text.isascii() and text[1:].isdigit()) or int(text[1:3]) > 23 \
            or int(text[3:]) > 59:
        raise DateError(f"{value!r}: the zone of format 205 is ±HHMM (hours 00-23, minutes 00-59)")
    offset = timedelta(hours=int(text[1:3]), minutes=int(text[3:]))
    return timezone(-offset if text[0] == "-" else offset)


def encode(when: date | datetime) -> tuple[str, str]:
    """(value, 2379 format code) for a date or date-time."""
    if not isinstance(when, datetime):
        return when.strftime("%Y%m%d"), "102"
    if when.tzinfo is None:
        return (when.strftime("%Y%m%d%H%M%S"), "204") if when.second else (when.strftime("%Y%m%d%H%M"), "203")
    offset = when.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return when.strftime("%Y%m%d%H%M") + f"{sign}{minutes // 60:02d}{minutes % 60:02d}", "205"


def dtm(qualifier: str, when: date | datetime | None) -> list[str] | None:
    """The DTM composite C507 for ``when``, or None."""
    if when is None:
        return None
    value, fmt = encode(when)
    return [qualifier, value, fmt]
