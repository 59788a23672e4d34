"""GACC customs declaration (报关单) DecMessage <-> canonical Declaration.

Read: DecMessage in http://www.chinaport.gov.cn/dec, without namespace, or inside the
single window's ImportMessage/SWImpData wrapper. Written: the namespaced DecMessage
(:mod:`.dec_build`).

Field map (both directions; codes through :mod:`.codes`):

- reference = DecSign/ClientSeqNo; function: every OperType (A/B/C/D/E upload or
  declare, G draft) is an original declaration; amendments and withdrawals go through
  the single window's separate modify/withdraw process, so they cannot be written
  (ConversionError CONVERT_UNSUPPORTED at /function).
- direction = IEFlag (I/E); type_code = EntryType (报关单类型 0/L/W/D/M); procedure =
  TradeMode (监管方式); transport_mode = TrafMode; declaration_office = CustomMaster
  (else IEPort); trade_country = TradeCountry; issued_at = DecSign/SignDate.
- declarant = Agent* (id, name, AgentLinkPHONE/MAIL); the domestic party = Trade* (id,
  name) with Owner* contacts; the overseas party = OverseasConsignorCode/Ename (import)
  or OverseasConsigneeCode/Ename (export), with OverseasConsignorCname as its name when
  there is no foreign-language one and OverseasConsignorAddr as its street (both are
  the overseas party's, 境外收发货人, in either direction). importer/exporter follow
  IEFlag. A party id of 18 characters is the unified social credit code (*CodeScc,
  TradeCoScc), any other the 10-digit customs code (*Code).
- transport_mode = TrafMode from the customs' whole list (codes.TRAF_MODES): 2/3/4/5 are
  sea, rail, road, air; the others (W logistics centre, 9 other, 6 post, bonded areas ...)
  are kept as customs_transport_mode (no canonical mode) and written back as they came.
- equipment = DecContainers/Container/ContainerId (containers, or ULDs as PMC1337XX).
- A draft with empty CodeTS is refused: HS_CODE_MISSING on each such goods item.
- transport_documents: BillNo = master[_house] (read as AWB/HAWB by air, BL/HBL by
  sea, CIM by rail, CMR by road); any other document is a DecLicenseDocus/LicenseDocu
  (DocuCode = type, CertCode = id).
- items = DecList: GNo, CodeTS, GName, OriginCountry, GQty/GUnit = quantity,
  DeclTotal/TradeCurr = value, FirstQty/FirstUnit = net weight when the first legal
  unit is a weight.
- total_packages = PackNo, total_gross_weight = GrossWet (kg); total_value is the sum
  of DeclTotal when all items share a currency (DecHead has no total value).
- procedure and declaration_office are carried verbatim: another customs' procedure
  code or office id is not translated into a GACC 监管方式 or 关区代码.

What DecMessage cannot carry (lost in canonical -> gacc-dec -> canonical; the 2018
DecHead/DecList field list has no place for them):

- /function amend or cancel: refused, see above.
- /header: the message envelope (the ImportMessage wrapper's CopMsgId is read, never
  written).
- /type_code other than a GACC EntryType: another customs' type (WCO IMA, EXD ...).
- /declarant/address and the domestic party's /address: Agent*, Trade* and Owner*
  have no address.
- the overseas party's /address/city, /address/postcode, /address/country, /phone and
  /email: OverseasConsignorAddr is one line, read back as the street.
- /items/*/gross_weight: DecList has no gross weight (GrossWet is the DecHead total).
- /transport_documents/*/type of the master and house documents: BillNo has no type, so
  they read back as the transport mode's (MAWB as AWB, MBL as BL, an HBL by air as HAWB),
  and before every other document, whatever their place in the list.
- /total_value when the items do not share its currency: it is recomputed as their sum.
- /total_gross_weight/unit: GrossWet is in kilograms (TNE and GRM are converted).
- /issued_at keeps its instant, not its offset: SignDate is Beijing time (a time without
  offset is taken as Beijing time).
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from hub import xmlkit
from hub.adapters import Probe, RenderContext, XmlAdapter
from hub.errors import InvalidDocument, ParseError, Problem
from hub.models import (
    Address,
    Amount,
    Declaration,
    Direction,
    DocumentReference,
    Function,
    GoodsItem,
    Kind,
    Measure,
    MessageHeader,
    Party,
    TransportEquipment,
    TransportMode,
)
from hub.validation import element_path

from . import clock, codes, dec_build

DEC_NS = dec_build.DEC_NS
OPER_TYPE_IN = {code: Function.ORIGINAL for code in "ABCDEG"}
MASTER_TYPE = {TransportMode.AIR: "AWB", TransportMode.SEA: "BL", TransportMode.RAIL: "CIM",
               TransportMode.ROAD: "CMR"}

HS_CODE_MISSING = "HS_CODE_MISSING"
"""A goods item whose CodeTS is empty: a single-window draft saved before it was filled in."""
_L = "d:DecLists/d:DecList[{0}]"
LOCATIONS = {
    "/reference": "d:DecSign/d:ClientSeqNo",
    "/declaration_office": "d:DecHead/d:CustomMaster",
    "/trade_country": "d:DecHead/d:TradeCountry",
    "/transport_documents": "d:DecHead/d:BillNo",
    "/declarant": "d:DecHead/d:AgentName",
    "/importer": "d:DecHead",
    "/exporter": "d:DecHead",
    "/total_packages": "d:DecHead/d:PackNo",
    "/total_gross_weight": "d:DecHead/d:GrossWet",
    "/total_value": "d:DecLists",
    "/items/*": _L,
    "/items/*/hs_code": _L + "/d:CodeTS",
    "/items/*/description": _L + "/d:GName",
    "/items/*/origin_country": _L + "/d:OriginCountry",
    "/items/*/quantity": _L + "/d:GQty",
    "/items/*/value": _L + "/d:DeclTotal",
    "/items/*/value/currency": _L + "/d:TradeCurr",
    "/items/*/net_weight": _L + "/d:FirstQty",
}


def message(root: etree._Element) -> tuple[etree._Element, dict[str, str]]:
    """The DecMessage element (unwrapping ImportMessage) and the prefix map for its namespace."""
    if etree.QName(root).localname == "ImportMessage":
        root = root.find("SWImpData/DecMessage")
    return root, {"d": etree.QName(root).namespace or ""}


class CustomsDeclaration(XmlAdapter):
    name = "gacc-dec"
    family = "gacc"
    description = "GACC customs declaration DecMessage (报关单), also without namespace or in ImportMessage"
    reads = frozenset({Kind.DECLARATION})
    writes = frozenset({Kind.DECLARATION})
    schema = "gacc/DecMessage.xsd"
    root_names = ((DEC_NS, "DecMessage"), (None, "DecMessage"), (None, "ImportMessage"))
    namespaces = {"d": DEC_NS}
    locations = LOCATIONS

    def detect(self, probe: Probe) -> bool:
        if not super().detect(probe):
            return False
        root = probe.tree.getroot()
        return etree.QName(root).localname != "ImportMessage" or root.find("SWImpData/DecMessage") is not None

    def parse(self, probe: Probe) -> Declaration:
        root = probe.tree.getroot()
        msg, ns = message(root)
        h, sign = msg.find("d:DecHead", ns), msg.find("d:DecSign", ns)
        if sign is None:
            raise ParseError("DecSign is missing", code="FIELD_MISSING", line=msg.sourceline,
                             path=element_path(msg) + "/DecSign")
        direction = Direction.IMPORT if xmlkit.required(h, "d:IEFlag", ns) == "I" else Direction.EXPORT
        mode = _code(h, "d:TrafMode", ns, codes.TRAF_MODE_ANY, "transport mode")
        _refuse_drafts(msg, sign, ns)
        items = [_item(el, ns) for el in msg.iterfind("d:DecLists/d:DecList", ns)]
        domestic, overseas = _domestic(h, ns), _overseas(h, ns, direction)
        importer, exporter = (domestic, overseas) if direction is Direction.IMPORT else (overseas, domestic)
        return Declaration(
            header=MessageHeader(message_id=xmlkit.text(root, "SWImpHead/CopMsgId", {}),
                                 function=_code(sign, "d:OperType", ns, OPER_TYPE_IN, "declaration operation")
                                 or Function.ORIGINAL),
            reference=xmlkit.required(sign, "d:ClientSeqNo", ns), direction=direction,
            type_code=xmlkit.text(h, "d:EntryType", ns), declarant=_agent(h, ns),
            importer=importer, exporter=exporter, declaration_office=_office(h, ns),
            procedure=xmlkit.text(h, "d:TradeMode", ns), transport_mode=mode,
            customs_transport_mode=None if mode else xmlkit.text(h, "d:TrafMode", ns),
            transport_documents=_documents(h, msg, ns, mode),
            equipment=_equipment(msg, ns),
            trade_country=_code(h, "d:TradeCountry", ns, codes.COUNTRY_IN, "country"),
            issued_at=clock.at(sign, "d:SignDate", ns), items=items,
            total_packages=xmlkit.integer(h, "d:PackNo", ns),
            total_gross_weight=_measure(xmlkit.number(h, "d:GrossWet", ns), "KGM"),
            total_value=_total(items),
        )

    def build(self, doc: Declaration, ctx: RenderContext) -> etree._Element:
        return dec_build.build(doc)

    def locate(self, tree: etree._ElementTree | None, pointer: str) -> int | None:
        """Source line of a canonical field, wherever the DecMessage sits and whatever its namespace."""
        if tree is None:
            return None
        msg, ns = message(tree.getroot())
        parts = pointer.strip("/").split("/")
        while parts:
            xpath = self.locations.get("/" + "/".join("*" if p.isdigit() else p for p in parts))
            if xpath:
                xpath = xpath.format(*[int(p) + 1 for p in parts if p.isdigit()])
                found = (msg.xpath(xpath, namespaces=ns) if ns["d"]
                         else msg.xpath(xpath.replace("d:", "")))
                if found:
                    return found[0].sourceline
            parts.pop()
        return None


def _refuse_drafts(msg: etree._Element, sign: etree._Element, ns: dict[str, str]) -> None:
    """A draft the single window saved before it was filled in (empty CodeTS, empty ClientSeqNo)
    is refused with every gap named: HS_CODE_MISSING for each goods item without its commodity
    code, FIELD_MISSING for the declarant's reference."""
    problems = [Problem(code=HS_CODE_MISSING, message=f"goods item {xmlkit.text(el, 'd:GNo', ns) or '?'} has no "
                        "HS code (CodeTS is empty): a draft, not a declaration", line=el.sourceline,
                        path=element_path(el) + "/CodeTS")
                for el in msg.iterfind("d:DecLists/d:DecList", ns) if xmlkit.text(el, "d:CodeTS", ns) is None]
    if problems and xmlkit.text(sign, "d:ClientSeqNo", ns) is None:
        problems.append(Problem(code="FIELD_MISSING", message="ClientSeqNo is missing", line=sign.sourceline,
                                path=element_path(sign) + "/ClientSeqNo"))
    if problems:
        raise InvalidDocument(problems)


