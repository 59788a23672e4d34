"""XFNM Response: the Cargo-XML acknowledgement, from an airline or customs, and from the hub.

The BusinessHeaderDocument names what is answered (ID = business key, TypeCode =
the answered message type) and how it stands (StatusCode Accepted|Rejected).
Each ResponseStatus block is one finding: ReasonCode and Reason, ConditionCode
(Error on a rejection, else Warning) and Information, which carries the
canonical pointer of the finding when the hub writes it; the summary text rides
in the BusinessHeaderDocument's IncludedHeaderNote. The issuer is the first
SenderParty, the receipt time the IssueDateTime. An XFNM does not echo the
answered message id: correlate on (receiver, business key, type, ConversationID).
"""

from __future__ import annotations

from lxml import etree

from hub.adapters import Probe, RenderContext
from hub.models import Function, Kind, Receipt, ReceiptError, ReceiptStatus

from .base import PURPOSE_CODES, CargoXmlAdapter
from .datamodel import R
from .readers import Kids
from .writers import node, put

RESPONSE_NS = "iata:response:3"
RESPONSE = "294"
_STATUS = {"accepted": ReceiptStatus.ACCEPTED, "rejected": ReceiptStatus.REJECTED}
_DOCUMENT_NAMES = {"740": "Air Waybill", "741": "Air Waybill", "703": "House Waybill", "122": "Cargo Manifest"}
_STATUS_CODES = {ReceiptStatus.ACCEPTED: "Accepted", ReceiptStatus.ACKNOWLEDGED: "Accepted",
                 ReceiptStatus.REJECTED: "Rejected"}


class Xfnm(CargoXmlAdapter):
    """XFNM Response (294): accepted or rejected, with the reasons."""

    name = "xfnm"
    description = "IATA Cargo-XML XFNM response (acknowledgement, 294)"
    message_ns = RESPONSE_NS
    root = "Response"
    document_name = "Response"
    schema = "cargo_xml/xfnm.xsd"
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})
    locations = {"/business_key": "/rsm:Response/rsm:BusinessHeaderDocument/ram:ID",
                 "/status": "/rsm:Response/rsm:BusinessHeaderDocument/ram:StatusCode",
                 "/errors/*": "(/rsm:Response/rsm:ResponseStatus)[{}]"}

    def parse(self, probe: Probe) -> Receipt:
        root = probe.tree.getroot()
        parts = Kids(root)
        header = self.read_header(Kids(self.section(parts, "MessageHeaderDocument")))
        business = Kids(self.section(parts, "BusinessHeaderDocument"))
        status = business.need(R.StatusCode)
        return Receipt(header=header, answers_type=business.text(R.TypeCode),
                       business_key=business.need(R.ID), issuer=header.sender_id,
                       status=_STATUS.get(status.lower(), ReceiptStatus.OTHER), agency_status=status,
                       agency_reference=business.text(R.SenderAssignedID), issued_at=header.issued_at,
                       text=Kids(business.get(R.IncludedHeaderNote)).text(R.Content),
                       errors=[_error(s) for s in root.iterchildren(self.rsm("ResponseStatus"))])

    def build(self, doc: Receipt, ctx: RenderContext) -> etree._Element:
        function = doc.header.function
        purpose = "Response" if function is Function.ORIGINAL else PURPOSE_CODES[function]
        root = self.start(RESPONSE, purpose, doc.header, ctx, issued_at=doc.issued_at)
        business = node(root, self.rsm("BusinessHeaderDocument"))
        put(business, R.ID, doc.business_key)
        put(business, R.SenderAssignedID, doc.agency_reference)
        put(business, R.Name, _DOCUMENT_NAMES.get(doc.answers_type or ""))
        put(business, R.TypeCode, doc.answers_type)
        put(business, R.StatusCode, _status_code(doc))
        if doc.text is not None:
            put(node(business, R.IncludedHeaderNote), R.Content, doc.text)
        condition = "Error" if doc.status is ReceiptStatus.REJECTED else "Warning"
        for error in doc.errors:
            block = node(root, self.rsm("ResponseStatus"))
            put(block, R.ConditionCode, condition)
            put(block, R.ReasonCode, error.code)
            put(block, R.Reason, error.text)
            put(block, R.Information, error.pointer)
        return root


def _status_code(doc: Receipt) -> str:
    """The sender's own spelling when it reads the same, else Accepted / Rejected."""
    own = doc.agency_status
    if own and _STATUS.get(own.lower(), ReceiptStatus.OTHER) is doc.status:
        return own
    return _STATUS_CODES.get(doc.status) or own or "Other"


def _error(el: etree._Element) -> ReceiptError:
    k = Kids(el)
    return ReceiptError(code=k.text(R.ReasonCode) or k.text(R.ConditionCode) or "UNKNOWN",
                        text=k.text(R.Reason), pointer=k.text(R.Information))
