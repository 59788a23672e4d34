"""The EDIFACT writers keep to their directory's lengths and repeats, and what they split reads back unchanged.

Each output is checked element by element against the UNTDID lengths of the directory the
writer declares (C080 3036 an..35, C059 3042 an..35 three or four times, C108 4440 an..70
up to D99A and an..512 from D99B, TDT C222 8213 an..9 up to D05A ...), then read back.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.edifact import directory, envelope, lengths
from adapters.edifact.syntax import Segment
from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Address, Party, Person, TravelDocument
from tests.conftest import example

CTX = RenderContext(message_id="M1", sender_id="EPORTHUB", receiver_id="CUSTOMS")
SETTINGS = settings(max_examples=int(os.environ.get("HUB_HYPOTHESIS_EXAMPLES", 60)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

NAME_40 = "ACME INTERNATIONAL LOGISTICS COMPANY LT"                # 39 + the blank below: 40 with "D"
LONG_NAME = "SHANGHAI ORIENTAL INTERNATIONAL FREIGHT FORWARDING AND LOGISTICS SERVICES CO LTD"   # 80
NO_BLANK = "X" * 70
STREET = "UNIT 1806 TOWER B CHINA WORLD TRADE CENTRE\nNO 1 JIANGUOMENWAI AVENUE CHAOYANG\nCBD 100004"
"""Three lines, the first of 42 characters: four C059 components (D99B has four)."""
DESCRIPTION = " ".join(["ELECTRONIC COMPONENTS FOR INDUSTRIAL CONTROL EQUIPMENT"] * 12)  # 671 characters
ELEMENTS = {("NAD", 3): "3036", ("NAD", 4): "3042", ("NAD", 2): "3124", ("FTX", 3): "4440", ("NAD", 5): "3164",
            ("NAD", 7): "3251"}
"""(tag, element after the tag) -> the element each of its components is."""


def segments(data: bytes) -> tuple[str, list[Segment]]:
    """The directory the message declares (D95B ...) and its segments."""
    msg = envelope.read(data).messages[0]
    return lengths.version_of(msg.identifier), msg.body


def assert_within_directory(data: bytes) -> None:
    """Every name, address and text component within its element's length in the declared directory,
    at most five of them (C059: three or four), a FTX's text never empty in its first component; and the
    whole message kept by its directory as the generated definitions say (adapters.edifact.directory),
    which does not share the writer's length table (lengths.py) and so catches a wrong entry in it."""
    ic = envelope.read(data)
    assert [p for msg in ic.messages for p in directory.check_message(msg, ic.chars, ic.syntax_version)] == []
    version, body = segments(data)
    for seg in body:
        for (tag, at), element in ELEMENTS.items():
            if seg.tag != tag or at >= len(seg.elements):
                continue
            parts = seg.elements[at]
            assert all(len(p) <= lengths.limit(version, element) for p in parts), (seg.raw, element)
            most = lengths.street_lines(version) if element == "3042" else 5
            assert len(parts) <= most, (seg.raw, element)


def waybill(engine, **changes):
    doc = engine.read(example("edifact", "iftmin-house-bjs00012345.edi")).document
    return doc.model_copy(update=changes)


def manifest(engine):
    return engine.read(example("edifact", "cuscar-0471w-sgsin-cnsha-amend.edi")).document


def with_consignee(doc, party: Party, description: str | None = None):
    first = doc.consignments[0]
    update = {"consignee": party} | ({"goods_description": description} if description else {})
    return doc.model_copy(update={"consignments": [first.model_copy(update=update), *doc.consignments[1:]]})


def round_trip(engine, doc, fmt: str):
    data = engine.render(doc, fmt, CTX).data
    assert_within_directory(data)
    return data, engine.read(data).document


