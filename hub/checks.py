"""Checks a delivery waits for before it is published (routes.yaml ``hold``).

Design note: a check is pure. It says which facts a document contributes (``index``:
stored with the message, in the same transaction), what a held document waits for
(``waits``: (kind, key) pairs), and, given the facts found for those pairs, what is still
missing or disagrees (``evaluate``: an empty list means the delivery may go). The router
re-evaluates a held delivery whenever a message it waits for arrives; the sweeper
refuses it once its hold times out, naming the fields. Facts may hold personal data
(buyer identity numbers): they live in the store like the raw message, never in logs.

Checks:

- ``three-documents``, the cross-border e-commerce three-document check (三单对碰): an
  inventory (CEB621) goes to customs only when its order (by orderNo), payment (by orderNo,
  carrying the order's payTransactionId) and logistics bill (by logisticsNo) have arrived
  and agree with it and with each other.
- ``master-known``: a house waybill (XFZB, FHL) whose flight is only on its master goes out
  once the master waybill (by MAWB, from any sender) is known, on the master's flight; a master
  waybill (or a house whose master has none) that names no whole flight goes out once a flight
  manifest (FFM, XFFM, from any sender) lists the master, on that manifest's flight. Such a
  check ``renders_at_release``: its output needs what the awaited document brings, so the
  delivery is rendered again at release from the stored message, ``complete``d with the facts
  found (the router renders it at arrival only when those facts are already there).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from .errors import Problem
from .models import (
    Document,
    Inventories,
    LogisticsBills,
    Manifest,
    Orders,
    Payments,
    TransportLeg,
    Waybill,
    WaybillType,
)

Pair = tuple[str, str]
"""(kind, key) of an indexed document: ("order", "order20160321116421002")."""

Values = dict[str, Any]
"""The values a fact compares, as the store keeps them (JSON: text, numbers, lists of legs)."""


@dataclass(frozen=True)
class Fact:
    """What one document record tells checks: its kind, its key and the values compared."""

    kind: str
    key: str
    values: Values


class Check(ABC):
    name: str
    renders_at_release: bool = False
    """True: the output needs the awaited documents (``complete``), so a held delivery is rendered
    again when it is released; False: the output rendered at arrival is the one released."""

    @abstractmethod
    def index(self, doc: Document) -> list[Fact]:
        """The facts this document contributes (any kind; [] when it has none)."""

    @abstractmethod
    def waits(self, doc_facts: list[Fact]) -> list[Pair]:
        """What a held document whose own facts are ``doc_facts`` waits for ([]: nothing to hold for)."""

    @abstractmethod
    def evaluate(self, doc_facts: list[Fact], found: dict[Pair, Values]) -> list[Problem]:
        """Problems still standing for the held document whose own facts are ``doc_facts``."""

    def complete(self, doc: Document, doc_facts: list[Fact], found: dict[Pair, Values]) -> Document:
        """The document to render, given the facts found (checks that ``renders_at_release``)."""
        return doc


def _money(value: Decimal | None) -> str:
    return str(Decimal(str(value)).normalize()) if value is not None else ""


def _same_text(a: str | None, b: str | None) -> bool:
    return (a or "").strip() == (b or "").strip()


class ThreeDocuments(Check):
    """三单对碰: inventory vs order, payment and logistics bill."""

    name = "three-documents"

    def index(self, doc: Document) -> list[Fact]:
        if isinstance(doc, Orders):
            return [Fact("order", o.order_no, {
                "order_no": o.order_no, "pay_transaction_id": o.pay_transaction_id,
                "goods_value": _money(o.goods_value), "actual_paid": _money(o.actual_paid),
                "currency": o.currency, "consignee": o.consignee.name, "buyer_id": o.buyer.id_number})
                for o in doc.records]
        if isinstance(doc, Payments):
            return [Fact("payment", p.order_no, {
                "order_no": p.order_no, "pay_transaction_id": p.pay_transaction_id,
                "amount_paid": _money(p.amount_paid), "currency": p.currency, "payer_id": p.payer.id_number})
                for p in doc.records]
        if isinstance(doc, LogisticsBills):
            return [Fact("logistics", b.logistics_no, {
                "logistics_no": b.logistics_no, "order_no": b.order_no, "consignee": b.consignee.name})
                for b in doc.records]
        if isinstance(doc, Inventories):
            return [Fact("inventory", inv.key, {
                "record": i, "order_no": inv.order_no, "logistics_no": inv.logistics_no,
                "goods_value": _money(inv.goods_value()), "currency": inv.currency,
                "buyer_id": inv.buyer.id_number})
                for i, inv in enumerate(doc.records)]
        return []

    def waits(self, doc_facts: list[Fact]) -> list[Pair]:
        pairs: list[Pair] = []
        for f in doc_facts:
            if f.kind == "inventory":
                order, bill = f.values["order_no"], f.values["logistics_no"]
                pairs += [("order", order), ("payment", order), ("logistics", bill)]
        return list(dict.fromkeys(pairs))

    def evaluate(self, doc_facts: list[Fact], found: dict[Pair, Values]) -> list[Problem]:
        problems: list[Problem] = []
        for fact in doc_facts:
            if fact.kind != "inventory":
                continue
            inv, base = fact.values, f"/records/{fact.values['record']}"
            order = found.get(("order", inv["order_no"]))
            payment = found.get(("payment", inv["order_no"]))
            bill = found.get(("logistics", inv["logistics_no"]))
            for name, got, field in (("order", order, "order_no"), ("payment", payment, "order_no"),
                                     ("logistics bill", bill, "logistics_no")):
                if got is None:
                    problems.append(Problem("THREE_DOC_MISSING", f"no {name} with {field} {inv[field]!r} has "
                                            "arrived", path=f"{base}/{field}"))
            mismatch = _mismatches(inv, order, payment, bill)
            problems += [Problem("THREE_DOC_MISMATCH", text, path=f"{base}/{field}") for field, text in mismatch]
        return problems


def _mismatches(inv: Values, order: Values | None, payment: Values | None,
                bill: Values | None) -> list[tuple[str, str]]:
    """(inventory field, what disagrees) for every comparison whose documents are present."""
    out: list[tuple[str, str]] = []
    if order:
        if order["goods_value"] != inv["goods_value"]:
            out.append(("goods_value", f"goods value: inventory {inv['goods_value']}, order {order['goods_value']}"))
        if order["currency"] != inv["currency"]:
            out.append(("currency", f"currency: inventory {inv['currency']}, order {order['currency']}"))
        if not _same_text(order["buyer_id"], inv["buyer_id"]):
            out.append(("buyer/id_number", "buyer identity number: inventory and order differ"))
    if order and payment:
        if order["actual_paid"] != payment["amount_paid"]:
            out.append(("order_no", f"amount: order actually paid {order['actual_paid']}, payment "
                                    f"{payment['amount_paid']}"))
        if order.get("pay_transaction_id") and order["pay_transaction_id"] != payment["pay_transaction_id"]:
            out.append(("order_no", f"payTransactionId: order {order['pay_transaction_id']}, payment "
                                    f"{payment['pay_transaction_id']}"))
        if not _same_text(order["buyer_id"], payment["payer_id"]):
            out.append(("buyer/id_number", "payer identity number: payment and order differ"))
    if order and bill and not _same_text(order["consignee"], bill["consignee"]):
        out.append(("logistics_no", "consignee: order and logistics bill name different consignees"))
    if bill and bill["order_no"] != inv["order_no"]:
        out.append(("logistics_no", f"orderNo: logistics bill {bill['order_no']}, inventory {inv['order_no']}"))
    return out


class MasterKnown(Check):
    """A waybill without a whole flight waits for one: a house for its master waybill, or for a flight
    manifest listing its master; a master for a flight manifest (FFM, XFFM) listing it. It is rendered
    on the flight found."""

    name = "master-known"
    renders_at_release = True

    def index(self, doc: Document) -> list[Fact]:
        if isinstance(doc, Manifest):
            flight = [_leg(_manifest_leg(doc))]
            return [Fact("manifested", c.transport_document, {"routing": flight}) for c in doc.consignments]
        if not isinstance(doc, Waybill):
            return []
        if doc.type is WaybillType.MASTER:
            return [Fact("waybill", doc.number, {"routing": [_leg(leg) for leg in doc.routing],
                                                 "has_flight": _whole(doc.routing)})]
        return [Fact("house-waybill", doc.number, {"master_number": doc.master_number,
                                                   "has_flight": _whole(doc.routing)})]

    def waits(self, doc_facts: list[Fact]) -> list[Pair]:
        pairs = [pair for _, master in self._houses(doc_facts)
                 for pair in (("waybill", master), ("manifested", master))]
        pairs += [("manifested", number) for number in self._masters(doc_facts)]
        return list(dict.fromkeys(pairs))

    def evaluate(self, doc_facts: list[Fact], found: dict[Pair, Values]) -> list[Problem]:
        problems: list[Problem] = []
        for house, master_number in self._houses(doc_facts):
            if self._flight_of_master(master_number, found):
                continue
            if ("waybill", master_number) not in found:
                problems.append(Problem("MASTER_UNKNOWN", f"house waybill {house}: its flight is only on its master, "
                                        f"and no master waybill {master_number} has arrived", path="/master_number"))
            else:
                problems.append(Problem("MASTER_NO_FLIGHT", f"house waybill {house}: master waybill {master_number} "
                                        "names no flight (carrier, number and departure date) either, and no "
                                        "flight manifest lists it yet", path="/master_number"))
        for number in self._masters(doc_facts):
            if not _flights(found.get(("manifested", number))):
                problems.append(Problem("FLIGHT_UNKNOWN", f"waybill {number} names no flight (carrier, number and "
                                        "departure date), and no flight manifest (FFM, XFFM) lists it yet",
                                        path="/routing"))
        return problems

    def complete(self, doc: Document, doc_facts: list[Fact], found: dict[Pair, Values]) -> Document:
        if not isinstance(doc, Waybill) or _whole(doc.routing):
            return doc
        if doc.type is WaybillType.MASTER:
            legs = _flights(found.get(("manifested", doc.number)))
        elif doc.master_number:
            legs = self._flight_of_master(doc.master_number, found)
        else:
            legs = []
        return doc.model_copy(update={"routing": legs}) if legs else doc

    @staticmethod
    def _flight_of_master(master_number: str, found: dict[Pair, Values]) -> list[TransportLeg]:
        """The master waybill's own flight, else the flight of a manifest that lists the master."""
        return _flights(found.get(("waybill", master_number))) or _flights(found.get(("manifested", master_number)))

    def _houses(self, doc_facts: list[Fact]) -> list[tuple[str, str]]:
        return [(f.key, f.values["master_number"]) for f in doc_facts
                if f.kind == "house-waybill" and f.values["master_number"] and not f.values["has_flight"]]

    def _masters(self, doc_facts: list[Fact]) -> list[str]:
        # has_flight absent: a fact stored before masters were held, whose routing was taken as it was
        return [f.key for f in doc_facts if f.kind == "waybill" and not f.values.get("has_flight", True)]


