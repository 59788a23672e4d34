"""Soak: valid and hostile traffic through `hub serve` on a private broker, with a store lock and a
broker restart in the middle; did every valid message reach every receiver exactly once?

    python bench/soak.py [--valid 10000] [--hostile 10000] [--seed 1] [--rate R] [--answer-share 0.25]
                         [--no-broker-restart] [--no-store-lock] [--keep]

What it does, in order:
  1. builds the traffic (seeded): N valid messages with distinct business keys, from examples/ (Cargo-XML
     waybills mostly, Cargo-IMP, CUSCAR, PAXLST, WCO / GACC / EDIFACT declarations, CEB order, payment and
     logistics bill), each checked offline (engine.read + Router.plan on two variants of every template:
     what routes.yaml sends it to is the expected set of deliveries); and N hostile ones, in categories:
     seeded byte mutations of every example, EDIFACT with a byte that is not UTF-8, deeply nested JSON,
     NUL in canonical JSON and in Cargo-IMP text, a 5,000-digit integer and 1E+99999999 in canonical
     JSON, messages over HUB_MAX_MESSAGE_BYTES (1 MB here, 2 MB sent), senders not allowed the kind
     (and one routes.yaml does not know);
  2. starts a private RabbitMQ node (tests/integration/private_broker.py: the shared broker on 5672 is
     never touched), a temp store, `hub topology declare` and `hub serve --workers 2` (the `hub` beside
     this Python) with a unique prefix, retries of 0.5/2/5 s, a 2 s sweep, JSON logs at INFO;
  3. hands the traffic in, valid and hostile interleaved, at --rate messages/s, as the configured senders
     (the broker's hub user, guest, vouching with x-hub-sender, as `hub send --as` does); a sender process
     that republishes whatever was not confirmed when the broker went away;
  4. plays the agencies in another process: consumes every receiver feed (manual acks), counts the
     copies of every hub message id, answers a share of the deliveries (of the receivers routes.yaml
     gives receipt formats: not the archive) with the receipts the demo
     agencies send (hub/demo.py: MT9999, DecImportResponse + DEC_RESULT, DxpRep + CEB, CUSRES, WCO RES,
     JSON) and some unreadable ones (random bytes), published with confirms on the receipts exchange;
     drains the senders' status feeds;
  5. meanwhile holds an exclusive write lock on the SQLite store for 14 s (at about 20% of the sending)
     and restarts the private broker once (rabbitmqctl stop_app + start_app, at about 65%);
  6. waits for the hub to settle (queues empty, every expected delivery seen and every receipt stored,
     or nothing moving and nothing PENDING, or --settle-timeout), SIGTERMs `hub serve`, and prints per
     receiver: expected deliveries, delivered exactly once, more than once, lost, unexpected; receipts
     sent / applied / orphaned / lost; the hostile messages' outcomes; worker restarts; RSS of every hub
     process at start and end; the store's size and messages by status; and a last line "lost: N".

A bench, not a test: the exit code is 0 whatever it finds; the verdict is printed.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import logging
import multiprocessing
import os
import queue
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pika

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "examples"
ROUTES = ROOT / "routes.yaml"
HUB = str(Path(sys.executable).with_name("hub"))
CTX = multiprocessing.get_context("fork")
MAX_MESSAGE_BYTES = 1_000_000          # the hub's limit in the soak; oversize messages are 2 MB
RETRY_DELAYS_MS = [500, 2000, 5000]
LOCK_SECONDS = 14.0


# traffic -------------------------------------------------------------------------------------------

def check_digit_awb(prefix: str, serial: int) -> str:
    """An AWB whose eighth digit is the first seven mod 7."""
    return f"{prefix}-{serial:07d}{serial % 7}"


@dataclass(frozen=True)
class Template:
    """A valid example and how to give it a fresh business key: ``token`` (every occurrence) is
    replaced by ``key(n)``."""

    name: str
    path: str
    sender: str
    token: str
    key: object           # n -> str
    weight: float


TEMPLATES = [
    Template("xfwb", "cargo_xml/xfwb-pek-fra.xml", "AIRLINE-CA", "999-12345675",
             lambda n: check_digit_awb("999", 2_000_000 + n), 40),
    Template("xfwb-food", "cargo_xml/xfwb-food-fra-pek.xml", "AIRLINE-CA", "999-44556676",
             lambda n: check_digit_awb("999", 3_000_000 + n), 15),
    Template("fwb-typeb", "cargo_imp/fwb-ca-pek-fra-typeb.txt", "AIRLINE-CA", "999-87654324",
             lambda n: check_digit_awb("999", 4_000_000 + n), 8),
    Template("fwb-cx", "cargo_imp/fwb-cx-hkg-fra.txt", "AIRLINE-MU", "160-24680132",
             lambda n: check_digit_awb("160", 2_000_000 + n), 5),
    Template("fsu", "cargo_imp/fsu-dep-999-87654346.txt", "AIRLINE-CA", "999-87654346",
             lambda n: check_digit_awb("999", 5_000_000 + n), 4),
    Template("cuscar", "edifact/cuscar-052e-uslax-cnsha.edi", "SHIPPING-COSCO", "TDT+20+052E+",
             lambda n: f"TDT+20+V{n:06d}+", 5),
    Template("paxlst", "edifact/paxlst-ca931-pek-fra.edi", "AIRLINE-CA", "TDT+20+CA931+",
             lambda n: f"TDT+20+CA{1000 + n % 9000}+", 5),
    Template("wco-dec", "wco/dec_import_cn_gb.xml", "FORWARDER-SINOTRANS", "LRN-2026-GB-00417",
             lambda n: f"LRN-2026-GB-V{n:06d}", 4),
    Template("gacc-dec", "gacc/dec-import-air.xml", "FORWARDER-SINOTRANS", "202611270000000731",
             lambda n: f"2026112790{n:08d}", 4),
    Template("cusdec", "edifact/cusdec-import-2248-lrn000187.edi", "FORWARDER-SINOTRANS", "LRN-2026-SH-000187",
             lambda n: f"LRN-2026-SH-V{n:06d}", 3),
    Template("ceb311", "ceb/ceb311-order.xml", "EC-PLATFORM", "YPH20261127000042",
             lambda n: f"YPH2026112{n:08d}", 3),
    Template("ceb411", "ceb/ceb411-payment.xml", "EC-PAYMENT", "HFT2026112710350000088",
             lambda n: f"HFT20261127{n:011d}", 2),
    Template("ceb511", "ceb/ceb511-logistics.xml", "EC-LOGISTICS", "YTGJ2026112700042",
             lambda n: f"YTGJ20261127{n:05d}", 2),
]


@dataclass
class Item:
    """One message to hand in."""

    sender: str
    smid: str                 # the sender's message id (AMQP message_id)
    body: bytes
    label: str                # template (valid) or category (hostile)
    valid: bool
    hub_id: str = ""
    expected: tuple[str, ...] = ()     # receivers a valid one must reach


@dataclass
class Traffic:
    items: list[Item]
    plans: dict[str, tuple[str, ...]] = field(default_factory=dict)     # template -> receivers
    dropped: dict[str, str] = field(default_factory=dict)               # template -> why not used


def variant(t: Template, n: int) -> bytes:
    raw = (EXAMPLES / t.path).read_bytes()
    return raw.replace(t.token.encode(), t.key(n).encode())


def check_templates(engine, router) -> tuple[list[Template], dict[str, tuple[str, ...]], dict[str, str]]:
    """Keep the templates whose variants read valid, route like each other, and differ in business key."""
    kept, plans, dropped = [], {}, {}
    for t in TEMPLATES:
        try:
            raw = (EXAMPLES / t.path).read_bytes()
            if t.token.encode() not in raw:
                raise ValueError(f"token {t.token!r} not in the file")
            docs = []
            for n in (0, 7):
                read = engine.read(variant(t, n))
                if read.problems:
                    raise ValueError("; ".join(f"{p.code}: {p.message}" for p in read.problems)[:200])
                docs.append(read.document)
            if docs[0].business_key == docs[1].business_key:
                raise ValueError(f"business key does not vary ({docs[0].business_key})")
            receivers = [tuple(sorted({p.receiver for p in router.plan(d, t.sender)})) for d in docs]
            if receivers[0] != receivers[1] or not receivers[0]:
                raise ValueError(f"variants route differently or nowhere: {receivers}")
            kept.append(t)
            plans[t.name] = receivers[0]
        except Exception as exc:   # noqa: BLE001 - a template the engine no longer takes is reported, not fatal
            dropped[t.name] = f"{type(exc).__name__}: {exc}"[:240]
    return kept, plans, dropped


def mutate(data: bytes, rng: random.Random) -> bytes:
    """A few random byte edits: flip, insert, delete, repeat a chunk, truncate."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not b:
            break
        op, i = rng.randrange(5), rng.randrange(len(b))
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            b.insert(i, rng.randrange(256))
        elif op == 2:
            del b[i]
        elif op == 3:
            j = min(len(b), i + rng.randint(1, 64))
            b[i:i] = b[i:j] * rng.randint(1, 20)
        else:
            del b[max(1, i):]
    return bytes(b)