@pytest.mark.parametrize("name", [NAME_40 + "D", LONG_NAME, NO_BLANK, "A" * 35 + " " + "B" * 10])
def test_a_long_party_name_is_laid_over_c080_and_reads_back_identical_from_iftmin(engine, name):
    doc = waybill(engine, shipper=Party(name=name, address=Address(street=STREET, city="BEIJING", country="CN")))
    data, back = round_trip(engine, doc, "iftmin")
    assert back.shipper.name == name
    assert back.shipper.address.street == STREET


def test_a_forty_character_name_is_split_at_its_last_blank_that_fits(engine):
    doc = waybill(engine, shipper=Party(name=NAME_40 + "D"))
    _, body = segments(engine.render(doc, "iftmin", CTX).data)
    nad = next(s for s in body if s.tag == "NAD" and s.get(0) == "CZ")
    assert nad.elements[3] == ["ACME INTERNATIONAL LOGISTICS ", "COMPANY LTD"]


def test_a_full_name_line_before_a_long_additional_name_stays_a_line_of_its_own(engine):
    name = "SHANGHAI HUAYANG VALVE MANUFACTURER"                    # exactly 35: reads as continued alone
    further = "WAREHOUSE 5 OF THE EASTERN FREE TRADE ZONE"             # 42: wrapped over two lines
    doc = with_consignee(manifest(engine), Party(name=name, additional_name=further))
    _, back = round_trip(engine, doc, "cuscar")
    assert back.consignments[0].consignee.name == name + "\n" + further


def test_a_long_street_and_goods_description_fit_cuscar_d95b_and_read_back(engine):
    street = "NO 88 GANGCHENG ROAD PUDONG NEW AREA FREE TRADE ZONE\nBUILDING 7"     # 3 lines of C059 in D95B
    doc = with_consignee(manifest(engine), Party(name=LONG_NAME, address=Address(street=street, city="SHANGHAI")),
                         DESCRIPTION)
    data, back = round_trip(engine, doc, "cuscar")
    assert (back.consignments[0].consignee.name, back.consignments[0].consignee.address.street) == (LONG_NAME, street)
    assert back.consignments[0].goods_description == DESCRIPTION
    _, body = segments(data)
    assert len([s for s in body if s.tag == "FTX"]) >= 2                    # 671 characters: two FTX of 5 x 70


@pytest.mark.parametrize(("party", "where"), [
    (Party(name=" ".join(["WORD" * 8] * 6)), "NAD+CZ C080 3036"),             # six full lines: C080 has five
    (Party(name="\nACME"), "NAD+CZ C080 3036"),                                # 3036 #1 is mandatory
    (Party(name="ACME\n"), "NAD+CZ C080 3036"),                                # would read back without its break
    (Party(name="ACME", address=Address(city="C" * 36)), "NAD+CZ 3164"),
    (Party(name="ACME", address=Address(postcode="1" * 18)), "NAD+CZ 3251"),
    (Party(name="ACME", address=Address(street="S" * 35 * 4 + "S")), "NAD+CZ C059 3042"),
    (Party(name="ACME", address=Address(street="\n".join(["BUILDING 7 FREE TRADE ZONE WAREHOUSE AREA"] * 4))),
     "NAD+CZ C059 3042"),                                                   # four long lines need eight
])
def test_a_party_value_that_cannot_be_carried_is_refused_naming_the_element(engine, party, where):
    with pytest.raises(ConversionError) as caught:
        engine.render(waybill(engine, shipper=party), "iftmin", CTX)
    assert caught.value.code == "CONVERT_FIELD_INVALID"
    assert caught.value.path == where


def test_a_vessel_id_longer_than_d95b_c222_8213_is_refused_not_cut(engine):
    doc = manifest(engine)
    doc = doc.model_copy(update={"conveyance": doc.conveyance.model_copy(update={"registration": "IMO9876543210"})})
    with pytest.raises(ConversionError) as caught:
        engine.render(doc, "cuscar", CTX)
    assert (caught.value.code, caught.value.path) == ("CONVERT_FIELD_INVALID", "TDT C222 8213")
    assert "an..9" in caught.value.message


