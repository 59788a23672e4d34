"""routes.yaml: who may send what, who receives what in which format, and why.

The file has three parts: ``senders`` (identity as the broker authenticates it,
and the kinds each may send), ``receivers`` (the formats each accepts and how
long it may take to send a receipt) and ``routes`` (a match on message facts and
the deliveries it makes). Loading validates it with pydantic and names the file,
line and field of every error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from fnmatch import fnmatchcase
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError
from .models import Declaration, Document, Kind, Manifest, TransportMode, Waybill

_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_CHAPTERS = re.compile(r"^(\d{2})(?:-(\d{2}))?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sender(_Strict):
    """A party that hands messages in; ``id`` is its broker user."""

    name: str
    may_send: list[Kind] = Field(..., min_length=1)


class Receiver(_Strict):
    """An agency feed: the formats it takes and its receipt deadline."""

    name: str
    accepts: list[str] = Field(..., min_length=1)
    receipt_formats: list[str] = Field(default_factory=list, description="formats its receipts come in")
    receipt_deadline: timedelta = timedelta(hours=4)

    @field_validator("receipt_deadline", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str) and (m := _DURATION.match(value.strip())):
            unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
            return timedelta(**{unit: int(m.group(1))})
        return value


class Match(_Strict):
    """Conditions on message facts; an empty list means 'any'."""

    kinds: list[Kind] = Field(default_factory=list)
    senders: list[str] = Field(default_factory=list, description="sender ids; shell globs allowed")
    transport_modes: list[TransportMode] = Field(default_factory=list)
    ports: list[str] = Field(default_factory=list, description="any loading, unloading, origin or destination")
    hs_chapters: list[str] = Field(default_factory=list, description="'01-24' or '84'")

    @field_validator("hs_chapters")
    @classmethod
    def _chapters(cls, value: list[str]) -> list[str]:
        for spec in value:
            m = _CHAPTERS.match(str(spec))
            if not m or not 1 <= int(m.group(1)) <= int(m.group(2) or m.group(1)) <= 99:
                raise ValueError(f"{spec!r} is not a chapter ('84') or a range ('01-24')")
        return value

    def chapters(self) -> set[str]:
        out: set[str] = set()
        for spec in self.hs_chapters:
            low, high = _CHAPTERS.match(spec).groups()
            out.update(f"{n:02d}" for n in range(int(low), int(high or low) + 1))
        return out


class Delivery(_Strict):
    """One copy of the message: to whom, in which format."""

    receiver: str
    format: str
    only_matching_goods: bool = Field(False, description="keep only consignments/items in the "
                                      "route's HS chapters")


class Route(_Strict):
    name: str
    description: str | None = None
    match: Match = Field(default_factory=Match)
    deliver: list[Delivery] = Field(..., min_length=1)


class RoutesFile(_Strict):
    """The whole routes.yaml."""

    version: int = 1
    senders: dict[str, Sender]
    receivers: dict[str, Receiver]
    routes: list[Route]

    @model_validator(mode="after")
    def _references(self) -> "RoutesFile":
        names = [r.name for r in self.routes]
        if len(set(names)) != len(names):
            raise ValueError(f"route names must be unique: {sorted(n for n in names if names.count(n) > 1)}")
        for route in self.routes:
            for d in route.deliver:
                if d.receiver not in self.receivers:
                    raise ValueError(f"route {route.name!r} delivers to unknown receiver {d.receiver!r}")
                if d.format not in self.receivers[d.receiver].accepts:
                    raise ValueError(f"route {route.name!r}: receiver {d.receiver!r} does not accept "
                                     f"format {d.format!r} (accepts {self.receivers[d.receiver].accepts})")
        return self


def load_routes(path: Path) -> RoutesFile:
    """Read and validate routes.yaml; errors name the file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read routes: {exc.strerror}") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise ConfigError(f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}", line=line) from exc
    try:
        return RoutesFile.model_validate(data or {})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            line = _line_of(node, loc)
            lines.append(f"{path}:{line}: {'.'.join(loc) or '(top)'}: {err['msg']}")
        raise ConfigError("\n".join(lines), line=None) from exc


def _line_of(node: yaml.Node | None, loc: list[str]) -> int:
    """The line of the deepest YAML node the pydantic location reaches."""
    line = node.start_mark.line + 1 if node is not None else 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


@dataclass(frozen=True)
class Facts:
    """What routes match on, derived from a canonical document."""

    kind: Kind
    transport_mode: TransportMode | None
    ports: frozenset[str]
    chapters: frozenset[str]


def facts_of(doc: Document) -> Facts:
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


