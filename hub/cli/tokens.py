"""`hub tokens`: the status API's tokens, one per party (or admin), kept hashed in HUB_TOKENS_FILE."""

from __future__ import annotations

import click

from ..routing import load_routes
from ..settings import Settings
from ..web.tokens import TokenBook, tokens_path


@click.group()
def tokens() -> None:
    """API tokens: a sender sees its own messages, a receiver its own deliveries, an admin everything."""


@tokens.command("create")
@click.argument("party")
@click.option("--admin", is_flag=True, help="An operator's token: every party's data, replays.")
@click.pass_obj
def create(settings: Settings, party: str, admin: bool) -> None:
    """Make a token for PARTY (a sender or receiver of routes.yaml; with --admin, the operator's name
    the event log will show) and print it, this once.

    \b
    Examples:
      hub tokens create AIRLINE-CA
      hub tokens create ops-alice --admin
    """
    routes = load_routes(settings.routes)
    if not admin and party not in routes.senders and party not in routes.receivers:
        raise click.BadParameter(f"{party} is no sender or receiver of {settings.routes} (an operator: --admin)",
                                 param_hint="PARTY")
    book = TokenBook(tokens_path(settings))
    token_id, secret = book.create(party, admin)
    click.echo(secret)
    click.echo(f"token {token_id} for {party}{' (admin)' if admin else ''} stored hashed in {book.path}; "
               "it is shown only now", err=True)


@tokens.command("list")
@click.pass_obj
def list_tokens(settings: Settings) -> None:
    """Every token: id, party, admin or not, when made (never the token)."""
    for t in TokenBook(tokens_path(settings)).list():
        click.echo(f"{t['id']:<14} {t['party']:<20} {'admin' if t.get('admin') else 'party':<6} {t['created_at']}")


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_obj
def revoke(settings: Settings, token_id: str) -> None:
    """Remove a token: it stops working at its next request."""
    if not TokenBook(tokens_path(settings)).revoke(token_id):
        raise click.BadParameter(f"unknown id {token_id} (hub tokens list shows them)", param_hint="the token id")
    click.echo(f"revoked {token_id}", err=True)
