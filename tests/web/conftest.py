"""A store filled the way the hub fills it (real messages through the router core, real receipts
through the receipt core, on a settable clock) and the status API over it, without a server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.adapters import RenderContext
from hub.models import Receipt, ReceiptStatus
from hub.models.receipt import ReceiptError
from hub.routing import Router, load_routes
from hub.settings import Settings
from hub.store.sqlite import SqliteStore
from hub.transport.base import Envelope, Inbound, Topology
from hub.web import create_app
from hub.web.tokens import TokenBook
from hub.worker.ingest import IngestCore
from hub.worker.receipts import ReceiptCore, Sweeper
from tests.conftest import Clock, example
from tests.ecommerce_support import BUYER, order

ROOT = Path(__file__).resolve().parents[2]
TOPOLOGY = Topology("t")
AWB, FOOD_AWB, ORDER_NO = "999-12345675", "999-87654321", "ORD-WEB-1"
REASON = "收货人信息不完整 consignee incomplete"


@dataclass
class FakeBroker:
    """The broker as the API sees it: up or down, queue depths, dead letters."""

    up: bool = True
    queues: dict[str, int] = field(default_factory=lambda: {"t.in": 3, "t.dead": 2})
    dead: list[Envelope] = field(default_factory=list)
    moved: int = 0

    def ping(self) -> None:
        if not self.up:
            raise ConnectionError("no broker")

    def depths(self) -> dict[str, int]:
        self.ping()
        return dict(self.queues)

    def dead_letters(self, limit: int) -> list[Envelope]:
        self.ping()
        return self.dead[:limit]

    def replay_dead_letters(self, limit: int, who: str) -> int:
        self.moved += len(self.dead[:limit])
        return len(self.dead[:limit])


@dataclass
class World:
    """The filled store's ids and the app's parts."""

    store_path: Path
    ids: dict[str, str]
    settings: Settings
    broker: FakeBroker
    book: TokenBook
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def as_(self, party: str) -> dict[str, str]:
        """The Authorization header of ``party``'s token ("admin": the operator's)."""
        return {"Authorization": f"Bearer {self.tokens[party]}"}


def _hub_id(work) -> str:
    return next(p.headers["x-hub-message-id"] for p in work.publications if p.exchange == TOPOLOGY.outbound)


def fill(engine, path: Path) -> dict[str, str]:
    """Three messages through the router (two airlines' waybills, a platform's order), then the
    agencies' answers: customs rejects the first waybill with a reason, the archive accepts it after
    its deadline (overdue first), customs rejects the order naming its buyer."""
    clock = Clock(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    store = SqliteStore(path, clock=clock)
    store.migrate()
    routes = load_routes(ROOT / "routes.yaml")
    router = IngestCore(engine, Router(routes), store, TOPOLOGY, "EPORTHUB", clock=clock)
    receipts = ReceiptCore(engine, store, TOPOLOGY, clock=clock, receivers=routes.receivers)
    ca, = router.handle([Inbound(tag=1, body=example("cargo_xml", "xfwb-pek-fra.xml"), sender="AIRLINE-CA",
                                 message_id="CA-1")])
    mu, = router.handle([Inbound(tag=2, body=example("cargo_xml", "xfwb-food-fra-pek.xml"), sender="AIRLINE-MU",
                                 message_id="MU-1")])
    sold = order(order_no=ORDER_NO)
    ec, = router.handle([Inbound(tag=3, body=engine.render(sold, "json", RenderContext(message_id="EC-1")).data,
                                 sender="EC-PLATFORM", message_id="EC-1")])
    store.mark_sent([i for w in (ca, mu, ec) for i in w.delivery_ids], source="router")

    def answer(receiver: str, receipt: Receipt, fmt: str) -> None:
        ctx = RenderContext(message_id=f"R{int(clock.now.timestamp())}", sender_id=receiver)
        body = engine.render(receipt, fmt, ctx).data
        receipts.handle([Inbound(tag=9, body=body, sender=receiver)])

    clock.advance(30)
    answer("CUSTOMS-CN", Receipt(business_key=AWB, status=ReceiptStatus.REJECTED, agency_status="03",
                                 agency_reference="REF-7", errors=[ReceiptError(code="13", text=REASON, pointer=AWB)]),
           "gacc-mt9999")
    answer("CUSTOMS-CN-EC", Receipt(business_key=ORDER_NO, status=ReceiptStatus.REJECTED, agency_status="100",
                                    header={"recipient_id": "EC-PLATFORM"}, text=f"buyer {BUYER.id_number} unknown"),
           "ceb312+dxp")
    clock.advance(25 * 3600)
    Sweeper(store, TOPOLOGY, clock=clock).tick()          # the archive's day passed: OVERDUE
    answer("ARCHIVE", Receipt(business_key=AWB, status=ReceiptStatus.ACCEPTED), "json")
    answer("ARCHIVE", Receipt(business_key="NO-SUCH-AWB", status=ReceiptStatus.ACCEPTED), "json")   # an orphan
    store.close()
    return {"ca": _hub_id(ca), "mu": _hub_id(mu), "ec": _hub_id(ec)}


@pytest.fixture(scope="session")
def filled(engine, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("web") / "store.sqlite3"
    return path, fill(engine, path)


@pytest.fixture
def world(filled, tmp_path) -> World:
    """The app over a copy of the filled store, with a token per party and an admin's."""
    source, ids = filled
    path = tmp_path / "store.sqlite3"
    path.write_bytes(source.read_bytes())
    settings = Settings(store_url=f"sqlite:///{path}", tokens_file=tmp_path / "tokens.json", topology_prefix="t",
                        api_rate=1000, api_burst=1000)
    broker, book = FakeBroker(), TokenBook(tmp_path / "tokens.json")
    w = World(path, ids, settings, broker, book, TestClient(create_app(settings, broker=broker, tokens=book)))
    for party in ("AIRLINE-CA", "AIRLINE-MU", "EC-PLATFORM", "CUSTOMS-CN", "ARCHIVE", "INSPECTION-CIQ",
                  "CUSTOMS-CN-EC"):
        w.tokens[party] = book.create(party)[1]
    w.tokens["admin"] = book.create("ops-alice", admin=True)[1]
    return w
