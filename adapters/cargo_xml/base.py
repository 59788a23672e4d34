"""What every Cargo-XML message shares: the root, the MessageHeaderDocument, the render guard.

A message is ``rsm:<Root>`` in its own namespace; its MessageHeaderDocument
carries the envelope (ID, TypeCode, IssueDateTime, PurposeCode, ConversationID,
SenderParty, RecipientParty). Readers map it to :class:`MessageHeader` (the
first Sender/RecipientParty count); writers take the id, parties and time from
the :class:`RenderContext`.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from lxml import etree

from hub.adapters import Output, RenderContext, XmlAdapter
from hub.errors import ConversionError, ParseError
from hub.models import Document, Function, MessageHeader
from hub.validation import element_path

from .datamodel import DM, R
from .readers import Kids
from .writers import node, put, when

PURPOSES = {"Creation": Function.ORIGINAL, "Update": Function.AMEND, "Deletion": Function.CANCEL,
            "Response": Function.ORIGINAL}
"""PurposeCode -> message function (an XFNM says Response)."""

PURPOSE_CODES = {Function.ORIGINAL: "Creation", Function.AMEND: "Update", Function.CANCEL: "Deletion"}

VERSION = "3.00"


class CargoXmlAdapter(XmlAdapter):
    """An IATA Cargo-XML message: ``rsm:<root>`` in ``message_ns``, data elements in iata:datamodel:3."""

    family = "cargo-xml"
    negative_receipt = "xfnm"
    message_ns: ClassVar[str]
    root: ClassVar[str]
    document_name: ClassVar[str]
    """The MessageHeaderDocument Name written on output."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        # Detection and the XPath namespaces of ``locations`` follow from the two facts a message declares.
        super().__init_subclass__(**kwargs)
        if "message_ns" in vars(cls):
            cls.root_names = ((cls.message_ns, cls.root),)
            cls.namespaces = {"rsm": cls.message_ns, "ram": DM}

    def rsm(self, local: str) -> str:
        """The Clark name of a top-level part of this message."""
        return "{" + self.message_ns + "}" + local

    def section(self, parts: Kids, local: str) -> etree._Element:
        """A top-level part (MessageHeaderDocument, MasterConsignment ...) that must be there."""
        return parts.part(self.rsm(local))

    def read_header(self, head: Kids) -> MessageHeader:
        """The MessageHeaderDocument as the canonical envelope."""
        return MessageHeader(message_id=head.text(R.ID), issued_at=head.instant(R.IssueDateTime),
                             function=_function(head), sender_id=Kids(head.get(R.SenderParty)).text(R.PrimaryID),
                             recipient_id=Kids(head.get(R.RecipientParty)).text(R.PrimaryID),
                             conversation_id=head.text(R.ConversationID))

    def start(self, type_code: str, purpose: str, header: MessageHeader, ctx: RenderContext,
              issued_at: datetime | None = None) -> etree._Element:
        """A new root with its MessageHeaderDocument filled from the context."""
        root = etree.Element(self.rsm(self.root), nsmap=self.namespaces)
        head = node(root, self.rsm("MessageHeaderDocument"))
        put(head, R.ID, ctx.message_id)
        put(head, R.Name, self.document_name)
        put(head, R.TypeCode, type_code)
        put(head, R.IssueDateTime, when(issued_at or ctx.created_at))
        put(head, R.PurposeCode, purpose)
        put(head, R.VersionID, VERSION)
        put(head, R.ConversationID, header.conversation_id)
        node(node(head, R.SenderParty), R.PrimaryID, schemeID="C").text = ctx.sender_id
        node(node(head, R.RecipientParty), R.PrimaryID, schemeID="C").text = ctx.receiver_id
        return root

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        try:
            return super().render(doc, ctx)
        except ValueError as exc:  # lxml refuses text that XML cannot carry (control characters)
            raise ConversionError(f"cannot write {self.name}: {exc}", code="CONVERT_TEXT_INVALID") from exc


def _function(head: Kids) -> Function:
    code = head.text(R.PurposeCode)
    if code is None:
        return Function.ORIGINAL
    try:
        return PURPOSES[code]
    except KeyError:
        where = head.get(R.PurposeCode)
        raise ParseError(f"PurposeCode {code!r} is not Creation, Update, Deletion or Response",
                         code="CODE_INVALID", line=where.sourceline, path=element_path(where)) from None