class Router:
    """Matches documents to routes."""

    def __init__(self, routes: RoutesFile) -> None:
        self.routes = routes

    def authorise(self, sender: str, kind: Kind) -> str | None:
        """None when ``sender`` may send ``kind``; otherwise the reason it may not."""
        party = self.routes.senders.get(sender)
        if party is None:
            return f"sender {sender!r} is not known in routes.yaml"
        if kind not in party.may_send:
            return f"sender {sender!r} may not send a {kind.value}"
        return None

    def explain(self, doc: Document, sender: str | None) -> list[Verdict]:
        facts = facts_of(doc)
        return [self._judge(route, facts, sender) for route in self.routes.routes]

    def plan(self, doc: Document, sender: str | None) -> list[Planned]:
        """Every (receiver, format) the document goes to; the first route naming a pair wins."""
        planned: dict[tuple[str, str], Planned] = {}
        for verdict in self.explain(doc, sender):
            if not verdict.matched:
                continue
            for d in verdict.route.deliver:
                if (d.receiver, d.format) in planned:
                    continue
                copy = doc
                if d.only_matching_goods and verdict.route.match.hs_chapters:
                    copy = narrow(doc, verdict.route.match.chapters())
                planned[(d.receiver, d.format)] = Planned(d.receiver, d.format, verdict.route.name, copy)
        return list(planned.values())

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
        if m.ports:
            hit = sorted(facts.ports & set(m.ports))
            test(bool(hit), f"port {', '.join(hit)} is listed", f"none of ports {sorted(facts.ports)} is listed")
        if m.hs_chapters:
            hit = sorted(facts.chapters & m.chapters())
            test(bool(hit), f"HS chapter {', '.join(hit)} is in {m.hs_chapters}",
                 f"no HS chapter of {sorted(facts.chapters) or 'the message (none given)'} is in {m.hs_chapters}")
        if not reasons:
            reasons.append("the route matches everything")
        return Verdict(route, ok, reasons)


def narrow(doc: Document, chapters: set[str]) -> Document:
    """A copy holding only the consignments (manifest) or items (declaration) in ``chapters``."""
    if isinstance(doc, Manifest):
        kept = [c for c in doc.consignments if c.hs_chapters() & chapters]
        narrowed = doc.model_copy(update={"consignments": kept})
        return narrowed.model_copy(update={
            "total_pieces": None if doc.total_pieces is None else narrowed.summed_pieces(),
            "total_gross_weight": doc.total_gross_weight and doc.total_gross_weight.model_copy(
                update={"value": narrowed.summed_weight()})})
    if isinstance(doc, Declaration):
        kept = [i for i in doc.items if i.hs_code[:2] in chapters]
        narrowed = doc.model_copy(update={"items": kept})
        return narrowed.model_copy(update={"total_value": doc.total_value and doc.total_value.model_copy(
            update={"value": narrowed.summed_value()})})
    return doc


@dataclass(frozen=True)
class Finding:
    """A routes check result: 'error' stops a deployment, 'warning' deserves a look."""

    level: str
    message: str


def check_routes(routes: RoutesFile, registry) -> list[Finding]:
    """Cross-check routes.yaml with the registered formats; find unreachable routes."""
    findings: list[Finding] = []
    known = set(registry.names())
    for rid, receiver in routes.receivers.items():
        for fmt in receiver.accepts:
            if fmt not in known:
                findings.append(Finding("error", f"receiver {rid!r} accepts unknown format {fmt!r}"))
        for fmt in receiver.receipt_formats:
            if fmt not in known or Kind.RECEIPT not in registry.get(fmt).reads:
                findings.append(Finding("error", f"receiver {rid!r}: {fmt!r} is not a receipt format the hub reads"))
    sendable = {k for s in routes.senders.values() for k in s.may_send}
    used = set()
    for route in routes.routes:
        findings.extend(_check_route(route, routes, registry, known, sendable))
        used.update(d.receiver for d in route.deliver)
    for rid in routes.receivers:
        if rid not in used:
            findings.append(Finding("warning", f"receiver {rid!r} gets nothing: no route delivers to it"))
    return findings


def _check_route(route: Route, routes: RoutesFile, registry, known: set[str],
                 sendable: set[Kind]) -> list[Finding]:
    out: list[Finding] = []
    senders = [s for s in routes.senders if not route.match.senders
               or any(fnmatchcase(s, p) for p in route.match.senders)]
    if route.match.senders and not senders:
        out.append(Finding("error", f"route {route.name!r} is unreachable: no sender matches "
                                    f"{route.match.senders}"))
        return out
    kinds = set(route.match.kinds or Kind) & {k for s in senders for k in routes.senders[s].may_send}
    kinds.discard(Kind.RECEIPT)
    if not kinds:
        out.append(Finding("error", f"route {route.name!r} is unreachable: its senders may not send "
                                    f"{[k.value for k in route.match.kinds] or 'anything it matches'}"))
        return out
    for d in route.deliver:
        if d.format not in known:
            out.append(Finding("error", f"route {route.name!r}: format {d.format!r} is not registered"))
            continue
        adapter = registry.get(d.format)
        missing = sorted(k.value for k in kinds if k not in adapter.writes)
        if missing and len(missing) == len(kinds):
            out.append(Finding("error", f"route {route.name!r}: format {d.format!r} cannot carry "
                                        f"{', '.join(missing)}"))
        elif missing:
            out.append(Finding("warning", f"route {route.name!r}: format {d.format!r} cannot carry "
                                          f"{', '.join(missing)}; those messages will be rejected"))
        if d.only_matching_goods and not route.match.hs_chapters:
            out.append(Finding("warning", f"route {route.name!r}: only_matching_goods without hs_chapters "
                                          "has no effect"))
    return out
