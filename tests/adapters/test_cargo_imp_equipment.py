"""ULDs in Cargo-IMP: the FFM's ULD lines and the FWB's ULD numbers, read into canonical equipment and written back.

FFM: a ``ULD/PMC12345CA`` line heads the consignments loaded in that ULD (further fields, such as
a loading indicator ``/W-2190.0 C-L``, are read past); ``ULD/BLK`` and a new point of unloading end
it (the consignments after them are bulk). Written: the bulk consignments directly under the point
of unloading, then one ULD line per ULD with its consignments.

FWB: the rate description's ULD number (``RTD`` continuation ``/n/NU/PMC12345CA``), one per ULD.
"""

from __future__ import annotations

import pytest

from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Conveyance, Manifest, ManifestConsignment, Measure, Party, TransportEquipment, TransportMode
from tests.adapters.test_cargo_imp import NOW, fixed_engine
from tests.conftest import example

CTX = RenderContext(message_id="HUB-ULD-IMP", sender_id="EPORTHUB", receiver_id="CUSTOMS", created_at=NOW)
PMC = TransportEquipment(type_code="PMC", serial="12345", owner="CA")
AKE = TransportEquipment(type_code="AKE", serial="23456", owner="CA")
FFM1 = example("cargo_imp", "ffm-ca931-pek-fra-part1.txt")
FWB = example("cargo_imp", "fwb-cx-hkg-fra.txt")


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


def equipment_by_awb(manifest: Manifest) -> list[tuple[str, list[str]]]:
    return [(c.transport_document, [e.id for e in c.equipment]) for c in manifest.consignments]


def _manifest(*consignments: ManifestConsignment) -> Manifest:
    return Manifest(conveyance=Conveyance(mode=TransportMode.AIR, carrier=Party(id="CA"), journey_id="CA931",
                                          departure_date="2026-11-26"),
                    loading_location={"code": "PEK"}, unloading_location={"code": "FRA"},
                    consignments=list(consignments))


def _consignment(awb: str, *equipment: TransportEquipment) -> ManifestConsignment:
    return ManifestConsignment(transport_document=awb, pieces=2, gross_weight=Measure(value=100),
                               origin={"code": "PEK"}, destination={"code": "FRA"}, equipment=list(equipment))


# -- FFM ----------------------------------------------------------------------------------------------

def test_ffm_consignments_are_loaded_in_the_uld_above_them(imp):
    manifest = imp.read(FFM1).document
    assert equipment_by_awb(manifest) == [("999-87654335", ["PMC12345CA"]), ("784-31415926", ["PMC12345CA"]),
                                          ("999-87654346", ["AKE23456CA"])]
    assert manifest.consignments[0].equipment == [PMC] and manifest.consignments[2].equipment == [AKE]


def test_ffm_uld_line_with_a_loading_indicator_and_blk_and_a_new_unloading_point(imp):
    data = FFM1.replace(b"ULD/PMC12345CA", b"ULD/PMC12345CA/W-2190.0 C-L ") \
        .replace(b"ULD/AKE23456CA\n", b"ULD/BLK\n")
    assert equipment_by_awb(imp.read(data).document)[1:] == [("784-31415926", ["PMC12345CA"]),
                                                             ("999-87654346", [])]
    later = FFM1.replace(b"ULD/AKE23456CA\n", b"MUC\n")      # a second point of unloading: its cargo is bulk
    assert equipment_by_awb(imp.read(later).document)[2] == ("999-87654346", [])


@pytest.mark.parametrize("line", [b"ULD/PMC12345CAX", b"ULD/PMC123CA", b"ULD/BLKX"])
def test_ffm_a_uld_line_that_names_no_uld_is_refused(imp, line):
    problems = imp.inspect(FFM1.replace(b"ULD/AKE23456CA", line)).problems
    assert [p.code for p in problems] == ["CIMP_FIELD_INVALID"]


def test_ffm_written_bulk_first_then_each_uld_with_its_consignments_and_read_back(imp):
    manifest = _manifest(_consignment("999-12345675", PMC), _consignment("999-44556676"),
                         _consignment("999-11111111", PMC), _consignment("999-22222222", AKE),
                         _consignment("999-33333333"))
    text = imp.render(manifest, "ffm", CTX).data.decode().split("\r\n")
    body = [line[:12] if line[:3].isdigit() else line for line in text[3:-2]]
    assert body == ["999-44556676", "999-33333333", "ULD/PMC12345CA", "999-12345675", "999-11111111",
                    "ULD/AKE23456CA", "999-22222222"]
    again = imp.read("\r\n".join(text).encode()).document
    assert dict(equipment_by_awb(again)) == dict(equipment_by_awb(manifest))


