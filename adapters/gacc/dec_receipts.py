"""The two receipt layers of a customs declaration.

1. DecImportResponse (namespace http://www.chinaport.gov.cn/dec, also seen without):
   ResponseCode (0 = imported into the single window, anything else = refused),
   ErrorMessage, ClientSeqNo (the sender's key), SeqNo (the unified number, 统一编号),
   TrnPreId. Keyed by ClientSeqNo; the SeqNo is the agency reference.
2. DEC_RESULT (no namespace; sometimes wrapped as DEC_DATA = DEC_RESULT + RESULT_INFO):
   CUS_CIQ_NO (or SEQ_NO) = the unified number, ENTRY_ID = 18-digit entry number,
   NOTICE_DATE, CHANNEL = status code, NOTE, CUSTOM_MASTER, I_E_DATE, D_DATE. Keyed
   by the unified number, so the runtime chains ClientSeqNo -> SeqNo -> ENTRY_ID.

CHANNEL -> status, from the single window's receipt code list:
  accepted (concluded, released, cleared): G 审结 concluded, J/W paperless concluded,
    P 放行 released, I paperless release, K/B released against guarantee, F release
    documents handed over, R 结关 cleared, X admitted into the bonded port;
  rejected: E 退单 returned / not accepted, Z 退回修改 returned for correction,
    Y 申报失败 declaration failed, D 删单 deleted by customs, A deleted before release,
    F1 draft failed, f0 client error;
  acknowledged (received, in progress): 7 申报成功 declared, L 海关已接收 received,
    M 重审 re-examination, S0 draft saved, E0/E1 form declared;
  other (needs the trader's action or is informational): C inspection notice,
    S inspection, T duties due, H suspended for manual declaration, and any unknown code.
"""

from __future__ import annotations

import re

from lxml import etree

from hub import xmlkit
from hub.adapters import Probe, RenderContext, XmlAdapter
from hub.errors import ConversionError, ParseError
from hub.models import Kind, Receipt, ReceiptError, ReceiptStatus
from hub.validation import element_path

from . import clock
from .dec_build import DEC_NS

ANSWERS = "DEC"
_S = ReceiptStatus
CHANNEL_STATUS = {
    **dict.fromkeys(("G", "J", "W", "P", "I", "K", "B", "F", "R", "X"), _S.ACCEPTED),
    **dict.fromkeys(("E", "Z", "Y", "D", "A", "F1", "f0"), _S.REJECTED),
    **dict.fromkeys(("7", "L", "M", "S0", "E0", "E1"), _S.ACKNOWLEDGED),
}
DEFAULT_CHANNEL = {_S.ACCEPTED: "P", _S.REJECTED: "E", _S.ACKNOWLEDGED: "L"}
ENTRY_ID = re.compile(r"^\d{18}$")


class DecImportResponse(XmlAdapter):
    name = "gacc-dec-response"
    family = "gacc"
    description = "GACC DecImportResponse: first declaration receipt, ClientSeqNo -> SeqNo (unified number)"
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})
    schema = "gacc/DecImportResponse.xsd"
    root_names = ((DEC_NS, "DecImportResponse"), (None, "DecImportResponse"))
    namespaces = {"d": DEC_NS}

    def parse(self, probe: Probe) -> Receipt:
        root = probe.tree.getroot()
        ns = {"d": etree.QName(root).namespace or ""}
        code = xmlkit.required(root, "d:ResponseCode", ns)
        text = xmlkit.text(root, "d:ErrorMessage", ns)
        ok = code == "0"
        return Receipt(answers_type=ANSWERS, business_key=xmlkit.required(root, "d:ClientSeqNo", ns),
                       status=_S.ACKNOWLEDGED if ok else _S.REJECTED, agency_status=code,
                       agency_reference=xmlkit.text(root, "d:SeqNo", ns), text=text,
                       errors=[] if ok else [ReceiptError(code=code, text=text)])

    def build(self, r: Receipt, ctx: RenderContext) -> etree._Element:
        root = etree.Element(f"{{{DEC_NS}}}DecImportResponse", nsmap={None: DEC_NS})
        code = r.agency_status or ("0" if r.status in (_S.ACKNOWLEDGED, _S.ACCEPTED) else "1")
        text = r.text or next((e.text for e in r.errors if e.text), None)
        for tag, value in (("ResponseCode", code), ("ErrorMessage", text),
                           ("ClientSeqNo", r.business_key), ("SeqNo", r.agency_reference)):
            xmlkit.add(root, f"{{{DEC_NS}}}{tag}", value)
        return root


class DecResult(XmlAdapter):
    name = "gacc-dec-result"
    family = "gacc"
    description = "GACC DEC_RESULT: declaration processing receipt, SeqNo -> entry number and CHANNEL status"
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})
    schema = "gacc/DEC_RESULT.xsd"
    root_names = ((None, "DEC_RESULT"), (None, "DEC_DATA"))

    def parse(self, probe: Probe) -> Receipt:
        root = probe.tree.getroot()
        result = root if root.tag == "DEC_RESULT" else root.find("DEC_RESULT")
        key = xmlkit.text(result, "CUS_CIQ_NO", {}) or xmlkit.text(result, "SEQ_NO", {})
        if key is None:
            raise ParseError("CUS_CIQ_NO (the unified number) is missing", code="FIELD_MISSING",
                             line=result.sourceline, path=element_path(result) + "/CUS_CIQ_NO")
        channel = xmlkit.required(result, "CHANNEL", {})
        status = CHANNEL_STATUS.get(channel, _S.OTHER)
        text = xmlkit.text(result, "NOTE", {}) or xmlkit.text(root, "RESULT_INFO", {})
        return Receipt(answers_type=ANSWERS, business_key=key,
                       issuer=xmlkit.text(result, "CUSTOM_MASTER", {}) or xmlkit.text(result, "DECL_PORT", {}),
                       status=status, agency_status=channel,
                       agency_reference=xmlkit.text(result, "ENTRY_ID", {}),
                       issued_at=clock.at(result, "NOTICE_DATE", {}), text=text,
                       errors=[ReceiptError(code=channel, text=text)] if status is _S.REJECTED else [])

    def build(self, r: Receipt, ctx: RenderContext) -> etree._Element:
        channel = r.agency_status or DEFAULT_CHANNEL.get(r.status)
        if channel is None:
            raise ConversionError(f"a DEC_RESULT needs a CHANNEL code: status {r.status.value} has no "
                                  "default, give agency_status", path="/agency_status")
        if r.agency_reference is not None and not ENTRY_ID.match(r.agency_reference):
            raise ConversionError(f"ENTRY_ID must be the 18-digit entry number, not {r.agency_reference!r}",
                                  path="/agency_reference")
        root = etree.Element("DEC_RESULT")
        for tag, value in (("CUS_CIQ_NO", r.business_key), ("ENTRY_ID", r.agency_reference),
                           ("NOTICE_DATE", r.issued_at and clock.iso(r.issued_at)),
                           ("CHANNEL", channel), ("NOTE", r.text), ("CUSTOM_MASTER", r.issuer)):
            xmlkit.add(root, tag, value)
        return root