def example_sender(path: Path) -> str:
    """A sender that may send what the example is (so a mutation is judged on its content)."""
    name, family = path.name, path.parent.name
    if family in ("wco", "gacc") or name.startswith(("cusdec", "iftmin", "xfzb")):
        return "FORWARDER-SINOTRANS"
    if name.startswith(("cuscar", "contrl", "aperak")):
        return "SHIPPING-COSCO"
    if family == "ceb":
        return {"ceb411": "EC-PAYMENT", "ceb511": "EC-LOGISTICS"}.get(name[:6], "EC-PLATFORM")
    return "AIRLINE-CA"


def canonical_waybill(engine, awb: str) -> str:
    """A valid XFWB as canonical JSON text, with its own AWB."""
    from hub.adapters import RenderContext
    doc = engine.read((EXAMPLES / "cargo_xml/xfwb-pek-fra.xml").read_bytes().replace(
        b"999-12345675", awb.encode())).document
    return engine.render(doc, "json", RenderContext(message_id=f"SOAK-{awb}")).data.decode()


def hostile(engine, count: int, rng: random.Random) -> list[tuple[str, str, bytes]]:
    """(category, sender, body) for ``count`` hostile messages."""
    examples = sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and p.suffix in (".xml", ".edi", ".txt"))
    serial = iter(range(6_000_000, 7_000_000))
    fresh = lambda: check_digit_awb("999", next(serial))      # noqa: E731 - keys no valid message uses
    xfwb = (EXAMPLES / "cargo_xml/xfwb-pek-fra.xml").read_bytes()
    cuscar = (EXAMPLES / "edifact/cuscar-052e-uslax-cnsha.edi").read_bytes()
    paxlst = (EXAMPLES / "edifact/paxlst-ca931-pek-fra.edi").read_bytes()
    fwb = (EXAMPLES / "cargo_imp/fwb-ca-pek-fra-typeb.txt").read_bytes()
    json_text = canonical_waybill(engine, "999-12345675")

    def as_json(awb: str) -> str:
        return json_text.replace("999-12345675", awb)

    def edifact_non_utf8():
        n = next(serial)
        base = rng.choice([cuscar.replace(b"TDT+20+052E+", f"TDT+20+H{n}+".encode()),
                           paxlst.replace(b"TDT+20+CA931+", f"TDT+20+MU{n % 9000 + 1000}+".encode())])
        sender = "SHIPPING-COSCO" if b"CUSCAR" in base else "AIRLINE-CA"
        bad = rng.choice([b"\xff", b"\xfe\xff", b"M\xfcller", b"\xc3\x28", b"\x80"])
        i = base.index(b"NAD+") + 4
        return sender, base[:i] + bad + base[i:]

    def deep_json():
        depth = rng.choices([300, 3_000, 30_000, 100_000], [4, 3, 2, 1])[0]
        opener, closer = rng.choice([(b'{"a":', b"}"), (b"[", b"]")])
        return "AIRLINE-CA", (b'{"schema":"eport-hub.canonical/1","document":' + opener * depth + b"1"
                              + closer * depth + b"}")

    def nul_json():
        text = as_json(fresh())
        if rng.random() < 0.5:
            return "AIRLINE-CA", text.replace("LAPTOPS", "LAP\\u0000TOPS").encode()
        return "AIRLINE-CA", text.replace("LAPTOPS", "LAP\x00TOPS").encode()

    def nul_cimp():
        n = next(serial)
        body = fwb.replace(b"999-87654324", check_digit_awb("999", n).encode())
        at = rng.choice([b"/FROZEN", b"SHP", b"FWB/16"])
        return "AIRLINE-CA", body.replace(at, at[:2] + b"\x00" + at[2:], 1)

    def bigint_json():
        digits = "9" + "".join(rng.choice("0123456789") for _ in range(4999))
        return "AIRLINE-CA", as_json(fresh()).replace('"pieces":42', f'"pieces":{digits}').encode()

    def huge_exponent_json():
        number = rng.choice(["1E+99999999", "-1e999999999", "1E-99999999", "9.9e+308"])
        text = as_json(fresh())
        if rng.random() < 0.5:
            return "AIRLINE-CA", text.replace('"pieces":42', f'"pieces":{number}').encode()
        return "AIRLINE-CA", text.replace('"value":"1250.5"', f'"value":{number}').encode()

    def oversize():
        body = xfwb.replace(b"999-12345675", fresh().encode())
        return "AIRLINE-CA", body + b"<!--" + b"x" * (2 * 1024 * 1024) + b"-->\n"

    def not_allowed():
        awb = fresh()
        return rng.choice([("EC-PAYMENT", xfwb.replace(b"999-12345675", awb.encode())),
                           ("SHIPPING-COSCO", xfwb.replace(b"999-12345675", awb.encode())),
                           ("AIRLINE-MU", (EXAMPLES / "wco/dec_import_cn_gb.xml").read_bytes().replace(
                               b"LRN-2026-GB-00417", f"LRN-2026-GB-H{awb[4:]}".encode())),
                           ("EC-LOGISTICS", (EXAMPLES / "ceb/ceb311-order.xml").read_bytes().replace(
                               b"YPH20261127000042", f"YPH2026H{awb[4:]}".encode())),
                           ("NOBODY-UNKNOWN", xfwb.replace(b"999-12345675", awb.encode()))])

    makers = {"edifact-non-utf8": (edifact_non_utf8, 0.08), "deep-json": (deep_json, 0.06),
              "nul-json": (nul_json, 0.08), "nul-cargo-imp": (nul_cimp, 0.08), "bigint-json": (bigint_json, 0.08),
              "huge-exponent-json": (huge_exponent_json, 0.08), "not-allowed": (not_allowed, 0.12)}
    out: list[tuple[str, str, bytes]] = []
    for _ in range(min(10, max(1, count // 100)) if count else 0):
        out.append(("oversize", *oversize()))
    for name, (make, share) in makers.items():
        for _ in range(int(count * share)):
            out.append((name, *make()))
    raws = [(p, p.read_bytes()) for p in examples]
    k = 0
    while len(out) < count:       # the rest: mutations of every example in turn
        path, raw = raws[k % len(raws)]
        k += 1
        out.append(("mutation", example_sender(path), mutate(raw, rng)))
    rng.shuffle(out)
    return out[:count]


def build_traffic(args, engine, router) -> Traffic:
    from hub.worker.ingest import hub_message_id
    rng = random.Random(args.seed)
    kept, plans, dropped = check_templates(engine, router)
    weights = [t.weight for t in kept]
    valid, counters = [], collections.Counter()
    for i in range(args.valid):
        t = rng.choices(kept, weights)[0]
        n = counters[t.name]
        counters[t.name] += 1
        valid.append(Item(t.sender, f"V-{i}", variant(t, n), t.name, True, expected=plans[t.name]))
    bad = [Item(sender, f"H-{i}", body, category, False)
           for i, (category, sender, body) in enumerate(hostile(engine, args.hostile, rng))]
    items: list[Item] = []
    vi = hi = 0
    while vi < len(valid) or hi < len(bad):       # interleaved in proportion, the order seeded
        take_valid = hi >= len(bad) or (vi < len(valid) and rng.random() < len(valid) / (len(valid) + len(bad)))
        if take_valid:
            items.append(valid[vi])
            vi += 1
        else:
            items.append(bad[hi])
            hi += 1
    for item in items:
        item.hub_id = hub_message_id(item.sender, item.smid, item.body)
    return Traffic(items, plans, dropped)


# the senders ----------------------------------------------------------------------------------------

def params(url: str, name: str) -> pika.URLParameters:
    p = pika.URLParameters(url)
    p.client_properties = {"connection_name": name}
    p.connection_attempts, p.retry_delay, p.heartbeat = 1, 0, 30
    return p


class Sender:
    """Publish every item with confirms at ``rate``/s (window 500), as the hub's user vouching for the
    item's sender; whatever was unconfirmed or nacked when the connection went is published again."""

    def __init__(self, url, exchange, items, user, rate, progress) -> None:
        self.url, self.exchange, self.items, self.user, self.rate, self.progress = \
            url, exchange, items, user, rate, progress
        self.next = 0
        self.again: collections.deque[int] = collections.deque()
        self.unconfirmed: collections.OrderedDict[int, int] = collections.OrderedDict()
        self.done = False
        self.t0 = None

    def run(self) -> None:
        while not self.done:
            self.seq = 0
            conn = pika.SelectConnection(params(self.url, "soak-sender"), on_open_callback=self._open,
                                         on_open_error_callback=lambda c, e: c.ioloop.stop(),
                                         on_close_callback=lambda c, r: c.ioloop.stop())
            self.conn = conn
            conn.ioloop.start()
            if not self.done:
                lost = list(self.unconfirmed.values())
                self.unconfirmed.clear()
                self.again.extendleft(reversed(lost))
                self.progress["resent"].value += len(lost)
                self.progress["reconnects"].value += 1
                time.sleep(0.5)

    def _open(self, conn) -> None:
        conn.channel(on_open_callback=self._channel)

    def _channel(self, ch) -> None:
        self.ch = ch
        ch.add_on_close_callback(lambda c, r: self.conn.is_open and self.conn.close())
        ch.confirm_delivery(self._confirm)
        if self.t0 is None:
            self.t0 = time.monotonic()
        self._pump()

    def _pump(self) -> None:
        if not self.ch.is_open:
            return
        allowed = min(len(self.items), int((time.monotonic() - self.t0) * self.rate) + 1)
        while len(self.unconfirmed) < 500 and (self.again or self.next < allowed):
            if self.again:
                index = self.again.popleft()
            else:
                index = self.next
                self.next += 1
                self.progress["published"].value = self.next
            item = self.items[index]
            self.ch.basic_publish(self.exchange, "", item.body, pika.BasicProperties(
                delivery_mode=2, message_id=item.smid, user_id=self.user, headers={"x-hub-sender": item.sender}))
            self.seq += 1
            self.unconfirmed[self.seq] = index
        if self.next >= len(self.items) and not self.unconfirmed and not self.again:
            self.done = True
            self.conn.close()
            return
        self.conn.ioloop.call_later(0.005, self._pump)

    def _confirm(self, frame) -> None:
        m = frame.method
        nack = isinstance(m, pika.spec.Basic.Nack)
        tags = [t for t in self.unconfirmed if t <= m.delivery_tag] if m.multiple else [m.delivery_tag]
        for tag in tags:
            index = self.unconfirmed.pop(tag, None)
            if index is None:
                continue
            if nack:
                self.again.append(index)
                self.progress["nacked"].value += 1
            else:
                self.progress["confirmed"].value += 1


def sender_main(url, exchange, items, user, rate, progress) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Sender(url, exchange, items, user, rate, progress).run()


# the agencies ---------------------------------------------------------------------------------------

class Agencies:
    """Every receiver feed, manual acks: copies per hub message id; a share of the deliveries answered
    with the demo agencies' receipts, some with garbage too; the senders' status feeds drained."""

    def __init__(self, url, prefix, receivers, senders, expected, user, share, seed, stop, progress) -> None:
        from hub.composition import build_engine
        from hub.demo import Agencies as DemoAgencies
        from hub.routing import load_routes
        from hub.transport.base import Topology
        self.url, self.receivers, self.senders, self.expected, self.user = url, receivers, senders, expected, user
        self.share, self.seed, self.stop, self.progress = share, seed, stop, progress
        self.answering = {name for name, r in load_routes(ROUTES).receivers.items() if r.receipt_formats}
        self.topology = Topology(prefix)
        self.engine = build_engine()
        self.demo = DemoAgencies(self.engine, url, self.topology, user, list(receivers))
        self.copies: dict[str, dict[str, list]] = {r: {} for r in receivers}   # hub id -> [copies, msg ids]
        self.seen: set[str] = set()
        self.bench_redeliveries = 0
        self.unanswerable: collections.Counter = collections.Counter()
        self.errors: collections.Counter = collections.Counter()
        self.status: collections.Counter = collections.Counter()
        self.outbox: collections.deque = collections.deque()      # receipts to publish
        self.unconfirmed: collections.OrderedDict[int, tuple] = collections.OrderedDict()
        self.receipts: list[tuple[str, str, str, str]] = []       # (receiver, sha256, kind, answers) confirmed
        self.serial = 0
        self.closing_since = None

    def run(self) -> dict:
        while True:
            self.seq = 0
            self.ch = None
            self.conn = pika.SelectConnection(params(self.url, "soak-agencies"), on_open_callback=self._open,
                                              on_open_error_callback=lambda c, e: c.ioloop.stop(),
                                              on_close_callback=lambda c, r: c.ioloop.stop())
            self.conn.ioloop.start()
            if self._finished():
                break
            self.outbox.extendleft(reversed(list(self.unconfirmed.values())))
            self.unconfirmed.clear()
            self.progress["reconnects"].value += 1
            time.sleep(0.5)
        return {"copies": self.copies, "receipts": self.receipts, "status": dict(self.status),
                "unanswerable": dict(self.unanswerable), "errors": dict(self.errors),
                "bench_redeliveries": self.bench_redeliveries,
                "unsent_receipts": len(self.outbox) + len(self.unconfirmed)}

    def _finished(self) -> bool:
        if not self.stop.is_set():
            return False
        if self.closing_since is None:
            self.closing_since = time.monotonic()
        return (not self.outbox and not self.unconfirmed) or time.monotonic() - self.closing_since > 15

    def _open(self, conn) -> None:
        conn.channel(on_open_callback=self._channel)

    def _channel(self, ch) -> None:
        self.ch = ch
        ch.add_on_close_callback(lambda c, r: self.conn.is_open and self.conn.close())
        ch.confirm_delivery(self._confirm)
        ch.basic_qos(prefetch_count=200)
        for r in self.receivers:
            ch.basic_consume(self.topology.receiver_queue(r), lambda c, m, p, b, r=r: self._delivery(r, c, m, p, b))
        for s in self.senders:
            ch.basic_consume(self.topology.sender_queue(s), self._status, auto_ack=True)
        self.progress["consuming"].value = 1
        self._tick()

    def _tick(self) -> None:
        if self.conn.is_closing or self.conn.is_closed:
            return
        self._flush()
        if self._finished():
            self.conn.close()
            return
        self.conn.ioloop.call_later(0.1, self._tick)

    def _status(self, ch, method, props, body) -> None:
        self.status[(props.headers or {}).get("x-hub-event", "?") + ("" if props.content_type == "application/json"
                                                                     else " (native)")] += 1

    def _delivery(self, receiver, ch, method, props, body) -> None:
        try:
            self._take(receiver, method, props, body)
        except Exception as exc:   # noqa: BLE001 - pika would turn it into a lost connection: counted instead
            self.errors[f"{type(exc).__name__}: {exc}"[:160]] += 1
        ch.basic_ack(method.delivery_tag)

    def _take(self, receiver, method, props, body) -> None:
        headers = props.headers or {}
        hub_id, mid = str(headers.get("x-hub-message-id", "?")), props.message_id or "?"
        entry = self.copies[receiver].setdefault(hub_id, [0, []])
        first = mid not in self.seen
        if method.redelivered and not first:
            self.bench_redeliveries += 1          # our own ack went with the connection: not the hub's repeat
        else:
            entry[0] += 1
            entry[1].append(mid)
        self.progress["deliveries"].value += 1
        if first:
            self.seen.add(mid)
            if mid in self.expected:
                self.progress["seen_expected"].value += 1
            if receiver in self.answering and self._answers(mid):
                self._answer(receiver, props, body)

    def _answers(self, mid: str) -> bool:
        h = int(hashlib.sha256(f"{self.seed}:{mid}".encode()).hexdigest()[:8], 16)
        return h % 10_000 < self.share * 10_000

    def _answer(self, receiver, props, body) -> None:
        from hub.adapters import RenderContext
        try:
            answers = self.demo.answer(receiver, props, body)
            for receipt, fmt in answers:
                self.serial += 1
                ctx = RenderContext(message_id=f"{receiver}-R{self.serial}", sender_id=receiver, receiver_id="EPORTHUB")
                self.outbox.append((receiver, self.engine.render(receipt, fmt, ctx).data, fmt, props.message_id))
        except Exception as exc:  # noqa: BLE001 - a delivery the agency cannot read is counted, not fatal
            self.unanswerable[f"{receiver}: {type(exc).__name__}"] += 1
        h = int(hashlib.sha256(f"garbage:{self.seed}:{props.message_id}".encode()).hexdigest()[:8], 16)
        if h % 25 == 0:      # about 4% of the answered deliveries get an unreadable receipt too
            rng = random.Random(h)
            junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))
            self.outbox.append((receiver, junk, "garbage", props.message_id))

    def _flush(self) -> None:
        while self.outbox and self.ch is not None and self.ch.is_open and len(self.unconfirmed) < 300:
            entry = self.outbox.popleft()
            receiver, data = entry[0], entry[1]
            self.ch.basic_publish(self.topology.receipts, "", data, pika.BasicProperties(
                delivery_mode=2, user_id=self.user, headers={"x-hub-sender": receiver},
                content_type="application/octet-stream" if entry[2] == "garbage" else "application/xml"))
            self.seq += 1
            self.unconfirmed[self.seq] = entry

    def _confirm(self, frame) -> None:
        m = frame.method
        nack = isinstance(m, pika.spec.Basic.Nack)
        tags = [t for t in self.unconfirmed if t <= m.delivery_tag] if m.multiple else [m.delivery_tag]
        for tag in tags:
            entry = self.unconfirmed.pop(tag, None)
            if entry is None:
                continue
            if nack:
                self.outbox.append(entry)
            else:
                receiver, data, fmt, answers = entry
                self.receipts.append((receiver, hashlib.sha256(data).hexdigest(), fmt, answers))
                self.progress["receipts"].value += 1


def agencies_main(results, *args) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        results.put(Agencies(*args).run())
    except BaseException:
        import traceback
        results.put({"error": traceback.format_exc()})
        raise


# processes and the store -----------------------------------------------------------------------------

def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for children in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                kids = [int(x) for x in children.read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def hub_processes(serve_pid: int) -> dict[str, int]:
    """label -> pid: serve, its routers (in pid order), the receipt worker (the niced one), helpers."""
    own_nice = os.getpriority(os.PRIO_PROCESS, 0)
    labels, routers = {"serve": serve_pid}, []
    for pid in descendants(serve_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            nice = os.getpriority(os.PRIO_PROCESS, pid)
        except OSError:
            continue
        if b"resource_tracker" in cmd:
            labels[f"resource-tracker {pid}"] = pid
        elif nice > own_nice:
            labels["receipts"] = pid
        else:
            routers.append(pid)
    for i, pid in enumerate(sorted(routers)):
        labels[f"router {i}"] = pid
    return labels


def rss_of(serve_pid: int) -> dict[str, tuple[int, int | None]]:
    return {label: (pid, rss_kb(pid)) for label, pid in hub_processes(serve_pid).items()}


def ro(store_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=30)


def store_progress(store_path: Path) -> dict:
    try:
        db = ro(store_path)
        try:
            return {"messages": db.execute("SELECT count(*) FROM messages").fetchone()[0],
                    "pending": db.execute("SELECT count(*) FROM deliveries WHERE state = 'PENDING'").fetchone()[0],
                    "receipts": db.execute("SELECT count(*) FROM receipts").fetchone()[0]}
        finally:
            db.close()
    except sqlite3.Error as exc:
        return {"error": str(exc)}


def hold_store_lock(store_path: Path, seconds: float, note: dict) -> None:
    """An exclusive write lock on the store for ``seconds`` (BEGIN EXCLUSIVE, sleep, rollback)."""
    try:
        db = sqlite3.connect(str(store_path), timeout=60, isolation_level=None)
        asked = time.monotonic()
        db.execute("BEGIN EXCLUSIVE")
        note["acquired_after_s"] = time.monotonic() - asked
        note["at"] = time.monotonic()
        time.sleep(seconds)
        db.execute("ROLLBACK")
        db.close()
        note["held_s"] = time.monotonic() - note["at"]
    except sqlite3.Error as exc:
        note["error"] = str(exc)


def queue_depths(url: str, queues: list[str]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    try:
        conn = pika.BlockingConnection(params(url, "soak-peek"))
    except Exception:      # noqa: BLE001 - the broker restarting: nothing known this round
        return {q: None for q in queues}
    try:
        for q in queues:
            try:
                ch = conn.channel()
                out[q] = ch.queue_declare(q, passive=True).method.message_count
                ch.close()
            except Exception:    # noqa: BLE001
                out[q] = None
                if not conn.is_open:
                    break
    finally:
        if conn.is_open:
            conn.close()
    return out


def stop_serve(proc: subprocess.Popen, timeout: float = 60.0) -> tuple[float, str]:
    """SIGTERM to serve (its own session), wait; SIGKILL to the group of what is left, by its id."""
    started = time.monotonic()
    how = "exited"
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        how = "killed after the SIGTERM timeout"
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)
    return time.monotonic() - started, f"{how}, exit code {proc.returncode}"


def log_summary(path: Path) -> dict:
    events, restarts, examples, other = collections.Counter(), [], collections.defaultdict(list), 0
    failures, glued = collections.Counter(), 0
    decoder = json.JSONDecoder()
    for line in path.read_text(errors="replace").splitlines():
        records, at = [], 0
        text = line.strip()
        while at < len(text):       # the workers share serve's stderr: two JSON lines can end up on one
            try:
                rec, end = decoder.raw_decode(text, at)
            except ValueError:
                other += 1
                if len(examples["(not JSON)"]) < 3:
                    examples["(not JSON)"].append(text[at:at + 300])
                break
            records.append((rec, text[at:end]))
            at = end
        glued += len(records) > 1
        for rec, raw in records:
            if not isinstance(rec, dict):
                continue
            event, level = rec.get("event", "?"), rec.get("level", "?")
            if level in ("warning", "error", "critical") or event in ("worker.restarted",):
                events[(level, event)] += 1
                if len(examples[event]) < 2:
                    examples[event].append(raw[:400])
            if event == "worker.restarted":
                restarts.append(rec)
            if event == "batch.failed":
                reason = str(rec.get("reason", ""))
                failures[(rec.get("worker", "?").startswith("hub-router") and "router" or "receipts",
                          rec.get("error", "?"), reason[:70])] += 1
    return {"events": events, "restarts": restarts, "examples": examples, "not_json": other, "glued": glued,
            "failures": failures}


# the run ---------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--valid", type=int, default=10_000, help="valid messages (distinct business keys)")
    parser.add_argument("--hostile", type=int, default=10_000, help="hostile messages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, help="messages/s handed in [default: all in max(30 s, N/220 s)]")
    parser.add_argument("--answer-share", type=float, default=0.25, help="share of deliveries the agencies answer")
    parser.add_argument("--settle-timeout", type=float, default=150.0, help="longest wait after the sending ends")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-broker-restart", action="store_true")
    parser.add_argument("--no-store-lock", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (store, logs, broker files)")
    args = parser.parse_args()

    from hub.composition import build_engine
    from hub.routing import Router, load_routes
    from tests.integration.private_broker import PrivateBroker

    logging.getLogger("pika").setLevel(logging.CRITICAL)     # its reconnect errors are expected here

    t_all = time.monotonic()
    timings: list[tuple[str, float]] = []

    def timed(step: str, since: float) -> None:
        timings.append((step, time.monotonic() - since))

    def say(text: str) -> None:
        print(f"[{time.monotonic() - t_all:6.1f}s] {text}", flush=True)

    t = time.monotonic()
    engine, routes = build_engine(), load_routes(ROUTES)
    traffic = build_traffic(args, engine, Router(routes))
    timed("build traffic", t)
    items = traffic.items
    valid = [i for i in items if i.valid]
    total = len(items)
    rate = args.rate or max(1.0, total / max(30.0, total / 220))
    send_span = total / rate
    valid_mix = ', '.join(f'{k} {v}' for k, v in sorted(collections.Counter(i.label for i in valid).items()))
    hostile_mix = ', '.join(f'{k} {v}' for k, v in
                            sorted(collections.Counter(i.label for i in items if not i.valid).items()))
    say(f"traffic: {len(valid)} valid ({valid_mix}), "
        f"{total - len(valid)} hostile ({hostile_mix}); "
        f"{sum(len(i.body) for i in items) / 1e6:.1f} MB; {rate:.0f} msgs/s for ~{send_span:.0f} s")
    for name, why in traffic.dropped.items():
        say(f"template {name} NOT USED: {why}")
    expected_out = {f"{i.hub_id}.{r}": (i, r) for i in valid for r in i.expected}
    receivers, senders = list(routes.receivers), list(routes.senders)

    tmp = Path(tempfile.mkdtemp(prefix="hub-soak-"))
    store_path, log_path = tmp / "store.sqlite3", tmp / "serve.log"
    prefix = f"soak{uuid.uuid4().hex[:8]}"
    serve = agencies_proc = sender_proc = None
    broker = PrivateBroker(keep_files=args.keep)
    results_q = CTX.Queue()
    stop_agencies = CTX.Event()
    aprog = {k: CTX.Value("q", 0) for k in ("consuming", "deliveries", "seen_expected", "receipts", "reconnects")}
    sprog = {k: CTX.Value("q", 0) for k in ("published", "confirmed", "resent", "nacked", "reconnects")}
    report = {}
    try:
        t = time.monotonic()
        broker.start()
        timed("private broker start", t)
        say(f"private broker {broker.nodename} on port {broker.port} in {timings[-1][1]:.1f} s; temp dir {tmp}")
        env = {**os.environ, "HUB_AMQP_URL": broker.url, "HUB_STORE_URL": f"sqlite:///{store_path}",
               "HUB_TOPOLOGY_PREFIX": prefix, "HUB_ROUTES": str(ROUTES),
               "HUB_RETRY_DELAYS_MS": json.dumps(RETRY_DELAYS_MS),
               "HUB_SWEEP_SECONDS": "2", "HUB_LOG_LEVEL": "INFO", "HUB_LOG_JSON": "true",
               "HUB_MAX_MESSAGE_BYTES": str(MAX_MESSAGE_BYTES), "HUB_EXAMPLES_DIR": str(EXAMPLES)}
        t = time.monotonic()
        declared = subprocess.run([HUB, "topology", "declare"], env=env, cwd=str(tmp), capture_output=True, text=True,
                                  timeout=120)
        timed("hub topology declare", t)
        if declared.returncode != 0:
            raise RuntimeError(f"hub topology declare: {declared.stderr[-2000:]}")
        t = time.monotonic()
        log = open(log_path, "wb")
        serve = subprocess.Popen([HUB, "serve", "--workers", str(args.workers)], env=env, cwd=str(tmp),
                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            started = {json.loads(line).get("worker") for line in log_path.read_text(errors="replace").splitlines()
                       if '"worker.started"' in line}
            if len(started) >= args.workers + 1 or serve.poll() is not None:
                break
            time.sleep(0.2)
        timed("hub serve ready", t)
        if serve.poll() is not None or len(started) < args.workers + 1:
            raise RuntimeError(f"hub serve did not start: {log_path.read_text(errors='replace')[-3000:]}")
        rss_start = rss_of(serve.pid)
        say(f"hub serve ready in {timings[-1][1]:.1f} s (pid {serve.pid}, workers {sorted(started)})")

        from hub.transport.base import Topology
        topo = Topology(prefix)
        agencies_proc = CTX.Process(target=agencies_main, args=(
            results_q, broker.url, prefix, receivers, senders, set(expected_out), "guest", args.answer_share,
            args.seed, stop_agencies, aprog), daemon=True)
        agencies_proc.start()
        while not aprog["consuming"].value and agencies_proc.is_alive():
            time.sleep(0.1)
        sender_proc = CTX.Process(target=sender_main, args=(broker.url, topo.inbound, items, "guest", rate, sprog),
                                  daemon=True)
        t_send = time.monotonic()
        sender_proc.start()

        faults: dict[str, dict] = {}
        plan = []
        if not args.no_store_lock:
            plan.append((0.20 * send_span, "store lock"))
        if not args.no_broker_restart:
            plan.append((max(0.65 * send_span, 0.20 * send_span + LOCK_SECONDS + 3), "broker restart"))
        fault_threads = []

        def fault(kind: str) -> None:
            note = faults.setdefault(kind, {})
            note["started_s"] = time.monotonic() - t_send
            note["published_then"] = sprog["published"].value
            if kind == "store lock":
                hold_store_lock(store_path, LOCK_SECONDS, note)
            else:
                try:
                    note["took_s"] = broker.restart()
                except Exception as exc:    # noqa: BLE001
                    note["error"] = repr(exc)

        watched = [topo.inbound, topo.receipts, topo.dead] + [topo.retry_queue(s) for s in range(len(RETRY_DELAYS_MS))]
        last_print = 0.0
        while sender_proc.is_alive():
            now = time.monotonic() - t_send
            while plan and now >= plan[0][0]:
                _, kind = plan.pop(0)
                say(f"fault: {kind}")
                th = threading.Thread(target=fault, args=(kind,), daemon=True)
                th.start()
                fault_threads.append(th)
            if time.monotonic() - last_print >= 5:
                last_print = time.monotonic()
                depth = queue_depths(broker.url, watched[:2])
                say(f"sent {sprog['published'].value}/{total} (confirmed {sprog['confirmed'].value}, resent "
                    f"{sprog['resent'].value}); agencies saw "
                    f"{aprog['seen_expected'].value}/{len(expected_out)} expected "
                    f"deliveries, sent {aprog['receipts'].value} receipts; queued in {depth[topo.inbound]}, acks "
                    f"{depth[topo.receipts]}; store {store_progress(store_path)}")
            time.sleep(0.2)
        for th in fault_threads:
            th.join(60)
        timed("sending", t_send)
        say(f"sending done in {timings[-1][1]:.1f} s: {sprog['confirmed'].value} confirmed, {sprog['resent'].value} "
            f"published again after the broker went, {sprog['nacked'].value} nacked")

        # settle
        t = time.monotonic()
        still, last_change, last_print, why = None, time.monotonic(), 0.0, "timeout"
        while time.monotonic() - t < args.settle_timeout:
            depth = queue_depths(broker.url, watched)
            store = store_progress(store_path)
            busy = [q for q in watched if q != topo.dead and depth.get(q) != 0]
            snapshot = (aprog["deliveries"].value, aprog["receipts"].value, store.get("messages"),
                        store.get("receipts"), store.get("pending"), tuple(depth.values()))
            if snapshot != still:
                still, last_change = snapshot, time.monotonic()
            all_seen = aprog["seen_expected"].value >= len(expected_out)
            receipts_in = (store.get("receipts") or 0) >= aprog["receipts"].value
            if not busy and all_seen and receipts_in and not store.get("pending"):
                why = "every expected delivery seen, every receipt stored, nothing PENDING, queues empty"
                break
            if not busy and not store.get("pending") and time.monotonic() - last_change > 10:
                why = "queues empty, nothing PENDING, nothing moved for 10 s"
                break
            if time.monotonic() - last_print >= 5:
                last_print = time.monotonic()
                say(f"settling: agencies saw {aprog['seen_expected'].value}/{len(expected_out)}, receipts sent "
                    f"{aprog['receipts'].value}; store {store}; queues " +
                    ", ".join(f"{q.removeprefix(prefix + '.')}={d}" for q, d in depth.items() if d))
            time.sleep(1)
        timed("settling", t)
        say(f"settled after {timings[-1][1]:.1f} s: {why}")
        rss_end = rss_of(serve.pid)

        t = time.monotonic()
        stop_agencies.set()
        try:
            agency = results_q.get(timeout=60)
        except queue.Empty:
            agency = {"error": f"no result within 60 s (agencies process alive: {agencies_proc.is_alive()}, "
                               f"exit code {agencies_proc.exitcode})"}
        agencies_proc.join(10)
        serve_stop = stop_serve(serve)
        log.close()
        timed("stop agencies and serve", t)
        final_depth = queue_depths(broker.url, watched + [topo.receiver_queue(r) for r in receivers])
        report = dict(args=args, traffic=traffic, expected_out=expected_out, agency=agency, faults=faults,
                      rss_start=rss_start, rss_end=rss_end, serve_stop=serve_stop, final_depth=final_depth,
                      prefix=prefix, store_path=store_path, log_path=log_path,
                      sprog={k: v.value for k, v in sprog.items()},
                      aprog={k: v.value for k, v in aprog.items()}, timings=timings, broker_timings=broker.timings,
                      why=why, receivers=receivers, tmp=tmp)
        print_report(report)
    finally:
        for proc in (sender_proc, agencies_proc):
            if proc is not None and proc.is_alive():
                proc.kill()
                proc.join(5)
        if serve is not None and serve.poll() is None:
            stop_serve(serve, timeout=30)
        broker.close()
        if args.keep:
            print(f"kept: {tmp} (store.sqlite3, serve.log)" + (f"; broker files {broker.dir}" if broker.dir else ""))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"total {time.monotonic() - t_all:.0f} s")


# the report ------------------------------------------------------------------------------------------

def print_report(r: dict) -> None:
    traffic, agency = r["traffic"], r["agency"]
    if "error" in agency:
        print(f"\nTHE AGENCIES FAILED:\n{agency['error']}")
        return
    items = traffic.items
    by_hub = {i.hub_id: i for i in items}
    valid = [i for i in items if i.valid]
    db = ro(r["store_path"])
    stored, message_shas, foreign = {}, set(), []
    for id_, status_, errors, sha, smid, sender, dup in db.execute(
            "SELECT id, status, errors, sha256, sender_message_id, sender, duplicate_of FROM messages"):
        stored[id_] = (status_, json.loads(errors or "[]"))
        message_shas.add(sha)
        if id_ not in by_hub:
            foreign.append((id_, status_, sender, smid, dup))
    states = collections.defaultdict(collections.Counter)
    for mid, receiver, state in db.execute("SELECT message_id, receiver, state FROM deliveries"):
        if mid in by_hub and by_hub[mid].valid:
            states[receiver][state] += 1
    receipt_rows = collections.defaultdict(list)
    for receiver, sha, delivery_id, errors in db.execute("SELECT receiver, sha256, delivery_id, errors FROM receipts"):
        receipt_rows[sha].append((receiver, delivery_id, errors))
    by_status = dict(db.execute("SELECT status, count(*) FROM messages GROUP BY status").fetchall())
    by_state = dict(db.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall())
    orphans = db.execute("SELECT count(*) FROM receipts WHERE delivery_id IS NULL").fetchone()[0]
    db.close()
    size = sum(p.stat().st_size for p in r["store_path"].parent.glob(r["store_path"].name + "*"))

    print("\n=== soak: deliveries per receiver (valid messages) ===")
    print(f"{'receiver':<16} {'expected':>8} {'once':>7} {'>once':>6} {'copies':>7} {'lost':>15} {'unexpctd':>8}   "
          f"{'rcpt sent':>9} {'applied':>7} {'orphan':>6} {'lost':>5}   store states of valid deliveries")
    print(f"{'':<16} {'':>8} {'':>7} {'':>6} {'extra':>7} {'(of ACC)':>15} {'':>8}")
    lost_total = dup_total = 0
    copies = agency["copies"]
    for receiver in r["receivers"]:
        got = copies.get(receiver, {})
        expected = [i for i in valid if receiver in i.expected]
        once = sum(1 for i in expected if got.get(i.hub_id, [0])[0] == 1)
        more = sum(1 for i in expected if got.get(i.hub_id, [0])[0] > 1)
        extra_copies = sum(got[i.hub_id][0] - 1 for i in expected if got.get(i.hub_id, [0])[0] > 1)
        lost = sum(1 for i in expected if i.hub_id not in got)
        lost_accepted = sum(1 for i in expected if i.hub_id not in got and stored.get(i.hub_id, ("",))[0] == "ACCEPTED")
        unexpected = sum(1 for h in got if h not in by_hub or not by_hub[h].valid or receiver not in by_hub[h].expected)
        lost_total += lost
        dup_total += more
        sent = [x for x in agency["receipts"] if x[0] == receiver and x[2] != "garbage"]
        applied = sum(1 for x in sent if any(d is not None for _, d, _ in receipt_rows.get(x[1], [])))
        orphaned = sum(1 for x in sent if receipt_rows.get(x[1]) and all(d is None for _, d, _ in receipt_rows[x[1]]))
        rlost = sum(1 for x in sent if x[1] not in receipt_rows)
        st = ", ".join(f"{k} {v}" for k, v in sorted(states[receiver].items()))
        print(f"{receiver:<16} {len(expected):>8} {once:>7} {more:>6} {extra_copies:>7} "
              f"{f'{lost} ({lost_accepted})':>15} {unexpected:>8}   "
              f"{len(sent):>9} {applied:>7} {orphaned:>6} {rlost:>5}   {st}")
    as_messages = sum(1 for x in agency["receipts"] if x[1] in message_shas)
    if as_messages:
        print(f"receipts stored as inbound MESSAGES (their retry went to the router's lane): {as_messages}")
    garbage = [x for x in agency["receipts"] if x[2] == "garbage"]
    g_stored = sum(1 for x in garbage if x[1] in receipt_rows)
    print(f"unreadable receipts (random bytes): sent {len(garbage)}, stored {g_stored} (orphaned, with their errors), "
          f"lost {len(garbage) - g_stored}")
    if agency["errors"]:
        print(f"THE AGENCIES' OWN ERRORS (their counts are incomplete): {agency['errors']}")
    if agency["unanswerable"]:
        print(f"deliveries the agencies could not read to answer: {agency['unanswerable']}")
    print(f"the agencies' own redeliveries (their ack lost with a connection; not counted as repeats): "
          f"{agency['bench_redeliveries']}; agency reconnects {r['aprog']['reconnects']}")
    wrong_id = sum(1 for rc, got in copies.items() for h, (n, mids) in got.items() if set(mids) != {f"{h}.{rc}"})
    print(f"copies whose AMQP message_id is not <hub id>.<receiver>: {wrong_id}")

    print("\n=== valid messages in the store ===")
    vs = collections.Counter()
    for i in valid:
        s = stored.get(i.hub_id)
        vs[s[0] if s else "NOT STORED"] += 1
    print(", ".join(f"{k} {v}" for k, v in vs.most_common()))
    why = collections.Counter()
    for i in valid:
        s = stored.get(i.hub_id)
        if s is None or s[0] != "ACCEPTED":
            why[(s[0] if s else "NOT STORED", s[1][0].get("code") if s and s[1] else "",
                 (s[1][0].get("message") or "")[:90] if s and s[1] else "")] += 1
    for (status_, code, message), n in why.most_common(10):
        print(f"  {n:>6}  {status_} {code} {message}")

    if foreign:
        print(f"stored messages under an id the soak did not send: {len(foreign)}, e.g. "
              + "; ".join(f"{i} {st} sender {se} message id {sm}" + (f" duplicate of {d}" if d else "")
                          for i, st, se, sm, d in foreign[:3]))

    print("\n=== hostile messages: outcome by category ===")
    outcome = collections.defaultdict(collections.Counter)
    for i in items:
        if i.valid:
            continue
        s = stored.get(i.hub_id)
        if s is None:
            outcome[i.label]["NOT STORED"] += 1
        elif s[0] == "REJECTED":
            outcome[i.label][f"REJECTED {s[1][0].get('code') if s[1] else '?'}"] += 1
        elif s[0] == "FAILED":
            outcome[i.label][f"FAILED {s[1][0].get('code') if s[1] else '?'}"] += 1
        else:
            outcome[i.label][s[0]] += 1
    for label in sorted(outcome):
        c = outcome[label]
        print(f"{label:<20} {sum(c.values()):>6}: " + ", ".join(f"{k} {v}" for k, v in c.most_common()))

    print("\n=== the hub ===")
    logs = log_summary(r["log_path"])
    restarts = logs["restarts"]
    which = ", ".join(f"{x.get('worker')} exit {x.get('exitcode')}" for x in restarts[:10])
    print(f"worker restarts (worker.restarted in serve's log): {len(restarts)}" + (f" ({which})" if restarts else ""))
    print("warnings and errors logged: " + (", ".join(f"{e} {n}" for (lvl, e), n in logs["events"].most_common())
                                           or "none") + (f"; lines that are not JSON: {logs['not_json']}"
                                                         if logs["not_json"] else ""))
    if logs["glued"]:
        print(f"log lines holding two JSON records (workers writing to serve's stderr at once): {logs['glued']}")
    if logs["failures"]:
        print("batch.failed (a whole batch sent to the retry queues) by worker, error and reason:")
        for (who, error, reason), n in logs["failures"].most_common(12):
            print(f"  {n:>6}  {who:<8} {error}: {reason}")
    for event, lines in logs["examples"].items():
        if event in ("receipt.orphaned",):
            continue
        for line in lines[:1]:
            print(f"  e.g. {line}")
    print(f"{'process':<22} {'pid start':>9} {'RSS start':>10} {'pid end':>8} {'RSS end':>10}")
    labels = list(dict.fromkeys(list(r["rss_start"]) + list(r["rss_end"])))
    for label in labels:
        ps, ks = r["rss_start"].get(label, (None, None))
        pe, ke = r["rss_end"].get(label, (None, None))
        fmt = lambda kb: "-" if kb is None else f"{kb / 1024:.0f} MB"     # noqa: E731
        print(f"{label:<22} {ps or '-':>9} {fmt(ks):>10} {pe or '-':>8} {fmt(ke):>10}")
    print(f"serve stopped: {r['serve_stop'][1]} after {r['serve_stop'][0]:.1f} s")
    print(f"store: {size / 1e6:.1f} MB (with WAL); messages by status: "
          + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items()))
          + "; deliveries by state: " + ", ".join(f"{k} {v}" for k, v in sorted(by_state.items()))
          + f"; receipts orphaned {orphans}")
    depth = {q.removeprefix(r["prefix"] + "."): d for q, d in r["final_depth"].items() if d}
    print(f"left in queues after the stop: {depth or 'nothing'}")
    status = agency["status"]
    print("status events the senders got: " + ", ".join(f"{k} {v}" for k, v in sorted(status.items())))

    print("\n=== faults and timings ===")
    for kind, note in r["faults"].items():
        print(f"{kind}: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in note.items()))
    s = r["sprog"]
    print(f"sender: {s['confirmed']} confirmed, {s['resent']} published again after a reconnect, {s['nacked']} nacked, "
          f"{s['reconnects']} reconnects")
    print("steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["timings"]))
    print("private broker: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["broker_timings"]))
    print(f"settled: {r['why']}")

    verdict = "NOTHING LOST" if lost_total == 0 else f"LOST {lost_total} deliveries of valid messages"
    if dup_total:
        verdict += f"; {dup_total} delivered more than once (same message_id: receivers drop them)"
    bad_hostile = sum(c["NOT STORED"] for c in outcome.values())
    if bad_hostile:
        verdict += f"; {bad_hostile} hostile message(s) never stored"
    if restarts:
        verdict += f"; {len(restarts)} worker restart(s)"
    print(f"\nverdict: {verdict}")
    print(f"lost: {lost_total}")


if __name__ == "__main__":
    main()
