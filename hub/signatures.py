"""XML signatures on the messages the hub carries: verify what comes in, sign what goes out.

Design note. Chinese customs messages carry one enveloped XMLDSig signature over the whole
document (``Reference URI=""``, the enveloped-signature transform). Two families occur:

- RSA (the 2018 CEB edition: rsa-sha1 over sha1 digests; RSA-SHA256 elsewhere). signxml does
  these, verification only for SHA1: the hub never signs with it.
- SM2 over SM3 with the chinaport 2022 identifiers. signxml does not know SM2, so the XMLDSig
  steps are done here: the enveloped transform on a copy, the C14N the SignedInfo names (lxml),
  the SM3 digest of the canonical document, and an SM2 signature (GM/T 0003 with the SM3 "Z"
  value of the default user id) over the canonical SignedInfo. The SignatureValue is the raw
  64-byte r||s, the form the e-port's IC card and key return; a DER ``SEQUENCE {r, s}`` is
  accepted when verifying. The certificate travels as ``ds:X509Certificate``, with the serial in
  hex as ``ds:KeyName``, as in the customs' samples.

cryptography parses an SM2 certificate (names, serial, validity) but not its key, and no
maintained Python library builds or verifies SM2 certificates: the SM2 point is read from the
certificate's SubjectPublicKeyInfo with the small DER reader below, and an SM2 certificate is
trusted when it is one of the party's (byte for byte) or directly issued by one of them (its SM2
signature checked here). A signature without a certificate is tried against each of the party's.

Failures are :class:`SignatureError` with a stable code: SIGNATURE_MISSING, SIGNATURE_INVALID,
SIGNATURE_UNTRUSTED, SIGNATURE_EXPIRED, SIGNATURE_ALGORITHM_UNSUPPORTED. A party's policy
(:class:`SignaturePolicy`, from routes.yaml) is loaded once at start (:meth:`SignaturePolicy.load`)
and applied per message by :func:`check`. One module over 500 lines: the DER reader and the SM2
steps serve only verify and sign, and read best beside them.
"""

from __future__ import annotations

