"""Several hub nodes on one store, on every engine: one ACCEPTED original however the inserts race,
leases on PENDING deliveries (never two nodes for one), one leader at a time, the database's clock."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest

from hub.store.base import MessageStatus
from hub.store.clock import DatabaseClock
from tests.store.conftest import T0, Backend
from tests.store.test_store import _migrate, message

PAST = "2000-01-01T00:00:00.000000+00:00"


# duplicates across nodes ---------------------------------------------------------------------------

def test_an_original_recorded_twice_under_two_ids_is_stored_once_and_the_later_is_its_duplicate(store, backend):
    store.record([message("HUB-1", sender_message_id="AMQP-7")], source="router")
    # another node looked up before HUB-1 was committed and found no original
    created = store.record([message("HUB-2", sender_message_id="AMQP-7", business_key="BK-2")], source="router")
    assert created == []
    second = store.message("HUB-2")
    assert (second.status, second.duplicate_of) == (MessageStatus.DUPLICATE, "HUB-1")
    assert store.deliveries("HUB-2") == []
    assert [(e.type, e.detail.get("duplicate_of")) for e in store.events("HUB-2")] == [("message.duplicate", "HUB-1")]
    assert backend.row("SELECT COUNT(*) FROM messages WHERE status = 'ACCEPTED'") == (1,)


def test_the_same_business_key_races_alike_a_missing_kind_and_function_matching_each_other(store):
    store.record([message("HUB-1", business_key="AWB-1", kind=None, function=None)], source="router")
    created = store.record([message("HUB-2", business_key="AWB-1", kind=None, function=None),
                            message("HUB-3", business_key="AWB-1", kind=None, function="amend")], source="router")
    assert [d.message_id for d in created] == ["HUB-3"]          # an amendment is no repeat
    assert store.message("HUB-2").duplicate_of == "HUB-1"
    assert store.message("HUB-3").status is MessageStatus.ACCEPTED


def test_two_originals_in_one_batch_keep_the_first(store):
    created = store.record([message("HUB-1", business_key="AWB-1"), message("HUB-2", business_key="AWB-1")],
                           source="router")
    assert {d.message_id for d in created} == {"HUB-1"}
    assert store.message("HUB-2").duplicate_of == "HUB-1"


def test_a_replay_that_would_make_a_second_original_becomes_a_duplicate(store):
    store.record([message("HUB-2", MessageStatus.REJECTED, business_key="AWB-1")], source="router")
    store.record([message("HUB-1", business_key="AWB-1")], source="router")
    assert store.record([message("HUB-2", business_key="AWB-1")], source="replay") == []
    assert (store.message("HUB-2").status, store.message("HUB-2").duplicate_of) == (MessageStatus.DUPLICATE, "HUB-1")


def _record_repeats(args: tuple[Backend, str]) -> list[int]:
    """One node recording the same 40 repeats as the others, each under its own hub id."""
    backend, node = args
    s = backend.open(node=node)
    try:
        return [len(s.record([message(f"HUB-{node}-{n}", sender_message_id=f"AMQP-{n}", business_key=f"AWB-{n}")],
                             source=node)) for n in range(40)]
    finally:
        s.close()


def test_three_nodes_recording_the_same_repeats_at_once_store_one_original_of_each(backend):
    _migrate(backend)
    with multiprocessing.get_context("fork").Pool(3) as pool:
        created = pool.map(_record_repeats, [(backend, node) for node in "ABC"])
    assert [sum(per_node[n] for per_node in created) for n in range(40)] == [1] * 40   # no error, one each
    rows = backend.rows("SELECT sender_message_id, status, duplicate_of FROM messages")
    originals = {smid: None for smid, status, _ in rows if status == "ACCEPTED"}
    assert len(rows) == 120 and len(originals) == 40
    winner = {smid: backend.row("SELECT id FROM messages WHERE status = 'ACCEPTED' AND sender_message_id = ?",
                                smid)[0] for smid in originals}
    assert all(dup == winner[smid] for smid, status, dup in rows if status == "DUPLICATE")
    assert backend.counts()["deliveries"] == 40


def test_the_migration_keeps_the_earliest_of_twins_stored_before_it(backend, monkeypatch, clock):
    from hub.store import postgres_schema, sqlite_schema
    schema = sqlite_schema if backend.engine == "sqlite" else postgres_schema
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:4])
        old = backend.open(clock)
        assert old.migrate() == 4
        old.close()
    rows = [(id_, smid, key, f"2026-11-27T08:00:0{n}.000000+00:00")
            for n, (id_, smid, key) in enumerate([("HUB-B", "AMQP-1", "K-1"), ("HUB-A", "AMQP-1", "K-9"),
                                                   ("HUB-C", "AMQP-3", "K-1"), ("HUB-D", "AMQP-4", "K-4")])]
    backend.insert_many("INSERT INTO messages (id, sender, sender_message_id, business_key, kind, received_at, "
                        "status, sha256, size, updated_at, raw) VALUES (?, 'S', ?, ?, 'waybill', ?, 'ACCEPTED', "
                        "'', 0, '', '')", rows)
    new = backend.open(clock)
    assert new.migrate() == len(schema.MIGRATIONS)
    new.close()
    assert backend.rows("SELECT id, status, duplicate_of FROM messages ORDER BY id") == [
        ("HUB-A", "DUPLICATE", "HUB-B"), ("HUB-B", "ACCEPTED", None), ("HUB-C", "DUPLICATE", "HUB-B"),
        ("HUB-D", "ACCEPTED", None)]


# leases --------------------------------------------------------------------------------------------

def test_a_delivery_is_leased_to_the_node_that_stored_it_and_no_other_takes_it_meanwhile(backend, clock):
    a, b, c = (backend.open(clock, node=n) for n in "ABC")
    try:
        a.migrate()
        (d,) = a.record([message()], source="router")
        assert backend.row("SELECT leased_by FROM deliveries WHERE id = ?", d.id) == ("A",)
        if backend.engine == "sqlite":          # one node per file: the caller knows what it has in flight
            assert [t.id for t, _ in b.lease_pending()] == [d.id]
            return
        assert b.lease_pending() == []
        backend.execute("UPDATE deliveries SET lease_until = ?", PAST)       # A died: its lease ran out
        taken = b.lease_pending()
        assert [(t.id, p) for t, p in taken] == [(d.id, a.payload(d.id))]
        assert backend.row("SELECT leased_by FROM deliveries WHERE id = ?", d.id) == ("B",)
        assert c.lease_pending() == [] and a.lease_pending() == []
    finally:
        for s in (a, b, c):
            s.close()


def test_a_lease_is_counted_on_the_database_clock_not_the_node_clock(backend, clock):
    clock.now = datetime(2031, 1, 1, tzinfo=UTC)          # a node five years ahead
    ahead = backend.open(clock, node="AHEAD", lease=timedelta(seconds=30))
    try:
        ahead.migrate()
        ahead.record([message()], source="router")
        until = datetime.fromisoformat(backend.row("SELECT lease_until FROM deliveries")[0])
        assert abs(until - (datetime.now(UTC) + timedelta(seconds=30))) < timedelta(seconds=5)
        if backend.engine == "postgres":
            assert ahead.lease_pending() == []             # its own lease holds whatever its clock says
    finally:
        ahead.close()


def test_pending_leased_with_unchanged_since_takes_only_the_stale(store, backend, clock):
    store.record([message("HUB-1")], source="router")
    clock.advance(120)
    store.record([message("HUB-2")], source="router")
    backend.execute("UPDATE deliveries SET lease_until = ?", PAST)
    taken = store.lease_pending(unchanged_since=clock.now - timedelta(seconds=60))
    assert [d.message_id for d, _ in taken] == ["HUB-1"]


def _lease_all(args: tuple[Backend, str]) -> list[int]:
    backend, node = args
    s = backend.open(node=node)
    taken: list[int] = []
    try:
        while batch := s.lease_pending(limit=7):
            taken += [d.id for d, _ in batch]
            time.sleep(0.002)
        return taken
    finally:
        s.close()


def test_three_nodes_leasing_at_once_never_take_one_delivery_twice(backend):
    s = backend.open()
    try:
        s.migrate()
        for b in range(6):
            s.record([message(f"HUB-{b}-{i}") for i in range(50)], source="router")
    finally:
        s.close()
    backend.execute("UPDATE deliveries SET lease_until = ?", PAST)
    if backend.engine == "sqlite":              # one node per file: it takes them all, whatever the leases
        s = backend.open(node="A")
        assert len(s.lease_pending(limit=1000)) == 300
        s.close()
        return
    with multiprocessing.get_context("fork").Pool(3) as pool:
        taken = pool.map(_lease_all, [(backend, node) for node in "ABC"])
    every = [i for per_node in taken for i in per_node]
    assert len(every) == len(set(every)) == 300
    by_node = dict(backend.rows("SELECT leased_by, COUNT(*) FROM deliveries GROUP BY leased_by"))
    assert by_node == {node: len(ids) for node, ids in zip("ABC", taken, strict=True) if ids}


# one leader ------------------------------------------------------------------------------------------

def _lead_then_hang(backend: Backend, ready: multiprocessing.synchronize.Event) -> None:
    s = backend.open(node="DOOMED")
    assert s.lead("sweeper")
    ready.set()
    time.sleep(60)


def test_one_node_leads_and_another_takes_over_within_a_second_when_it_is_killed(store, backend):
    if backend.engine == "sqlite":          # one node per file: it always leads
        other = backend.open(node="B")
        assert store.lead("sweeper") and other.lead("sweeper")
        assert store.leads()["sweeper"][0] == "B"
        other.close()
        return
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    doomed = ctx.Process(target=_lead_then_hang, args=(backend, ready))
    doomed.start()
    try:
        assert ready.wait(10)
        assert not store.lead("sweeper")
        assert store.lead("another lead")                 # leads are per name
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.join(5)
        deadline = time.monotonic() + 1.0
        while not store.lead("sweeper"):
            assert time.monotonic() < deadline, "the lead was not free a second after its node died"
            time.sleep(0.02)
        assert store.lead("sweeper")                      # kept
        node, since, beat = store.leads()["sweeper"]
        assert node == store.node and since <= beat
        assert abs(beat - datetime.now(UTC)) < timedelta(seconds=5)     # the server's clock, not T0
        second = backend.open(node="C")
        assert not second.lead("sweeper")
        store.close()                                    # resigns with its connection
        assert second.lead("sweeper")
        second.close()
    finally:
        if doomed.is_alive():
            os.kill(doomed.pid, signal.SIGKILL)


def test_the_database_clock_is_the_server_s_where_nodes_share_it(store, backend):
    now = store.database_now()
    assert now.tzinfo is not None
    if backend.engine == "sqlite":
        assert now == T0                                 # the store's clock: one node
    else:
        assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_node_five_minutes_slow_reads_the_database_clock_at_its_own_cost():
    local = [datetime(2026, 11, 27, 8, 0, tzinfo=UTC)]
    readings = []

    class Database:
        def database_now(self) -> datetime:
            readings.append(local[0])
            return local[0] + timedelta(minutes=5)
    clock = DatabaseClock(Database(), every=3600, local=lambda: local[0])
    assert clock() == datetime(2026, 11, 27, 8, 5, tzinfo=UTC)
    local[0] += timedelta(seconds=7)
    assert clock() == datetime(2026, 11, 27, 8, 5, 7, tzinfo=UTC)
    assert len(readings) == 1                              # once per ``every``, not per reading
    assert clock.sync() == timedelta(minutes=5) and len(readings) == 2


def test_a_shared_store_stamps_rows_on_the_database_clock(backend, clock):
    clock.now = datetime(2031, 1, 1, tzinfo=UTC)          # this node's clock, years off
    s = backend.open(clock)
    try:
        s.migrate()
        s.use_database_clock()
        (d,) = s.record([message()], source="router")
        if backend.engine == "sqlite":                     # one node: its clock is the database's
            assert d.created_at == clock.now
        else:
            assert abs(d.created_at - datetime.now(UTC)) < timedelta(seconds=5)
    finally:
        s.close()


@pytest.fixture(autouse=True)
def _no_leftover_children():
    yield
    for child in multiprocessing.active_children():
        child.kill()