def test_free_text_beyond_the_segments_allowed_is_cut_and_recorded(engine):
    adapter = engine.registry.get("iftmin")
    note = "N" * 512 * 5 + " AND MORE"                                       # one FTX+HAN: 5 x 512 in D99B
    body = adapter.write(waybill(engine, handling_notes=[note]), CTX)
    ftx = [elements for tag, elements in body.segments if tag == "FTX" and elements[0] == "HAN"]
    assert [len(p) for p in ftx[0][3]] == [512] * 5
    assert [(t.where, t.kept, t.dropped) for t in body.truncated] == [("FTX+HAN C108 4440", 2560, 9)]
    warning = body.truncated[0].problem("TRUNCATED")
    assert (warning.code, warning.path) == ("TRUNCATED", "FTX+HAN C108 4440")
    assert note[:20] not in warning.message                                 # the warning never quotes the text


def test_a_long_handling_note_reads_back_as_one_note(engine):
    note = "LITHIUM ION BATTERIES IN COMPLIANCE WITH SECTION II OF PI967 " * 10     # 610: two lines of 512
    data, back = round_trip(engine, waybill(engine, handling_notes=[note.strip(), "KEEP UPRIGHT"]), "iftmin")
    assert back.handling_notes == [note.strip(), "KEEP UPRIGHT"]


def test_long_given_names_are_split_at_blanks_over_c080_and_read_back(engine):
    doc = engine.read(example("edifact", "paxlst-ca931-pek-fra.edi")).document
    given = "MARIA DE LOS ANGELES GUADALUPE CONCEPCION ESPERANZA"                   # 51
    person = Person(surname="GONZALEZ", given_names=given,
                    documents=[TravelDocument(type="P", number="X1234567")])
    data, back = round_trip(engine, doc.model_copy(update={"persons": [person], "total": 1}), "paxlst")
    assert back.persons[0].given_names == given
    with pytest.raises(ConversionError) as caught:
        engine.render(doc.model_copy(update={"persons": [person.model_copy(update={"surname": "S" * 36})], "total": 1}),
                      "paxlst", CTX)
    assert caught.value.path == "NAD+FL C080 3036 (surname)"


def test_a_four_digit_trade_mode_travels_as_gis_processing_type_and_reads_back(engine):
    doc = engine.read(example("edifact", "cusdec-import-2248-lrn000187.edi")).document
    data, back = round_trip(engine, doc.model_copy(update={"procedure": "0110"}), "cusdec")
    assert b"GIS+ZZZ:::0110'" in data
    assert back.procedure == "0110"


def test_a_partners_name_lines_read_as_lines_unless_one_is_continued(engine):
    data = example("edifact", "cuscar-0471w-sgsin-cnsha-amend.edi").replace(
        b"NAD+CN+++Shanghai Medline?+Supply Co.", b"NAD+CN+++SHANGHAI MEDLINE :SUPPLY CO.:WAREHOUSE 5")
    consignee = engine.read(data).document.consignments[0].consignee
    assert consignee.name == "SHANGHAI MEDLINE SUPPLY CO.\nWAREHOUSE 5"


WORD = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,&()-/", min_size=1, max_size=12)
NAME = st.lists(WORD, min_size=1, max_size=12).map(" ".join).filter(lambda s: len(s) <= 110)
"""Words of up to 12 characters fill a line of 35 to at least 23: 110 characters fit five lines."""


@SETTINGS
@given(name=NAME, street=NAME, description=st.lists(NAME, min_size=1, max_size=4).map("\n".join))
def test_any_long_name_street_and_description_fit_and_survive_cuscar(engine, name, street, description):
    doc = with_consignee(manifest(engine), Party(name=name, address=Address(street=street[:60])), description)
    _, back = round_trip(engine, doc, "cuscar")
    consignee = back.consignments[0].consignee
    assert (consignee.name, consignee.address.street) == (name, street[:60])
    assert back.consignments[0].goods_description == description
    assert back.consignments[0].gross_weight.value > Decimal(0)
