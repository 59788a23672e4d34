"""XSD problem texts quote the facet they break intact: a pattern's quantifiers ``{4}``, ``{1,3}``
stay; only the ``{namespace}`` before an element name is dropped."""

from __future__ import annotations

from lxml import etree

from hub.validation import SchemaSet

XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:braces"
  xmlns="urn:test:braces" elementFormDefault="qualified">
  <xs:element name="Code">
    <xs:simpleType><xs:restriction base="xs:string">\
<xs:pattern value="[A-Z]{4}-[0-9]{1,3}-[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{2,}"/>\
</xs:restriction></xs:simpleType>
  </xs:element>
</xs:schema>"""


def test_a_pattern_facet_is_quoted_with_its_quantifiers_and_without_the_namespace(tmp_path):
    (tmp_path / "t.xsd").write_text(XSD)
    problems = SchemaSet(tmp_path).validate(etree.fromstring(b'<Code xmlns="urn:test:braces">ab-1</Code>'), "t.xsd")
    assert len(problems) == 1
    message = problems[0].message
    assert "'[A-Z]{4}-[0-9]{1,3}-[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{2,}'" in message
    assert "urn:test:braces" not in message and "Element 'Code'" in message


def test_a_long_value_is_shortened_but_the_pattern_it_breaks_is_not(tmp_path):
    (tmp_path / "t.xsd").write_text(XSD)
    value = "x" * 5000
    tree = etree.fromstring(f'<Code xmlns="urn:test:braces">{value}</Code>'.encode())
    message = SchemaSet(tmp_path).validate(tree, "t.xsd")[0].message
    assert f"'{'x' * 40}...'" in message and value not in message
    assert "[0-9A-F]{4}-[0-9A-F]{2,}'" in message
