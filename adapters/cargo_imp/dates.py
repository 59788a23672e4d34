"""Cargo-IMP dates: a day and a month, sometimes a time, never a year; Type-B times without a month.

The rule, applied everywhere in this family: a date without a year is the one
*nearest* to the message's reference day, looking one year back and one ahead
(``20JUN`` read on 2026-11-27 is 2026-06-20; ``02JAN`` read on 2026-12-30 is
2027-01-02). The reference day is the Type-B envelope's transmission time when
there is one, else the adapter's clock (the hub's "now"; tests pass a fixed
one). The envelope's own ``DDHHMM`` resolves the same way to the nearest such
day in the previous, same or next month, in UTC as Type-B times are.

Times in Cargo-IMP are local to the place of the event and carry no offset, so
they are read as naive date-times; writing prints them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timezone

Clock = Callable[[], datetime]
"""Where "now" comes from (the composition root passes none: the system clock)."""

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_MONTH = re.compile(r"^(\d{2})([A-Z]{3})(\d{2})?(\d{2})?$")


def utc_now() -> datetime:
    """The system clock, in UTC (the default clock)."""
    return datetime.now(timezone.utc)


def nearest(day: int, month: int, reference: date) -> date:
    """The date with this day and month nearest to ``reference`` (ValueError if there is none, 31FEB)."""
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue  # 29FEB outside a leap year
    if not candidates:
        raise ValueError(f"no month {month} has a day {day}")
    return min(candidates, key=lambda d: abs((d - reference).days))


def day_month(text: str, reference: date) -> datetime:
    """``20JUN`` or ``20JUN1039`` as a naive date-time in the nearest year (ValueError when malformed)."""
    match = _DAY_MONTH.match(text.strip())
    if not match or match.group(2) not in MONTHS or (match.group(3) and not match.group(4)):
        raise ValueError(f"{text!r} is not a day and month (20JUN) with an optional time (20JUN1039)")
    day, month = int(match.group(1)), MONTHS.index(match.group(2)) + 1
    at = time(0, 0)
    if match.group(3):
        at = time(int(match.group(3)), int(match.group(4)))
    return datetime.combine(nearest(day, month, reference), at)


def write_day_month(when: datetime | date, with_time: bool = True) -> str:
    """``20JUN1039`` (or ``20JUN`` for a date, or when ``with_time`` is off)."""
    text = f"{when.day:02d}{MONTHS[when.month - 1]}"
    if with_time and isinstance(when, datetime):
        text += f"{when.hour:02d}{when.minute:02d}"
    return text


def nearest_day(day: int, reference: date) -> date:
    """The date with this day of the month nearest to ``reference`` (month before, of or after it)."""
    first = reference.replace(day=1)
    candidates = []
    for shift in (-1, 0, 1):
        month = first.month - 1 + shift
        try:
            candidates.append(date(first.year + month // 12, month % 12 + 1, day))
        except ValueError:
            continue  # the 31st of a 30-day month
    if not candidates:
        raise ValueError(f"no month has a day {day}")
    return min(candidates, key=lambda d: abs((d - reference).days))


def day_of_month(day: int, at: time, reference: datetime) -> datetime:
    """A Type-B ``DDHHMM`` as a UTC time on the nearest such day to ``reference``."""
    return datetime.combine(nearest_day(day, reference.astimezone(timezone.utc).date()), at, tzinfo=timezone.utc)


def ddhhmm(when: datetime) -> str:
    """A UTC ``DDHHMM`` (a naive time is taken to be UTC already)."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return f"{when.day:02d}{when.hour:02d}{when.minute:02d}"
