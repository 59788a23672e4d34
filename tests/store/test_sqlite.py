"""What is SQLite's about the store: the file and its modes, WAL and the pragmas, the write lock's
hand-over, the query plans, the store URLs and the WAL upkeep (the contract is test_store.py)."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from datetime import timedelta

import pytest

from hub.errors import ConfigError
from hub.store import open_store
from hub.store import sqlite as sqlite_module
from hub.store.base import NewMessage
from hub.store.sqlite import SqliteStore
from tests.store.conftest import T0
from tests.store.test_receipts import mixed  # noqa: F401 (a fixture, on this module's store)
from tests.store.test_store import message


@pytest.fixture
def store(tmp_path, clock):
    """A migrated SQLite store (whatever engine the contract tests run on)."""
    s = SqliteStore(tmp_path / "hub.db", clock=clock)
    s.migrate()
    yield s
    s.close()


def test_the_wal_file_is_there_while_two_stores_write(tmp_path):
    path = tmp_path / "hub.db"
    a, b = SqliteStore(path), SqliteStore(path)
    a.migrate()
    b.migrate()
    a.record([message("HUB-A")], source="router-a")
    b.record([message("HUB-B")], source="router-b")
    assert (tmp_path / "hub.db-wal").exists()
    a.close()
    b.close()


def test_the_file_and_its_directory_are_created_with_wal_and_the_pragmas(tmp_path):
    path = tmp_path / "new" / "dir" / "hub.db"
    s = SqliteStore(path)
    db = s.connection
    assert path.exists()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    s.close()


@pytest.fixture
def loose_umask():
    """The usual umask (022), under which SQLite alone would create a world-readable file."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def recorded_logs(monkeypatch) -> list[dict]:
    """What the store logs from now on, as capture_logs would list it."""
    logs: list[dict] = []

    class Recorder:
        def __getattr__(self, level):
            return lambda event, **kw: logs.append({"event": event, "log_level": level, **kw})
    monkeypatch.setattr(sqlite_module, "log", Recorder())
    return logs


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_directory_the_store_creates_is_private_and_the_file_wal_and_shm_are_0600(tmp_path, loose_umask):
    path = tmp_path / "new" / "dir" / "hub.db"
    s = SqliteStore(path)
    s.migrate()
    s.record([message()], source="router")
    assert {p.name for p in path.parent.iterdir()} >= {"hub.db", "hub.db-wal", "hub.db-shm"}
    assert {name: mode(path.parent / name) for name in ("hub.db", "hub.db-wal", "hub.db-shm")} == {
        "hub.db": 0o600, "hub.db-wal": 0o600, "hub.db-shm": 0o600}
    assert (mode(tmp_path / "new"), mode(tmp_path / "new" / "dir")) == (0o700, 0o700)
    s.close()


def test_an_existing_directory_keeps_its_mode(tmp_path, loose_umask):
    (tmp_path / "shared").mkdir(mode=0o755)
    SqliteStore(tmp_path / "shared" / "hub.db").close()
    assert mode(tmp_path / "shared") == 0o755


