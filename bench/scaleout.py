"""Scale-out on the real broker: the hub on SQLite vs PostgreSQL, 1 node vs 2, beside (b+), in one run.

    python bench/scaleout.py [--messages 3000] [--rate 300] [--paced-seconds 5] [--postgres URL]

Issue 13, point 6. The load, the receivers, the agency simulator (an MT9999 receipt for every
CUSTOMS-CN delivery) and the CPU accounting are bench/runtime_throughput.py's, imported, so the
figures are comparable with its (b+) and (c). Rows, each on its own topology prefix:

  (b+) 2 procs / 1 proc   the bare batched pipeline with the hub's XML work: the floor
  SQLite, 1 node, --workers 1 and --workers 2
  PostgreSQL, 1 node, --workers 1            one schema of the run's own (created, dropped at the end)
  PostgreSQL, 2 nodes, --workers 1 each      two `hub serve` processes, distinct HUB_NODE_ID, one schema:
                                             they compete for the inbound and the receipt queues

Why --workers 1 per node: then 2 nodes are 2 routers and 2 receipt workers, the same count as one
SQLite node at --workers 2 (2 routers, 1 receipt worker), so the rows separate what the store costs
from what the second process buys. CPU per message is read from /proc (utime + stime; no psutil):
the broker (beam.smp), the routers (with each node's supervisor), the receipt workers, the
PostgreSQL backends serving the nodes (found by application_name, which a node sets to its
HUB_NODE_ID) and the whole PostgreSQL server (every `postgres` process plus the backends it reaped:
WAL writer and checkpointer included, other users of the server too). The closing paragraph turns
the CPU figures into ceilings: msgs/s <= cores given to a component * 1000 / its CPU ms per message.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runtime_throughput as rt  # noqa: E402  (bench/ is not a package: its sibling, by path)

POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_cpu() -> float:
    """CPU seconds so far of the whole PostgreSQL server: every live `postgres` process, and the
    backends that have exited (the postmaster reaped them: its children's times)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid, comm, _ in rt.processes():
        if comm != "postgres":
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if int(fields[1]) == 1:                # the postmaster: + cutime + cstime
            total += int(fields[13]) + int(fields[14])
    return total / tick


class Nodes(rt.Hub):
    """``nodes`` `hub serve --workers W` processes on one prefix and one store (SQLite file or a
    PostgreSQL schema of the run's own), with agency receipts."""

    def __init__(self, args, template: bytes, awbs: rt.Awbs, store: str, nodes: int, workers: int) -> None:
        own = argparse.Namespace(**{**vars(args), "workers": workers, "py_spy": None})
        super().__init__(own, template, awbs, receipts=True)
        self.store, self.nodes = store, nodes
        self.name = f"hub {store} {nodes}x{workers}"
        self.label = f"{nodes} node{'s' if nodes > 1 else ''}, --workers {workers}"
        self.schema = None
        if store == "postgresql":
            self.schema = f"bench_{self.prefix}"
            self.pg_url = args.postgres
            url = f"{args.postgres}?options=-csearch_path%3D{self.schema}"
            self.env["HUB_STORE_URL"] = url
            self.settings = self.settings.model_copy(update={"store_url": url})
        self.procs: list = []

    def __enter__(self):
        from hub.worker.serve import declare
        if self.schema:
            with psycopg.connect(self.pg_url, autocommit=True) as admin:
                admin.execute(f'CREATE SCHEMA "{self.schema}"')
        self.queues = declare(self.settings)
        self.log = open(os.path.join(self.tmp.name, "serve.log"), "ab")
        hub = str(Path(sys.executable).parent / "hub")
        for i in range(self.nodes):
            env = {**self.env, "HUB_NODE_ID": f"{self.prefix}-node{i}"}
            self.procs.append(rt.subprocess.Popen([hub, "serve", "--workers", str(self.args.workers)], env=env,
                                                  cwd=str(rt.ROOT), start_new_session=True, stdout=self.log,
                                                  stderr=rt.subprocess.STDOUT))
        self.proc = self.procs[0]
        self.spy = None
        return self

    def _node_children(self, proc) -> list[int]:
        return rt.serve_workers(proc.pid)

    def workers(self) -> list[int]:
        return [pid for p in self.procs for pid in (p.pid, *self._node_children(p)[:-1])]

    def receipt_workers(self) -> list[int]:
        return [pid for p in self.procs for pid in self._node_children(p)[-1:]]

    def backends(self) -> list[int]:
        """The PostgreSQL backends serving this run's nodes (application_name = HUB_NODE_ID)."""
        if not self.schema:
            return []
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s",
                                               (f"{self.prefix}-node%",)).fetchall()]

    def cpu(self) -> dict[str, float]:
        seen = super().cpu()
        seen["pg_nodes"] = rt.cpu_seconds(self.backends())
        seen["pg_all"] = postgres_cpu()
        return seen

    def correlated(self) -> int:
        if not self.schema:
            return super().correlated()
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute("SELECT set_config('search_path', %s, false)", (f'"{self.schema}"',))
            row = conn.execute("SELECT count(*) FROM deliveries WHERE receiver = 'CUSTOMS-CN' "
                               "AND state = 'ACCEPTED'").fetchone()
            return int(row[0]) if row else 0

    def __exit__(self, *exc):
        for proc in self.procs:
            rt.stop_serve(proc)
        self.log.close()
        lines = [line for line in Path(self.log.name).read_text(errors="replace").splitlines() if line.strip()]
        if lines:
            print(f"  hub serve logged {len(lines)} lines (warnings and above); the first ones:")
            for line in lines[:12]:
                print("    " + line[:220])
        t = self.topology
        rt.delete(self.args.url, self.queues, [t.inbound, t.outbound, t.receipts, t.status, t.retry, t.dead])
        if self.schema:
            with psycopg.connect(self.pg_url, autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{self.schema}" CASCADE')
        self.tmp.cleanup()


class Floor(rt.Bare):
    """(b+) with its own process count, and the PostgreSQL server's CPU read like the hub rows'."""

    def __init__(self, args, template: bytes, awbs: rt.Awbs, procs: int) -> None:
        super().__init__(argparse.Namespace(**{**vars(args), "workers": procs}), template, awbs, xml=True,
                         batched=True)
        self.name = f"(b+) {procs} proc"
        self.label = "bare + XML work + SQLite row, batched"

    def cpu(self) -> dict[str, float]:
        seen = super().cpu()
        seen["pg_nodes"], seen["pg_all"] = 0.0, postgres_cpu()
        return seen


def per_message(burst: dict) -> dict[str, float]:
    """CPU ms per message of one throughput load, by column; 'other' is the machine's busy time in
    no column (here: mostly the other users of the machine), 'own' the run's own processes."""
    per = {k: v * 1000 / burst["n"] for k, v in burst["cpu"].items()}
    per["hub"] = per["workers"] + per["receipts"]
    per["own"] = per["broker"] + per["hub"] + per["clients"] + per["pg_all"]
    per["other"] = per["system"] - per["own"]
    return per


class Row:
    """One row's loads, repeated or not: its figures are the mean over the repeats."""

    def __init__(self, name: str, label: str) -> None:
        self.name, self.label, self.runs = name, label, []

    def rate(self, key: str = "rate") -> float:
        return mean([r["burst"][key] or r["burst"]["rate"] for r in self.runs])

    def per(self) -> dict[str, float]:
        each = [per_message(r["burst"]) for r in self.runs]
        return {k: mean([p[k] for p in each]) for k in each[0]}


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def conclude(rows: dict[str, Row], cores: int) -> str:
    """The closing paragraph, from the figures of this run only."""
    said = []
    one, two = rows.get("hub postgresql 1x1"), rows.get("hub postgresql 2x1")
    sq1, sq2, floor = rows.get("hub sqlite 1x1"), rows.get("hub sqlite 1x2"), rows.get("(b+) 2 proc")
    if not (one and two):
        return "(the PostgreSQL rows 'p' and 'P' were not run: no conclusion)"
    r1, r2 = one.rate(), two.rate()
    said.append(f"Here ({cores} cores shared by the hub nodes, the broker, PostgreSQL, the bench's own sender "
                f"and receivers, and whatever else ran) the second PostgreSQL node took the hub from {r1:,.0f} to "
                f"{r2:,.0f} msgs/s: {r2 / r1:.2f}x ({one.rate('settled_rate'):,.0f} -> "
                f"{two.rate('settled_rate'):,.0f} msgs/s until every receipt was correlated).")
    if sq1 and sq2:
        said.append(f"One SQLite node went from {sq1.rate():,.0f} (1 router) to {sq2.rate():,.0f} msgs/s "
                    f"(2 routers): {sq2.rate() / sq1.rate():.2f}x.")
    if floor:
        said.append(f"The floor (b+) with 2 processes did {floor.rate():,.0f} msgs/s; PostgreSQL 2 nodes are "
                    f"{r2 / floor.rate():.2f}x of it, SQLite 1 node x2 "
                    + (f"{sq2.rate() / floor.rate():.2f}x." if sq2 else "not run."))
    p1, p2 = one.per(), two.per()
    busy = p2["system"] / (p2["system"] + p2["idle"])
    said.append(f"During the 2-node load the cores were {busy * 100:.0f}% busy, {p2['other'] / p2['system'] * 100:.0f}%"
                f" of that outside this run's processes ({p2['other']:.2f} ms per message): "
                + ("the cores were the limit, so the second node could only buy what the first left idle."
                   if busy > 0.85 else "the cores were not the limit: the wait was elsewhere (the broker's "
                   "confirms, the store's commits, the single inbound quorum queue)."))
    said.append(f"CPU per message with 2 nodes: hub {p2['hub']:.2f} ms (routers and supervisors {p2['workers']:.2f}, "
                f"receipt workers {p2['receipts']:.2f}; with 1 node {p1['hub']:.2f}), broker {p2['broker']:.2f}, "
                f"PostgreSQL {p2['pg_all']:.2f} (the nodes' backends {p2['pg_nodes']:.2f}), the bench's clients "
                f"{p2['clients']:.2f}: {p2['own']:.2f} ms of this run's own, so {cores} cores with nothing else on "
                f"them stop at {cores * 1000 / p2['own']:,.0f} msgs/s, whatever the node count.")
    ceilings = []
    for name, ms in (("hub nodes", p2["hub"]), ("the broker", p2["broker"]), ("PostgreSQL", p2["pg_all"])):
        if ms > 0:
            ceilings.append(f"{name} {1000 / ms:,.0f} msgs/s per core ("
                            + ", ".join(f"{n} cores {n * 1000 / ms:,.0f}" for n in (2, 4, 8)) + ")")
    said.append("On more cores each part's ceiling is cores * 1000 / its CPU ms per message: " + "; ".join(ceilings)
                + ". Nodes share only the store and the queues, so the hub's ceiling grows by one core's worth per "
                "node given a core of its own (at --workers 1 a node is one router and one receipt worker); the "
                "real ceiling is the lowest of the three for the cores each gets, and the broker's holds only while "
                "its work spreads over its cores (the inbound queue is one quorum queue: one Raft leader, one "
                "Erlang process).")
    return " ".join(said)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3000, help="messages in the throughput load")
    parser.add_argument("--rate", type=float, default=200.0, help="msgs/s of the paced load (p50/p99)")
    parser.add_argument("--paced-seconds", type=float, default=5.0, help="duration of the paced load")
    parser.add_argument("--warmup", type=int, default=200, help="messages sent (and awaited) before measuring")
    parser.add_argument("--only", default="BsSpPPpSsB",
                        help="rows in order, a letter may repeat (its figures are then the mean; the default runs "
                        "every row twice, forth and back, so a machine load that drifts weighs on each alike): 'B' "
                        "(b+) 2 procs, 'b' (b+) 1 proc, 's' SQLite 1 node x1, 'S' SQLite 1 node x2, 'p' PostgreSQL 1 "
                        "node, 'P' PostgreSQL 2 nodes")
    parser.add_argument("--postgres", default=POSTGRES_URL, help="the PostgreSQL database (a schema per row in it)")
    parser.add_argument("--url", default=os.environ.get("HUB_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    args = parser.parse_args()
    args.dump_latencies, args.py_spy, args.workers = None, None, 1

    template, awbs = rt.EXAMPLE.read_bytes(), rt.Awbs()
    makers = {"B": lambda: Floor(args, template, awbs, 2), "b": lambda: Floor(args, template, awbs, 1),
              "s": lambda: Nodes(args, template, awbs, "sqlite", 1, 1),
              "S": lambda: Nodes(args, template, awbs, "sqlite", 1, 2),
              "p": lambda: Nodes(args, template, awbs, "postgresql", 1, 1),
              "P": lambda: Nodes(args, template, awbs, "postgresql", 2, 1)}
    print(f"{rt.EXAMPLE.name} -> {', '.join(rt.RECEIVERS)}, receipts from CUSTOMS-CN; throughput load "
          f"{args.messages} msgs, paced {args.rate:g} msgs/s for {args.paced_seconds:g}s; {rt.CORES} cores",
          flush=True)
    started = time.monotonic()
    rows: dict[str, Row] = {}
    for key in args.only:
        scenario = makers[key]()
        rows.setdefault(scenario.name, Row(scenario.name, scenario.label)).runs.append(rt.run(scenario, scenario.args))

    base = rows["(b+) 2 proc"].rate() if "(b+) 2 proc" in rows else None
    print(f"\nall loads in {time.monotonic() - started:.0f}s. msgs/s: throughput load (first publish to last "
          "arrival); 'settled': until every receipt is correlated; p50/p99: paced load, ms; a row run more than "
          "once shows the mean, its runs' msgs/s after it")
    print(f"{'row':<20} {'':<38} {'msgs/s':>7} {'settled':>7} {'vs b+':>6} {'p50':>6} {'p99':>6} | "
          f"{'broker':>6} {'router':>6} {'rcpt':>6} {'pg':>6} {'pg':>6} {'bench':>7} {'other':>6} {'idle':>6}")
    print(f"{'':<20} {'':<38} {'':>7} {'msgs/s':>7} {'2proc':>6} {'ms':>6} {'ms':>6} | "
          f"{'':>6} {'s':>6} {'wrkrs':>6} {'nodes':>6} {'server':>6} {'clients':>7} {'procs':>6} {'':>6}")
    for name, row in rows.items():
        per, paced = row.per(), [r["paced"] for r in row.runs]
        settled = f"{row.rate('settled_rate'):,.0f}" if row.runs[0]["burst"]["settled_rate"] else "-"
        vs = f"{row.rate() / base:.2f}x" if base else "-"
        each = " (" + ", ".join(f"{r['burst']['rate']:,.0f}" for r in row.runs) + ")" if len(row.runs) > 1 else ""
        print(f"{name:<20} {row.label:<38} {row.rate():>7,.0f} {settled:>7} {vs:>6} "
              f"{mean([p['p50'] for p in paced]):>6.1f} {mean([p['p99'] for p in paced]):>6.1f} | "
              f"{per['broker']:>6.2f} {per['workers']:>6.2f} {per['receipts']:>6.2f} {per['pg_nodes']:>6.2f} "
              f"{per['pg_all']:>6.2f} {per['clients']:>7.2f} {per['other']:>6.2f} {per['idle']:>6.2f}{each}")
    print("(CPU ms per message of the throughput load; 'routers' include each node's supervisor; 'pg server' "
          "counts every PostgreSQL process, other users' too; 'other procs' = the machine's busy time in no "
          "column: other users of the machine, kernel work)\n")
    print(conclude(rows, rt.CORES))


if __name__ == "__main__":
    main()