def _equipment(msg: etree._Element, ns: dict[str, str]) -> list[TransportEquipment]:
    """DecContainers/Container/ContainerId, each once: a container number, or a ULD id (PMC1337XX)."""
    found: list[TransportEquipment] = []
    for el in msg.iterfind("d:DecContainers/d:Container", ns):
        identifier = xmlkit.text(el, "d:ContainerId", ns)
        if identifier is not None and (equipment := TransportEquipment.from_id(identifier)) not in found:
            found.append(equipment)
    return found


def _code(el: etree._Element, path: str, ns: dict[str, str], table: dict, kind: str):
    return codes.read(table, kind, el.find(path, ns), xmlkit.text(el, path, ns))


def _measure(value: Decimal | None, unit: str | None) -> Measure | None:
    return None if value is None or unit is None else Measure(value=value, unit=unit)


def _office(h: etree._Element, ns: dict[str, str]) -> str:
    office = _first(h, ns, "CustomMaster", "IEPort")
    if office is None:
        raise ParseError("CustomMaster (or IEPort) is missing: the declaration office",
                         code="FIELD_MISSING", line=h.sourceline, path=element_path(h) + "/CustomMaster")
    return office


def _first(el: etree._Element, ns: dict[str, str], *tags: str) -> str | None:
    """The first non-empty text among ``tags``: alternative elements for one fact."""
    for tag in tags:
        value = xmlkit.text(el, "d:" + tag, ns)
        if value is not None:
            return value
    return None


