"""Message stores: the interface by role in ``base``, its one SQL implementation in ``sql`` (with a
``dialect`` per engine): the embedded SQLite store in ``sqlite``, PostgreSQL in ``postgres``."""

from __future__ import annotations

from ..errors import ConfigError
from .base import Store


def open_store(url: str, node: str | None = None) -> Store:
    """The store a URL names: ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``,
    ``sqlite:///:memory:`` or ``postgresql://user@host:port/database`` (libpq's URL; the tables in
    its default schema, or the search_path its ``options`` give). ``node`` names this hub node on
    leases and leads (HUB_NODE_ID); a PostgreSQL store stamps times on the server's clock, which every
    node sharing it reads alike. The schema is not touched: call ``migrate()`` once at start-up."""
    scheme, sep, rest = url.partition("://")
    if scheme == "sqlite" and sep and rest.startswith("/") and len(rest) > 1 and "?" not in rest:
        from .sqlite import SqliteStore  # imported here: a PostgreSQL deployment never loads sqlite3

        return SqliteStore(rest[1:], node=node)
    # never echo the URL itself: a database URL may carry a password
    if scheme in ("postgres", "postgresql") and sep:
        from .postgres import PostgresStore  # imported here: an SQLite deployment never loads psycopg

        store = PostgresStore(url, node=node)
        store.use_database_clock()      # several nodes may share it: one clock for all their stamps
        return store
    shown = scheme if sep and scheme else "(none)"
    raise ConfigError(f"store URL with scheme {shown!r}: expected sqlite:///relative/path.db, "
                      "sqlite:////absolute/path.db or sqlite:///:memory:", code="CONFIG_INVALID")


__all__ = ["Store", "open_store"]