import base64
import copy
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from gmssl import sm2, sm3  # type: ignore[import-untyped]
from lxml import etree
from pydantic import BaseModel, ConfigDict, model_validator
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidDigest, SignXMLException
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from .errors import ConfigError, DocumentError, Problem

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
ENVELOPED = DS_NS + "enveloped-signature"
SM2_SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
_C14N: dict[str, tuple[bool, bool]] = {  # Algorithm -> (exclusive, with comments)
    C14N: (False, False), C14N + "#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}
_METHODS = {DS_NS + "rsa-sha1": "rsa-sha1", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "rsa-sha256",
            SM2_SM3: "sm2-sm3"}
_NS = {"ds": DS_NS}
_SM2_CURVE = bytes.fromhex("06082a811ccf5501822d")      # OID 1.2.156.10197.1.301 (the SM2 curve)
_SM2_N = int(sm2.default_ecc_table["n"], 16)
_CHANGED = "the document does not match its signed digest (changed after signing)"

SigningAlgorithm = Literal["rsa-sha256", "sm2-sm3"]


class SignatureError(DocumentError):
    """A message's signature is missing, broken, untrusted, expired or of an unknown algorithm."""

    code = "SIGNATURE_INVALID"


@dataclass(frozen=True)
class Sm2PublicKey:
    """An SM2 public point, x||y in hex (gmssl's form)."""

    point: str


@dataclass(frozen=True)
class Sm2PrivateKey:
    """An SM2 private scalar in hex, with its public point."""

    secret: str
    public: Sm2PublicKey

    @classmethod
    def from_secret(cls, d: int) -> Sm2PrivateKey:
        """The key of scalar ``d`` (1 <= d < n - 1)."""
        point = sm2.CryptSM2(private_key="", public_key="")._kg(d, sm2.default_ecc_table["g"])
        return cls(f"{d:064x}", Sm2PublicKey(str(point)))

    @classmethod
    def generate(cls) -> Sm2PrivateKey:
        """A fresh key from the operating system's random source."""
        return cls.from_secret(secrets.randbelow(_SM2_N - 2) + 1)


PublicKey = rsa.RSAPublicKey | Sm2PublicKey
PrivateKey = rsa.RSAPrivateKey | Sm2PrivateKey


@dataclass(frozen=True)
class Signer:
    """Who signed a message: the certificate's subject, serial (hex) and issuer, and the algorithm."""

    subject: str
    serial: str
    issuer: str
    algorithm: str

    def as_dict(self) -> dict[str, str]:
        """A JSON-friendly view, for the message's record."""
        return {"subject": self.subject, "serial": self.serial, "issuer": self.issuer, "algorithm": self.algorithm}


@dataclass(frozen=True)
class SigningKey:
    """A key and its certificate for outbound signing (what ``RenderContext.signer`` carries)."""

    key: PrivateKey
    certificate: x509.Certificate
    algorithm: SigningAlgorithm

    def sign(self, root: etree._Element) -> etree._Element:
        """``root`` with an enveloped signature appended (a new tree)."""
        return sign(root, self.key, self.certificate, self.algorithm)


# --- DER, just enough to find an SM2 key in a certificate or a key file -------------------------

def _tlv(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """(tag, content, end) of the DER element at ``pos``."""
    tag, length, pos = data[pos], data[pos + 1], pos + 2
    if length & 0x80:
        size = length & 0x7F
        length, pos = int.from_bytes(data[pos:pos + size], "big"), pos + size
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, data[pos:pos + length], pos + length


def _children(content: bytes) -> list[tuple[int, bytes]]:
    items, pos = [], 0
    while pos < len(content):
        tag, value, pos = _tlv(content, pos)
        items.append((tag, value))
    return items


def _public_key(cert: x509.Certificate) -> PublicKey:
    """The certificate's RSA key, or its SM2 point read from the SubjectPublicKeyInfo."""
    try:
        key = cert.public_key()
    except UnsupportedAlgorithm:
        fields = _children(_tlv(cert.tbs_certificate_bytes)[1])
        algorithm, bits = _children(fields[6 if fields[0][0] == 0xA0 else 5][1])
        if _SM2_CURVE in algorithm[1] and bits[1][1:2] == b"\x04" and len(bits[1]) == 66:
            return Sm2PublicKey(bits[1][2:].hex())
        raise
    if not isinstance(key, rsa.RSAPublicKey):
        raise UnsupportedAlgorithm(f"a {type(key).__name__} certificate signs no CEB message")
    return key


def _sm2_private_key(pem: bytes) -> Sm2PrivateKey:
    """An unencrypted SM2 key in PEM, PKCS#8 (``PRIVATE KEY``) or SEC1 (``EC PRIVATE KEY``)."""
    body = b"".join(line for line in pem.splitlines() if line and not line.startswith(b"-----"))
    fields = _children(_tlv(base64.b64decode(body))[1])
    if fields[0][1] == b"\x00":                          # PKCS#8: the SEC1 key is in the OCTET STRING
        if _SM2_CURVE not in fields[1][1]:
            raise ValueError("not an SM2 key")
        fields = _children(_tlv(fields[2][1])[1])
    return Sm2PrivateKey.from_secret(int.from_bytes(fields[1][1], "big"))


# --- SM2 over SM3 ------------------------------------------------------------------------------

def _sm2(public: Sm2PublicKey, secret: str = "") -> Any:
    crypt = sm2.CryptSM2(private_key=secret, public_key="")
    crypt.public_key = public.point     # gmssl's constructor lstrips "04" char by char
    return crypt


def _sm2_sign(key: Sm2PrivateKey, data: bytes) -> bytes:
    """r||s over SM3(Z || data); the nonce from ``secrets`` (gmssl's own uses ``random``)."""
    while True:
        k = secrets.randbelow(_SM2_N - 1) + 1
        signature = _sm2(key.public, key.secret).sign_with_sm3(data, f"{k:064x}")
        if signature:
            return bytes.fromhex(signature)


def _sm2_verify(public: Sm2PublicKey, signature: bytes, data: bytes) -> bool:
    """Raw r||s or DER ``SEQUENCE {r, s}``; anything malformed is simply not valid."""
    try:
        if len(signature) == 64:       # raw r||s first: its first byte is 0x30 once in 256 signatures
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        elif signature[:1] == b"\x30":  # a DER SEQUENCE of two integers is never 64 bytes but once in 2**48
            r, s = (int.from_bytes(v, "big") for _, v in _children(_tlv(signature)[1]))
        else:
            return False
        return 0 < r < _SM2_N and 0 < s < _SM2_N and bool(_sm2(public).verify_with_sm3(f"{r:064x}{s:064x}", data))
    except (ValueError, IndexError, TypeError):
        return False


# --- trust -------------------------------------------------------------------------------------

def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        key = _public_key(issuer)
        if isinstance(key, Sm2PublicKey):
            return _sm2_verify(key, cert.signature, cert.tbs_certificate_bytes)
        cert.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, IndexError, UnsupportedAlgorithm, InvalidSignature):
        return False


def _trusted(cert: x509.Certificate, certificates: Sequence[x509.Certificate]) -> bool:
    return cert in certificates or any(_issued_by(cert, ca) for ca in certificates)


def _current(cert: x509.Certificate, at: datetime) -> bool:
    return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc


def _signer(cert: x509.Certificate, algorithm: str) -> Signer:
    return Signer(cert.subject.rfc4514_string(), f"{cert.serial_number:x}", cert.issuer.rfc4514_string(), algorithm)



# --- the XMLDSig steps -------------------------------------------------------------------------

def _signature(root: etree._Element) -> etree._Element | None:
    """The enveloped signature: a ds:Signature child of the root (else the first anywhere)."""
    found = root.find("ds:Signature", _NS)
    return found if found is not None else root.find(".//ds:Signature", _NS)


def _c14n(node: etree._Element | etree._ElementTree, algorithm: str) -> bytes:
    if algorithm not in _C14N:
        raise SignatureError(f"canonicalization {algorithm} is not supported",
                             code="SIGNATURE_ALGORITHM_UNSUPPORTED")
    exclusive, comments = _C14N[algorithm]
    return bytes(etree.tostring(node, method="c14n", exclusive=exclusive, with_comments=comments))


def _enveloped_digest_input(signature: etree._Element, transforms: list[str]) -> bytes:
    """The canonical document without ``signature`` (the enveloped transform, on a copy)."""
    tree = signature.getroottree()
    document = copy.deepcopy(tree)
    removed = document.find(tree.getelementpath(signature))
    parent, previous = removed.getparent(), removed.getprevious()
    if removed.tail:        # the text after the signature is the document's, not the signature's
        if previous is not None:
            previous.tail = (previous.tail or "") + removed.tail
        else:
            parent.text = (parent.text or "") + removed.tail
    parent.remove(removed)
    rest = [t for t in transforms if t != ENVELOPED]
    if len(rest) > 1 or ENVELOPED not in transforms:
        raise SignatureError(f"transforms {transforms} are not supported (the enveloped signature, and "
                             "one canonicalization)", code="SIGNATURE_ALGORITHM_UNSUPPORTED")
    # a reference to the whole document excludes comments unless a transform says otherwise
    return _c14n(document, rest[0] if rest else C14N)


def _text(parent: etree._Element, path: str) -> str:
    node = parent.find(path, _NS)
    if node is None:
        raise SignatureError(f"the signature has no {path}", line=parent.sourceline)
    return "".join((node.text or "").split())


def _attr(parent: etree._Element, path: str) -> str:
    node = parent.find(path, _NS)
    return node.get("Algorithm", "") if node is not None else ""


def _verify_sm2(signature: etree._Element, key: Sm2PublicKey) -> None:
    info = signature.find("ds:SignedInfo", _NS)
    references = info.findall("ds:Reference", _NS) if info is not None else []
    if info is None or len(references) != 1 or references[0].get("URI") != "":
        raise SignatureError("an SM2 signature must have one reference, to the whole document (URI=\"\")",
                             code="SIGNATURE_ALGORITHM_UNSUPPORTED", line=signature.sourceline)
    reference = references[0]
    if _attr(reference, "ds:DigestMethod") != SM3:
        raise SignatureError(f"digest {_attr(reference, 'ds:DigestMethod')} is not supported with SM2",
                             code="SIGNATURE_ALGORITHM_UNSUPPORTED", line=reference.sourceline)
    transforms = [t.get("Algorithm", "") for t in reference.iterfind("ds:Transforms/ds:Transform", _NS)]
    digest = bytes.fromhex(sm3.sm3_hash(list(_enveloped_digest_input(signature, transforms))))
    if base64.b64decode(_text(reference, "ds:DigestValue")) != digest:
        raise SignatureError(_CHANGED, line=reference.sourceline)
    signed = _c14n(info, _attr(info, "ds:CanonicalizationMethod"))
    if not _sm2_verify(key, base64.b64decode(_text(signature, "ds:SignatureValue")), signed):
        raise SignatureError("the SM2 signature value does not verify", line=signature.sourceline)


def _verify_rsa(root: etree._Element, cert: x509.Certificate) -> None:
    config = SignatureConfiguration(
        signature_methods=frozenset({SignatureMethod.RSA_SHA1, SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA1, DigestAlgorithm.SHA256}),
        verification_time=cert.not_valid_before_utc)     # validity is judged by verify(), as for SM2
    try:
        XMLVerifier().verify(root, x509_cert=cert, expect_config=config)
    except InvalidDigest as exc:
        raise SignatureError(_CHANGED, line=root.sourceline) from exc
    except SignXMLException as exc:     # InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput
        raise SignatureError(f"the RSA signature does not verify: {exc}", line=root.sourceline) from exc


def _verify_with(root: etree._Element, signature: etree._Element, cert: x509.Certificate, method: str) -> None:
    try:
        key = _public_key(cert)
    except (UnsupportedAlgorithm, ValueError, IndexError) as exc:
        raise SignatureError(f"the certificate's key cannot be read: {exc}",
                             code="SIGNATURE_ALGORITHM_UNSUPPORTED", line=signature.sourceline) from exc
    if isinstance(key, Sm2PublicKey) != (method == "sm2-sm3"):
        raise SignatureError(f"a {method} signature cannot be made with this certificate's key",
                             line=signature.sourceline)
    if isinstance(key, Sm2PublicKey):
        _verify_sm2(signature, key)
    else:
        _verify_rsa(root, cert)


def _embedded_certificate(signature: etree._Element) -> x509.Certificate | None:
    node = signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", _NS)
    if node is None:
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join((node.text or "").split())))
    except ValueError as exc:
        raise SignatureError(f"the signature's certificate cannot be read: {exc}", line=node.sourceline) from exc