def _agent(h: etree._Element, ns: dict[str, str]) -> Party:
    return Party(id=_first(h, ns, "AgentCodeScc", "AgentCode"), name=_first(h, ns, "AgentName"),
                 phone=_first(h, ns, "AgentLinkPHONE"), email=_first(h, ns, "AgentLinkMAIL"))


def _domestic(h: etree._Element, ns: dict[str, str]) -> Party | None:
    party = Party(id=_first(h, ns, "TradeCoScc", "TradeCodeScc", "TradeCode", "OwnerCodeScc", "OwnerCode"),
                  name=_first(h, ns, "TradeName", "OwnerName"), phone=_first(h, ns, "OwnerLinkPHONE"),
                  email=_first(h, ns, "OwnerLinkMAIL"))
    return party if party != Party() else None


def _overseas(h: etree._Element, ns: dict[str, str], direction: Direction) -> Party | None:
    """The overseas party: OverseasConsignor* (import) or OverseasConsignee* (export) code and
    foreign-language name; the Chinese name (OverseasConsignorCname) and the address
    (OverseasConsignorAddr) are the overseas party's in either direction (境外收发货人)."""
    role = "Consignor" if direction is Direction.IMPORT else "Consignee"
    street = _first(h, ns, "OverseasConsignorAddr")
    party = Party(id=_first(h, ns, f"Overseas{role}Code"),
                  name=_first(h, ns, f"Overseas{role}Ename", "OverseasConsignorCname"),
                  address=None if street is None else Address(street=street))
    return party if party != Party() else None


