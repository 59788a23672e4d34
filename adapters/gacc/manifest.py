"""GACC manifests (舱单): MT1101 original manifest and MT2101 pre-loading manifest.

Both share one structure (``schemas/gacc/manifest-common.xsd``); one adapter class,
specialised by message type, reads them into :class:`~hub.models.Manifest` and writes
manifests and waybills (a waybill becomes a one-consignment manifest of the flight that
crosses China's border: MT1101 its first flight into China, MT2101 its first flight out of
it, else its first flight; see :mod:`.manifest_build`).

Mapping notes: BorderTransportMeans/TypeCode is the Rec 19 mode (1 sea, 2 rail, 3 road,
4 air); DepartureDateTime carries the conveyance's departure date; the manifest's own
totals (canonical ``total_pieces``/``total_gross_weight``) have no GACC element and are
not written: they are the consignments' sums. Special handling codes travel in
Consignment/Handling/InstructionsCodeCode. Times are Beijing time (:mod:`.clock`).
A consignment's equipment (containers, ULDs) is its TransportEquipment, one each, written
as EquipmentIdentification/ID (the whole identifier: MSKU1234565, PMC12345CA) and read
from that or from a plain TransportEquipment/ID.
"""

from __future__ import annotations

from typing import Any, ClassVar

from lxml import etree

from hub import xmlkit
from hub.adapters import Probe, RenderContext, XmlAdapter
from hub.errors import ParseError
from hub.models import (
    Address,
    Conveyance,
    Kind,
    Location,
    Manifest,
    ManifestConsignment,
    Measure,
    MessageHeader,
    Party,
    TransportEquipment,
    TransportMode,
)
from hub.validation import element_path

from . import clock, codes, head, manifest_build

REC19_IN = {mode.rec19: mode for mode in TransportMode}

_C = "m:Declaration/m:Consignment[{0}]"
LOCATIONS = {
    "/conveyance": "m:Declaration/m:BorderTransportMeans",
    "/conveyance/journey_id": "m:Declaration/m:BorderTransportMeans/m:JourneyID",
    "/conveyance/carrier": "m:Declaration/m:Carrier",
    "/loading_location/code": "m:Declaration/m:LoadingLocation/m:ID",
    "/unloading_location/code": "m:Declaration/m:UnloadingLocation/m:ID",
    "/declaration_office": "m:Declaration/m:DeclarationOfficeID",
    "/consignments/*": _C,
    "/consignments/*/transport_document": _C + "/m:TransportContractDocument/m:ID",
    "/consignments/*/house_documents/*": _C + "/m:AssociatedTransportDocument[{1}]/m:ID",
    "/consignments/*/pieces": _C + "/m:TotalPackageQuantity",
    "/consignments/*/gross_weight": _C + "/m:TotalGrossMassMeasure",
    "/consignments/*/volume": _C + "/m:GrossVolumeMeasure",
    "/consignments/*/hs_codes/*": "(" + _C + "/m:ConsignmentItem/m:Commodity/m:Classification/m:ID)[{1}]",
    "/consignments/*/origin": _C + "/m:LoadingLocation/m:ID",
    "/consignments/*/destination": _C + "/m:UnloadingLocation/m:ID",
    "/consignments/*/consignor": _C + "/m:Consignor",
    "/consignments/*/consignee": _C + "/m:Consignee",
    "/consignments/*/equipment/*": _C + "/m:TransportEquipment[{1}]",
}


class ManifestAdapter(XmlAdapter):
    """A GACC manifest message type; subclasses name the type, the rest follows from it."""

    family = "gacc"
    reads = frozenset({Kind.MANIFEST})
    writes = frozenset({Kind.MANIFEST, Kind.WAYBILL})
    locations = LOCATIONS
    message_type: ClassVar[str]
    namespace: ClassVar[str]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "message_type" not in cls.__dict__:
            return
        cls.namespace = head.MANIFEST_NS.format(cls.message_type)
        cls.name = f"gacc-{cls.message_type.lower()}"
        cls.schema = f"gacc/{cls.message_type}.xsd"
        cls.root_names = ((cls.namespace, "Manifest"),)
        cls.namespaces = {"m": cls.namespace}

    def parse(self, probe: Probe) -> Manifest:
        header, decl, ns = self._open(probe)
        return Manifest(
            header=header,
            conveyance=_conveyance(decl, ns),
            loading_location=Location(code=xmlkit.required(decl, "m:LoadingLocation/m:ID", ns)),
            unloading_location=Location(code=xmlkit.required(decl, "m:UnloadingLocation/m:ID", ns)),
            arrival_at=clock.at(decl, "m:UnloadingLocation/m:ArrivalDateTime", ns),
            declaration_office=xmlkit.text(decl, "m:DeclarationOfficeID", ns),
            consignments=[_consignment(c, ns) for c in decl.iterfind("m:Consignment", ns)],
        )

    def build(self, doc, ctx: RenderContext) -> etree._Element:
        manifest = doc if isinstance(doc, Manifest) else \
            manifest_build.from_waybill(doc, outward=self.message_type == "MT2101")
        return manifest_build.build(manifest, self.namespace, self.message_type, ctx)

    def _open(self, probe: Probe) -> tuple[MessageHeader, etree._Element, dict[str, str]]:
        """The Head (its MessageType checked against this adapter's), the Declaration and the
        namespaces: what reading every message of the manifest family begins with."""
        root, ns = probe.tree.getroot(), self.namespaces
        head_el = root.find("m:Head", ns)
        node = head_el.find("m:MessageType", ns)
        if node is not None and (node.text or "").strip() != self.message_type:
            raise ParseError(f"MessageType {node.text!r} does not match the {self.message_type} "
                             f"namespace", code="MESSAGE_TYPE_MISMATCH", line=node.sourceline,
                             path=element_path(node))
        return head.read(head_el, ns), root.find("m:Declaration", ns), ns


