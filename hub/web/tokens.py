"""The status API's tokens: one per party (a sender, a receiver) or per operator (admin), kept hashed
in a JSON file (HUB_TOKENS_FILE).

Design note: a token is 256 random bits shown once (`hub tokens create`); the file keeps only its
SHA-256, which is enough for a secret that cannot be guessed (no salt or slow hash needed: nobody
can try a dictionary against 2**256), and compares it in constant time. The tokens live in a file
of their own rather than a store table so that the API needs no schema change: the file is 0600,
written whole and renamed into place, and read again whenever it changes (a revoked token stops
working at the next request, without a restart).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..settings import Settings
from ..store.backup import sqlite_path

PREFIX = "hubt_"
"""What every token starts with: a secret scanner (or a person) can tell what it is."""


def tokens_path(settings: Settings) -> Path:
    """HUB_TOKENS_FILE, else hub-tokens.json beside an SQLite store file, else var/hub-tokens.json."""
    if settings.tokens_file is not None:
        return settings.tokens_file
    try:
        return Path(sqlite_path(settings.store_url)).parent / "hub-tokens.json"
    except ConfigError:     # PostgreSQL, or a store in memory: no file to sit beside
        return Path("var") / "hub-tokens.json"


@dataclass(frozen=True)
class Principal:
    """Who a request speaks for: a party of routes.yaml (a sender, a receiver or both), or an admin."""

    party: str
    admin: bool
    token_id: str

    @property
    def who(self) -> str:
        """The event log's source for what this token does."""
        return f"api:{self.party}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenBook:
    """The tokens file: create, list, revoke, and verify a token presented."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[float, list[dict[str, Any]]] | None = None

    def _load(self) -> list[dict[str, Any]]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return []
        if self._seen is None or self._seen[0] != mtime:
            entries: list[dict[str, Any]] = json.loads(self.path.read_text("utf-8")).get("tokens", [])
            self._seen = (mtime, entries)
        return self._seen[1]

    def _save(self, entries: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"tokens": entries}, out, indent=2)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)
        self._seen = None

    def create(self, party: str, admin: bool = False) -> tuple[str, str]:
        """A new token for ``party``: (its id, the secret, shown this once)."""
        secret = PREFIX + secrets.token_urlsafe(32)
        token_id = "tok-" + secrets.token_hex(4)
        entries = list(self._load())
        entries.append({"id": token_id, "party": party, "admin": admin, "sha256": _digest(secret),
                        "created_at": datetime.now(UTC).isoformat(timespec="seconds")})
        self._save(entries)
        return token_id, secret

    def list(self) -> list[dict[str, Any]]:
        """Every token without its hash: id, party, admin, created_at."""
        return [{k: v for k, v in e.items() if k != "sha256"} for e in self._load()]

    def revoke(self, token_id: str) -> bool:
        """Remove a token; False when there is no such id."""
        entries = self._load()
        kept = [e for e in entries if e["id"] != token_id]
        if len(kept) == len(entries):
            return False
        self._save(kept)
        return True

    def verify(self, secret: str) -> Principal | None:
        """The principal of a presented token, or None; every entry is compared in constant time."""
        digest, found = _digest(secret), None
        for e in self._load():
            if hmac.compare_digest(digest, e["sha256"]) and found is None:
                found = Principal(e["party"], bool(e.get("admin")), e["id"])
        return found
