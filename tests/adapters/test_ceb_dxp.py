"""The DXP envelope: seal/open round trip and its coded errors, the dxp adapter, DxpRep."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest
from lxml import etree

from adapters.ceb import dxp
from adapters.gacc.clock import CST
from hub.adapters import Probe
from hub.errors import ConversionError, ParseError
from tests.adapters.golden_support import line_of
from tests.conftest import example

INVENTORY = example("ceb", "ceb621-inventory.xml")
INFO = dxp.TransInfo(cop_msg_id="HUB-20261127-000042", sender_id="DXPENT0000062119",
                     receiver_ids=("DXPEDCCEB0000002",), created_at=datetime(2026, 11, 27, 11, 30, 5, tzinfo=CST),
                     msg_type="CEB621Message")


def sealed(payload: bytes = INVENTORY, **changes) -> bytes:
    info = INFO.__class__(**{**INFO.__dict__, **changes})
    return etree.tostring(dxp.seal(payload, info, file_name="inv.xml"), xml_declaration=True, encoding="UTF-8")


def envelope_with(data: str | None = None, msg_type: str | None = None) -> bytes:
    """The example envelope with its Data or MsgType replaced (bypassing seal's own checks)."""
    root = etree.fromstring(sealed())
    if data is not None:
        root.find("dxp:Data", dxp.NS).text = data
    if msg_type is not None:
        root.find("dxp:TransInfo/dxp:MsgType", dxp.NS).text = msg_type
    return etree.tostring(root, pretty_print=True)


def failure(data: bytes) -> tuple[str, int | None]:
    with pytest.raises(ParseError) as err:
        dxp.open(data)
    return err.value.code, err.value.line


def test_seal_then_open_gives_back_the_payload_and_the_transfer_facts(engine):
    data = sealed()
    assert engine.schemas.validate(etree.fromstring(data), "ceb/dxp.xsd") == []
    opened = dxp.open(data)
    assert (opened.info, opened.payload, opened.file_name) == (INFO, INVENTORY, "inv.xml")
    assert b"<dxp:CreatTime>2026-11-27T11:30:05</dxp:CreatTime>" in data


def test_a_dxp_creation_time_with_an_offset_is_read_as_that_instant():
    data = sealed().replace(b"2026-11-27T11:30:05<", b"2026-11-27T03:30:05Z<")
    assert dxp.open(data).info.created_at == datetime(2026, 11, 27, 3, 30, 5, tzinfo=UTC)


def test_data_that_is_not_base64_is_refused_at_its_line():
    data = envelope_with(data="PD94bWwg*not base64*")
    assert failure(data) == ("DXP_DATA_BASE64", line_of(data, b"<dxp:Data>"))


@pytest.mark.parametrize("msg_type", ["CEB311Message", "DecMessage", "CEB621"])
def test_a_msg_type_that_is_not_the_payloads_ceb_type_is_refused_at_its_line(msg_type):
    data = envelope_with(msg_type=msg_type)
    assert failure(data) == ("DXP_MSG_TYPE", line_of(data, b"<dxp:MsgType>"))


@pytest.mark.parametrize("payload", [
    b"hello, customs",
    example("gacc", "dec-import-air.xml"),
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ceb:CEB621Message '
    b'xmlns:ceb="http://www.chinaport.gov.cn/ceb">&e;</ceb:CEB621Message>',
])
def test_a_payload_that_is_not_a_ceb_message_is_refused(payload):
    data = envelope_with(data=base64.b64encode(payload).decode())
    assert failure(data) == ("DXP_PAYLOAD_NOT_CEB", line_of(data, b"<dxp:Data>"))


def test_a_message_that_is_no_dxp_envelope_cannot_be_opened():
    assert failure(INVENTORY) == ("DXP_NOT_ENVELOPE", 2)


@pytest.mark.parametrize("changes,code", [
    ({"sender_id": "DXPENT00000621190"}, "DXP_ID"), ({"receiver_ids": ()}, "DXP_ID"),
    ({"msg_type": "CEB311Message"}, "DXP_MSG_TYPE"), ({"msg_type": "DecMessage"}, "DXP_MSG_TYPE"),
])
def test_seal_refuses_what_the_platform_would(changes, code):
    with pytest.raises(ConversionError) as err:
        sealed(**changes)
    assert err.value.code == code


def test_seal_refuses_a_payload_that_is_not_ceb():
    with pytest.raises(ConversionError) as err:
        sealed(example("gacc", "dec-import-air.xml"))
    assert err.value.code == "DXP_PAYLOAD_NOT_CEB"


def test_the_dxp_adapter_seals_a_rendered_ceb_message_addressed_from_the_context(engine, ctx):
    adapter, inner = engine.registry.get("dxp"), engine.registry.get("ceb621")
    document = engine.read(INVENTORY).document
    out = adapter.seal(inner.render(document, ctx), inner, ctx)
    assert engine.schemas.validate(out.tree, "ceb/dxp.xsd") == []
    opened = dxp.open(out.data)
    assert (opened.info.cop_msg_id, opened.info.sender_id, opened.info.receiver_ids, opened.info.msg_type) == \
        ("HUB-TEST-0001", "EPORTHUB", ("CUSTOMS",), "CEB621Message")
    assert adapter.unwrap(Probe(out.data, out.tree)) == opened.payload
    assert adapter.unwrap(Probe(INVENTORY, etree.fromstring(INVENTORY).getroottree())) is None
    assert adapter.reply_facts(out.data) == {"answers_interchange": "HUB-TEST-0001", "answers_type": "CEB621"}


def test_the_dxp_adapter_carries_only_ceb_messages(engine, ctx):
    adapter, dec = engine.registry.get("dxp"), engine.registry.get("gacc-dec")
    declaration = engine.read(example("gacc", "dec-import-air.xml")).document
    with pytest.raises(ConversionError) as err:
        adapter.seal(dec.render(declaration, ctx), dec, ctx)
    assert err.value.code == "DXP_NOT_CEB"


def test_the_engine_renders_and_reads_an_inventory_in_a_dxp_envelope(engine, ctx):
    document = engine.read(INVENTORY).document
    out = engine.render(document, "ceb621+dxp", ctx)
    inbound = engine.read(out.data)
    assert (inbound.adapter.name, inbound.envelope.name) == ("ceb621", "dxp")
    assert inbound.document.records == document.records


def test_the_engine_reports_a_broken_envelope_with_its_code_and_line(engine):
    data = envelope_with(msg_type="CEB311Message")
    assert [(p.code, p.line) for p in engine.inspect(data).problems] == \
        [("DXP_MSG_TYPE", line_of(data, b"<dxp:MsgType>"))]
    data = envelope_with(data="*")
    assert [(p.code, p.line) for p in engine.inspect(data).problems] == \
        [("SCHEMA_INVALID", line_of(data, b"<dxp:Data>"))]


def test_a_dxp_reply_is_built_valid_and_read_back(engine):
    reply = dxp.Reply(receiver_id="DXPENT0000062119", responses=(dxp.Response(
        code="0", notice_date=date(2026, 11, 27), original=INFO, info="receive success", node_id="EPORT001",
        results=(dxp.Result(receiver_id="DXPEDCCEB0000002", code="0", info="delivered"),)),))
    root = dxp.build_reply(reply)
    assert engine.schemas.validate(root, "ceb/dxp.xsd") == []
    assert root.find("dxp:RecevierId", dxp.NS).text == "DXPENT0000062119"
    assert dxp.parse_reply(etree.tostring(root)) == reply
    with pytest.raises(ParseError) as err:
        dxp.parse_reply(sealed())
    assert err.value.code == "DXP_NOT_ENVELOPE"
