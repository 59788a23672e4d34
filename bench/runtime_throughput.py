"""Runtime throughput and latency on the real broker, beside bare baselines, in one run.

    python bench/runtime_throughput.py [--messages 5000] [--rate 300] [--paced-seconds 10] [--only abABcn]

Scenarios, each on its own uniquely named exchanges and quorum queues (x-expires, deleted at the
end), persistent messages and publisher confirms everywhere:

  (a)  bare plumbing  the issue's bare pika consumer: a BlockingConnection (prefetch 300) that
                      publishes each inbound message to 3 receiver queues with confirms (each
                      publish waits for its confirm, as a BlockingChannel in confirm mode does)
                      and then acks it: one message at a time
  (b)  bare + work    (a) plus the hub's XML work per message: engine.read (hardened parse, XSD
                      validation, model, rules) and engine.render of the three outputs the hub
                      produces for this waybill (gacc-mt1101, gacc-mt1101, json, each validated), and
                      one SQLite row per message (WAL, synchronous=NORMAL, committed before anything
                      is published)
  (a+) batched        (a) batched as the hub batches: a SelectConnection consumer (prefetch 300,
                      batches of 100 or 10 ms) with async confirms, acking a message once its 3
                      publications are confirmed (one multiple ack for the finished head)
  (b+) batched work   (a+) plus (b)'s work, one SQLite commit per batch: the hub's XML work with
                      none of its bookkeeping, the floor for what the hub's own obligations cost
  (c)  hub            `hub serve --workers N` as a subprocess with the repo's routes.yaml: AIRLINE-CA's
                      food waybill (examples/cargo_xml/xfwb-food-fra-pek.xml) goes to CUSTOMS-CN
                      (gacc-mt1101), INSPECTION-CIQ (gacc-mt1101, food goods only: all of them here)
                      and ARCHIVE (json); an agency simulator answers every CUSTOMS-CN delivery with a
                      GACC MT9999 receipt quoting its message id, so the receipt worker is loaded too
  (c0) hub            the same without agency receipts (the router path alone, comparable with (b+))

In every hub scenario AIRLINE-CA's status feed is consumed, as the sender would. The bare ones run in
as many processes as the hub has routers (--workers, default 2). Every message is a distinct XFWB
(its AWB varies, with a valid mod-7 check digit). Latency = arrival of the last of its 3 deliveries
at the receiver queues - its inbound publish (time.monotonic, one clock for every process).

Two loads per scenario: throughput (N messages published as fast as confirms allow, 1000 in flight;
msgs/s from the first publish to the last arrival) and paced (--rate msgs/s for --paced-seconds;
p50/p99). With receipts, the run line also says how long after the last delivery the last receipt
was correlated, and the msgs/s counted until then. During the paced load an idle probe process
notes every wake-up over 30 ms late (the whole machine stalled) and times a 4 KiB write + fsync every
50 ms (the disk the broker's quorum queues fsync to): a stall there holds up every scenario alike.
A second table splits the CPU time of the throughput load per message between the broker, the
processes under test, the bench's own sender/receivers and everything else.
"""
from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC
from pathlib import Path

import pika

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "examples" / "cargo_xml" / "xfwb-food-fra-pek.xml"
TEMPLATE_AWB = b"999-44556676"
RECEIVERS = ("CUSTOMS-CN", "INSPECTION-CIQ", "ARCHIVE")
FORMATS = {"CUSTOMS-CN": "gacc-mt1101", "INSPECTION-CIQ": "gacc-mt1101", "ARCHIVE": "json"}
SENDER = "AIRLINE-CA"
RECEIPT_ID = b"HUB-000000000000000000000000.CUSTOMS-CN"   # placeholders in the receipt template
RECEIPT_AWB = b"999-99999992"
EXPIRES_MS = 300_000
CTX = multiprocessing.get_context("fork")
CORES = os.cpu_count() or 1


def params(url: str, name: str) -> pika.URLParameters:
    p = pika.URLParameters(url)
    p.client_properties = {"connection_name": name}
    return p


def quorum() -> dict:
    return {"x-queue-type": "quorum", "x-expires": EXPIRES_MS}


class Awbs:
    """Distinct master AWB numbers with valid check digits (serial mod 7), unique within the run."""

    def __init__(self) -> None:
        self.serial = random.randrange(1_000_000, 8_000_000)

    def take(self, n: int) -> list[str]:
        out = [f"999-{s:07d}{s % 7}" for s in range(self.serial, self.serial + n)]
        self.serial += n
        return out


# publishing (the sender) -------------------------------------------------------------------------

