"""`hub parties plan` and `hub parties apply` against the real RabbitMQ management API (port 15672).

Every test names its parties for itself (broker users are broker-wide) and runs under its own topology
prefix, so its tag is its own; each revokes what it created at the end.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pika
import pytest
from click.testing import CliRunner, Result
from pika.exceptions import ProbableAuthenticationError

from hub.cli import main
from hub.errors import ConfigError
from hub.parties import hash_password
from hub.settings import Settings
from hub.transport.base import Publication, Topology
from hub.transport.rabbitmq import parameters, ping, publish_once, user_of
from hub.worker.serve import declare, hub_user
from tests.integration.private_broker import PrivateBroker, free_port, needs_rabbitmq_server

API, ADMIN = "http://127.0.0.1:15672/api", ("guest", "guest")
NOBODY = "version: 1\nsenders: {}\nreceivers: {}\nroutes: []\n"


def call(method: str, path: str, body: dict | None = None):
    """The management API as the administrator, for the test's own look and set-up."""
    request = urllib.request.Request(API + path, data=json.dumps(body).encode() if body else None, method=method)
    request.add_header("Content-Type", "application/json")
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, API, *ADMIN)
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager))
    with opener.open(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def users() -> dict[str, dict]:
    return {u["name"]: u for u in call("GET", "/users")}


def permissions(user: str) -> tuple[str, str, str]:
    p = call("GET", f"/permissions/%2F/{user}")
    return p["configure"], p["write"], p["read"]


def can_log_in(user: str, password: str) -> bool:
    try:
        pika.BlockingConnection(pika.URLParameters(f"amqp://{user}:{password}@127.0.0.1:5672/%2F")).close()
    except ProbableAuthenticationError:
        return False
    return True


class Routes:
    """A routes.yaml of this test's parties, and `hub` run on it under this test's prefix."""

    def __init__(self, path: Path) -> None:
        self.path, self.run = path, uuid.uuid4().hex[:8]
        self.prefix = f"p{self.run}"
        self.env = {"HUB_ROUTES": str(path), "HUB_TOPOLOGY_PREFIX": self.prefix}

    def name(self, role: str) -> str:
        return f"{role}-{self.run}"

    def write(self, senders: dict[str, str] | list[str], receivers: list[str]) -> None:
        """Senders (role -> extra YAML, e.g. an account block) and receivers, by role."""
        senders = dict.fromkeys(senders, "") if isinstance(senders, list) else senders
        lines = ["version: 1", "senders:" + ("" if senders else " {}")]
        lines += [f"  {self.name(r)}: {{name: s, may_send: [waybill]{extra}}}" for r, extra in senders.items()]
        lines += ["receivers:" + ("" if receivers else " {}")]
        lines += [f"  {self.name(r)}: {{name: r, accepts: [json]}}" for r in receivers]
        lines += ["routes: []"]
        self.path.write_text("\n".join(lines) + "\n")

    def hub(self, *args: str, **env: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env | env)


def passwords(output: str) -> dict[str, str]:
    """The table apply prints of the passwords it generated."""
    table = output.split("PARTY", 1)[1].splitlines()[1:] if "PARTY" in output else []
    return dict(line.split() for line in table if line.strip())


@pytest.fixture
def routes(broker, tmp_path) -> Iterator[Routes]:
    routes = Routes(tmp_path / "routes.yaml")
    yield routes
    routes.path.write_text(NOBODY)
    routes.hub("parties", "apply")
    for name in [n for n in users() if n.endswith(routes.run)]:
        call("DELETE", f"/users/{name}")


def test_plan_lists_what_apply_would_create_and_changes_nothing(routes):
    routes.write(["CA"], ["CN"])
    result = routes.hub("parties", "plan")
    assert result.exit_code == 0, result.output
    assert re.search(rf"create +{routes.name('CA')} +configure=\^\$ write=\^\({routes.prefix}\\\.in\)\$",
                     result.output), result.output
    assert "2 change(s)" in result.output
    assert routes.name("CA") not in users() and routes.name("CN") not in users()


def test_apply_creates_least_privilege_accounts_whose_shown_passwords_log_in_and_a_rerun_changes_nothing(routes):
    routes.write(["CA"], ["CN"])
    result = routes.hub("parties", "apply")
    assert result.exit_code == 0, result.output
    shown = passwords(result.output)
    assert set(shown) == {routes.name("CA"), routes.name("CN")}
    assert all(can_log_in(user, password) for user, password in shown.items())
    p = re.escape(routes.prefix)
    assert permissions(routes.name("CA")) == ("^$", f"^({p}\\.in)$", f"^({p}\\.status\\.CA\\-{routes.run})$")
    assert permissions(routes.name("CN")) == ("^$", f"^({p}\\.acks)$", f"^({p}\\.out\\.CN\\-{routes.run})$")
    assert users()[routes.name("CA")]["tags"] == [f"hub-party:{routes.prefix}@/"]
    again = routes.hub("parties", "apply")
    assert again.exit_code == 0 and "nothing to change" in again.output and "PASSWORD" not in again.output


def test_rotate_replaces_one_partys_password_and_the_old_one_no_longer_logs_in(routes):
    routes.write(["CA", "MU"], [])
    first = passwords(routes.hub("parties", "apply").output)
    result = routes.hub("parties", "apply", "--rotate", routes.name("CA"))
    assert result.exit_code == 0, result.output
    rotated = passwords(result.output)
    assert set(rotated) == {routes.name("CA")}
    assert not can_log_in(routes.name("CA"), first[routes.name("CA")])
    assert can_log_in(routes.name("CA"), rotated[routes.name("CA")])
    assert can_log_in(routes.name("MU"), first[routes.name("MU")])


def test_a_party_removed_from_routes_yaml_is_revoked_and_no_other_user_is_touched(routes):
    routes.write(["CA", "MU"], ["CN"])
    routes.hub("parties", "apply")
    bystander, other_prefix = routes.name("BYSTANDER"), routes.name("OTHER")
    call("PUT", f"/users/{bystander}", {"password": "x", "tags": ""})
    call("PUT", f"/users/{other_prefix}", {"password": "x", "tags": "hub-party:another-prefix@/"})
    routes.write(["CA"], [])
    result = routes.hub("parties", "apply")
    assert result.exit_code == 0, result.output
    left = users()
    assert routes.name("MU") not in left and routes.name("CN") not in left
    assert {routes.name("CA"), bystander, other_prefix, "guest"} <= set(left)


def test_permissions_widened_by_hand_are_narrowed_back(routes):
    routes.write(["CA"], [])
    routes.hub("parties", "apply")
    narrow = permissions(routes.name("CA"))
    call("PUT", f"/permissions/%2F/{routes.name('CA')}", {"configure": ".*", "write": ".*", "read": ".*"})
    assert "permissions" in routes.hub("parties", "plan").output
    result = routes.hub("parties", "apply")
    assert result.exit_code == 0 and "PASSWORD" not in result.output
    assert permissions(routes.name("CA")) == narrow


def test_a_password_from_an_environment_variable_is_used_and_never_shown(routes, tmp_path):
    routes.write({"CA": ", account: {password_env: TEST_CA_PASSWORD}"}, [])
    result = routes.hub("parties", "apply", TEST_CA_PASSWORD="from-the-environment")
    assert result.exit_code == 0, result.output
    assert "from-the-environment" not in result.output and "PASSWORD" not in result.output
    assert can_log_in(routes.name("CA"), "from-the-environment")
    assert "nothing to change" in routes.hub("parties", "plan", TEST_CA_PASSWORD="from-the-environment").output
    result = routes.hub("parties", "apply", TEST_CA_PASSWORD="changed-in-the-environment")
    assert "password" in result.output and can_log_in(routes.name("CA"), "changed-in-the-environment")


def test_a_party_named_like_a_user_the_hub_does_not_manage_is_refused_and_that_user_kept(routes):
    routes.write(["CA"], [])
    theirs = hash_password("theirs")
    call("PUT", f"/users/{routes.name('CA')}", {"password_hash": theirs, "tags": "management"})
    result = routes.hub("parties", "apply")
    assert result.exit_code == 2 and "not managed by the hub" in result.output
    kept = users()[routes.name("CA")]
    assert (kept["password_hash"], kept["tags"]) == (theirs, ["management"])
    assert call("GET", f"/users/{routes.name('CA')}/permissions") == []


def test_a_party_named_twice_is_refused_with_the_file_and_line_and_nothing_is_created(routes):
    routes.write(["CA"], ["CN"])
    routes.path.write_text(routes.path.read_text().replace(f"  {routes.name('CN')}:", f"  {routes.name('CA')}:")
                           .replace("receivers:", f"  {routes.name('CA')}: {{name: again, may_send: [waybill]}}\n"
                                    "receivers:"))
    result = routes.hub("parties", "apply")
    assert result.exit_code == 2, result.output
    assert f"{routes.path}:4: " in result.output and f"duplicate key '{routes.name('CA')}'" in result.output
    assert routes.name("CA") not in users()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_management_api_is_one_line_naming_the_plugin_and_exit_2(routes):
    routes.write(["CA"], [])
    result = routes.hub("parties", "apply", HUB_MANAGEMENT_URL=f"http://127.0.0.1:{_free_port()}")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "rabbitmq_management" in result.output
    assert "[MANAGEMENT_UNREACHABLE]" in result.output and routes.name("CA") not in users()


def test_a_management_api_refusing_the_hubs_user_is_one_line_and_exit_2(routes):
    routes.write(["CA"], [])
    result = routes.hub("parties", "apply", HUB_MANAGEMENT_URL="http://guest:wrong-password@127.0.0.1:15672")
    assert result.exit_code == 2 and "[MANAGEMENT_REFUSED]" in result.output
    assert "wrong-password" not in result.output and routes.name("CA") not in users()


# TLS: amqps:// with a CA file and a client certificate (EXTERNAL login), on a private node -----------

def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def certificates(where: Path) -> Path:
    """A CA, the broker's certificate (localhost, 127.0.0.1) and client certificates whose CNs are
    hub-tls and CA-TLS, all signed by the CA; plus a second CA that signed nothing of the broker's."""
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                 "-days", "2", "-subj", f"/CN=test {ca}", cwd=where)
    (where / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name, cn in (("server", "localhost"), ("hub", "hub-tls"), ("party", "CA-TLS")):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={cn}", cwd=where)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "2", *(["-extfile", "san.ext"] if name == "server" else []),
                 cwd=where)
    return where


