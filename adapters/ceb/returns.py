"""CEB receipts: CEB312 order, CEB412 payment, CEB512 logistics, CEB622 inventory -> Receipt.

A receipt message holds 1..100 return records; each is one state of one declaration record
(the customs send a new one at every step, with a rising returnStatus), and one message may
answer several declarations. The Receipt is the record with the latest returnTime, and among
equal times the highest rank (the code itself; a negative error code ranks above all, since it
ends the attempt); every other record is in ``Receipt.more``, oldest first, so the runtime
correlates and records each one (earlier states of the same key as events, other keys on their
own deliveries). Written, every answer becomes a record, earlier ones first.

Fields: business_key = orderNo / payTransactionId / logisticsNo / copNo; answers_message_id =
the record's guid (it echoes the declaration record's guid: for a message the hub rendered,
:func:`.common.guid_for` of the hub message id); answers_type = CEB311/411/511/621;
agency_status = returnStatus; text = "<meaning>: <returnInfo>"; issued_at = returnTime (Beijing
time); header.message_id = the receipt's own guid; header.recipient_id = the enterprise it is
addressed to (ebcCode, payCode, logisticsCode, agentCode). CEB622 also: issuer = customsCode,
agency_reference = invtNo, else preNo.

returnStatus -> status (RETURN_STATUS below):
  ACCEPTED      120 accepted into customs, 399 concluded, 800 released, 899 cleared
  REJECTED      4 sending to customs failed, 100 returned by customs, 700 returned shipment,
                any negative code (an error; errors = [code, returnInfo])
  ACKNOWLEDGED  1 stored, 2 declaring, 3 sent to customs, 300 manual review (in progress)
  OTHER         500 inspection, 501-599 held (the trader must act), any other code
Written without agency_status, a receipt says 2 (acknowledged), 120 (accepted) or -1
(rejected: the hub refused the message); OTHER needs the agency's code.

Written (lossy): ebpCode and ebcCode of CEB312 both carry header.recipient_id (else
ctx.receiver_id); CEB622 writes agency_reference as preNo (its one required number), so an
invtNo read comes back as preNo, and customsCode only when the issuer is a 4-digit customs code.
"""

from __future__ import annotations

import re
from typing import ClassVar

from lxml import etree

from adapters.gacc import clock
from hub import xmlkit
from hub.adapters import Probe, RenderContext, XmlAdapter
from hub.errors import ConversionError
from hub.models import Kind, MessageHeader, Receipt, ReceiptError, ReceiptStatus

from .common import CEB_NS, NS, guid_for, message_root, q

_S = ReceiptStatus
RETURN_STATUS: dict[str, tuple[str, ReceiptStatus]] = {
    "1": ("stored", _S.ACKNOWLEDGED), "2": ("declaring", _S.ACKNOWLEDGED),
    "3": ("sent to customs", _S.ACKNOWLEDGED), "4": ("sending to customs failed", _S.REJECTED),
    "100": ("returned by customs", _S.REJECTED), "120": ("accepted into customs", _S.ACCEPTED),
    "300": ("manual review", _S.ACKNOWLEDGED), "399": ("concluded", _S.ACCEPTED),
    "500": ("inspection", _S.OTHER), "501": ("held, handed to clearance", _S.OTHER),
    "502": ("held, handed to anti-smuggling", _S.OTHER), "503": ("held, handed to legal affairs", _S.OTHER),
    "599": ("held, other", _S.OTHER), "700": ("returned shipment", _S.REJECTED),
    "800": ("released", _S.ACCEPTED), "899": ("cleared", _S.ACCEPTED),
}
DEFAULT_CODE = {_S.ACKNOWLEDGED: "2", _S.ACCEPTED: "120", _S.REJECTED: "-1"}
CODE = re.compile(r"^-?\d{1,9}$")
GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def describe(code: str) -> tuple[str, ReceiptStatus]:
    """The meaning and the hub's status of a returnStatus code."""
    if code in RETURN_STATUS:
        return RETURN_STATUS[code]
    number = int(code)
    if number < 0:
        return "error", _S.REJECTED
    if 501 <= number <= 599:
        return "held", _S.OTHER
    return "unknown status", _S.OTHER


def _rank(record: etree._Element) -> tuple[str, int]:
    code = int(xmlkit.required(record, "ceb:returnStatus", NS))
    return xmlkit.required(record, "ceb:returnTime", NS), 10**9 if code < 0 else code