def test_a_file_wal_and_shm_with_looser_modes_are_tightened_on_open_with_a_warning(tmp_path, loose_umask, monkeypatch):
    path = tmp_path / "hub.db"
    first = SqliteStore(path)
    first.migrate()
    first.record([message()], source="router")
    for suffix in ("", "-wal", "-shm"):
        os.chmod(f"{path}{suffix}", 0o644)
    logs = recorded_logs(monkeypatch)        # the module's logger: capture_logs misses a cached one
    second = SqliteStore(path)
    assert [mode(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")] == [0o600, 0o600, 0o600]
    tightened = [e for e in logs if e["event"] == "store.file_mode_tightened"]
    assert (len(tightened), tightened[0]["log_level"], tightened[0]["mode"]) == (3, "warning", "0o644")
    assert second.message("HUB-1") is not None
    logs.clear()
    SqliteStore(path).close()                      # already 0600: nothing to say
    assert [e for e in logs if e["event"] == "store.file_mode_tightened"] == []
    first.close()
    second.close()


def test_duplicate_lookups_use_their_indexes_not_a_scan(store):
    store.record([message()], source="router")
    seen: list[str] = []
    store.connection.set_trace_callback(seen.append)
    store.find_duplicate("AIRLINE-CA", "NEW-ID", "waybill", "BK-1", "amend")
    store.connection.set_trace_callback(None)
    plans = [" ".join(row[3] for row in store.connection.execute("EXPLAIN QUERY PLAN " + sql))
             for sql in seen if sql.startswith("SELECT")]
    assert len(plans) == 2
    assert "INDEX messages_sender_message_id (sender_message_id=?)" in plans[0]
    assert "INDEX messages_business_key (business_key=?)" in plans[1]
    assert all("SCAN messages" not in plan for plan in plans)


def test_a_writer_waits_for_another_processes_transaction_instead_of_failing(store, tmp_path):
    other = sqlite3.connect(tmp_path / "hub.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    releaser.start()
    started = time.monotonic()
    store.record([message()], source="router")
    releaser.join()
    other.close()
    assert time.monotonic() - started >= 0.25
    assert store.message("HUB-1") is not None


def test_a_waiting_writer_takes_the_lock_within_milliseconds_of_its_release(store, tmp_path):
    # SQLite's own busy handler would sleep 1+2+5+10+15+20+25 ms and wake ~18 ms after a release at 60 ms
    other = sqlite3.connect(tmp_path / "hub.db", isolation_level=None, check_same_thread=False)
    lates = []
    for n in range(3):
        other.execute("BEGIN IMMEDIATE")
        released: list[float] = []
        releaser = threading.Timer(0.06, lambda released=released: (other.execute("COMMIT"),
                                                                 released.append(time.monotonic())))
        releaser.start()
        store.record([message(f"HUB-{n}")], source="router")
        done = time.monotonic()
        releaser.join()
        lates.append(done - released[0])
    other.close()
    assert min(lates) < 0.008, lates


@pytest.mark.parametrize("url", ["sqlite:///{rel}", "sqlite:///{abs}", "sqlite:///:memory:"])
def test_open_store_accepts_relative_absolute_and_memory_sqlite_urls(url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = open_store(url.format(rel="var/hub.db", abs=tmp_path / "abs" / "hub.db"))
    assert isinstance(s, SqliteStore) and s.migrate() >= 1
    s.record([message()], source="router")
    s.close()
    if "{rel}" in url:
        assert (tmp_path / "var" / "hub.db").exists()
    if "{abs}" in url:
        assert (tmp_path / "abs" / "hub.db").exists()


@pytest.mark.parametrize("url", ["mysql://hub:s3cret@db/hub", "sqlite://host/hub.db", "sqlite:///", "hub:s3cret@db",
                                 "postgresql:hub:s3cret@db"])
def test_open_store_refuses_other_urls_without_echoing_them(url):
    with pytest.raises(ConfigError) as err:
        open_store(url)
    assert err.value.code == "CONFIG_INVALID"
    assert "s3cret" not in str(err.value)


def test_open_store_opens_a_postgresql_url_as_the_postgresql_store():
    import psycopg

    from hub.store.postgres import PostgresStore
    from tests.store.conftest import POSTGRES_URL

    schema = f"hub_test_open_{os.getpid()}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            store = open_store(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
            try:
                assert isinstance(store, PostgresStore)
                store.migrate()
                assert store.message("HUB-NONE") is None
                tables = admin.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                                       (schema,)).fetchone()
                assert tables is not None and tables[0] >= 5            # its own migrations, in its schema
            finally:
                store.close()
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_upkeep_left_to_another_connection_keeps_the_wal_out_of_the_workers_commits(tmp_path, clock):
    worker, keeper = SqliteStore(tmp_path / "hub.db", clock=clock), SqliteStore(tmp_path / "hub.db", clock=clock)
    worker.migrate()
    worker.leave_upkeep_to_another()
    keeper.upkeep()
    before = (tmp_path / "hub.db").stat().st_size
    big = [NewMessage(**{**message(f"HUB-{n}").__dict__, "raw": bytes(20_000)}) for n in range(300)]
    worker.record(big, source="router")               # ~6 MB: past SQLite's 1,000-page autocheckpoint
    assert (tmp_path / "hub.db").stat().st_size == before       # still all in the WAL
    keeper.upkeep()
    assert (tmp_path / "hub.db").stat().st_size > before + 6_000_000
    assert keeper.message("HUB-299") is not None
    worker.close()
    keeper.close()


def test_prune_stays_fast_with_a_hundred_thousand_orphans(store, clock, tmp_path):
    store.record([message()], source="router")
    (d,) = store.deliveries("HUB-1")
    db = sqlite3.connect(tmp_path / "hub.db")
    stamp = lambda n: (T0 + timedelta(seconds=n)).isoformat(timespec="microseconds")   # noqa: E731
    db.executemany("INSERT INTO receipts (receiver, received_at, keys, errors, delivery_id, sha256, size, raw, "
                   "outcome) VALUES ('CUSTOMS-CN', ?, '[]', '[]', ?, '', 10, ?, ?)",
                   [(stamp(n), None if n % 5 else d.id, b"<receipt/>", "orphaned" if n % 5 else "correlated")
                    for n in range(125_000)])
    db.commit()
    db.close()
    seen: list[str] = []
    store.connection.set_trace_callback(seen.append)
    started = time.perf_counter()
    dropped = store.prune_orphans(older_than=T0 + timedelta(seconds=100), keep=99_900)
    took = time.perf_counter() - started
    store.connection.set_trace_callback(None)
    assert dropped == 100                               # 80 older than the cut, and the oldest beyond 99,900
    assert took < 0.5, took
    plans = [" ".join(r[3] for r in store.connection.execute("EXPLAIN QUERY PLAN " + sql))
             for sql in seen if sql.lstrip().startswith(("SELECT", "DELETE"))]
    assert plans and all("SCAN receipts" not in plan for plan in plans), plans




def test_receipt_listings_read_the_outcome_index_in_order(mixed):
    store, _ = mixed
    seen: list[str] = []
    store.connection.set_trace_callback(seen.append)
    store.receipts(outcome="orphaned", receiver="CUSTOMS-CN", since=T0)
    store.receipts()
    store.connection.set_trace_callback(None)
    plans = [" ".join(r[3] for r in store.connection.execute("EXPLAIN QUERY PLAN " + sql))
             for sql in seen if sql.lstrip().startswith("SELECT")]
    assert plans and all("INDEX receipts_outcome" in p and "TEMP B-TREE" not in p for p in plans), plans
