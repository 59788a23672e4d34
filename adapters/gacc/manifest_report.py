"""GACC manifest lifecycle reports: MT3101 arrival report and MT4101 tally report.

After a conveyance's manifest (MT1101) come its arrival report (运输工具抵境报告: when and where
it actually arrived, to which customs) and its tally report (理货报告: per bill, the pieces and
weight counted off it, against those declared, with the tally's discrepancy codes). They read
into their own canonical kinds, :class:`~hub.models.ArrivalReport` and
:class:`~hub.models.TallyReport`, and only these formats and JSON write them: a manifest is
not an arrival (an XFFM's arrival time is the scheduled one, so no arrival report is made of
it), and an arrival is not a manifest.

Layout (``schemas/gacc/manifest-common.xsd``): the Head of every manifest message; a
Declaration with the conveyance as in a manifest (BorderTransportMeans JourneyID, TypeCode
Rec 19 mode, ID, Name, DepartureDateTime = the journey's date, which port systems leave out)
and Carrier. MT3101: UnloadingLocation ID and the actual ArrivalDateTime (or, as port systems
write it, ID then ArrivalDate), AdditionalInformation remarks. MT4101: TallyDateTime (the
tally's completion), optional stated totals, TallyParty, UnloadingLocation ID, and per bill a
Consignment: TransportContractDocument (master), AssociatedTransportDocument (houses),
TotalPackageQuantity and TotalGrossMassMeasure as tallied, DeclaredPackageQuantity and
DeclaredGrossMassMeasure as declared, DiscrepancyCode (kept as sent). Times are Beijing time.
"""

from __future__ import annotations

from lxml import etree
from lxml.etree import SubElement

from hub import xmlkit
from hub.adapters import Probe, RenderContext
from hub.models import ArrivalReport, Journey, Kind, Location, Party, TalliedBill, TallyReport

from . import clock
from .manifest import ManifestAdapter, _measure, conveyance_fields
from .manifest_build import _leaf, start, write_conveyance
from .manifest_build import _measure as _write_measure

_BTM = "m:Declaration/m:BorderTransportMeans"
_JOURNEY = {
    "/journey": _BTM,
    "/journey/journey_id": _BTM + "/m:JourneyID",
    "/journey/departure_date": _BTM + "/m:DepartureDateTime",
    "/journey/carrier": "m:Declaration/m:Carrier",
    "/declaration_office": "m:Declaration/m:DeclarationOfficeID",
}
_C = "m:Declaration/m:Consignment[{0}]"


class ArrivalReportAdapter(ManifestAdapter):
    message_type = "MT3101"
    description = "GACC arrival report (运输工具抵境报告) MT3101: a conveyance's actual arrival"
    reads = frozenset({Kind.ARRIVAL})
    writes = frozenset({Kind.ARRIVAL})
    locations = {**_JOURNEY,
                 "/arrival_location/code": "m:Declaration/m:UnloadingLocation/m:ID",
                 "/arrived_at": "m:Declaration/m:UnloadingLocation/m:ArrivalDateTime"
                                " | m:Declaration/m:UnloadingLocation/m:ArrivalDate"}

    def parse(self, probe: Probe) -> ArrivalReport:
        header, decl, ns = self._open(probe)
        arrived = (clock.at(decl, "m:UnloadingLocation/m:ArrivalDateTime", ns)   # the schema asks for one
                   or clock.at(decl, "m:UnloadingLocation/m:ArrivalDate", ns))
        return ArrivalReport(
            header=header, journey=_journey(decl, ns),
            arrival_location=Location(code=xmlkit.required(decl, "m:UnloadingLocation/m:ID", ns)),
            arrived_at=arrived, declaration_office=xmlkit.text(decl, "m:DeclarationOfficeID", ns),
            remarks=xmlkit.text(decl, "m:AdditionalInformation/m:Content", ns))

    def build(self, r: ArrivalReport, ctx: RenderContext) -> etree._Element:
        t, root, decl = start(self.namespace, self.message_type, r.header.function, r.declaration_office, ctx)
        _remarks(decl, t, r.remarks)
        write_conveyance(decl, t, r.journey)
        unloading = SubElement(decl, t["UnloadingLocation"])
        SubElement(unloading, t["ArrivalDateTime"]).text = clock.stamp(r.arrived_at)
        SubElement(unloading, t["ID"]).text = r.arrival_location.code
        return root


