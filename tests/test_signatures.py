"""XML signatures (hub.signatures): RSA and SM2/SM3 round trips, every failure code, the parties'
policies, key loading, the real Hainan sample, and a signed CEB621 valid against its XSD.

The tests make their own keys and certificates: RSA with cryptography; SM2 keys with gmssl and
SM2 certificates DER-encoded here and signed with gmssl, since no maintained Python library
builds SM2 certificates (cryptography parses their names and dates but not their key)."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from gmssl import sm2
from lxml import etree
from pydantic import ValidationError

from hub import signatures
from hub.adapters import RenderContext
from hub.errors import ConfigError
from hub.signatures import SignatureError, SignaturePolicy, Sm2PrivateKey
from tests.conftest import ROOT, corpus_folder, example

NOW = datetime.now(UTC)
DS = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
DOCUMENT = ('<c:Msg xmlns:c="urn:ceb" guid="G-1"><c:Head><c:name>海南 &amp; co</c:name><c:qty>1</c:qty></c:Head>\n'
            '  <c:Tail>x</c:Tail>\n</c:Msg>').encode()


# --- SM2 certificates, DER by hand -------------------------------------------------------------

def der(tag: int, content: bytes) -> bytes:
    size = len(content)
    length = bytes([size]) if size < 0x80 else bytes([0x80 | ((size.bit_length() + 7) // 8)]) + \
        size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + content


def oid(dotted: str) -> bytes:
    first, second, *rest = (int(p) for p in dotted.split("."))
    body = bytearray([40 * first + second])
    for n in rest:
        chunk = [n & 0x7F]
        while n := n >> 7:
            chunk.insert(0, 0x80 | (n & 0x7F))
        body += bytes(chunk)
    return der(0x06, bytes(body))


def integer(n: int) -> bytes:
    return der(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big"))


def seq(*items: bytes) -> bytes:
    return der(0x30, b"".join(items))


def name(common: str) -> bytes:
    return seq(der(0x31, seq(oid("2.5.4.3"), der(0x0C, common.encode()))))


def utc(at: datetime) -> bytes:
    return der(0x17, at.strftime("%y%m%d%H%M%SZ").encode())


def gmssl_sign(key: Sm2PrivateKey, data: bytes) -> tuple[int, int]:
    crypt = sm2.CryptSM2(private_key=key.secret, public_key="")
    crypt.public_key = key.public.point
    hex_rs = crypt.sign_with_sm3(data, secrets.token_hex(32))
    return int(hex_rs[:64], 16), int(hex_rs[64:], 16)


SM2_SM3_OID = seq(oid("1.2.156.10197.1.501"))


def sm2_certificate(subject: str, key: Sm2PrivateKey, issuer: str | None = None,
                    issuer_key: Sm2PrivateKey | None = None, days: tuple[int, int] = (-1, 365)) -> x509.Certificate:
    spki = seq(seq(oid("1.2.840.10045.2.1"), oid("1.2.156.10197.1.301")),
               der(0x03, b"\x00\x04" + bytes.fromhex(key.public.point)))
    tbs = seq(der(0xA0, integer(2)), integer(secrets.randbits(63)), SM2_SM3_OID, name(issuer or subject),
              seq(utc(NOW + timedelta(days=days[0])), utc(NOW + timedelta(days=days[1]))), name(subject), spki)
    r, s = gmssl_sign(issuer_key or key, tbs)
    return x509.load_der_x509_certificate(seq(tbs, SM2_SM3_OID, der(0x03, b"\x00" + seq(integer(r), integer(s)))))


def sm2_pem(key: Sm2PrivateKey) -> bytes:
    sec1 = seq(integer(1), der(0x04, bytes.fromhex(key.secret)), der(0xA0, oid("1.2.156.10197.1.301")))
    body = base64.encodebytes(sec1).replace(b"\n", b"")
    return b"-----BEGIN EC PRIVATE KEY-----\n" + body + b"\n-----END EC PRIVATE KEY-----\n"


# --- RSA certificates ----------------------------------------------------------------------------

def rsa_certificate(subject: str, key: rsa.RSAPrivateKey, issuer: str | None = None,
                    issuer_key: rsa.RSAPrivateKey | None = None, days: tuple[int, int] = (-1, 365)) -> x509.Certificate:
    def cn(value: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, value)])
    return (x509.CertificateBuilder().subject_name(cn(subject)).issuer_name(cn(issuer or subject))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW + timedelta(days=days[0])).not_valid_after(NOW + timedelta(days=days[1]))
            .sign(issuer_key or key, hashes.SHA256()))


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def sm2_key() -> Sm2PrivateKey:
    return Sm2PrivateKey.generate()


@pytest.fixture(scope="module", params=["rsa-sha256", "sm2-sm3"])
def party(request, rsa_key, sm2_key):
    """(algorithm, key, its certificate, a maker of certificates for other keys, a new key)."""
    if request.param == "rsa-sha256":
        return request.param, rsa_key, rsa_certificate("Airline CA", rsa_key), rsa_certificate, \
            lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return request.param, sm2_key, sm2_certificate("Platform", sm2_key), sm2_certificate, Sm2PrivateKey.generate


def signed(party, document: bytes = DOCUMENT) -> bytes:
    algorithm, key, cert, *_ = party
    return etree.tostring(signatures.sign(etree.fromstring(document), key, cert, algorithm))


def code_of(data: bytes, certificates, at: datetime | None = None) -> str:
    with pytest.raises(SignatureError) as caught:
        signatures.verify(etree.fromstring(data), certificates, at)
    return caught.value.code


# --- round trips and failures --------------------------------------------------------------------

def test_a_signed_message_verifies_and_names_its_signer(party):
    algorithm, _, cert, *_ = party
    signer = signatures.verify(etree.fromstring(signed(party)), [cert])
    assert (signer.algorithm, signer.serial, signer.subject) == (algorithm, f"{cert.serial_number:x}",
                                                                 cert.subject.rfc4514_string())


def test_an_sm2_signature_uses_the_chinaport_identifiers_and_a_raw_r_s_value(sm2_key):
    cert = sm2_certificate("Platform", sm2_key)
    root = etree.fromstring(signed(("sm2-sm3", sm2_key, cert)))
    methods = [el.get("Algorithm") for el in root.iterfind(".//ds:SignedInfo//*[@Algorithm]", DS)]
    assert methods == [signatures.C14N, signatures.SM2_SM3, signatures.ENVELOPED, signatures.SM3]
    assert len(base64.b64decode(root.findtext(".//ds:SignatureValue", namespaces=DS))) == 64
    assert root.findtext(".//ds:KeyName", namespaces=DS) == f"{cert.serial_number:x}"


def test_an_sm2_signature_value_in_der_form_verifies_too(sm2_key):
    cert = sm2_certificate("Platform", sm2_key)
    root = etree.fromstring(signed(("sm2-sm3", sm2_key, cert)))
    value = root.find(".//ds:SignatureValue", DS)
    raw = base64.b64decode(value.text)
    value.text = base64.b64encode(seq(integer(int.from_bytes(raw[:32], "big")),
                                      integer(int.from_bytes(raw[32:], "big")))).decode()
    assert signatures.verify(root, [cert]).algorithm == "sm2-sm3"


@pytest.mark.parametrize("change", [(b"<c:qty>1<", b"<c:qty>2<"), (b'guid="G-1"', b'guid="G-2"'),
                                    (b"<c:Tail>x", b"<c:Tail>y")])
def test_a_changed_byte_is_signature_invalid(party, change):
    data = signed(party)
    assert change[0] in data
    assert code_of(data.replace(*change), [party[2]]) == "SIGNATURE_INVALID"


def test_a_changed_signed_info_is_signature_invalid(party):
    data = signed(party).replace(b'URI=""', b'URI="" Id="x"')
    assert code_of(data, [party[2]]) == "SIGNATURE_INVALID"


def test_a_certificate_not_among_the_partys_is_untrusted(party):
    algorithm, _, _, certificate, new_key = party
    stranger = new_key()
    data = signed((algorithm, stranger, certificate("Stranger", stranger)))
    assert code_of(data, [party[2]]) == "SIGNATURE_UNTRUSTED"


def test_a_certificate_issued_by_the_partys_ca_is_trusted_and_a_forged_issuer_name_is_not(party):
    algorithm, ca_key, ca, certificate, new_key = party
    own = new_key()
    issued = certificate("Station 7", own, issuer=ca.subject.rfc4514_string()[3:], issuer_key=ca_key)
    assert signatures.verify(etree.fromstring(signed((algorithm, own, issued))), [ca]).subject == "CN=Station 7"
    forged = certificate("Station 8", own, issuer=ca.subject.rfc4514_string()[3:], issuer_key=own)
    assert code_of(signed((algorithm, own, forged)), [ca]) == "SIGNATURE_UNTRUSTED"


def test_a_certificate_outside_its_validity_is_expired(party):
    algorithm, key, _, certificate, _ = party
    old = certificate("Platform", key, days=(-400, -30))
    assert code_of(signed((algorithm, key, old)), [old]) == "SIGNATURE_EXPIRED"
    assert signatures.verify(etree.fromstring(signed((algorithm, key, old))), [old], at=NOW - timedelta(days=60))


def test_without_a_certificate_in_key_info_the_partys_certificates_are_tried(party):
    root = etree.fromstring(signed(party))
    key_info = root.find(".//ds:KeyInfo", DS)
    key_info.getparent().remove(key_info)
    assert signatures.verify(root, [party[2]]).serial == f"{party[2].serial_number:x}"
    other = party[4]()
    assert code_of(etree.tostring(root), [party[3]("Other", other)]) == "SIGNATURE_UNTRUSTED"
    assert code_of(etree.tostring(root).replace(b"<c:qty>1<", b"<c:qty>3<"), [party[2]]) == "SIGNATURE_INVALID"


def test_an_unknown_signature_method_is_unsupported(party):
    data = signed(party).replace(signatures.SM2_SM3.encode(), b"urn:x-sm9").replace(
        b"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", b"urn:x-sm9")
    assert code_of(data, [party[2]]) == "SIGNATURE_ALGORITHM_UNSUPPORTED"


def test_rsa_sha1_is_verified_but_never_made(rsa_key):
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
    from signxml.signer import XMLSigner

    class Sha1Signer(XMLSigner):
        def check_deprecated_methods(self) -> None:     # the 2018 CEB edition's algorithms, made for the test
            pass

    cert = rsa_certificate("2018 edition", rsa_key)
    signer = Sha1Signer(signature_algorithm=SignatureMethod.RSA_SHA1, digest_algorithm=DigestAlgorithm.SHA1,
                        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
    old = signer.sign(etree.fromstring(DOCUMENT), key=rsa_key, cert=[cert])
    assert signatures.verify(old, [cert]).algorithm == "rsa-sha1"
    with pytest.raises(SignatureError) as caught:
        signatures.sign(etree.fromstring(DOCUMENT), rsa_key, cert, "rsa-sha1")  # type: ignore[arg-type]
    assert caught.value.code == "SIGNATURE_ALGORITHM_UNSUPPORTED"


# --- policies -------------------------------------------------------------------------------------

def write_pem(path: Path, *certs: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    return path


def test_policies_verify_when_present_require_always_and_none_never(party, tmp_path):
    pem = write_pem(tmp_path / "party.pem", party[2])
    unsigned, good = etree.fromstring(DOCUMENT), etree.fromstring(signed(party))
    bad = etree.fromstring(signed(party).replace(b"<c:qty>1<", b"<c:qty>9<"))
    require = SignaturePolicy(policy="require", certificates=[Path("party.pem")]).load("PLATFORM-1", tmp_path)
    verify = SignaturePolicy(policy="verify", certificates=[pem]).load("PLATFORM-1")
    none = SignaturePolicy().load("PLATFORM-1")
    assert [p.code for p in signatures.check(unsigned, require)[1]] == ["SIGNATURE_MISSING"]
    assert signatures.check(unsigned, verify) == (None, []) and signatures.check(bad, none) == (None, [])
    assert [p.code for p in signatures.check(bad, verify)[1]] == ["SIGNATURE_INVALID"]
    signer, problems = signatures.check(good, require)
    assert problems == [] and signer is not None and signer.algorithm == party[0]


def test_a_party_certificate_that_cannot_be_loaded_or_has_expired_stops_the_start(rsa_key, sm2_key, tmp_path):
    (tmp_path / "junk.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    expired = write_pem(tmp_path / "old.pem", sm2_certificate("Old", sm2_key, days=(-400, -1)))
    for file in ("junk.pem", "absent.pem", str(expired)):
        with pytest.raises(ConfigError) as caught:
            SignaturePolicy(policy="verify", certificates=[Path(file)]).load("AIRLINE-CA", tmp_path)
        assert "AIRLINE-CA" in caught.value.message and Path(file).name in caught.value.message
    with pytest.raises(ValidationError, match="certificates"):
        SignaturePolicy(policy="require")


def test_signing_keys_load_from_pem_pkcs12_and_an_sm2_pem(rsa_key, sm2_key, tmp_path):
    cert = rsa_certificate("Hub", rsa_key)
    (tmp_path / "hub.key").write_bytes(rsa_key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "hub.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"hub", rsa_key, cert, None, serialization.BestAvailableEncryption(b"pw")))
    sm2_cert = sm2_certificate("Hub SM2", sm2_key)
    (tmp_path / "sm2.key").write_bytes(sm2_pem(sm2_key))
    loaded = [signatures.load_signing_key(tmp_path / "hub.key", certificate=write_pem(tmp_path / "hub.pem", cert)),
              signatures.load_signing_key(tmp_path / "hub.p12", "pw"),
              signatures.load_signing_key(tmp_path / "sm2.key", certificate=write_pem(tmp_path / "sm2.pem", sm2_cert))]
    assert [k.algorithm for k in loaded] == ["rsa-sha256", "rsa-sha256", "sm2-sm3"]
    for key, cert_of in zip(loaded, (cert, cert, sm2_cert)):
        assert signatures.verify(key.sign(etree.fromstring(DOCUMENT)), [cert_of]).subject == key.certificate.subject \
            .rfc4514_string()
    with pytest.raises(ConfigError, match="not this key's"):
        signatures.load_signing_key(tmp_path / "sm2.key", certificate=tmp_path / "hub.pem")
    with pytest.raises(ConfigError, match="hub.p12"):
        signatures.load_signing_key(tmp_path / "hub.p12", "wrong")


# --- the real sample and the CEB writer -------------------------------------------------------------

def test_the_real_hainan_signature_is_read_but_its_certificate_is_not_a_certificate(corpus):
    """The published sample is RSA-SHA1 (2018 edition identifiers) with KeyName 01691fe9; its
    X509Certificate's base64 lines are out of order (the DER starts on its third line), so it
    cannot be read: verification stops at SIGNATURE_INVALID and names the certificate."""
    tree = etree.parse(str(corpus_folder(corpus, "field", "ceb") / "CEB621_hainan_webapp_signed.xml"))
    signature = tree.find("ds:Signature", DS)
    assert signatures._method(signature) == "rsa-sha1"
    assert signature.findtext("ds:KeyInfo/ds:KeyName", namespaces=DS) == "01691fe9"
    with pytest.raises(SignatureError, match="certificate cannot be read") as caught:
        signatures.verify(tree, [])
    assert caught.value.code == "SIGNATURE_INVALID"


def test_a_signed_ceb621_validates_against_the_customs_schema_and_verifies(engine, party):
    algorithm, key, cert, *_ = party
    inventory = engine.read(example("ceb", "ceb621-inventory.xml")).document
    ctx = RenderContext(message_id="HUB-SIGNED-1", sender_id="EPORTHUB", receiver_id="CUSTOMS",
                        signer=signatures.SigningKey(key, cert, algorithm))
    data = engine.render(inventory, "ceb621", ctx).data
    schema = etree.XMLSchema(etree.parse(str(ROOT / "schemas" / "ceb" / "CEB621.xsd")))
    tree = etree.fromstring(data)
    assert schema.validate(tree.getroottree()), schema.error_log
    assert tree[-1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    assert signatures.verify(tree, [cert]).algorithm == algorithm
    assert engine.inspect(data).problems == []


def test_every_ceb_declaration_is_signed_with_a_key_and_only_the_inventory_gets_a_template_without(engine, rsa_key):
    cert = rsa_certificate("Hub", rsa_key)
    signer = signatures.SigningKey(rsa_key, cert, "rsa-sha256")
    for fmt, file in (("ceb311", "ceb311-order.xml"), ("ceb411", "ceb411-payment.xml"),
                      ("ceb511", "ceb511-logistics.xml"), ("ceb621", "ceb621-inventory.xml")):
        doc = engine.read(example("ceb", file)).document
        data = engine.render(doc, fmt, RenderContext(message_id="HUB-SIGNED-2", signer=signer)).data
        assert signatures.verify(etree.fromstring(data), [cert]).algorithm == "rsa-sha256", fmt
        unsigned = etree.fromstring(engine.render(doc, fmt, RenderContext(message_id="HUB-SIGNED-2")).data)
        assert (unsigned.find("ds:Signature", DS) is not None) == (fmt == "ceb621"), fmt


def test_a_raw_sm2_signature_whose_first_byte_is_0x30_still_verifies(sm2_key):
    """Raw r||s starting with 0x30 (once in 256 signatures) was taken for DER and failed: a flaky refusal."""
    data = b"<doc>same bytes</doc>"
    for _ in range(2000):
        value = signatures._sm2_sign(sm2_key, data)
        if value[0] == 0x30:
            break
    assert value[0] == 0x30 and len(value) == 64
    assert signatures._sm2_verify(sm2_key.public, value, data)
