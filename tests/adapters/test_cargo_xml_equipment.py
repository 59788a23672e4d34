"""ULDs (unit load devices) and carriers in Cargo-XML: read into the canonical model, written back.

An XFWB or XFZB goods item names the ULDs it is loaded in
(``AssociatedUnitLoadTransportEquipment``: ID = serial, CharacteristicCode = ULD type,
OperatingParty/PrimaryID = owner); an XFFM lists consignments under each ULD
(``AssociatedTransportCargo`` TypeCode ULD with ``UtilizedUnitLoadTransportEquipment``) or in bulk
(BLK). All land in ``equipment`` of the waybill or manifest consignment. A routing leg without a
carrier element takes the airline from its flight designator (CA1041 -> CA).

The fixture below is written for these tests: a default-namespace XFWB (no ``ram:`` prefix), CRLF
line ends, no ModeCode, indented multi-line text (kept as sent) and a piece count that differs from the goods
item's, as real senders write them.
"""

from __future__ import annotations

import json

import pytest

from hub.adapters import RenderContext
from hub.models import (
    Conveyance,
    Manifest,
    ManifestConsignment,
    Measure,
    Party,
    TransportEquipment,
    TransportMode,
    Waybill,
    WaybillType,
)

ULD_XFWB = """<?xml version="1.0" encoding="UTF-8"?>
<w:Waybill xmlns="iata:datamodel:3" xmlns:w="iata:waybill:1">
  <w:MessageHeaderDocument>
    <ID>999-12345675_1</ID>
    <TypeCode>741</TypeCode>
    <IssueDateTime>2026-03-10T11:00:00+08:00</IssueDateTime>
    <PurposeCode>Creation</PurposeCode>
    <SenderParty><PrimaryID schemeID="C">FWDTEST</PrimaryID></SenderParty>
  </w:MessageHeaderDocument>
  <w:BusinessHeaderDocument>
    <ID>999-12345675</ID>
  </w:BusinessHeaderDocument>
  <w:MasterConsignment>
    <IncludedTareGrossWeightMeasure unitCode="KGM">812.5</IncludedTareGrossWeightMeasure>
    <TotalPieceQuantity>7</TotalPieceQuantity>
    <ConsignorParty>
      <Name>TEST EXPORTER CO LTD
          BUILDING 4</Name>
      <PostalStructuredAddress><CityName>BEIJING</CityName><CountryID>CN</CountryID></PostalStructuredAddress>
    </ConsignorParty>
    <ConsigneeParty>
      <Name>TEST IMPORTER GMBH</Name>
      <PostalStructuredAddress><CityName>FRANKFURT</CityName><CountryID>DE</CountryID></PostalStructuredAddress>
    </ConsigneeParty>
    <OriginLocation><ID>PEK</ID></OriginLocation>
    <FinalDestinationLocation><ID>FRA</ID></FinalDestinationLocation>
    <SpecifiedLogisticsTransportMovement>
      <StageCode>Main-Carriage</StageCode>
      <ID>CA1041</ID>
      <SequenceNumeric>1</SequenceNumeric>
      <ArrivalEvent><OccurrenceArrivalLocation><ID>FRA</ID></OccurrenceArrivalLocation></ArrivalEvent>
      <DepartureEvent><OccurrenceDepartureLocation><ID>PEK</ID></OccurrenceDepartureLocation></DepartureEvent>
    </SpecifiedLogisticsTransportMovement>
    <ApplicableRating>
      <IncludedMasterConsignmentItem>
        <SequenceNumeric>1</SequenceNumeric>
        <TypeCode>847130</TypeCode>
        <PieceQuantity>3</PieceQuantity>
        <NatureIdentificationTransportCargo><Identification>LAPTOPS</Identification></NatureIdentificationTransportCargo>
        <AssociatedUnitLoadTransportEquipment>
          <ID>1337</ID>
          <CharacteristicCode>PMC</CharacteristicCode>
          <OperatingParty><PrimaryID>CA</PrimaryID></OperatingParty>
        </AssociatedUnitLoadTransportEquipment>
        <AssociatedUnitLoadTransportEquipment>
          <ID>4711</ID>
          <CharacteristicCode>AKE</CharacteristicCode>
        </AssociatedUnitLoadTransportEquipment>
      </IncludedMasterConsignmentItem>
    </ApplicableRating>
  </w:MasterConsignment>
</w:Waybill>
""".replace("\n", "\r\n").encode()

PMC = TransportEquipment(type_code="PMC", serial="1337", owner="CA")
AKE = TransportEquipment(type_code="AKE", serial="4711")
CTX = RenderContext(message_id="HUB-ULD-1", sender_id="EPORTHUB", receiver_id="AIRLINE")