def _documents(h: etree._Element, msg: etree._Element, ns: dict[str, str],
               mode: TransportMode | None) -> list[DocumentReference]:
    docs = []
    bill = xmlkit.text(h, "d:BillNo", ns)
    if bill is not None:
        master, _, house = bill.partition("_")
        docs.append(DocumentReference(type=MASTER_TYPE.get(mode, "BL"), id=master))
        if house:
            docs.append(DocumentReference(type="HAWB" if mode is TransportMode.AIR else "HBL", id=house))
    for el in msg.iterfind("d:DecLicenseDocus/d:LicenseDocu", ns):
        docs.append(DocumentReference(type=xmlkit.required(el, "d:DocuCode", ns),
                                      id=xmlkit.required(el, "d:CertCode", ns)))
    return docs


def _item(el: etree._Element, ns: dict[str, str]) -> GoodsItem:
    origin = el.find("d:OriginCountry", ns)
    if origin is None or not (origin.text or "").strip():
        raise ParseError("OriginCountry is missing", code="FIELD_MISSING", line=el.sourceline,
                         path=element_path(el) + "/OriginCountry")
    first_unit = codes.UNIT_IN.get(xmlkit.text(el, "d:FirstUnit", ns) or "")
    net = xmlkit.number(el, "d:FirstQty", ns) if first_unit in codes.WEIGHT_UNITS else None
    return GoodsItem(
        sequence=xmlkit.integer(el, "d:GNo", ns), hs_code=xmlkit.required(el, "d:CodeTS", ns),
        description=xmlkit.required(el, "d:GName", ns),
        origin_country=codes.read(codes.COUNTRY_IN, "country", origin, origin.text.strip()),
        quantity=_measure(xmlkit.number(el, "d:GQty", ns), _code(el, "d:GUnit", ns, codes.UNIT_IN, "unit")),
        value=Amount(value=xmlkit.number(el, "d:DeclTotal", ns),
                     currency=_code(el, "d:TradeCurr", ns, codes.CURRENCY_IN, "currency")),
        net_weight=_measure(net, first_unit),
    )


def _total(items: list[GoodsItem]) -> Amount | None:
    currencies = {i.value.currency for i in items}
    if len(currencies) != 1:
        return None
    return Amount(value=sum((i.value.value for i in items), Decimal(0)), currency=currencies.pop())
