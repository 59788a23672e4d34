"""Transport equipment in GACC MT1101/MT2101: each consignment's containers or ULDs.

A consignment names the equipment its goods are loaded in, one ``TransportEquipment`` each
(after TransportContractDocument): the hub writes the standard's
``TransportEquipment/EquipmentIdentification/ID`` (a container number, or a ULD as PMC12345CA)
and reads that or the short ``TransportEquipment/ID`` that port systems (and GACC's own MT1401
template) send. A waybill's ULDs go into its one-consignment manifest.
"""

from __future__ import annotations

import pytest

from hub.models import TransportEquipment
from tests.adapters.gacc_support import CTX, air_waybill
from tests.adapters.test_edifact_cuscar_equipment import loaded
from tests.conftest import example

NS = {"MT1101": {"m": "urn:Declaration:datamodel:standard:CN:MT1101:1"},
      "MT2101": {"m": "urn:Declaration:datamodel:standard:CN:MT2101:1"}}
PMC = TransportEquipment(type_code="PMC", serial="1337", owner="CA")
AKE = TransportEquipment(type_code="AKE", serial="4711", owner="CA")
CONTAINERS = [TransportEquipment(serial="CSNU7324517"), TransportEquipment(serial="CSNU7324522")]
ULDS = b"""<AssociatedUnitLoadTransportEquipment><ID>1337</ID><CharacteristicCode>PMC</CharacteristicCode>
          <OperatingParty><PrimaryID>CA</PrimaryID></OperatingParty></AssociatedUnitLoadTransportEquipment>
        <AssociatedUnitLoadTransportEquipment><ID>4711</ID><CharacteristicCode>AKE</CharacteristicCode>
          <OperatingParty><PrimaryID>CA</PrimaryID></OperatingParty></AssociatedUnitLoadTransportEquipment>
"""


def ids(consignment_el, ns) -> list[str]:
    return [el.text for el in consignment_el.iterfind("m:TransportEquipment/m:EquipmentIdentification/m:ID", ns)]


def test_the_sea_manifests_containers_are_its_consignments_equipment(engine):
    manifest = engine.read(example("gacc", "mt1101-sea-import.xml")).document
    assert manifest.consignments[0].equipment == CONTAINERS


def test_the_standards_equipment_identification_is_read_as_well(engine):
    data = example("gacc", "mt1101-sea-import.xml").replace(
        b"<ID>CSNU7324522</ID>", b"<EquipmentIdentification><ID>CSNU7324522</ID></EquipmentIdentification>")
    inbound = engine.inspect(data)
    assert inbound.problems == []
    assert engine.read(data).document.consignments[0].equipment == CONTAINERS


@pytest.mark.parametrize("target", ["gacc-mt1101", "gacc-mt2101"])
def test_containers_and_ulds_are_written_after_the_bill_and_read_back(engine, target):
    manifest = engine.read(example("gacc", "mt1101-sea-import.xml")).document
    first = manifest.consignments[0]
    first = first.model_copy(update={"equipment": [*first.equipment, PMC]})
    manifest = manifest.model_copy(update={"consignments": [first]})
    output = engine.render(manifest, target, CTX)             # the engine validates against the XSD
    ns = NS[target[-6:].upper()]
    consignment = output.tree.getroot().find("m:Declaration/m:Consignment", ns)
    assert ids(consignment, ns) == ["CSNU7324517", "CSNU7324522", "PMC1337CA"]
    names = [el.tag.split("}")[1] for el in consignment]
    assert names[names.index("TransportContractDocument") + 1] == "TransportEquipment"
    assert engine.read(output.data).document.consignments[0].equipment == [*CONTAINERS, PMC]


def test_a_consignment_without_equipment_writes_none(engine):
    output = engine.render(air_waybill(), "gacc-mt1101", CTX)
    assert b"TransportEquipment" not in output.data


@pytest.mark.parametrize("name, target", [("xfwb-food-fra-pek.xml", "gacc-mt1101"),
                                          ("xfwb-pek-fra.xml", "gacc-mt2101")])
def test_an_xfwb_with_ulds_becomes_a_manifest_carrying_them(engine, name, target):
    data = example("cargo_xml", name).replace(b"</NatureIdentificationTransportCargo>",
                                              b"</NatureIdentificationTransportCargo>" + ULDS, 1)
    waybill = engine.read(data).document
    assert waybill.equipment == [PMC, AKE]
    output = engine.render(waybill, target, CTX)
    ns = NS[target[-6:].upper()]
    assert ids(output.tree.getroot().find("m:Declaration/m:Consignment", ns), ns) == ["PMC1337CA", "AKE4711CA"]
    assert engine.read(output.data).document.consignments[0].equipment == [PMC, AKE]


def test_a_uld_without_owner_keeps_its_identifier(engine):
    waybill = air_waybill().model_copy(update={"equipment": [TransportEquipment(type_code="AKE", serial="4711")]})
    manifest = engine.read(engine.render(waybill, "gacc-mt1101", CTX).data).document
    assert [e.id for e in manifest.consignments[0].equipment] == ["AKE4711"]


def test_cuscar_with_equipment_to_mt1101_and_back_to_cuscar_keeps_it(engine, ctx):
    cuscar = engine.read(loaded()).document
    mt1101 = engine.render(cuscar, "gacc-mt1101", ctx)
    assert b"<EquipmentIdentification><ID>CSNU7324517</ID></EquipmentIdentification>" in mt1101.data
    via_gacc = engine.read(mt1101.data).document
    again = engine.read(engine.render(via_gacc, "cuscar", ctx).data).document
    ids = [[e.id for e in c.equipment] for c in again.consignments]
    assert ids == [[e.id for e in c.equipment] for c in cuscar.consignments] == \
        [["CSNU7324517", "CSNU7324522"], [], ["PMC1337CA", "TGHU8800113"]]
    assert again.consignments[2].equipment[0] == PMC
