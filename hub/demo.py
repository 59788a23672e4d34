"""The live demo: the hub on the local broker, with simulated senders and agencies.

Senders hand in examples/traffic.yaml; each agency answers what it receives in
its own receipt format: China customs with MT9999 (one bill rejected) and the
two-step DecImportResponse -> DEC_RESULT (released, channel P), its e-commerce
platform with CEB receipts in DXP envelopes, border control with an EDIFACT
CUSRES, the partner customs with a WCO RES, the archive with a JSON receipt; quarantine answers its
first delivery only after the deadline, so the sender is first told it is
OVERDUE and then sees the late answer.

Every simulated party connects as itself (a `Login`): its own broker account, user_id checked by
RabbitMQ, no vouching header; `hub demo --vouched` lets the hub's user vouch for them instead.
"""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime

from .adapters import RenderContext
from .models import Declaration, Document, Inventories, Kind, Manifest, Receipt, ReceiptError, ReceiptStatus, Waybill
from .pipeline import Engine
from .transport.base import Envelope, Headers, Publication, Topology
from .transport.rabbitmq import Client


def digits(text: str, count: int) -> str:
    """Stable made-up agency numbers derived from a key."""
    return str(int(hashlib.sha256(text.encode()).hexdigest(), 16))[:count].zfill(count)


@dataclass(frozen=True)
class Login:
    """How one simulated party connects: ``party`` is its routes.yaml name (its queues, the sender or
    receiver the hub records), ``user`` the broker user it publishes as: the party itself on its own
    account, or the hub's user vouching for it (``hub demo --vouched``)."""

    url: str
    party: str
    user: str

    @property
    def headers(self) -> dict[str, str]:
        """The vouching header, only when the hub's user publishes for the party."""
        return {} if self.user == self.party else {Headers.SENDER: self.party}


REJECTED_BILL = "999-44556676"
"""China customs rejects the manifest of this AWB (the food waybill) in the demo."""


