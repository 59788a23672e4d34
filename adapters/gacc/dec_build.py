"""Writing a canonical Declaration as a namespaced DecMessage (field map in :mod:`.dec`).

Countries are written as ISO alpha-3 and currencies as ISO letters (the single window's
2018 code lists), units as GACC numbers. Owner* repeats the domestic trader (Trade*),
with the party's phone and e-mail as Owner contacts; DeclPrice is DeclTotal / GQty.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from hub.errors import ConversionError
from hub.models import Declaration, Direction, DocumentReference, Function, GoodsItem, Party
from hub.xmlkit import add

from . import clock, codes

DEC_NS = "http://www.chinaport.gov.cn/dec"
MASTER_TYPES = frozenset({"AWB", "MAWB", "BL", "MBL", "CIM", "CMR"})
ENTRY_TYPES = frozenset({"0", "L", "W", "D", "M"})  # 报关单类型; other agencies' type codes are not written
HOUSE_TYPES = frozenset({"HAWB", "HBL"})
OPER_TYPE_DECLARE = "C"  # 报关单申报
UNSUPPORTED = "CONVERT_UNSUPPORTED"
_FUNCTION_NAMES = {Function.AMEND: "an amendment", Function.CANCEL: "a cancellation"}
PRICE = Decimal("0.0001")


def q(tag: str) -> str:
    return f"{{{DEC_NS}}}{tag}"


def build(d: Declaration) -> etree._Element:
    """The DecMessage tree of a declaration."""
    if d.function is not Function.ORIGINAL:
        raise ConversionError(
            f"/function: {_FUNCTION_NAMES[d.function]} cannot be written as a GACC DecMessage, which "
            "lodges an original declaration only; once lodged, a declaration is amended or withdrawn "
            "through the single window's modify/withdraw application (报关单修改/撤销申请), not by a "
            "new DecMessage", code=UNSUPPORTED, path="/function")
    if not d.items:
        raise ConversionError("a GACC DecMessage needs at least one goods item", path="/items")
    root = etree.Element(q("DecMessage"), nsmap={None: DEC_NS})
    bill, others = _bill(d.transport_documents)
    _head(etree.SubElement(root, q("DecHead")), d, bill)
    lists = etree.SubElement(root, q("DecLists"))
    for i, item in enumerate(d.items):
        _item(etree.SubElement(lists, q("DecList")), item, f"/items/{i}")
    if others:
        docus = etree.SubElement(root, q("DecLicenseDocus"))
        for doc in others:
            docu = etree.SubElement(docus, q("LicenseDocu"))
            add(docu, q("DocuCode"), doc.type)
            add(docu, q("CertCode"), doc.id)
    if d.equipment:
        containers = etree.SubElement(root, q("DecContainers"))
        for equipment in d.equipment:
            add(etree.SubElement(containers, q("Container")), q("ContainerId"), equipment.id)
    sign = etree.SubElement(root, q("DecSign"))
    add(sign, q("OperType"), OPER_TYPE_DECLARE)
    add(sign, q("ClientSeqNo"), d.reference)
    add(sign, q("SignDate"), d.issued_at and clock.stamp(d.issued_at))
    return root


def _head(h: etree._Element, d: Declaration, bill: str | None) -> None:
    domestic, overseas = ((d.importer, d.exporter) if d.direction is Direction.IMPORT
                          else (d.exporter, d.importer))
    add(h, q("CustomMaster"), d.declaration_office)
    add(h, q("IEPort"), d.declaration_office)
    add(h, q("BillNo"), bill)
    add(h, q("TrafMode"), codes.write(codes.TRAF_MODE_OUT, "transport mode", "/transport_mode", d.transport_mode)
        or _national(d.customs_transport_mode))
    _party(h, "Trade", domestic, scc_tag="TradeCoScc")
    _party(h, "Owner", domestic, contacts=True)
    _party(h, "Agent", d.declarant, contacts=True)
    add(h, q("TradeCountry"), codes.write(codes.COUNTRY_OUT, "country", "/trade_country", d.trade_country))
    add(h, q("TradeMode"), d.procedure)
    add(h, q("PackNo"), d.total_packages)
    if d.total_gross_weight is not None:
        add(h, q("GrossWet"), _kilograms(d.total_gross_weight.value, d.total_gross_weight.unit,
                                         "/total_gross_weight/unit"))
    add(h, q("EntryType"), d.type_code if d.type_code in ENTRY_TYPES else None)
    add(h, q("IEFlag"), "I" if d.direction is Direction.IMPORT else "E")
    add(h, q("DeclTrnRel"), "0")  # 一般报关单: a plain declaration, not an advance transit one
    _overseas(h, d.direction, overseas)


def _party(h: etree._Element, prefix: str, p: Party | None, scc_tag: str | None = None,
           contacts: bool = False) -> None:
    if p is None:
        return
    if p.id is not None:
        add(h, q(scc_tag or f"{prefix}CodeScc") if len(p.id) == 18 else q(f"{prefix}Code"), p.id)
    add(h, q(f"{prefix}Name"), p.full_name)
    if contacts:
        add(h, q(f"{prefix}LinkPHONE"), p.phone)
        add(h, q(f"{prefix}LinkMAIL"), p.email)


def _overseas(h: etree._Element, direction: Direction, p: Party | None) -> None:
    """境外发货人 (import) or 境外收货人 (export): code and foreign-language name by direction;
    OverseasConsignorAddr is the overseas party's address (境外收发货人地址) either way."""
    if p is None:
        return
    role = "Consignor" if direction is Direction.IMPORT else "Consignee"
    add(h, q(f"Overseas{role}Code"), p.id)
    add(h, q(f"Overseas{role}Ename"), p.full_name)
    add(h, q("OverseasConsignorAddr"), p.address and p.address.street)


