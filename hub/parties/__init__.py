"""Party accounts on the broker from routes.yaml: `hub parties plan` and `hub parties apply`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..routing import load_routes
from ..settings import Settings
from ..transport.base import Topology
from ..transport.rabbitmq import user_of
from .management import Management, PartialApply, apply, management_url
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


def vhost_of(amqp_url: str) -> str:
    """The vhost an AMQP URL names ('/' when it names none, as pika reads it)."""
    path = urlsplit(amqp_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def accounts(settings: Settings) -> Accounts:
    """Read routes.yaml and the broker's users through the management API (HUB_MANAGEMENT_URL)."""
    routes = load_routes(settings.routes)
    base, user, password = management_url(settings.amqp_url, settings.management_url)
    vhost = vhost_of(settings.amqp_url)
    api = Management(base, user, password, vhost)
    return Accounts(api, parties(routes, Topology(settings.topology_prefix)), api.users(),
                    user_of(settings.amqp_url), tag_of(settings.topology_prefix, vhost))


__all__ = ["Accounts", "BrokerUser", "Change", "Management", "PartialApply", "Party", "Permissions", "accounts",
           "hash_password", "management_url", "parties", "plan", "tag_of", "vhost_of"]
