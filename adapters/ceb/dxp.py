"""The DXP envelope of the China E-port data exchange platform: DxpMsg and its reply DxpRep.

DxpMsg (namespace http://www.chinaport.gov.cn/dxp, ver 1.0) = TransInfo + Data [+ AddInfo]
[+ signature]. TransInfo: CopMsgId (the sender's own message id, echoed by the reply; the hub
writes its message id), SenderId and 1..5 ReceiverIds (DXP user ids, at most 16 characters),
CreatTime (Beijing time, no offset), MsgType (the payload's root name, e.g. CEB621Message).
Data is the payload, base64. DxpRep is the platform's answer: RecevierId (so spelt), then per
response a ResponseCode, info, per-receiver Results, NoticeTime and the answered TransInfo
(OriHead).

:func:`seal` and :func:`open` are the two directions; both insist that the payload is a CEB
message whose root is the MsgType. Errors: DXP_NOT_ENVELOPE, DXP_DATA_BASE64, DXP_MSG_TYPE,
DXP_PAYLOAD_NOT_CEB (reading: ParseError, reject) and DXP_ID (writing: ConversionError).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree

from adapters.gacc import clock
from hub import xmlkit
from hub.errors import ConversionError, DocumentError, ParseError
from hub.validation import element_path, parse_xml

from .common import CEB_NS

DXP_NS = "http://www.chinaport.gov.cn/dxp"
NS = {"dxp": DXP_NS}
CEB_TYPE = re.compile(r"^CEB\d{3}Message$")


@dataclass(frozen=True)
class TransInfo:
    """Who sends what to whom: the DxpMsg header, echoed as a reply's OriHead."""

    cop_msg_id: str
    sender_id: str
    receiver_ids: tuple[str, ...]
    created_at: datetime
    msg_type: str


@dataclass(frozen=True)
class Opened:
    """An unwrapped DxpMsg: its TransInfo and the payload bytes."""

    info: TransInfo
    payload: bytes
    file_name: str | None = None


def _d(tag: str) -> str:
    return f"{{{DXP_NS}}}{tag}"


def seal(payload: bytes, info: TransInfo, file_name: str | None = None) -> etree._Element:
    """Wrap a CEB message (its bytes) into a DxpMsg; the payload must be a ``info.msg_type``."""
    _check_payload(payload, info.msg_type, None, ConversionError)
    for what, value in (("SenderId", info.sender_id), *(("ReceiverId", r) for r in info.receiver_ids)):
        if not 0 < len(value) <= 16:
            raise ConversionError(f"DXP {what} {value!r} must have 1 to 16 characters", code="DXP_ID")
    if not 1 <= len(info.receiver_ids) <= 5:
        raise ConversionError("a DxpMsg has 1 to 5 receivers", code="DXP_ID")
    root = etree.Element(_d("DxpMsg"), {"ver": "1.0"}, nsmap={"dxp": DXP_NS})
    _write_info(etree.SubElement(root, _d("TransInfo")), info)
    etree.SubElement(root, _d("Data")).text = base64.b64encode(payload).decode("ascii")
    if file_name:
        etree.SubElement(etree.SubElement(root, _d("AddInfo")), _d("FileName")).text = file_name
    return root