def _method(signature: etree._Element) -> str:
    algorithm = _attr(signature, "ds:SignedInfo/ds:SignatureMethod")
    if algorithm not in _METHODS:
        raise SignatureError(f"signature method {algorithm or '(none)'} is not supported",
                             code="SIGNATURE_ALGORITHM_UNSUPPORTED", line=signature.sourceline)
    return _METHODS[algorithm]


def verify(tree: etree._ElementTree | etree._Element, certificates: Sequence[x509.Certificate],
           at: datetime | None = None) -> Signer:
    """Check the enveloped signature against the party's ``certificates`` (theirs, or their issuers).

    Raises :class:`SignatureError`: MISSING, ALGORITHM_UNSUPPORTED, UNTRUSTED (the signing
    certificate is none of the party's), INVALID (the document or SignedInfo changed after
    signing), EXPIRED (the certificate outside its validity at ``at``, default now)."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    signature = _signature(root)
    if signature is None:
        raise SignatureError("the message carries no ds:Signature", code="SIGNATURE_MISSING")
    method, embedded = _method(signature), _embedded_certificate(signature)
    if embedded is not None and not _trusted(embedded, certificates):
        raise SignatureError(f"the signing certificate ({embedded.subject.rfc4514_string()}, serial "
                             f"{embedded.serial_number:x}) is not among the party's",
                             code="SIGNATURE_UNTRUSTED", line=signature.sourceline)
    cert = embedded or _try_each(root, signature, certificates, method)
    if embedded is not None:
        _verify_with(root, signature, cert, method)
    if not _current(cert, at or datetime.now(UTC)):
        raise SignatureError(f"the signing certificate is valid from {cert.not_valid_before_utc:%Y-%m-%d} to "
                             f"{cert.not_valid_after_utc:%Y-%m-%d}", code="SIGNATURE_EXPIRED",
                             line=signature.sourceline)
    return _signer(cert, method)


def _try_each(root: etree._Element, signature: etree._Element, certificates: Sequence[x509.Certificate],
              method: str) -> x509.Certificate:
    """No certificate in KeyInfo: the first of the party's that verifies the signature."""
    failures: list[SignatureError] = []
    for cert in certificates:
        try:
            _verify_with(root, signature, cert, method)
            return cert
        except SignatureError as exc:
            failures.append(exc)
    changed = [f for f in failures if f.message == _CHANGED]
    if changed:         # whoever signed it, the document is not what was signed
        raise changed[0]
    raise SignatureError("no certificate of the party verifies the signature", code="SIGNATURE_UNTRUSTED",
                         line=signature.sourceline)


