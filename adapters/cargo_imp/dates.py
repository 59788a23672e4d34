"""Cargo-IMP dates: a day and a month, sometimes a time, rarely a year; Type-B times without a month.

Four kinds of date, four rules:

- A date with its year (the FWB's carrier's execution date ``ISU/19JUN26``) is
  read as written (:func:`issue_date`).
- A flight day (the FWB's ``FLT/KZ0254/19/KZ0132/21``: a day of the month only)
  is resolved *forward from the message's own issue date*, never from a clock:
  the first date with that day not before the issue date minus
  ``FLIGHT_DAY_TOLERANCE`` days, each leg not before the leg before it
  (:func:`flight_days`). A flight day with no issue date in the message to
  anchor it is an error (CIMP_FLIGHT_DATE_UNRESOLVED), not a guess.
- A Type-B envelope's ``DDHHMM`` (a day of the month only) is a transmission
  time: the nearest such day around the time the message is read (the
  adapter's clock: the reception time), whatever the message; for a message
  with its own issue date (an FWB's ISU) never before that date minus the same
  tolerance (:func:`sent_on`): an FWB issued 1 June and sent on 10 July with
  ``100830`` was sent on 10 July, not on 10 June.
- A day and a month without a year (FSU events ``20JUN1039``, the FFM flight
  ``26NOV``) is the one *nearest* to the message's reference day, looking one
  year back and one ahead (``20JUN`` read on 2026-11-27 is 2026-06-20). These
  messages carry no year anywhere, so the reference day is the Type-B
  envelope's transmission time (as above), else the time the message is read
  (the reception time, which the Cargo-IMP convention anchors year-less dates
  on).

The clock is consulted only for the envelope's time and for these, and only when needed:
never for an FWB's flight days.

Times in Cargo-IMP are local to the place of the event and carry no offset, so
they are read as naive date-times; writing prints them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from hub.adapters import reception_time

Clock = Callable[[], datetime]
"""Where "now" comes from (the composition root passes none: the system clock)."""

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_MONTH = re.compile(r"^(\d{2})([A-Z]{3})(\d{2})?(\d{2})?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{2})([A-Z]{3})(\d{2})$")
FLIGHT_DAY_TOLERANCE = 3
"""Days a flight may leave before the waybill's issue date (local dates on either side of midnight,
an AWB executed the day after its goods flew) and still be read in the issue date's month."""


def utc_now() -> datetime:
    """The default clock: the time the message being read was received (``hub.adapters.received_at``,
    set by the engine's caller), else the system clock; in UTC."""
    return (reception_time() or datetime.now(UTC)).astimezone(UTC)


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
    return datetime.combine(nearest_day(day, reference.astimezone(UTC).date()), at, tzinfo=UTC)


def ddhhmm(when: datetime) -> str:
    """A UTC ``DDHHMM`` (a naive time is taken to be UTC already)."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return f"{when.day:02d}{when.hour:02d}{when.minute:02d}"


def issue_date(text: str) -> date:
    """``19JUN26`` (the ISU line's date) as 2026-06-19 (ValueError when it is no such date)."""
    match = _DAY_MONTH_YEAR.match(text.strip())
    if not match or match.group(2) not in MONTHS:
        raise ValueError(f"{text.strip()[:20]!r} is not a day, month and year (19JUN26)")
    return date(2000 + int(match.group(3)), MONTHS.index(match.group(2)) + 1, int(match.group(1)))


def on_or_after(day: int, floor: date) -> date:
    """The first date on or after ``floor`` whose day of the month is ``day`` (ValueError outside 1-31)."""
    if not 1 <= day <= 31:
        raise ValueError(f"{day} is not a day of the month")
    year, month = floor.year, floor.month
    for _ in range(3):                       # 31 is at most two months away (30 Jan -> 31 Mar)
        try:
            found = date(year, month, day)
        except ValueError:
            found = None                      # the 31st of a 30-day month, 30 February
        if found is not None and found >= floor:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise ValueError(f"no day {day} follows {floor.isoformat()}")  # unreachable for 1-31


def flight_days(days: list[int], issued: date) -> list[date]:
    """Flight days of the month, in message order, as dates: forward from the issue date.

    The first leg is the first date with its day not before ``issued`` minus FLIGHT_DAY_TOLERANCE;
    every further leg the first date with its day not before the leg before it."""
    floor, found = issued - timedelta(days=FLIGHT_DAY_TOLERANCE), []
    for day in days:
        floor = on_or_after(day, floor)
        found.append(floor)
    return found


def sent_on(day: int, at: time, reference: datetime, issued: date | None = None) -> datetime:
    """A Type-B ``DDHHMM``: the nearest such day around ``reference`` (the reception time), as for any
    message; for a message with its own issue date never before that date minus FLIGHT_DAY_TOLERANCE
    days (then the first such day from there on: a clock far behind the message cannot pull it back)."""
    sent = day_of_month(day, at, reference)
    if issued is not None and sent.date() < (floor := issued - timedelta(days=FLIGHT_DAY_TOLERANCE)):
        sent = datetime.combine(on_or_after(day, floor), at, tzinfo=UTC)
    return sent
