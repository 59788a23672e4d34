"""GACC MT9999: the customs' answer to a manifest, one response code and text per bill.

Layout (from published MT9999 receipts): Head + Response = BorderTransportMeans/JourneyID
and, per answered bill, Consignment = TransportContractDocument/ID (master),
AssociatedTransportDocument/ID (house, may be empty) and ResponseType (Code, Text). The
receipt's Head echoes the answered message: its MessageID and MessageType are the
answered MessageID and type (MT1101, MT2101, MT3101 arrival report, MT4101 tally report);
SenderID is the answering customs. An answer to an arrival report is about the conveyance:
Response/BorderTransportMeans/JourneyID and a Response/ResponseType, no bill. An answer to a
tally report gives each tallied bill its code, read with the same code list as a manifest's
bills (a bill whose tally differs is typically 02, manual review); unknown codes read as OTHER.

Canonical reading: a receipt about one bill is keyed by that bill (house if given, else
master); a receipt about several bills, or with a message-level Response/ResponseType, is
keyed by the JourneyID, takes the worst code, and lists every bill that was not accepted
in ``errors`` (ReceiptError.pointer = the bill number).

Response codes (舱单回执类型): 01 accepted (海关接受申报), 02 waiting for manual review
(传输待人工审核), 03 refused, returned (不允许传输，退单), 11 bill released (提运单放行),
12 loading refused (拒装), 13 unloading prohibited (禁卸). Unknown codes read as OTHER.
"""

from __future__ import annotations

import re

from lxml import etree

from hub import xmlkit
from hub.adapters import Probe, RenderContext, XmlAdapter
from hub.errors import ParseError
from hub.models import Function, Kind, MessageHeader, Receipt, ReceiptError, ReceiptStatus
from hub.validation import element_path

from . import clock, head

NS = head.MANIFEST_NS.format("MT9999")
STATUS = {"01": ReceiptStatus.ACCEPTED, "02": ReceiptStatus.ACKNOWLEDGED,
          "03": ReceiptStatus.REJECTED, "11": ReceiptStatus.ACCEPTED,
          "12": ReceiptStatus.REJECTED, "13": ReceiptStatus.REJECTED}
DEFAULT_CODE = {ReceiptStatus.ACCEPTED: "01", ReceiptStatus.ACKNOWLEDGED: "02",
                ReceiptStatus.REJECTED: "03", ReceiptStatus.OTHER: "02"}
_SEVERITY = {ReceiptStatus.ACCEPTED: 0, ReceiptStatus.ACKNOWLEDGED: 1, ReceiptStatus.OTHER: 2,
             ReceiptStatus.REJECTED: 3}


_MT_TYPE = re.compile(r"^MT\d{4}$")
CONVEYANCE_ANSWERS = frozenset({"MT3101"})
"""Answered types that report a conveyance, not bills: the answer is the journey's ResponseType."""


