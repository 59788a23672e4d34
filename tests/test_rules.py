"""Business rules on canonical documents: each rule has a stable code and points at the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.models import (
    Address,
    Amount,
    Conveyance,
    Declaration,
    GoodsItem,
    Location,
    Manifest,
    ManifestConsignment,
    Measure,
    Party,
    TransportMode,
    Waybill,
    WaybillType,
)
from hub.rules import awb_problem, check


def waybill(**changes) -> Waybill:
    base = dict(number="999-12345675", shipper=Party(name="S", address=Address(country="DE")),
                consignee=Party(name="C", address=Address(country="CN")), origin=Location(code="FRA"),
                destination=Location(code="PEK"), pieces=3, gross_weight=Measure(value=Decimal("42.5")),
                hs_codes=["847130"])
    return Waybill(**{**base, **changes})


def manifest(**changes) -> Manifest:
    base = dict(conveyance=Conveyance(mode=TransportMode.AIR, carrier=Party(id="CA"), journey_id="CA932",
                                      departure_date=date(2026, 11, 27)),
                loading_location=Location(code="FRA"), unloading_location=Location(code="CNPEK"),
                consignments=[ManifestConsignment(transport_document="999-12345675", pieces=2,
                                                  gross_weight=Measure(value=Decimal("10.5"))),
                              ManifestConsignment(transport_document="999-12345686", pieces=3,
                                                  gross_weight=Measure(value=Decimal("20")))],
                total_pieces=5, total_gross_weight=Measure(value=Decimal("30.5")))
    return Manifest(**{**base, **changes})


def declaration(**changes) -> Declaration:
    item = GoodsItem(sequence=1, hs_code="6403990000", description="shoes", origin_country="VN",
                     quantity=Measure(value=Decimal(10), unit="PR"), value=Amount(value=Decimal("300"), currency="USD"))
    base = dict(reference="LRN-1", declarant=Party(id="91310000MA1234567X"), declaration_office="2233",
                items=[item, item.model_copy(update={"sequence": 2})],
                total_value=Amount(value=Decimal("600"), currency="USD"))
    return Declaration(**{**base, **changes})


def codes(doc) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in check(doc)]


def test_valid_documents_have_no_problems():
    assert check(waybill()) == [] and check(manifest()) == [] and check(declaration()) == []


def test_awb_with_a_wrong_check_digit_is_named():
    assert codes(waybill(number="999-12345676")) == [("RULE_AWB_CHECK_DIGIT", "/number")]


def test_awb_of_the_wrong_shape_is_named():
    assert codes(waybill(number="99912345")) == [("RULE_AWB_FORMAT", "/number")]


def test_house_waybill_checks_its_master_awb_not_its_own_number():
    house = waybill(type=WaybillType.HOUSE, number="SHA-0001", master_number="999-12345670")
    assert codes(house) == [("RULE_AWB_CHECK_DIGIT", "/master_number")]


@given(st.integers(min_value=0, max_value=9_999_999), st.integers(min_value=0, max_value=999))
def test_check_digit_is_serial_mod_seven(serial: int, prefix: int):
    good = f"{prefix:03d}-{serial:07d}{serial % 7}"
    bad = f"{prefix:03d}-{serial:07d}{(serial % 7 + 1) % 10}"
    assert awb_problem(good, "/n") is None
    assert awb_problem(bad, "/n").code == "RULE_AWB_CHECK_DIGIT"


@pytest.mark.parametrize("field,value,path", [
    ("pieces", 0, "/pieces"),
    ("gross_weight", Measure(value=Decimal("-1")), "/gross_weight/value"),
    ("volume", Measure(value=Decimal("0"), unit="MTQ"), "/volume/value"),
])
def test_non_positive_quantities_are_refused(field, value, path):
    assert codes(waybill(**{field: value})) == [("RULE_NOT_POSITIVE", path)]


@pytest.mark.parametrize("hs", ["84713", "84713012345", "8471.30", "ABCDEF"])
def test_hs_codes_need_six_to_ten_digits(hs):
    assert codes(waybill(hs_codes=[hs])) == [("RULE_HS_CODE", "/hs_codes/0")]


def test_unknown_country_is_refused_with_its_path():
    doc = waybill(consignee=Party(name="C", address=Address(country="XX")))
    assert codes(doc) == [("RULE_COUNTRY_CODE", "/consignee/address/country")]


@pytest.mark.parametrize("code", ["PEKING", "pek", "CN-PEK", "12345"])
def test_locations_must_look_like_locode_or_iata(code):
    assert codes(waybill(origin=Location(code=code))) == [("RULE_LOCATION_CODE", "/origin/code")]


def test_locode_with_unknown_country_is_refused():
    assert codes(waybill(origin=Location(code="QQSHA"))) == [("RULE_COUNTRY_CODE", "/origin/code")]


def test_manifest_totals_must_equal_the_sum_of_consignments():
    doc = manifest(total_pieces=6, total_gross_weight=Measure(value=Decimal("31")))
    assert codes(doc) == [("RULE_TOTAL_MISMATCH", "/total_pieces"),
                          ("RULE_TOTAL_MISMATCH", "/total_gross_weight/value")]


def test_air_manifest_checks_every_awb():
    doc = manifest()
    doc.consignments[1].transport_document = "999-12345687"
    assert codes(doc) == [("RULE_AWB_CHECK_DIGIT", "/consignments/1/transport_document")]


def test_sea_manifest_does_not_treat_bills_of_lading_as_awbs():
    doc = manifest()
    doc.conveyance.mode = TransportMode.SEA
    doc.consignments[0].transport_document = "COSU6123456780"
    assert check(doc) == []


def test_declaration_currency_country_and_total_rules():
    doc = declaration()
    doc.items[0].value.currency = "XYZ"
    doc.items[1].origin_country = "ZZ"
    found = codes(doc)
    assert ("RULE_CURRENCY_CODE", "/items/0/value/currency") in found
    assert ("RULE_COUNTRY_CODE", "/items/1/origin_country") in found


def test_declaration_total_value_must_match_items_in_one_currency():
    assert codes(declaration(total_value=Amount(value=Decimal("601"), currency="USD"))) == [
        ("RULE_TOTAL_MISMATCH", "/total_value/value")]


def test_implausible_dates_are_refused():
    doc = manifest()
    doc.conveyance.departure_date = date(999, 1, 1)
    assert codes(doc) == [("RULE_DATE_RANGE", "/conveyance/departure_date")]
