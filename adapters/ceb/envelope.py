"""The DXP envelope as an adapter: the engine unwraps a DxpMsg to read its CEB payload, and
seals a rendered CEB message into a DxpMsg for compound formats such as ``ceb621+dxp``.

The envelope carries no canonical document of its own (reads and writes nothing); CopMsgId is
the hub message id, SenderId/ReceiverId the render context's parties, MsgType the inner
adapter's message type.
"""

from __future__ import annotations

import re

from lxml import etree

from hub.adapters import Adapter, Output, Probe, RenderContext, XmlAdapter
from hub.errors import ConversionError
from hub.models import Kind, Receipt, ReceiptError, ReceiptStatus
from hub.validation import parse_xml

from . import dxp


class Dxp(XmlAdapter):
    name = "dxp"
    family = "ceb"
    description = "China E-port DXP envelope DxpMsg: a CEB message as base64 Data (unwrap and seal only)"
    schema = "ceb/dxp.xsd"
    root_names = ((dxp.DXP_NS, "DxpMsg"),)
    namespaces = dxp.NS
    negative_receipt = "dxp-rep"   # a DxpMsg the hub cannot open is answered at the transport level

    def unwrap(self, probe: Probe) -> bytes | None:
        """The CEB payload of a DxpMsg (None for anything else); coded ParseErrors when it is broken."""
        if not self.detect(probe):
            return None
        return dxp.open(probe.tree).payload

    def seal(self, inner: Output, inner_adapter: Adapter, ctx: RenderContext) -> Output:
        """Wrap a rendered CEB message; the envelope is addressed from ``ctx``."""
        msg_type = getattr(inner_adapter, "message_type", None)
        if inner_adapter.family != "ceb" or msg_type is None:
            raise ConversionError(f"a DXP envelope carries CEB messages, not {inner_adapter.name}",
                                  code="DXP_NOT_CEB")
        info = dxp.TransInfo(cop_msg_id=ctx.message_id, sender_id=ctx.sender_id, receiver_ids=(ctx.receiver_id,),
                             created_at=ctx.created_at, msg_type=msg_type)
        root = dxp.seal(inner.data, info)
        return Output(data=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                      media_type=self.media_type, tree=root.getroottree())

    def reply_facts(self, data: bytes) -> dict:
        """The envelope's CopMsgId and MsgType, read leniently (from a broken envelope too, as far as
        it goes; '-' when there is no CopMsgId to echo); never raises."""
        try:
            root = parse_xml(data).getroot()
        except Exception:  # noqa: BLE001 - a reply must never fail on what it echoes
            return {"answers_interchange": "-"}
        try:
            info = dxp.open(root).info
            return {"answers_interchange": info.cop_msg_id, "answers_type": info.msg_type[:6]}
        except Exception:  # noqa: BLE001
            pass
        cop, msg_type = (root.findtext(f".//dxp:{tag}", namespaces=dxp.NS) for tag in ("CopMsgId", "MsgType"))
        facts = {"answers_interchange": (cop or "").strip()[:255] or "-"}
        if msg_type and msg_type.strip():
            facts["answers_type"] = msg_type.strip()[:30]
        return facts


class DxpReply(XmlAdapter):
    """DxpRep, the exchange platform's transport answer to a DxpMsg, as a receipt.

    Each Response answers one DxpMsg (its OriHead echoes that message's TransInfo, whose CopMsgId
    is the hub's per-receiver message id when the hub sealed it). The platform's response codes are
    not published in the corpus; the hub reads an all-zero ResponseCode as the transport having
    taken the message (ACKNOWLEDGED) and any other code as a refusal (REJECTED, the code and
    ResponseInfo as the error). A reply with several responses is a Receipt with ``more``.
    The hub writes one when it refuses a DxpMsg it cannot open (the envelope's negative receipt).
    """

    name = "dxp-rep"
    family = "ceb"
    description = "China E-port DXP reply DxpRep: the exchange platform's transport receipt"
    schema = "ceb/dxp.xsd"
    root_names = ((dxp.DXP_NS, "DxpRep"),)
    namespaces = dxp.NS
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})

    def parse(self, probe: Probe) -> Receipt:
        reply = dxp.parse_reply(probe.tree)
        *earlier, last = [_receipt(r) for r in reply.responses]
        return last.model_copy(update={"more": earlier})

    def build(self, receipt: Receipt, ctx: RenderContext) -> etree._Element:
        responses = []
        for answer in receipt.answers():
            taken = answer.status is not ReceiptStatus.REJECTED
            code = answer.agency_status if answer.agency_status and _CODE.match(answer.agency_status) else \
                ("0" if taken else "1")
            original = dxp.TransInfo(cop_msg_id=answer.answers_interchange or answer.answers_message_id
                                     or answer.business_key, sender_id=ctx.receiver_id,
                                     receiver_ids=(ctx.sender_id,), created_at=answer.issued_at or ctx.created_at,
                                     msg_type=answer.answers_type or "DxpMsg")
            info = answer.text or "; ".join(f"{e.code} {e.text or ''}".strip() for e in answer.errors) or None
            responses.append(dxp.Response(code=code, notice_date=(answer.issued_at or ctx.created_at).date(),
                                          original=original, info=info[:300] if info else None))
        return dxp.build_reply(dxp.Reply(receiver_id=ctx.receiver_id, responses=tuple(responses)))


_CODE = re.compile(r"^\d{1,9}$")


def _receipt(response: dxp.Response) -> Receipt:
    taken = set(response.code) == {"0"}
    return Receipt(answers_message_id=response.original.cop_msg_id, answers_interchange=response.original.cop_msg_id,
                   answers_type=response.original.msg_type, business_key=response.original.cop_msg_id,
                   issuer=response.node_id, status=ReceiptStatus.ACKNOWLEDGED if taken else ReceiptStatus.REJECTED,
                   agency_status=response.code, text=response.info,
                   errors=[] if taken else [ReceiptError(code=response.code, text=response.info)])
