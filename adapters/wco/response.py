"""The WCO RES response adapter (UK DMS profile compatible): agency answers to a DEC.

Design note: one RES envelope may carry several Response elements about the
same declaration (the UK sample: 01 accepted, 13 assessment, 09 ...), but a
canonical Receipt is one answer. Parsing returns the most significant one: the
first rejection (03) if there is any, else the last Response, the latest word
on the declaration. The LRN and MRN are taken from that Response, or from the
first other Response that has them. Rendering writes one Response per Receipt.

An error's pointer is written as DMS Pointer elements when it has their shape
(``42A/67A/68A[1]/02A#360``: DocumentSectionCode, [SequenceNumeric], #TagID,
steps joined by ``/``) and read back in the same shape. A hub error that does not
fit the profile (a code longer than 8 characters, a JSON pointer) is written
into the Description instead, so that the sender still reads it.
"""

from __future__ import annotations

import re

from lxml import etree

from hub import xmlkit
from hub.adapters import Probe, RenderContext, XmlAdapter
from hub.errors import ParseError
from hub.models import Document, Kind, MessageHeader, Receipt, ReceiptError
from hub.validation import element_path

from . import codes
from .dms import MD, NS, RES, RES_DS, bodies, envelope, put, put_when, type_name

_STEP = re.compile(r"^([A-Za-z0-9]{0,3})(?:\[([1-9]\d{0,4})\])?(?:#([A-Za-z0-9]{1,4}))?$")
_TEXT_LIMIT = 512
_CODE_LIMIT = 8


def q(local: str) -> str:
    """The RES-namespace tag of a local name."""
    return f"{{{RES}}}{local}"


class WcoResponse(XmlAdapter):
    """WCO Data Model RES: md:MetaData (WCOTypeName RES) with Response elements, or a bare Response."""

    name = "wco-res"
    family = "wco"
    description = "WCO Data Model 3.6 RES response to a declaration (UK CDS DMS profile)"
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})
    schema = "wco/res.xsd"
    root_names = ((MD, "MetaData"), (RES, "Response"))
    namespaces = NS

    def detect(self, probe: Probe) -> bool:
        if not super().detect(probe):
            return False
        root = probe.tree.getroot()
        if root.tag == q("Response"):
            return True
        wco_type = type_name(root)
        return wco_type == "RES" or (wco_type is None and bool(bodies(root, RES, "Response")))

    def parse(self, probe: Probe) -> Document:
        root = probe.tree.getroot()
        responses = bodies(root, RES, "Response")
        if not responses:
            raise ParseError("the WCO envelope carries no Response", code="FIELD_MISSING",
                             line=root.sourceline, path=element_path(root) + "/Response")
        chosen = _most_significant(responses)
        others = [chosen] + [r for r in responses if r is not chosen]
        code = xmlkit.required(chosen, "res:FunctionCode", NS)
        return Receipt(
            header=MessageHeader(message_id=_text(chosen, "res:FunctionalReferenceID")),
            business_key=_first(others, "res:Declaration/res:FunctionalReferenceID")
            or xmlkit.required(chosen, "res:Declaration/res:FunctionalReferenceID", NS),
            issuer=_text(root, "md:ResponsibleAgencyName") if root.tag != q("Response") else None,
            status=codes.status_in(code),
            agency_status=code,
            agency_reference=_first(others, "res:Declaration/res:ID"),
            issued_at=xmlkit.when_at(chosen, "res:IssueDateTime/resds:DateTimeString", NS),
            text=_text(chosen, "res:AdditionalInformation/res:StatementDescription"),
            errors=[_error_in(el) for el in chosen.iterfind("res:Error", NS)],
        )

    def build(self, doc: Document, ctx: RenderContext) -> etree._Element:
        assert isinstance(doc, Receipt)  # XmlAdapter.render checked the kind
        root = envelope("RES", {None: RES, "p1": RES_DS})
        put(root, f"{{{MD}}}ResponsibleAgencyName", doc.issuer, 70, "/issuer")
        response = xmlkit.container(root, q("Response"))
        xmlkit.add(response, q("FunctionCode"), codes.status_out(doc.status, doc.agency_status))
        put(response, q("FunctionalReferenceID"), ctx.message_id, 35, "/header/message_id")
        put_when(response, q("IssueDateTime"), RES_DS, doc.issued_at, "/issued_at")
        if doc.text:
            info = xmlkit.container(response, q("AdditionalInformation"))
            put(info, q("StatementDescription"), _clip(doc.text), _TEXT_LIMIT, "/text")
        for i, error in enumerate(doc.errors):
            _error_out(xmlkit.container(response, q("Error")), error, f"/errors/{i}")
        declaration = xmlkit.container(response, q("Declaration"))
        put(declaration, q("FunctionalReferenceID"), doc.business_key, 35, "/business_key")
        put(declaration, q("ID"), doc.agency_reference, 70, "/agency_reference")
        return root


def _most_significant(responses: list[etree._Element]) -> etree._Element:
    for response in responses:
        if codes.is_rejection(_text(response, "res:FunctionCode") or ""):
            return response
    return responses[-1]


def _first(responses: list[etree._Element], path: str) -> str | None:
    return next((value for r in responses if (value := _text(r, path)) is not None), None)


def _error_in(el: etree._Element) -> ReceiptError:
    steps = [_step(p) for p in el.iterfind("res:Pointer", NS)]
    return ReceiptError(code=_text(el, "res:ValidationCode") or "", text=_text(el, "res:Description"),
                        pointer="/".join(steps) or None)


def _step(pointer: etree._Element) -> str:
    section = _text(pointer, "res:DocumentSectionCode") or ""
    sequence = _text(pointer, "res:SequenceNumeric")
    tag = _text(pointer, "res:TagID")
    return section + (f"[{sequence}]" if sequence else "") + (f"#{tag}" if tag else "")


def _error_out(el: etree._Element, error: ReceiptError, pointer: str) -> None:
    steps = [_STEP.match(step) for step in error.pointer.split("/")] if error.pointer else []
    dms_pointer = all(m is not None and any(m.groups()) for m in steps)
    code_fits = len(error.code) <= _CODE_LIMIT
    text = error.text
    if not code_fits:
        text = f"{error.code}: {text}" if text else error.code
    if error.pointer and not dms_pointer:
        text = f"{text} (at {error.pointer})" if text else f"at {error.pointer}"
    put(el, q("Description"), _clip(text), _TEXT_LIMIT, f"{pointer}/text")
    if code_fits:
        put(el, q("ValidationCode"), error.code, _CODE_LIMIT, f"{pointer}/code")
    for match in steps if dms_pointer else []:
        section, sequence, tag = match.groups()
        step = xmlkit.container(el, q("Pointer"))
        xmlkit.add(step, q("SequenceNumeric"), sequence)
        xmlkit.add(step, q("DocumentSectionCode"), section or None)
        xmlkit.add(step, q("TagID"), tag)


def _clip(text: str | None) -> str | None:
    """Receipt texts are cut to the DMS limit rather than refused: an answer must get through."""
    text = " ".join(text.split()) if text else None
    if text and len(text) > _TEXT_LIMIT:
        return text[:_TEXT_LIMIT - 1] + "…"
    return text


def _text(el: etree._Element | None, path: str) -> str | None:
    return xmlkit.text(el, path, NS)
