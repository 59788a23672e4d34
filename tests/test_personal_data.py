"""Personal data (passenger lists, e-commerce buyers) never reaches a log line, even at DEBUG."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import sys, yaml, tempfile
from pathlib import Path
from hub.logging import configure_logging
configure_logging("DEBUG")
from hub.composition import build_engine
from hub.adapters import RenderContext
from hub.routing import Router, load_routes
from hub.store.sqlite import SqliteStore
from hub.transport.base import Inbound, Topology
from hub.worker.ingest import IngestCore
from hub.worker.receipts import ReceiptCore
from hub.models import Receipt, ReceiptStatus
from tests.test_personal_data import persons_list
from tests.ecommerce_support import inventory, order
d = Path(tempfile.mkdtemp())
routes = {"senders": {"AIRLINE-CA": {"name": "a", "may_send": ["persons", "order", "inventory"]}},
          "receivers": {"BORDER": {"name": "b", "accepts": ["json"], "receipt_formats": ["json"]}},
          "routes": [{"name": "all", "deliver": [{"receiver": "BORDER", "format": "json"}]}]}
(d / "routes.yaml").write_text(yaml.safe_dump(routes))
engine = build_engine()
store = SqliteStore(d / "s.db"); store.migrate()
core = IngestCore(engine, Router(load_routes(d / "routes.yaml")), store, Topology("t"), "EPORTHUB")
docs = [persons_list(), order(), inventory()]
bodies = [engine.render(doc, "json", RenderContext(message_id=f"m{i}")).data for i, doc in enumerate(docs)]
bad = bodies[0].replace(b'"1971-05-02"', b'"1871-05-02"')
works = core.handle([Inbound(tag=i, body=b, sender="AIRLINE-CA") for i, b in enumerate(bodies + [bad])])
receipt = Receipt(business_key=docs[0].business_key, status=ReceiptStatus.REJECTED, text="ZHANG SAN bad")
ReceiptCore(engine, store, Topology("t")).handle([Inbound(tag=9, body=engine.render(receipt, "json",
    RenderContext(message_id="r")).data, sender="BORDER"), Inbound(tag=10, body=b"<x>ZHANG</x>", sender="BORDER")])
print(sum(len(w.publications) for w in works))
'''


def persons_list():
    from datetime import date

    from hub.models import Location, Person, PersonsList, TravelDocument
    return PersonsList(journey_id="CA932", departure=Location(code="FRA"), arrival=Location(code="PEK"),
                       persons=[Person(surname="ZHANG", given_names="SAN", born_on=date(1971, 5, 2),
                                       nationality="CHN", documents=[TravelDocument(type="P", number="E12345678")])])


def test_nothing_personal_is_logged_at_debug():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 6                       # the router did its work
    log = done.stderr
    assert "message.rejected" in log and "receipt.orphaned" in log   # and logged about it
    for secret in ("ZHANG", "SAN", "E12345678", "1971", "1871", "110101199001011234", "Li Xiaobao", "13800000000"):
        assert secret not in log, f"{secret!r} reached the log"
