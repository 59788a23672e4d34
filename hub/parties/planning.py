"""What `hub parties apply` must change: one broker user per party of routes.yaml, least privilege.

Pure functions over routes.yaml and what the broker holds (users, their tags and their permissions
on the hub's vhost), so the whole plan is known, and checked, before anything is changed.

Permissions are RabbitMQ's three regexes over resource names (configure, write, read):

    sender    configure ^$  write ^<prefix>.in$    read ^<prefix>.status.<SENDER>$
    receiver  configure ^$  write ^<prefix>.acks$  read ^<prefix>.out.<RECEIVER>$

A party that is both gets the union. Nobody but the hub's own user configures anything or writes
to a delivery queue or a status feed. The users the hub manages carry the tag ``hub-party:<prefix>@<vhost>``:
a user with that tag that routes.yaml no longer names is deleted; no other user is ever touched.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..routing import RoutesFile
from ..routing.table import Account
from ..transport.base import Topology

_HASHES = {"rabbit_password_hashing_sha256": hashlib.sha256, "rabbit_password_hashing_sha512": hashlib.sha512}
HASHING = "rabbit_password_hashing_sha256"


@dataclass(frozen=True)
class Permissions:
    """RabbitMQ's three permission regexes of one user on one vhost."""

    configure: str = "^$"
    write: str = "^$"
    read: str = "^$"


@dataclass(frozen=True)
class Party:
    """A sender or receiver (or both) of routes.yaml, as a broker account."""

    name: str
    permissions: Permissions
    account: Account | None = None


@dataclass(frozen=True)
class BrokerUser:
    """A user the broker has: its tags, password hash and permissions on the hub's vhost (None: none)."""

    name: str
    tags: frozenset[str] = frozenset()
    password_hash: str = ""
    hashing_algorithm: str = HASHING
    permissions: Permissions | None = None


@dataclass(frozen=True)
class Change:
    """One step of the plan. ``password`` is set (a secret, never printed but by apply's table of
    generated ones) when the user is created or its password changes."""

    action: str                          # create, password, permissions, delete
    user: str
    permissions: Permissions | None = None
    password: str | None = field(default=None, repr=False)
    generated: bool = False
    why: str = ""

    def describe(self) -> str:
        """One line for `hub parties plan` and apply's report; never the password."""
        perms = self.permissions
        text = f"{self.action:<11} {self.user:<20}"
        if perms is not None and self.action in ("create", "permissions"):
            text += f"  configure={perms.configure} write={perms.write} read={perms.read}"
        return text + (f"  ({self.why})" if self.why else "")


def tag_of(prefix: str, vhost: str) -> str:
    """The tag that marks the users the hub manages for this topology prefix on this vhost."""
    return f"hub-party:{prefix}@{vhost}"


def _exactly(names: set[str]) -> str:
    """A regex matching exactly these resource names, nothing else ('^$' when there are none)."""
    return f"^({'|'.join(re.escape(n) for n in sorted(names))})$" if names else "^$"


def parties(routes: RoutesFile, topology: Topology) -> list[Party]:
    """Every party of routes.yaml with its least-privilege permissions, sorted by name."""
    out = []
    for name in sorted(set(routes.senders) | set(routes.receivers)):
        sender, receiver = routes.senders.get(name), routes.receivers.get(name)
        write, read = set(), set()
        if sender:
            write.add(topology.inbound)
            read.add(topology.sender_queue(name))
        if receiver:
            write.add(topology.receipts)
            read.add(topology.receiver_queue(name))
        accounts = {a for a in (sender and sender.account, receiver and receiver.account) if a}
        if len(accounts) > 1:
            raise ConfigError(f"{name}: its sender and receiver entries give different account blocks; give one")
        out.append(Party(name, Permissions(write=_exactly(write), read=_exactly(read)), next(iter(accounts), None)))
    return out


def hash_password(password: str, algorithm: str = HASHING, salt: bytes | None = None) -> str:
    """RabbitMQ's password hash: base64(salt + H(salt + password)) with a 4-byte salt."""
    salt = secrets.token_bytes(4) if salt is None else salt
    return base64.b64encode(salt + _HASHES[algorithm](salt + password.encode()).digest()).decode()


def password_matches(user: BrokerUser, password: str) -> bool:
    """Whether ``password`` is the user's (False when the broker's hashing is one the hub cannot check)."""
    if user.hashing_algorithm not in _HASHES or not user.password_hash:
        return False
    try:
        salt = base64.b64decode(user.password_hash)[:4]
    except ValueError:
        return False
    return secrets.compare_digest(hash_password(password, user.hashing_algorithm, salt), user.password_hash)


def configured_password(party: Party) -> str | None:
    """The password routes.yaml's account block points at, None when the hub generates it."""
    account = party.account
    if account is None or not (account.password_env or account.password_file):
        return None
    if account.password_env:
        value = os.environ.get(account.password_env)
        if not value:
            raise ConfigError(f"{party.name}: environment variable {account.password_env} (its account "
                              "password_env) is not set or empty")
        return value
    assert account.password_file is not None, "checked above: one of the two is set"
    try:
        value = Path(account.password_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{party.name}: cannot read its password_file {account.password_file}: "
                          f"{exc.strerror}") from exc
    if not value:
        raise ConfigError(f"{party.name}: its password_file {account.password_file} is empty")
    return value


def plan(wanted: list[Party], existing: dict[str, BrokerUser], *, hub_user: str, tag: str,
         rotate: frozenset[str] = frozenset()) -> list[Change]:
    """The changes that make the broker hold exactly ``wanted`` among the users tagged ``tag``:
    creations and updates first, deletions last. Refuses (ConfigError) a party named like the hub's
    user or like a user the hub does not manage, and a rotation of a party that is not there."""
    names = {p.name for p in wanted}
    if unknown := sorted(rotate - names):
        raise ConfigError(f"--rotate {', '.join(unknown)}: no such sender or receiver in routes.yaml")
    if hub_user in names:
        raise ConfigError(f"party {hub_user!r} is the hub's own broker user; rename the party in routes.yaml")
    if foreign := sorted(n for n in names if n in existing and tag not in existing[n].tags):
        raise ConfigError(f"broker user(s) {', '.join(foreign)} exist but are not managed by the hub (no tag "
                          f"{tag}); rename the party or delete that user")
    changes: list[Change] = []
    for party in wanted:
        changes += _changes_for(party, existing.get(party.name), party.name in rotate)
    changes += [Change("delete", user.name, why="no longer in routes.yaml") for user in existing.values()
                if tag in user.tags and user.name not in names and user.name != hub_user]
    return changes


def _changes_for(party: Party, user: BrokerUser | None, rotate: bool) -> list[Change]:
    configured = configured_password(party)
    if rotate and configured is not None:
        raise ConfigError(f"--rotate {party.name}: its password comes from its account block; change it there")
    if user is None:
        password = configured or secrets.token_urlsafe(24)
        return [Change("create", party.name, party.permissions, password, generated=configured is None)]
    changes = []
    if rotate:
        changes.append(Change("password", party.name, password=secrets.token_urlsafe(24), generated=True,
                              why="rotated"))
    elif configured is not None and not password_matches(user, configured):
        changes.append(Change("password", party.name, password=configured, why="account password changed"))
    if user.permissions != party.permissions:
        changes.append(Change("permissions", party.name, party.permissions))
    return changes
