"""``hub store backup`` and ``hub store restore``: a copy of the embedded store, and back (see hub.store.backup)."""

from __future__ import annotations

import click

from ..settings import Settings
from ..store.backup import backup, restore, sqlite_path
from .admin import progress


@click.group("store")
def store() -> None:
    """Back up and restore the store HUB_STORE_URL names (SQLite; PostgreSQL: pg_dump, see the README)."""


@store.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_obj
def backup_command(settings: Settings, path: str) -> None:
    """Copy the live store into the new file PATH while the hub runs (a consistent snapshot).

    \b
    Example:
      hub store backup /var/backups/hub/store-$(date +%F-%H%M).db
    """
    # one step on purpose (hub.store.backup: one read transaction, a consistent snapshot), so there
    # is nothing to count until it is done; the terminal is told it runs
    with progress(None, f"backing up to {path}") as bar:
        facts = backup(sqlite_path(settings.store_url), path)
        bar.update(1)
    click.echo(f"backed up to {path}: schema {facts['schema_version']}, {facts['messages']} messages, "
               f"{facts['deliveries']} deliveries")


@store.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do it: the store's present content is replaced.")
@click.pass_obj
def restore_command(settings: Settings, path: str, yes: bool) -> None:
    """Replace the store's content by the backup PATH, once PATH is checked. Stop `hub serve` first;
    at its next start it republishes every delivery the backup holds PENDING.

    \b
    Example:
      hub store restore /var/backups/hub/store-2026-12-06-0300.db --yes
    """
    target = sqlite_path(settings.store_url)
    if not yes:
        raise click.UsageError(f"this replaces the store at {target} by {path}: add --yes (stop `hub serve` first)")
    facts = restore(target, path)
    click.echo(f"restored {path} into {target}: schema {facts['schema_version']}, {facts['messages']} messages, "
               f"{facts['deliveries']} deliveries; start `hub serve`: it republishes what was PENDING")
