"""A store or broker out of reach is a configuration error: one line naming the setting, exit 2, no URL.

Before, a wrong password or port ended in "internal error ... [INTERNAL_ERROR]" and exit 3, which
the README keeps for engine bugs. These talk to the machine's real PostgreSQL and RabbitMQ (a
wrong role, a wrong password) and to a port nothing listens on.
"""

from __future__ import annotations

import socket

from click.testing import CliRunner

from hub.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*args: str, **env: str):
    return CliRunner().invoke(main, list(args), env=env)


def test_a_store_that_refuses_the_login_names_hub_store_url_and_exits_2():
    result = _run("messages", "list", HUB_STORE_URL="postgresql://no_such_role:s3cret@127.0.0.1:5432/test")
    assert result.exit_code == 2, result.output
    assert "HUB_STORE_URL" in result.output and "[STORE_UNREACHABLE]" in result.output
    assert "no_such_role" in result.output and "s3cret" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_store_port_nothing_listens_on_exits_2():
    result = _run("messages", "list", HUB_STORE_URL=f"postgresql://postgres@127.0.0.1:{_free_port()}/test")
    assert result.exit_code == 2 and "[STORE_UNREACHABLE]" in result.output, result.output


def test_a_broker_that_refuses_the_password_names_hub_amqp_url_and_exits_2():
    result = _run("topology", "declare", HUB_TOPOLOGY_PREFIX="unreachable-test", HUB_AMQP_URL="amqp://guest:wrong-password@127.0.0.1:5672/%2F")
    assert result.exit_code == 2, result.output
    assert "HUB_AMQP_URL" in result.output and "refused the login" in result.output
    assert "wrong-password" not in result.output and "[BROKER_UNREACHABLE]" in result.output


def test_a_broker_port_nothing_listens_on_exits_2():
    result = _run("topology", "declare", HUB_TOPOLOGY_PREFIX="unreachable-test", HUB_AMQP_URL=f"amqp://guest:guest@127.0.0.1:{_free_port()}/%2F")
    assert result.exit_code == 2, result.output
    assert "[BROKER_UNREACHABLE]" in result.output and "is RabbitMQ running" in result.output
