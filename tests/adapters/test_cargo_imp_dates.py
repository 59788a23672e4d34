"""Cargo-IMP flight dates come from the message's own dates, never from the hub's clock.

An FWB's FLT line gives each flight's day of the month only. The day is resolved
forward from the carrier's execution date (ISU, which carries the year): the
first date with that day not before the issue date minus a small tolerance, and
each leg not before the one before it. Whatever the clock says, the same bytes
give the same dates; a flight day with nothing in the message to anchor it is an
error (CIMP_FLIGHT_DATE_UNRESOLVED) on the FLT line, never a guess.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from adapters.cargo_imp import dates
from hub.adapters import RenderContext
from hub.errors import DocumentError
from tests.adapters.golden_support import line_of
from tests.adapters.test_cargo_imp import fixed_engine

FWB = b"""FWB/17
176-12345675SINLAX/T12K640MC2.1
FLT/EK0405/19/EK0215/21
RTG/DXBEK/LAXEK
SHP
NAM/LION CITY COMPONENTS PTE LTD
ADR/8 KAKI BUKIT AVE 1
LOC/SINGAPORE
/SG/417941/TE/6567450000
CNE
NAM/PACIFIC RIM IMPORTS INC
ADR/2200 E EL SEGUNDO BLVD
LOC/EL SEGUNDO/CA
/US/90245
RTD/1/P12/K640
/NG/ELECTRONIC PARTS
ISU/19JUN26/SINGAPORE/LCC
SPH/GEN
"""
CLOCKS = [datetime(2026, 11, 27, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC),
          datetime(2025, 12, 31, 23, 59, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)]


def legs(data: bytes, now: datetime = CLOCKS[0]) -> list[str]:
    return [leg.departure_at.date().isoformat() for leg in fixed_engine(now).read(data).document.routing]


def no_clock() -> datetime:
    raise AssertionError("the reader consulted the clock")


@pytest.mark.parametrize("now", CLOCKS)
def test_flight_days_follow_the_issue_date_whatever_the_clock_says(now):
    assert legs(FWB, now) == ["2026-06-19", "2026-06-21"]


def test_reading_a_waybill_with_its_issue_date_never_consults_the_clock():
    from adapters import cargo_imp
    from hub.adapters import Probe
    fwb = next(a for a in cargo_imp.adapters(clock=no_clock) if a.name == "fwb")
    wb = fwb.parse(Probe(FWB))
    assert [leg.departure_at for leg in wb.routing] == [datetime(2026, 6, 19), datetime(2026, 6, 21)]


def test_the_envelope_time_of_a_waybill_is_the_day_nearest_its_reception_not_the_first_after_its_issue():
    """A waybill issued 1 June and sent on 10 July: its envelope's ``100830`` is 10 July, not 10 June."""
    data = b"QK LAXFMEK\r\n.SINFMEK 100830 EK-1\r\n" + FWB.replace(b"ISU/19JUN26", b"ISU/01JUN26")
    wb = fixed_engine(datetime(2026, 7, 10, 9, 0, tzinfo=UTC)).read(data).document
    assert wb.header.issued_at == datetime(2026, 7, 10, 8, 30, tzinfo=UTC)
    assert [leg.departure_at for leg in wb.routing] == [datetime(2026, 6, 19), datetime(2026, 6, 21)]
    same_day = fixed_engine(datetime(2026, 6, 19, 16, 0, tzinfo=UTC)).read(
        b"QK LAXFMEK\r\n.SINFMEK 191530 EK-1\r\n" + FWB).document
    assert same_day.header.issued_at == datetime(2026, 6, 19, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize("issued, flights, expected", [
    ("28JUN26", "30/EK0215/02", ["2026-06-30", "2026-07-02"]),      # legs run on over the month's end
    ("30DEC26", "31/EK0215/02", ["2026-12-31", "2027-01-02"]),      # and over the year's end
    ("19JUN26", "18/EK0215/18", ["2026-06-18", "2026-06-18"]),      # a day just before the issue date
    ("19JUN26", "10/EK0215/11", ["2026-07-10", "2026-07-11"]),      # a day well before it is next month's
    ("19JUN26", "21/EK0215/19", ["2026-06-21", "2026-07-19"]),      # a leg never before the one before it
    ("10FEB28", "29/EK0215/01", ["2028-02-29", "2028-03-01"]),      # a leap day
])
def test_flight_days_resolve_forward_from_the_issue_date_leg_after_leg(issued, flights, expected):
    data = FWB.replace(b"ISU/19JUN26", f"ISU/{issued}".encode()).replace(b"19/EK0215/21", flights.encode())
    assert legs(data) == expected


def test_a_flight_day_with_no_date_in_the_message_to_anchor_it_is_an_error_on_the_flt_line():
    data = FWB.replace(b"ISU/19JUN26/SINGAPORE/LCC\n", b"")
    with pytest.raises(DocumentError) as raised:
        fixed_engine().read(data)
    assert (raised.value.code, raised.value.problems[0].line) == ("CIMP_FLIGHT_DATE_UNRESOLVED", line_of(data, "FLT/"))


def test_a_waybill_without_flight_days_needs_no_issue_date():
    data = FWB.replace(b"ISU/19JUN26/SINGAPORE/LCC\n", b"").replace(b"FLT/EK0405/19/EK0215/21\n", b"")
    wb = fixed_engine().read(data).document
    assert [(leg.arrival.code, leg.departure_at) for leg in wb.routing] == [("DXB", None), ("LAX", None)]


@pytest.mark.parametrize("isu", [b"ISU/31JUN26/SINGAPORE", b"ISU/19JUN/SINGAPORE", b"ISU//SINGAPORE"])
def test_an_unreadable_issue_date_is_refused_on_its_line(isu):
    data = FWB.replace(b"ISU/19JUN26/SINGAPORE/LCC", isu)
    with pytest.raises(DocumentError) as raised:
        fixed_engine().read(data)
    assert (raised.value.code, raised.value.problems[0].line) == ("CIMP_DATE_INVALID", line_of(data, "ISU/"))


def test_the_envelope_time_of_a_waybill_is_never_before_its_issue_date_whatever_the_clock_says():
    """A clock well before the issue date (a wrong one, a test's): the first such day from the issue
    date on (minus the tolerance), not the nearest one around the clock."""
    data = b"QK LAXFMEK\n.SINFMEK 021200\n" + FWB.replace(b"ISU/19JUN26", b"ISU/30JUN26")\
        .replace(b"19/EK0215/21", b"30/EK0215/02")
    wb = fixed_engine(datetime(2026, 6, 1, tzinfo=UTC)).read(data).document
    assert wb.header.issued_at == datetime(2026, 7, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("day, now, issued, expected", [
    (10, datetime(2026, 7, 10, 9, tzinfo=UTC), date(2026, 6, 1), datetime(2026, 7, 10, 8, 30, tzinfo=UTC)),
    (30, datetime(2026, 7, 1, 2, tzinfo=UTC), date(2026, 6, 29), datetime(2026, 6, 30, 8, 30, tzinfo=UTC)),
    (17, datetime(2026, 6, 19, tzinfo=UTC), date(2026, 6, 19), datetime(2026, 6, 17, 8, 30, tzinfo=UTC)),
    (15, datetime(2026, 6, 19, tzinfo=UTC), date(2026, 6, 19), datetime(2026, 7, 15, 8, 30, tzinfo=UTC)),
    (2, datetime(2026, 6, 1, tzinfo=UTC), date(2026, 6, 30), datetime(2026, 7, 2, 8, 30, tzinfo=UTC)),
])
def test_a_type_b_time_of_an_issued_message_is_nearest_the_clock_and_not_before_the_issue_date(
        day, now, issued, expected):
    assert dates.sent_on(day, time(8, 30), now, issued) == expected


@pytest.mark.parametrize("now", CLOCKS)
def test_a_written_waybill_carries_the_anchor_its_flight_days_are_read_back_against(now):
    ctx = RenderContext(message_id="HUB-1", sender_id="EPORTHUB", receiver_id="CUSTOMS", created_at=now)
    engine = fixed_engine(now)
    wb = engine.read(FWB).document
    output = engine.render(wb, "fwb", ctx)
    assert b"\r\nISU/" in output.data
    assert fixed_engine(CLOCKS[1]).read(output.data).document.routing == wb.routing


def test_a_leg_date_from_another_format_is_written_with_an_issue_date_no_later_than_the_first_flight():
    engine = fixed_engine()
    wb = engine.read(FWB).document
    later = [leg.model_copy(update={"departure_at": datetime(2027, 1, 30, 23, 0)}) for leg in wb.routing[:1]] + \
        [wb.routing[1].model_copy(update={"departure_at": datetime(2027, 2, 2, 1, 0)})]
    ctx = RenderContext(message_id="HUB-1", sender_id="EPORTHUB", receiver_id="CUSTOMS")
    again = engine.read(engine.render(wb.model_copy(update={"routing": later}), "fwb", ctx).data).document
    assert [leg.departure_at.date() for leg in again.routing] == [date(2027, 1, 30), date(2027, 2, 2)]


@pytest.mark.parametrize("days, issued, expected", [
    ([19, 21], date(2026, 6, 19), [date(2026, 6, 19), date(2026, 6, 21)]),
    ([31], date(2026, 6, 20), [date(2026, 7, 31)]),                   # June has no 31st
    ([16], date(2026, 6, 19), [date(2026, 6, 16)]),                   # within the tolerance
    ([15], date(2026, 6, 19), [date(2026, 7, 15)]),                   # beyond it
])
def test_flight_days_rule(days, issued, expected):
    assert dates.flight_days(days, issued) == expected


@pytest.mark.parametrize("day", [0, 32])
def test_a_flight_day_outside_1_to_31_is_refused(day):
    with pytest.raises(ValueError):
        dates.flight_days([day], date(2026, 6, 19))
