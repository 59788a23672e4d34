"""The Type-B envelope (read, and written for Type-B parties only) and the year rule for Cargo-IMP dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from adapters.cargo_imp import dates
from hub.adapters import RenderContext
from hub.errors import DocumentError
from hub.models import MessageHeader
from tests.adapters.test_cargo_imp import NOW, fixed_engine
from tests.conftest import example

FSU = example("cargo_imp", "fsu-dlv-160-24680132.txt")


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


def test_envelope_gives_recipients_originator_time_and_identity(imp):
    data = b"QD SIN05XH PEKFMCA\nFRAKKXH\n.HDQFMQR 200739 QR-0042\n" + FSU
    header = imp.read(data).document.header
    assert header == MessageHeader(recipient_id="SIN05XH PEKFMCA FRAKKXH", sender_id="HDQFMQR", message_id="QR-0042",
                                   issued_at=datetime(2026, 11, 20, 7, 39, tzinfo=UTC))


def test_originator_line_without_time_or_identity_is_read(imp):
    header = imp.read(b"QK XXDUMMY\r\n.XXDUMMY\r\n" + FSU).document.header
    assert (header.sender_id, header.recipient_id, header.issued_at, header.message_id) == \
        ("XXDUMMY", "XXDUMMY", None, None)


def test_a_message_reads_the_same_with_and_without_its_envelope(imp):
    bare = imp.read(FSU).document
    wrapped = imp.read(b"QD FRAFFCA\r\n.HKGFMCX 271600\r\n" + FSU).document
    assert wrapped.model_dump(exclude={"header"}) == bare.model_dump(exclude={"header"})
    assert imp.detect(FSU).name == imp.detect(b"QD FRAFFCA\r\n.HKGFMCX 271600\r\n" + FSU).name == "fsu"


@pytest.mark.parametrize("sender, receiver, first_lines", [
    ("BJSEPHB", "FRAFFCA", [b"QK FRAFFCA", b".BJSEPHB 270830 HUB-1"]),
    ("BJSEPHB", "QD FRAFFCA FRAKKXH", [b"QD FRAFFCA FRAKKXH", b".BJSEPHB 270830 HUB-1"]),
    ("EPORTHUB", "FRAFFCA", [b"FSU/14"]),          # the hub's own id is no Type-B address
    ("BJSEPHB", "CUSTOMS-CN", [b"FSU/14"]),        # a broker user is no Type-B address
    ("BJSEPHB", "", [b"FSU/14"]),
])
def test_envelope_is_written_only_when_both_parties_are_type_b_addresses(imp, sender, receiver, first_lines):
    ctx = RenderContext(message_id="HUB-1", sender_id=sender, receiver_id=receiver, created_at=NOW)
    output = imp.render(imp.read(FSU).document, "fsu", ctx)
    assert output.data.split(b"\r\n")[:len(first_lines)] == first_lines


def test_envelope_time_is_written_in_utc(imp):
    beijing = datetime(2026, 11, 28, 1, 15, tzinfo=timezone(timedelta(hours=8)))
    ctx = RenderContext(message_id="HUB 1", sender_id="BJSEPHB", receiver_id="FRAFFCA", created_at=beijing)
    output = imp.render(imp.read(FSU).document, "fsu", ctx)
    assert output.data.split(b"\r\n")[1] == b".BJSEPHB 271715 HUB1"
    assert imp.read(output.data).document.header.issued_at == datetime(2026, 11, 27, 17, 15, tzinfo=UTC)


@pytest.mark.parametrize("text, on, expected", [
    ("20JUN1039", date(2026, 11, 27), datetime(2026, 6, 20, 10, 39)),
    ("20JUN", date(2026, 12, 19), datetime(2026, 6, 20)),
    ("20JUN", date(2026, 12, 20), datetime(2027, 6, 20)),       # past half a year: the next June is nearer
    ("02JAN0005", date(2026, 12, 30), datetime(2027, 1, 2, 0, 5)),
    ("30DEC", date(2027, 1, 3), datetime(2026, 12, 30)),
    ("29FEB", date(2027, 11, 1), datetime(2028, 2, 29)),         # only a leap year has one
])
def test_a_date_without_a_year_takes_the_nearest_year(text, on, expected):
    assert dates.day_month(text, on) == expected


@pytest.mark.parametrize("text", ["31APR", "20XYZ", "2JUN", "20JUN10", "20JUN2460"])
def test_impossible_or_malformed_dates_are_refused(text):
    with pytest.raises(ValueError):
        dates.day_month(text, date(2026, 11, 27))


@pytest.mark.parametrize("day, now, expected", [
    (30, datetime(2026, 12, 1, 3, tzinfo=UTC), date(2026, 11, 30)),
    (1, datetime(2026, 12, 30, tzinfo=UTC), date(2027, 1, 1)),
    (31, datetime(2026, 11, 29, tzinfo=UTC), date(2026, 10, 31)),  # November has no 31st
])
def test_a_type_b_day_takes_the_nearest_month(day, now, expected):
    assert dates.nearest_day(day, now.date()) == expected


def test_the_envelope_time_not_the_clock_anchors_the_year_of_the_body(imp):
    now = datetime(2027, 5, 20, tzinfo=UTC)  # 25NOV: nearer 2026 from here, nearer 2027 from 3 June
    status = b"FSU/14\n160-24680132HKGFRA/T12K345.5\nDLV/25NOV1530/FRA/T12K345.5\n"
    assert fixed_engine(now).read(status).document.happened_at.year == 2026
    enveloped = fixed_engine(now).read(b"QK FRAFFCA\n.HKGFMCX 031200\n" + status).document
    assert enveloped.header.issued_at == datetime(2027, 6, 3, 12, 0, tzinfo=UTC)
    assert enveloped.happened_at.year == 2027


def test_the_same_message_read_a_year_later_dates_into_that_year():
    later = fixed_engine(NOW.replace(year=2027)).read(FSU).document
    assert later.happened_at == datetime(2027, 11, 27, 15, 30)


# -- Type-B transmission framing: SOH heading, STX text, ETX end ---------------------------------------

FRAMED = (b"\x01QU LAXFMEK SINKKXH\r\n.SINFMEK 271205 EK-4411\r\n\x02FSU/14\r\n"
          b"176-12345675SINLAX/T12K640\r\nDEP/EK0405/27NOV/SINDXB/T12K640\r\n\r\n\x03")


def test_a_framed_type_b_message_is_detected_and_read(imp, engine):
    assert engine.detect(FRAMED).name == "fsu"
    status = imp.read(FRAMED).document
    assert (status.header.sender_id, status.header.recipient_id, status.header.message_id) == \
        ("SINFMEK", "LAXFMEK SINKKXH", "EK-4411")
    assert (status.waybill, status.code, status.flight, status.happened_at) == \
        ("176-12345675", "DEP", "EK0405", datetime(2026, 11, 27))


@pytest.mark.parametrize("data", [
    FRAMED.replace(b"\r\n", b"\n"),                                       # LF line ends
    FRAMED.replace(b"\x01", b"").replace(b"\x03", b""),                   # STX only
    FRAMED.replace(b"\r\n\r\n\x03", b"\r\n\x03\r\n\r\n"),                 # blank lines after ETX
    FRAMED[FRAMED.index(b"\x02"):],                                       # no heading: STX, text, ETX
])
def test_framing_line_ends_and_blank_lines_do_not_change_what_is_read(imp, engine, data):
    assert engine.detect(data).name == "fsu"
    framed = imp.read(FRAMED).document
    assert imp.read(data).document.model_dump(exclude={"header"}) == framed.model_dump(exclude={"header"})


def test_a_label_line_before_the_framed_message_is_refused_with_a_code_naming_it(imp, engine):
    data = b"booking_update\r\n" + FRAMED
    assert engine.detect(data).name == "fsu"
    with pytest.raises(DocumentError) as raised:
        imp.read(data)
    assert (raised.value.code, raised.value.problems[0].line) == ("CIMP_TEXT_BEFORE_MESSAGE", 1)
    assert "booking_update" in raised.value.problems[0].message


def test_a_label_line_before_an_unframed_message_is_refused_the_same_way(imp):
    with pytest.raises(DocumentError) as raised:
        imp.read(b"booking_update\n" + FSU)
    assert (raised.value.code, raised.value.problems[0].line) == ("CIMP_TEXT_BEFORE_MESSAGE", 1)


def test_framing_characters_anywhere_else_stay_control_characters(imp):
    with pytest.raises(DocumentError) as raised:
        imp.read(FRAMED.replace(b"DEP/", b"\x01DEP/"))
    assert raised.value.code == "TEXT_CONTROL_CHARACTER"
