"""Canonical documents. Every adapter parses into and renders from these."""

from typing import Annotated

from pydantic import Field, TypeAdapter

from .common import (
                     Address,
                     Amount,
                     CustomsNote,
                     Direction,
                     Function,
                     Kind,
                     Location,
                     Measure,
                     MessageHeader,
                     Model,
                     Party,
                     TransportEquipment,
                     TransportMode,
)
from .declaration import Declaration, DocumentReference, GoodsItem
from .ecommerce import (
                     Buyer,
                     Consignee,
                     Inventories,
                     Inventory,
                     InventoryItem,
                     LogisticsBill,
                     LogisticsBills,
                     Order,
                     OrderItem,
                     Orders,
                     Payment,
                     Payments,
)
from .manifest import Conveyance, Manifest, ManifestConsignment
from .persons import Person, PersonRole, PersonsList, TravelDocument
from .receipt import Receipt, ReceiptError, ReceiptStatus
from .report import ArrivalReport, Journey, TalliedBill, TallyReport
from .status import ShipmentStatus
from .waybill import TransportLeg, Waybill, WaybillType

Document = Annotated[
    Waybill | Manifest | Declaration | Receipt | PersonsList | ShipmentStatus | Orders | Payments | LogisticsBills
    | Inventories | ArrivalReport | TallyReport,
    Field(discriminator="kind"),
]
"""Any canonical document, discriminated by ``kind``."""

DOCUMENT = TypeAdapter(Document)

__all__ = [
    "Address", "Amount", "Buyer", "Consignee", "Conveyance", "CustomsNote", "Declaration", "Direction",
    "ArrivalReport", "Journey", "TalliedBill", "TallyReport",
    "Document", "DOCUMENT", "DocumentReference", "Function", "GoodsItem", "Inventories", "Inventory",
    "InventoryItem", "Kind", "Location", "LogisticsBill", "LogisticsBills", "Manifest", "ManifestConsignment",
    "Measure", "MessageHeader", "Model", "Order", "OrderItem", "Orders", "Party", "Payment", "Payments",
    "Person", "PersonRole", "PersonsList", "Receipt", "ReceiptError", "ReceiptStatus", "ShipmentStatus",
    "TransportEquipment", "TransportLeg", "TransportMode", "TravelDocument", "Waybill", "WaybillType",
]
