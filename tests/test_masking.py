"""Masked admin views: `hub messages show` masks passengers' names, birth dates and document numbers
and buyers' names, identity and phone numbers (in facts, problems and payload) unless --reveal, which
is recorded as an event naming who asked."""

from __future__ import annotations

import json

from hub.masking import FACT_STYLES, NAME, NUMBER, mask
from hub.store.base import PERSONAL_FACTS
from tests.test_purge import hub, stored  # noqa: F401 (the fixture)

BUYER_ID, PHONE, PASSPORT = "110101199001011234", "13800000000", "E12345678"


def test_a_number_keeps_its_last_four_characters_and_a_name_its_first():
    assert mask(BUYER_ID) == "*" * 14 + "1234"
    assert mask("1234") == "****" and mask("ZHANG", NAME) == "Z****" and mask("1971-05-02", "hidden") == "*" * 10
    assert set(FACT_STYLES) == PERSONAL_FACTS and FACT_STYLES["buyer_id"] == NUMBER


def revealed(stored) -> list:
    store = stored.open()
    return [e for m in (stored.old_order, stored.old_persons) for e in store.events(m) if e.type == "message.revealed"]


def test_show_masks_the_facts_and_the_payload_and_records_nothing(stored):
    done = hub(stored, "messages", "show", stored.old_order, "--payload")
    assert done.exit_code == 0, done.output
    out = done.output
    assert "buyer_id=" + "*" * 14 + "1234" in out and "consignee=L*********" in out
    assert "ORD-1" in out and "milk powder" in out                      # the rest is shown as it is
    for secret in (BUYER_ID, PHONE, "13900000000", "Li Xiaobao", "Xiaobao"):
        assert secret not in out, secret
    assert "*******0000" in out                                         # a phone number, masked
    persons = hub(stored, "messages", "show", stored.old_persons, "--payload").output
    assert "CA932" in persons and "*****5678" in persons
    for secret in ("ZHANG", PASSPORT, "1971-05-02"):
        assert secret not in persons, secret
    assert revealed(stored) == []


def test_reveal_shows_everything_and_records_who_asked(stored):
    done = hub(stored, "messages", "show", stored.old_order, "--payload", "--reveal", operator="bob")
    assert done.exit_code == 0, done.output
    assert f"buyer_id={BUYER_ID}" in done.output and PHONE in done.output and "Li Xiaobao" in done.output
    (event,) = revealed(stored)
    assert (event.message_id, event.source, event.detail) == (stored.old_order, "admin:bob", {"payload": True})
    assert "message.revealed" in hub(stored, "messages", "show", stored.old_order).output


def test_a_payload_that_cannot_be_read_is_not_shown_unmasked(stored):
    store = stored.open()
    store.connection.execute("UPDATE messages SET raw = ? WHERE id = ?",
                             (f"garbled {BUYER_ID}".encode(), stored.old_order))
    done = hub(stored, "messages", "show", stored.old_order, "--payload")
    assert done.exit_code == 0, done.output
    assert BUYER_ID not in done.output and "--reveal shows it" in done.output


def test_an_unreadable_payload_of_a_kind_without_personal_fields_is_shown(stored):
    store = stored.open()
    store.connection.execute("UPDATE messages SET raw = ?, kind = 'waybill' WHERE id = ?",
                             (b"garbled 999-12345675", stored.old_order))
    done = hub(stored, "messages", "show", stored.old_order, "--payload")
    assert done.exit_code == 0 and "garbled 999-12345675" in done.output


def test_messages_of_a_personal_kind_can_be_listed_to_find_them(stored):
    done = hub(stored, "messages", "list", "--kind", "persons", "--json")
    assert done.exit_code == 0, done.output
    assert sorted(r["id"] for r in json.loads(done.output)) == sorted([stored.old_persons, stored.new_persons])
