"""The four declarations: CEB311 order, CEB411 payment, CEB511 logistics waybill, CEB621 inventory.

Each field table below is the mapping, in both directions and in the customs' element order:
CEB element -> canonical path (F = required by the customs, O = optional). Currencies and
countries are GACC numbers in CEB and ISO codes in the canonical model (142 <-> CNY,
116 <-> JP, tables in adapters/gacc/codes.py); units stay GACC unit codes (007 piece), as the
canonical model holds them for these documents.

Not carried (lost in canonical -> CEB -> canonical): Order/Payment/Inventory buyer fields a
message has no element for (CEB621 has no buyerRegNo; CEB511 no consignee district); a
LogisticsBill weight in grams or tonnes comes back in kilograms.
"""

from __future__ import annotations

from hub.models import Inventories, LogisticsBills, Orders, Payments

from .declaration import CebDeclaration
from .fields import COUNTRY, CURRENCY, DAY, FLAG, KILOGRAMS, MOMENT, NUMBER, WHOLE, F, O

ORDER_HEAD = (
    F("orderType", "order_type"), F("orderNo", "order_no"),
    F("ebpCode", "platform.id"), F("ebpName", "platform.name"),
    F("ebcCode", "seller.id"), F("ebcName", "seller.name"),
    F("goodsValue", "goods_value", NUMBER), F("freight", "freight", NUMBER),
    F("discount", "discount", NUMBER), F("taxTotal", "tax_total", NUMBER),
    F("acturalPaid", "actual_paid", NUMBER), F("currency", "currency", CURRENCY),
    F("buyerRegNo", "buyer.registration"), F("buyerName", "buyer.name"),
    F("buyerTelephone", "buyer.phone"), F("buyerIdType", "buyer.id_type"),
    F("buyerIdNumber", "buyer.id_number"),
    O("payCode", "payment_company.id"), O("payName", "payment_company.name"),
    O("payTransactionId", "pay_transaction_id"), O("batchNumbers", "batch_numbers"),
    F("consignee", "consignee.name"), F("consigneeTelephone", "consignee.phone"),
    F("consigneeAddress", "consignee.address"), O("consigneeDistrict", "consignee.district"),
    O("note", "note"),
)
ORDER_LINE = (
    F("gnum", "sequence", WHOLE), O("itemNo", "item_no"), F("itemName", "name"),
    F("gmodel", "model"), O("itemDescribe", "description"), O("barCode", "barcode"),
    F("unit", "unit"), F("qty", "quantity", NUMBER), F("price", "price", NUMBER),
    F("totalPrice", "total", NUMBER), F("currency", "currency", CURRENCY),
    F("country", "origin_country", COUNTRY), O("note", "note"),
)
PAYMENT_HEAD = (
    F("payCode", "payment_company.id"), F("payName", "payment_company.name"),
    F("payTransactionId", "pay_transaction_id"), F("orderNo", "order_no"),
    F("ebpCode", "platform.id"), F("ebpName", "platform.name"),
    F("payerIdType", "payer.id_type"), F("payerIdNumber", "payer.id_number"),
    F("payerName", "payer.name"), O("telephone", "payer.phone"),
    F("amountPaid", "amount_paid", NUMBER), F("currency", "currency", CURRENCY),
    F("payTime", "paid_at", MOMENT), O("note", "note"),
)
LOGISTICS_HEAD = (
    F("logisticsCode", "logistics_company.id"), F("logisticsName", "logistics_company.name"),
    F("logisticsNo", "logistics_no"), O("billNo", "bill_no"), F("orderNo", "order_no"),
    O("freight", "freight", NUMBER), O("insuredFee", "insured_fee", NUMBER),
    F("currency", "currency", CURRENCY), F("weight", "weight", KILOGRAMS),
    F("packNo", "packages", WHOLE), O("goodsInfo", "goods_info"),
    F("consignee", "consignee.name"), F("consigneeAddress", "consignee.address"),
    F("consigneeTelephone", "consignee.phone"), O("note", "note"),
)
INVENTORY_HEAD = (
    F("orderNo", "order_no"), F("ebpCode", "platform.id"), F("ebpName", "platform.name"),
    F("ebcCode", "seller.id"), F("ebcName", "seller.name"), F("logisticsNo", "logistics_no"),
    F("logisticsCode", "logistics_company.id"), F("logisticsName", "logistics_company.name"),
    O("copNo", "cop_no"), O("preNo", "pre_no"), F("assureCode", "assure_code"), O("emsNo", "ems_no"),
    O("invtNo", "invt_no"), F("ieFlag", "direction", FLAG), F("declTime", "declared_on", DAY),
    F("customsCode", "customs_code"), F("portCode", "port_code"), O("ieDate", "ie_date", DAY),
    F("buyerIdType", "buyer.id_type"), F("buyerIdNumber", "buyer.id_number"),
    F("buyerName", "buyer.name"), F("buyerTelephone", "buyer.phone"),
    F("consigneeAddress", "consignee_address"), F("agentCode", "agent.id"), F("agentName", "agent.name"),
    O("areaCode", "area.id"), O("areaName", "area.name"), F("tradeMode", "trade_mode"),
    F("trafMode", "traf_mode"), O("trafNo", "traf_no"), O("voyageNo", "voyage_no"), O("billNo", "bill_no"),
    O("loctNo", "loct_no"), O("licenseNo", "license_no"), F("country", "country", COUNTRY),
    F("freight", "freight", NUMBER), F("insuredFee", "insured_fee", NUMBER),
    F("currency", "currency", CURRENCY), O("wrapType", "wrap_type"), F("packNo", "packages", WHOLE),
    F("grossWeight", "gross_weight", NUMBER), F("netWeight", "net_weight", NUMBER), O("note", "note"),
)
INVENTORY_LINE = (
    F("gnum", "sequence", WHOLE), O("itemRecordNo", "item_record_no"), O("itemNo", "item_no"),
    O("itemName", "item_name"), F("gcode", "hs_code"), F("gname", "name"), F("gmodel", "model"),
    O("barCode", "barcode"), F("country", "origin_country", COUNTRY),
    O("tradeCountry", "trade_country", COUNTRY), F("currency", "currency", CURRENCY),
    F("qty", "quantity", NUMBER), F("unit", "unit"), F("qty1", "quantity1", NUMBER), F("unit1", "unit1"),
    O("qty2", "quantity2", NUMBER), O("unit2", "unit2"), F("price", "price", NUMBER),
    F("totalPrice", "total", NUMBER), O("note", "note"),
)


