"""One rule for the airline a flight number names, shared by Cargo-IMP and Cargo-XML (adapters.flights).

A designator is two characters with at least one letter (CA, 9W, 3U) or three letters (ABC);
an all-digit flight number names no airline: None, not a guess at its first two digits.
"""

from __future__ import annotations

import pytest

from adapters.flights import carrier_of
from tests.adapters.test_cargo_imp import fixed_engine, read
from tests.conftest import example


@pytest.mark.parametrize("flight, carrier", [
    ("CA1041", "CA"), ("QR8403", "QR"), ("9W123", "9W"), ("3U8888", "3U"), ("U23456", "U2"),
    ("ABC123", "ABC"), ("CA 1041", "CA"), ("KZ0254A", "KZ"),
    ("1234", None), ("12", None), ("", None), ("A1B23", None), ("CA", None),
])
def test_the_carrier_of_a_flight_number_is_its_designator_and_none_when_it_has_none(flight, carrier):
    assert carrier_of(flight) == carrier


def test_both_adapter_families_use_the_one_rule():
    from adapters.cargo_imp import manifest, status, waybill
    from adapters.cargo_xml import manifest as xml_manifest
    from adapters.cargo_xml import readers
    assert {waybill.carrier_of, status.carrier_of, manifest.carrier_of, readers.carrier_of,
            xml_manifest.carrier_of} == {carrier_of}


def test_a_cargo_imp_status_with_an_all_digit_flight_names_no_carrier():
    imp = fixed_engine()
    assert read(imp, "fsu-dep-999-87654346.txt").carrier == "CA"
    data = example("cargo_imp", "fsu-dep-999-87654346.txt").replace(b"/CA931/", b"/1234/")
    status = imp.read(data).document
    assert (status.flight, status.carrier) == ("1234", None)