class Publisher:
    """Publish (key, body) items with async confirms: as fast as a window of unconfirmed messages
    allows, or at ``rate`` per second. Records each key's publish time (time.monotonic)."""

    def __init__(self, url: str, exchange: str, items: list[tuple[str, bytes]], make_props,
                 rate: float | None = None, window: int = 1000) -> None:
        self.url, self.exchange, self.items, self.make_props = url, exchange, items, make_props
        self.rate, self.window = rate, window
        self.sent: dict[str, float] = {}
        self.unconfirmed: collections.OrderedDict[int, None] = collections.OrderedDict()
        self.next = self.seq = self.nacks = 0
        self.error = None

    def run(self) -> dict[str, float]:
        self.conn = pika.SelectConnection(params(self.url, "bench-publisher"), on_open_callback=self._open,
                                          on_open_error_callback=self._fail, on_close_callback=self._closed)
        self.conn.ioloop.start()
        if self.error or self.nacks or len(self.sent) < len(self.items):
            raise RuntimeError(f"publisher: {self.error or ''} nacks={self.nacks} sent={len(self.sent)}")
        return self.sent

    def _fail(self, conn, err) -> None:
        self.error = err
        conn.ioloop.stop()

    def _closed(self, conn, reason) -> None:
        conn.ioloop.stop()

    def _open(self, conn) -> None:
        conn.channel(on_open_callback=self._channel)

    def _channel(self, ch) -> None:
        self.ch = ch
        ch.add_on_close_callback(self._channel_closed)
        ch.confirm_delivery(self._confirm)
        self.t0 = time.monotonic()
        self._pump()

    def _channel_closed(self, ch, reason) -> None:
        if self.conn.is_open:                 # the broker closed the channel, not us
            self.error = reason
            self.conn.close()

    def _pump(self) -> None:
        limit = len(self.items)
        if self.rate:
            limit = min(limit, int((time.monotonic() - self.t0) * self.rate) + 1)
        while self.next < limit and len(self.unconfirmed) < self.window:
            key, body = self.items[self.next]
            self.next += 1
            self.sent[key] = time.monotonic()
            self.ch.basic_publish(self.exchange, "", body, self.make_props(key))
            self.seq += 1
            self.unconfirmed[self.seq] = None
        if self.rate and self.next < len(self.items):
            self.conn.ioloop.call_later(0.002, self._pump)

    def _confirm(self, frame) -> None:
        m = frame.method
        if isinstance(m, pika.spec.Basic.Nack):
            self.nacks += 1
        if m.multiple:
            while self.unconfirmed and next(iter(self.unconfirmed)) <= m.delivery_tag:
                self.unconfirmed.popitem(last=False)
        else:
            self.unconfirmed.pop(m.delivery_tag, None)
        if self.next == len(self.items) and not self.unconfirmed:
            self.conn.close()
        elif not self.rate:
            self._pump()


# collecting (the receivers, the agency simulator, the sender's status feed) -----------------------

def collect(url: str, queues: list[str], drain: list[str], expect: int, timeout: float, results,
            receipt: dict | None) -> None:
    try:
        _collect(url, queues, drain, expect, timeout, results, receipt)
    except BaseException as exc:
        results.put({"error": repr(exc)})
        raise


def _collect(url: str, queues: list[str], drain: list[str], expect: int, timeout: float, results,
             receipt: dict | None) -> None:
    """Consume the receiver queues until every expected key arrived at all of them; record the last
    arrival per key. With ``receipt``, answer each delivery on receipt['queue'] with an MT9999."""
    arrivals: dict[str, list] = {}
    state = {"complete": 0, "receipts": 0, "confirmed": 0, "status": 0, "started": 0, "done": False}
    n_queues = len(queues)

    def on_open(conn):
        conn.channel(on_open_callback=on_channel)

    def on_channel(ch):
        state["ch"] = ch
        if receipt:
            ch.confirm_delivery(on_confirm)
        for q in queues:
            ch.basic_consume(q, on_delivery, auto_ack=True, callback=on_consume_ok)
        for q in drain:
            ch.basic_consume(q, on_status, auto_ack=True, callback=on_consume_ok)
        conn.ioloop.call_later(timeout, finish)

    def on_consume_ok(frame):
        state["started"] += 1
        if state["started"] == len(queues) + len(drain):
            results.put({"ready": True})

    def on_status(ch, method, props, body):
        state["status"] += 1

    def on_delivery(ch, method, props, body):
        now = time.monotonic()
        headers = props.headers or {}
        key = headers.get("x-hub-business-key") or props.message_id.rsplit(".", 1)[0]
        entry = arrivals.get(key)
        if entry is None:
            entry = arrivals[key] = [0, now]
        entry[0] += 1
        entry[1] = now
        if receipt and method.routing_key == receipt["routing_key"]:
            body = receipt["template"].replace(RECEIPT_ID, props.message_id.encode()).replace(
                RECEIPT_AWB, key.encode())
            ch.basic_publish(receipt["exchange"], "", body, pika.BasicProperties(
                delivery_mode=2, user_id=receipt["user"], content_type="application/xml",
                headers={"x-hub-sender": "CUSTOMS-CN"}))
            state["receipts"] += 1
        if entry[0] == n_queues:
            state["complete"] += 1
            if state["complete"] == expect:
                maybe_finish()

    def on_confirm(frame):
        m = frame.method
        state["confirmed"] = m.delivery_tag if m.multiple else max(state["confirmed"], m.delivery_tag)
        if state["complete"] >= expect:
            maybe_finish()

    def maybe_finish():
        if not receipt or state["confirmed"] >= state["receipts"]:
            finish()

    def finish():
        if state["done"]:
            return
        state["done"] = True
        results.put({"arrivals": {k: v[1] for k, v in arrivals.items() if v[0] >= n_queues},
                     "partial": sum(1 for v in arrivals.values() if v[0] < n_queues),
                     "receipts": state["receipts"], "status": state["status"], "cpu": time.process_time()})
        conn.close()

    conn = pika.SelectConnection(params(url, "bench-collector"), on_open_callback=on_open,
                                 on_close_callback=lambda c, r: c.ioloop.stop())
    conn.ioloop.start()


