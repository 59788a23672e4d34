"""`hub routes check` and `hub routes explain`."""

from __future__ import annotations

import sys

import click

from ..adapters import RenderContext
from ..composition import build_engine
from ..errors import DocumentError, HubError
from ..models import Document
from ..pipeline import Engine
from ..routing import Router, check_routes, load_routes
from ..settings import Settings
from .documents import offline_id, read_input


@click.group()
def routes() -> None:
    """Check routes.yaml and explain where a message would go."""


@routes.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.pass_obj
def check(settings: Settings, path: str | None) -> None:
    """Validate PATH (default HUB_ROUTES or ./routes.yaml) against the registered formats.

    Finds unknown receivers and formats, formats that cannot carry what a route
    matches, and routes no sender can ever reach. Exit 0 when there is no error,
    2 otherwise.

    \b
    Example:
      hub routes check routes.yaml
    """
    table = load_routes(path or settings.routes)
    findings = check_routes(table, build_engine(settings).registry)
    for f in findings:
        click.echo(f"{path or settings.routes}: {f.level}: {f.message}")
    errors = sum(f.level == "error" for f in findings)
    click.echo(f"{len(table.senders)} senders, {len(table.receivers)} receivers, {len(table.routes)} routes: "
               f"{errors} errors, {len(findings) - errors} warnings", err=True)
    sys.exit(2 if errors else 0)


@routes.command("explain")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--as", "sender", help="The sender (broker user) handing the message in.")
@click.option("--routes", "routes_path", type=click.Path(dir_okay=False), help="routes.yaml to use.")
@click.pass_obj
def explain(settings: Settings, file: str, sender: str | None, routes_path: str | None) -> None:
    """Show which receivers would get FILE, in which format, and why; each output is rendered and checked.

    Without --as, for every sender routes.yaml allows to send FILE's kind, one after the other.

    \b
    Example:
      hub routes explain examples/cargo_xml/xfwb-pek-fra.xml --as AIRLINE-CA
    """
    engine = build_engine(settings)
    router = Router(load_routes(routes_path or settings.routes))
    data = read_input(file, settings.max_message_bytes)
    try:
        inbound = engine.read(data)
    except DocumentError as exc:
        for p in exc.problems:
            click.echo(p.format(file))
        click.echo(f"{file}: invalid, it would be rejected with a negative receipt", err=True)
        sys.exit(1)
    doc = inbound.document
    assert doc is not None, "read raises unless the message gave a document"
    click.echo(f"{file}: {inbound.adapter.name} {doc.kind.value} {doc.business_key}"
               + (f" from {sender}" if sender else ""))
    if sender and (reason := router.authorise(sender, doc.kind)):
        click.echo(f"  REJECTED: {reason}")
        sys.exit(1)
    senders = [sender] if sender else [s for s in router.routes.senders if not router.authorise(s, doc.kind)]
    if not senders:
        click.echo(f"  REJECTED: no sender in routes.yaml may send a {doc.kind.value}")
        sys.exit(1)
    delivered = 0
    for who in senders:
        if not sender:
            click.echo(f"  as {who}:")
        delivered += _explain_as(settings, engine, router, doc, data, who, "    " if not sender else "  ")
    sys.exit(0 if delivered else 1)


def _explain_as(settings: Settings, engine: Engine, router: Router, doc: Document, data: bytes, sender: str,
                indent: str) -> int:
    """The routes' verdicts and the deliveries of ``doc`` sent by ``sender``; returns how many."""
    for verdict in router.explain(doc, sender):
        mark = "match" if verdict.matched else "no"
        click.echo(f"{indent}route {verdict.route.name}: {mark} ({'; '.join(verdict.reasons)})")
    planned = router.plan(doc, sender)
    click.echo(f"{indent}deliveries: {len(planned)}")
    for plan in planned:
        ctx = RenderContext(message_id=offline_id(data), sender_id=settings.party_id, receiver_id=plan.receiver)
        try:
            size = f"renders and validates, {len(engine.render(plan.document, plan.format, ctx).data)} bytes"
        except HubError as exc:
            size = f"cannot render: {exc.message} [{exc.code}]"
        held = f"; held for the {plan.hold.check} check (at most {plan.hold.timeout})" if plan.hold else ""
        click.echo(f"{indent}  -> {plan.receiver} as {plan.format} (route {plan.route}): {size}{held}")
    return len(planned)
