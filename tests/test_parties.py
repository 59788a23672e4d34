"""Party accounts, offline: the least-privilege permissions, and what apply would change for a given
routes.yaml and a given list of broker users (hub/parties). The real management API: tests/integration."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from hub.errors import ConfigError
from hub.parties import BrokerUser, Change, PartialApply, Permissions, hash_password, management_url, parties, plan
from hub.parties.management import Management, apply
from hub.parties.planning import password_matches
from hub.routing import RoutesFile, load_routes
from hub.transport.base import Topology

ROOT = Path(__file__).resolve().parent.parent
TAG = "hub-party:hub@/"
ROUTES = """\
version: 1
senders:
  AIRLINE-CA: {name: a, may_send: [waybill]}
  BOTH-PARTY: {name: b, may_send: [waybill]}
receivers:
  CUSTOMS-CN: {name: c, accepts: [json]}
  BOTH-PARTY: {name: d, accepts: [json]}
routes:
  - {name: r, deliver: [{receiver: CUSTOMS-CN, format: json}]}
"""
RESOURCES = ["hub.in", "hub.acks", "hub.out", "hub.status", "hub.retry", "hub.dead", "hub.out.CUSTOMS-CN",
             "hub.out.BOTH-PARTY", "hub.status.AIRLINE-CA", "hub.status.BOTH-PARTY", "hub.status.AIRLINE-CAX",
             "xhub.in", "hub.in.x", "hubXin", "amq.default", "hub.out.CUSTOMS-CN-EC"]


def table(text: str = ROUTES, tmp_path: Path | None = None) -> RoutesFile:
    if tmp_path is None:
        return RoutesFile.model_validate(yaml.safe_load(text))
    path = tmp_path / "routes.yaml"
    path.write_text(text)
    return load_routes(path)


def allowed(regex: str) -> set[str]:
    """The resources a RabbitMQ permission regex grants (RabbitMQ searches, it does not anchor)."""
    return {name for name in RESOURCES if re.search(regex, name)}


def by_name(routes: RoutesFile) -> dict[str, Permissions]:
    return {p.name: p.permissions for p in parties(routes, Topology("hub"))}


def test_a_sender_writes_only_the_inbound_exchange_and_reads_only_its_own_status_queue():
    perms = by_name(table())["AIRLINE-CA"]
    assert allowed(perms.configure) == set()
    assert allowed(perms.write) == {"hub.in"}
    assert allowed(perms.read) == {"hub.status.AIRLINE-CA"}


def test_a_receiver_writes_only_the_receipts_exchange_and_reads_only_its_own_delivery_queue():
    perms = by_name(table())["CUSTOMS-CN"]
    assert allowed(perms.configure) == set()
    assert allowed(perms.write) == {"hub.acks"}
    assert allowed(perms.read) == {"hub.out.CUSTOMS-CN"}


def test_a_party_that_is_both_sender_and_receiver_gets_the_union():
    perms = by_name(table())["BOTH-PARTY"]
    assert allowed(perms.configure) == set()
    assert allowed(perms.write) == {"hub.in", "hub.acks"}
    assert allowed(perms.read) == {"hub.out.BOTH-PARTY", "hub.status.BOTH-PARTY"}


def test_the_shipped_routes_give_no_party_configure_or_a_delivery_or_status_write():
    for name, perms in by_name(load_routes(ROOT / "routes.yaml")).items():
        assert allowed(perms.configure) == set(), name
        assert allowed(perms.write) <= {"hub.in", "hub.acks"}, name


def managed(name: str, perms: Permissions | None, password: str = "pw", tags=frozenset({TAG})) -> BrokerUser:
    return BrokerUser(name, frozenset(tags), hash_password(password), permissions=perms)


def test_on_an_empty_broker_every_party_is_created_with_a_generated_password():
    changes = plan(parties(table(), Topology("hub")), {}, hub_user="guest", tag=TAG)
    assert [(c.action, c.user) for c in changes] == [("create", "AIRLINE-CA"), ("create", "BOTH-PARTY"),
                                                      ("create", "CUSTOMS-CN")]
    assert all(c.generated and c.password and len(c.password) >= 24 for c in changes)
    assert len({c.password for c in changes}) == 3
    assert all(c.password not in c.describe() for c in changes)


def current(routes: RoutesFile) -> dict[str, BrokerUser]:
    return {name: managed(name, perms) for name, perms in by_name(routes).items()}


def test_a_broker_that_matches_routes_yaml_needs_no_change():
    routes = table()
    existing = current(routes) | {"guest": BrokerUser("guest", frozenset({"administrator"}))}
    assert plan(parties(routes, Topology("hub")), existing, hub_user="guest", tag=TAG) == []


def test_widened_permissions_are_narrowed_back():
    routes = table()
    existing = current(routes)
    existing["AIRLINE-CA"] = managed("AIRLINE-CA", Permissions(".*", ".*", ".*"))
    changes = plan(parties(routes, Topology("hub")), existing, hub_user="guest", tag=TAG)
    assert [(c.action, c.user, c.permissions) for c in changes] == [
        ("permissions", "AIRLINE-CA", by_name(routes)["AIRLINE-CA"])]
    assert changes[0].password is None


def test_a_managed_user_routes_yaml_no_longer_names_is_deleted_and_no_other_user_is_touched():
    routes = table()
    existing = current(routes) | {
        "AIRLINE-OLD": managed("AIRLINE-OLD", None),
        "OTHER-PREFIX": managed("OTHER-PREFIX", None, tags={"hub-party:other@/"}),
        "someone": BrokerUser("someone", frozenset({"management"})),
        "guest": managed("guest", None),                  # even when someone tagged the hub's own user
    }
    changes = plan(parties(routes, Topology("hub")), existing, hub_user="guest", tag=TAG)
    assert [(c.action, c.user) for c in changes] == [("delete", "AIRLINE-OLD")]


def test_a_party_named_like_a_user_the_hub_does_not_manage_is_refused():
    existing = {"CUSTOMS-CN": BrokerUser("CUSTOMS-CN", frozenset({"management"}))}
    with pytest.raises(ConfigError, match="CUSTOMS-CN exist but are not managed by the hub"):
        plan(parties(table(), Topology("hub")), existing, hub_user="guest", tag=TAG)


def test_a_party_named_like_the_hubs_own_user_is_refused():
    with pytest.raises(ConfigError, match="hub's own broker user"):
        plan(parties(table(), Topology("hub")), {}, hub_user="CUSTOMS-CN", tag=TAG)


def test_rotate_gives_a_new_generated_password_and_touches_nothing_else():
    routes = table()
    changes = plan(parties(routes, Topology("hub")), current(routes), hub_user="guest", tag=TAG,
                   rotate=frozenset({"CUSTOMS-CN"}))
    assert [(c.action, c.user, c.generated) for c in changes] == [("password", "CUSTOMS-CN", True)]
    assert changes[0].password and changes[0].password != "pw"


def test_rotating_a_party_routes_yaml_does_not_name_is_refused():
    with pytest.raises(ConfigError, match="--rotate NOBODY"):
        plan(parties(table(), Topology("hub")), {}, hub_user="guest", tag=TAG, rotate=frozenset({"NOBODY"}))


ACCOUNT = ROUTES.replace("AIRLINE-CA: {name: a, may_send: [waybill]}",
                         "AIRLINE-CA: {name: a, may_send: [waybill], account: {password_env: CA_PW}}")


def test_a_password_from_the_environment_is_set_only_when_it_changed(monkeypatch):
    routes = table(ACCOUNT)
    monkeypatch.setenv("CA_PW", "secret-one")
    created, = [c for c in plan(parties(routes, Topology("hub")), {}, hub_user="guest", tag=TAG)
                if c.user == "AIRLINE-CA"]
    assert created.password == "secret-one" and not created.generated
    existing = current(routes)
    existing["AIRLINE-CA"] = managed("AIRLINE-CA", by_name(routes)["AIRLINE-CA"], password="secret-one")
    assert plan(parties(routes, Topology("hub")), existing, hub_user="guest", tag=TAG) == []
    monkeypatch.setenv("CA_PW", "secret-two")
    changed, = plan(parties(routes, Topology("hub")), existing, hub_user="guest", tag=TAG)
    assert (changed.action, changed.password, changed.generated) == ("password", "secret-two", False)
    with pytest.raises(ConfigError, match="from its account block"):
        plan(parties(routes, Topology("hub")), existing, hub_user="guest", tag=TAG, rotate=frozenset({"AIRLINE-CA"}))


def test_a_missing_environment_variable_or_password_file_is_a_config_error(monkeypatch, tmp_path):
    monkeypatch.delenv("CA_PW", raising=False)
    with pytest.raises(ConfigError, match="CA_PW"):
        plan(parties(table(ACCOUNT), Topology("hub")), {}, hub_user="guest", tag=TAG)
    secret = tmp_path / "ca"
    from_file = f"may_send: [waybill], account: {{password_file: {secret}}}}}"
    routes = table(ROUTES.replace("may_send: [waybill]}", from_file, 1))
    with pytest.raises(ConfigError, match="cannot read its password_file"):
        plan(parties(routes, Topology("hub")), {}, hub_user="guest", tag=TAG)
    secret.write_text("from-a-file\n")
    created = plan(parties(routes, Topology("hub")), {}, hub_user="guest", tag=TAG)[0]
    assert (created.user, created.password) == ("AIRLINE-CA", "from-a-file")


def test_an_account_block_with_two_sources_is_refused(tmp_path):
    text = ROUTES.replace("may_send: [waybill]}", "may_send: [waybill], account: {password_env: X, "
                          "password_file: /run/x}}", 1)
    with pytest.raises(ConfigError, match="password_env or password_file, not both"):
        table(text, tmp_path)


def test_a_party_named_twice_is_a_config_error_naming_the_file_and_line(tmp_path):
    text = ROUTES.replace("  BOTH-PARTY: {name: b", "  AIRLINE-CA: {name: b", 1)
    with pytest.raises(ConfigError) as caught:
        table(text, tmp_path)
    assert caught.value.message.startswith(f"{tmp_path / 'routes.yaml'}:4: ")
    assert "duplicate key 'AIRLINE-CA' (first on line 3)" in caught.value.message


def test_the_password_hash_is_rabbitmqs_salted_sha256():
    user = BrokerUser("x", password_hash=hash_password("s3cret", salt=b"\x01\x02\x03\x04"))
    assert user.password_hash == "AQIDBLq/hWyT4GNQ5SjFtltSvLoQIZIQIckdYAqRUvj04Npv"
    assert password_matches(user, "s3cret") and not password_matches(user, "s3cret2")


def test_the_management_api_defaults_to_port_15672_on_the_brokers_host_with_the_hubs_user():
    assert management_url("amqp://hub:pw@rabbit:5672/%2F", None) == ("http://rabbit:15672/api", "hub", "pw")
    assert management_url("amqp://hub:pw@rabbit/%2F", "https://admin:x@mgmt:443/") == \
        ("https://mgmt:443/api", "admin", "x")


def test_an_unreachable_management_api_is_a_config_error_naming_the_plugin():
    api = Management("http://127.0.0.1:9/api", "guest", "guest", "/", timeout=2)
    with pytest.raises(ConfigError, match="rabbitmq_management") as caught:
        api.users()
    assert caught.value.code == "MANAGEMENT_UNREACHABLE"


class Failing(Management):
    """A management API that refuses every call after the first ``ok`` ones."""

    def __init__(self, ok: int) -> None:
        super().__init__("http://unused/api", "guest", "guest", "/")
        self.ok, self.calls = ok, []

    def _call(self, method, path, body=None):
        if len(self.calls) >= self.ok:
            raise ConfigError("refused", code="MANAGEMENT_REFUSED")
        self.calls.append((method, path))


def test_apply_stopping_midway_reports_what_it_applied():
    changes = [Change("delete", "A"), Change("delete", "B"), Change("delete", "C")]
    with pytest.raises(PartialApply, match="1 change.s. applied, 2 not") as caught:
        apply(Failing(1), changes, {}, TAG, hash_password, "rabbit_password_hashing_sha256")
    assert [c.user for c in caught.value.done] == ["A"]
    with pytest.raises(ConfigError, match="refused"):
        apply(Failing(0), changes, {}, TAG, hash_password, "rabbit_password_hashing_sha256")


def test_a_partys_url_is_the_hubs_with_its_own_login_and_without_the_hubs_client_certificate():
    from hub.parties import party_url
    hub = "amqps://hub-tls@broker:5671/eport?ca_file=/ca.pem&cert_file=/hub.pem&key_file=/hub.key&heartbeat=20"
    assert party_url(hub, "AIRLINE-CA", "p@ss/word") == \
        "amqps://AIRLINE-CA:p%40ss%2Fword@broker:5671/eport?ca_file=%2Fca.pem&heartbeat=20"
    assert party_url("amqp://guest:guest@127.0.0.1/%2F", "CN", "x") == "amqp://CN:x@127.0.0.1/%2F"


def test_apply_stopping_midway_prints_what_it_applied_and_its_new_passwords_then_exits_2(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from hub.cli import main
    from hub.parties import Accounts

    routes_path = tmp_path / "routes.yaml"
    routes_path.write_text(ROUTES)
    wanted = parties(load_routes(routes_path), Topology("hub"))
    command = importlib.import_module("hub.cli.parties")     # the module (hub.cli.parties is the click group)
    monkeypatch.setattr(command, "accounts", lambda settings: Accounts(Failing(2), wanted, {}, "guest", TAG))
    result = CliRunner().invoke(main, ["parties", "apply"], env={
        "HUB_ROUTES": str(routes_path), "HUB_MANAGEMENT_URL": "http://127.0.0.1:9"})   # never a real broker
    assert result.exit_code == 2, result.output
    assert "create      AIRLINE-CA" in result.output and "BOTH-PARTY" not in result.output
    shown = result.output.split("PASSWORD", 1)[1].split()
    assert shown[0] == "AIRLINE-CA" and len(shown[1]) >= 24 and "BOTH-PARTY" not in shown
    assert "[PARTIES_PARTIAL]" in result.output and "rerun `hub parties apply`" in result.output


def test_a_user_created_whose_permissions_then_fail_is_reported_with_its_password():
    created = Change("create", "A", Permissions(), password="generated-once", generated=True)
    with pytest.raises(PartialApply) as caught:
        apply(Failing(1), [created, Change("delete", "B")], {}, TAG, hash_password, "rabbit_password_hashing_sha256")
    done, = caught.value.done
    assert (done.user, done.password, done.why) == ("A", "generated-once", "password set, permissions not yet")


def test_the_management_api_of_a_cluster_list_is_its_first_nodes_with_its_vhost():
    """parties, links and the demo take their API client here; the whole list was read as one URL."""
    from hub.parties.management import Management
    from hub.settings import Settings

    settings = Settings(amqp_url="amqp://hub:pw@rmq1:5672/eport,amqp://hub:pw@rmq2:5672/eport")
    api = Management.for_settings(settings)
    assert (api.base, api.user, api.password, api.vhost) == ("http://rmq1:15672/api", "hub", "pw", "eport")
