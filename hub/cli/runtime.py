"""Runtime commands: topology, serve, send."""

from __future__ import annotations

import sys

import click

from ..composition import build_engine
from ..errors import DocumentError, HubError
from ..lifecycle import hub_message_id
from ..pipeline import Engine
from ..routing import Router, load_routes
from ..settings import Settings
from ..transport.base import Headers, Publication, Topology
from ..transport.rabbitmq import publish_once
from ..worker.serve import declare, hub_user, undeclare
from ..worker.serve import serve as serve_hub
from .documents import read_input


@click.group()
def topology() -> None:
    """The RabbitMQ exchanges and queues (all named from HUB_TOPOLOGY_PREFIX)."""


@topology.command("declare")
@click.pass_obj
def topology_declare(settings: Settings) -> None:
    """Create every exchange and queue routes.yaml needs; safe to run again.

    \b
    Example:
      HUB_AMQP_URL=amqp://hub:secret@broker:5672/eport hub topology declare
    """
    for name in declare(settings):
        click.echo(name)


@topology.command("delete")
@click.option("--yes", is_flag=True, help="Required: confirms that the prefix's queues go.")
@click.option("--force", is_flag=True, help="Delete queues that still hold messages (they are lost).")
@click.pass_obj
def topology_delete(settings: Settings, yes: bool, force: bool) -> None:
    """Remove every exchange and queue of HUB_TOPOLOGY_PREFIX (a retired deployment or a test run).

    A queue that still holds messages stops the command unless --force is given.

    \b
    Example:
      HUB_TOPOLOGY_PREFIX=staging hub topology delete --yes
    """
    if not yes:
        raise click.UsageError(f"this deletes every queue of prefix {settings.topology_prefix!r}; add --yes")
    for name in undeclare(settings, if_empty=not force):
        click.echo(name)


@click.command()
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Router processes (competing consumers on the inbound queue).")
@click.option("--http", metavar="[HOST]:PORT",
              help="Also serve the status API, e.g. :8080 (127.0.0.1) or 0.0.0.0:8080.")
@click.pass_obj
def serve(settings: Settings, workers: int, http: str | None) -> None:
    """Run the hub: routers, the receipt worker and the deadline sweeper, until SIGTERM.

    \b
    Example:
      HUB_STORE_URL=sqlite:////var/lib/hub/store.db hub serve --workers 2 --http :8080
    """
    serve_hub(settings, workers, http=_address(http) if http else None)


def _address(text: str) -> tuple[str, int]:
    """``[HOST]:PORT`` as (host, port); the host defaults to 127.0.0.1 (not every interface)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise click.BadParameter(f"{text!r}: expected [HOST]:PORT with a port from 1 to 65535", param_hint="--http")
    return host or "127.0.0.1", int(port)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "sender", required=True, help="The sender to publish as (a routes.yaml sender).")
@click.option("--message-id", help="The sender's message id (default: none).")
@click.option("--receipt", is_flag=True, help="Publish to the receipts exchange, as an agency would.")
@click.pass_obj
def send(settings: Settings, files: tuple[str, ...], sender: str, message_id: str | None, receipt: bool) -> None:
    """Publish FILES to the hub as SENDER would (an admin tool: the hub's own broker user vouches with
    the x-hub-sender header; the message's outcome event records it, `hub messages show` says "vouched
    by"). Parties connect as themselves with their own accounts (`hub parties apply`).

    SENDER must be a routes.yaml sender (with --receipt, a receiver), or nothing is sent (exit 2). Each
    file is then reported on its own line: published with the hub message id it will have (its parts,
    when it carries several documents, are ID-P1, ID-P2 ...), or refused when SENDER may not send its
    kind; a refused file does not stop the others (exit 1 when any was refused). A file the hub cannot
    read is sent all the same, as a party's would be: the hub answers it with a negative receipt.

    \b
    Examples:
      hub send examples/cargo_xml/xfwb-pek-fra.xml --as AIRLINE-CA
      hub send examples/gacc/mt9999-accepted.xml --as CUSTOMS-CN --receipt
    """
    engine, router = build_engine(settings), Router(load_routes(settings.routes))
    known = router.routes.receivers if receipt else router.routes.senders
    if sender not in known:
        raise click.UsageError(f"{sender!r} is not a {'receiver' if receipt else 'sender'} in "
                               f"{settings.routes} (HUB_ROUTES)", ctx=click.get_current_context())
    topo, user = Topology(settings.topology_prefix), hub_user(settings)
    pubs: list[Publication] = []
    said: list[str] = []
    refused = 0
    for name in files:
        try:
            data = read_input(name, settings.max_message_bytes)
        except (DocumentError, OSError) as exc:
            click.echo(f"{name}: refused, not sent: {exc}")
            refused += 1
            continue
        verdict, media = _judge(engine, router, data, sender, receipt)
        if media is None:
            click.echo(f"{name}: {verdict}")
            refused += 1
            continue
        pubs.append(Publication(exchange=topo.receipts if receipt else topo.inbound, routing_key="", body=data,
                                message_id=message_id or "", content_type=media,
                                headers={Headers.SENDER: sender}))
        hub_id = "" if receipt else f" as {hub_message_id(sender, message_id, data)}"
        said.append(f"{name}: published{hub_id}{verdict}")
    if pubs:
        publish_once(settings.amqp_url, pubs, user_id=user)
    for line in said:
        click.echo(line)
    click.echo(f"published {len(pubs)} message(s) as {sender}" + (f", {refused} refused" if refused else ""),
               err=True)
    sys.exit(1 if refused else 0)


def _judge(engine: Engine, router: Router, data: bytes, sender: str, receipt: bool) -> tuple[str, str | None]:
    """What `hub send` says of one file, and its media type; None when it is not to be published (the
    sender may not send its kind: the hub would only reject it). A document the hub cannot read is
    still sent, as a sender's would be: the hub answers it with a negative receipt."""
    if not data.strip():
        return " (empty: the hub will reject it)", "application/octet-stream"
    try:
        media = engine.detect(data).media_type
    except HubError as exc:
        return f" (the hub will reject it: {exc.code})", "application/octet-stream"
    if receipt:
        return "", media
    try:
        doc = engine.read(data).document
    except HubError as exc:
        return f" (the hub will reject it: {exc.code})", media
    if doc is None:
        return "", media
    if reason := router.authorise(sender, doc.kind):
        return f"refused, not sent: {reason} (routes.yaml)", None
    return f" ({doc.kind.value} {doc.business_key})", media


__all__ = ["send", "serve", "topology"]
