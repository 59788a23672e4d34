"""The web console server-side: the login cookie, the same party scoping as the API, escaping,
masking, CSRF on the forms that change something, the lists and the dashboard's charts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from hub.masking import mask
from hub.transport.base import Envelope, Headers
from hub.web import create_app
from tests.ecommerce_support import BUYER
from tests.web.conftest import AWB, REASON


def _console(world, party: str, published: list | None = None) -> TestClient:
    """A browser-like client logged in as ``party`` (its own cookie jar)."""
    app = world.client.app if published is None else create_app(world.settings, broker=world.broker,
                                                                 tokens=world.book, publish=published.extend)
    client = TestClient(app)
    got = client.post("/console/login", data={"token": world.tokens[party]}, follow_redirects=False)
    assert got.status_code == 303 and got.headers["location"] == "/console/"
    return client


def _csrf(page_html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page_html)
    assert found, "no CSRF field on the page"
    return found[1]


def test_the_login_keeps_the_token_in_an_httponly_strict_cookie_and_never_in_a_url(world):
    client = TestClient(world.client.app)
    got = client.post("/console/login", data={"token": world.tokens["CUSTOMS-CN"]}, follow_redirects=False)
    cookie = got.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert world.tokens["CUSTOMS-CN"] not in got.headers["location"]
    page = client.get("/console/")
    assert page.status_code == 200 and "Log out CUSTOMS-CN" in page.text
    assert world.tokens["CUSTOMS-CN"] not in page.text


def test_without_a_valid_token_every_page_leads_to_the_login(world):
    client = TestClient(world.client.app)
    for path in ("/console/", f"/console/messages/{world.ids['ca']}", "/console/lists/rejected",
                 "/console/dashboard"):
        got = client.get(path, follow_redirects=False)
        assert (got.status_code, got.headers["location"]) == (303, "/console/login"), path
    bad = client.post("/console/login", data={"token": "hubt_not-a-token"}, follow_redirects=False)
    assert bad.status_code == 401 and "not valid" in bad.text and "set-cookie" not in bad.headers
    client.cookies.set("hub_console", world.tokens["ARCHIVE"], path="/console")
    assert client.get("/console/", follow_redirects=False).status_code == 200
    world.book.revoke(next(t["id"] for t in world.book.list() if t["party"] == "ARCHIVE"))
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_an_awb_search_finds_the_message_with_the_agencys_reason_and_a_hub_id_opens_it(world):
    client = _console(world, "admin")
    found = client.get("/console/", params={"q": AWB})
    assert found.status_code == 200 and world.ids["ca"] in found.text and world.ids["mu"] not in found.text
    assert REASON in found.text
    opened = client.get("/console/", params={"q": world.ids["ca"]}, follow_redirects=False)
    assert opened.headers["location"] == f"/console/messages/{world.ids['ca']}"
    page = client.get(opened.headers["location"]).text
    assert REASON in page and "agency_status: 03, codes: 13" in page and "delivery.overdue" in page
    assert "e-port archive" in page                     # the timeline and deliveries name the receivers
    assert "As received from AIRLINE-CA" in page and "As rendered for" in page


def test_a_party_sees_only_what_the_api_shows_it(world):
    mu = _console(world, "AIRLINE-MU")
    assert mu.get(f"/console/messages/{world.ids['ca']}").status_code == 403
    searched = mu.get("/console/", params={"q": world.ids["ca"]}, follow_redirects=False)
    assert searched.status_code == 200 and "No message found" in searched.text
    customs = _console(world, "CUSTOMS-CN")
    page = customs.get(f"/console/messages/{world.ids['ca']}").text
    assert REASON in page and "ARCHIVE" not in page and "INSPECTION-CIQ" not in page
    assert "As received from" not in page and "As rendered for" in page      # its own rendering, not the raw
    assert "/console/lists/dead-letters" not in page and "Preview replay" not in page
    assert customs.get("/console/lists/dead-letters").status_code == 403
    orphans = customs.get("/console/lists/orphaned").text
    assert "NO-SUCH-AWB" not in orphans
    assert "NO-SUCH-AWB" in _console(world, "ARCHIVE").get("/console/lists/orphaned").text


def test_what_a_page_shows_is_escaped_and_scripts_are_forbidden(world):
    client = _console(world, "admin")
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    got = client.get("/console/", params={"q": evil})
    assert "<script>alert" not in got.text and "<img src=x" not in got.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in got.text
    assert "script-src" not in got.headers["content-security-policy"]       # default-src 'none': no script
    assert "default-src 'none'" in got.headers["content-security-policy"]


def test_personal_fields_are_masked_in_reasons_and_payloads(world):
    page = _console(world, "admin").get(f"/console/messages/{world.ids['ec']}").text
    assert BUYER.id_number not in page and BUYER.name not in page
    assert mask(BUYER.id_number) in page


def test_a_replay_is_previewed_then_confirmed_and_each_form_needs_its_csrf_token(world):
    published: list = []
    client = _console(world, "admin", published)
    page = client.get(f"/console/messages/{world.ids['ca']}").text
    form = {"ids": world.ids["ca"], "mode": "resend", "to": "CUSTOMS-CN"}
    assert client.post("/console/replay", data=form).status_code == 403
    assert client.post("/console/replay", data=form | {"csrf": "0" * 64}).status_code == 403
    preview = client.post("/console/replay", data=form | {"csrf": _csrf(page)})
    assert preview.status_code == 200 and "Replay preview" in preview.text and "Confirm replay" in preview.text
    assert "CUSTOMS-CN" in preview.text and published == []
    confirm = dict(re.findall(r'name="([a-z]+)" value="([^"]*)"', preview.text.split("Confirm replay")[0]
                              .rsplit("<form", 1)[1]))
    assert confirm["confirm"] == "yes"
    done = client.post("/console/replay", data=confirm)
    assert done.status_code == 200 and "1 published" in done.text and len(published) == 1
    timeline = client.get(f"/console/messages/{world.ids['ca']}").text
    assert "replay.previewed" in timeline and "api:ops-alice" in timeline


def test_a_party_cannot_replay_even_with_its_own_csrf_token(world):
    client = _console(world, "AIRLINE-CA")
    csrf = _csrf(client.get("/console/").text)
    got = client.post("/console/replay", data={"ids": world.ids["ca"], "mode": "pipeline", "csrf": csrf})
    assert got.status_code == 403


def test_logging_out_needs_the_csrf_token_and_ends_the_session(world):
    client = _console(world, "ARCHIVE")
    assert client.post("/console/logout", follow_redirects=False).status_code == 403
    out = client.post("/console/logout", data={"csrf": _csrf(client.get("/console/").text)}, follow_redirects=False)
    assert out.status_code == 303 and 'hub_console=""' in out.headers["set-cookie"]
    assert client.get("/console/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("which, shown, hidden", [("rejected", ("ca", "ec"), ("mu",)), ("overdue", ("mu",), ("ca",))])
def test_the_lists_show_rejected_and_overdue_messages(world, which, shown, hidden):
    page = _console(world, "admin").get(f"/console/lists/{which}").text
    assert all(world.ids[k] in page for k in shown) and not any(world.ids[k] in page for k in hidden)


def test_dead_letters_are_listed_and_their_replay_previewed_before_it_moves_them(world):
    headers = {Headers.SENDER: "AIRLINE-CA", Headers.REASON: "E-XML"}
    world.broker.dead = [Envelope(tag=1, body=b"<bad/>", headers=headers)]
    client = _console(world, "admin")
    page = client.get("/console/lists/dead-letters").text
    assert "AIRLINE-CA" in page and "E-XML" in page
    preview = client.post("/console/dead-letters/replay", data={"csrf": _csrf(page), "limit": "1"})
    assert "1 dead letters would go back" in preview.text and world.broker.moved == 0
    client.post("/console/dead-letters/replay", data={"csrf": _csrf(page), "limit": "1", "confirm": "yes"})
    assert world.broker.moved == 1


def test_the_dashboard_charts_latency_and_rejection_rate_per_day_in_the_partys_scope(world):
    page = _console(world, "admin").get("/console/dashboard", params={"until": "2026-11-28", "days": 2}).text
    assert "<svg" in page and "Median receipt latency of CUSTOMS-CN" in page
    assert "2026-11-27: 30 s" in page and "2026-11-27: 100 %" in page      # customs answered in 30 s, rejecting
    mine = _console(world, "CUSTOMS-CN").get("/console/dashboard", params={"until": "2026-11-28", "days": 2}).text
    assert "CUSTOMS-CN" in mine and "ARCHIVE" not in mine
