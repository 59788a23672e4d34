"""Links between e-port hubs (issue 13, point 4): `hub links plan` and `hub links apply`.

A receiver of routes.yaml may be another hub (``kind: hub``). The hub routes to it like to any
agency: its deliveries, in the canonical JSON (``accepts: [json]``: the document with our message
id), go to its delivery queue ``<prefix>.out.<RECEIVER>``. Two RabbitMQ dynamic shovels, declared
here through the management API, carry them on and bring the answers back:

    out   <prefix>.out.<RECEIVER>   ->  <far prefix>.in            (at the far hub, as our account there)
    back  <far prefix>.status.<US>  ->  <prefix>.acks              (here, as the receiver's own account)

At the far hub we are an ordinary sender: its routes.yaml names us (the user of the link's URL) under
``senders`` and routes what we send by its own rules; its broker checks the shovel's user_id (set to
that user: ``dest-publish-properties``), so our messages are ours there, nothing vouched. Its status
feed for us comes back to our receipts exchange as the receiver's own account here (its routes.yaml
``account`` block gives the password; user_id = the receiver), where adapters.hub_link reads the far
hub's events as receipts of our deliveries: our sender sees the far agency's answer on its own feed.

Shovels are durable broker objects and reconnect by themselves (``reconnect-delay``): while the far
hub is down our deliveries wait in their queue, and its answers wait in its status queue while we are
down. ``ack-mode: on-confirm`` settles a message only once the far broker confirmed it, so nothing is
lost; a message sent twice (a shovel restarting before its ack, our sweeper republishing) keeps its
AMQP message id, and the far hub's duplicate detection by (sender, sender message id) delivers it once.

The far hub's URL (with our password there) comes from an environment variable or a file, never from
routes.yaml; it ends up in the shovel's definition, which only the broker's administrators read.
Shovels are named ``hub-link:<prefix>:<RECEIVER>:out|back``: apply deletes one of ours whose receiver
is gone from routes.yaml, and never touches any other shovel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from .errors import ConfigError
from .parties import Management, party_url
from .parties.planning import Party, Permissions, configured_password
from .routing import RoutesFile, load_routes
from .routing.table import Link, Receiver
from .settings import Settings
from .transport.base import Topology
from .transport.rabbitmq import user_of

RECONNECT_DELAY_S = 5


def shovel_prefix(prefix: str) -> str:
    """The names of this hub's link shovels start with this."""
    return f"hub-link:{prefix}:"


@dataclass(frozen=True)
class Shovel:
    """One dynamic shovel: its name and its definition (URIs with passwords: never printed)."""

    name: str
    value: dict[str, Any]

    def describe(self) -> str:
        """One line: from where to where, as whom; no password."""
        v = self.value
        source = v.get("src-queue") or v.get("src-exchange")
        target = v.get("dest-exchange") or v.get("dest-queue")
        return (f"{self.name}: {_safe(v['src-uri'])} queue {source} -> {_safe(v['dest-uri'])} exchange {target} "
                f"(user_id {v.get('dest-publish-properties', {}).get('user_id')})")


@dataclass(frozen=True)
class LinkChange:
    action: str          # create, update, delete
    shovel: Shovel

    def describe(self) -> str:
        return f"{self.action:<7} {self.shovel.describe() if self.action != 'delete' else self.shovel.name}"


def _safe(url: str) -> str:
    """An AMQP URL without its password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{parts.username}@" if parts.username else ""
    netloc += (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, query=""))


def far_url(name: str, receiver: Receiver, folder: Path | None = None) -> str:
    """The far hub's AMQP URL (logging in as our sender account there) from the link's variable or file;
    ``name``: the receiver's key in routes.yaml, for the errors."""
    link = receiver.link
    assert link is not None, "only a receiver of kind hub is linked"
    if link.url_env:
        value = os.environ.get(link.url_env, "").strip()
        if not value:
            raise ConfigError(f"{name}: environment variable {link.url_env} (its link url_env) is "
                              "not set or empty")
        return value
    assert link.url_file is not None, "the Link validator wants one of the two"
    path = link.url_file if link.url_file.is_absolute() or folder is None else folder / link.url_file
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read its link url_file {path}: {exc.strerror}") from exc
    if not value:
        raise ConfigError(f"{name}: its link url_file {path} is empty")
    return value


