"""`hub links plan`, `hub links apply` and `hub links status`: the shovels of links to other e-port hubs."""

from __future__ import annotations

import click

from ..links import LinkChange, links
from ..settings import Settings


@click.group("links")
def links_group() -> None:
    """Links to other e-port hubs: receivers of routes.yaml with `kind: hub`.

    \b
    Each gets two RabbitMQ dynamic shovels (the rabbitmq_shovel plugin):
      out:  <prefix>.out.<RECEIVER>  -> the far hub's <far prefix>.in, as our sender account there
      back: the far hub's status feed for us -> <prefix>.acks, as the receiver's account here
    The far hub's URL comes from the link's url_env or url_file, the receiver's password from its
    account block. Needs the rabbitmq_management plugin (HUB_MANAGEMENT_URL).
    """


@links_group.command("plan")
@click.pass_obj
def plan_command(settings: Settings) -> None:
    """What `hub links apply` would change; changes nothing. Exit 0."""
    _report(links(settings).plan(), "change(s)")


@links_group.command("apply")
@click.pass_obj
def apply_command(settings: Settings) -> None:
    """Create, update and delete the link shovels; idempotent."""
    _report(links(settings).apply(), "change(s) applied")


@links_group.command("status")
@click.pass_obj
def status_command(settings: Settings) -> None:
    """Each link shovel and its state on the broker (running, starting, terminated; missing: not applied)."""
    current = links(settings)
    states = current.states()
    for shovel in current.wanted:
        click.echo(f"{shovel.name:<40} {states.get(shovel.name, 'missing')}")
    if not current.wanted:
        click.echo("no receiver of kind hub in routes.yaml")


def _report(changes: list[LinkChange], done: str) -> None:
    for change in changes:
        click.echo(change.describe())
    click.echo(f"{len(changes)} {done}" if changes else "nothing to change")
