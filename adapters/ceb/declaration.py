"""The four CEB declarations share one shape: 1..100 records of a head (and lines), BaseTransfer.

Read (every declaration):
- header.message_id = the message guid; header.sender_id = BaseTransfer/copCode (who
  transmitted); header.function = the records' appType (1 new, 2 change, 3 delete; a
  message mixing them is refused, CEB_MIXED_APP_TYPE).
- each record: its head and lines through the field tables; appTime -> applied_at.
Written: guids from ``ctx.message_id`` (:func:`.common.guid_for`), appStatus 2 (declared),
appTime = applied_at or the render time, BaseTransfer from ``ctx.sender_id``. Given a key
(``ctx.signer``), every declaration is signed (an enveloped ds:Signature, last, as the customs'
samples are); without one a CEB621, whose schema requires a signature, gets the unsigned template.

Lost in CEB -> canonical -> CEB: the record guids and the message guid (new ones are derived),
appStatus 1 (a stored draft is written back as declared), BaseTransfer (the hub transmits),
BaseSubscribe, ExtendMessage and any signature.
"""

from __future__ import annotations

from typing import ClassVar

from lxml import etree

from hub import xmlkit
from hub.adapters import Probe, RenderContext, XmlAdapter
from hub.errors import ConversionError
from hub.validation import parse_xml

from . import fields, signature
from .common import CEB_NS, NS, guid_for, message_root, q, read_function, write_base_transfer, write_control
from .fields import MOMENT, Field


class CebDeclaration(XmlAdapter):
    """A CEB declaration message; subclasses give the element names and field tables."""

    family = "ceb"
    namespaces = NS
    message_type: ClassVar[str]
    record_tag: ClassVar[str]
    head_tag: ClassVar[str]
    line_tag: ClassVar[str | None] = None
    head_fields: ClassVar[tuple[Field, ...]]
    line_fields: ClassVar[tuple[Field, ...]] = ()
    document: ClassVar[type]
    key_tags: ClassVar[tuple[str, ...]]
    """The head elements that hold the record's business key, in order of preference."""
    extra_locations: ClassVar[dict[str, str]] = {}
    signed: ClassVar[bool] = False
    """Whether the customs' schema requires a signature (without a key, the unsigned template is written)."""

    def __init_subclass__(cls, **kw) -> None:
        super().__init_subclass__(**kw)
        cls.root_names = ((CEB_NS, cls.message_type),)
        cls.schema = f"ceb/{cls.message_type[:6]}.xsd"
        cls.reads = cls.writes = frozenset({cls.document.model_fields["kind"].default})
        record, head = f"ceb:{cls.record_tag}[{{0}}]", f"ceb:{cls.record_tag}[{{0}}]/ceb:{cls.head_tag}"
        cls.locations = {"/records/*": record, "/records/*/applied_at": f"{head}/ceb:appTime",
                         **fields.locations(cls.head_fields, "/records/*", head), **cls.extra_locations}
        if cls.line_tag:
            line = f"{record}/ceb:{cls.line_tag}[{{1}}]"
            cls.locations |= {"/records/*/items": f"{record}/ceb:{cls.line_tag}", "/records/*/items/*": line,
                              **fields.locations(cls.line_fields, "/records/*/items/*", line)}

    def parse(self, probe: Probe):
        root = probe.tree.getroot()
        records = root.findall(f"ceb:{self.record_tag}", NS)
        heads = [record.find(f"ceb:{self.head_tag}", NS) for record in records]
        header = {"message_id": root.get("guid"), "function": read_function(heads),
                  "sender_id": xmlkit.text(root, "ceb:BaseTransfer/ceb:copCode", NS)}
        return self.document.model_validate(
            {"header": header, "records": [self._read(r, h) for r, h in zip(records, heads)]})

    def _read(self, record: etree._Element, head: etree._Element) -> dict:
        data = fields.read(head, self.head_fields)
        app_time = head.find("ceb:appTime", NS)
        data["applied_at"] = MOMENT.read(app_time, app_time.text)
        if self.line_tag:
            data["items"] = [fields.read(line, self.line_fields)
                             for line in record.iterfind(f"ceb:{self.line_tag}", NS)]
        return data

    def build(self, doc, ctx: RenderContext) -> etree._Element:
        root = message_root(self.message_type, ctx)
        for i, rec in enumerate(doc.records):
            record = etree.SubElement(root, q(self.record_tag))
            head = etree.SubElement(record, q(self.head_tag))
            write_control(head, guid_for(ctx.message_id, i + 1), doc.header.function, rec.applied_at, ctx)
            fields.write(head, rec, self.head_fields, f"/records/{i}")
            if self.line_tag:
                self._write_lines(record, rec.items, f"/records/{i}/items")
        write_base_transfer(root, ctx)
        if ctx.signer is not None:
            return ctx.signer.sign(root)
        if self.signed:
            root.append(signature.template())
        return root

    def _write_lines(self, record: etree._Element, items: list, pointer: str) -> None:
        if not 1 <= len(items) <= 99:
            raise ConversionError(f"{pointer}: a {self.message_type[:6]} record needs 1 to 99 lines, "
                                  f"not {len(items)}", code="FIELD_REQUIRED", path=pointer)
        for j, item in enumerate(items):
            fields.write(etree.SubElement(record, q(self.line_tag)), item, self.line_fields, f"{pointer}/{j}")

    def reply_facts(self, data: bytes) -> dict:
        """The first record's guid and key, read leniently; never raises."""
        try:
            root = parse_xml(data).getroot()
            head = root.find(f"ceb:{self.record_tag}/ceb:{self.head_tag}", NS)
            facts = {"answers_type": self.message_type[:6],
                     "answers_message_id": xmlkit.text(head, "ceb:guid", NS) or root.get("guid"),
                     "business_key": next(filter(None, (xmlkit.text(head, f"ceb:{tag}", NS)
                                                        for tag in self.key_tags)), None)}
        except Exception:  # noqa: BLE001 - a reply must never fail on what it echoes
            return {}
        return {k: v for k, v in facts.items() if v}