def test_a_uld_is_its_type_serial_and_owner_and_reads_back_from_its_identifier():
    assert (PMC.id, AKE.id) == ("PMC1337CA", "AKE4711")
    assert TransportEquipment.from_id("PMC1337XX") == TransportEquipment(type_code="PMC", serial="1337", owner="XX")
    assert TransportEquipment.from_id("AKE 12345 LH") == TransportEquipment(type_code="AKE", serial="12345", owner="LH")
    container = TransportEquipment.from_id("MSKU1234565")
    assert (container.serial, container.type_code, container.id) == ("MSKU1234565", None, "MSKU1234565")


def test_empty_equipment_stays_out_of_the_canonical_json_and_full_equipment_is_in_it():
    bare = Waybill(number="999-12345675", shipper=Party(name="A"), consignee=Party(name="B"),
                   origin={"code": "PEK"}, destination={"code": "FRA"}, pieces=1, gross_weight=Measure(value=1))
    assert "equipment" not in bare.model_dump() and "equipment" not in json.loads(bare.model_dump_json())
    loaded = bare.model_copy(update={"equipment": [PMC]})
    assert json.loads(loaded.model_dump_json())["equipment"] == [{"type_code": "PMC", "serial": "1337", "owner": "CA"}]


def test_a_default_namespace_crlf_xfwb_without_mode_code_is_accepted_with_its_ulds(engine):
    inbound = engine.inspect(ULD_XFWB)
    assert (inbound.adapter.name, inbound.problems) == ("xfwb", [])
    waybill = engine.read(ULD_XFWB).document
    assert waybill.equipment == [PMC, AKE]
    assert (waybill.pieces, waybill.hs_codes) == (7, ["847130"])  # 7 pieces although the item says 3


def test_a_leg_without_a_carrier_element_takes_the_airline_of_its_flight_designator(engine):
    leg = engine.read(ULD_XFWB).document.routing[0]
    assert (leg.carrier, leg.number) == ("CA", "CA1041")


@pytest.mark.parametrize("target", ["xfwb", "xfzb"])
def test_ulds_survive_writing_a_waybill_back(engine, target):
    waybill = engine.read(ULD_XFWB).document
    if target == "xfzb":
        waybill = waybill.model_copy(
            update={"type": WaybillType.HOUSE, "number": "HAWB0001", "master_number": "999-12345675"})
    output = engine.render(waybill, target, CTX)
    again = engine.read(output.data).document
    assert again.equipment == [PMC, AKE]
    text = output.data.decode()
    assert "<ram:CharacteristicCode>PMC</ram:CharacteristicCode>" in text and "<ram:ID>1337</ram:ID>" in text


def _manifest(*consignments: ManifestConsignment) -> Manifest:
    return Manifest(conveyance=Conveyance(mode=TransportMode.AIR, carrier=Party(id="CA"), journey_id="CA931",
                                          departure_date="2026-03-10"),
                    loading_location={"code": "PEK"}, unloading_location={"code": "FRA"},
                    consignments=list(consignments))


def _consignment(awb: str, *equipment: TransportEquipment) -> ManifestConsignment:
    return ManifestConsignment(transport_document=awb, pieces=2, gross_weight=Measure(value=100),
                               equipment=list(equipment))


def test_xffm_lists_consignments_under_their_uld_and_the_rest_in_bulk_and_reads_them_back(engine):
    manifest = _manifest(_consignment("999-12345675", PMC), _consignment("999-44556676"),
                         _consignment("999-11111111", PMC), _consignment("999-22222222", AKE))
    output = engine.render(manifest, "xffm", CTX)
    cargo = output.tree.getroot().findall(".//{iata:datamodel:3}AssociatedTransportCargo")
    kinds = [(c.findtext("{iata:datamodel:3}TypeCode"),
              c.findtext("{iata:datamodel:3}UtilizedUnitLoadTransportEquipment/{iata:datamodel:3}ID"),
              len(c.findall("{iata:datamodel:3}IncludedMasterConsignment"))) for c in cargo]
    assert kinds == [("ULD", "1337", 2), ("ULD", "4711", 1), ("BLK", None, 1)]
    again = engine.read(output.data).document
    assert {c.transport_document: c.equipment for c in again.consignments} == \
        {"999-12345675": [PMC], "999-11111111": [PMC], "999-22222222": [AKE], "999-44556676": []}


def test_a_waybills_ulds_reach_the_canonical_json(engine):
    output = engine.render(engine.read(ULD_XFWB).document, "json", CTX)
    equipment = json.loads(output.data)["document"]["equipment"]
    assert [(e["type_code"], e["serial"], e.get("owner")) for e in equipment] == [("PMC", "1337", "CA"),
                                                                                ("AKE", "4711", None)]
