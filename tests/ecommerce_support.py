"""A consistent e-commerce set for tests: one order, its payment, its logistics bill and its inventory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hub.models import (
    Buyer,
    Consignee,
    Inventories,
    Inventory,
    InventoryItem,
    LogisticsBill,
    LogisticsBills,
    Measure,
    Order,
    OrderItem,
    Orders,
    Party,
    Payment,
    Payments,
)

BUYER = Buyer(name="Li Xiaobao", id_number="110101199001011234", phone="13800000000", registration="REG-1")
PLATFORM, SELLER = Party(id="1105910159", name="Platform"), Party(id="1105910160", name="Seller")
PAYER_CO, CARRIER = Party(id="1101110323", name="Pay Co"), Party(id="1101180326", name="Logistics Co")


def order(order_no: str = "ORD-1", value: str = "150", paid: str = "170", consignee: str = "Li Xiaobao",
          pay_id: str = "PAY-1") -> Orders:
    items = [OrderItem(sequence=1, name="milk powder", model="900g", unit="007", quantity=Decimal(1),
                       price=Decimal(value), total=Decimal(value), currency="CNY", origin_country="NZ")]
    return Orders(records=[Order(order_no=order_no, platform=PLATFORM, seller=SELLER, goods_value=Decimal(value),
                                 freight=Decimal(20), actual_paid=Decimal(paid), currency="CNY", buyer=BUYER,
                                 pay_transaction_id=pay_id,
                                 consignee=Consignee(name=consignee, phone="13900000000", address="Beijing"),
                                 items=items)])


def payment(order_no: str = "ORD-1", amount: str = "170", pay_id: str = "PAY-1") -> Payments:
    return Payments(records=[Payment(pay_transaction_id=pay_id, order_no=order_no, payment_company=PAYER_CO,
                                     platform=PLATFORM, payer=BUYER, amount_paid=Decimal(amount), currency="CNY",
                                     paid_at=datetime(2026, 11, 27, 8, 0, tzinfo=UTC))])


def logistics(order_no: str = "ORD-1", logistics_no: str = "LOG-1", consignee: str = "Li Xiaobao") -> LogisticsBills:
    return LogisticsBills(records=[LogisticsBill(logistics_no=logistics_no, order_no=order_no,
                                                 logistics_company=CARRIER, currency="CNY",
                                                 weight=Measure(value=Decimal("1.2")), packages=1,
                                                 consignee=Consignee(name=consignee, phone="13900000000",
                                                                     address="Beijing"))])


def inventory(order_no: str = "ORD-1", logistics_no: str = "LOG-1", value: str = "150",
              cop_no: str = "COP-1") -> Inventories:
    item = InventoryItem(sequence=1, hs_code="0402100000", name="milk powder", model="900g", origin_country="NZ",
                         currency="CNY", quantity=Decimal(1), unit="007", quantity1=Decimal("0.9"), unit1="035",
                         price=Decimal(value), total=Decimal(value))
    return Inventories(records=[Inventory(
        cop_no=cop_no, order_no=order_no, logistics_no=logistics_no, platform=PLATFORM, seller=SELLER,
        logistics_company=CARRIER, assure_code="1105910159", declared_on=date(2026, 11, 27), customs_code="2244",
        port_code="2244", buyer=BUYER, consignee_address="Beijing", agent=PLATFORM, traf_mode="4", country="NZ",
        freight=Decimal(20), insured_fee=Decimal(0), currency="CNY", packages=1, gross_weight=Decimal("1.2"),
        net_weight=Decimal("0.9"), items=[item])])
