"""FMA/FNA: reading airline answers, the facts a reply echoes, and the hub's own FNA to a Cargo-IMP sender."""

from __future__ import annotations

import json

import pytest

from hub.adapters import RenderContext
from hub.errors import Problem
from hub.models import Receipt, ReceiptError, ReceiptStatus
from hub.transport.base import Topology
from hub.worker.status import native_rejection
from tests.adapters.test_cargo_imp import EXAMPLE_FILES, NOW, fixed_engine, fmt_of
from tests.conftest import example

MESSAGES = [n for n in EXAMPLE_FILES if fmt_of(n) in ("fwb", "fhl", "ffm", "fsu")]
BAD_FWB = example("cargo_imp", "fwb-cx-hkg-fra.txt").replace(b"160-24680132", b"160-24680133")


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


def test_fma_is_an_acceptance_keyed_by_the_echoed_awb_from_the_envelope_originator(imp):
    fma = imp.read(example("cargo_imp", "fma-999-87654324-typeb.txt")).document
    assert (fma.status, fma.business_key, fma.answers_type, fma.errors) == \
        (ReceiptStatus.ACCEPTED, "999-87654324", "FWB", [])
    assert (fma.issuer, fma.issued_at.isoformat(), fma.header.message_id) == \
        ("FRAFMLH", "2026-11-26T15:47:00+00:00", "LH-ACK-1190")
    assert fma.text.splitlines()[:2] == ["FWB/16", "999-87654324PEKFRA/T20K512.5MC3.2"]


def test_fna_reads_the_hubs_reasons_and_free_text_reasons(imp):
    fna = imp.read(example("cargo_imp", "fna-160-24680133.txt")).document
    assert (fna.status, fna.business_key, fna.answers_type) == (ReceiptStatus.REJECTED, "160-24680133", "FWB")
    assert fna.errors == [
        ReceiptError(code="RULE_AWB_CHECK_DIGIT", pointer="/number",
                     text="AWB 160-24680133 fails its check digit (expected 2)"),
        ReceiptError(code="FNA", text="INVALID SHIPPER ADDRESS")]
    assert fna.text.startswith("FWB/16\n160-24680133HKGFRA/")


@pytest.mark.parametrize("echo, key, kind", [
    (b"FHL/5\nMBI/160-24680132HKGFRA/T12K345.5\nHBS/KAF26110451/HKGFRA/5/K120.0//LAPTOP PARTS\n",
     "KAF26110451", "FHL"),
    (b"FFM/5\n1/CA931/26NOV/PEK/B2485\nFRA\n", "CA931/2026-11-26", "FFM"),
    (b"FSU/14\n999-87654335PEKFRA/T8K96.0\nRCF/CA931/27NOV0625/FRA\n", "999-87654335", "FSU"),
    (b"rejected by the e-port hub\n", "", None),
])
def test_the_answered_key_is_the_echoed_messages_own_business_key(imp, echo, key, kind):
    receipt = imp.read(b"FNA/1\nACK/INVALID MESSAGE\n" + echo).document
    assert (receipt.business_key, receipt.answers_type) == (key, kind)


@pytest.mark.parametrize("name", MESSAGES)
def test_reply_facts_echo_the_message_without_its_envelope_with_its_key_and_type(imp, name):
    data = example("cargo_imp", name)
    adapter = imp.detect(data)
    facts = adapter.reply_facts(data)
    document = imp.read(data).document
    body = data.decode().splitlines()
    start = next(i for i, line in enumerate(body) if line.startswith(fmt_of(name).upper()))
    assert facts["text"] == "\n".join(body[start:])
    assert (facts["business_key"], facts["answers_type"]) == (document.business_key, fmt_of(name).upper())
    assert facts.get("answers_message_id") == document.header.message_id
    assert adapter.negative_receipt == "fna"


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00garbage", b"FWB/16", b"QD SIN05XH\n", b"FWB/16\n157-5380627"])
def test_reply_facts_never_raise_on_broken_bytes(imp, data):
    facts = imp.registry.get("fwb").reply_facts(data)
    assert isinstance(facts, dict) and "status" not in facts


