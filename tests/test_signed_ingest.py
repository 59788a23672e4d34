"""A sender's signature policy in routes.yaml, applied by the router at ingest (hub.signatures).

EC-PLATFORM is given ``signature: {policy: require, certificates: [platform.pem]}`` in a copy of
routes.yaml; its CEB311 orders, signed in the test with a key and certificate made here, are
accepted with the signer recorded in the message's outcome event; a changed byte, a missing
signature or another party's certificate is REJECTED with its code and nothing is delivered.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from hub import signatures
from hub.errors import ConfigError
from hub.routing import Router, load_routes
from hub.store.base import MessageStatus
from hub.transport.base import Inbound, Topology
from hub.worker.ingest import IngestCore
from tests.conftest import ROOT, example

TOPOLOGY = Topology("t")
NOW = datetime.now(UTC)


def certificate(subject: str, key: rsa.RSAPrivateKey, days: tuple[int, int] = (-1, 365)) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW + timedelta(days=days[0]))
            .not_valid_after(NOW + timedelta(days=days[1])).sign(key, hashes.SHA256()))


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def routes_with(tmp_path: Path, policy: str, cert: x509.Certificate) -> Path:
    (tmp_path / "platform.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    data = yaml.safe_load((ROOT / "routes.yaml").read_text(encoding="utf-8"))
    data["senders"]["EC-PLATFORM"]["signature"] = {"policy": policy, "certificates": ["platform.pem"]}
    path = tmp_path / "routes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def core(engine, store, routes: Path) -> IngestCore:
    return IngestCore(engine, Router(load_routes(routes), home_country="CN"), store, TOPOLOGY, "EPORTHUB")


def signed_order(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> bytes:
    root = etree.fromstring(example("ceb", "ceb311-order.xml"))
    return etree.tostring(signatures.sign(root, key, cert, "rsa-sha256"), xml_declaration=True, encoding="UTF-8")


def handled(router: IngestCore, store, body: bytes):
    work, = router.handle([Inbound(tag=1, body=body, sender="EC-PLATFORM", message_id="O-1")])
    status = json.loads(next(p.body for p in work.publications if p.exchange == TOPOLOGY.status))
    return status, store.message(status["hub_message_id"])


def test_a_signed_order_is_accepted_and_its_signer_recorded(engine, store, tmp_path, key):
    cert = certificate("EC Platform Ltd", key)
    status, message = handled(core(engine, store, routes_with(tmp_path, "require", cert)), store,
                              signed_order(key, cert))
    assert status["event"] == "message.accepted" and message.status is MessageStatus.ACCEPTED
    accepted = next(e for e in store.events(message.id) if e.type == "message.accepted")
    signer = accepted.detail["signer"]
    assert signer["subject"].endswith("EC Platform Ltd") and signer["algorithm"] == "rsa-sha256"


@pytest.mark.parametrize(("what", "code"), [("tampered", "SIGNATURE_INVALID"), ("unsigned", "SIGNATURE_MISSING"),
                                            ("stranger", "SIGNATURE_UNTRUSTED")])
def test_a_bad_or_missing_signature_is_rejected_with_its_code(engine, store, tmp_path, key, what, code):
    cert = certificate("EC Platform Ltd", key)
    body = signed_order(key, cert)
    if what == "tampered":
        body = body.replace(b"<ceb:buyerRegNo>yph_", b"<ceb:buyerRegNo>yph2", 1)   # a rule cannot see it
        assert body != signed_order(key, cert)
    elif what == "unsigned":
        body = example("ceb", "ceb311-order.xml")
    else:
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        body = signed_order(other, certificate("Someone Else", other))
    status, message = handled(core(engine, store, routes_with(tmp_path, "require", cert)), store, body)
    assert status["event"] == "message.rejected" and message.status is MessageStatus.REJECTED
    assert [e["code"] for e in status["errors"]] == [code]
    assert store.deliveries(message.id) == []


def test_verify_accepts_an_unsigned_order_and_still_refuses_a_broken_signature(engine, store, tmp_path, key):
    cert = certificate("EC Platform Ltd", key)
    router = core(engine, store, routes_with(tmp_path, "verify", cert))
    status, _ = handled(router, store, example("ceb", "ceb311-order.xml"))
    assert status["event"] == "message.accepted"
    broken = signed_order(key, cert).replace(b"<ceb:buyerRegNo>yph_", b"<ceb:buyerRegNo>yph2", 1)
    work, = router.handle([Inbound(tag=2, body=broken, sender="EC-PLATFORM", message_id="O-2")])
    event = json.loads(next(p.body for p in work.publications if p.exchange == TOPOLOGY.status))
    assert [e["code"] for e in event["errors"]] == ["SIGNATURE_INVALID"]


def test_an_expired_or_missing_certificate_stops_the_start(tmp_path, key):
    expired = certificate("EC Platform Ltd", key, days=(-30, -1))
    with pytest.raises(ConfigError, match="EC-PLATFORM"):
        Router(load_routes(routes_with(tmp_path, "require", expired)), home_country="CN")
    path = routes_with(tmp_path, "require", certificate("EC Platform Ltd", key))
    (tmp_path / "platform.pem").unlink()
    with pytest.raises(ConfigError, match="platform.pem"):
        Router(load_routes(path), home_country="CN")
