"""compose.production.yaml, checked without a Docker engine: its structure, that the three RabbitMQ
nodes form one cluster, that the hub nodes are given every broker node and both database servers,
and that every HUB_* variable it sets is a setting the hub reads (a misspelt one would be ignored)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from hub.settings import Settings, amqp_urls

COMPOSE = Path(__file__).resolve().parent.parent / "compose.production.yaml"
BROKERS = ("rabbitmq-1", "rabbitmq-2", "rabbitmq-3")
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}")
"""Compose's interpolation, ${NAME}, ${NAME:?message}, ${NAME:-default}; $$ is a literal $."""


def interpolated(text: str) -> str:
    """The file as Compose would read it with every variable set to a sample (NAME -> name-value)."""
    return VARIABLE.sub(lambda found: found.group(1).lower().replace("_", "-") + "-value", text).replace("$$", "$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(interpolated(COMPOSE.read_text()))
    return loaded


def hub_settings_fields() -> set[str]:
    return {f"HUB_{name.upper()}" for name in Settings.model_fields}


def test_the_services_are_three_brokers_the_hub_and_a_primary_with_its_standby(compose):
    assert set(compose["services"]) == {*BROKERS, "hub", "postgres-primary", "postgres-standby"}
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
        for needed in service.get("depends_on", {}):
            assert needed in compose["services"], f"{name} depends on an unknown service {needed}"


def test_every_named_volume_and_config_is_declared(compose):
    declared_volumes, declared_configs = set(compose["volumes"]), set(compose["configs"])
    used_volumes, used_configs = set(), set()
    for service in compose["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if not source.startswith((".", "/", "~")):
                used_volumes.add(source)
        used_configs |= {config["source"] for config in service.get("configs", [])}
    assert used_volumes == declared_volumes
    assert used_configs == declared_configs
    assert all("content" in config for config in compose["configs"].values())


def test_the_brokers_form_one_cluster_by_classic_peer_discovery(compose):
    conf = compose["configs"]["rabbitmq-conf"]["content"]
    assert "cluster_formation.peer_discovery_backend = classic_config" in conf
    listed = re.findall(r"^cluster_formation\.classic_config\.nodes\.\d+ = rabbit@(\S+)$", conf, re.M)
    assert sorted(listed) == sorted(BROKERS)
    cookies, data = set(), set()
    for name in BROKERS:
        broker = compose["services"][name]
        assert broker["hostname"] == name and broker["image"].startswith("rabbitmq:3.")
        assert {"source": "rabbitmq-conf", "target": "/etc/rabbitmq/rabbitmq.conf"} in broker["configs"]
        cookies.add(broker["environment"]["RABBITMQ_ERLANG_COOKIE"])
        data |= {mount for mount in broker["volumes"] if mount.endswith(":/var/lib/rabbitmq")}
    assert len(cookies) == 1, "the nodes of one cluster share one Erlang cookie"
    assert len(data) == 3, "each node keeps its own data"


def test_the_hub_nodes_get_every_broker_node_and_both_database_servers(compose):
    hub = compose["services"]["hub"]
    assert hub["command"][0] == "serve" and hub["deploy"]["replicas"] >= 2
    env = hub["environment"]
    nodes = amqp_urls(env["HUB_AMQP_URL"])
    assert [urlsplit(node).hostname for node in nodes] == list(BROKERS)
    assert {urlsplit(node).username for node in nodes} == {"hub"}
    store = urlsplit(env["HUB_STORE_URL"])
    assert store.scheme == "postgresql"
    assert store.netloc.rsplit("@", 1)[1] == "postgres-primary:5432,postgres-standby:5432"
    assert "target_session_attrs=read-write" in store.query, "after a promotion the hubs must find the new primary"
    assert set(hub["depends_on"]) == {*BROKERS, "postgres-primary"}


def test_every_hub_variable_set_is_a_hub_setting_and_its_value_is_valid(compose, monkeypatch):
    known = hub_settings_fields()
    for name, service in compose["services"].items():
        for key in service.get("environment", {}):
            if key.startswith("HUB_"):
                assert key in known, f"{name}: {key} is not a setting in hub/settings.py"
    env = compose["services"]["hub"]["environment"]
    for key in list(known):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    settings = Settings()
    assert len(settings.amqp_nodes) == 3 and settings.log_json is True


def test_the_standby_streams_from_the_primary_through_the_slot_the_primary_makes(compose):
    primary, standby = compose["services"]["postgres-primary"], compose["services"]["postgres-standby"]
    assert "wal_level=replica" in primary["command"]
    init = compose["configs"]["postgres-replication-init"]["content"]
    start = compose["configs"]["postgres-standby-start"]["content"]
    slot = re.search(r"pg_create_physical_replication_slot\('(\w+)'\)", init)
    assert slot and f"-S {slot.group(1)}" in start
    assert "WITH REPLICATION LOGIN" in init and "host replication replicator" in init
    assert "pg_basebackup -h postgres-primary -U replicator" in start and " -R" in start
    assert {"source": "postgres-standby-start", "target": "/usr/local/bin/standby.sh"} in standby["configs"]
    assert standby["entrypoint"][-1] == "/usr/local/bin/standby.sh"
    assert primary["image"] == standby["image"], "streaming replication needs the same major version"


def test_every_variable_it_needs_is_named_in_its_header():
    text = COMPOSE.read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    needed = set(VARIABLE.findall(text))
    assert needed == {"BROKER_PASSWORD", "RABBITMQ_ERLANG_COOKIE", "DB_PASSWORD", "REPLICATION_PASSWORD"}
    assert all(f"{name}=" in header for name in needed)