def open(envelope: bytes | etree._ElementTree | etree._Element) -> Opened:  # noqa: A001 - the brief's name
    """Unwrap a DxpMsg into its TransInfo and payload bytes; coded ParseErrors say what is wrong."""
    root = _root(envelope)
    if root.tag != _d("DxpMsg"):
        raise ParseError(f"<{etree.QName(root).localname}> is not a DXP DxpMsg", code="DXP_NOT_ENVELOPE",
                         line=root.sourceline, path=element_path(root))
    info = _read_info(_child(root, "TransInfo"))
    data = _child(root, "Data")
    try:
        payload = base64.b64decode("".join((data.text or "").split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ParseError(f"Data is not base64: {exc}", code="DXP_DATA_BASE64", line=data.sourceline,
                         path=element_path(data)) from exc
    _check_payload(payload, info.msg_type, root, ParseError)
    return Opened(info, payload, xmlkit.text(root, "dxp:AddInfo/dxp:FileName", NS))


def _root(envelope: bytes | etree._ElementTree | etree._Element) -> etree._Element:
    if isinstance(envelope, bytes):
        return parse_xml(envelope).getroot()
    return envelope.getroot() if isinstance(envelope, etree._ElementTree) else envelope


def _child(el: etree._Element, tag: str) -> etree._Element:
    found = el.find(f"dxp:{tag}", NS)
    if found is None:
        raise ParseError(f"{tag} is missing", code="FIELD_MISSING", line=el.sourceline,
                         path=f"{element_path(el)}/{tag}")
    return found


def _check_payload(payload: bytes, msg_type: str, envelope: etree._Element | None, error: type) -> None:
    """The payload is XML whose root is the CEB message ``msg_type`` names."""
    def fail(code: str, message: str, tag: str):
        el = envelope.find(f"dxp:{tag}", NS) if envelope is not None else None
        kw = {} if el is None else {"line": el.sourceline, "path": element_path(el)}
        return error(message, code=code, **kw)

    if not CEB_TYPE.match(msg_type):
        raise fail("DXP_MSG_TYPE", f"MsgType {msg_type!r} is not a CEB message type (CEBnnnMessage)",
                   "TransInfo/dxp:MsgType")
    try:
        root = etree.QName(parse_xml(payload).getroot())
    except DocumentError as exc:
        raise fail("DXP_PAYLOAD_NOT_CEB", f"the payload is not XML: {exc.message}", "Data") from exc
    if root.namespace != CEB_NS or not CEB_TYPE.match(root.localname):
        raise fail("DXP_PAYLOAD_NOT_CEB", f"the payload <{root.localname}> in {root.namespace or 'no namespace'} "
                   "is not a CEB message", "Data")
    if root.localname != msg_type:
        raise fail("DXP_MSG_TYPE", f"MsgType says {msg_type}, the payload is a {root.localname}",
                   "TransInfo/dxp:MsgType")


def _write_info(el: etree._Element, info: TransInfo) -> None:
    etree.SubElement(el, _d("CopMsgId")).text = info.cop_msg_id
    etree.SubElement(el, _d("SenderId")).text = info.sender_id
    receivers = etree.SubElement(el, _d("ReceiverIds"))
    for receiver in info.receiver_ids:
        etree.SubElement(receivers, _d("ReceiverId")).text = receiver
    etree.SubElement(el, _d("CreatTime")).text = clock.iso(info.created_at)
    etree.SubElement(el, _d("MsgType")).text = info.msg_type


def _read_info(el: etree._Element) -> TransInfo:
    created = _child(el, "CreatTime")
    when = xmlkit.parse_when(created.text, created)
    return TransInfo(cop_msg_id=xmlkit.required(el, "dxp:CopMsgId", NS),
                     sender_id=xmlkit.required(el, "dxp:SenderId", NS),
                     receiver_ids=tuple(xmlkit.texts(el, "dxp:ReceiverIds/dxp:ReceiverId", NS)),
                     created_at=when.replace(tzinfo=clock.CST) if when.tzinfo is None else when,
                     msg_type=xmlkit.text(el, "dxp:MsgType", NS) or "")


# -- DxpRep ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """How one receiver took the message."""

    receiver_id: str
    code: str
    info: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Response:
    """The platform's answer to one DxpMsg (its TransInfo is ``original``)."""

    code: str
    notice_date: date
    original: TransInfo
    info: str | None = None
    node_id: str | None = None
    note: str | None = None
    results: tuple[Result, ...] = ()


@dataclass(frozen=True)
class Reply:
    """A DxpRep: addressed to ``receiver_id``, one or more responses."""

    receiver_id: str
    responses: tuple[Response, ...] = field(default_factory=tuple)
    ad_node_id: str | None = None


def build_reply(reply: Reply) -> etree._Element:
    """The DxpRep element of ``reply``."""
    root = etree.Element(_d("DxpRep"), {"ver": "1.0"}, nsmap={"dxp": DXP_NS})
    xmlkit.add(root, _d("RecevierId"), reply.receiver_id)
    xmlkit.add(root, _d("AdNodeId"), reply.ad_node_id)
    for response in reply.responses:
        el = etree.SubElement(root, _d("Response"))
        xmlkit.add(el, _d("NodeId"), response.node_id)
        xmlkit.add(el, _d("ResponseCode"), response.code)
        xmlkit.add(el, _d("ResponseInfo"), response.info)
        if response.results:
            results = etree.SubElement(el, _d("Results"))
            for result in response.results:
                r = etree.SubElement(results, _d("Result"))
                for tag, value in (("RecId", result.receiver_id), ("Code", result.code), ("Info", result.info),
                                   ("Note", result.note)):
                    xmlkit.add(r, _d(tag), value)
        xmlkit.add(el, _d("NoticeTime"), response.notice_date.isoformat())
        xmlkit.add(el, _d("Note"), response.note)
        _write_info(etree.SubElement(el, _d("OriHead")), response.original)
    return root


def parse_reply(reply: bytes | etree._ElementTree | etree._Element) -> Reply:
    """A DxpRep read into a :class:`Reply`."""
    root = _root(reply)
    if root.tag != _d("DxpRep"):
        raise ParseError(f"<{etree.QName(root).localname}> is not a DXP DxpRep", code="DXP_NOT_ENVELOPE",
                         line=root.sourceline, path=element_path(root))
    return Reply(receiver_id=xmlkit.required(root, "dxp:RecevierId", NS),
                 ad_node_id=xmlkit.text(root, "dxp:AdNodeId", NS),
                 responses=tuple(_read_response(el) for el in root.iterfind("dxp:Response", NS)))


def _date(el: etree._Element) -> date:
    """An xs:date, whose optional zone the hub drops (the platform writes Beijing dates)."""
    try:
        return date.fromisoformat((el.text or "").strip()[:10])
    except ValueError:
        raise ParseError(f"{el.text!r} is not a date", code="RULE_DATE_INVALID", line=el.sourceline,
                         path=element_path(el)) from None


def _read_response(el: etree._Element) -> Response:
    notice = _child(el, "NoticeTime")
    return Response(code=xmlkit.required(el, "dxp:ResponseCode", NS),
                    notice_date=_date(notice),
                    original=_read_info(_child(el, "OriHead")), info=xmlkit.text(el, "dxp:ResponseInfo", NS),
                    node_id=xmlkit.text(el, "dxp:NodeId", NS), note=xmlkit.text(el, "dxp:Note", NS),
                    results=tuple(Result(receiver_id=xmlkit.required(r, "dxp:RecId", NS),
                                         code=xmlkit.required(r, "dxp:Code", NS),
                                         info=xmlkit.text(r, "dxp:Info", NS), note=xmlkit.text(r, "dxp:Note", NS))
                                  for r in el.iterfind("dxp:Results/dxp:Result", NS)))