def _leg(leg: TransportLeg) -> Values:
    """A leg as a fact keeps it: the model's own JSON view (places with their names)."""
    return leg.model_dump(mode="json")


def _read_leg(values: Values) -> TransportLeg:
    """A leg from a fact; one stored before legs kept their places whole has plain codes as its
    departure and arrival."""
    places = {end: {"code": code} if code else None for end in ("departure", "arrival")
              if isinstance(code := values.get(end), str)}
    return TransportLeg.model_validate({**values, **places})


def _manifest_leg(doc: Manifest) -> TransportLeg:
    """A manifest's conveyance as one flight: its journey from the loading to the unloading place."""
    c = doc.conveyance
    return TransportLeg(carrier=c.carrier.id, number=c.journey_id, departure=doc.loading_location,
                        arrival=doc.unloading_location, departure_at=datetime.combine(c.departure_date, time()))


def _whole(legs: list[TransportLeg]) -> bool:
    """Whether the first leg names a whole flight: carrier, number and departure date."""
    return bool(legs) and all(getattr(legs[0], f) for f in ("carrier", "number", "departure_at"))


def _flights(fact: Values | None) -> list[TransportLeg]:
    """A fact's legs, when its first names a whole flight; [] otherwise."""
    legs = [_read_leg(v) for v in (fact or {}).get("routing") or []]
    return legs if _whole(legs) else []


