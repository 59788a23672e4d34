"""`hub purge`: personal data kept only as long as allowed, on an operator's word.

Design note: the sweeper of `hub serve` purges by HUB_RETENTION on its own; this command is for
the rest (a shorter period, a kind without retention, a request to erase). It goes through the
store's ``purge`` a bounded batch at a time (one transaction each), so a large purge never holds
the store's write lock for long and an interrupted one simply resumes where it stopped. What is
removed and what stays is ``hub.store.base.PurgeStore``'s to say.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from ..models.common import Kind
from ..settings import Settings, span
from ..store import open_store
from ..store.base import Purge
from ..store.sql import PURGE_LIMIT
from .admin import operator, progress


@click.command()
@click.option("--older-than", "older_than", required=True, metavar="SPAN",
              help="Purge messages received longer ago than this: 30d, 12h, 90m.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice([k.value for k in Kind]),
              help="Only messages of this kind (repeatable); default every kind, unread messages included.")
@click.option("--dry-run", is_flag=True, help="Print what would go; change nothing.")
@click.pass_obj
def purge(settings: Settings, older_than: str, kinds: tuple[str, ...], dry_run: bool) -> None:
    """Remove the payloads and personal fields of old messages, keeping the audit trail.

    Goes: the raw message, every delivery's rendered payload, the bytes of the receipts that
    answered them, the text of its problems and the personal values of its facts (identity
    numbers, names). Stays: ids, sender, receivers, kind, business key, states, times, sizes,
    hashes and every event; each purged message gets a `message.purged` event naming who asked
    (HUB_OPERATOR, else the OS user). A purged message can no longer be replayed. A message with
    a delivery still HELD or PENDING is left for a later purge.

    \b
    Examples:
      hub purge --older-than 30d --kind persons --dry-run
      hub purge --older-than 90d --kind order --kind payment --kind logistics --kind inventory
    """
    try:
        before = datetime.now(UTC) - span(older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from None
    store, source = open_store(settings.store_url), f"purge:{operator()}"
    store.migrate()
    chosen = list(kinds) or None
    if dry_run:
        done = store.purge(before, chosen, source, dry_run=True)
        for message_id in done.message_ids:
            click.echo(f"would purge {message_id}")
    else:
        done = Purge()
        # how many will go is known only by a dry run of its own: the bar counts batches as they go
        with progress(None, "purging") as bar:
            while True:
                batch = store.purge(before, chosen, source, limit=PURGE_LIMIT)
                done += batch
                bar.update(len(batch.message_ids))
                if len(batch.message_ids) < PURGE_LIMIT:
                    break
    what = ", ".join(kinds) if kinds else "every kind"
    click.echo(f"{'would purge' if dry_run else 'purged'} {len(done.message_ids)} message(s) of {what} received "
               f"before {before.isoformat(timespec='seconds')}: {done.deliveries} delivery payload(s), "
               f"{done.receipts} receipt(s), {done.facts} fact(s) with personal fields, {done.bytes} bytes")


__all__ = ["purge"]
