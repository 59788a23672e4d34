"""Admin commands over the store and the broker: messages, replay, dead letters, stats."""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, Protocol, TypedDict, TypeVar

import click

from ..composition import build_engine
from ..masking import FACT_STYLES, mask, redactor
from ..models.common import Kind
from ..settings import Settings
from ..store import open_store
from ..store.base import Delivery, DeliveryState, Event, MessageFilter, MessageStatus, Store
from ..transport.base import Envelope, Headers, Publication, Topology
from ..transport.rabbitmq import move, peek, publish_once
from ..worker import replay as replaying
from ..worker.serve import hub_user

_AGO = re.compile(r"^(\d+)([smhd])$")


def when(value: str | None) -> datetime | None:
    """ISO 8601, or a span back from now: 30m, 6h, 2d."""
    if value is None:
        return None
    if m := _AGO.match(value):
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(m.group(1))})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither ISO 8601 nor a span like 30m, 6h, 2d") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def operator() -> str:
    """Who runs an admin command, for the event log: HUB_OPERATOR when set (a shared account's
    person), else the OS user."""
    return os.environ.get("HUB_OPERATOR") or getpass.getuser()


class Progress(Protocol):
    def update(self, n_steps: int) -> None: ...


class _Silent:
    """A progress bar that draws nothing (stderr is a pipe or a test's captured output)."""

    def update(self, n_steps: int) -> None:
        pass


class _Counter:
    """For a command that cannot know its total beforehand: how many so far, redrawn in place."""

    def __init__(self, label: str) -> None:
        self.label, self.done = label, 0
        self.update(0)

    def update(self, n_steps: int) -> None:
        self.done += n_steps
        click.echo(f"\r{self.label}: {self.done}", nl=False, err=True)

    def finish(self) -> None:
        click.echo("", err=True)


@contextmanager
def progress(length: int | None, label: str) -> Iterator[Progress]:
    """A progress bar on stderr for a long command, only when stderr is a terminal: pipes, logs and
    tests' captured output never get its control characters. ``length`` None: a running count."""
    if not sys.stderr.isatty():
        yield _Silent()
        return
    if length is None:
        counter = _Counter(label)
        yield counter
        counter.finish()
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar


_Command = TypeVar("_Command", bound=Callable[..., Any])


def filters(f: _Command) -> _Command:
    """The message filters shared by `messages list` and `replay` (``make_filter`` reads them)."""
    for opt in reversed([
        click.option("--status", type=click.Choice([s.value for s in MessageStatus]), help="Message status."),
        click.option("--state", type=click.Choice([s.value for s in DeliveryState]), help="A delivery state."),
        click.option("--sender"), click.option("--receiver"),
        click.option("--kind", type=click.Choice([k.value for k in Kind])),
        click.option("--key", "business_key", help="Business key: AWB, flight/date, LRN ..."),
        click.option("--since", help="ISO 8601 or a span: 30m, 6h, 2d."), click.option("--until"),
        click.option("--limit", type=int, default=100, show_default=True)]):
        f = opt(f)
    return f


def make_filter(status: str | None, state: str | None, sender: str | None, receiver: str | None, kind: str | None,
                business_key: str | None, since: str | None, until: str | None, limit: int) -> MessageFilter:
    return MessageFilter(status=MessageStatus(status) if status else None, sender=sender, receiver=receiver,
                         kind=kind, business_key=business_key, since=when(since), until=when(until),
                         delivery_state=DeliveryState(state) if state else None, limit=limit)


class _Row(TypedDict):
    """One message as `hub messages list` shows it (and --json writes it)."""

    id: str
    received_at: str
    sender: str
    kind: str | None
    business_key: str | None
    status: str
    deliveries: dict[str, str]
    errors: list[str]


@click.group()
def messages() -> None:
    """Find messages and follow their deliveries."""


