"""`hub parties plan` and `hub parties apply`: the parties' broker accounts from routes.yaml."""

from __future__ import annotations

import click

from ..parties import Change, PartialApply, accounts
from ..settings import Settings


@click.group()
def parties() -> None:
    """One RabbitMQ user per sender and receiver of routes.yaml, with least-privilege permissions.

    \b
    sender:   write the inbound exchange, read its own status queue
    receiver: write the receipts exchange, read its own delivery queue
    Nobody configures anything. Users the hub manages carry the tag
    hub-party:<prefix>@<vhost>; one routes.yaml no longer names is deleted.
    Needs the rabbitmq_management plugin (HUB_MANAGEMENT_URL).
    """


@parties.command("plan")
@click.option("--rotate", multiple=True, metavar="PARTY", help="show a new password for PARTY too")
@click.pass_obj
def plan_command(settings: Settings, rotate: tuple[str, ...]) -> None:
    """What `hub parties apply` would change; changes nothing. Exit 0."""
    changes = accounts(settings).plan(frozenset(rotate))
    for change in changes:
        click.echo(change.describe())
    click.echo(f"{len(changes)} change(s)" if changes else "nothing to change")


@parties.command("apply")
@click.option("--rotate", multiple=True, metavar="PARTY", help="give PARTY a new generated password")
@click.pass_obj
def apply_command(settings: Settings, rotate: tuple[str, ...]) -> None:
    """Create, update and revoke the parties' accounts; idempotent, rerun it after an error.

    Generated passwords are shown once, here: hand each to its party. A party whose
    routes.yaml entry has `account: {password_env: VAR}` or `{password_file: PATH}`
    gets that password instead. The hub keeps no password; RabbitMQ keeps its hash.
    """
    try:
        done = accounts(settings).apply(frozenset(rotate))
    except PartialApply as exc:
        _report(exc.done)
        raise
    _report(done)


def _report(done: list[Change]) -> None:
    for change in done:
        click.echo(change.describe())
    click.echo(f"{len(done)} change(s) applied" if done else "nothing to change")
    shown = [c for c in done if c.generated and c.password]
    if shown:
        width = max(len(c.user) for c in shown)
        click.echo("\nnew passwords (shown once; the hub keeps none):")
        click.echo(f"{'PARTY':<{width}}  PASSWORD")
        for change in shown:
            click.echo(f"{change.user:<{width}}  {change.password}")
