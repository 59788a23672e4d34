"""Reading helpers: dates in every form senders use, and errors that say where."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from hub.errors import ParseError
from hub.xmlkit import compact, date_at, integer, number, parse_when, required, when_at

DOC = etree.fromstring(b"<r>\n<When>20261127</When>\n<Bad>2026-13-45</Bad>\n<N>1.50</N>\n<I>2.5</I>\n</r>")


@pytest.mark.parametrize("text,expected", [
    ("20261127", datetime(2026, 11, 27)),
    ("20261127083000", datetime(2026, 11, 27, 8, 30)),
    ("20261127083000123", datetime(2026, 11, 27, 8, 30, 0, 123000)),
    ("20171001010000+01", datetime(2017, 10, 1, 1, tzinfo=timezone(timedelta(hours=1)))),
    ("20170810093030Z", datetime(2017, 8, 10, 9, 30, 30, tzinfo=UTC)),
    ("2021-03-10T11:00:00+01:00", datetime(2021, 3, 10, 11, tzinfo=timezone(timedelta(hours=1)))),
    ("2021-03-10T00:00:00Z", datetime(2021, 3, 10, tzinfo=UTC)),
])
def test_dates_in_iso_and_compact_forms_parse(text, expected):
    assert parse_when(text) == expected


def test_a_date_that_does_not_parse_is_a_rule_error_with_its_line():
    with pytest.raises(ParseError) as err:
        when_at(DOC, "Bad", {})
    assert (err.value.code, err.value.line, err.value.path) == ("RULE_DATE_INVALID", 3, "/r/Bad")


def test_dates_and_numbers_are_read_exactly():
    assert date_at(DOC, "When", {}).isoformat() == "2026-11-27"
    assert number(DOC, "N", {}) == Decimal("1.50")
    assert compact(datetime(2026, 11, 27, 8, 30)) == "20261127083000"


def test_a_fraction_where_a_whole_number_belongs_names_the_line():
    with pytest.raises(ParseError) as err:
        integer(DOC, "I", {})
    assert (err.value.code, err.value.line) == ("NUMBER_INVALID", 5)


def test_a_missing_required_field_names_where_it_should_be():
    with pytest.raises(ParseError) as err:
        required(DOC, "Absent", {})
    assert (err.value.code, err.value.path) == ("FIELD_MISSING", "/r/Absent")
