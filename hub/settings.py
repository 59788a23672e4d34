"""HUB_* settings, read from the environment once by the CLI."""

from __future__ import annotations

import os
import re
import socket
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, quote, urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _default(name: str) -> Path:
    """A file beside the checkout (editable install), else in the working directory."""
    candidate = PROJECT_DIR / name
    return candidate if candidate.exists() else Path.cwd() / name


def default_store_url() -> str:
    """The embedded store in the user's data directory (XDG_DATA_HOME, else ~/.local/share): the same
    store whichever directory a command runs from, never a file dropped beside the working directory."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    data = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return f"sqlite:///{data / 'eport-hub' / 'store.sqlite3'}"


_SPAN = re.compile(r"^([0-9]+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

RETENTION = {"persons": "30d", "order": "90d", "payment": "90d", "logistics": "90d", "inventory": "90d"}
"""How long the kinds that carry personal data keep their payloads: passenger and crew lists (names,
passports, birth dates) a month; e-commerce orders, payments, logistics bills and inventories (buyers'
names, identity and phone numbers) a quarter. Other kinds are kept until `hub purge` says otherwise."""


_NEXT_NODE = re.compile(r"\s*,\s*(?=amqps?://)")
"""Where HUB_AMQP_URL's list splits: a comma before the next node's scheme (a comma inside one URL,
say in its password, does not split it)."""


def amqp_urls(url: str) -> list[str]:
    """The broker nodes of a HUB_AMQP_URL, in the order the hub tries them: one URL, or several
    separated by commas (the nodes of one RabbitMQ cluster)."""
    return [node for node in _NEXT_NODE.split(url.strip()) if node]


def span(text: str) -> timedelta:
    """A span like 30s, 15m, 6h, 30d (ValueError otherwise)."""
    if not (found := _SPAN.match(text.strip())):
        raise ValueError(f"{text!r} is not a span like 30d, 6h, 15m, 30s")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


class Settings(BaseSettings):
    """Deployment settings. Business routing lives in routes.yaml, not here."""

    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    schema_dir: Path = Field(default_factory=lambda: _default("schemas"),
                             description="the project's XSDs")
    iata_schema_dir: Path | None = Field(None, description="licensed IATA Cargo-XML XSDs; "
                                         "files here replace schemas/cargo_xml/* of the same name")
    routes: Path = Field(default_factory=lambda: _default("routes.yaml"))
    examples_dir: Path = Field(default_factory=lambda: _default("examples"),
                               description="sample traffic for `hub demo` and `hub tour`")
    max_message_bytes: int = Field(10 * 1024 * 1024, gt=0, description="largest inbound message or receipt; "
                                   "a larger one is refused before it is stored (its size, hash, sender and "
                                   "first few KB are kept for the record)")
    max_output_bytes: int = Field(16_000_000, gt=0, description="largest rendered output or publication; must "
                                  "stay below the broker's max_message_size (RabbitMQ 3.x: 128 MiB, 4.x: 16 MiB); "
                                  "a larger delivery is refused with OUTPUT_TOO_LARGE and the sender told")
    max_xml_depth: int = Field(256, gt=1, le=256)
    edifact_lenient: bool = Field(False, description="read EDIFACT interchanges whose control counts or "
                                  "references are wrong, or whose messages break their UN/EDIFACT directory "
                                  "(recorded as warnings, told to the sender with the acceptance, not errors); "
                                  "off: they are rejected")
    party_id: str = Field("EPORTHUB", description="the hub's own id in the headers it writes")
    home_country: str = Field("CN", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country of the hub: "
                              "routes.yaml's match.direction (import, export, transit, domestic) is relative to it")
    log_level: str = "WARNING"
    log_json: bool = False

    # runtime (RabbitMQ + store)
    amqp_url: str = Field("amqp://guest:guest@127.0.0.1:5672/%2F", description="the broker; its user is the "
                          "hub's. A cluster: every node's URL, comma-separated (amqp://u:p@rmq1/%2F,amqp://u:p@rmq2/"
                          "%2F,...); each connection tries them in turn and the workers fail over on loss")
    management_url: str | None = Field(None, description="the RabbitMQ management API `hub parties` "
                                       "uses (http://USER:PASSWORD@HOST:15672); default: port 15672 on "
                                       "HUB_AMQP_URL's host with the hub's user, who needs the administrator tag")
    amqp_ca_file: Path | None = Field(None, description="amqps://: the CA that signed the broker's certificate")
    amqp_cert_file: Path | None = Field(None, description="amqps://: the hub's client certificate; logs in with "
                                        "EXTERNAL (the broker user is its CN, named in HUB_AMQP_URL: amqps://CN@HOST)")
    amqp_key_file: Path | None = Field(None, description="amqps://: the client certificate's private key")
    signing_key: Path | None = Field(None, description="the hub's key for outputs that carry a signature (CEB): "
                                     "a PKCS#12 (RSA) or a PEM key (RSA, or SM2 unencrypted); keep it out of the "
                                     "checkout. Unset: CEB621 carries the unsigned template")
    signing_key_password: SecretStr | None = Field(None, description="the PKCS#12 or PEM key's password")
    signing_cert: Path | None = Field(None, description="the signing key's certificate, when not in its file")
    store_url: str = Field(default_factory=default_store_url,
                           description="sqlite:///PATH or postgresql://USER@HOST:PORT/DB; default: "
                           "store.sqlite3 in $XDG_DATA_HOME/eport-hub (~/.local/share/eport-hub)")
    node_id: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}", min_length=1,
                         max_length=63, description="this hub node's name, on every log line, on the deliveries "
                         "it leases and on the leads it holds (several `hub serve` on one PostgreSQL store); "
                         "default: HOSTNAME-PID")
    topology_prefix: str = Field("hub", pattern=r"^[A-Za-z0-9_.-]+$",
                                 description="every exchange and queue name starts with this")
    prefetch: int = Field(300, ge=1, le=5000)
    batch_size: int = Field(100, ge=1, le=1000, description="inbound messages stored and confirmed together")
    batch_ms: int = Field(10, ge=0, le=1000, description="longest wait to fill a batch")
    retry_delays_ms: list[int] = Field([1000, 5000, 30000], description="delays of the retry queues; "
                                       "a message failing after the last one is dead-lettered")
    sweep_seconds: float = Field(15.0, gt=0, description="how often the deadline sweeper looks")
    receipts_nice: int = Field(10, ge=0, le=19, description="how much lower the receipt worker's CPU priority "
                               "is than the routers' (nice increment): receipts and the sweeper use what CPU "
                               "the routers leave, so they never hold up deliveries; 0 = equal")
    orphan_retention_days: float = Field(90.0, gt=0, description="orphan receipts (matching no delivery) "
                                         "older than this are dropped by the sweeper, oldest first")
    orphan_max: int = Field(100_000, ge=1, description="at most this many orphan receipts are kept; the oldest "
                            "beyond it are dropped (counted in `hub stats`)")
    queue_expires_ms: int | None = Field(None, ge=1000, description="x-expires on every queue "
                                         "(test and demo topologies clean themselves up)")
    retention: dict[str, Annotated[str, Field(pattern=_SPAN.pattern)]] = Field(
        default_factory=lambda: dict(RETENTION), description="per kind, how long a message's payloads and "
        "personal fields are kept before the sweeper purges them (JSON: {\"persons\": \"30d\"}); a kind not "
        "named is kept until `hub purge`")

    tokens_file: Path | None = Field(None, description="the status API's tokens (hashed; `hub tokens`); "
                                     "default: hub-tokens.json beside an SQLite store, else var/hub-tokens.json")
    api_rate: float = Field(20.0, gt=0, description="status API: requests per second a token may make "
                            "on average (beyond its burst: 429)")
    api_burst: int = Field(60, ge=1, description="status API: requests a token may make at once")

    @model_validator(mode="after")
    def _tls_into_url(self) -> Settings:
        """HUB_AMQP_CA_FILE, _CERT_FILE and _KEY_FILE travel in HUB_AMQP_URL's query (ca_file=...), where
        the transport reads them: every connection the hub opens from the URL, to any of its nodes, then
        uses them."""
        files = {"ca_file": self.amqp_ca_file, "cert_file": self.amqp_cert_file, "key_file": self.amqp_key_file}
        nodes = []
        for node in amqp_urls(self.amqp_url):
            given = parse_qs(urlsplit(node).query)
            query = "&".join(f"{key}={quote(str(path), safe='/')}" for key, path in files.items()
                             if path and key not in given)
            nodes.append(node + ("&" if "?" in node else "?") + query if query else node)
        if len(nodes) > 1 or (nodes and nodes[0] != self.amqp_url):
            self.amqp_url = ",".join(nodes)
        return self

    @property
    def amqp_nodes(self) -> list[str]:
        """HUB_AMQP_URL's nodes (one URL for a single broker): the management API and vhost are the first's."""
        return amqp_urls(self.amqp_url)

    def retention_periods(self) -> dict[str, timedelta]:
        """``retention`` as spans of time, per kind."""
        return {kind: span(text) for kind, text in self.retention.items()}
