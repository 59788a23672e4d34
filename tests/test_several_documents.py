"""A message that carries several documents (an FHL's houses, an EDIFACT interchange's messages, canonical
JSON with ``documents``): the engine reads each, and the CLI converts each."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hub.adapters import RenderContext
from hub.cli import main
from tests.conftest import example

CTX = RenderContext(message_id="HUB-MANY-1", sender_id="EPORTHUB", receiver_id="ARCHIVE")


def two_waybills(engine) -> tuple[list, bytes]:
    docs = [engine.read(example("cargo_xml", name)).document for name in ("xfwb-pek-fra.xml", "xfwb-food-fra-pek.xml")]
    return docs, engine.registry.get("json").render_all(docs, CTX).data


def test_canonical_json_carries_several_documents_and_reads_them_back_in_order(engine):
    docs, data = two_waybills(engine)
    assert json.loads(data)["documents"][1]["number"] == docs[1].number
    inbound = engine.inspect(data)
    assert inbound.problems == [] and inbound.documents == docs and inbound.document == docs[0]


def test_one_document_stays_the_single_document_form(engine):
    docs, _ = two_waybills(engine)
    assert "document" in json.loads(engine.render(docs[0], "json", CTX).data)


def test_an_empty_documents_list_is_refused(engine):
    codes = [p.code for p in engine.inspect(b'{"schema":"eport-hub.canonical/1","documents":[]}').problems]
    assert codes == ["JSON_MALFORMED"]


def test_convert_writes_each_document_and_several_as_one_json_message(engine, tmp_path):
    docs, data = two_waybills(engine)
    (tmp_path / "two.json").write_bytes(data)
    out = CliRunner().invoke(main, ["convert", str(tmp_path / "two.json"), "--to", "xfwb", "-o",
                                    str(tmp_path / "out" / "w.xml")])
    assert out.exit_code == 0, out.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["w-1.xml", "w-2.xml"]
    assert [engine.read((tmp_path / "out" / n).read_bytes()).document.number for n in written] == \
        [d.number for d in docs]
    as_json = CliRunner().invoke(main, ["convert", str(tmp_path / "two.json"), "--to", "json"])
    assert as_json.exit_code == 0
    assert [d["number"] for d in json.loads(as_json.stdout)["documents"]] == [d.number for d in docs]
