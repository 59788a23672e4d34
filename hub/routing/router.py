"""Matching documents to routes: facts, verdicts with reasons, the delivery plan, narrowing."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from lxml import etree

from ..errors import Problem
from ..models import (
    ArrivalReport,
    Declaration,
    Document,
    Inventories,
    Kind,
    Manifest,
    PersonsList,
    ShipmentStatus,
    TallyReport,
    TransportMode,
    Waybill,
)
from ..signatures import Signer
from ..signatures import check as check_signature
from .direction import DEFAULT_HOME_COUNTRY, Direction, direction_of, is_country
from .table import Hold, Route, RoutesFile


@dataclass(frozen=True)
class Facts:
    """What routes match on, derived from a canonical document."""

    kind: Kind
    transport_mode: TransportMode | None
    ports: frozenset[str]
    chapters: frozenset[str]
    direction: Direction | None = None      # relative to the hub's home country; None: unknown
    direction_why: str = ""                 # how it was decided, or why it is unknown


def facts_of(doc: Document, home: str = DEFAULT_HOME_COUNTRY) -> Facts:
    """The facts routes match on; the direction relative to the country ``home``."""
    found = direction_of(doc, home)
    return replace(_facts_of(doc), direction=found.direction, direction_why=found.why)


def _facts_of(doc: Document) -> Facts:
    if isinstance(doc, Manifest):
        ports = {doc.loading_location.code, doc.unloading_location.code}
        ports |= {loc.code for c in doc.consignments for loc in (c.origin, c.destination) if loc}
        chapters = {h[:2] for c in doc.consignments for h in c.hs_codes}
        return Facts(doc.kind, doc.conveyance.mode, frozenset(ports), frozenset(chapters))
    if isinstance(doc, Waybill):
        ports = {doc.origin.code, doc.destination.code}
        ports |= {loc.code for leg in doc.routing for loc in (leg.departure, leg.arrival) if loc}
        return Facts(doc.kind, TransportMode.AIR, frozenset(ports), frozenset(h[:2] for h in doc.hs_codes))
    if isinstance(doc, Declaration):
        return Facts(doc.kind, doc.transport_mode, frozenset(),
                     frozenset(i.hs_code[:2] for i in doc.items))
    if isinstance(doc, PersonsList):
        return Facts(doc.kind, doc.mode, frozenset({doc.departure.code, doc.arrival.code}), frozenset())
    if isinstance(doc, ShipmentStatus):
        ports = {loc.code for loc in (doc.origin, doc.destination, doc.location) if loc}
        return Facts(doc.kind, TransportMode.AIR, frozenset(ports), frozenset())
    if isinstance(doc, ArrivalReport):
        return Facts(doc.kind, doc.journey.mode, frozenset({doc.arrival_location.code}), frozenset())
    if isinstance(doc, TallyReport):
        return Facts(doc.kind, doc.journey.mode, frozenset({doc.location.code} if doc.location else ()), frozenset())
    if isinstance(doc, Inventories):
        return Facts(doc.kind, None, frozenset(r.port_code for r in doc.records),
                     frozenset(i.hs_code[:2] for r in doc.records for i in r.items))
    return Facts(doc.kind, None, frozenset(), frozenset())


@dataclass
class Verdict:
    """Whether one route matched, and why (or why not)."""

    route: Route
    matched: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Planned:
    """One delivery to make: receiver, format, the route that asked for it, and the document."""

    receiver: str
    format: str
    route: str
    document: Document
    hold: Hold | None = None


class Router:
    """Matches documents to routes."""

    def __init__(self, routes: RoutesFile, home_country: str | None = None) -> None:
        """``home_country``: ISO alpha-2 the directions are relative to; None: HUB_HOME_COUNTRY (CN)."""
        if home_country is None:
            from ..settings import Settings
            home_country = Settings().home_country
        if not is_country(home_country):
            raise ValueError(f"home country {home_country!r} is not an ISO 3166-1 alpha-2 code")
        self.routes, self.home_country = routes, home_country
        self.trust = {party: sender.signature.load(party, routes.folder)
                      for party, sender in routes.senders.items() if sender.signature.policy != "none"}
        """Each signing sender's policy with its certificates, read once: unreadable or expired -> ConfigError."""

    def signature(self, sender: str, tree: etree._ElementTree | None) -> tuple[Signer | None, list[Problem]]:
        """The sender's signature policy applied to a message it sent (its parsed XML, None for text):
        (the verified signer or None, the problems that refuse it)."""
        trust = self.trust.get(sender)
        if trust is None:
            return None, []
        if tree is None:
            if trust.policy == "require":
                return None, [Problem("SIGNATURE_MISSING", f"{sender}'s messages must be signed (routes.yaml "
                                      "signature: require) and this one is not XML, which alone carries one")]
            return None, []
        return check_signature(tree, trust)

    def authorise(self, sender: str, kind: Kind) -> str | None:
        """None when ``sender`` may send ``kind``; otherwise the reason it may not."""
        party = self.routes.senders.get(sender)
        if party is None:
            return f"sender {sender!r} is not known in routes.yaml"
        if kind not in party.may_send:
            return f"sender {sender!r} may not send a {kind.value}"
        return None

    def explain(self, doc: Document, sender: str | None) -> list[Verdict]:
        facts = facts_of(doc, self.home_country)
        return [self._judge(route, facts, sender) for route in self.routes.routes]

    def plan(self, doc: Document, sender: str | None) -> list[Planned]:
        """Every (receiver, format) the document goes to; the first route naming a pair wins."""
        planned: dict[tuple[str, str], Planned] = {}
        facts = facts_of(doc, self.home_country)
        for route in self.routes.routes:
            if not self._matches(route, facts, sender):
                continue
            for d in route.deliver:
                if (d.receiver, d.format) in planned:
                    continue
                copy = doc
                if d.only_matching_goods and route.match.hs_chapters:
                    copy = narrow(doc, route.match.chapters())
                planned[(d.receiver, d.format)] = Planned(d.receiver, d.format, route.name, copy, route.hold)
        return list(planned.values())

    @staticmethod
    def _matches(route: Route, facts: Facts, sender: str | None) -> bool:
        """The verdict of ``_judge`` without its reasons (the router's hot path)."""
        m = route.match
        return ((not m.kinds or facts.kind in m.kinds)
                and (not m.senders or (sender is not None and any(fnmatchcase(sender, p) for p in m.senders)))
                and (not m.transport_modes or facts.transport_mode in m.transport_modes)
                and (not m.direction or facts.direction in m.direction)
                and (not m.ports or bool(facts.ports & set(m.ports)))
                and (not m.hs_chapters or bool(facts.chapters & m.chapters())))

    @staticmethod
    def _judge(route: Route, facts: Facts, sender: str | None) -> Verdict:
        m, reasons, ok = route.match, [], True

        def test(condition: bool, yes: str, no: str) -> None:
            nonlocal ok
            ok = ok and condition
            reasons.append(yes if condition else no)

        if m.kinds:
            test(facts.kind in m.kinds, f"kind {facts.kind.value} is listed",
                 f"kind {facts.kind.value} is not in {[k.value for k in m.kinds]}")
        if m.senders:
            hit = sender is not None and any(fnmatchcase(sender, p) for p in m.senders)
            test(hit, f"sender {sender} is listed", f"sender {sender} is not in {m.senders}")
        if m.transport_modes:
            mode = facts.transport_mode.value if facts.transport_mode else "unknown"
            test(facts.transport_mode in m.transport_modes, f"transport mode {mode} is listed",
                 f"transport mode {mode} is not in {[t.value for t in m.transport_modes]}")
        if m.direction:
            wanted = [d.value for d in m.direction]
            if facts.direction is None:
                test(False, "", f"direction unknown: {facts.direction_why}")
            else:
                test(facts.direction in m.direction, f"direction {facts.direction.value} is listed "
                     f"({facts.direction_why})", f"direction {facts.direction.value} is not in {wanted} "
                     f"({facts.direction_why})")
        if m.ports:
            ports = sorted(facts.ports & set(m.ports))
            test(bool(ports), f"port {', '.join(ports)} is listed", f"none of ports {sorted(facts.ports)} is listed")
        if m.hs_chapters:
            chapters = sorted(facts.chapters & m.chapters())
            test(bool(chapters), f"HS chapter {', '.join(chapters)} is in {m.hs_chapters}",
                 f"no HS chapter of {sorted(facts.chapters) or 'the message (none given)'} is in {m.hs_chapters}")
        if not reasons:
            reasons.append("the route matches everything")
        return Verdict(route, ok, reasons)


def narrow(doc: Document, chapters: AbstractSet[str]) -> Document:
    """A copy holding only the consignments (manifest) or items (declaration) in ``chapters``."""
    if isinstance(doc, Manifest):
        kept = [c for c in doc.consignments if c.hs_chapters() & chapters]
        narrowed = doc.model_copy(update={"consignments": kept})
        return narrowed.model_copy(update={
            "total_pieces": None if doc.total_pieces is None else narrowed.summed_pieces(),
            "total_gross_weight": doc.total_gross_weight and doc.total_gross_weight.model_copy(
                update={"value": narrowed.summed_weight()})})
    if isinstance(doc, Declaration):
        items = [i for i in doc.items if i.hs_code[:2] in chapters]
        declaration = doc.model_copy(update={"items": items})
        return declaration.model_copy(update={"total_value": doc.total_value and doc.total_value.model_copy(
            update={"value": declaration.summed_value()})})
    return doc