# --- signing -----------------------------------------------------------------------------------

def _ds(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{DS_NS}}}{tag}", attrib)
    node.text = text
    return node


def _sign_sm2(root: etree._Element, key: Sm2PrivateKey, certificate: x509.Certificate) -> etree._Element:
    signed = copy.deepcopy(root)
    signature = etree.SubElement(signed, f"{{{DS_NS}}}Signature", nsmap={"ds": DS_NS})
    info = _ds(signature, "SignedInfo")
    _ds(info, "CanonicalizationMethod", Algorithm=C14N)
    _ds(info, "SignatureMethod", Algorithm=SM2_SM3)
    reference = _ds(info, "Reference", URI="")
    _ds(_ds(reference, "Transforms"), "Transform", Algorithm=ENVELOPED)
    _ds(reference, "DigestMethod", Algorithm=SM3)
    digest = sm3.sm3_hash(list(_enveloped_digest_input(signature, [ENVELOPED])))
    _ds(reference, "DigestValue", base64.b64encode(bytes.fromhex(digest)).decode())
    value = _sm2_sign(key, _c14n(info, C14N))
    _ds(signature, "SignatureValue", base64.b64encode(value).decode())
    key_info = _ds(signature, "KeyInfo")
    _ds(key_info, "KeyName", f"{certificate.serial_number:x}")
    der = certificate.public_bytes(serialization.Encoding.DER)
    _ds(_ds(key_info, "X509Data"), "X509Certificate", base64.b64encode(der).decode())
    return signed


