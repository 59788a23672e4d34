"""The DXP envelope as an adapter: the engine unwraps a DxpMsg to read its CEB payload, and
seals a rendered CEB message into a DxpMsg for compound formats such as ``ceb621+dxp``.

The envelope carries no canonical document of its own (reads and writes nothing); CopMsgId is
the hub message id, SenderId/ReceiverId the render context's parties, MsgType the inner
adapter's message type.
"""

from __future__ import annotations

from lxml import etree

from hub.adapters import Adapter, Output, Probe, RenderContext, XmlAdapter
from hub.errors import ConversionError

from . import dxp


class Dxp(XmlAdapter):
    name = "dxp"
    family = "ceb"
    description = "China E-port DXP envelope DxpMsg: a CEB message as base64 Data (unwrap and seal only)"
    schema = "ceb/dxp.xsd"
    root_names = ((dxp.DXP_NS, "DxpMsg"),)
    namespaces = dxp.NS

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
        """The envelope's CopMsgId and MsgType, read leniently; never raises."""
        try:
            info = dxp.open(data).info
        except Exception:  # noqa: BLE001 - a reply must never fail on what it echoes
            return {}
        return {"answers_interchange": info.cop_msg_id, "answers_type": info.msg_type[:6]}