class Agencies:
    """Consumes every receiver feed and answers as that agency would, each agency on its own
    connection as itself. ``logins`` maps the agency (as `answer` knows it) to its login."""

    def __init__(self, engine: Engine, topology: Topology, logins: dict[str, Login],
                 late: str = "INSPECTION-CIQ", late_by: float = 6.0) -> None:
        self.engine, self.topology, self.logins = engine, topology, logins
        self.late, self.late_by = late, late_by
        self.received: dict[str, int] = {r: 0 for r in logins}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-agencies", daemon=True)
        self._seen: set[str] = set()
        self._scheduled: list[tuple[float, str, Receipt, str]] = []
        self._was_late = False

    def __enter__(self) -> Agencies:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        with ExitStack() as stack:
            clients = {r: stack.enter_context(Client(login.url, f"demo-{r}")) for r, login in self.logins.items()}
            while not self._stop.is_set():
                idle = True
                for receiver, client in clients.items():
                    copy = client.get(self.topology.receiver_queue(self.logins[receiver].party))
                    if copy is None:
                        continue
                    idle = False
                    self._scheduled += self.take(receiver, copy, copy.body, time.monotonic())
                due = [s for s in self._scheduled if s[0] <= time.monotonic()]
                for item in due:
                    self._scheduled.remove(item)
                    self._send(clients[item[1]], *item[1:])
                if idle and not due:
                    time.sleep(0.05)

    def take(self, receiver: str, props: Envelope, body: bytes, now: float) -> list[tuple[float, str, Receipt, str]]:
        """The answers to one copy taken off a feed, each with when to send it. A repeat of a copy
        already taken (the same stable message id: the hub publishes again what it has not seen
        confirmed, e.g. a router starting while another one's deliveries are in flight) is dropped,
        as the hub expects of every receiver; answering it would settle the late delivery early."""
        if props.message_id:
            if props.message_id in self._seen:
                return []
            self._seen.add(props.message_id)
        self.received[receiver] += 1
        due = now + self._delay(receiver)
        return [(due, receiver, receipt, fmt) for receipt, fmt in self.answer(receiver, props, body)]

    def _delay(self, receiver: str) -> float:
        """The late agency answers its first delivery after the deadline; everyone else at once."""
        if receiver == self.late and not self._was_late:
            self._was_late = True
            return self.late_by
        return 0.0

    def _send(self, client: Client, receiver: str, receipt: Receipt, fmt: str) -> None:
        ctx = RenderContext(message_id=f"{receiver}-{time.time_ns()}", sender_id=receiver, receiver_id="EPORTHUB")
        login = self.logins[receiver]
        pub = Publication(exchange=self.topology.receipts, routing_key="", message_id="",
                          body=self.engine.render(receipt, fmt, ctx).data, headers=login.headers)
        client.publish(pub, login.user)

    def answer(self, receiver: str, props: Envelope, body: bytes) -> list[tuple[Receipt, str]]:
        """The receipts an agency sends for one delivery (``props``: anything with its message id and
        headers)."""
        doc = self.engine.read(body).document
        assert doc is not None, "read raises unless the message gave a document"
        now = datetime.now(UTC)
        if receiver == "CUSTOMS-CN" and isinstance(doc, Declaration):
            seq_no = "I2026" + digits(doc.reference, 13)
            return [(Receipt(business_key=doc.reference, agency_reference=seq_no, status=ReceiptStatus.ACCEPTED,
                             issued_at=now), "gacc-dec-response"),
                    (Receipt(business_key=seq_no, agency_reference="2233" + digits(seq_no, 14),
                             agency_status="P", status=ReceiptStatus.ACCEPTED, issued_at=now), "gacc-dec-result")]
        if receiver == "CUSTOMS-CN" and isinstance(doc, Manifest):
            bills = [c.transport_document for c in doc.consignments]
            rejected = REJECTED_BILL in bills
            answers = "MT2101" if (props.headers or {}).get(Headers.FORMAT) == "gacc-mt2101" else "MT1101"
            return [(Receipt(answers_message_id=props.message_id, answers_type=answers, business_key=bills[0],
                             status=ReceiptStatus.REJECTED if rejected else ReceiptStatus.ACCEPTED,
                             agency_status="03" if rejected else "01", issued_at=now,
                             errors=[ReceiptError(code="13", text="收货人信息不完整 consignee incomplete",
                                                  pointer=REJECTED_BILL)] if rejected else []), "gacc-mt9999")]
        if receiver == "CUSTOMS-CN-EC":   # the exchange platform takes it (DxpRep), then customs answers
            taken = Receipt(answers_message_id=props.message_id, business_key="-", status=ReceiptStatus.ACKNOWLEDGED,
                            agency_status="0", issued_at=now)
            return [(taken, "dxp-rep"), self._ecommerce(doc, now)]
        if receiver == "BORDER-CONTROL":   # a CUSRES quoting the interchange reference it received
            return [(Receipt(answers_message_id=doc.header.message_id, business_key=doc.business_key,
                             status=ReceiptStatus.ACCEPTED, agency_status="1", text="cleared for arrival",
                             issued_at=now), "cusres")]
        if receiver == "CUSTOMS-GB":
            return [(Receipt(business_key=doc.business_key, agency_reference="26GB" + digits(doc.business_key, 14),
                             status=ReceiptStatus.ACCEPTED, agency_status="01", issued_at=now), "wco-res")]
        key = doc.business_key if isinstance(doc, (Waybill, Manifest, Declaration)) else props.message_id
        if key is None:  # every copy the hub publishes carries its message id
            raise ValueError(f"{receiver}: a delivery without a message id")
        return [(Receipt(answers_message_id=props.message_id, business_key=key, status=ReceiptStatus.ACCEPTED,
                         issued_at=now), "json")]

    @staticmethod
    def _ecommerce(doc: Document, now: datetime) -> tuple[Receipt, str]:
        """Customs' e-commerce platform: order, payment and logistics bill accepted (120); the
        inventory released (800) under a pre-entry number; each answer in a DXP envelope."""
        fmt = {Kind.ORDER: "ceb312", Kind.PAYMENT: "ceb412", Kind.LOGISTICS: "ceb512",
               Kind.INVENTORY: "ceb622"}[doc.kind] + "+dxp"
        if isinstance(doc, Inventories):
            return (Receipt(business_key=doc.business_key, status=ReceiptStatus.ACCEPTED, agency_status="800",
                            agency_reference="B2026" + digits(doc.business_key, 13), text="放行 released",
                            issued_at=now), fmt)
        return (Receipt(business_key=doc.business_key, status=ReceiptStatus.ACCEPTED, agency_status="120",
                        text="海关入库成功 accepted", issued_at=now), fmt)
