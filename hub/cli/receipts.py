"""Receipts as the store keeps them: correlated, orphaned, unreadable and refused."""

from __future__ import annotations

import json

import click

from ..settings import Settings
from ..store import open_store
from ..store.base import UNMATCHED
from .admin import when


@click.group()
def receipts() -> None:
    """What the agencies sent back, including what matched no delivery."""


@receipts.command("list")
@click.option("--orphaned", is_flag=True,
              help="Receipts that matched no delivery: orphaned, unreadable and refused ones "
                   "(only the orphaned ones when given with --refused or --unreadable).")
@click.option("--refused", is_flag=True,
              help="Receipts refused: stored, never applied (a format the receiver does not list, over the size "
                   "limit).")
@click.option("--unreadable", is_flag=True, help="Receipts that could not be read.")
@click.option("--receiver", help="The agency that sent them.")
@click.option("--since", help="ISO 8601 or a span: 30m, 6h, 2d.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_receipts(settings: Settings, orphaned: bool, refused: bool, unreadable: bool, receiver: str | None,
                  since: str | None, limit: int, as_json: bool) -> None:
    """List receipts, newest first: when, from whom, in which format, what became of it, its
    keys, the agency's status/reference, its error codes and its size.

    \b
    Examples:
      hub receipts list --orphaned --since 24h
      hub receipts list --refused --receiver CUSTOMS-CN --json
    """
    chosen = [name for name, flag in (("orphaned", orphaned), ("refused", refused), ("unreadable", unreadable))
              if flag]
    outcomes = UNMATCHED if chosen == ["orphaned"] else (tuple(chosen) or None)
    cutoff = when(since)
    store = open_store(settings.store_url)
    try:
        store.migrate()
        rows = store.receipts(outcome=outcomes, receiver=receiver, since=cutoff, limit=limit)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([r | {"received_at": r["received_at"].isoformat()} for r in rows], indent=2,
                              ensure_ascii=False))
        return
    click.echo(f"{'RECEIVED':<25} {'RECEIVER':<18} {'FORMAT':<18} {'OUTCOME':<10} {'KEYS':<30} "
               f"{'AGENCY':<24} {'ERRORS':<24} {'SIZE':>9}")
    for r in rows:
        agency = f"{r['agency_status'] or '-'}/{r['agency_reference'] or '-'}"
        codes = ",".join(dict.fromkeys(str(e.get("code")) for e in r["errors"])) or "-"
        click.echo(f"{r['received_at'].isoformat(timespec='seconds'):<25} {r['receiver']:<18} "
                   f"{r['format'] or '-':<18} {r['outcome']:<10} {','.join(r['keys']) or '-':<30} "
                   f"{agency:<24} {codes:<24} {r['size']:>9}")