class OrderMessage(CebDeclaration):
    name = "ceb311"
    description = "GACC CEB311 cross-border e-commerce order (电子订单), 1..100 orders"
    message_type, record_tag, head_tag, line_tag = "CEB311Message", "Order", "OrderHead", "OrderList"
    head_fields, line_fields, document, key_tags = ORDER_HEAD, ORDER_LINE, Orders, ("orderNo",)
    negative_receipt = "ceb312"


class PaymentMessage(CebDeclaration):
    name = "ceb411"
    description = "GACC CEB411 cross-border e-commerce payment (支付凭证), 1..100 payments"
    message_type, record_tag, head_tag = "CEB411Message", "Payment", "PaymentHead"
    head_fields, document, key_tags = PAYMENT_HEAD, Payments, ("payTransactionId",)
    negative_receipt = "ceb412"


class LogisticsMessage(CebDeclaration):
    name = "ceb511"
    description = "GACC CEB511 cross-border e-commerce logistics waybill (物流运单), 1..100 waybills"
    message_type, record_tag, head_tag = "CEB511Message", "Logistics", "LogisticsHead"
    head_fields, document, key_tags = LOGISTICS_HEAD, LogisticsBills, ("logisticsNo",)
    negative_receipt = "ceb512"


class InventoryMessage(CebDeclaration):
    """CEB622 needs the e-port's preNo, which a message the hub refuses has not got: a rejected
    CEB621's sender hears through the JSON status event only (no negative_receipt)."""

    name = "ceb621"
    description = "GACC CEB621 cross-border e-commerce import inventory (进口清单), 1..100 inventories"
    message_type, record_tag, head_tag, line_tag = "CEB621Message", "Inventory", "InventoryHead", "InventoryList"
    head_fields, line_fields, document, key_tags = INVENTORY_HEAD, INVENTORY_LINE, Inventories, \
        ("copNo", "invtNo", "preNo", "orderNo")
    extra_locations = {"/records/*/hs_codes/*": "ceb:Inventory[{0}]/ceb:InventoryList[{1}]/ceb:gcode"}
    signed = True
