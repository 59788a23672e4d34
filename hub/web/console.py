"""The web console (issue 14, point 2): server-rendered pages over the same ``Hub`` and the same
party scoping as /api/v1: search by business key or id, a message with its deliveries, the
agencies' reasons, its timeline and its payloads (personal fields masked), the lists of rejected,
overdue, orphaned and dead-lettered items, admin replays (a preview, then a confirm), and the
agencies' service dashboard with its charts drawn here as SVG.

Design note: the login form takes a status API token and keeps it in an HttpOnly, SameSite=Strict
cookie scoped to /console, never in a URL; every request verifies it again (a revoked token is
logged out at its next click) and spends the token's rate as an API call does. The forms that
change something (replay, logout) carry a CSRF token, an HMAC of a fixed label under the session's
token: another site can neither read it nor compute it. Every value shown passes ``html.escape``
and the pages forbid scripts and foreign resources by their Content-Security-Policy; there is no
JavaScript at all. Jinja2 is no dependency of the hub: the page shell (templates/page.html) is a
``string.Template`` and each page a small function. One module of all the pages, rather than one
per page, because they share the session, the escaping and the shell and little else.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..masking import redactor
from ..store.base import UNMATCHED, DeliveryState, MessageFilter, MessageStatus
from ..worker import replay as replaying
from ..worker.parts import raw_of
from . import admin, figures
from .api import NOT_YOURS, _scoped_find
from .context import Hub, HubDep
from .tokens import Principal
from .views import UNREADABLE, message_view, visible

router = APIRouter(prefix="/console", include_in_schema=False)

COOKIE = "hub_console"
SHOWN_BYTES = 64 * 1024
"""How much of a payload a page shows: enough to read a document, not a bulk export."""

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
LISTS = {"rejected": "Rejected", "overdue": "Overdue", "orphaned": "Orphaned receipts",
         "dead-letters": "Dead letters"}


# -- the session -------------------------------------------------------------------------------

def _csrf(token: str) -> str:
    return hmac.new(token.encode(), b"hub-console-csrf", hashlib.sha256).hexdigest()


def session(request: Request, hub: HubDep) -> tuple[Principal, str]:
    """The console's caller and its CSRF token; to the login page (303) without a valid cookie."""
    token = request.cookies.get(COOKIE)
    who = hub.tokens.verify(token) if token else None
    if who is None or token is None:
        raise HTTPException(303, "log in first", headers={"Location": "/console/login"})
    wait = hub.buckets.take(who.token_id)
    if wait:
        raise HTTPException(429, "too many requests for this token; slow down",
                            headers={"Retry-After": str(max(1, round(wait)))})
    return who, _csrf(token)


Session = Annotated[tuple[Principal, str], Depends(session)]