def test_ffm_example_survives_its_own_round_trip_with_its_ulds(imp):
    manifest = imp.read(FFM1).document
    output = imp.render(manifest, "ffm", CTX).data
    assert b"\r\nULD/PMC12345CA\r\n999-87654335PEKFRA/" in output and b"\r\nULD/AKE23456CA\r\n" in output
    assert imp.read(output).document.consignments == manifest.consignments


def test_xffm_with_ulds_to_ffm_and_back_to_canonical_keeps_the_ulds(imp):
    xffm = example("cargo_xml", "xffm-ca935-pvg-fra.xml")
    manifest = imp.read(xffm).document
    assert any(c.equipment for c in manifest.consignments)
    again = imp.read(imp.render(manifest, "ffm", CTX).data).document
    assert dict(equipment_by_awb(again)) == dict(equipment_by_awb(manifest))
    assert {c.transport_document: c.equipment for c in again.consignments} == \
        {c.transport_document: c.equipment for c in manifest.consignments}


@pytest.mark.parametrize("uld", [TransportEquipment(type_code="AKE", serial="4711"),   # no owner
                                 TransportEquipment(serial="MSKU1234565")])           # a sea container
def test_ffm_equipment_that_is_no_whole_uld_is_refused_not_dropped(imp, uld):
    with pytest.raises(ConversionError) as caught:
        imp.render(_manifest(_consignment("999-12345675", uld)), "ffm", CTX)
    assert caught.value.code == "CONVERT_FIELD_INVALID" and uld.id in caught.value.message


# -- FWB ----------------------------------------------------------------------------------------------

def test_fwb_uld_numbers_in_the_rate_description_are_the_waybills_equipment(imp):
    data = FWB.replace(b"/5/NV/MC2.10", b"/5/NV/MC2.10\n/6/NU/PMC12345CA\n/7/NU/AKE23456CA")
    waybill = imp.read(data).document
    assert waybill.equipment == [PMC, AKE]
    assert imp.read(FWB).document.equipment == []


def test_fwb_writes_each_uld_number_and_reads_it_back(imp):
    waybill = imp.read(FWB).document.model_copy(update={"equipment": [PMC, AKE]})
    output = imp.render(waybill, "fwb", CTX).data
    assert b"/5/NV/MC2.10\r\n/6/NU/PMC12345CA\r\n/7/NU/AKE23456CA\r\n" in output
    assert imp.read(output).document.equipment == [PMC, AKE]


def test_xfwb_with_ulds_to_fwb_and_back_keeps_the_ulds(imp):
    from tests.adapters.test_cargo_xml_equipment import ULD_XFWB
    owned = ULD_XFWB.replace(b"<CharacteristicCode>AKE</CharacteristicCode>",
                             b"<CharacteristicCode>AKE</CharacteristicCode><OperatingParty><PrimaryID>CA"
                             b"</PrimaryID></OperatingParty>")
    waybill = imp.read(owned).document
    again = imp.read(imp.render(waybill, "fwb", CTX).data).document
    assert again.equipment == waybill.equipment == [TransportEquipment(type_code="PMC", serial="1337", owner="CA"),
                                                    TransportEquipment(type_code="AKE", serial="4711", owner="CA")]


def test_fwb_refuses_equipment_that_is_no_whole_uld(imp):
    waybill = imp.read(FWB).document.model_copy(update={"equipment": [TransportEquipment(serial="MSKU1234565")]})
    with pytest.raises(ConversionError) as caught:
        imp.render(waybill, "fwb", CTX)
    assert caught.value.code == "CONVERT_FIELD_INVALID"


@pytest.mark.parametrize("text", ["PMC12345CA", "AKE1234CA", " PMC98669KZ ", "PMC 12345 CA", "PMC12345",
                                  "MSKU1234565", ""])
def test_a_cargo_imp_uld_is_the_models_uld_run_together(text):
    from adapters.cargo_imp.uld import read_uld, write_uld
    from hub.models import TransportEquipment
    model = TransportEquipment.from_id(text)
    uld = read_uld(text)
    if model.owner is None or " " in text.strip():
        assert uld is None
    else:
        assert uld == model and write_uld(uld, "test") == model.id == text.strip()