# the machine itself ------------------------------------------------------------------------------

class StallProbe:
    """What the machine itself did during a load, measured by a process doing almost nothing.

    CPU: it sleeps in 5 ms ticks and notes every wake-up more than 30 ms late. The scheduler
    favours a sleeper that wakes, so a late wake-up means the whole machine was held up (every
    core busy at once for that long, or the hypervisor not running this VM).
    Disk: a thread writes 4 KiB and fsyncs it every 50 ms in the temp directory (here the disk
    the broker's quorum queues fsync their log to). A slow fsync holds up the broker's confirms,
    and with them every message in flight, whatever the code under test does."""

    def __init__(self, tick: float = 0.005, late: float = 0.030) -> None:
        self.results, self.done = CTX.Queue(), CTX.Event()
        self.proc = CTX.Process(target=self._run, args=(self.done, self.results, tick, late), daemon=True)
        self.proc.start()

    @staticmethod
    def _run(done, results, tick: float, late: float) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        fsyncs: list[float] = []

        def disk() -> None:
            fd, path = tempfile.mkstemp(prefix="bench-fsync-")
            try:
                while not done.is_set():
                    started = time.monotonic()
                    os.pwrite(fd, bytes(4096), 0)
                    os.fsync(fd)
                    fsyncs.append((time.monotonic() - started) * 1000)
                    done.wait(0.05)
            finally:
                os.close(fd)
                os.unlink(path)
        writer = threading.Thread(target=disk, daemon=True)
        writer.start()
        stalls, due = [], time.monotonic() + tick
        while not done.is_set():
            time.sleep(max(0.0, due - time.monotonic()))
            now = time.monotonic()
            if now - due > late:
                stalls.append((now - due) * 1000)
            due = now + tick
        writer.join(5)
        results.put({"cpu": stalls, "fsync": fsyncs})

    def stop(self) -> dict[str, list[float]]:
        """Late wake-ups (ms past their due time) and every fsync's duration (ms)."""
        self.done.set()
        seen = self.results.get(timeout=10)
        self.proc.join(5)
        return seen


# the bare pipeline for (a) and (b) -------------------------------------------------------------