def test_a_rejected_cargo_imp_message_gets_an_fna_echoing_its_text(imp):
    inbound = imp.inspect(BAD_FWB)
    errors = [Problem(p.code, p.message, path=p.path) for p in inbound.problems]
    publication = native_rejection(imp, Topology(), "AIRLINE-CX", "HUB-42", inbound.adapter, BAD_FWB,
                                   inbound.document.business_key, errors, "EPORTHUB")
    assert publication.headers["x-hub-format"] == "fna" and publication.content_type == "text/plain"
    lines = publication.body.decode().split("\r\n")
    assert lines[:3] == ["FNA/1", "ACK/RULE_AWB_CHECK_DIGIT (/number): AWB 160-24680133 fails its check",
                         "/ digit (expected 2)"]                  # a reason longer than 65 goes on a continuation
    assert "\n".join(lines[3:]).rstrip("\n") == BAD_FWB.decode().rstrip("\n")  # the echo: the whole original
    answer = imp.read(publication.body).document
    assert (answer.status, answer.business_key, answer.answers_type) == (ReceiptStatus.REJECTED, "160-24680133", "FWB")
    assert [(e.code, e.pointer, e.text) for e in answer.errors] == \
        [("RULE_AWB_CHECK_DIGIT", "/number", "AWB 160-24680133 fails its check digit (expected 2)")]


def test_a_message_the_hub_cannot_parse_still_gets_an_fna_with_what_could_be_read(imp):
    data = example("cargo_imp", "fsu-rcf-999-87654335-typeb.txt").replace(b"OSI/", b"XYZ/")
    inbound = imp.inspect(data)
    errors = [Problem(p.code, p.message) for p in inbound.problems]
    publication = native_rejection(imp, Topology(), "AIRLINE-CA", "HUB-43", inbound.adapter, data, None, errors,
                                   "EPORTHUB")
    answer = imp.read(publication.body).document
    assert (answer.business_key, answer.answers_type, answer.errors[0].code) == \
        ("999-87654335", "FSU", "CIMP_TAG_UNKNOWN")
    assert answer.text.startswith("FSU/14\n") and "XYZ/" in answer.text


def test_an_fna_to_a_type_b_sender_travels_in_an_envelope(imp):
    receipt = Receipt(business_key="160-24680133", answers_type="FWB", status=ReceiptStatus.REJECTED,
                      text=BAD_FWB.decode().rstrip("\n"),
                      errors=[ReceiptError(code="CIMP_TAG_UNKNOWN", text="line 7: unknown tag")])
    ctx = RenderContext(message_id="HUB-44.nack", sender_id="BJSEPHB", receiver_id="HKGFFCX", created_at=NOW)
    output = imp.render(receipt, "fna", ctx)
    assert output.data.split(b"\r\n")[:4] == [b"QK HKGFFCX", b".BJSEPHB 270830 HUB-44.nack", b"FNA/1",
                                             b"ACK/CIMP_TAG_UNKNOWN: line 7: unknown tag"]
    again = imp.read(output.data).document
    assert (again.issuer, again.header.recipient_id, again.errors) == ("BJSEPHB", "HKGFFCX", receipt.errors)
    assert again.model_dump(exclude={"header", "issuer", "issued_at"}) == \
        receipt.model_dump(exclude={"header", "issuer", "issued_at"})


def test_an_acceptance_without_remarks_has_no_ack_line(imp, ctx):
    receipt = Receipt(business_key="999-87654324", status=ReceiptStatus.ACKNOWLEDGED,
                      text="FWB/16\n999-87654324PEKFRA/T20K512.5")
    output = imp.render(receipt, "fma", ctx)
    assert output.data == b"FMA\r\nFWB/16\r\n999-87654324PEKFRA/T20K512.5\r\n"
    assert json.loads(imp.read(output.data).document.model_dump_json())["status"] == "accepted"
