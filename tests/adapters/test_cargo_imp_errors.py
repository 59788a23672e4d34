"""Cargo-IMP negative paths: every parse error has a stable code and the line a sender sees; render refusals."""

from __future__ import annotations

import pytest

from hub.errors import ConversionError, InvalidDocument
from tests.adapters.golden_support import line_of
from tests.adapters.test_cargo_imp import fixed_engine
from tests.conftest import example

FWB = example("cargo_imp", "fwb-cx-hkg-fra.txt")
FHL = example("cargo_imp", "fhl-hkg-fra.txt")
FFM1 = example("cargo_imp", "ffm-ca931-pek-fra-part1.txt")
FFM2 = example("cargo_imp", "ffm-ca931-pek-fra-part2.txt")
FSU = example("cargo_imp", "fsu-rcf-999-87654335-typeb.txt")


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


def problems(engine, data: bytes) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in engine.inspect(data).problems]


def without(data: bytes, start: bytes, end: bytes) -> bytes:
    """``data`` without the lines from the one starting with ``start`` up to (not including) ``end``."""
    at = data.index(start)
    return data[:at] + data[data.index(end, at):]


@pytest.mark.parametrize("broken, needle, code", [
    (FWB.replace(b"160-24680132HKGFRA", b"160-2468013HKGFRA"), "160-2468013HKGFRA", "CIMP_AWB_LINE_INVALID"),
    (FWB.replace(b"160-24680132HKGFRA/T12K345.5MC2.10", b"160-24680132HKGFRA"), "160-24680132HKGFRA",
     "CIMP_AWB_LINE_INVALID"),
    (FWB.replace(b"/T12K345.5MC2.10", b"/T12X345.5MC2.10"), "T12X345.5", "CIMP_WEIGHT_CODE_INVALID"),
    (FWB.replace(b"/T12K345.5MC2.10", b"/T12K"), "/T12K", "CIMP_QUANTITY_INVALID"),
    (FWB.replace(b"CVD/HKD", b"XYZ/HKD"), "XYZ/HKD", "CIMP_TAG_UNKNOWN"),
    (FWB.replace(b"SPH/ELI", b"sph/ELI"), "sph/ELI", "CIMP_LINE_INVALID"),
    (FWB.replace(b"FLT/CX289/26", b"FLT/CX289/32"), "FLT/CX289/32", "CIMP_DATE_INVALID"),
    (FWB.replace(b"OCI/HK/ISS/RA/01234-02", b"OCI/HK/ISS"), "OCI/HK/ISS", "CIMP_FIELD_INVALID"),
    (FHL.replace(b"/K120.0/", b"/X120.0/"), "/X120.0/", "CIMP_WEIGHT_CODE_INVALID"),
    (FHL.replace(b"/HKGFRA/5/", b"/HKGFRA/FIVE/"), "FIVE", "CIMP_QUANTITY_INVALID"),
    (FHL.replace(b"HBS/", b"HTS/847330\nHBS/"), "HTS/847330", "CIMP_LINE_UNEXPECTED"),     # above any house
    (FFM1.replace(b"1/CA931/26NOV/PEK", b"1/CA931/31NOV/PEK"), "31NOV", "CIMP_DATE_INVALID"),
    (FFM1.replace(b"ULD/AKE23456CA", b"ULD/AKE"), "ULD/AKE", "CIMP_FIELD_INVALID"),
    (FFM1.replace(b"ULD/AKE23456CA", b"XYZ/AKE23456CA"), "XYZ/AKE", "CIMP_TAG_UNKNOWN"),
    (FFM1.replace(b"CONT\n", b""), "/FRALH400/27NOV", "CIMP_END_MISSING"),
    (FFM1 + FFM2.replace(b"2/CA931", b"3/CA931"), "3/CA931", "CIMP_PART_SEQUENCE"),
    (FFM1 + FFM2.replace(b"2/CA931", b"2/CA933"), "2/CA933", "CIMP_PART_SEQUENCE"),
    (FFM2 + b"ORD\n", "ORD", "CIMP_LINE_UNEXPECTED"),
    (without(FFM1, b"FRA/27NOV", b"ULD/"), "999-87654335", "CIMP_LINE_MISSING"),  # no point of unloading above
    (FSU.replace(b"RCF/CA931/27NOV0625", b"RCF/CA931/27NOX0625"), "27NOX", "CIMP_DATE_INVALID"),
    (FSU.replace(b"/FRA/T8K96.0\n", b"/FR/T8K96.0\n"), "/FR/", "CIMP_FIELD_INVALID"),
    (FSU.replace(b"OSI/", b"DLV/27NOV1530/FRA/T8K96.0\nOSI/"), "DLV/", "CIMP_STATUS_REPEATED"),
    (FSU.replace(b".PEKFMCA 270642 CA-FSU-7781\n", b""), "FSU/14", "CIMP_ENVELOPE_INVALID"),
])
def test_a_broken_message_is_reported_with_its_code_on_the_faulty_line(imp, broken, needle, code):
    assert problems(imp, broken) == [(code, line_of(broken, needle))]