CHECKS: dict[str, Check] = {c.name: c for c in (ThreeDocuments(), MasterKnown())}
"""Every check a route may hold for, by the name routes.yaml uses."""


@dataclass(frozen=True)
class Hold:
    """What a route's hold makes of one delivery when its message arrives (the router; `hub check`)."""

    check: Check | None
    """The check the route holds for; None: the route holds for none."""
    waits: tuple[Pair, ...]
    """What the delivery waits for; empty: it is not held (no check, or nothing to wait for)."""
    document: Document
    """The document to render now: ``complete``d with the facts found when the check renders at release."""
    deferred: bool
    """The check renders at release and what it waits for is not all there: nothing is rendered now."""


def hold_for(check: str | None, document: Document, facts: list[Fact],
             find: Callable[[list[Pair]], dict[Pair, Values]]) -> Hold:
    """The hold decision for a delivery of ``document`` whose route holds for ``check`` (a CHECKS name,
    or None), given its message's own ``facts``; ``find`` looks up the facts it waits for (the store's;
    offline, none), asked only when the check renders at release."""
    rule = CHECKS[check] if check else None
    waits = tuple(rule.waits(facts)) if rule else ()
    if rule and waits and rule.renders_at_release:   # its output needs what it waits for
        found = find(list(waits))
        return Hold(rule, waits, rule.complete(document, facts, found), bool(rule.evaluate(facts, found)))
    return Hold(rule, waits, document, False)


def index_all(doc: Document) -> list[Fact]:
    """Every check's facts for a document (stored with the message)."""
    return [fact for check in CHECKS.values() for fact in check.index(doc)]


__all__ = ["CHECKS", "Check", "Fact", "Hold", "MasterKnown", "Pair", "ThreeDocuments", "Values", "hold_for",
           "index_all"]