def _item(el: etree._Element, item: GoodsItem, base: str) -> None:
    add(el, q("GNo"), item.sequence)
    add(el, q("CodeTS"), item.hs_code)
    add(el, q("GName"), item.description)
    if item.quantity is not None:
        add(el, q("GQty"), item.quantity.value)
        add(el, q("GUnit"), codes.write(codes.UNIT_OUT, "unit", f"{base}/quantity/unit", item.quantity.unit))
    if item.net_weight is not None:
        add(el, q("FirstQty"), item.net_weight.value)
        add(el, q("FirstUnit"), codes.write(codes.UNIT_OUT, "unit", f"{base}/net_weight/unit",
                                            item.net_weight.unit))
    add(el, q("OriginCountry"), codes.write(codes.COUNTRY_OUT, "country", f"{base}/origin_country",
                                            item.origin_country))
    add(el, q("TradeCurr"), codes.write(codes.CURRENCY_OUT, "currency", f"{base}/value/currency",
                                        item.value.currency))
    if item.quantity is not None and item.quantity.value:
        add(el, q("DeclPrice"), (item.value.value / item.quantity.value).quantize(PRICE, ROUND_HALF_UP))
    add(el, q("DeclTotal"), item.value.value)


def _bill(docs: list[DocumentReference]) -> tuple[str | None, list[DocumentReference]]:
    """BillNo = master[_house]; every other document becomes a LicenseDocu."""
    master = next((d for d in docs if d.type in MASTER_TYPES), None)
    house = next((d for d in docs if d.type in HOUSE_TYPES), None)
    others = [d for d in docs if d is not master and d is not house]
    if master is None:
        return None, docs
    return master.id + (f"_{house.id}" if house else ""), others


def _kilograms(value: Decimal, unit: str, pointer: str) -> Decimal:
    factor = {"KGM": Decimal(1), "TNE": Decimal(1000), "GRM": Decimal("0.001")}.get(unit)
    if factor is None:
        raise ConversionError(f"{pointer}: GrossWet is in kilograms; {unit!r} cannot be converted",
                              code="CODE_UNMAPPED", path=pointer)
    return value * factor


def _national(code: str | None) -> str | None:
    """A customs transport-mode code with no Rec 19 equivalent, written back when it is one of GACC's."""
    if code is None or code in codes.TRAF_MODES:
        return code
    raise ConversionError(f"/customs_transport_mode: {code!r} is not a GACC TrafMode", code="CODE_UNMAPPED",
                          path="/customs_transport_mode")
