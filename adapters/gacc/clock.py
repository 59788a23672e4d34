"""GACC date-times: compact digits (or ISO in DEC_RESULT) without an offset, in China Standard Time.

GACC messages never carry a UTC offset; every time is Beijing time (UTC+8). Reading
attaches +08:00, writing converts an aware time to +08:00 first, so an instant survives
a round trip whatever zone it came in (aware datetimes compare by instant).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from lxml import etree

from hub import xmlkit

CST = timezone(timedelta(hours=8), "CST")


def local(when: datetime) -> datetime:
    """The wall-clock time in Beijing (a naive time is taken to be Beijing time already)."""
    return when.astimezone(CST) if when.tzinfo is not None else when


def stamp(when: datetime | date, digits: int = 14) -> str:
    """``yyyyMMdd`` (a date), ``yyyyMMddHHmmss`` (14) or ``yyyyMMddHHmmssSSS`` (17, Head/SendTime)."""
    # %-formatting the fields costs a third of strftime (and keeps a year below 1000 at four digits)
    if not isinstance(when, datetime):
        return "%04d%02d%02d" % (when.year, when.month, when.day)
    when = local(when)
    text = "%04d%02d%02d%02d%02d%02d" % (when.year, when.month, when.day, when.hour, when.minute, when.second)
    return text + f"{when.microsecond // 1000:03d}" if digits == 17 else text


def iso(when: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss`` in Beijing time (DEC_RESULT/NOTICE_DATE)."""
    return local(when).replace(microsecond=0, tzinfo=None).isoformat()


def at(el: etree._Element | None, path: str, ns: dict[str, str]) -> datetime | None:
    """The date-time at ``path``; blanks inside (``20130722 1005 00 10``) are ignored."""
    node = None if el is None else el.find(path, namespaces=ns)
    if node is None or not (node.text or "").strip():
        return None
    when = xmlkit.parse_when(node.text.replace(" ", ""), node)
    return when.replace(tzinfo=CST) if when.tzinfo is None else when


def day(el: etree._Element | None, path: str, ns: dict[str, str]) -> date | None:
    """The date at ``path`` (a date-time is cut to its Beijing date)."""
    when = at(el, path, ns)
    return None if when is None else when.date()
