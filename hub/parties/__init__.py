"""Party accounts on the broker from routes.yaml: `hub parties plan` and `hub parties apply`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

from ..routing import load_routes
from ..settings import Settings
from ..transport.base import Topology
from ..transport.rabbitmq import user_of
from .management import Management, PartialApply, apply, management_url, vhost_of
from .planning import HASHING, BrokerUser, Change, Party, Permissions, hash_password, parties, plan, tag_of


@dataclass
class Accounts:
    """The parties routes.yaml names and the broker's users, for one hub (its vhost and prefix)."""

    api: Management
    wanted: list[Party]
    existing: dict[str, BrokerUser]
    hub_user: str
    tag: str

    def plan(self, rotate: frozenset[str] = frozenset()) -> list[Change]:
        """What apply would change; changes nothing."""
        return plan(self.wanted, self.existing, hub_user=self.hub_user, tag=self.tag, rotate=rotate)

    def apply(self, rotate: frozenset[str] = frozenset()) -> list[Change]:
        """Plan in full, then change the broker; returns what was changed (PartialApply if it stopped)."""
        return apply(self.api, self.plan(rotate), self.existing, self.tag, hash_password, HASHING)

    def revoke_all(self) -> list[Change]:
        """Delete every user the hub manages for this prefix and vhost (a test run's or a demo's parties)."""
        changes = plan([], self.existing, hub_user=self.hub_user, tag=self.tag)
        return apply(self.api, changes, self.existing, self.tag, hash_password, HASHING)


def party_url(amqp_url: str, user: str, password: str) -> str:
    """The hub's AMQP URL as a party connects with it: same host, port, vhost and CA file, the party's
    own user and password (the hub's client certificate, if any, left out)."""
    parts = urlsplit(amqp_url)
    query = {k: v for k, v in parse_qs(parts.query).items() if k not in ("cert_file", "key_file")}
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname or "localhost"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, doseq=True)))


def accounts(settings: Settings) -> Accounts:
    """Read routes.yaml and the broker's users through the management API (HUB_MANAGEMENT_URL)."""
    routes = load_routes(settings.routes)
    api = Management.for_settings(settings)
    return Accounts(api, parties(routes, Topology(settings.topology_prefix)), api.users(),
                    user_of(settings.amqp_nodes[0]), tag_of(settings.topology_prefix, api.vhost))


__all__ = ["Accounts", "BrokerUser", "Change", "Management", "PartialApply", "Party", "Permissions", "accounts",
           "hash_password", "management_url", "parties", "party_url", "plan", "tag_of", "vhost_of"]