class BarePipeline:
    """Consume in batches (100 or 10 ms), [XML work + one SQLite row per message, one commit per
    batch], publish to 3 receivers with async confirms, ack an inbound after its 3 confirms."""

    def __init__(self, url: str, queue_name: str, exchange: str, work, prefetch: int = 300,
                 batch_size: int = 100, batch_ms: int = 10) -> None:
        self.url, self.queue, self.exchange, self.work = url, queue_name, exchange, work
        self.prefetch, self.batch_size, self.batch_ms = prefetch, batch_size, batch_ms
        self.batch, self.timer, self.seq = [], None, 0
        self.pending: collections.OrderedDict[int, list] = collections.OrderedDict()  # seq -> [tag, remaining]
        self.inflight: collections.OrderedDict[int, bool] = collections.OrderedDict()  # inbound tag -> done
        self.stopping = False

    def run(self, stop) -> None:
        self.stop_event = stop
        self.conn = pika.SelectConnection(params(self.url, "bench-pipeline"), on_open_callback=self._open,
                                          on_close_callback=lambda c, r: c.ioloop.stop())
        self.conn.ioloop.start()

    def _open(self, conn) -> None:
        conn.channel(on_open_callback=self._channel)

    def _channel(self, ch) -> None:
        self.ch = ch
        ch.confirm_delivery(self._confirm)
        ch.basic_qos(prefetch_count=self.prefetch)
        self.tag = ch.basic_consume(self.queue, self._message)
        self.conn.ioloop.call_later(0.2, self._watch)

    def _watch(self) -> None:
        if self.stop_event.is_set() and not self.stopping:
            self.stopping = True
            self.ch.basic_cancel(self.tag)
            self._flush()
        if self.stopping and not self.pending:
            self.conn.close()
            return
        self.conn.ioloop.call_later(0.05 if self.stopping else 0.2, self._watch)

    def _message(self, ch, method, props, body) -> None:
        self.batch.append((method.delivery_tag, props.message_id, body))
        if len(self.batch) >= self.batch_size:
            self._flush()
        elif self.timer is None:
            self.timer = self.conn.ioloop.call_later(self.batch_ms / 1000, self._flush)

    def _flush(self) -> None:
        if self.timer is not None:
            self.conn.ioloop.remove_timeout(self.timer)
            self.timer = None
        batch, self.batch = self.batch, []
        if not batch:
            return
        outputs = self.work(batch)          # stored (committed) before anything is published
        for (tag, key, _), outs in zip(batch, outputs):
            self.inflight[tag] = False
            entry = [tag, len(RECEIVERS)]
            for receiver, out in zip(RECEIVERS, outs):
                self.ch.basic_publish(self.exchange, receiver, out, pika.BasicProperties(
                    delivery_mode=2, message_id=f"{key}.{receiver}", content_type="application/xml"))
                self.seq += 1
                self.pending[self.seq] = entry

    def _confirm(self, frame) -> None:
        m = frame.method
        if isinstance(m, pika.spec.Basic.Nack):
            raise RuntimeError("broker nacked a publication")
        if m.multiple:
            seqs = []
            while self.pending and next(iter(self.pending)) <= m.delivery_tag:
                seqs.append(self.pending.popitem(last=False)[1])
        else:
            seqs = [self.pending.pop(m.delivery_tag)]
        for entry in seqs:
            entry[1] -= 1
            if entry[1] == 0:
                self.inflight[entry[0]] = True
        last = None                          # ack the confirmed prefix in one multiple ack
        while self.inflight and next(iter(self.inflight.values())):
            last = self.inflight.popitem(last=False)[0]
        if last is not None:
            self.ch.basic_ack(last, multiple=True)


def simple_pipeline(url: str, queue_name: str, exchange: str, work, stop) -> None:
    """(a)/(b): one message at a time; each publication waits for its confirm; then the ack."""
    conn = pika.BlockingConnection(params(url, "bench-simple"))
    ch = conn.channel()
    ch.confirm_delivery()
    ch.basic_qos(prefetch_count=300)
    for method, props, body in ch.consume(queue_name, inactivity_timeout=0.2):
        if method is None:
            if stop.is_set():
                break
            continue
        [outs] = work([(method.delivery_tag, props.message_id, body)])   # stored before publishing
        for receiver, out in zip(RECEIVERS, outs):
            ch.basic_publish(exchange, receiver, out, pika.BasicProperties(
                delivery_mode=2, message_id=f"{props.message_id}.{receiver}", content_type="application/xml"))
        ch.basic_ack(method.delivery_tag)
    ch.cancel()
    conn.close()


def plumbing_work(batch):
    return [[body] * len(RECEIVERS) for _, _, body in batch]


def make_xml_work(db_path: str):
    """(b)'s per-message work: the hub's engine read + the three outputs, one SQLite row each."""
    from datetime import datetime

    from hub.adapters import RenderContext
    from hub.composition import build_engine

    engine = build_engine()
    db = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")

    def work(batch):
        now = datetime.now(UTC)
        rows, outputs = [], []
        for _, key, body in batch:
            doc = engine.read(body).document
            outs = [engine.render(doc, FORMATS[r], RenderContext(message_id=f"{key}.{r}", sender_id="EPORTHUB",
                                                                 receiver_id=r, created_at=now)).data
                    for r in RECEIVERS]
            rows.append((key, now.isoformat(), body, *outs))
            outputs.append(outs)
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.execute("COMMIT")
        return outputs
    return work


def pipeline_process(url: str, queue_name: str, exchange: str, db_path: str | None, batched: bool, stop) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    work = make_xml_work(db_path) if db_path else plumbing_work
    if batched:
        BarePipeline(url, queue_name, exchange, work).run(stop)
    else:
        simple_pipeline(url, queue_name, exchange, work, stop)


# scenarios -------------------------------------------------------------------------------------