class TallyReportAdapter(ManifestAdapter):
    message_type = "MT4101"
    description = "GACC tally report (理货报告) MT4101: per bill, pieces and weight tallied against declared"
    reads = frozenset({Kind.TALLY})
    writes = frozenset({Kind.TALLY})
    locations = {**_JOURNEY,
                 "/tallied_at": "m:Declaration/m:TallyDateTime",
                 "/total_pieces": "m:Declaration/m:TotalPackageQuantity",
                 "/total_gross_weight": "m:Declaration/m:TotalGrossMassMeasure",
                 "/location/code": "m:Declaration/m:UnloadingLocation/m:ID",
                 "/tally_party": "m:Declaration/m:TallyParty",
                 "/bills/*": _C,
                 "/bills/*/transport_document": _C + "/m:TransportContractDocument/m:ID",
                 "/bills/*/house_documents/*": _C + "/m:AssociatedTransportDocument[{1}]/m:ID",
                 "/bills/*/pieces": _C + "/m:TotalPackageQuantity",
                 "/bills/*/gross_weight": _C + "/m:TotalGrossMassMeasure",
                 "/bills/*/declared_pieces": _C + "/m:DeclaredPackageQuantity",
                 "/bills/*/declared_gross_weight": _C + "/m:DeclaredGrossMassMeasure",
                 "/bills/*/discrepancies/*": _C + "/m:DiscrepancyCode[{1}]"}

    def parse(self, probe: Probe) -> TallyReport:
        header, decl, ns = self._open(probe)
        tallied = clock.at(decl, "m:TallyDateTime", ns)
        party = decl.find("m:TallyParty", ns)
        location = xmlkit.text(decl, "m:UnloadingLocation/m:ID", ns)
        return TallyReport(
            header=header, journey=_journey(decl, ns), tallied_at=tallied,
            location=None if location is None else Location(code=location),
            declaration_office=xmlkit.text(decl, "m:DeclarationOfficeID", ns),
            tally_party=None if party is None else Party(id=xmlkit.text(party, "m:ID", ns),
                                                         name=xmlkit.text(party, "m:Name", ns)),
            bills=[_bill(c, ns) for c in decl.iterfind("m:Consignment", ns)],
            total_pieces=xmlkit.integer(decl, "m:TotalPackageQuantity", ns),
            total_gross_weight=_measure(decl, "m:TotalGrossMassMeasure", ns, "KGM"),
            remarks=xmlkit.text(decl, "m:AdditionalInformation/m:Content", ns))

    def build(self, r: TallyReport, ctx: RenderContext) -> etree._Element:
        t, root, decl = start(self.namespace, self.message_type, r.header.function, r.declaration_office, ctx)
        SubElement(decl, t["TallyDateTime"]).text = clock.stamp(r.tallied_at)
        if r.total_gross_weight is not None:
            _write_measure(decl, t["TotalGrossMassMeasure"], r.total_gross_weight)
        _leaf(decl, t["TotalPackageQuantity"], None if r.total_pieces is None else str(r.total_pieces))
        _remarks(decl, t, r.remarks)
        write_conveyance(decl, t, r.journey)
        for b in r.bills:
            _write_bill(SubElement(decl, t["Consignment"]), t, b)
        if r.tally_party is not None:
            party = SubElement(decl, t["TallyParty"])
            _leaf(party, t["ID"], r.tally_party.id)
            _leaf(party, t["Name"], r.tally_party.name)
        if r.location is not None:
            SubElement(SubElement(decl, t["UnloadingLocation"]), t["ID"]).text = r.location.code
        return root


def _journey(decl: etree._Element, ns: dict[str, str]) -> Journey:
    carrier = decl.find("m:Carrier", ns)
    return Journey(**conveyance_fields(decl, ns),
                   carrier=None if carrier is None else Party(id=xmlkit.text(carrier, "m:ID", ns),
                                                              name=xmlkit.text(carrier, "m:Name", ns)))


def _bill(c: etree._Element, ns: dict[str, str]) -> TalliedBill:
    return TalliedBill(
        transport_document=xmlkit.required(c, "m:TransportContractDocument/m:ID", ns),
        house_documents=xmlkit.texts(c, "m:AssociatedTransportDocument/m:ID", ns),
        pieces=xmlkit.integer(c, "m:TotalPackageQuantity", ns),
        gross_weight=_measure(c, "m:TotalGrossMassMeasure", ns, "KGM"),
        declared_pieces=xmlkit.integer(c, "m:DeclaredPackageQuantity", ns),
        declared_gross_weight=_measure(c, "m:DeclaredGrossMassMeasure", ns, "KGM"),
        discrepancies=xmlkit.texts(c, "m:DiscrepancyCode", ns))


def _remarks(decl: etree._Element, t, remarks: str | None) -> None:
    if remarks is not None:
        SubElement(SubElement(decl, t["AdditionalInformation"]), t["Content"]).text = remarks


def _write_bill(el: etree._Element, t, b: TalliedBill) -> None:
    if b.declared_gross_weight is not None:
        _write_measure(el, t["DeclaredGrossMassMeasure"], b.declared_gross_weight)
    _leaf(el, t["DeclaredPackageQuantity"], None if b.declared_pieces is None else str(b.declared_pieces))
    for code in b.discrepancies:
        SubElement(el, t["DiscrepancyCode"]).text = code
    _write_measure(el, t["TotalGrossMassMeasure"], b.gross_weight)
    SubElement(el, t["TotalPackageQuantity"]).text = str(b.pieces)
    for house in b.house_documents:
        SubElement(SubElement(el, t["AssociatedTransportDocument"]), t["ID"]).text = house
    SubElement(SubElement(el, t["TransportContractDocument"]), t["ID"]).text = b.transport_document