class ManifestReceipt(XmlAdapter):
    name = "gacc-mt9999"
    family = "gacc"
    description = "GACC manifest receipt MT9999 (舱单回执): response code and text per bill"
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})
    schema = "gacc/MT9999.xsd"
    root_names = ((NS, "Manifest"),)
    namespaces = {"m": NS}

    def parse(self, probe: Probe) -> Receipt:
        root, ns = probe.tree.getroot(), self.namespaces
        head_el, resp = root.find("m:Head", ns), root.find("m:Response", ns)
        bills = [_bill(c, ns) for c in resp.iterfind("m:Consignment", ns)]
        overall = resp.find("m:ResponseType", ns)
        if overall is None and len(bills) == 1:
            key, code, text, errors = bills[0][0], bills[0][1], bills[0][2], []
        else:
            key = _journey(resp, ns)
            code, text = _overall(overall, ns) if overall is not None else _worst(bills, resp)
            errors = [ReceiptError(code=c, text=t, pointer=b) for b, c, t in bills
                      if _status(c) is not ReceiptStatus.ACCEPTED]
        answered, issuer = xmlkit.text(head_el, "m:MessageType", ns), xmlkit.text(head_el, "m:SenderID", ns)
        return Receipt(
            header=MessageHeader(sender_id=issuer, recipient_id=xmlkit.text(head_el, "m:ReceiverID", ns)),
            answers_message_id=xmlkit.text(head_el, "m:MessageID", ns),
            answers_type=None if answered == "MT9999" else answered,
            business_key=key, issuer=issuer, status=_status(code),
            agency_status=code, issued_at=clock.at(head_el, "m:SendTime", ns), text=text, errors=errors)

    def build(self, r: Receipt, ctx: RenderContext) -> etree._Element:
        """The answered type goes into MessageType when it is a GACC manifest type (MT1101); an
        answer to anything else (an FWB, a CEB311) says MT9999 there. An answer with errors, or
        to an arrival report (MT3101: a conveyance, no bills), is the journey's: JourneyID = the
        business key, a Consignment per bill in error, and the overall ResponseType."""
        root = etree.Element(f"{{{NS}}}Manifest", nsmap={None: NS})
        answered = r.answers_type if r.answers_type and _MT_TYPE.match(r.answers_type) else "MT9999"
        head.write(root, NS, answered, Function.ORIGINAL, ctx,
                   message_id=r.answers_message_id, sender_id=r.issuer, sent_at=r.issued_at)
        resp = etree.SubElement(root, f"{{{NS}}}Response")
        code = r.agency_status or DEFAULT_CODE[r.status]
        if not r.errors and answered not in CONVEYANCE_ANSWERS:
            _write_bill(resp, r.business_key, code, r.text)
            return root
        btm = etree.SubElement(resp, f"{{{NS}}}BorderTransportMeans")
        etree.SubElement(btm, f"{{{NS}}}JourneyID").text = r.business_key
        for error in r.errors:
            if error.pointer:
                _write_bill(resp, error.pointer, error.code, error.text)
        _write_type(resp, code, r.text)
        return root


def _status(code: str) -> ReceiptStatus:
    return STATUS.get(code, ReceiptStatus.OTHER)


def _bill(c: etree._Element, ns: dict[str, str]) -> tuple[str, str, str | None]:
    bill = (xmlkit.text(c, "m:AssociatedTransportDocument/m:ID", ns)
            or xmlkit.required(c, "m:TransportContractDocument/m:ID", ns))
    return bill, xmlkit.required(c, "m:ResponseType/m:Code", ns), xmlkit.text(c, "m:ResponseType/m:Text", ns)


def _overall(el: etree._Element, ns: dict[str, str]) -> tuple[str, str | None]:
    return xmlkit.required(el, "m:Code", ns), xmlkit.text(el, "m:Text", ns)


def _worst(bills: list[tuple[str, str, str | None]], resp: etree._Element) -> tuple[str, str | None]:
    if not bills:
        raise ParseError("the Response answers no bill and has no ResponseType", code="FIELD_MISSING",
                         line=resp.sourceline, path=element_path(resp))
    _, code, text = max(bills, key=lambda b: _SEVERITY[_status(b[1])])
    return code, text


def _journey(resp: etree._Element, ns: dict[str, str]) -> str:
    return xmlkit.required(resp, "m:BorderTransportMeans/m:JourneyID", ns)


def _write_bill(resp: etree._Element, bill: str, code: str, text: str | None) -> None:
    c = etree.SubElement(resp, f"{{{NS}}}Consignment")
    _write_type(c, code, text)
    etree.SubElement(etree.SubElement(c, f"{{{NS}}}TransportContractDocument"), f"{{{NS}}}ID").text = bill


def _write_type(parent: etree._Element, code: str, text: str | None) -> None:
    rt = etree.SubElement(parent, f"{{{NS}}}ResponseType")
    etree.SubElement(rt, f"{{{NS}}}Code").text = code
    xmlkit.add(rt, f"{{{NS}}}Text", text)