@messages.command("list")
@filters
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_messages(settings: Settings, /, as_json: bool, **kw: Any) -> None:
    """List messages, newest first.

    \b
    Examples:
      hub messages list --status REJECTED --since 6h
      hub messages list --receiver CUSTOMS-CN --state OVERDUE --json
    """
    store = open_store(settings.store_url)
    store.migrate()
    rows: list[_Row] = []
    for m in store.find(make_filter(**kw)):
        states = {d.receiver: d.state.value for d in store.deliveries(m.id)}
        rows.append({"id": m.id, "received_at": m.received_at.isoformat(timespec="seconds"), "sender": m.sender,
                     "kind": m.kind, "business_key": m.business_key, "status": m.status.value, "deliveries": states,
                     "errors": [e["code"] for e in m.errors]})
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'ID':<30} {'RECEIVED':<25} {'SENDER':<20} {'KIND':<11} {'KEY':<20} {'STATUS':<9} DELIVERIES")
    for r in rows:
        detail = ", ".join(f"{k}:{v}" for k, v in r["deliveries"].items()) or ",".join(r["errors"])
        click.echo(f"{r['id']:<30} {r['received_at']:<25} {r['sender']:<20} {r['kind'] or '-':<11} "
                   f"{(r['business_key'] or '-')[:20]:<20} {r['status']:<9} {detail}")


def _fact(name: str, value: Any, reveal: bool) -> str:
    if value is None:
        return "-"
    return str(value) if reveal or name not in FACT_STYLES else mask(str(value), FACT_STYLES[name])


def _reasons(store: Store, deliveries: list[Delivery], events: list[Event]) -> dict[int, list[str]]:
    """The agency's own reason texts (its receipt's errors: code and text) per delivery, from the
    receipts that answered it (the ``receipt.correlated`` events name them)."""
    answered: dict[int, set[int]] = {}
    for ev in events:
        if ev.type == "receipt.correlated" and ev.delivery_id is not None and "receipt_id" in ev.detail:
            answered.setdefault(ev.delivery_id, set()).add(int(ev.detail["receipt_id"]))
    out: dict[int, list[str]] = {}
    for d in deliveries:
        if d.id not in answered:
            continue
        # a receipt comes after its delivery; a day's margin for clocks of several nodes (and a receipt's
        # time of reception given by its channel), the rest of that agency's receipts never read
        rows = store.receipts(outcome="correlated", receiver=d.receiver, since=d.created_at - timedelta(days=1),
                              limit=1000)
        for row in sorted((r for r in rows if r["id"] in answered[d.id]), key=lambda r: r["received_at"]):
            out.setdefault(d.id, []).extend(
                f"{e.get('code')}: {e.get('message')}" if e.get("message") else str(e.get("code"))
                for e in row["errors"])
    return out


def _unknown(message_id: str) -> NoReturn:
    click.echo(f"hub: unknown id {message_id} (no message stored under it) [NOT_FOUND]", err=True)
    sys.exit(1)


@messages.command("show")
@click.argument("message_id")
@click.option("--payload", "with_payload", is_flag=True, help="Also print the message as the sender sent it.")
@click.option("--reveal", is_flag=True, help="Show personal fields unmasked (recorded as an event naming who "
              "asked: HUB_OPERATOR, else the OS user).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the message, its deliveries (with the "
              "agency's reasons), facts and timeline.")
