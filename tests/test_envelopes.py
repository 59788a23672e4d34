"""The engine's envelope mechanism: a message in an envelope is read through its payload's own
adapter, and a compound format ``inner+envelope`` renders, validates and seals the inner format."""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from adapters import cargo_xml, json_canonical
from hub.adapters import Adapter, Output, Probe, Registry, XmlAdapter
from hub.errors import ConversionError, ParseError
from hub.pipeline import Engine
from tests.test_rules import waybill


class Box(XmlAdapter):
    """A toy envelope: <Box><Data>base64</Data></Box>."""

    name, family, description = "box", "test", "a test envelope"
    root_names = ((None, "Box"),)

    def unwrap(self, probe: Probe) -> bytes:
        data = probe.tree.getroot().findtext("Data") or ""
        try:
            return base64.b64decode(data, validate=True)
        except ValueError:
            raise ParseError("Data is not base64", code="BOX_DATA", line=1) from None

    def seal(self, inner: Output, inner_adapter: Adapter, ctx) -> Output:
        root = etree.Element("Box")
        etree.SubElement(root, "Data").text = base64.b64encode(inner.data).decode()
        return Output(etree.tostring(root), "application/xml", root.getroottree())


@pytest.fixture
def boxed(engine) -> Engine:
    registry = Registry([*cargo_xml.adapters(), *json_canonical.adapters(), Box()])
    return Engine(registry, engine.schemas, engine.limits)


def test_a_compound_format_renders_validates_and_seals_the_inner_format(boxed, ctx):
    out = boxed.render(waybill(), "xfwb+box", ctx)
    inner = base64.b64decode(etree.fromstring(out.data).findtext("Data"))
    assert inner == boxed.render(waybill(), "xfwb", ctx).data
    assert boxed.registry.knows("xfwb+box") and not boxed.registry.knows("box+xfwb")


def test_a_sealed_message_is_read_through_its_payload_adapter(boxed, ctx):
    inbound = boxed.inspect(boxed.render(waybill(), "xfwb+box", ctx).data)
    assert inbound.valid and inbound.adapter.name == "xfwb" and inbound.envelope.name == "box"
    assert inbound.document == boxed.read(boxed.render(waybill(), "xfwb", ctx).data).document


def test_a_broken_envelope_is_a_problem_of_the_envelope(boxed):
    inbound = boxed.inspect(b"<Box><Data>%%%</Data></Box>")
    assert not inbound.valid and inbound.adapter.name == "box"
    assert [p.code for p in inbound.problems] == ["BOX_DATA"]


def test_an_inner_format_that_cannot_carry_the_document_is_refused(boxed, ctx):
    with pytest.raises(ConversionError):
        boxed.render(waybill(), "xfnm+box", ctx)
    with pytest.raises(ConversionError):
        boxed.registry.get("xfwb+json")          # json is not an envelope
