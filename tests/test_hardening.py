"""Hostile and broken input: one clear line with a code, a non-zero exit, no traceback, no reads."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.errors import EmptyInput, ForbiddenXml, InputTooLarge, MalformedXml
from hub.validation import XmlLimits, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_problem_line(result) -> str:
    lines = [line for line in result.output.splitlines() if "[" in line]
    assert "Traceback" not in result.output
    assert len(lines) == 1, result.output
    return lines[0]


def test_malformed_xml_gets_a_line_number_and_code(tmp_path: Path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<Waybill>\n  <ID>1</Waybill>\n")
    result = run("validate", str(bad))
    assert result.exit_code == 1
    line = one_problem_line(result)
    assert line.startswith(f"{bad}:2:") and line.endswith("[XML_MALFORMED]")


def test_xxe_document_is_refused_without_reading_the_file(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doc = tmp_path / "xxe.xml"
    doc.write_text(f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>')
    result = run("validate", str(doc))
    assert result.exit_code == 1
    assert one_problem_line(result).endswith("[XML_DTD_FORBIDDEN]")
    assert "TOP-SECRET" not in result.output


def test_external_entity_over_the_network_is_never_fetched(tmp_path: Path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.5)
        port = server.getsockname()[1]
        doc = tmp_path / "net.xml"
        doc.write_text(f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/x.dtd">'
                       f'<r>&x;</r>')
        result = run("validate", str(doc))
        with pytest.raises(socket.timeout):
            server.accept()
    assert result.exit_code == 1
    assert "[XML_" in one_problem_line(result)


def test_billion_laughs_is_refused_before_expansion(tmp_path: Path):
    doc = tmp_path / "lol.xml"
    doc.write_bytes(BILLION_LAUGHS)
    result = run("validate", str(doc))
    assert result.exit_code == 1
    assert one_problem_line(result).endswith("[XML_DTD_FORBIDDEN]")


def test_fifty_megabyte_file_is_refused_by_size(tmp_path: Path):
    big = tmp_path / "big.xml"
    with big.open("wb") as f:
        f.write(b"<Waybill>")
        f.write(b"<x>" + b"a" * (50 * 1024 * 1024) + b"</x>")
        f.write(b"</Waybill>")
    result = run("validate", str(big))
    assert result.exit_code == 1
    assert one_problem_line(result).endswith("[INPUT_TOO_LARGE]")


def test_unknown_root_names_the_element_and_namespace(tmp_path: Path):
    doc = tmp_path / "unknown.xml"
    doc.write_bytes(b'<Invoice xmlns="urn:example:invoice"><ID>1</ID></Invoice>')
    result = run("validate", str(doc))
    assert result.exit_code == 1
    line = one_problem_line(result)
    assert "Invoice" in line and "urn:example:invoice" in line and line.endswith("[FORMAT_UNKNOWN]")


@pytest.mark.parametrize("content", [b"", b"   \n\t"])
def test_empty_file_is_an_error_not_a_crash(tmp_path: Path, content: bytes):
    doc = tmp_path / "empty.xml"
    doc.write_bytes(content)
    result = run("validate", str(doc))
    assert result.exit_code == 1
    assert one_problem_line(result).endswith("[INPUT_EMPTY]")


def test_text_that_is_no_known_format_is_unknown(tmp_path: Path):
    doc = tmp_path / "note.txt"
    doc.write_text("hello, customs")
    result = run("validate", str(doc))
    assert result.exit_code == 1
    assert one_problem_line(result).endswith("[FORMAT_UNKNOWN]")


def test_nesting_deeper_than_the_limit_is_refused():
    deep = b"<a>" * 300 + b"</a>" * 300
    with pytest.raises(MalformedXml) as err:
        parse_xml(deep)
    assert err.value.code == "XML_TOO_DEEP"
    with pytest.raises(MalformedXml) as err:
        parse_xml(b"<a>" * 20 + b"</a>" * 20, XmlLimits(max_depth=10))
    assert err.value.code == "XML_TOO_DEEP"


def test_size_limit_is_checked_before_parsing():
    with pytest.raises(InputTooLarge):
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", XmlLimits(max_bytes=50))
    with pytest.raises(EmptyInput):
        parse_xml(b"")


def test_internal_subset_without_entities_is_still_refused():
    with pytest.raises(ForbiddenXml):
        parse_xml(b'<!DOCTYPE r [<!ELEMENT r (#PCDATA)>]><r>x</r>')


def test_gbk_declared_document_decodes_chinese_text():
    data = '<?xml version="1.0" encoding="GBK"?><r><Name>北京测试企业</Name></r>'.encode("gbk")
    assert parse_xml(data).getroot().findtext("Name") == "北京测试企业"


def test_utf8_bom_and_utf16_documents_parse():
    assert parse_xml("\ufeff<r>é</r>".encode("utf-8")).getroot().text == "é"
    assert parse_xml('<?xml version="1.0" encoding="UTF-16"?><r>é</r>'.encode("utf-16")).getroot().text == "é"


def test_a_file_that_does_not_exist_is_a_usage_error():
    result = run("validate", "/nonexistent/file.xml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
