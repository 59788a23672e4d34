"""The RabbitMQ management HTTP API, as much of it as party accounts need (standard library only).

Every failure is a ConfigError naming the plugin or the refusal, never the URL's password: an
unreachable API is most often the rabbitmq_management plugin not enabled.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ..errors import ConfigError
from .planning import BrokerUser, Change, Permissions

if TYPE_CHECKING:
    from ..settings import Settings

_ENABLE = "enable it with `rabbitmq-plugins enable rabbitmq_management`, or set HUB_MANAGEMENT_URL"


def management_url(amqp_url: str, configured: str | None) -> tuple[str, str, str]:
    """(API base URL without credentials, user, password): HUB_MANAGEMENT_URL when set, else port 15672
    on the broker's host; the credentials are the URL's own, else the hub's broker user's."""
    amqp = urlsplit(amqp_url)
    url = urlsplit(configured) if configured else urlsplit(f"http://{amqp.hostname or 'localhost'}:15672")
    user = url.username or amqp.username or "guest"
    password = url.password or amqp.password or "guest"
    host = url.hostname or "localhost"
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{url.port}" if url.port else ""
    path = url.path.rstrip("/")
    path = path if path.endswith("/api") else path + "/api"
    return urlunsplit((url.scheme, netloc, path, "", "")), user, password


def vhost_of(amqp_url: str) -> str:
    """The vhost an AMQP URL names ('/' when it names none, as pika reads it)."""
    path = urlsplit(amqp_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


class PartialApply(ConfigError):
    """Apply stopped midway: ``done`` were applied, the rest were not; rerunning apply completes it."""

    code = "PARTIES_PARTIAL"

    def __init__(self, message: str, done: list[Change]) -> None:
        super().__init__(message)
        self.done = done


@dataclass
class Management:
    """A client of one broker's management API for one vhost."""

    base: str
    user: str
    password: str
    vhost: str
    timeout: float = 10.0

    @classmethod
    def for_settings(cls, settings: Settings, timeout: float = 10.0) -> Self:
        """The API of the broker HUB_AMQP_URL names (a cluster's first node: its nodes share users, vhosts
        and the API), at HUB_MANAGEMENT_URL or port 15672 of its host, for the URL's vhost."""
        first = settings.amqp_nodes[0]
        base, user, password = management_url(first, settings.management_url)
        return cls(base, user, password, vhost_of(first), timeout)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise ConfigError(f"the RabbitMQ management API at {self.base} refused user {self.user!r} "
                                  f"(HTTP {exc.code}): it needs the administrator tag",
                                  code="MANAGEMENT_REFUSED") from exc
            raise ConfigError(f"the RabbitMQ management API at {self.base} answered {method} {path} with "
                              f"HTTP {exc.code}: {exc.reason}", code="MANAGEMENT_REFUSED") from exc
        except (urllib.error.URLError, OSError) as exc:
            why = getattr(exc, "reason", exc)
            raise ConfigError(f"cannot reach the RabbitMQ management API at {self.base} ({why}): is the "
                              f"rabbitmq_management plugin enabled? {_ENABLE}",
                              code="MANAGEMENT_UNREACHABLE") from exc
        return json.loads(text) if text else None

    def _vhost(self) -> str:
        return quote(self.vhost, safe="")

    def users(self) -> dict[str, BrokerUser]:
        """Every user of the broker with its permissions on this vhost."""
        permissions = {p["user"]: Permissions(p["configure"], p["write"], p["read"])
                       for p in self._call("GET", f"/vhosts/{self._vhost()}/permissions")}
        out = {}
        for u in self._call("GET", "/users"):
            tags = u.get("tags") or []
            tags = tags.split(",") if isinstance(tags, str) else tags
            out[u["name"]] = BrokerUser(u["name"], frozenset(t.strip() for t in tags if t.strip()),
                                        u.get("password_hash", ""), u.get("hashing_algorithm", ""),
                                        permissions.get(u["name"]))
        return out

    def put_user(self, name: str, password_hash: str, algorithm: str, tags: frozenset[str]) -> None:
        """Create or replace a user; the hub sends the password's hash, never the password."""
        self._call("PUT", f"/users/{quote(name, safe='')}", {
            "password_hash": password_hash, "hashing_algorithm": algorithm, "tags": ",".join(sorted(tags))})

    def set_permissions(self, name: str, permissions: Permissions) -> None:
        self._call("PUT", f"/permissions/{self._vhost()}/{quote(name, safe='')}", {
            "configure": permissions.configure, "write": permissions.write, "read": permissions.read})

    def delete_user(self, name: str) -> None:
        self._call("DELETE", f"/users/{quote(name, safe='')}")


def apply(api: Management, changes: list[Change], existing: dict[str, BrokerUser], tag: str,
          hash_password: Callable[[str], str], algorithm: str) -> list[Change]:
    """Make ``changes`` in order; returns them. Stopping midway raises PartialApply with what was done,
    a change whose password was set but not its permissions included (its new password must be shown)."""
    done: list[Change] = []
    for change in changes:
        password_set = False
        try:
            if change.action == "delete":
                api.delete_user(change.user)
                done.append(change)
                continue
            if change.password is not None:
                user = existing.get(change.user)
                api.put_user(change.user, hash_password(change.password), algorithm,
                             (user.tags if user else frozenset()) | {tag})
                password_set = True
            if change.permissions is not None:
                api.set_permissions(change.user, change.permissions)
        except ConfigError as exc:
            if password_set:
                done.append(replace(change, why="password set, permissions not yet"))
            if not done:
                raise
            raise PartialApply(f"{exc.message}; {len(done)} change(s) applied, {len(changes) - len(done)} not: "
                               "rerun `hub parties apply` to complete", done) from exc
        done.append(change)
    return done