async def _form(request: Request, csrf: str | None) -> dict[str, list[str]]:
    """The fields of a urlencoded form; 403 when ``csrf`` is given and the form's does not match it."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    if csrf is not None and not hmac.compare_digest(fields.get("csrf", [""])[0], csrf):
        raise HTTPException(403, "this form is stale or not the console's; open the page again")
    return fields


# -- rendering ---------------------------------------------------------------------------------

def h(value: Any) -> str:
    """A value as HTML text: escaped, '-' for nothing."""
    return "-" if value is None or value == "" else escape(str(value))


@cache
def _shell() -> Template:
    return Template(resources.files(__package__).joinpath("templates", "page.html").read_text("utf-8"))


def page(title: str, body: str, who: tuple[Principal, str] | None = None, status: int = 200) -> HTMLResponse:
    """A page in the shell, with the navigation of a logged-in caller; ``body`` is HTML already."""
    nav = ""
    if who is not None:
        links = [("/console/", "Search"), *((f"/console/lists/{k}", v) for k, v in LISTS.items()
                                            if k != "dead-letters" or who[0].admin),
                 ("/console/dashboard", "Agencies")]
        nav = "".join(f'<a href="{u}">{h(t)}</a>' for u, t in links) + (
            f'<form method="post" action="/console/logout">{_hidden(csrf=who[1])}'
            f'<button>Log out {h(who[0].party)}</button></form>')
    html = _shell().substitute(title=h(title), nav=nav, main=body)
    return HTMLResponse(html, status, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store",
                                               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


def _hidden(**fields: str) -> str:
    return "".join(f'<input type="hidden" name="{h(k)}" value="{h(v)}">' for k, v in fields.items())


def table(heads: Iterable[str], rows: Iterable[Iterable[str]], empty: str = "Nothing here.") -> str:
    """A table of cells that are HTML already (each escaped by its maker)."""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    if not body:
        return f'<p class="note">{h(empty)}</p>'
    return "<table><tr>" + "".join(f"<th>{h(t)}</th>" for t in heads) + f"</tr>{body}</table>"


def _link(message_id: str) -> str:
    return f'<a href="/console/messages/{quote(message_id, safe="")}">{h(message_id)}</a>'


def _state(state: str | None) -> str:
    return f'<span class="state-{h(state)}">{h(state)}</span>'


def _receiver(name: str | None, code: str | None) -> str:
    return f"{h(name)} ({h(code)})" if name else h(code)


# -- login -------------------------------------------------------------------------------------

def _login_page(error: str | None = None, status: int = 200) -> HTMLResponse:
    said = f'<p class="error">{h(error)}</p>' if error else ""
    return page("Log in", f"{said}<form method=\"post\" action=\"/console/login\"><label>API token "
                          '<input type="password" name="token" autocomplete="off" required size="50"></label> '
                          '<button>Log in</button></form><p class="note">A token from '
                          "<code>hub tokens create PARTY</code>: you see what that party may see.</p>",
                status=status)


@router.get("/login")
def login_form() -> HTMLResponse:
    return _login_page()


@router.post("/login")
async def login(request: Request, hub: HubDep) -> Response:
    """Keep a valid token in the session cookie; the form again, 401, for any other."""
    token = (await _form(request, None)).get("token", [""])[0].strip()
    if not token or hub.tokens.verify(token) is None:
        return _login_page("That token is not valid (revoked, mistyped, or of another hub).", 401)
    done = RedirectResponse("/console/", 303)
    done.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/console",
                    secure=request.url.scheme == "https")
    return done


@router.post("/logout")
async def logout(request: Request, who: Session) -> Response:
    await _form(request, who[1])
    done = RedirectResponse("/console/login", 303)
    done.delete_cookie(COOKIE, path="/console", httponly=True, samesite="strict")
    return done


@router.get("/static/console.css")
def stylesheet() -> Response:
    css = resources.files(__package__).joinpath("static", "console.css").read_bytes()
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


# -- search and the message page ---------------------------------------------------------------

def _summary_rows(hub: Hub, who: Principal, flt: MessageFilter, states: set[str] | None = None) -> list[list[str]]:
    """A row per message found in the caller's scope, with its deliveries (those in ``states``)."""
    rows = []
    with hub.store() as store:
        for m in _scoped_find(store, hub, who, flt):
            view = message_view(store, hub.engine, hub.routes, m, visible(who, m, store.deliveries(m.id)) or [])
            shown = [d for d in view["deliveries"] if states is None or d["state"] in states]
            rows.append([_link(m.id), h(view["received_at"]), h(m.sender), h(m.kind), h(m.business_key),
                         _state(m.status.value),
                         "<br>".join(f"{_receiver(d['receiver_name'], d['receiver'])}: {_state(d['state'])}"
                                     + (f' <span class="reason">{h(d["reason"])}</span>' if d["reason"] else "")
                                     for d in shown)
                         or "".join(f'<span class="reason">{h(p["code"])} {h(p["message"])}</span> '
                                    for p in view["errors"])])
    return rows


HEADS = ("Hub id", "Received", "Sender", "Kind", "Business key", "Status", "Deliveries")


