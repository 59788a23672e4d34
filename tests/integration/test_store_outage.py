"""A PostgreSQL store that goes away mid-run (issue 13): the messages in flight are retried, then
dead-lettered with the reason once the retries are spent; nothing is lost, and once the database
is back the hub carries on and a dead-letter replay stores and delivers what waited.

The test runs on a database of its own on the machine's PostgreSQL, and takes it away by refusing
new connections (ALLOW_CONNECTIONS false) and ending the hub's sessions: to the hub that is a
server gone, while every other database on the server goes on.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import psycopg
import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.store.base import MessageFilter, MessageStatus
from tests.integration.conftest import Hub, wait_for
from tests.integration.test_faults import RECEIVERS, assert_every_receiver_got_all, publish, ready, waybills
from tests.store.conftest import POSTGRES_URL

ADMIN = POSTGRES_URL      # HUB_TEST_POSTGRES_URL, as every PostgreSQL test


def database_url(name: str) -> str:
    """The same server and login as the tests' PostgreSQL, database ``name``."""
    return urlsplit(POSTGRES_URL)._replace(path="/" + name).geturl()


@pytest.fixture
def database():
    name = f"hub_outage_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        admin.execute(f'DROP DATABASE "{name}"')


def away(name: str, gone: bool) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if gone else "true"}')
        if gone:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def test_postgresql_gone_mid_run_retries_then_dead_letters_and_replay_loses_nothing(settings, queues, database):
    settings = settings.model_copy(update={"store_url": database_url(database)})
    env = {"HUB_AMQP_URL": settings.amqp_url, "HUB_STORE_URL": settings.store_url,
           "HUB_TOPOLOGY_PREFIX": settings.topology_prefix, "HUB_ROUTES": str(settings.routes)}
    before, during = waybills(10), waybills(10, start=100)
    with Hub(settings) as hub:
        publish(settings, before)
        wait_for(lambda: len(hub.store.find(MessageFilter(limit=100))) == 10, timeout=30)
        away(database, gone=True)
        publish(settings, during, first=100)
        wait_for(lambda: ready(settings, queues.topology.dead) == 10, timeout=60)   # retried, then dead letters
        method, props, _ = queues.channel.basic_get(queues.topology.dead, auto_ack=False)
        queues.channel.basic_nack(method.delivery_tag, requeue=True)
        assert props.headers["x-hub-attempts"] == len(settings.retry_delays_ms) + 1
        assert props.headers["x-hub-reason"]                          # why, for the operator
        away(database, gone=False)
        listed = CliRunner().invoke(main, ["dead-letters", "list"], env=env)
        assert listed.exit_code == 0 and listed.stdout.count("AIRLINE-CA") == 10, listed.output
        replayed = CliRunner().invoke(main, ["dead-letters", "replay"], env=env)
        assert replayed.exit_code == 0, replayed.output

        def all_stored() -> bool:
            try:        # the test's own view lost its session too: its first query fails, the next reconnects
                stored = hub.store.find(MessageFilter(limit=100))
            except psycopg.OperationalError:
                return False
            return len(stored) == 20 and all(m.status is MessageStatus.ACCEPTED for m in stored)
        wait_for(all_stored, timeout=60)
        assert ready(settings, queues.topology.dead) == 0
    got = assert_every_receiver_got_all(queues, 20, "PostgreSQL outage")
    assert set(got) == set(RECEIVERS)
