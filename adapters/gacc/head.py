"""The manifest message Head shared by MT1101, MT2101 and MT9999.

Head = MessageID, FunctionCode, MessageType, SenderID, ReceiverID, SendTime, Version.
Published filling rules: SenderID is the sender's 4-digit customs district + 9-digit
organisation code, ReceiverID the receiving customs' 4-digit district, SendTime
``yyyyMMddHHmmssSSS``, Version ``1.0``. FunctionCode for sea/air manifests is 2 add,
3 delete, 5 change; road manifests (and the MT1401 template) use 9 for a new message.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from hub import xmlkit
from hub.adapters import RenderContext
from hub.errors import ConversionError
from hub.models import Function, MessageHeader

from . import clock, codes

MANIFEST_NS = "urn:Declaration:datamodel:standard:CN:{}:1"
VERSION = "1.0"

FUNCTION_IN = {"2": Function.ORIGINAL, "9": Function.ORIGINAL, "5": Function.AMEND,
               "3": Function.CANCEL}
FUNCTION_OUT = {Function.ORIGINAL: "2", Function.AMEND: "5", Function.CANCEL: "3"}


def message_id(message_type: str, sender_id: str, when: datetime) -> str:
    """The conventional GACC MessageID ``CN_MT1101_1p0_<sender>_<yyyyMMddHHmmssSSS>``.

    The adapters write ``ctx.message_id`` unchanged (receipts echo it, so the runtime can
    correlate them); the runtime can mint that id with this function for GACC routes.
    """
    return f"CN_{message_type}_1p0_{sender_id}_{clock.stamp(when, 17)}"


def read(head: etree._Element, ns: dict[str, str]) -> MessageHeader:
    """The canonical header of a manifest Head."""
    code_el = head.find("m:FunctionCode", ns)
    function = codes.read(FUNCTION_IN, "manifest function", code_el, xmlkit.text(head, "m:FunctionCode", ns))
    return MessageHeader(message_id=xmlkit.text(head, "m:MessageID", ns),
                         issued_at=clock.at(head, "m:SendTime", ns), function=function,
                         sender_id=xmlkit.text(head, "m:SenderID", ns),
                         recipient_id=xmlkit.text(head, "m:ReceiverID", ns))


def write(root: etree._Element, ns: str, message_type: str, function: Function,
          ctx: RenderContext, message_id: str | None = None, sender_id: str | None = None,
          sent_at: datetime | None = None) -> None:
    """Append a Head: identity and time from ``ctx`` unless the caller gives them."""
    head = etree.SubElement(root, f"{{{ns}}}Head")
    code = FUNCTION_OUT.get(function)
    if code is None:
        raise ConversionError(f"/header/function: {function!r} has no manifest FunctionCode",
                              code="CODE_UNMAPPED", path="/header/function")
    for tag, value in (("MessageID", message_id or ctx.message_id), ("FunctionCode", code),
                       ("MessageType", message_type), ("SenderID", sender_id or ctx.sender_id),
                       ("ReceiverID", ctx.receiver_id), ("SendTime", clock.stamp(sent_at or ctx.created_at, 17)),
                       ("Version", VERSION)):
        etree.SubElement(head, f"{{{ns}}}{tag}").text = value
