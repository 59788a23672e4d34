"""What each token sees: a sender its own messages, a receiver its own deliveries, an admin all of
it; another party's message is 403 and says nothing of what is there."""

from __future__ import annotations

from tests.ecommerce_support import BUYER
from tests.web.conftest import AWB, REASON


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["items"]]


def test_a_sender_sees_only_its_own_messages_with_every_receivers_answer(world):
    assert _ids(world.client.get("/api/v1/messages", headers=world.as_("AIRLINE-CA"))) == [world.ids["ca"]]
    m = world.client.get(f"/api/v1/messages/{world.ids['ca']}", headers=world.as_("AIRLINE-CA")).json()
    customs = {d["receiver"]: d for d in m["deliveries"]}["CUSTOMS-CN"]
    assert (customs["state"], customs["agency_status"], customs["reason"]) == ("REJECTED", "03", f"13 {REASON}")
    assert customs["receiver_name"].startswith("China Customs")
    assert {d["receiver"] for d in m["deliveries"]} == {"CUSTOMS-CN", "ARCHIVE"}


def test_a_receiver_sees_its_own_deliveries_and_nothing_of_the_other_receivers(world):
    listed = _ids(world.client.get("/api/v1/messages", headers=world.as_("ARCHIVE")))
    assert sorted(listed) == sorted([world.ids["mu"], world.ids["ca"]])
    got = world.client.get(f"/api/v1/messages/{world.ids['ca']}", headers=world.as_("ARCHIVE"))
    assert [d["receiver"] for d in got.json()["deliveries"]] == ["ARCHIVE"]
    assert {e["receiver"] for e in got.json()["timeline"]} == {None, "ARCHIVE"}
    assert "CUSTOMS-CN" not in got.text and REASON not in got.text


def test_an_admin_sees_every_message_and_every_delivery(world):
    assert set(_ids(world.client.get("/api/v1/messages", headers=world.as_("admin")))) == {
        world.ids["ca"], world.ids["mu"], world.ids["ec"]}
    m = world.client.get(f"/api/v1/messages/{world.ids['mu']}", headers=world.as_("admin")).json()
    assert {d["receiver"] for d in m["deliveries"]} == {"CUSTOMS-CN", "INSPECTION-CIQ", "ARCHIVE"}


def test_another_partys_message_is_403_without_a_hint_of_its_content(world):
    for party in ("AIRLINE-MU", "INSPECTION-CIQ", "CUSTOMS-CN-EC"):
        got = world.client.get(f"/api/v1/messages/{world.ids['ca']}", headers=world.as_(party))
        assert got.status_code == 403
        assert not any(leak in got.text for leak in (AWB, "AIRLINE-CA", "CUSTOMS-CN\"", "REJECTED", REASON))
    assert _ids(world.client.get("/api/v1/messages", params={"key": AWB}, headers=world.as_("AIRLINE-MU"))) == []


def test_unknown_ids_are_404_and_missing_bad_or_revoked_tokens_401(world):
    assert world.client.get("/api/v1/messages/HUB-NOSUCH", headers=world.as_("admin")).status_code == 404
    assert world.client.get("/api/v1/messages").status_code == 401
    assert world.client.get("/api/v1/messages", headers={"Authorization": "Bearer hubt_guess"}).status_code == 401
    token_id = next(t["id"] for t in world.book.list() if t["party"] == "AIRLINE-CA")
    assert world.book.revoke(token_id)
    assert world.client.get("/api/v1/messages", headers=world.as_("AIRLINE-CA")).status_code == 401


def test_personal_fields_in_an_agencys_reason_are_masked(world):
    got = world.client.get(f"/api/v1/messages/{world.ids['ec']}", headers=world.as_("EC-PLATFORM"))
    delivery, = got.json()["deliveries"]
    assert delivery["reason"] == "100 buyer " + "*" * 14 + BUYER.id_number[-4:] + " unknown"
    assert BUYER.id_number not in got.text


def test_a_receiver_sees_only_its_own_orphaned_receipts(world):
    def orphans(party: str) -> list[str]:
        got = world.client.get("/api/v1/orphans", headers=world.as_(party))
        assert got.status_code == 200
        return [r["receiver"] for r in got.json()["items"]]
    assert orphans("ARCHIVE") == ["ARCHIVE"] and orphans("admin") == ["ARCHIVE"]
    assert orphans("CUSTOMS-CN") == [] and orphans("AIRLINE-CA") == []