@router.get("/")
def search(hub: HubDep, who: Session, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    """A hub id opens its message; anything else is looked up as a business key (AWB, bill, LRN...)."""
    q = q.strip()
    form = (f'<form method="get" action="/console/"><input name="q" value="{h(q)}" size="40" autofocus '
            'placeholder="AWB, bill, LRN, order number or hub id"> <button>Search</button></form>')
    if not q:
        return page("Search", form, who)
    with hub.store() as store:
        m = store.message(q)
        if m is not None and visible(who[0], m, store.deliveries(m.id)) is not None:
            return RedirectResponse(f"/console/messages/{quote(m.id, safe='')}", 303)
    rows = _summary_rows(hub, who[0], MessageFilter(business_key=q, limit=50))
    return page("Search", form + f"<h2>Messages for {h(q)}</h2>" + table(HEADS, rows, "No message found."), who)


def _payload(text: bytes, mask: Any) -> str:
    shown = text[:SHOWN_BYTES].decode("utf-8", "replace")
    more = f'<p class="note">(first {SHOWN_BYTES} of {len(text)} bytes)</p>' if len(text) > SHOWN_BYTES else ""
    return f"<pre>{h(mask(shown) if mask else UNREADABLE)}</pre>{more}"


def _payloads(hub: Hub, who: Principal, message_id: str, deliveries: list[dict[str, Any]]) -> str:
    """The sender's bytes (to the sender and an admin) and each visible delivery's rendering, masked."""
    out = []
    with hub.store() as store:
        m = store.message(message_id)
        if m is None or m.purged_at is not None:
            return '<p class="note">The payloads were purged.</p>'
        mask = redactor(hub.engine(), store, m)
        if who.admin or m.sender == who.party:
            out.append(f"<h3>As received from {h(m.sender)}</h3>" + _payload(raw_of(store, m.id), mask))
        for d in deliveries:
            try:
                rendered = store.payload(d["id"])
            except KeyError:
                continue
            out.append(f"<h3>As rendered for {_receiver(d['receiver_name'], d['receiver'])} ({h(d['format'])})</h3>"
                       + _payload(rendered, mask))
    return "".join(out)


def _replay_form(csrf: str, ids: list[str], receivers: list[str]) -> str:
    modes = "".join(f'<option value="{h(m.value)}">{h(m.value)}</option>' for m in replaying.Mode)
    to = "".join(f'<option value="{h(r)}">{h(r)}</option>' for r in receivers)
    return (f'<form method="post" action="/console/replay">{_hidden(csrf=csrf, ids=" ".join(ids))}'
            f'<label>Mode <select name="mode">{modes}</select></label> <label>Resend only to '
            f'<select name="to"><option value="">every receiver</option>{to}</select></label> '
            "<button>Preview replay</button></form>")


def _detail(detail: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in detail.items() if v not in (None, []))


@router.get("/messages/{message_id}")
def message(hub: HubDep, who: Session, message_id: str) -> Response:
    """The message, its deliveries and the agencies' answers, its timeline and payloads."""
    with hub.store() as store:
        m = store.message(message_id)
        if m is None:
            raise HTTPException(404, "unknown id")
        shown = visible(who[0], m, store.deliveries(m.id))
        if shown is None:
            raise HTTPException(403, NOT_YOURS)
        view = message_view(store, hub.engine, hub.routes, m, shown)
    facts = "".join(f"<dt>{h(k)}</dt><dd>{h(view[k])}</dd>" for k in (
        "sender", "sender_message_id", "received_at", "status", "kind", "business_key", "function", "format",
        "size", "duplicate_of", "purged_at"))
    errors = table(("Code", "Path", "Message"), ([h(p["code"]), h(p["path"]), h(p["message"])]
                                                 for p in view["errors"]), "") if view["errors"] else ""
    deliveries = table(("Receiver", "State", "Agency status", "Reference", "Reason", "Deadline", "Updated"), (
        [_receiver(d["receiver_name"], d["receiver"]), _state(d["state"]), h(d["agency_status"]),
         h(d["agency_reference"]), f'<span class="reason">{h(d["reason"])}</span>', h(d["deadline_at"]),
         h(d["updated_at"])] for d in view["deliveries"]), "No delivery.")
    timeline = table(("At", "Event", "State", "Receiver", "By", "Detail"), (
        [h(e["at"]), h(e["type"]), h(e["state"]), _receiver(e["receiver_name"], e["receiver"]), h(e["source"]),
         h(_detail(e["detail"]))] for e in view["timeline"]))
    replay = ("<h2>Replay</h2>" + _replay_form(who[1], [m.id], [d["receiver"] for d in view["deliveries"]])
              if who[0].admin else "")
    body = (f"<dl>{facts}</dl>{errors}<h2>Deliveries</h2>{deliveries}<h2>Timeline</h2>{timeline}{replay}"
            f"<h2>Payloads</h2><p class=\"note\">Personal fields are masked.</p>"
            + _payloads(hub, who[0], m.id, view["deliveries"]))
    return page(f"Message {m.id}", body, who)


# -- lists -------------------------------------------------------------------------------------

def _orphans(hub: Hub, who: Principal) -> str:
    with hub.store() as store:
        if who.admin:
            found = store.receipts(outcome=UNMATCHED, limit=200)
        elif who.party in hub.routes.receivers:
            found = store.receipts(outcome=UNMATCHED, receiver=who.party, limit=200)
        else:
            found = []
    return table(("Received", "From", "Format", "Keys", "Outcome", "Agency status", "Codes"), (
        [h(r["received_at"].isoformat() if isinstance(r["received_at"], datetime) else r["received_at"]),
         h(r["receiver"]), h(r["format"]), h(r["keys"]), h(r["outcome"]), h(r["agency_status"]),
         h(" ".join(str(e.get("code")) for e in r.get("errors") or []))] for r in found))


def _dead_letters(hub: Hub, who: tuple[Principal, str]) -> str:
    try:
        listed = admin.dead_letters(hub, who[0], 200)["items"]
    except (ConnectionError, OSError) as exc:
        return f'<p class="error">The broker cannot be reached: {h(exc)}</p>'
    rows = ([h(e["dead_at"]), h(e["sender"]), h(e["lane"]), h(e["attempts"]), h(e["reason"]), h(e["size"])]
            for e in listed)
    form = (f'<form method="post" action="/console/dead-letters/replay">{_hidden(csrf=who[1])}'
            f'<input type="hidden" name="limit" value="{len(listed)}"><button>Preview replay of all</button></form>'
            if listed else "")
    return table(("Dead at", "Sender", "Lane", "Attempts", "Reason", "Bytes"), rows) + form


@router.get("/lists/{which}")
def listing(hub: HubDep, who: Session, which: str) -> Response:
    """Rejected (by the hub or an agency), overdue, orphaned receipts, dead letters (admin)."""
    if which not in LISTS:
        raise HTTPException(404, "no such list")
    if which == "rejected":
        body = ("<h2>Rejected by an agency</h2>" + table(HEADS, _summary_rows(
                    hub, who[0], MessageFilter(delivery_state=DeliveryState.REJECTED, limit=100),
                    {DeliveryState.REJECTED.value}))
                + "<h2>Rejected by the hub</h2>" + table(HEADS, _summary_rows(
                    hub, who[0], MessageFilter(status=MessageStatus.REJECTED, limit=100), set())))
    elif which == "overdue":
        body = table(HEADS, _summary_rows(hub, who[0], MessageFilter(delivery_state=DeliveryState.OVERDUE, limit=100),
                                          {DeliveryState.OVERDUE.value}))
    elif which == "orphaned":
        body = _orphans(hub, who[0])
    elif not who[0].admin:
        raise HTTPException(403, "this needs an admin token")
    else:
        body = _dead_letters(hub, who)
    return page(LISTS[which], body, who)


# -- replays (admin) ---------------------------------------------------------------------------

def _admin_only(who: tuple[Principal, str]) -> Principal:
    if not who[0].admin:
        raise HTTPException(403, "this needs an admin token")
    return who[0]


@router.post("/replay")
async def replay(request: Request, hub: HubDep, who: Session) -> Response:
    """A dry run (recorded as a preview) with a form to confirm it; confirmed, the replay itself."""
    caller = _admin_only(who)
    fields = await _form(request, who[1])
    ids = fields.get("ids", [""])[0].split()
    mode, to = fields.get("mode", ["pipeline"])[0], fields.get("to", [""])[0] or None
    confirm = fields.get("confirm", [""])[0] == "yes"
    try:
        asked = admin.ReplayRequest(ids=ids, mode=replaying.Mode(mode), to=to, confirm=confirm)
    except ValueError as exc:
        raise HTTPException(422, f"not a replay: {exc}") from exc
    done = admin.replay(hub, caller, asked)
    steps = table(("Step",), ([h(s)] for s in done["steps"]), "No step: nothing would be published.")
    skipped = table(("Skipped",), ([h(s)] for s in done["skipped"]), "") if done["skipped"] else ""
    links = " ".join(_link(i) for i in ids)
    if confirm:
        return page("Replay done", f"<p>{h(done['replayed'])} published for {links}.</p>{steps}{skipped}", who)
    again = _hidden(csrf=who[1], ids=" ".join(ids), mode=mode, to=to or "", confirm="yes")
    button = (f'<form method="post" action="/console/replay">{again}<button>Confirm replay</button></form>'
              if done["steps"] else "")
    return page("Replay preview", f"<p>A dry run ({h(mode)}) for {links}: nothing was published yet.</p>"
                                  f"{steps}{skipped}{button}", who)


@router.post("/dead-letters/replay")
async def replay_dead_letters(request: Request, hub: HubDep, who: Session) -> Response:
    """How many dead letters would go back to their lanes, with a form to confirm; or move them."""
    caller = _admin_only(who)
    fields = await _form(request, who[1])
    confirm, limit = fields.get("confirm", [""])[0] == "yes", fields.get("limit", ["100"])[0]
    try:
        asked = admin.DeadLetterReplay(limit=int(limit), confirm=confirm)
    except ValueError as exc:
        raise HTTPException(422, f"not a dead-letter replay: {exc}") from exc
    done = admin.replay_dead_letters(hub, caller, asked)
    if confirm:
        return page("Dead letters replayed", f"<p>{h(done['count'])} moved back to their lanes.</p>", who)
    again = _hidden(csrf=who[1], limit=str(asked.limit), confirm="yes")
    return page("Dead-letter replay preview",
                f"<p>{h(done['count'])} dead letters would go back to their lanes, attempts from zero.</p>"
                f'<form method="post" action="/console/dead-letters/replay">{again}<button>Confirm</button></form>',
                who)


# -- the agencies' dashboard -------------------------------------------------------------------

def bars(title: str, days: list[date], values: list[float | None], unit: str) -> str:
    """A bar chart of one value per day as inline SVG: no script, no library; a day without a value
    has no bar (not a zero one), a zero a hairline."""
    slot, height, pad = 32, 140, 22
    width = max(260, slot * len(days) + 40)
    known = [v for v in values if v is not None]
    top = max(known, default=0.0) or 1.0
    peak = f" (max {_num(max(known))} {unit})" if known else " (no answer in this period)"
    parts = [f'<svg class="chart" role="img" aria-label="{h(title)}" width="{width}" height="{height + 2 * pad}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{h(title)}</title>'
             f'<text x="4" y="13">{h(title + peak)}</text>']
    every = -(-len(days) // 8)
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        x = 24 + slot * i
        if value is not None:
            tall = max(1.0, height * value / top)
            parts.append(f'<rect x="{x}" y="{pad + height - tall:.1f}" width="{slot - 8}" height="{tall:.1f}" '
                         f'fill="#457b9d"><title>{h(day.isoformat())}: {h(_num(value))} {h(unit)}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x - 2}" y="{height + 2 * pad - 5}">{h(day.strftime("%m-%d"))}</text>')
    return "".join(parts) + "</svg>"


def _num(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}"


def _scope(hub: Hub, who: Principal) -> figures.Scope:
    if who.admin:
        return figures.Scope()
    if who.party in hub.routes.receivers:
        return figures.Scope(receiver=who.party)
    return figures.Scope(sender=who.party)


@router.get("/dashboard")
def dashboard(hub: HubDep, who: Session, until: date | None = None,
              days: Annotated[int, Query(ge=1, le=92)] = 14) -> Response:
    """Per receiver and per day (UTC) of the ``days`` to ``until``: the median receipt latency and
    the rejection rate of the answered deliveries, and the period's totals."""
    last = until or datetime.now(UTC).date()
    span = [last - timedelta(days=n) for n in range(days - 1, -1, -1)]
    per_day: dict[str, dict[date, dict[str, Any]]] = {}
    with hub.store() as store:
        scope = _scope(hub, who[0])
        for day in span:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            for receiver, entry in figures.service_report(store, start, start + timedelta(days=1), scope).items():
                per_day.setdefault(receiver, {})[day] = entry
        start = datetime(span[0].year, span[0].month, span[0].day, tzinfo=UTC)
        totals = figures.service_report(store, start, start + timedelta(days=days), scope)
    form = (f'<form method="get" action="/console/dashboard"><label>Until <input type="date" name="until" '
            f'value="{h(last.isoformat())}"></label> <label>Days <input type="number" name="days" min="1" max="92" '
            f'value="{days}"></label> <button>Show</button></form>')
    sections = []
    for receiver, entry in totals.items():
        found = hub.routes.receivers.get(receiver)
        daily = per_day.get(receiver, {})
        latency = [daily[d]["latency"]["median_s"] if d in daily else None for d in span]
        rejected = [(daily[d]["rejection_rate"] * 100 if daily[d]["rejection_rate"] is not None else None)
                    if d in daily else None for d in span]
        sections.append(
            f"<h2>{_receiver(found.name if found else None, receiver)}</h2>"
            f"<p>{h(entry['deliveries'])} deliveries, {h(entry['accepted'])} accepted, {h(entry['rejected'])} "
            f"rejected, {h(entry['late'])} late; median latency {h(entry['latency']['median_s'])} s, "
            f"p95 {h(entry['latency']['p95_s'])} s.</p><div class=\"charts\">"
            + bars(f"Median receipt latency of {receiver}", span, latency, "s")
            + bars(f"Rejection rate of {receiver}", span, rejected, "%") + "</div>")
    body = form + ("".join(sections) or '<p class="note">No delivery in this period.</p>')
    return page("Agency service", body, who)
