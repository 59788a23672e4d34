"""routes.yaml as pydantic models, loaded with errors that name the file, line and field.

The file has three parts: ``senders`` (identity as the broker authenticates it,
and the kinds each may send), ``receivers`` (the formats each accepts and how
long it may take to send a receipt) and ``routes`` (a match on message facts and
the deliveries it makes).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..checks import CHECKS
from ..errors import ConfigError
from ..models import Kind, TransportMode
from ..settings import span
from ..signatures import SignaturePolicy
from .direction import Direction

_CHAPTERS = re.compile(r"^(\d{2})(?:-(\d{2}))?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Account(_Strict):
    """Where `hub parties apply` reads a party's broker password (else it generates one and shows it
    once): an environment variable or a file (a mounted secret). Never the password itself."""

    password_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    password_file: Path | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Account:
        if self.password_env and self.password_file:
            raise ValueError("give password_env or password_file, not both")
        return self


class Sender(_Strict):
    """A party that hands messages in; ``id`` is its broker user."""

    name: str
    may_send: list[Kind] = Field(..., min_length=1)
    account: Account | None = None
    signature: SignaturePolicy = Field(default_factory=SignaturePolicy)
    """none (default), verify (a signature present must verify) or require, with the party's certificates
    (paths relative to routes.yaml's folder): see hub.signatures."""


class Link(_Strict):
    """How to reach another e-port hub that is a receiver (``kind: hub``; see hub.links): its AMQP URL
    from an environment variable or a file (a mounted secret), never inline, logging in as this hub's
    sender account there; and that hub's topology prefix."""

    url_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    url_file: Path | None = None
    prefix: str = Field("hub", pattern=r"^[A-Za-z0-9_-]+$")

    @model_validator(mode="after")
    def _one_source(self) -> Link:
        if bool(self.url_env) == bool(self.url_file):
            raise ValueError("give url_env or url_file (one of them)")
        return self


class Receiver(_Strict):
    """An agency feed: the formats it takes and its receipt deadline. ``kind: hub``: another e-port
    hub, reached through its ``link`` (a pair of shovels `hub links apply` declares)."""

    name: str
    kind: Literal["agency", "hub"] = "agency"
    link: Link | None = None
    accepts: list[str] = Field(..., min_length=1)
    receipt_formats: list[str] = Field(default_factory=list, description="formats its receipts come in")
    receipt_deadline: timedelta = timedelta(hours=4)
    account: Account | None = None

    @field_validator("receipt_deadline", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return _duration(value)

    @model_validator(mode="after")
    def _linked(self) -> Receiver:
        if (self.kind == "hub") != (self.link is not None):
            raise ValueError("a receiver of kind hub needs a link, and only it has one")
        return self


def _duration(value: object) -> object:
    """'30s', '15m', '2h', '1d' -> timedelta (hub.settings.span; anything else is left to pydantic)."""
    if isinstance(value, str):
        try:
            return span(value)
        except ValueError:
            pass
    return value


class Hold(_Strict):
    """Hold this route's deliveries until a hub check passes (e.g. the e-commerce three-document
    check); past ``timeout`` they are refused and the sender is told which fields fail."""

    check: str
    timeout: timedelta = timedelta(minutes=30)

    @field_validator("check")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CHECKS:
            raise ValueError(f"unknown check {value!r}; known: {', '.join(CHECKS)}")
        return value

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout(cls, value: object) -> object:
        return _duration(value)


class Match(_Strict):
    """Conditions on message facts; an empty list means 'any'."""

    kinds: list[Kind] = Field(default_factory=list)
    senders: list[str] = Field(default_factory=list, description="sender ids; shell globs allowed")
    _expanded: tuple[list[str], frozenset[str]] | None = PrivateAttr(None)
    transport_modes: list[TransportMode] = Field(default_factory=list)
    direction: list[Direction] = Field(default_factory=list, description="import, export, transit, domestic "
                                       "(relative to HUB_HOME_COUNTRY); one or a list")
    ports: list[str] = Field(default_factory=list, description="any loading, unloading, origin or destination")
    hs_chapters: list[str] = Field(default_factory=list, description="'01-24' or '84'")

    @field_validator("direction", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("hs_chapters")
    @classmethod
    def _chapters(cls, value: list[str]) -> list[str]:
        for spec in value:
            m = _CHAPTERS.match(str(spec))
            if not m or not 1 <= int(m.group(1)) <= int(m.group(2) or m.group(1)) <= 99:
                raise ValueError(f"{spec!r} is not a chapter ('84') or a range ('01-24')")
        return value

    def chapters(self) -> frozenset[str]:
        """The two-digit chapters ``hs_chapters`` names (ranges expanded); computed once."""
        if self._expanded is None or self._expanded[0] != self.hs_chapters:
            out: set[str] = set()
            for spec in self.hs_chapters:
                m = _CHAPTERS.match(spec)
                assert m is not None, "the validator refused every spec that is not a chapter or a range"
                low, high = m.groups()
                out.update(f"{n:02d}" for n in range(int(low), int(high or low) + 1))
            self._expanded = (list(self.hs_chapters), frozenset(out))
        return self._expanded[1]


class Destination(_Strict):
    """One copy of the message: to whom, in which format."""

    receiver: str
    format: str
    only_matching_goods: bool = Field(False, description="keep only consignments/items in the "
                                      "route's HS chapters")


class Route(_Strict):
    name: str
    description: str | None = None
    match: Match = Field(default_factory=Match)
    hold: Hold | None = None
    deliver: list[Destination] = Field(..., min_length=1)


class RoutesFile(_Strict):
    """The whole routes.yaml."""

    version: int = 1
    senders: dict[str, Sender]
    receivers: dict[str, Receiver]
    routes: list[Route]
    _folder: Path | None = PrivateAttr(None)

    @property
    def folder(self) -> Path | None:
        """The folder of the routes.yaml this came from: relative paths in it (certificates) start there."""
        return self._folder

    @model_validator(mode="after")
    def _references(self) -> RoutesFile:
        names = [r.name for r in self.routes]
        if len(set(names)) != len(names):
            raise ValueError(f"route names must be unique: {sorted(n for n in names if names.count(n) > 1)}")
        for route in self.routes:
            for d in route.deliver:
                if d.receiver not in self.receivers:
                    raise ValueError(f"route {route.name!r} delivers to unknown receiver {d.receiver!r}")
                if d.format not in self.receivers[d.receiver].accepts:
                    raise ValueError(f"route {route.name!r}: receiver {d.receiver!r} does not accept "
                                     f"format {d.format!r} (accepts {self.receivers[d.receiver].accepts})")
        return self


def load_routes(path: str | Path) -> RoutesFile:
    """Read and validate routes.yaml; errors name the file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read routes: {exc.strerror}") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)   # a SafeLoader that refuses duplicate keys
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise ConfigError(f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}", line=line) from exc
    try:
        routes = RoutesFile.model_validate(data or {})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            line = _line_of(node, loc)
            lines.append(f"{path}:{line}: {'.'.join(loc) or '(top)'}: {err['msg']}")
        raise ConfigError("\n".join(lines), line=None) from exc
    routes._folder = path.parent
    return routes


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key given twice in one mapping. PyYAML keeps the last one
    silently: a party named twice in routes.yaml would lose its first definition (and its account)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark)
            if isinstance(key, str | int | float | bool):
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _line_of(node: yaml.Node | None, loc: list[str]) -> int:
    """The line of the deepest YAML node the pydantic location reaches."""
    line = node.start_mark.line + 1 if node is not None else 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line