class TlsBroker(PrivateBroker):
    """A private node with a TLS listener that verifies client certificates and takes EXTERNAL logins."""

    def __init__(self, certs: Path) -> None:
        self.tls_port = free_port()
        super().__init__(config={
            "listeners.ssl.default": f"127.0.0.1:{self.tls_port}",
            "ssl_options.cacertfile": certs / "ca.pem", "ssl_options.certfile": certs / "server.pem",
            "ssl_options.keyfile": certs / "server.key", "ssl_options.verify": "verify_peer",
            "ssl_options.fail_if_no_peer_cert": False, "ssl_cert_login_from": "common_name",
            "auth_mechanisms.1": "PLAIN", "auth_mechanisms.2": "EXTERNAL"})

    def _prepare(self) -> None:
        super()._prepare()
        (self.dir / "enabled_plugins").write_text("[rabbitmq_auth_mechanism_ssl].\n")

    def user(self, name: str) -> None:
        """A broker user (a password nobody knows: it logs in by certificate only) with every permission."""
        self.ctl("add_user", name, uuid.uuid4().hex)
        self.ctl("set_permissions", "-p", "/", name, ".*", ".*", ".*")


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory) -> Iterator[tuple[TlsBroker, Path]]:
    certs = certificates(tmp_path_factory.mktemp("certs"))
    with TlsBroker(certs) as broker:
        broker.user("hub-tls")
        yield broker, certs


