"""hub.models.manifest.by_equipment: consignments grouped by the equipment they are loaded in."""

from __future__ import annotations

from decimal import Decimal

from hub.models import ManifestConsignment, Measure, TransportEquipment
from hub.models.manifest import by_equipment


def item(bill: str, *ulds: str) -> ManifestConsignment:
    return ManifestConsignment(transport_document=bill, pieces=1, gross_weight=Measure(value=Decimal(1)),
                               equipment=[TransportEquipment.from_id(u) for u in ulds])


def shape(groups) -> list[tuple[str | None, list[str]]]:
    return [(None if uld is None else uld.id, [c.transport_document for c in items]) for uld, items in groups]


def test_consignments_group_under_their_first_equipment_in_order_of_first_appearance_bulk_last_or_first():
    items = [item("A"), item("B", "PMC1337XX"), item("C", "AKE1234CA", "PMC1337XX"), item("D"),
             item("E", "PMC 1337 XX")]
    assert shape(by_equipment(items)) == \
        [("PMC1337XX", ["B", "E"]), ("AKE1234CA", ["C"]), (None, ["A", "D"])]
    assert shape(by_equipment(items, bulk_first=True)) == \
        [(None, ["A", "D"]), ("PMC1337XX", ["B", "E"]), ("AKE1234CA", ["C"])]


def test_no_bulk_group_without_a_bulk_consignment():
    assert shape(by_equipment([item("B", "PMC1337XX")], bulk_first=True)) == [("PMC1337XX", ["B"])]
    assert by_equipment([]) == []
