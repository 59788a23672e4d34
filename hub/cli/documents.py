"""Offline document commands: detect, validate, convert, formats."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Protocol, TypedDict, runtime_checkable

import click
import structlog

from ..adapters import Output, RenderContext
from ..composition import build_engine
from ..errors import ConversionError, DocumentError, HubError, InputTooLarge, Problem
from ..lifecycle import hub_message_id
from ..models import Document, Kind
from ..pipeline import Engine
from ..settings import Settings

log = structlog.get_logger()


def read_input(path: str, limit: int) -> bytes:
    """Read a file (or '-' for stdin) without ever holding more than ``limit`` + 1 bytes."""
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")
    with stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(f"{path}: larger than the {limit}-byte limit (HUB_MAX_MESSAGE_BYTES)")
    return data


def offline_id(data: bytes) -> str:
    """The hub id of an offline conversion or check: the same input gives the same id."""
    return hub_message_id("", None, data)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.pass_obj
def detect(settings: Settings, files: tuple[str, ...]) -> None:
    """Name the format of each FILE (a cheap sniff: root element or first bytes).

    \b
    Example:
      hub detect examples/gacc/*.xml
    """
    engine = build_engine(settings)
    failed = False
    for name in files:
        try:
            adapter = engine.detect(read_input(name, settings.max_message_bytes))
            kinds = ", ".join(sorted(k.value for k in adapter.reads | adapter.writes))
            click.echo(f"{name}: {adapter.name} ({adapter.family}; {kinds})")
        except DocumentError as exc:
            failed = True
            click.echo(Problem(exc.code, exc.message, exc.line, exc.path).format(name))
    sys.exit(1 if failed else 0)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON report for machines.")
@click.pass_obj
def validate(settings: Settings, files: tuple[str, ...], as_json: bool) -> None:
    """Check each FILE against its XSD and the business rules.

    Prints one line per problem, FILE:LINE: PATH: MESSAGE [CODE], and one per warning (a problem
    relaxed on request, HUB_EDIFACT_LENIENT) led by "warning: ". Exit 0 when
    every file is valid, 1 when some is not, 2 on a usage or configuration error.

    \b
    Examples:
      hub validate examples/cargo_xml/*.xml
      hub validate --json incoming/*.xml | jq '.[] | select(.valid | not)'
    """
    engine = build_engine(settings)
    reports = [_validate_one(engine, name, settings) for name in files]
    if as_json:
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        for report in reports:
            for p in report["problems"]:
                click.echo(Problem(**p).format(report["file"]))
            for p in report["warnings"]:
                click.echo("warning: " + Problem(**p).format(report["file"]))
        bad = sum(not r["valid"] for r in reports)
        click.echo(f"{len(reports) - bad} valid, {bad} invalid", err=True)
    sys.exit(1 if any(not r["valid"] for r in reports) else 0)


class _Report(TypedDict):
    """One file's entry of ``hub validate --json``."""

    file: str
    valid: bool
    format: str | None
    kind: str | None
    business_key: str | None
    problems: list[dict[str, Any]]
    warnings: list[dict[str, Any]]


def _validate_one(engine: Engine, name: str, settings: Settings) -> _Report:
    started = time.perf_counter()
    report: _Report = {"file": name, "valid": False, "format": None, "kind": None, "business_key": None,
                       "problems": [], "warnings": []}
    try:
        data = read_input(name, settings.max_message_bytes)
        inbound = engine.inspect(data)
        report["format"] = inbound.adapter.name
        if inbound.document is not None:
            report["kind"] = inbound.document.kind.value
            report["business_key"] = inbound.document.business_key
        report["problems"] = [p.as_dict() for p in inbound.problems]
        report["warnings"] = [p.as_dict() for p in inbound.warnings]
        report["valid"] = inbound.valid
        size, digest = len(data), hashlib.sha256(data).hexdigest()[:16]
    except HubError as exc:
        report["problems"] = [p.as_dict() for p in exc.problems]
        size, digest = None, None
    log.info("message.validated", file=name, bytes=size, sha256=digest, valid=report["valid"],
             problems=len(report["problems"]), ms=round((time.perf_counter() - started) * 1000, 2))
    return report


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--to", "target", required=True, help="Output format (see `hub formats`).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@click.option("--receiver", default="RECEIVER", show_default=True, help="Receiver id for the output header.")
@click.option("--message-id", help="Hub message id for the output header (default: from the input's hash).")
@click.pass_obj
def convert(settings: Settings, file: str, target: str, output: str | None, receiver: str,
            message_id: str | None) -> None:
    """Validate FILE and render it as FORMAT; the output is checked against its own XSD.

    \b
    Examples:
      hub convert examples/cargo_xml/xfwb-pek-fra.xml --to json
      hub convert examples/wco/dec_import_cn_gb.xml --to gacc-dec -o out/dec.xml
    """
    engine = build_engine(settings)
    if not engine.registry.knows(target):
        raise click.BadParameter(f"{target!r} is not a format; choose from {', '.join(engine.registry.names())}",
                                 param_hint="--to")
    data = read_input(file, settings.max_message_bytes)
    try:
        inbound = engine.read(data)
    except DocumentError as exc:
        for p in exc.problems:
            click.echo(p.format(file), err=True)
        sys.exit(1)
    ctx = RenderContext(message_id=message_id or offline_id(data), sender_id=settings.party_id,
                        receiver_id=receiver)
    for n, out in enumerate(_outputs(engine, inbound.documents, target, ctx), 1):
        if output:
            path = Path(output) if len(inbound.documents) == 1 or target == "json" else \
                Path(output).with_stem(f"{Path(output).stem}-{n}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(out.data)
            click.echo(f"{file}: {inbound.adapter.name} -> {target}: {path} ({len(out.data)} bytes)", err=True)
        else:
            sys.stdout.buffer.write(out.data + b"\n")


@runtime_checkable
class _RendersAll(Protocol):
    """The canonical JSON format: several documents as one message."""

    def render_all(self, docs: list[Document], ctx: RenderContext) -> Output: ...


def _outputs(engine: Engine, documents: list[Document], target: str, ctx: RenderContext) -> list[Output]:
    """Each document of the message in ``target`` (checked); several as one canonical JSON message."""
    outs = [engine.render(doc, target, ctx) for doc in documents]
    if target == "json" and len(documents) > 1:
        canonical = engine.registry.get("json")
        if not isinstance(canonical, _RendersAll):
            raise ConversionError("format json cannot carry several documents as one message")
        return [canonical.render_all(documents, ctx)]
    return outs


class _FormatRow(TypedDict):
    """One format of ``hub formats --json``."""

    name: str
    family: str
    read: list[str]
    write: list[str]
    receipt: bool
    envelope: bool
    schema: str | None
    description: str


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
@click.pass_obj
def formats(settings: Settings, as_json: bool) -> None:
    """List every format the hub speaks: read, write, receipt, envelope, and the XSD behind it."""
    engine = build_engine(settings)
    rows: list[_FormatRow] = [{"name": a.name, "family": a.family,
                               "read": sorted(k.value for k in a.reads), "write": sorted(k.value for k in a.writes),
                               "receipt": a.is_receipt, "envelope": a.is_envelope, "schema": a.schema,
                               "description": a.description}
                              for a in engine.registry]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    def kinds(names: list[str], envelope: bool = False) -> str:
        if envelope:
            return "envelope"
        return "any" if len(names) == len(Kind) else ",".join(names) or "-"

    read_w = max(len(kinds(r["read"])) for r in rows) + 2
    write_w = max(len(kinds(r["write"])) for r in rows) + 2
    click.echo(f"{'FORMAT':<18} {'FAMILY':<10} {'READS':<{read_w}} {'WRITES':<{write_w}} {'RECEIPT':<8} SCHEMA")
    for r in rows:
        click.echo(f"{r['name']:<18} {r['family']:<10} {kinds(r['read'], r['envelope']):<{read_w}} "
                   f"{kinds(r['write'], r['envelope']):<{write_w}} {'yes' if r['receipt'] else '-':<8} "
                   f"{r['schema'] or '-'}")
    click.echo("\nan envelope wraps another format: name it as inner+envelope (ceb621+dxp); "
               "Cargo-IMP writes its Type-B envelope when the addresses are Type-B addresses")