def tls_settings(broker: TlsBroker, certs: Path, who: str = "hub", user: str = "hub-tls",
                 ca: str = "ca.pem") -> Settings:
    return Settings(amqp_url=f"amqps://{user}@localhost:{broker.tls_port}/%2F?connection_attempts=1",
                    amqp_ca_file=certs / ca, amqp_cert_file=certs / f"{who}.pem", amqp_key_file=certs / f"{who}.key",
                    topology_prefix=f"tls{uuid.uuid4().hex[:8]}")


@needs_rabbitmq_server
def test_the_hub_connects_over_tls_with_its_client_certificate_as_the_user_its_cn_names(tls_broker):
    broker, certs = tls_broker
    settings = tls_settings(broker, certs)
    assert hub_user(settings) == "hub-tls"
    assert declare(settings)                        # the topology, declared over amqps:// as hub-tls
    publish_once(settings.amqp_url, [Publication(Topology(settings.topology_prefix).inbound, "", b"<x/>", "T-1")],
                 user_id=hub_user(settings))         # the broker checks user_id against the EXTERNAL login
    assert broker.queue_depth(f"{settings.topology_prefix}.in") == 1
    connection = pika.BlockingConnection(parameters(settings.amqp_url, "tls-test"))
    try:
        rows = broker.ctl("list_connections", "user", "auth_mechanism", "ssl", "--no-table-headers")
    finally:
        connection.close()
    # every connection the node lists (ours, and any of declare's still closing) is the hub's, by certificate
    assert {tuple(row.split()) for row in rows.splitlines() if row.strip()} == {("hub-tls", "EXTERNAL", "true")}


@needs_rabbitmq_server
def test_a_client_certificate_whose_cn_is_no_broker_user_is_refused(tls_broker):
    broker, certs = tls_broker
    settings = tls_settings(broker, certs, who="party", user="CA-TLS")
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        ping(settings.amqp_url)
    broker.user("CA-TLS")
    ping(settings.amqp_url)


@needs_rabbitmq_server
def test_a_broker_whose_certificate_the_configured_ca_did_not_sign_is_refused(tls_broker):
    broker, certs = tls_broker
    settings = tls_settings(broker, certs, ca="other-ca.pem")
    with pytest.raises(ssl.SSLCertVerificationError):
        ping(settings.amqp_url)


def test_tls_files_with_a_plain_url_or_an_unnamed_external_user_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="plain amqp://"):
        parameters(Settings(amqp_url="amqp://h:p@localhost/%2F", amqp_ca_file=tmp_path / "ca.pem").amqp_url, "x")
    unnamed = Settings(amqp_url="amqps://localhost/%2F", amqp_cert_file=tmp_path / "c.pem").amqp_url
    with pytest.raises(ConfigError, match="name the hub's broker user"):
        user_of(unnamed)
    with pytest.raises(ConfigError, match="HUB_AMQP_CA_FILE"):
        parameters(Settings(amqp_url="amqps://h@localhost/%2F", amqp_ca_file=tmp_path / "none.pem").amqp_url, "x")
