"""``hub store backup`` taken while the hub runs, ``hub store restore`` into a stopped hub, and the
hub carrying on: what the backup held PENDING is republished, nothing in it is lost.

A delivery is PENDING between the store's commit and the broker's confirm; to have some in the
backup for certain, one message is handled by an IngestCore whose publications are never
published (a router that died right after committing), while live traffic runs beside it.
"""

from __future__ import annotations

import sqlite3
import threading

from click.testing import CliRunner

from hub.cli import main
from hub.composition import build_engine
from hub.routing import Router, load_routes
from hub.store import open_store
from hub.store.base import DeliveryState, MessageFilter
from hub.transport.base import Inbound, Topology
from hub.worker.ingest import IngestCore
from hub.worker.serve import republish_pending
from tests.integration.conftest import Hub, wait_for
from tests.integration.test_faults import awb, publish, waybills

RECEIVERS = ("CUSTOMS-CN", "ARCHIVE")


def cli(settings, *args: str):
    return CliRunner().invoke(main, list(args), env={"HUB_STORE_URL": settings.store_url})


def test_a_backup_taken_mid_run_restores_and_the_hub_republishes_what_it_held_pending(settings, queues, tmp_path):
    backup_file = tmp_path / "backup.db"
    with Hub(settings) as hub:
        sender = threading.Thread(target=publish, args=(settings, waybills(120)), kwargs={"per_second": 400})
        sender.start()
        wait_for(lambda: len(hub.store.find(MessageFilter(limit=1000))) >= 20, timeout=30)
        # a router that committed and died before publishing: its deliveries stay PENDING
        crashed = IngestCore(build_engine(settings), Router(load_routes(settings.routes)), hub.store,
                             Topology(settings.topology_prefix), settings.party_id)
        work, = crashed.handle([Inbound(tag=1, body=waybills(1, start=900)[0], sender="AIRLINE-CA",
                                        message_id="CRASHED-1")])
        pending_ids = set(work.delivery_ids)
        assert len(pending_ids) == len(RECEIVERS)
        made = cli(settings, "store", "backup", str(backup_file))        # while traffic goes on
        assert made.exit_code == 0, made.output
        sender.join()
        wait_for(lambda: len(hub.store.find(MessageFilter(limit=1000))) >= 121, timeout=60)
    everything = {m.id for m in hub.store.find(MessageFilter(limit=1000))}

    snapshot = sqlite3.connect(backup_file)
    in_backup = {row[0] for row in snapshot.execute("SELECT id FROM messages")}
    held_pending = {row[0] for row in snapshot.execute("SELECT id FROM deliveries WHERE state = 'PENDING'")}
    snapshot.close()
    assert pending_ids <= held_pending and 0 < len(in_backup) < len(everything)
    assert f"{len(in_backup)} messages" in made.output

    refused = cli(settings, "store", "restore", str(backup_file))
    assert refused.exit_code == 2 and "--yes" in refused.output
    restored = cli(settings, "store", "restore", str(backup_file), "--yes")
    assert restored.exit_code == 0, restored.output

    store = open_store(settings.store_url)
    store.migrate()
    assert {m.id for m in store.find(MessageFilter(limit=1000))} == in_backup     # nothing of the backup lost
    assert republish_pending(settings, store, Topology(settings.topology_prefix)) == len(held_pending)
    with Hub(settings) as hub:
        def all_sent() -> bool:
            return all(d.state is not DeliveryState.PENDING for m in in_backup for d in hub.store.deliveries(m))
        wait_for(all_sent, timeout=30)
        publish(settings, [waybills(1, start=950)[0]])       # and new traffic is taken as before
        wait_for(lambda: hub.store.find(MessageFilter(business_key=awb(950), limit=5)), timeout=30)
    crashed_id = next(p.headers["x-hub-message-id"] for p in work.publications
                      if p.exchange == queues.topology.outbound)
    crashed_out = [props for props, _ in queues.drain(queues.topology.receiver_queue("CUSTOMS-CN"), quiet=1.0)
                   if props.headers.get("x-hub-message-id") == crashed_id]
    assert crashed_out, "the delivery the backup held PENDING never reached its receiver"
    store.close()


def test_restore_refuses_a_file_that_is_not_a_hub_store(settings, tmp_path):
    junk = tmp_path / "junk.db"
    sqlite3.connect(junk).execute("CREATE TABLE t (x)").connection.commit()
    result = cli(settings, "store", "restore", str(junk), "--yes")
    assert result.exit_code == 2 and "not a hub store" in result.output


def test_backup_never_overwrites_a_file(settings, tmp_path):
    open_store(settings.store_url).migrate()
    target = tmp_path / "taken.db"
    target.write_bytes(b"keep me")
    result = cli(settings, "store", "backup", str(target))
    assert result.exit_code == 2 and target.read_bytes() == b"keep me"


def test_postgresql_is_pointed_at_its_own_tools(tmp_path):
    result = CliRunner().invoke(main, ["store", "backup", str(tmp_path / "x.db")],
                                env={"HUB_STORE_URL": "postgresql://postgres@127.0.0.1:5432/test"})
    assert result.exit_code == 2 and "pg_dump" in result.output