@click.pass_obj
def show(settings: Settings, message_id: str, with_payload: bool, reveal: bool, as_json: bool) -> None:
    """One message: its deliveries per receiver (with the agency's status, reference and reason text),
    what it duplicates, the facts its checks compare and the event timeline (naming each receiver).

    Personal fields (passengers' names, birth dates and document numbers; buyers' names, identity
    and phone numbers) are masked, in the facts, problems and payload alike, unless --reveal.

    \b
    Examples:
      hub messages show HUB-0123ABCD...
      hub messages show HUB-0123ABCD... --payload --reveal
      hub messages show HUB-0123ABCD... --json
    """
    store = open_store(settings.store_url)
    store.migrate()
    m = store.message(message_id)
    if m is None:
        _unknown(message_id)
    if reveal:
        store.add_event(m.id, None, "message.revealed", f"admin:{operator()}", detail={"payload": with_payload})
    redact = (lambda text: text) if reveal else redactor(build_engine(settings), store, m)
    shown = redact or (lambda text: "(masked: its document cannot be read to find its personal fields; "
                                    "--reveal shows it)")
    deliveries, events = store.deliveries(m.id), store.events(m.id)
    receiver_of = {d.id: d.receiver for d in deliveries}
    reasons = {k: [shown(r) for r in v] for k, v in _reasons(store, deliveries, events).items()}
    facts = store.facts_of(m.id)
    raw = store.raw(m.id) if with_payload and m.purged_at is None else b""
    if as_json:
        view: dict[str, Any] = {
            "id": m.id, "status": m.status.value, "kind": m.kind, "business_key": m.business_key,
            "sender": m.sender, "sender_message_id": m.sender_message_id, "format": m.format, "size": m.size,
            "sha256": m.sha256, "received_at": m.received_at.isoformat(), "duplicate_of": m.duplicate_of,
            "purged_at": m.purged_at.isoformat() if m.purged_at else None,
            "errors": [{"code": e["code"], "path": e.get("path"), "message": shown(str(e["message"]))}
                       for e in m.errors],
            "deliveries": [{"id": d.id, "receiver": d.receiver, "format": d.format, "route": d.route,
                            "state": d.state.value, "agency_status": d.agency_status,
                            "agency_reference": d.agency_reference, "reasons": reasons.get(d.id, []),
                            "deadline_at": d.deadline_at.isoformat() if d.deadline_at else None}
                           for d in deliveries],
            "facts": [{"kind": kind, "key": key, "values": {k: _fact(k, v, reveal) for k, v in values.items()}}
                      for kind, key, values in facts],
            "timeline": [{"at": ev.at.isoformat(), "type": ev.type, "state": ev.state, "source": ev.source,
                          "delivery_id": ev.delivery_id, "receiver": receiver_of.get(ev.delivery_id or -1),
                          "vouched_by": ev.detail.get("vouched_by")} for ev in events],
            "masked": not reveal}
        if with_payload:
            view["payload"] = shown(raw.decode("utf-8", "replace")) if raw else None
        click.echo(json.dumps(view, indent=2, ensure_ascii=False))
        return
    click.echo(f"{m.id}  {m.status.value}  {m.kind or '-'} {m.business_key or '-'}  from {m.sender or '?'}"
               f"  ({m.format or 'unknown format'}, {m.size} bytes, sha256 {m.sha256[:16]})")
    if m.duplicate_of:
        click.echo(f"  a duplicate of {m.duplicate_of} (`hub messages show {m.duplicate_of}`)")
    if m.purged_at:
        click.echo(f"  payloads and personal fields purged at {m.purged_at.isoformat(timespec='seconds')}")
    for e in m.errors:
        click.echo(f"  error {e['code']}: {e.get('path') or '/'}: {shown(str(e['message']))}")
    click.echo("deliveries:")
    for d in deliveries:
        deadline = d.deadline_at.isoformat(timespec='seconds') if d.deadline_at else '-'
        click.echo(f"  {d.receiver:<18} {d.format:<18} {d.state.value:<13} {d.agency_status or '':<12} "
                   f"{d.agency_reference or '':<20} deadline {deadline}")
        for reason in reasons.get(d.id, []):
            click.echo(f"    reason: {reason}")
    if facts:
        click.echo("facts:")
    for kind, key, values in facts:
        listed = ", ".join(f"{k}={_fact(k, v, reveal)}" for k, v in values.items())
        click.echo(f"  {kind} {key}: {listed}")
    click.echo("timeline:")
    for ev in events:
        who = f" {receiver_of.get(ev.delivery_id, '?')} (delivery {ev.delivery_id})" if ev.delivery_id else ""
        vouched = f"  vouched by {ev.detail['vouched_by']} (hub send --as)" if ev.detail.get("vouched_by") else ""
        click.echo(f"  {ev.at.isoformat(timespec='milliseconds')}  {ev.type:<20} {ev.state or '':<13} {ev.source}{who}"
                   + vouched)
    if with_payload:
        click.echo("payload:" if raw else "payload: (purged)")
        if raw:
            click.echo(shown(raw.decode("utf-8", "replace")))
    if not reveal:
        click.echo("(personal fields masked; --reveal shows them, recorded as an event naming who asked)", err=True)


