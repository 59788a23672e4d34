"""The web console in a real browser: Debian's Chromium, headless, driven by Playwright's Python
package, against the app served by uvicorn on a free port. It logs in with a party token, searches
an AWB, opens the message, reads the agency's reason and previews a replay; every page it loads
asks nothing of any other host (no CDN: the console works offline). Screenshots go to
tests/web/screenshots/ (gitignored).

Without Chromium or Playwright the test is skipped on a developer's machine and fails when CI=true
(.ci/run installs both)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.web.conftest import AWB, REASON

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]
SHOTS = Path(__file__).parent / "screenshots"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright's Python package is not installed (pip install playwright)")
    if shutil.which(CHROMIUM) is None:
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def served(world) -> Iterator[str]:
    """The world's app served by uvicorn in a thread on a free port: its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(world.client.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def test_an_operator_finds_an_awb_reads_the_agencys_reason_and_previews_a_replay(world, served, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    page.goto(f"{served}/console/")
    assert page.url == f"{served}/console/login"
    page.fill("input[name=token]", world.tokens["admin"])
    page.click("button:text('Log in')")
    page.wait_for_url(f"{served}/console/")
    cookie, = context.cookies()
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == ("hub_console", True, "Strict")
    assert page.evaluate("document.cookie") == ""                  # the page's scripts cannot read it

    page.fill("input[name=q]", AWB)
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(f"text=Messages for {AWB}")
    _shot(page, "1-search")
    page.click(f"a:text('{world.ids['ca']}')")
    page.wait_for_url(f"{served}/console/messages/{world.ids['ca']}")
    reason = page.locator("td .reason", has_text=REASON)
    assert reason.is_visible() and REASON in reason.inner_text()
    assert page.locator("tr", has_text="delivery.overdue").count() == 1
    _shot(page, "2-message")

    page.select_option("select[name=mode]", "resend")
    page.select_option("select[name=to]", "CUSTOMS-CN")
    page.click("button:text('Preview replay')")
    page.wait_for_selector("h1:text('Replay preview')")
    assert "CUSTOMS-CN" in page.locator("table").inner_text()
    assert page.locator("button:text('Confirm replay')").is_visible()
    _shot(page, "3-replay-preview")

    page.goto(f"{served}/console/dashboard?until=2026-11-28&days=7")
    assert page.locator("svg.chart").count() >= 2
    _shot(page, "4-dashboard")

    assert all(url.startswith(served) for url in asked), [u for u in asked if not u.startswith(served)]
    assert not any(world.tokens["admin"] in url for url in asked)
    context.close()
