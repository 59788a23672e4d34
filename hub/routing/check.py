"""`hub routes check`: cross-check routes.yaml with the registered formats."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..adapters import Registry
from ..models import Kind
from .direction import DIRECTED
from .table import Route, RoutesFile


@dataclass(frozen=True)
class Finding:
    """A routes check result: 'error' stops a deployment, 'warning' deserves a look."""

    level: str
    message: str


def check_routes(routes: RoutesFile, registry: Registry) -> list[Finding]:
    """Cross-check routes.yaml with the registered formats; find unreachable routes."""
    findings: list[Finding] = []
    for rid, receiver in routes.receivers.items():
        for fmt in receiver.accepts:
            if not registry.knows(fmt):
                findings.append(Finding("error", f"receiver {rid!r} accepts unknown format {fmt!r}"))
        for fmt in receiver.receipt_formats:
            if not registry.knows(fmt) or Kind.RECEIPT not in registry.get(fmt).reads:
                findings.append(Finding("error", f"receiver {rid!r}: {fmt!r} is not a receipt format the hub reads"))
    sendable = {k for s in routes.senders.values() for k in s.may_send}
    used: set[str] = set()
    for route in routes.routes:
        findings.extend(_check_route(route, routes, registry, sendable))
        used.update(d.receiver for d in route.deliver)
    for rid in routes.receivers:
        if rid not in used:
            findings.append(Finding("warning", f"receiver {rid!r} gets nothing: no route delivers to it"))
    return findings


def _check_route(route: Route, routes: RoutesFile, registry: Registry,
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
    if route.match.direction and not kinds & DIRECTED:
        out.append(Finding("warning", f"route {route.name!r} matches on direction, which "
                                      f"{', '.join(sorted(k.value for k in kinds))} never have: it matches nothing"))
    for d in route.deliver:
        if not registry.knows(d.format):
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