def sign(tree: etree._ElementTree | etree._Element, key: PrivateKey, certificate: x509.Certificate,
         algorithm: SigningAlgorithm = "rsa-sha256") -> etree._Element:
    """A copy of the document's root with an enveloped signature appended as its last child.

    RSA-SHA256 through signxml, SM2/SM3 here; inclusive C14N 1.0, as the customs' samples; the
    certificate in KeyInfo with its serial as KeyName."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    if algorithm == "sm2-sm3" and isinstance(key, Sm2PrivateKey):
        return _sign_sm2(root, key, certificate)
    if algorithm == "rsa-sha256" and isinstance(key, rsa.RSAPrivateKey):
        signer = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA256, digest_algorithm=DigestAlgorithm.SHA256,
                           c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
        signed: etree._Element = signer.sign(copy.deepcopy(root), key=key, cert=[certificate],
                                             key_name=f"{certificate.serial_number:x}")
        return signed
    raise SignatureError(f"cannot sign {algorithm} with a {type(key).__name__}",
                         code="SIGNATURE_ALGORITHM_UNSUPPORTED")


def load_signing_key(path: Path, password: str | None = None, certificate: Path | None = None) -> SigningKey:
    """The hub's signing key from a PKCS#12 file (.p12/.pfx: key and certificate; RSA) or a PEM key
    (RSA, or an unencrypted SM2 key in PKCS#8 or SEC1) with its certificate in the same PEM or in
    ``certificate``. A key that cannot be loaded is a ConfigError naming the file."""
    key: object
    try:
        data = path.read_bytes()
        secret = password.encode() if password else None
        if path.suffix.lower() in (".p12", ".pfx"):
            key, cert, _ = pkcs12.load_key_and_certificates(data, secret)
        else:
            key, cert = _pem_key(data, secret), None
        certs = x509.load_pem_x509_certificates(certificate.read_bytes()) if certificate else \
            ([cert] if cert else x509.load_pem_x509_certificates(data) if b"CERTIFICATE-----" in data else [])
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm, IndexError) as exc:
        raise ConfigError(f"signing key {path}: {exc}") from exc
    return _signing_key(path, key, certs)


def _pem_key(data: bytes, secret: bytes | None) -> object:
    try:
        return serialization.load_pem_private_key(data, secret)
    except (ValueError, UnsupportedAlgorithm):
        return _sm2_private_key(data[data.index(b"-----BEGIN"):])


def _signing_key(path: Path, key: object, certs: list[x509.Certificate]) -> SigningKey:
    if not certs:
        raise ConfigError(f"signing key {path}: no certificate (give HUB_SIGNING_CERT or put it in the file)")
    try:
        public = _public_key(certs[0])
    except (UnsupportedAlgorithm, ValueError, IndexError) as exc:
        raise ConfigError(f"signing certificate for {path}: {exc}") from exc
    if isinstance(key, Sm2PrivateKey) and key.public == public:
        return SigningKey(key, certs[0], "sm2-sm3")
    if isinstance(key, rsa.RSAPrivateKey) and isinstance(public, rsa.RSAPublicKey) \
            and key.public_key().public_numbers() == public.public_numbers():
        return SigningKey(key, certs[0], "rsa-sha256")
    raise ConfigError(f"signing key {path}: the certificate ({certs[0].subject.rfc4514_string()}) is not this key's"
                      " (or the key is neither RSA nor SM2)")


# --- the parties' policies ---------------------------------------------------------------------

class SignaturePolicy(BaseModel):
    """A party's signature policy in routes.yaml: none, verify (when signed) or require."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy: Literal["none", "verify", "require"] = "none"
    certificates: list[Path] = []

    @model_validator(mode="after")
    def _needs_certificates(self) -> SignaturePolicy:
        if self.policy != "none" and not self.certificates:
            raise ValueError(f"policy {self.policy} needs the party's certificates (PEM files)")
        return self

    def load(self, party: str, base: Path | None = None, at: datetime | None = None) -> Trust:
        """The certificates, read once at start; unreadable or expired: ConfigError (exit 2)."""
        certificates: list[x509.Certificate] = []
        for name in self.certificates:
            path = name if name.is_absolute() or base is None else base / name
            certificates += _load_certificates(party, path, at or datetime.now(UTC))
        return Trust(party, self.policy, tuple(certificates))


def _load_certificates(party: str, path: Path, at: datetime) -> list[x509.Certificate]:
    try:
        data = path.read_bytes()
        certs = x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data \
            else [x509.load_der_x509_certificate(data)]
        for cert in certs:
            _public_key(cert)
    except (OSError, ValueError, UnsupportedAlgorithm, IndexError) as exc:
        raise ConfigError(f"party {party}: certificate file {path}: {exc}") from exc
    for cert in certs:
        if not _current(cert, at):
            raise ConfigError(f"party {party}: certificate file {path}: {cert.subject.rfc4514_string()} is valid "
                              f"from {cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}")
    return certs


@dataclass(frozen=True)
class Trust:
    """A party's policy with its certificates loaded: what :func:`check` needs per message."""

    party: str
    policy: Literal["none", "verify", "require"]
    certificates: tuple[x509.Certificate, ...]


def check(tree: etree._ElementTree | etree._Element, policy: Trust,
          at: datetime | None = None) -> tuple[Signer | None, list[Problem]]:
    """Apply a party's policy to a message: (the verified signer or None, the problems found)."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    if policy.policy == "none":
        return None, []
    if _signature(root) is None:
        if policy.policy == "require":
            return None, [Problem("SIGNATURE_MISSING", f"{policy.party} must sign its messages (ds:Signature)")]
        return None, []
    try:
        return verify(root, policy.certificates, at), []
    except SignatureError as exc:
        return None, exc.problems