class Scenario:
    """Set up, measure one load, tear down. ``inbound`` is the exchange the sender publishes to."""

    name = ""
    label = ""

    def __init__(self, args, template: bytes, awbs: Awbs) -> None:
        self.args, self.template, self.awbs = args, template, awbs
        self.prefix = f"bench{uuid.uuid4().hex[:10]}"
        self.receipt = None
        self.receipts_sent = 0
        self.drain: list[str] = []

    def props(self, key: str) -> pika.BasicProperties:
        return pika.BasicProperties(delivery_mode=2, message_id=key, content_type="application/xml")

    def load(self, n: int, rate: float | None, timeout: float) -> dict:
        keys = self.awbs.take(n)
        items = [(k, self.template.replace(TEMPLATE_AWB, k.encode())) for k in keys]
        for _ in range(3):
            results = CTX.Queue()
            proc = CTX.Process(target=collect, args=(self.args.url, self.receiver_queues, self.drain, n, timeout,
                                                     results, self.receipt), daemon=True)
            proc.start()
            try:
                first = results.get(timeout=30)
            except queue.Empty:
                first = {"error": "not consuming after 30 s"}
            if "ready" in first:
                break
            print(f"  (collector failed to start: {first['error']}; trying again)", flush=True)
            proc.kill()
            proc.join(5)
        else:
            raise RuntimeError("the collector did not start")
        probe = StallProbe() if rate else None
        cpu0, own0, wall0 = self.cpu(), time.process_time(), time.monotonic()
        sent = Publisher(self.args.url, self.inbound, items, self.props, rate).run()
        own = time.process_time() - own0
        got = results.get(timeout=timeout + 30)
        if "error" in got:
            raise RuntimeError(f"collector: {got['error']}")
        stalls = probe.stop() if probe else {"cpu": [], "fsync": []}
        proc.join(10)
        self.receipts_sent += got["receipts"]
        settled = self.settle()
        cpu = {k: v - cpu0[k] for k, v in self.cpu().items()}
        cpu["clients"], wall = own + got["cpu"], time.monotonic() - wall0
        arrivals = got["arrivals"]
        series = [(sent[k], (arrivals[k] - sent[k]) * 1000) for k in keys if k in arrivals]
        if self.args.dump_latencies:
            with open(self.args.dump_latencies, "a") as out:
                out.writelines(f"{self.name} {n} {rate or 0:g} {t:.4f} {ms:.2f}\n" for t, ms in series)
        lat = sorted(ms for _, ms in series)
        span = max(arrivals.values()) - min(sent.values()) if arrivals else float("nan")
        # with receipts: from the first publish until every receipt sent is correlated (the whole job)
        whole = settled - min(sent.values()) if settled and arrivals else None
        return {"n": n, "arrived": len(lat), "partial": got["partial"], "rate": len(lat) / span,
                "settled_rate": len(lat) / whole if whole else None,
                "receipt_lag": (settled - max(arrivals.values())) * 1000 if whole else None,
                "p50": pct(lat, 50), "p99": pct(lat, 99), "receipts": got["receipts"], "status": got["status"],
                "cpu": cpu, "wall": wall, "stalls": stalls}

    def settle(self) -> float | None:
        """After a load: wait for background work (receipts) to finish; when it finished, if any."""
        return None

    def workers(self) -> list[int]:
        return []

    def receipt_workers(self) -> list[int]:
        return []

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of the broker and of the processes under test."""
        busy, idle = system_cpu()
        return {"broker": cpu_seconds(p for p, comm, _ in processes() if comm == "beam.smp"),
                "workers": cpu_seconds(self.workers()), "receipts": cpu_seconds(self.receipt_workers()),
                "system": busy, "idle": idle}


def system_cpu() -> tuple[float, float]:
    """Busy and idle CPU seconds of the whole machine so far (all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")


def serve_workers(supervisor: int) -> list[int]:
    """The worker processes a `hub serve` started in its own session, in start order (router-0 ..
    router-N-1, receipts): the spawned children in its process group."""
    found = []
    for pid, _, pgid in processes():
        if pgid == supervisor and pid != supervisor:
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass
    return sorted(found)


def processes():
    """(pid, comm, pgid) of every process."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        yield int(stat.parent.name), head.split("(", 1)[1], int(rest.split()[2])


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])        # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


class Bare(Scenario):
    def __init__(self, args, template, awbs, xml: bool, batched: bool) -> None:
        super().__init__(args, template, awbs)
        self.xml, self.batched = xml, batched
        self.name = ("(b" if xml else "(a") + ("+)" if batched else ")")
        self.label = (("bare + XML work + SQLite row" if xml else "bare plumbing") + (", batched" if batched else "")
                      + f", {args.workers} proc")
        self.inbound, self.outbound = f"{self.prefix}.in", f"{self.prefix}.out"
        self.receiver_queues = [f"{self.prefix}.out.{r}" for r in RECEIVERS]
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-bare-")

    def __enter__(self):
        conn = pika.BlockingConnection(params(self.args.url, "bench-setup"))
        ch = conn.channel()
        ch.exchange_declare(self.inbound, "fanout", durable=True)
        ch.exchange_declare(self.outbound, "direct", durable=True)
        ch.queue_declare(self.inbound, durable=True, arguments=quorum())
        ch.queue_bind(self.inbound, self.inbound)
        for r, q in zip(RECEIVERS, self.receiver_queues):
            ch.queue_declare(q, durable=True, arguments=quorum())
            ch.queue_bind(q, self.outbound, routing_key=r)
        conn.close()
        db_path = None
        if self.xml:
            db_path = os.path.join(self.tmp.name, "bare.db")
            db = sqlite3.connect(db_path)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("CREATE TABLE messages (id TEXT PRIMARY KEY, received_at TEXT NOT NULL, raw BLOB NOT NULL, "
                       "out1 BLOB NOT NULL, out2 BLOB NOT NULL, out3 BLOB NOT NULL)")
            db.close()
        self.stop = CTX.Event()
        args = (self.args.url, self.inbound, self.outbound, db_path, self.batched, self.stop)
        self.procs = [CTX.Process(target=pipeline_process, args=args) for _ in range(self.args.workers)]
        for p in self.procs:
            p.start()
        return self

    def workers(self) -> list[int]:
        return [p.pid for p in self.procs]

    def __exit__(self, *exc):
        self.stop.set()
        for p in self.procs:
            p.join(15)
            if p.is_alive():
                p.kill()
        delete(self.args.url, [self.inbound, *self.receiver_queues], [self.inbound, self.outbound])
        self.tmp.cleanup()


class Hub(Scenario):
    def __init__(self, args, template, awbs, receipts: bool = True) -> None:
        super().__init__(args, template, awbs)
        from hub.adapters import RenderContext
        from hub.composition import build_engine
        from hub.models import Receipt, ReceiptStatus
        from hub.settings import Settings
        from hub.transport.base import Topology
        from hub.worker.serve import hub_user

        self.name = "(c)" if receipts else "(c0)"
        self.label = f"hub serve --workers {args.workers}" + (", with receipts" if receipts else ", no receipts")
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-hub-")
        self.store_path = os.path.join(self.tmp.name, "store.db")
        self.env = {**os.environ, "HUB_TOPOLOGY_PREFIX": self.prefix, "HUB_STORE_URL": f"sqlite:///{self.store_path}",
                    "HUB_ROUTES": str(ROOT / "routes.yaml"), "HUB_AMQP_URL": args.url,
                    "HUB_QUEUE_EXPIRES_MS": str(EXPIRES_MS), "HUB_LOG_LEVEL": "WARNING"}
        self.settings = Settings(topology_prefix=self.prefix, store_url=f"sqlite:///{self.store_path}",
                                 routes=ROOT / "routes.yaml", amqp_url=args.url, queue_expires_ms=EXPIRES_MS)
        self.topology = Topology(self.prefix)
        self.user = hub_user(self.settings)
        self.inbound = self.topology.inbound
        self.receiver_queues = [self.topology.receiver_queue(r) for r in RECEIVERS]
        self.drain = [self.topology.sender_queue(SENDER)]
        mt9999 = build_engine().render(Receipt(answers_message_id=RECEIPT_ID.decode(), answers_type="MT1101",
                                               business_key=RECEIPT_AWB.decode(), issuer="CUSTOMS-CN",
                                               status=ReceiptStatus.ACCEPTED, agency_status="01"),
                                       "gacc-mt9999", RenderContext(message_id="CUSTOMS-CN-RECEIPT")).data
        self.receipt = {"routing_key": "CUSTOMS-CN", "exchange": self.topology.receipts, "user": self.user,
                        "template": mt9999} if receipts else None

    def props(self, key: str) -> pika.BasicProperties:
        return pika.BasicProperties(delivery_mode=2, message_id=f"CA-{key}", content_type="application/xml",
                                    user_id=self.user, headers={"x-hub-sender": SENDER})

    def __enter__(self):
        from hub.worker.serve import declare
        self.queues = declare(self.settings)     # serve declares the same; here to know what to delete
        self.log = open(os.path.join(self.tmp.name, "serve.log"), "wb")
        self.proc = subprocess.Popen([str(Path(sys.executable).parent / "hub"), "serve", "--workers",
                                      str(self.args.workers)], env=self.env, cwd=str(ROOT), start_new_session=True,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.spy = None
        if self.args.py_spy:       # sample serve and its workers (py-spy's collapsed-stack format)
            self.spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses",
                                         "--format", "raw", "--rate", "100", "-o", self.args.py_spy,
                                         "--pid", str(self.proc.pid)], stdout=subprocess.DEVNULL)
        return self

    def _children(self) -> list[int]:
        """serve's workers, in start order (router-0 .. router-N-1, receipts)."""
        return serve_workers(self.proc.pid)

    def workers(self) -> list[int]:
        return [self.proc.pid, *self._children()[:-1]]

    def receipt_workers(self) -> list[int]:
        return self._children()[-1:]

    def settle(self, timeout: float = 60.0) -> float | None:
        """Wait until the receipts sent so far are correlated (ACCEPTED CUSTOMS-CN deliveries ==
        receipts sent); return when (time.monotonic), or None without receipts or after ``timeout``."""
        if not self.receipt:
            return None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.correlated() >= self.receipts_sent:
                return time.monotonic()
            time.sleep(0.02)
        print(f"  (receipts not all correlated after {timeout:.0f}s: {self.correlated()}/{self.receipts_sent})")
        return None

    def correlated(self) -> int:
        db = sqlite3.connect(f"file:{self.store_path}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute("SELECT count(*) FROM deliveries WHERE receiver = 'CUSTOMS-CN' "
                              "AND state = 'ACCEPTED'").fetchone()[0]
        finally:
            db.close()

    def __exit__(self, *exc):
        stop_serve(self.proc)
        self.log.close()
        lines = [line for line in Path(self.log.name).read_text(errors="replace").splitlines() if line.strip()]
        if lines:
            print(f"  hub serve logged {len(lines)} lines (warnings and above); the first ones:")
            for line in lines[:12]:
                print("    " + line[:220])
        if self.spy is not None:
            self.spy.wait(30)
        t = self.topology
        delete(self.args.url, self.queues, [t.inbound, t.outbound, t.receipts, t.status, t.retry, t.dead])
        self.tmp.cleanup()


def stop_serve(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """SIGTERM to serve's own process group (its session, by its id): every worker finishes what it
    has in flight and exits even if serve could not pass the signal on; serve gets SIGKILL if it is
    still there once its workers are gone, and so does anything left in the group."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None and \
            sum(1 for _, _, pgid in processes() if pgid == proc.pid) > 1:
        time.sleep(0.2)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        print("  (hub serve did not exit after SIGTERM once its workers had stopped: killed)")
        proc.kill()
        proc.wait(10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)    # whatever is left of that group (resource tracker)
    except ProcessLookupError:
        pass


def delete(url: str, queues: list[str], exchanges: list[str]) -> None:
    conn = pika.BlockingConnection(params(url, "bench-cleanup"))
    ch = conn.channel()
    for q in queues:
        ch.queue_delete(q)
    for e in exchanges:
        ch.exchange_delete(e)
    conn.close()


def stalled(seen: dict[str, list[float]]) -> str:
    cpu, fsync = seen["cpu"], seen["fsync"]
    said = (f"CPU stalled {len(cpu)} times over 30 ms, longest {max(cpu):,.0f} ms" if cpu
            else "CPU never stalled over 30 ms")
    if fsync:
        slow = sum(1 for ms in fsync if ms > 50)
        said += f"; disk fsyncs: median {pct(sorted(fsync), 50):.1f} ms, {slow} of {len(fsync)} over 50 ms, " \
                f"slowest {max(fsync):,.0f} ms"
    return said


def run(scenario: Scenario, args) -> dict:
    with scenario:
        t0 = time.monotonic()
        warm = scenario.load(args.warmup, None, 120)    # start-up, schema compilation, connections
        burst = scenario.load(args.messages, None, max(120, args.messages / 50))
        paced = scenario.load(int(args.rate * args.paced_seconds), args.rate, args.paced_seconds + 120)
        extra = {}
        if isinstance(scenario, Hub) and scenario.receipt:
            extra["correlated"] = scenario.correlated()
        print(f"  {scenario.name} done in {time.monotonic() - t0:.0f}s: burst {burst['arrived']}/{burst['n']} "
              f"arrived ({burst['partial']} partly), {burst['rate']:,.0f} msg/s, p50 {burst['p50']:.0f} ms, "
              f"p99 {burst['p99']:.0f} ms; "
              f"paced {paced['arrived']}/{paced['n']} arrived ({paced['partial']} partly) at {paced['rate']:,.0f} msg/s"
              f" ({stalled(paced['stalls'])})"
              + (f"; receipts {scenario.receipts_sent} sent, {extra['correlated']} correlated, "
                 f"{burst['status'] + paced['status'] + warm['status']} status events" if extra else "")
              + (f"; the burst's last receipt correlated {burst['receipt_lag']:,.0f} ms after its last delivery "
                 f"arrived ({burst['settled_rate']:,.0f} msg/s receipts included)"
                 if burst["receipt_lag"] is not None else "")
              + (f", the paced load's {paced['receipt_lag']:,.0f} ms after" if paced["receipt_lag"] is not None
                 else ""),
              flush=True)
        return {"burst": burst, "paced": paced, **extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000, help="messages in the throughput load")
    parser.add_argument("--rate", type=float, default=300.0, help="msgs/s of the paced load")
    parser.add_argument("--paced-seconds", type=float, default=10.0, help="duration of the paced load")
    parser.add_argument("--warmup", type=int, default=200, help="messages sent (and awaited) before measuring")
    parser.add_argument("--workers", type=int, default=2, help="hub routers, and bare pipeline processes")
    parser.add_argument("--only", default="abABcn", help="scenarios to run, e.g. 'bBc' ('A', 'B': (a+), (b+), "
                        "batched; 'n': (c0), the hub without agency receipts)")
    parser.add_argument("--py-spy", metavar="FILE", help="profile (c) with py-spy (collapsed stacks to FILE)")
    parser.add_argument("--dump-latencies", metavar="FILE", help="append 'scenario n rate sent_at latency_ms' lines")
    parser.add_argument("--url", default=os.environ.get("HUB_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    args = parser.parse_args()

    template, awbs = EXAMPLE.read_bytes(), Awbs()
    assert template.count(TEMPLATE_AWB) >= 1
    makers = {"a": lambda: Bare(args, template, awbs, xml=False, batched=False),
              "b": lambda: Bare(args, template, awbs, xml=True, batched=False),
              "A": lambda: Bare(args, template, awbs, xml=False, batched=True),
              "B": lambda: Bare(args, template, awbs, xml=True, batched=True),
              "c": lambda: Hub(args, template, awbs), "n": lambda: Hub(args, template, awbs, receipts=False)}
    print(f"{EXAMPLE.name} ({len(template)} bytes, AWB varied) -> {', '.join(f'{r} {FORMATS[r]}' for r in RECEIVERS)}; "
          f"quorum queues, persistent, confirms; throughput load {args.messages} msgs, paced load {args.rate:g} "
          f"msgs/s for {args.paced_seconds:g}s", flush=True)
    results = {}
    for key in args.only:
        scenario = makers[key]()
        results[scenario.name] = (scenario.label, run(scenario, args))

    bases = {name: results[name][1]["burst"]["rate"] for name in ("(b)", "(b+)") if name in results}

    def ratio(rate: float, base: str) -> str:
        return f"{rate / bases[base]:.2f}x" if base in bases else "-"

    print()
    print(f"{'scenario':<52} {'msgs/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs (b)':>7} {'vs (b+)':>7}")
    print(f"{'':<52} {'(burst)':>8} {'(paced)':>8} {'(paced)':>8} {'msgs/s':>7} {'msgs/s':>7}")
    for name, (label, r) in results.items():
        rate = r["burst"]["rate"]
        print(f"{name + ' ' + label:<52} {rate:>8,.0f} {r['paced']['p50']:>8.1f} "
              f"{r['paced']['p99']:>8.1f} {ratio(rate, '(b)'):>7} {ratio(rate, '(b+)'):>7}")
    print("\nCPU ms per message in the throughput load, from its first publish until its receipts are "
          "correlated; 'other procs' = the machine's busy time not accounted for by these processes:")
    print(f"{'scenario':<52} {'broker':>8} {'routers':>8} {'receipts':>8} {'sender+':>8} {'other':>8} "
          f"{'idle':>8} {'wall ms':>8}")
    print(f"{'':<52} {'':>8} {'/ bare':>8} {'worker':>8} {'receivers':>8} {'procs':>8} {'':>8} "
          f"{f'x {CORES} cores':>8}")
    for name, (label, r) in results.items():
        b = r["burst"]
        per = {k: v * 1000 / b["n"] for k, v in b["cpu"].items()}
        other = per["system"] - per["broker"] - per["workers"] - per["receipts"] - per["clients"]
        print(f"{name + ' ' + label:<52} {per['broker']:>8.2f} {per['workers']:>8.2f} {per['receipts']:>8.2f} "
              f"{per['clients']:>8.2f} {other:>8.2f} {per['idle']:>8.2f} {b['wall'] * 1000 * CORES / b['n']:>8.2f}")
    print()
    for name in ("(c)", "(c0)"):
        if name in results:
            hub = results[name][1]
            rate = hub["burst"]["rate"]
            p99_met = hub["paced"]["p99"] < 100
            verdicts = [f">= 1,000 msgs/s {'met' if rate >= 1000 else 'MISSED'}",
                        f"p99 < 100 ms at {args.rate:g} msgs/s {'met' if p99_met else 'MISSED'}"
                        + ("" if p99_met else f" ({stalled(hub['paced']['stalls'])})")]
            verdicts += [f">= {base} {'met' if rate >= bases[base] else 'MISSED'}" for base in bases]
            if hub["burst"]["settled_rate"]:
                verdicts.append(f"(until every receipt is correlated: {hub['burst']['settled_rate']:,.0f} msgs/s)")
            print(f"targets for {name}: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
