"""The status query's filters and pages, bad input (422 naming the field), and the service report."""

from __future__ import annotations

import pytest

from tests.web.conftest import AWB, ORDER_NO


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["items"]]


def test_messages_are_found_by_business_key_kind_and_time_range(world):
    admin = world.as_("admin")
    assert _ids(world.client.get("/api/v1/messages", params={"key": AWB}, headers=admin)) == [world.ids["ca"]]
    assert _ids(world.client.get("/api/v1/messages", params={"key": ORDER_NO}, headers=admin)) == [world.ids["ec"]]
    assert _ids(world.client.get("/api/v1/messages", params={"kind": "order"}, headers=admin)) == [world.ids["ec"]]
    before = {"until": "2026-11-27T07:59:59Z"}
    assert _ids(world.client.get("/api/v1/messages", params=before, headers=admin)) == []
    span = {"since": "2026-11-27T08:00:00Z", "until": "2026-11-27T08:00:01Z"}
    assert len(_ids(world.client.get("/api/v1/messages", params=span, headers=admin))) == 3


def test_listings_page_with_an_offset_until_there_is_no_more(world):
    seen, offset = [], 0
    while offset is not None:
        page = world.client.get("/api/v1/messages", params={"limit": 2, "offset": offset},
                                headers=world.as_("admin")).json()
        seen += [m["id"] for m in page["items"]]
        offset = page["next_offset"]
    assert sorted(seen) == sorted(world.ids[k] for k in ("ca", "mu", "ec")) and len(seen) == 3


@pytest.mark.parametrize("params, field", [({"since": "yesterday"}, "since"), ({"limit": 0}, "limit"),
                                           ({"limit": "ten"}, "limit"), ({"status": "LOST"}, "status"),
                                           ({"offset": -1}, "offset")])
def test_malformed_query_parameters_are_422_naming_the_field(world, params, field):
    got = world.client.get("/api/v1/messages", params=params, headers=world.as_("admin"))
    assert got.status_code == 422
    assert [e["loc"] for e in got.json()["detail"]] == [["query", field]]


def test_the_service_report_counts_rejections_latency_and_late_answers(world):
    got = world.client.get("/api/v1/report", headers=world.as_("admin")).json()["receivers"]
    customs, archive = got["CUSTOMS-CN"], got["ARCHIVE"]
    assert (customs["rejected"], customs["rejection_rate"], customs["latency"]["median_s"]) == (1, 1.0, 30.0)
    assert customs["deliveries"] == 2 and customs["states"] == {"REJECTED": 1, "OVERDUE": 1}
    # the archive's answer to the first waybill came after its day: late, though ACCEPTED now
    assert (archive["accepted"], archive["answered_late"], archive["overdue_now"], archive["late"]) == (1, 1, 1, 2)
    assert archive["name"].startswith("e-port archive")


def test_the_report_is_cut_to_the_tokens_party_and_its_period(world):
    mine = world.client.get("/api/v1/report", headers=world.as_("CUSTOMS-CN")).json()["receivers"]
    assert list(mine) == ["CUSTOMS-CN"]
    assert world.client.get("/api/v1/report", params={"receiver": "ARCHIVE"},
                            headers=world.as_("CUSTOMS-CN")).status_code == 403
    sent = world.client.get("/api/v1/report", headers=world.as_("AIRLINE-MU")).json()["receivers"]
    assert {r: e["deliveries"] for r, e in sent.items()} == {"CUSTOMS-CN": 1, "INSPECTION-CIQ": 1, "ARCHIVE": 1}
    later = world.client.get("/api/v1/report", params={"since": "2026-11-28T00:00:00Z"}, headers=world.as_("admin"))
    assert later.json()["receivers"] == {}
