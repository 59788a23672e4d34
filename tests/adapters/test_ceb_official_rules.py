"""The hub's CEB schemas are never stricter than the customs' own (GACC 202205).

- A guid is 36 characters (the official facet is ``length 36``), not necessarily a UUID: a
  platform's own scheme (``CEB621_<platform>_<time>_<n>``) is accepted on the message and its records.
- Where the official schema requires ``ds:Signature`` (CEB621), a message without one is refused;
  where it is optional (CEB311/411/511) a message without one is accepted.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import example

EXAMPLE_GUID = b"E47E66B0-EE29-59E0-B0B2-6119272AE3E7"
PLATFORM_GUID = b"CEB621_HUBTEST_PLAT_20260301120000_01"[:36]


def problems(engine, data: bytes) -> list[tuple[str, str]]:
    return [(p.code, p.message) for p in engine.inspect(data).problems]


def unsigned(data: bytes) -> bytes:
    return re.sub(rb"\s*<ds:Signature.*</ds:Signature>", b"", data, flags=re.S)


def test_a_36_character_guid_that_is_not_a_uuid_is_accepted(engine):
    assert len(PLATFORM_GUID) == 36
    data = example("ceb", "ceb621-inventory.xml").replace(EXAMPLE_GUID, PLATFORM_GUID)
    assert problems(engine, data) == []
    inventory = engine.read(data).document
    assert inventory.header.message_id == PLATFORM_GUID.decode()


@pytest.mark.parametrize("guid", [PLATFORM_GUID[:35], PLATFORM_GUID + b"X"])
def test_a_guid_of_another_length_is_refused_naming_the_length(engine, guid):
    data = example("ceb", "ceb621-inventory.xml").replace(EXAMPLE_GUID, guid)
    found = problems(engine, data)
    assert found and all(code == "SCHEMA_INVALID" and "'36'" in message for code, message in found)


def test_an_inventory_without_its_signature_is_refused_as_the_official_schema_requires(engine):
    found = problems(engine, unsigned(example("ceb", "ceb621-inventory.xml")))
    assert [code for code, _ in found] == ["SCHEMA_INVALID"]
    assert "Signature" in found[0][1]


@pytest.mark.parametrize("name", ["ceb311-order.xml", "ceb411-payment.xml", "ceb511-logistics.xml"])
def test_an_order_payment_or_logistics_bill_needs_no_signature(engine, name):
    data = example("ceb", name)
    assert b"Signature" not in data and problems(engine, data) == []
