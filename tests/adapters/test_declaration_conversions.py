"""Declarations converted between WCO DEC and GACC DecMessage keep every field both carry.

A forwarder's declaration goes to China customs as a DecMessage and to a foreign customs
partner as a WCO DEC. For every original declaration example of either family,
read -> render in the other format -> read gives the declaration back, except the fields
the other format cannot carry: the helpers below blank those on both sides, and they are
the ones documented in adapters/gacc/dec.py ("What DecMessage cannot carry") and in
adapters/wco/codes.py (a non-WCO declaration type gives way to the direction).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from lxml import etree

import adapters.gacc.dec as gacc_dec
from adapters.wco import codes as wco_codes
from hub.errors import ConversionError
from hub.models import Declaration, Direction, Function, TransportMode
from tests.adapters.golden_support import with_function
from tests.adapters.wco_support import rich_declaration
from tests.conftest import EXAMPLES, example

GACC_ENTRY_TYPES = frozenset({"0", "L", "W", "D", "M"})
MASTER_TYPES = frozenset({"AWB", "MAWB", "BL", "MBL", "CIM", "CMR"})
HOUSE_TYPES = frozenset({"HAWB", "HBL"})
MASTER_AS_READ = {TransportMode.AIR: "AWB", TransportMode.SEA: "BL", TransportMode.RAIL: "CIM",
                  TransportMode.ROAD: "CMR"}
WCO_DEC = {"d": "urn:wco:datamodel:WCO:DEC-DMS:2"}


def wco_function(name: str) -> Function:
    """The function of a WCO example, from its FunctionCode and TypeCode (as the reader maps them)."""
    d = etree.fromstring(example("wco", name)).xpath("//d:Declaration", namespaces=WCO_DEC)[0]
    return wco_codes.function_in(d.findtext("d:FunctionCode", namespaces=WCO_DEC),
                                 d.findtext("d:TypeCode", namespaces=WCO_DEC))


def is_decmessage(name: str) -> bool:
    root = etree.fromstring(example("gacc", name))
    local = etree.QName(root).localname
    return local == "DecMessage" or (local == "ImportMessage" and root.find("SWImpData/DecMessage") is not None)


WCO_DECLARATIONS = sorted(p.name for p in (EXAMPLES / "wco").glob("dec_*.xml"))
WCO_ORIGINALS = [name for name in WCO_DECLARATIONS if wco_function(name) is Function.ORIGINAL]
WCO_CHANGES = [name for name in WCO_DECLARATIONS if name not in WCO_ORIGINALS]
GACC_DECLARATIONS = sorted(p.name for p in (EXAMPLES / "gacc").glob("*.xml") if is_decmessage(p.name))


# -- what the target format cannot carry ------------------------------------------------------------

def parties(doc: Declaration) -> tuple[str, str]:
    """(domestic, overseas) role names as a DecMessage sees them: importer/exporter by direction."""
    return ("importer", "exporter") if doc.direction is Direction.IMPORT else ("exporter", "importer")


def decmessage_cannot_carry(doc: Declaration) -> list[str]:
    """Pointers to the fields of ``doc`` a DecMessage has no place for (adapters/gacc/dec.py)."""
    domestic, overseas = parties(doc)
    lost = ["/header", "/declarant/address", f"/{domestic}/address",
            f"/{overseas}/address/city", f"/{overseas}/address/postcode", f"/{overseas}/address/country",
            f"/{overseas}/phone", f"/{overseas}/email", "/items/*/gross_weight"]
    if doc.type_code not in GACC_ENTRY_TYPES:
        lost.append("/type_code")
    return lost


def wco_dec_cannot_carry(doc: Declaration) -> list[str]:
    """Pointers to the fields of a GACC-read ``doc`` a WCO DEC has no place for."""
    lost = ["/header"]
    if doc.type_code in GACC_ENTRY_TYPES:  # not a WCO type (IMA, EXD ...): only the direction is written
        lost.append("/type_code")
    return lost


def blank(doc: Declaration, pointers: Iterable[str]) -> Declaration:
    """A copy of ``doc`` without the fields at ``pointers`` (``*``: every list entry).

    A party or address left without any value becomes None, as a reader gives it; a
    blanked header becomes the default header.
    """
    data = doc.model_dump()
    for pointer in pointers:
        _blank(data, pointer.strip("/").split("/"))
    for role in ("declarant", "importer", "exporter"):
        party = data[role]
        if party and party["address"] is not None and not any(party["address"].values()):
            party["address"] = None
        if role != "declarant" and party is not None and not any(party.values()):
            data[role] = None
    data["header"] = data["header"] or {}
    return Declaration.model_validate(data)


def _blank(node, parts: list[str]) -> None:
    if node is None:
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        for entry in node:
            _blank(entry, rest)
    elif not rest:
        node[head] = None
    else:
        _blank(node[head], rest)


def documents_as_decmessage_reads_them(doc: Declaration) -> Declaration:
    """BillNo has no document type: the master and house come back first, typed by the transport mode."""
    docs = list(doc.transport_documents)
    master = next((d for d in docs if d.type in MASTER_TYPES), None)
    if master is None:
        return doc
    house = next((d for d in docs if d.type in HOUSE_TYPES), None)
    bill = [master.model_copy(update={"type": MASTER_AS_READ[doc.transport_mode]})]
    if house is not None:
        bill.append(house.model_copy(update={"type": "HAWB" if doc.transport_mode is TransportMode.AIR else "HBL"}))
    others = [d for d in docs if d is not master and d is not house]
    return doc.model_copy(update={"transport_documents": bill + others})


def convert(engine, ctx, doc: Declaration, target: str) -> Declaration:
    """``doc`` rendered as ``target`` (validated against its XSD) and read back (XSD and rules)."""
    inbound = engine.read(engine.render(doc, target, ctx).data)
    assert inbound.adapter.name == target
    return inbound.document


# -- the examples, both ways ------------------------------------------------------------------------

def test_the_conversion_tests_cover_every_declaration_example():
    assert WCO_ORIGINALS == ["dec_export_gb_us.xml", "dec_import_cn_gb.xml"]
    assert WCO_CHANGES == ["dec_amendment_air_import.xml"]
    assert GACC_DECLARATIONS == ["dec-export-sea.xml", "dec-import-air.xml", "dec-import-road-gbk.xml",
                                 "dec-importmessage-rail.xml"]


@pytest.mark.parametrize("name", WCO_ORIGINALS)
def test_a_wco_declaration_survives_a_decmessage_in_every_field_decmessage_carries(engine, ctx, name):
    original = engine.read(example("wco", name)).document
    back = convert(engine, ctx, original, "gacc-dec")
    lost = decmessage_cannot_carry(original)
    assert blank(back, lost) == blank(documents_as_decmessage_reads_them(original), lost)
    # the comparison had work to do: parties, items and totals came through
    assert back.declarant.id == original.declarant.id and len(back.items) == len(original.items) > 0
    assert [i.quantity for i in back.items] == [i.quantity for i in original.items]
    assert back.total_value == original.total_value is not None


@pytest.mark.parametrize("name", GACC_DECLARATIONS)
def test_a_decmessage_survives_a_wco_dec_in_every_field_the_wco_dec_carries(engine, ctx, name):
    original = engine.read(example("gacc", name)).document
    back = convert(engine, ctx, original, "wco-dec")
    lost = wco_dec_cannot_carry(original)
    assert blank(back, lost) == blank(original, lost)
    assert back.importer == original.importer and back.exporter == original.exporter
    assert back.items == original.items and back.transport_documents == original.transport_documents


def test_unified_social_credit_codes_of_18_characters_reach_the_wco_dec(engine, ctx):
    original = engine.read(example("gacc", "dec-import-air.xml")).document
    assert {len(original.declarant.id), len(original.importer.id)} == {18}
    root = engine.render(original, "wco-dec", ctx).tree.getroot()
    ids = root.xpath("//d:Declarant/d:ID | //d:Importer/d:ID", namespaces=WCO_DEC)
    assert [el.text for el in ids] == [original.declarant.id, original.importer.id]


@pytest.mark.parametrize("name", WCO_ORIGINALS)
def test_a_decmessage_made_from_a_wco_declaration_and_back_to_wco_is_stable(engine, ctx, name):
    """Once through DecMessage, a declaration goes on to WCO and back to GACC unchanged."""
    once = convert(engine, ctx, engine.read(example("wco", name)).document, "gacc-dec")
    twice = convert(engine, ctx, convert(engine, ctx, once, "wco-dec"), "gacc-dec")
    assert blank(twice, ["/header"]) == blank(once, ["/header"])


# -- what cannot be converted -----------------------------------------------------------------------

@pytest.mark.parametrize("name", WCO_CHANGES)
def test_an_amendment_cannot_be_written_as_a_decmessage(engine, ctx, name):
    doc = engine.read(example("wco", name)).document
    assert doc.function is Function.AMEND
    with pytest.raises(ConversionError) as caught:
        engine.render(doc, "gacc-dec", ctx)
    error = caught.value
    assert (error.code, error.path) == ("CONVERT_UNSUPPORTED", "/function")
    assert error.message.startswith("/function: an amendment cannot be written as a GACC DecMessage")
    assert "modify/withdraw" in error.message


def test_a_cancellation_cannot_be_written_as_a_decmessage(engine, ctx):
    doc = with_function(engine.read(example("wco", WCO_ORIGINALS[0])).document, Function.CANCEL)
    with pytest.raises(ConversionError) as caught:
        engine.render(doc, "gacc-dec", ctx)
    assert (caught.value.code, caught.value.path) == ("CONVERT_UNSUPPORTED", "/function")
    assert "a cancellation cannot be written" in caught.value.message


# -- the helpers and the documentation agree --------------------------------------------------------

def test_every_field_the_helper_blanks_is_documented_as_lost_in_the_decmessage_adapter():
    documented = gacc_dec.__doc__.split("What DecMessage cannot carry")[1]
    for doc in (_declaration(Direction.IMPORT), _declaration(Direction.EXPORT)):
        domestic, overseas = parties(doc)
        for pointer in decmessage_cannot_carry(doc):
            generic = pointer.replace(f"/{overseas}/", "/").replace(f"/{domestic}/address", "/address")
            assert generic in documented, pointer
    assert "/transport_documents/*/type" in documented


def test_blank_removes_exactly_the_given_fields():
    doc = _declaration(Direction.IMPORT)
    blanked = blank(doc, ["/items/*/gross_weight", "/exporter/address/city", "/exporter/phone"])
    assert [i.gross_weight for i in blanked.items] == [None]
    assert blanked.exporter.address.street == doc.exporter.address.street and blanked.exporter.phone is None
    assert blanked.items[0].net_weight == doc.items[0].net_weight and blanked != doc
    emptied = blank(doc, [f"/exporter/address/{field}" for field in ("street", "city", "postcode", "country")])
    assert emptied.exporter.address is None and emptied.exporter.name == doc.exporter.name


def _declaration(direction: Direction) -> Declaration:
    doc = rich_declaration()
    doc.items = doc.items[:1]
    return with_function(doc.model_copy(update={"direction": direction}), Function.ORIGINAL)
