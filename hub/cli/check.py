"""`hub check`: a partner's sample messages, read offline the way the hub's router reads them.

For onboarding a partner: every file of a directory is detected, validated (XSD and
business rules), authorised (with ``--as``), routed per routes.yaml, and each output
is rendered and checked. One file's failure never stops the others.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import click
import structlog

from ..adapters import RenderContext
from ..checks import hold_for, index_all
from ..composition import build_engine
from ..errors import Disposition, HubError, Problem
from ..models import Document, Kind
from ..pipeline import Engine
from ..routing import Planned, Router, load_routes
from ..settings import Settings
from .admin import progress
from .documents import offline_id, read_input

log = structlog.get_logger()

ACCEPTED, REFUSED, ERROR = "accepted", "refused", "error"
SKIPPED_NAMES = ("source.txt",)
"""Notes that travel with sample folders (compared lower-case); README* files are skipped too."""

WIDTHS = {"file": 52, "format": 18, "kind": 11, "key": 22, "verdict": 8, "receivers": 80}
"""The most a table cell shows (in terminal columns); --json is never cut."""
PROBLEM_WIDTH = 160


class DeliveryReport(TypedDict):
    """One output of a checked file (``receivers`` of its report)."""

    receiver: str
    format: str
    route: str
    hold: str | None
    deferred: bool
    bytes: int | None
    error: dict[str, Any] | None        # Problem.as_dict()
    part: NotRequired[int]              # which document of a message with several


class FileReport(TypedDict):
    """One checked file: a line of the table, an object of --json."""

    file: str
    path: str
    format: str | None
    kind: str | None
    business_key: str | None
    documents: int
    verdict: str | None
    problem: dict[str, Any] | None      # the first of ``problems``
    problems: list[dict[str, Any]]      # Problem.as_dict() each
    error: str | None
    sender: str | None
    receivers: list[DeliveryReport]
    answered_by: NotRequired[list[str]]     # a receipt: the receivers it is taken from
    warnings: NotRequired[list[dict[str, Any]]]    # what the reading relaxed (HUB_EDIFACT_LENIENT)


@dataclass(frozen=True)
class Target:
    """A file to check and the name it is shown under."""

    path: Path
    name: str


def collect(arguments: tuple[str, ...]) -> list[Target]:
    """The files to check: directories walked recursively (notes and hidden files skipped), sorted
    by their path inside the directory (after the directory's own name when several are given);
    plain files as given. A file named twice is checked once."""
    targets: list[Target] = []
    seen: set[Path] = set()
    for argument in arguments:
        given = Path(argument)
        if given.is_dir():
            found = sorted((p for p in given.rglob("*") if p.is_file() and not _skipped(p.relative_to(given))),
                           key=lambda p: p.relative_to(given).as_posix())
            prefix = given.resolve().name + "/" if len(arguments) > 1 else ""   # several folders: name each
            pairs = [(p, prefix + p.relative_to(given).as_posix()) for p in found]
        else:
            pairs = [(given, argument)]
        for path, name in pairs:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                targets.append(Target(path, name))
    return targets


def _skipped(relative: Path) -> bool:
    name = relative.name.lower()
    return (any(part.startswith(".") for part in relative.parts) or name in SKIPPED_NAMES
            or name.startswith("readme"))


class Checker:
    """Reads one file after another as the router would, never raising."""

    def __init__(self, engine: Engine, router: Router, settings: Settings, sender: str | None) -> None:
        self.engine, self.router, self.settings, self.sender = engine, router, settings, sender

    def check(self, target: Target) -> FileReport:
        report: FileReport = {
            "file": target.name, "path": str(target.path), "format": None, "kind": None, "business_key": None,
            "documents": 0, "verdict": None, "problem": None, "problems": [], "error": None,
            "sender": self.sender, "receivers": []}
        try:
            self._check(target, report)
        except Exception as exc:  # a bug or an unexpected fault: this file alone
            log.debug("check.raised", file=target.name, exc_info=True)
            code = exc.code if isinstance(exc, HubError) else "INTERNAL_ERROR"
            message = exc.message if isinstance(exc, HubError) else str(exc)
            self._finish(report, ERROR, [Problem(code, f"{type(exc).__name__}: {message}")])
            report["error"] = type(exc).__name__
        return report

    def _check(self, target: Target, report: FileReport) -> None:
        try:
            data = read_input(str(target.path), self.settings.max_message_bytes)
            inbound = self.engine.inspect(data)
        except HubError as exc:
            if exc.disposition is not Disposition.REJECT:
                raise
            return self._finish(report, REFUSED, exc.problems)
        doc = inbound.document
        fmt = inbound.adapter.name
        report["format"] = f"{fmt}+{inbound.envelope.name}" if inbound.envelope else fmt
        if doc is not None:
            report["kind"], report["business_key"] = doc.kind.value, doc.business_key
        parts = inbound.documents
        report["documents"] = len(parts)
        if inbound.warnings:
            report["warnings"] = [p.as_dict() for p in inbound.warnings]
        if inbound.problems or doc is None:
            return self._finish(report, REFUSED, inbound.problems)
        if all(part.kind is Kind.RECEIPT for part in parts):   # an agency's answer: the receipts lane
            return self._receipt(report, fmt)
        for part in parts:   # the router refuses the whole message when any part may not be sent
            if self.sender and (reason := self.router.authorise(self.sender, part.kind)):
                return self._finish(report, REFUSED, [Problem("SENDER_NOT_ALLOWED", reason)])
        problems = []
        for n, part in enumerate(parts, 1):   # each part is routed and delivered on its own
            label = f"part {n} ({part.business_key}): " if len(parts) > 1 else ""
            planned = self._plan(part)
            if planned is None:
                hint = (" (agencies answer on the receipts lane: hub send --receipt)"
                        if part.kind is Kind.RECEIPT else "")
                problems.append(Problem("SENDER_NOT_ALLOWED",
                                        f"{label}no sender in routes.yaml may send a {part.kind.value}{hint}"))
                continue
            if not planned:
                problems.append(Problem("NO_ROUTE", f"{label}no route in routes.yaml matches this message"))
                continue
            for p in planned:
                delivery = self._render(p, data, part, label)
                if len(parts) > 1:
                    delivery["part"] = n
                report["receivers"].append(delivery)
                if delivery["error"]:
                    problems.append(Problem(**delivery["error"]))
        self._finish(report, REFUSED if problems else ACCEPTED, problems)

    def _receipt(self, report: FileReport, fmt: str) -> None:
        """A receipt is taken from the receivers whose routes.yaml ``receipt_formats`` list its format
        (the receipt worker stores any other as refused, RECEIPT_FORMAT_NOT_ACCEPTED)."""
        receivers = self.router.routes.receivers
        answering = [name for name, r in receivers.items() if fmt in r.receipt_formats
                     and (not self.sender or name == self.sender)]
        report["answered_by"] = answering
        if answering:
            return self._finish(report, ACCEPTED, [])
        who = f"receiver {self.sender}" if self.sender else "no receiver in routes.yaml"
        self._finish(report, REFUSED, [Problem("RECEIPT_FORMAT_NOT_ACCEPTED",
                                               f"{who} answers in {fmt} (routes.yaml receipt_formats)")])

    def _plan(self, doc: Document) -> list[Planned] | None:
        """With --as, the sender's plan. Without, every delivery any sender allowed to send this kind
        would make (the first route naming a receiver and format wins); None when no sender may."""
        if self.sender:
            return self.router.plan(doc, self.sender)
        senders = [s for s in self.router.routes.senders if not self.router.authorise(s, doc.kind)]
        if not senders:
            return None
        planned: dict[tuple[str, str], Planned] = {}
        for sender in senders:
            for p in self.router.plan(doc, sender):
                planned.setdefault((p.receiver, p.format), p)
        return list(planned.values())

    def _render(self, p: Planned, data: bytes, part: Document, label: str = "") -> DeliveryReport:
        # as the router decides it (hub.checks.hold_for); offline nothing it waits for has arrived
        hold = hold_for(p.hold.check, p.document, index_all(part), lambda pairs: {}) if p.hold else None
        delivery: DeliveryReport = {
            "receiver": p.receiver, "format": p.format, "route": p.route,
            "hold": p.hold.check if p.hold and hold and hold.waits else None,   # held only when it waits for some
            "deferred": False, "bytes": None, "error": None}
        if hold and hold.deferred:
            delivery["deferred"] = True   # rendered at release
            return delivery
        ctx = RenderContext(message_id=f"{offline_id(data)}.{p.receiver}", sender_id=self.settings.party_id,
                            receiver_id=p.receiver)
        try:
            delivery["bytes"] = len(self.engine.render(hold.document if hold else p.document, p.format, ctx).data)
        except HubError as exc:
            if exc.disposition is not Disposition.REJECT:
                raise   # an output failing its own schema is a hub bug, not the partner's
            delivery["error"] = Problem(exc.code, f"{label}{p.receiver} ({p.format}): {exc.message}",
                                        exc.line, exc.path).as_dict()
        return delivery

    @staticmethod
    def _finish(report: FileReport, verdict: str, problems: list[Problem]) -> None:
        report["verdict"] = verdict
        report["problems"] = [p.as_dict() for p in problems]
        report["problem"] = report["problems"][0] if report["problems"] else None


@click.command()
@click.argument("paths", metavar="DIR...", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--as", "sender", help="Check as this sender (broker user): it must be allowed to send each kind, "
                                     "and its routes apply. Without it, routes of any sender allowed to send "
                                     "the kind are shown.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list: one object per file, with every problem.")
@click.option("--routes", "routes_path", type=click.Path(dir_okay=False), help="routes.yaml to use.")
@click.pass_obj
def check(settings: Settings, paths: tuple[str, ...], sender: str | None, as_json: bool,
          routes_path: str | None) -> None:
    """Check a partner's sample messages: every file under each DIR (or each FILE), offline, as the router would.

    Each file is detected, validated (XSD and business rules), authorised (with
    --as), routed per routes.yaml, and every output is rendered and checked.
    Directories are read recursively in sorted order; SOURCE.txt, README* and
    hidden files are skipped. One line per file: FILE FORMAT KIND KEY VERDICT
    RECEIVERS, then the first problem as FILE:LINE: PATH: MESSAGE [CODE] and any
    output that cannot be rendered.

    A file is 'accepted' when the hub would deliver it, 'refused' when the sender
    would get a negative receipt (invalid, not allowed, no route, an output that
    cannot be written), 'error' when the hub itself fails on it (a bug: please
    report it). Exit 0 when every file is accepted, 1 when some is refused, 3
    when some is an error.

    \b
    Examples:
      hub check ../partner-samples/
      hub check samples/ --as AIRLINE-CA
      hub check samples/ --json | jq '.[] | select(.verdict != "accepted") | .problems'
    """
    targets = collect(paths)
    if not targets:
        raise click.UsageError(f"no files to check in {', '.join(paths)}")
    router = Router(load_routes(routes_path or settings.routes))
    if sender and sender not in router.routes.senders:
        click.echo(f"hub: warning: sender {sender!r} is not in routes.yaml: every file will be refused", err=True)
    checker = Checker(build_engine(settings), router, settings, sender)
    reports = []
    with progress(len(targets), "checking") as bar:
        for target in targets:
            reports.append(checker.check(target))
            bar.update(1)
    if as_json:
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        print_table(reports)
    counts = {v: sum(r["verdict"] == v for r in reports) for v in (ACCEPTED, REFUSED, ERROR)}
    click.echo(f"{len(reports)} files, {counts[ACCEPTED]} accepted, {counts[REFUSED]} refused, "
               f"{counts[ERROR]} errors", err=True)
    sys.exit(3 if counts[ERROR] else 1 if counts[REFUSED] else 0)


def print_table(reports: list[FileReport]) -> None:
    cells = [{"file": r["file"], "format": r["format"] or "-", "kind": r["kind"] or "-",
              "key": _key(r), "verdict": r["verdict"], "receivers": _receivers(r)}
             for r in reports]
    widths = {col: min(cap, max(_width(col), *(_width(_clean(c[col])) for c in cells)))
              for col, cap in WIDTHS.items()}
    last = list(WIDTHS)[-1]

    def line(values: dict[str, str | None]) -> str:
        return " ".join(_fit(_clean(values[col]), widths[col], pad=col != last, middle=col == "file")
                        for col in WIDTHS).rstrip()

    click.echo(line({col: col.upper() for col in WIDTHS}))
    for report, row in zip(reports, cells):
        click.echo(line(row))
        if report["problem"]:
            click.echo(_problem_line(report["problem"], report["file"]))
        for d in report["receivers"]:
            if d["error"] and d["error"] != report["problem"]:
                click.echo(_problem_line(d["error"], report["file"]))


def _key(report: FileReport) -> str:
    key = report["business_key"] or "-"
    return f"{key} (+{report['documents'] - 1})" if report["documents"] > 1 else key


def _receivers(report: FileReport) -> str:
    if report.get("answered_by"):
        return "receipt from " + ", ".join(report["answered_by"])
    if not report["receivers"]:
        return "-"
    parts = []
    for d in report["receivers"]:
        mark = (f" [{d['error']['code']}]" if d["error"] else " (held; rendered at release)" if d["deferred"]
                else " (held)" if d["hold"] else "")
        part = f"#{d['part']} " if "part" in d else ""
        parts.append(f"{part}{d['receiver']} {d['format']}{mark}")
    return ", ".join(parts)


def _clean(text: object) -> str:
    """One line of printable text: a hostile file name or key cannot move the cursor."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                   for c in str(text))


def _width(text: str) -> int:
    """Terminal columns: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int, pad: bool = True, middle: bool = False) -> str:
    """Cut to ``width`` columns with an ellipsis (in the middle when ``middle``: a file name keeps its
    folder and its end), and pad to it unless ``pad`` is False."""
    if _width(text) > width:
        if middle:
            tail = _take(text[::-1], (width - 1) // 2)[::-1]
            text = _take(text, width - 1 - _width(tail)) + "…" + tail
        else:
            text = _take(text, width - 1) + "…"
    return text + " " * (width - _width(text)) if pad else text


def _take(text: str, width: int) -> str:
    """The longest start of ``text`` that fits ``width`` columns."""
    out, used = [], 0
    for c in text:
        used += _width(c)
        if used > width:
            break
        out.append(c)
    return "".join(out)


def _problem_line(problem: dict[str, Any], name: str) -> str:
    """FILE:LINE: PATH: MESSAGE [CODE] in at most PROBLEM_WIDTH columns: the name and path are cut in
    the middle, the message at its end; the code is always whole."""
    p = Problem(**problem)
    head = f"{_fit(_clean(name), 60, pad=False, middle=True)}:{p.line or 0}: " \
           f"{_fit(_clean(p.path or '/'), 60, pad=False, middle=True)}: "
    code = f" [{_clean(p.code)}]"
    room = max(40, PROBLEM_WIDTH - _width(head) - _width(code))
    return "    " + head + _fit(_clean(p.message), room, pad=False) + code