@click.command()
@click.argument("ids", nargs=-1)
@filters
@click.option("--mode", type=click.Choice(["pipeline", "resend"]), default="pipeline", show_default=True,
              help="pipeline: run the stored raw message through the hub again (after a routes or schema fix); "
                   "resend: publish the stored rendered payload again.")
@click.option("--to", "only_receiver", help="resend: only to this receiver.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@click.option("--rate", type=float, help="At most this many messages per second.")
@click.pass_obj
def replay(settings: Settings, /, ids: tuple[str, ...], mode: str, only_receiver: str | None, dry_run: bool,
           rate: float | None, **kw: Any) -> None:
    """Replay messages by id or by filter; every replay is an event naming who asked.

    \b
    Examples:
      hub replay --status REJECTED --since 2h --dry-run
      hub replay HUB-0123ABCD... --mode resend --to CUSTOMS-CN
      hub replay --status FAILED --rate 50
    """
    store, topo, who = open_store(settings.store_url), Topology(settings.topology_prefix), f"admin:{operator()}"
    store.migrate()
    if ids:
        found = {i: store.message(i) for i in ids}
        for missing in (i for i, m in found.items() if m is None):
            click.echo(f"hub: unknown id {missing} (no message stored under it) [NOT_FOUND]", err=True)
        chosen = [m for m in found.values() if m]
    else:
        chosen = store.find(make_filter(**kw))
    how = replaying.Mode(mode)
    planned = replaying.plan(store, topo, build_engine(settings).registry, chosen, how, who, only_receiver)
    if how is replaying.Mode.RESEND and kw.get("state"):
        # --state chose the messages with a delivery in that state; only those deliveries go again
        wanted = {d.id for m in chosen for d in store.deliveries(m.id) if d.state.value == kw["state"]}
        planned.steps = [step for step in planned.steps if step.delivery_id in wanted]
    for why in planned.skipped:
        click.echo(why, err=True)
    if not planned.steps:
        click.echo("nothing to replay", err=True)
        sys.exit(1)
    for step in planned.steps:
        click.echo(("would " if dry_run else "") + step.says)
    if dry_run:
        return
    # A few seconds' worth at a time: a delivery is PENDING again only while its own part goes out
    # (a running `hub serve` republishes what stays PENDING for a minute, which would defeat --rate).
    with progress(len(planned.steps), "replaying") as bar:
        def publish(pubs: list[Publication]) -> None:
            publish_once(settings.amqp_url, pubs, name="hub-replay", user_id=hub_user(settings),
                         per_second=rate, progress=bar.update)
        done = replaying.Replay(store, who, how).run(planned.steps, publish,
                                                     part_size=max(1, int(rate * 5)) if rate else 500)
    click.echo(f"replayed {done} message(s)", err=True)


@click.group("dead-letters")
def dead_letters() -> None:
    """Messages that outlasted the retries."""


_WHAT = {"in": "message", "acks": "receipt"}
"""What a dead letter is, by the lane it failed on (``x-hub-lane``)."""


@dead_letters.command("list")
@click.option("--limit", type=int, default=100, show_default=True)
@click.pass_obj
def dead_list(settings: Settings, limit: int) -> None:
    """Show dead letters: what each is (a sender's message or an agency's receipt), who sent it,
    attempts and reason (they stay in the queue).

    \b
    Example:
      hub dead-letters list --limit 20
    """
    got = peek(settings.amqp_url, Topology(settings.topology_prefix).dead, limit)
    for envelope in got:
        h, body = envelope.headers, envelope.body
        click.echo(f"{h.get(Headers.DEAD_AT, '-'):<33} {_WHAT.get(h.get(Headers.LANE, 'in'), '?'):<8} "
                   f"{h.get(Headers.SENDER, '?'):<20} "
                   f"attempts {h.get(Headers.ATTEMPTS, '?')}  {len(body)} bytes  {h.get(Headers.REASON, '')}")
    click.echo(f"{len(got)} dead letter(s)", err=True)


@dead_letters.command("replay")
@click.option("--limit", type=int, default=1000, show_default=True)
@click.option("--dry-run", is_flag=True)
@click.pass_obj
def dead_replay(settings: Settings, limit: int, dry_run: bool) -> None:
    """Send dead letters through the hub again (attempts start from zero): a message to the routers,
    a receipt to the receipt worker.

    \b
    Example:
      hub dead-letters replay --dry-run
    """
    topo, user, who = Topology(settings.topology_prefix), hub_user(settings), f"admin:{getpass.getuser()}"

    def again(envelope: Envelope) -> Publication | None:
        bar.update(1)
        sender, lane = envelope.headers.get(Headers.SENDER, ""), envelope.headers.get(Headers.LANE, "in")
        click.echo(("would replay " if dry_run else "replaying ") + f"a {_WHAT.get(lane, lane)} from {sender} "
                   f"({len(envelope.body)} bytes)")
        if dry_run:
            return None
        return Publication(exchange=topo.lanes.get(lane, topo.inbound), routing_key="", body=envelope.body,
                           message_id=envelope.message_id or "", content_type=envelope.content_type or "",
                           headers={Headers.SENDER: sender, Headers.REPLAY: who})

    with progress(limit, f"dead letters (at most {limit})") as bar:
        move(settings.amqp_url, topo.dead, limit, again, user_id=user)


@click.command()
@click.option("--since", help="ISO 8601 or a span: 30m, 6h, 2d.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stats(settings: Settings, since: str | None, as_json: bool) -> None:
    """Volumes by kind and receiver, receipt latency per receiver (median, p95), overdue counts and
    LATE: deliveries answered after their deadline (no longer OVERDUE once the receipt came).

    \b
    Example:
      hub stats --since 24h
    """
    store = open_store(settings.store_url)
    store.migrate()
    figures = store.stats(when(since))
    if as_json:
        click.echo(json.dumps(figures, indent=2, default=str))
        return
    click.echo("messages by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(figures["by_kind"].items())))
    click.echo(f"{'RECEIVER':<20} {'DELIVERIES':>10} {'MEDIAN s':>9} {'P95 s':>8} {'OVERDUE':>8} {'LATE':>5}  "
               "STATES")
    for receiver, row in sorted(figures["by_receiver"].items()):
        lat = figures["latency"].get(receiver, {})
        states = ", ".join(f"{k} {n}" for k, n in sorted(row["states"].items()))
        med, p95 = lat.get("median_s"), lat.get("p95_s")
        click.echo(f"{receiver:<20} {row['deliveries']:>10} {'-' if med is None else f'{med:.2f}':>9} "
                   f"{'-' if p95 is None else f'{p95:.2f}':>8} {figures['overdue'].get(receiver, 0):>8} "
                   f"{figures['answered_late'].get(receiver, 0):>5}  {states}")
    receipts = figures.get("receipts", {})
    if receipts:
        click.echo("receipts: " + ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in receipts.items())
                   + "  (`hub receipts list --orphaned` lists those that matched no delivery)")