class CebReturn(XmlAdapter):
    """A CEB receipt message; subclasses name the record and its identifying elements."""

    family = "ceb"
    namespaces = NS
    reads = writes = frozenset({Kind.RECEIPT})
    message_type: ClassVar[str]
    record_tag: ClassVar[str]
    key_tag: ClassVar[str]
    party_tags: ClassVar[tuple[str, ...]]
    """The enterprise code elements before the key; the last one is read as header.recipient_id."""
    key_length: ClassVar[int] = 60
    answers: ClassVar[str]
    """The declaration answered (CEB311 for CEB312 ...), derived from the message type."""

    def __init_subclass__(cls, **kw) -> None:
        super().__init_subclass__(**kw)
        cls.root_names = ((CEB_NS, cls.message_type),)
        cls.schema = f"ceb/{cls.message_type[:6]}.xsd"
        cls.answers = f"CEB{int(cls.message_type[3:6]) - 1}"

    def parse(self, probe: Probe) -> Receipt:
        root = probe.tree.getroot()
        records = sorted(root.findall(f"ceb:{self.record_tag}", NS), key=_rank)
        *earlier, last = [self._record(root, rec) for rec in records]
        for answer in earlier:      # the message's own guid belongs to the Receipt that stands for it
            answer.header.message_id = None
        return last.model_copy(update={"more": earlier})

    def _record(self, root: etree._Element, rec: etree._Element) -> Receipt:
        code, info = xmlkit.required(rec, "ceb:returnStatus", NS), xmlkit.required(rec, "ceb:returnInfo", NS)
        meaning, status = describe(code)
        return Receipt(
            header=MessageHeader(message_id=root.get("guid"),
                                 recipient_id=xmlkit.text(rec, f"ceb:{self.party_tags[-1]}", NS)),
            answers_message_id=xmlkit.required(rec, "ceb:guid", NS), answers_type=self.answers,
            business_key=xmlkit.required(rec, f"ceb:{self.key_tag}", NS), status=status, agency_status=code,
            issued_at=clock.at(rec, "ceb:returnTime", NS), text=f"{meaning}: {info}",
            errors=[ReceiptError(code=code, text=info)] if status is _S.REJECTED else [], **self._agency(rec))

    def _agency(self, rec: etree._Element) -> dict:
        """Issuer and agency reference, where the record has them."""
        return {}

    def build(self, receipt: Receipt, ctx: RenderContext) -> etree._Element:
        root = message_root(self.message_type, ctx)
        for answer in receipt.answers():           # earlier records first, as they were read
            self._write_record(root, answer, ctx)
        return root

    def _write_record(self, root: etree._Element, r: Receipt, ctx: RenderContext) -> None:
        rec = etree.SubElement(root, q(self.record_tag))
        answered = r.answers_message_id or r.business_key
        xmlkit.add(rec, q("guid"), answered if GUID.match(answered) else guid_for(answered))
        self._identity(rec, r, _party(r, ctx))
        code = _code(r)
        meaning = describe(code)[0]
        info = (r.text or "").removeprefix(f"{meaning}: ") or meaning
        for tag, value in (("returnStatus", code), ("returnTime", clock.stamp(r.issued_at or ctx.created_at, 17)),
                           ("returnInfo", info[:1000])):
            xmlkit.add(rec, q(tag), value)

    def _identity(self, rec: etree._Element, r: Receipt, party: str) -> None:
        """The elements between guid and returnStatus: enterprise codes, then the key."""
        for tag in self.party_tags:
            xmlkit.add(rec, q(tag), party)
        xmlkit.add(rec, q(self.key_tag), _key(r, self.key_length))


def _party(r: Receipt, ctx: RenderContext) -> str:
    party = r.header.recipient_id or ctx.receiver_id
    if not 0 < len(party) <= 18:
        raise ConversionError(f"the addressee {party!r} is not an enterprise code of 1 to 18 characters",
                              code="CEB_RECEIVER_ID", path="/header/recipient_id")
    return party


def _key(r: Receipt, length: int) -> str:
    if len(r.business_key) > length:
        raise ConversionError(f"/business_key: {r.business_key!r} is longer than {length} characters",
                              code="FIELD_TOO_LONG", path="/business_key")
    return r.business_key


def _code(r: Receipt) -> str:
    """The agency's own code when it is a CEB code of the same status, else the status's default."""
    if r.agency_status and CODE.match(r.agency_status) and describe(r.agency_status)[1] is r.status:
        return r.agency_status
    if r.status not in DEFAULT_CODE:
        raise ConversionError(f"a CEB receipt needs a returnStatus: status {r.status.value} has no default, "
                              "give a CEB code as agency_status", path="/agency_status")
    return DEFAULT_CODE[r.status]


class OrderReturn(CebReturn):
    name = "ceb312"
    description = "GACC CEB312 order receipt (电子订单回执): returnStatus of an order, keyed by orderNo"
    message_type, record_tag, key_tag, party_tags = "CEB312Message", "OrderReturn", "orderNo", ("ebpCode", "ebcCode")


class PaymentReturn(CebReturn):
    name = "ceb412"
    description = "GACC CEB412 payment receipt (支付凭证回执): keyed by payTransactionId"
    message_type, record_tag, key_tag, party_tags = "CEB412Message", "PaymentReturn", "payTransactionId", ("payCode",)


class LogisticsReturn(CebReturn):
    name = "ceb512"
    description = "GACC CEB512 logistics waybill receipt (物流运单回执): keyed by logisticsNo"
    message_type, record_tag, key_tag, party_tags = "CEB512Message", "LogisticsReturn", "logisticsNo", \
        ("logisticsCode",)


class InventoryReturn(CebReturn):
    name = "ceb622"
    description = "GACC CEB622 inventory receipt (进口清单回执): keyed by copNo, with preNo/invtNo"
    message_type, record_tag, key_tag, party_tags = "CEB622Message", "InventoryReturn", "copNo", ("agentCode",)
    key_length = 20

    def _agency(self, rec: etree._Element) -> dict:
        return {"issuer": xmlkit.text(rec, "ceb:customsCode", NS),
                "agency_reference": xmlkit.text(rec, "ceb:invtNo", NS) or xmlkit.text(rec, "ceb:preNo", NS)}

    def _identity(self, rec: etree._Element, r: Receipt, party: str) -> None:
        if r.agency_reference is None or len(r.agency_reference) != 18:
            raise ConversionError("/agency_reference: a CEB622 needs the 18-character preNo, "
                                  f"not {r.agency_reference!r}", code="FIELD_REQUIRED", path="/agency_reference")
        issuer = r.issuer if r.issuer and re.fullmatch(r"\d{4}", r.issuer) else None
        for tag, value in (("customsCode", issuer), ("agentCode", party), ("copNo", _key(r, self.key_length)),
                           ("preNo", r.agency_reference)):
            xmlkit.add(rec, q(tag), value)