@pytest.mark.parametrize("data, identifier, missing", [
    (without(FWB, b"CNE\n", b"AGT/"), "FWB/16", "CNE"),
    (without(FWB, b"SHP/", b"CNE\n"), "FWB/16", "SHP"),
    (without(FHL, b"MBI/", b"HBS/"), "FHL/5", "MBI"),
    (without(FHL, b"HBS/", b"TXT/"), "FHL/5", "HBS"),
    (without(FSU, b"RCF/", b"OSI/"), "FSU/14", "status"),
])
def test_a_missing_mandatory_line_is_reported_on_the_message_identifier(imp, data, identifier, missing):
    found = imp.inspect(data).problems
    assert [(p.code, p.line) for p in found] == [("CIMP_LINE_MISSING", line_of(data, identifier))]
    assert missing in found[0].message


def test_a_message_with_only_its_identifier_lacks_the_awb_line(imp):
    assert problems(imp, b"FWB/16\n") == [("CIMP_LINE_MISSING", 1)]


def test_line_numbers_count_the_envelope_and_blank_lines(imp):
    data = FSU.replace(b"OSI/", b"\n\nXYZ/")
    assert problems(imp, data) == [("CIMP_TAG_UNKNOWN", line_of(data, "XYZ/"))]
    assert line_of(data, "XYZ/") == 8


def test_a_continuation_line_with_nothing_above_it_is_unexpected(imp):
    data = FWB.replace(b"FLT/CX289/26\n", b"/CX289/26\n")
    assert problems(imp, data) == [("CIMP_LINE_UNEXPECTED", 3)]


def test_a_wrong_awb_check_digit_is_a_business_rule_problem_of_a_parsed_waybill(imp):
    data = FWB.replace(b"160-24680132", b"160-24680133")
    inbound = imp.inspect(data)
    assert inbound.document.number == "160-24680133"
    assert [(p.code, p.path) for p in inbound.problems] == [("RULE_AWB_CHECK_DIGIT", "/number")]
    with pytest.raises(InvalidDocument) as raised:
        imp.read(data)
    assert raised.value.code == "RULE_AWB_CHECK_DIGIT"


def test_an_unknown_country_in_a_party_block_is_a_business_rule_problem(imp):
    data = FWB.replace(b"/DE/65451/TE", b"/XX/65451/TE")
    assert [p.code for p in imp.inspect(data).problems] == ["RULE_COUNTRY_CODE"]


@pytest.mark.parametrize("name, update, code", [
    ("fsu-dlv-160-24680132.txt", {"location": None}, "CONVERT_FIELD_MISSING"),
    ("fsu-dlv-160-24680132.txt", {"happened_at": None}, "CONVERT_FIELD_MISSING"),
    ("fsu-dlv-160-24680132.txt", {"origin": None}, "CONVERT_FIELD_MISSING"),
    ("ffm-ca931-pek-fra-part1.txt", {"consignments": "no destination"}, "CONVERT_FIELD_MISSING"),
])
def test_rendering_refuses_what_cargo_imp_cannot_carry_with_a_code(imp, ctx, name, update, code):
    doc = imp.read(example("cargo_imp", name)).document
    if update.get("consignments") == "no destination":
        update = {"consignments": [doc.consignments[0].model_copy(update={"destination": None})]}
    with pytest.raises(ConversionError) as raised:
        imp.render(doc.model_copy(update=update), name.split("-")[0], ctx)
    assert raised.value.code == code
