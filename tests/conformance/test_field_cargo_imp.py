"""Cargo-IMP as it is really written: the public field samples in ../shared/corpus/field/cargo_imp.

Read in place, never copied into the project (SOURCE.txt names each file's
origin). Expected verdicts are the corpus README's: every FWB and FHL is
accepted and read right (AWB numbers, parties with their countries, flight
dates from the ISU date, houses); FSU14_awbix_sample_fsu2 is refused for the
label line before its Type-B message. Skipped without the corpus, a failure
with CI=true (the ``corpus`` fixture).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hub.adapters import RenderContext
from hub.errors import DocumentError
from hub.models import WaybillType
from tests.adapters.test_cargo_imp import fixed_engine
from tests.conftest import corpus_folder

pytestmark = pytest.mark.conformance

FWB17, FWB17_ADR = "FWB17_cargoimpcompiler_fwb_test.txt", "FWB17_cargoimpcompiler_fwb17_test.txt"
FHL4, MULTI = "FHL4_cargoimpcompiler_fhl4_test.txt", "FHL4_cargoimpcompiler_fhl_test_multiHBS.txt"
FSU = "FSU14_awbix_sample_fsu2.txt"
CTX = RenderContext(message_id="HUB-FIELD-1", sender_id="EPORTHUB", receiver_id="CUSTOMS",
                    created_at=datetime(2026, 6, 21, tzinfo=UTC))
CLOCKS = [datetime(2026, 11, 27, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)]


@pytest.fixture(scope="module")
def field(corpus) -> Path:
    return corpus_folder(corpus, "field", "cargo_imp")


def accepted(field: Path) -> list[str]:
    return sorted(p.name for p in field.glob("F[WH][BL]*.txt"))


def docs(engine, field: Path, name: str) -> list:
    inbound = engine.inspect((field / name).read_bytes())
    assert inbound.problems == [], f"{name}: {inbound.problems}"
    return inbound.documents


def test_every_fwb_and_fhl_sample_is_accepted_by_the_composed_engine(engine, field):
    names = accepted(field)
    assert len(names) == 11
    for name in names:
        assert engine.detect((field / name).read_bytes()).name == name[:3].lower()
        assert docs(engine, field, name), name


@pytest.mark.parametrize("name, numbers", [
    (FWB17, ["933-34099074"]), (FWB17_ADR, ["933-34502720"]), ("FWB16_awbix_sample2.txt", ["157-79284774"]),
    ("FWB16_awbix_sample3.txt", ["157-67568642"]), (FHL4, ["ORD20260411"]),
    ("FHL5_awbix_sample.txt", ["SAMSA0009420"]), ("FHL5_awbix_sample3.txt", ["MAA43138355"]),
])
def test_awb_and_house_numbers_are_read(engine, field, name, numbers):
    assert [d.number for d in docs(engine, field, name)] == numbers


@pytest.mark.parametrize("now", CLOCKS)
def test_flight_dates_come_from_the_issue_date_in_message_order_whatever_the_clock(field, now):
    engine = fixed_engine(now)
    legs = [leg.departure_at for leg in docs(engine, field, FWB17)[0].routing]
    assert [d.date() for d in legs] == [date(2026, 6, 19), date(2026, 6, 21)]
    assert docs(engine, field, "FWB16_awbix_sample2.txt")[0].routing[0].departure_at.date() == date(2026, 4, 18)
    assert docs(engine, field, "FWB16_awbix_sample3.txt")[0].routing[0].departure_at.date() == date(2026, 4, 17)


def test_an_address_continuation_is_street_and_the_country_line_follows_loc(engine, field):
    shipper = docs(engine, field, FWB17_ADR)[0].shipper
    assert (shipper.name, shipper.address.street, shipper.address.country, shipper.address.postcode) == \
        ("ZHENGXINTONG TRADING CO LTD", "FLAT B 12F HONG KONG MANUFACTURING BLDG WAI YIP ST", "HK", "99999")


@pytest.mark.parametrize("name, role, party_name, country", [
    (FHL4, "shipper", "ASIAHUB INTL TRADING LTD", "HK"),
    (FHL4, "consignee", "ECOM EXP INC", "US"),
    ("FHL5_awbix_sample3.txt", "shipper", "FLEXTRONICS TECHNOLOGIES INDIA PRIVATE BONDED WAREHOUSE MOOWR", "IN"),
    ("FHL5_awbix_sample3.txt", "consignee", "CISCO SYSTEMS INC", "US"),     # '/SLC' below: its own line
    ("FHL5_awbix_sample5.txt", "shipper", "GIVAUDAN UK LTD", "GB"),
    ("FHL5_awbix_sample5.txt", "consignee", "FARMLAND BAKERY M S B", "MY"),
    ("FWB16_awbix_sample2.txt", "consignee", "EXPOLANKA FREIGHT PVT LTD", "LK"),
    (FWB17, "shipper", "YUNEXPRESS THAILAND LTD", "TH"),
])
def test_parties_are_read_with_their_countries(engine, field, name, role, party_name, country):
    party = getattr(docs(engine, field, name)[0], role)
    assert (party.name, party.address.country) == (party_name, country)


def test_a_name_line_the_name_had_room_for_is_the_partys_additional_name(engine, field):
    cisco = docs(engine, field, "FHL5_awbix_sample3.txt")[0].consignee
    assert (cisco.name, cisco.additional_name, cisco.full_name) == ("CISCO SYSTEMS INC", "SLC",
                                                                    "CISCO SYSTEMS INC SLC")


def test_the_sample_with_street_continuations_keeps_them_in_the_street(engine, field):
    house = docs(engine, field, "FHL5_awbix_sample5.txt")[0]
    assert house.shipper.address.street == "PARK ROAD OVERSEAL POBOX SWAINS PARK"
    assert house.consignee.address.street == "TAMAN TEKNOLOGI POBOX PLO 67"


def test_the_consolidation_list_is_one_house_per_hbs_under_its_master(engine, field):
    text = (field / MULTI).read_text()
    expected = [line.split("/")[1] for line in text.splitlines() if line.startswith("HBS/")]
    houses = docs(engine, field, MULTI)
    assert len(expected) >= 20
    assert [h.number for h in houses] == expected
    assert {(h.type, h.master_number) for h in houses} == {(WaybillType.HOUSE, "933-27754882")}
    assert (houses[0].pieces, str(houses[0].gross_weight.value), len(houses[0].customs_notes)) == (1, "18", 14)
    assert houses[3].hs_codes == ["851290"]


def test_a_txt_line_of_65_characters_runs_on(engine, field):
    assert "ESSENTIAL OIL ACTUAL HWB NUMBER" in docs(engine, field, FHL4)[0].goods_description


def test_the_fsu_behind_a_label_line_is_refused_and_reads_once_the_label_is_gone(engine, field):
    data = (field / FSU).read_bytes()
    with pytest.raises(DocumentError) as raised:
        engine.read(data)
    assert (raised.value.code, raised.value.problems[0].line) == ("CIMP_TEXT_BEFORE_MESSAGE", 1)
    framed = data[data.index(b"\x01"):]
    status = fixed_engine(CLOCKS[0]).read(framed).document
    assert (status.waybill, status.code, status.flight, status.header.sender_id) == \
        ("157-66792751", "BKD", "QR8985", "HDQFMQR")


def test_every_accepted_sample_round_trips_through_the_hub_output(engine, field):
    names = accepted(field)
    assert len(names) == 11                         # the loop below cannot pass on an empty folder
    for name in names:
        read = docs(engine, field, name)
        assert read, name
        for doc in read:
            output = engine.render(doc, name[:3].lower(), CTX)
            again = engine.read(output.data).document
            assert again.model_dump(exclude={"header"}) == doc.model_dump(exclude={"header"}), name
