"""What every CEB message shares: namespace, guids, GACC codes, the record control fields, BaseTransfer.

Guids: the customs want a 36-character upper-case UUID per message and per record. The hub
derives them from ``ctx.message_id`` with uuid5 (:func:`guid_for`), so a repeated render
carries the same guids, and a receipt's record guid (which echoes the declaration record's
guid) leads back to the hub message that rendered it: record 1 has the message's own guid.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from lxml import etree

from adapters.gacc import clock, codes
from hub import xmlkit
from hub.adapters import RenderContext
from hub.errors import ConversionError, ParseError
from hub.models import Function
from hub.validation import element_path

CEB_NS = "http://www.chinaport.gov.cn/ceb"
NS = {"ceb": CEB_NS}
VERSION = "1.0"
"""The message-level ``version`` attribute the 2022 edition expects (its documented default)."""
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, CEB_NS)

APP_TYPE_IN = {"1": Function.ORIGINAL, "2": Function.AMEND, "3": Function.CANCEL}
APP_TYPE_OUT = {function: code for code, function in APP_TYPE_IN.items()}
APP_STATUS_DECLARED = "2"
"""appStatus: 1 stored as a draft, 2 declared. The canonical model has no draft state: the hub
writes 2 and reads both as a declaration."""

# The CEB edition writes the old 3-digit GACC numbers; adapters/gacc/codes.py holds both generations.
CURRENCY_IN = {n: iso for n, iso in codes.CURRENCY_IN.items() if n.isdigit()}
CURRENCY_OUT = {iso: n for n, iso in CURRENCY_IN.items()}
COUNTRY_IN = {n: a2 for n, a2 in codes.COUNTRY_IN.items() if n.isdigit()}
COUNTRY_OUT = {a2: n for n, a2 in COUNTRY_IN.items()}


def q(tag: str) -> str:
    """The Clark name of a CEB element."""
    return f"{{{CEB_NS}}}{tag}"


def guid_for(message_id: str, record: int = 1) -> str:
    """The guid the hub writes for ``message_id``: the message and its first record share it,
    record n > 1 gets its own. Deterministic, so a receipt's guid can be traced back."""
    name = message_id if record == 1 else f"{message_id}#{record}"
    return str(uuid.uuid5(GUID_NAMESPACE, name)).upper()


def message_root(message_type: str, ctx: RenderContext) -> etree._Element:
    """An empty ``CEBnnnMessage`` with its guid and version."""
    return etree.Element(q(message_type), {"guid": guid_for(ctx.message_id), "version": VERSION},
                         nsmap={"ceb": CEB_NS})


def write_control(head: etree._Element, guid: str, function: Function, applied_at: datetime | None,
                  ctx: RenderContext) -> None:
    """guid, appType, appTime (the record's time, else the render time), appStatus."""
    for tag, value in (("guid", guid), ("appType", APP_TYPE_OUT[function]),
                       ("appTime", clock.stamp(applied_at or ctx.created_at, 14)),
                       ("appStatus", APP_STATUS_DECLARED)):
        etree.SubElement(head, q(tag)).text = value


def read_function(heads: list[etree._Element]) -> Function:
    """The message function from the records' appType; one message cannot mix them."""
    found = {}
    for head in heads:
        el = head.find("ceb:appType", NS)
        found.setdefault(codes.read(APP_TYPE_IN, "appType", el, xmlkit.text(head, "ceb:appType", NS)), el)
    if len(found) > 1:
        el = list(found.values())[1]
        raise ParseError("the records mix appType values; the hub reads one function per message",
                         code="CEB_MIXED_APP_TYPE", line=el.sourceline, path=element_path(el))
    return next(iter(found), Function.ORIGINAL)


def write_base_transfer(root: etree._Element, ctx: RenderContext) -> None:
    """BaseTransfer names who transmits: the hub, as ``ctx.sender_id`` (code, name and DXP id)."""
    sender = ctx.sender_id
    if not 0 < len(sender) <= 18:
        raise ConversionError(f"BaseTransfer/copCode: the sender id {sender!r} must have 1 to 18 characters",
                              code="CEB_SENDER_ID", path="/header/sender_id")
    transfer = etree.SubElement(root, q("BaseTransfer"))
    for tag, value in (("copCode", sender), ("copName", sender), ("dxpMode", "DXP"), ("dxpId", sender)):
        etree.SubElement(transfer, q(tag)).text = value