class OriginalManifest(ManifestAdapter):
    message_type = "MT1101"
    description = "GACC original manifest (原始舱单) MT1101: reads manifests, writes manifests and waybills"


class PreloadingManifest(ManifestAdapter):
    message_type = "MT2101"
    description = "GACC pre-loading manifest (预配舱单) MT2101: reads manifests, writes manifests and waybills"


def _conveyance(decl: etree._Element, ns: dict[str, str]) -> Conveyance:
    return Conveyance(**conveyance_fields(decl, ns), carrier=Party(id=xmlkit.text(decl, "m:Carrier/m:ID", ns),
                                                                  name=xmlkit.text(decl, "m:Carrier/m:Name", ns)))


def conveyance_fields(decl: etree._Element, ns: dict[str, str]) -> dict[str, Any]:
    """What a manifest's conveyance and a report's journey read alike from BorderTransportMeans:
    mode, journey, registration, name and departure date (the carrier is not: see each reader)."""
    btm = decl.find("m:BorderTransportMeans", ns)
    return dict(mode=codes.read(REC19_IN, "Rec 19 transport mode", btm.find("m:TypeCode", ns),
                                xmlkit.text(btm, "m:TypeCode", ns)),
                journey_id=xmlkit.required(btm, "m:JourneyID", ns),
                departure_date=clock.day(btm, "m:DepartureDateTime", ns),
                registration=xmlkit.text(btm, "m:ID", ns), name=xmlkit.text(btm, "m:Name", ns))


def _consignment(c: etree._Element, ns: dict[str, str]) -> ManifestConsignment:
    descriptions = xmlkit.texts(c, "m:ConsignmentItem/m:Commodity/m:CargoDescription", ns)
    return ManifestConsignment(
        transport_document=xmlkit.required(c, "m:TransportContractDocument/m:ID", ns),
        house_documents=xmlkit.texts(c, "m:AssociatedTransportDocument/m:ID", ns),
        pieces=xmlkit.integer(c, "m:TotalPackageQuantity", ns),
        gross_weight=_measure(c, "m:TotalGrossMassMeasure", ns, "KGM"),
        volume=_measure(c, "m:GrossVolumeMeasure", ns, "MTQ"),
        goods_description=descriptions[0] if descriptions else None,
        hs_codes=xmlkit.texts(c, "m:ConsignmentItem/m:Commodity/m:Classification/m:ID", ns),
        origin=_location(c, "m:LoadingLocation/m:ID", ns),
        destination=_location(c, "m:UnloadingLocation/m:ID", ns),
        consignor=_party(c.find("m:Consignor", ns), ns),
        consignee=_party(c.find("m:Consignee", ns), ns),
        special_handling=xmlkit.texts(c, "m:Handling/m:InstructionsCodeCode", ns),
        equipment=[TransportEquipment.from_id(text) for el in c.iterfind("m:TransportEquipment", ns)
                   if (text := xmlkit.text(el, "m:EquipmentIdentification/m:ID", ns) or xmlkit.text(el, "m:ID", ns))],
    )


def _measure(el: etree._Element, path: str, ns: dict[str, str], unit: str) -> Measure | None:
    value = xmlkit.number(el, path, ns)
    if value is None:
        return None
    return Measure(value=value, unit=el.find(path, ns).get("unitCode") or unit)


def _location(el: etree._Element, path: str, ns: dict[str, str]) -> Location | None:
    code = xmlkit.text(el, path, ns)
    return None if code is None else Location(code=code)


def _party(el: etree._Element | None, ns: dict[str, str]) -> Party | None:
    if el is None:
        return None
    phone = email = None
    for comm in el.iterfind("m:Communication", ns):
        kind, value = xmlkit.text(comm, "m:TypeID", ns), xmlkit.text(comm, "m:ID", ns)
        if kind == "TE" and phone is None:
            phone = value
        elif kind == "EM" and email is None:
            email = value
    return Party(id=xmlkit.text(el, "m:ID", ns), name=xmlkit.text(el, "m:Name", ns),
                 address=_address(el.find("m:Address", ns), ns), phone=phone, email=email)


def _address(el: etree._Element | None, ns: dict[str, str]) -> Address | None:
    if el is None:
        return None
    return Address(street=xmlkit.text(el, "m:Line", ns), city=xmlkit.text(el, "m:CityName", ns),
                   postcode=xmlkit.text(el, "m:PostcodeID", ns),
                   country=xmlkit.text(el, "m:CountryCode", ns))
