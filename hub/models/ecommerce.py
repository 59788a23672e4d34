"""Cross-border e-commerce documents (跨境电商): order, payment, logistics bill, inventory.

One message carries 1..100 records of one kind (GACC CEB allows that), so each canonical
document holds ``records``. The keys that tie the three documents to an inventory
(三单对碰): orderNo on all four, payTransactionId on order and payment, logisticsNo on
logistics bill and inventory. Money is Decimal with an ISO 4217 currency; adapters map
customs codes (GACC 142 -> CNY). Buyer identity numbers are personal data: never logged.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from .common import Count, Direction, Kind, Measure, MessageHeader, Model, Number, Party


class Buyer(Model):
    """The buyer (订购人) as the customs see them."""

    name: str
    id_type: str = Field("1", description="GACC: 1 identity card, 2 other")
    id_number: str
    phone: str | None = None
    registration: str | None = Field(None, description="the buyer's account on the platform")


class Consignee(Model):
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    district: str | None = None


class OrderItem(Model):
    sequence: Count
    item_no: str | None = None
    name: str
    model: str | None = None
    description: str | None = None
    barcode: str | None = None
    unit: str = Field(..., description="GACC unit code, e.g. 007 piece")
    quantity: Number
    price: Number
    total: Number
    currency: str
    origin_country: str = Field(..., description="ISO 3166 alpha-2 (CEB writes the GACC number: JP <-> 116)")
    note: str | None = None


class Order(Model):
    """An e-commerce order (CEB311)."""

    order_no: str
    order_type: str = Field("I", description="I import")
    platform: Party = Field(..., description="the e-commerce platform (ebp)")
    seller: Party = Field(..., description="the e-commerce enterprise (ebc)")
    goods_value: Number
    freight: Number = Decimal(0)
    discount: Number = Decimal(0)
    tax_total: Number = Decimal(0)
    actual_paid: Number
    currency: str
    buyer: Buyer
    payment_company: Party | None = None
    pay_transaction_id: str | None = None
    batch_numbers: str | None = None
    consignee: Consignee
    applied_at: datetime | None = None
    note: str | None = None
    items: list[OrderItem] = Field(default_factory=list)


class Payment(Model):
    """A payment for an order (CEB411)."""

    pay_transaction_id: str
    order_no: str
    payment_company: Party
    platform: Party
    payer: Buyer
    amount_paid: Number
    currency: str
    paid_at: datetime | None = None
    applied_at: datetime | None = None
    note: str | None = None


class LogisticsBill(Model):
    """A logistics waybill for an order (CEB511)."""

    logistics_no: str
    bill_no: str | None = None
    order_no: str
    logistics_company: Party
    freight: Number | None = None
    insured_fee: Number | None = None
    currency: str
    weight: Measure
    packages: Count
    goods_info: str | None = None
    consignee: Consignee
    applied_at: datetime | None = None
    note: str | None = None


class InventoryItem(Model):
    sequence: Count
    item_record_no: str | None = None
    item_no: str | None = None
    item_name: str | None = None
    hs_code: str
    name: str
    model: str
    barcode: str | None = None
    origin_country: str
    trade_country: str | None = None
    currency: str
    quantity: Number
    unit: str
    quantity1: Number
    unit1: str
    quantity2: Number | None = None
    unit2: str | None = None
    price: Number
    total: Number
    note: str | None = None


class Inventory(Model):
    """A customs inventory (清单, CEB621): what customs clears, declared by an agent."""

    cop_no: str | None = Field(None, description="the declarant's own number")
    pre_no: str | None = Field(None, description="the platform's pre-entry number")
    invt_no: str | None = Field(None, description="the customs inventory number")
    order_no: str
    logistics_no: str
    platform: Party
    seller: Party
    logistics_company: Party
    assure_code: str
    ems_no: str | None = None
    direction: Direction = Direction.IMPORT
    declared_on: date
    customs_code: str
    port_code: str
    ie_date: date | None = None
    buyer: Buyer
    consignee_address: str
    agent: Party
    area: Party | None = None
    trade_mode: str = "9610"
    traf_mode: str
    traf_no: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    loct_no: str | None = None
    license_no: str | None = None
    country: str
    freight: Number
    insured_fee: Number
    currency: str
    wrap_type: str | None = None
    packages: Count
    gross_weight: Number
    net_weight: Number
    applied_at: datetime | None = None
    note: str | None = None
    items: list[InventoryItem] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return self.cop_no or self.invt_no or self.pre_no or self.order_no

    def goods_value(self) -> Decimal:
        return sum((i.total for i in self.items), Decimal(0))


def _key(keys: list[str]) -> str:
    return keys[0] if len(keys) == 1 else f"{keys[0]}+{len(keys) - 1}"


class Orders(Model):
    kind: Literal[Kind.ORDER] = Kind.ORDER
    header: MessageHeader = Field(default_factory=MessageHeader)
    records: list[Order] = Field(..., min_length=1, max_length=100)

    @property
    def business_key(self) -> str:
        return _key([r.order_no for r in self.records])


class Payments(Model):
    kind: Literal[Kind.PAYMENT] = Kind.PAYMENT
    header: MessageHeader = Field(default_factory=MessageHeader)
    records: list[Payment] = Field(..., min_length=1, max_length=100)

    @property
    def business_key(self) -> str:
        return _key([r.pay_transaction_id for r in self.records])


class LogisticsBills(Model):
    kind: Literal[Kind.LOGISTICS] = Kind.LOGISTICS
    header: MessageHeader = Field(default_factory=MessageHeader)
    records: list[LogisticsBill] = Field(..., min_length=1, max_length=100)

    @property
    def business_key(self) -> str:
        return _key([r.logistics_no for r in self.records])


class Inventories(Model):
    kind: Literal[Kind.INVENTORY] = Kind.INVENTORY
    header: MessageHeader = Field(default_factory=MessageHeader)
    records: list[Inventory] = Field(..., min_length=1, max_length=100)

    @property
    def business_key(self) -> str:
        return _key([r.key for r in self.records])