def shovels(routes: RoutesFile, topology: Topology, amqp_url: str) -> list[Shovel]:
    """The two shovels of every receiver of kind hub, sorted by name."""
    out = []
    for name, receiver in sorted(routes.receivers.items()):
        if receiver.kind != "hub":
            continue
        link = receiver.link
        assert link is not None, "the Receiver validator gives every hub receiver a link"
        if not receiver.account or not (receiver.account.password_env or receiver.account.password_file):
            raise ConfigError(f"{name}: a receiver of kind hub needs an account block (password_env or "
                              "password_file): its link returns the far hub's answers as that account")
        password = configured_password(Party(name, Permissions(), receiver.account))
        assert password is not None, "an account block with a source gives a password or raises"
        here, there = party_url(amqp_url, name, password), far_url(name, receiver, routes.folder)
        far, us = Topology(link.prefix), user_of(there)
        out += [Shovel(shovel_prefix(topology.prefix) + f"{name}:out", _definition(
                    here, topology.receiver_queue(name), there, far.inbound, us)),
                Shovel(shovel_prefix(topology.prefix) + f"{name}:back", _definition(
                    there, far.sender_queue(us), here, topology.receipts, name))]
    return out


def _definition(src: str, queue: str, dest: str, exchange: str, user_id: str) -> dict[str, Any]:
    return {"src-protocol": "amqp091", "src-uri": src, "src-queue": queue,
            "dest-protocol": "amqp091", "dest-uri": dest, "dest-exchange": exchange, "dest-exchange-key": "",
            "dest-publish-properties": {"user_id": user_id, "delivery_mode": 2},
            "dest-add-forward-headers": False, "ack-mode": "on-confirm", "src-delete-after": "never",
            "reconnect-delay": RECONNECT_DELAY_S}


class ShovelApi(Management):
    """The management API's dynamic shovels of one vhost."""

    def shovels(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Our link shovels (named with ``prefix``) -> their definitions."""
        found = self._call("GET", f"/parameters/shovel/{self._vhost()}") or []
        return {p["name"]: p["value"] for p in found if str(p["name"]).startswith(prefix)}

    def states(self) -> dict[str, str]:
        """Each running shovel of the vhost -> its state (starting, running, terminated)."""
        return {s["name"]: str(s.get("state")) for s in self._call("GET", f"/shovels/{self._vhost()}") or []}

    def put_shovel(self, shovel: Shovel) -> None:
        self._call("PUT", f"/parameters/shovel/{self._vhost()}/{quote(shovel.name, safe='')}",
                   {"value": shovel.value})

    def delete_shovel(self, name: str) -> None:
        self._call("DELETE", f"/parameters/shovel/{self._vhost()}/{quote(name, safe='')}")


def plan(wanted: list[Shovel], existing: dict[str, dict[str, Any]]) -> list[LinkChange]:
    """Creations and updates of ``wanted``, then deletions of ours no longer wanted."""
    names = {s.name for s in wanted}
    changes = [LinkChange("create" if s.name not in existing else "update", s) for s in wanted
               if existing.get(s.name) != s.value]
    return changes + [LinkChange("delete", Shovel(n, v)) for n, v in sorted(existing.items()) if n not in names]


@dataclass
class Links:
    """This hub's link shovels as routes.yaml wants them and as the broker has them."""

    api: ShovelApi
    wanted: list[Shovel]
    prefix: str

    def plan(self) -> list[LinkChange]:
        return plan(self.wanted, self.api.shovels(self.prefix))

    def apply(self) -> list[LinkChange]:
        changes = self.plan()
        for change in changes:
            if change.action == "delete":
                self.api.delete_shovel(change.shovel.name)
            else:
                self.api.put_shovel(change.shovel)
        return changes

    def remove_all(self) -> list[LinkChange]:
        """Delete every link shovel of this hub (a test's, a decommissioned hub's)."""
        changes = plan([], self.api.shovels(self.prefix))
        for change in changes:
            self.api.delete_shovel(change.shovel.name)
        return changes

    def states(self) -> dict[str, str]:
        return {n: s for n, s in self.api.states().items() if n.startswith(self.prefix)}


def links(settings: Settings) -> Links:
    """routes.yaml's hub receivers as shovels, and the broker's, through the management API."""
    routes = load_routes(settings.routes)
    api = ShovelApi.for_settings(settings)
    topology = Topology(settings.topology_prefix)
    return Links(api, shovels(routes, topology, settings.amqp_nodes[0]), shovel_prefix(topology.prefix))


__all__ = ["Link", "LinkChange", "Links", "Shovel", "ShovelApi", "far_url", "links", "plan", "shovel_prefix",
           "shovels"]
