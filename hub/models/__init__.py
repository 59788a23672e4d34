"""Canonical documents. Every adapter parses into and renders from these."""

from typing import Annotated, Union

from pydantic import Field, TypeAdapter

from .common import (Address, Amount, CustomsNote, Function, Kind, Location, Measure,
                     MessageHeader, Model, Party, TransportMode)
from .declaration import Declaration, Direction, DocumentReference, GoodsItem
from .manifest import Conveyance, Manifest, ManifestConsignment
from .receipt import Receipt, ReceiptError, ReceiptStatus
from .waybill import TransportLeg, Waybill, WaybillType

Document = Annotated[Union[Waybill, Manifest, Declaration, Receipt], Field(discriminator="kind")]
"""Any canonical document, discriminated by ``kind``."""

DOCUMENT = TypeAdapter(Document)

__all__ = [
    "Address", "Amount", "Conveyance", "CustomsNote", "Declaration", "Direction", "Document",
    "DOCUMENT", "DocumentReference", "Function", "GoodsItem", "Kind", "Location", "Manifest",
    "ManifestConsignment", "Measure", "MessageHeader", "Model", "Party", "Receipt",
    "ReceiptError", "ReceiptStatus", "TransportLeg", "TransportMode", "Waybill", "WaybillType",
]
