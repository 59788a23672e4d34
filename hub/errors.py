"""The hub's error tree.

Every error carries a stable ``code`` (grep-able in logs, CLI output and, later,
dead-letter headers) and a ``disposition`` saying what the caller should do::

    HubError                      (disposition)
    ├── DocumentError             reject  - the input is bad; retrying cannot help
    │   ├── InputTooLarge         XML_TOO_LARGE / INPUT_TOO_LARGE
    │   ├── EmptyInput            INPUT_EMPTY
    │   ├── MalformedXml          XML_MALFORMED / XML_TOO_DEEP / XML_ENCODING
    │   ├── ForbiddenXml          XML_DTD_FORBIDDEN (DOCTYPE, entities: XXE, billion laughs)
    │   ├── UnknownFormat         FORMAT_UNKNOWN
    │   ├── InvalidDocument       SCHEMA_INVALID / RULE_* (carries all problems found)
    │   └── ParseError            PARSE_FAILED (the adapter could not map the document)
    ├── ConversionError           reject  - CONVERT_UNSUPPORTED: no such output for this kind
    │   └── OutputTooLarge        OUTPUT_TOO_LARGE: a rendered output over HUB_MAX_OUTPUT_BYTES
    ├── EngineError               bug     - OUTPUT_INVALID: a rendered output failed its XSD
    ├── TransientError            retry   - STORE_UNAVAILABLE / BROKER_UNAVAILABLE: try again later
    └── ConfigError               config  - CONFIG_INVALID / SCHEMA_MISSING: stop at start-up
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Disposition(str, Enum):
    """What a caller should do with a failed message."""

    REJECT = "reject"
    RETRY = "retry"
    CONFIG = "config"
    BUG = "bug"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about a document: a stable code, a message and where it is."""

    code: str
    message: str
    line: int | None = None
    path: str | None = None

    def format(self, source: str = "-") -> str:
        """Render as ``SOURCE:LINE: PATH: MESSAGE [CODE]``."""
        return f"{source}:{self.line or 0}: {self.path or '/'}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly view."""
        return {"code": self.code, "message": self.message, "line": self.line, "path": self.path}


class HubError(Exception):
    """Root of every error the hub raises on purpose."""

    code = "HUB_ERROR"
    disposition = Disposition.REJECT

    def __init__(self, message: str, *, code: str | None = None, line: int | None = None,
                 path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.line = line
        self.path = path

    @property
    def problems(self) -> list[Problem]:
        """The findings behind this error (one, unless a subclass collects more)."""
        return [Problem(self.code, self.message, self.line, self.path)]


class DocumentError(HubError):
    """The input document is bad; retrying cannot help."""

    code = "DOCUMENT_INVALID"


class InputTooLarge(DocumentError):
    code = "INPUT_TOO_LARGE"


class EmptyInput(DocumentError):
    code = "INPUT_EMPTY"


class MalformedXml(DocumentError):
    code = "XML_MALFORMED"


class ForbiddenXml(DocumentError):
    code = "XML_DTD_FORBIDDEN"


class UnknownFormat(DocumentError):
    code = "FORMAT_UNKNOWN"


class ParseError(DocumentError):
    code = "PARSE_FAILED"


class InvalidDocument(DocumentError):
    """Schema or business-rule violations; ``problems`` lists every one found."""

    code = "DOCUMENT_INVALID"

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, code=first.code, line=first.line, path=first.path)
        self._problems = list(problems)

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)


class ConversionError(HubError):
    code = "CONVERT_UNSUPPORTED"


class OutputTooLarge(ConversionError):
    """A rendered output over the output limit (HUB_MAX_OUTPUT_BYTES, below the broker's frame limit)."""

    code = "OUTPUT_TOO_LARGE"


class EngineError(HubError):
    """A hub bug: e.g. a rendered output that fails its own XSD. Never delivered."""

    code = "OUTPUT_INVALID"
    disposition = Disposition.BUG

    def __init__(self, message: str, problems: list[Problem] | None = None, *, code: str | None = None,
                 line: int | None = None, path: str | None = None) -> None:
        super().__init__(message, code=code, line=line, path=path)
        self._problems = problems or []

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems) or super().problems


class TransientError(HubError):
    """Broker or store trouble: the message goes through the retry queues, then to dead letters."""

    code = "STORE_UNAVAILABLE"
    disposition = Disposition.RETRY


class ConfigError(HubError):
    code = "CONFIG_INVALID"
    disposition = Disposition.CONFIG


_RETRYABLE: tuple[type[BaseException], ...] = (sqlite3.OperationalError, ConnectionError, TimeoutError)
"""Faults outside the message: a locked, busy or failing store, a lost connection."""


def disposition_of(exc: BaseException) -> Disposition:
    """What to do with a message that met ``exc``: the one place that decides it. A HubError says
    itself; a fault outside the message is retried with its whole batch; anything else is a bug
    that fails that message alone (stored FAILED, its sender told, retried and dead-lettered on
    its own)."""
    if isinstance(exc, HubError):
        return exc.disposition
    if isinstance(exc, _RETRYABLE) or _postgres_fault(exc):
        return Disposition.RETRY
    return Disposition.BUG


def _postgres_fault(exc: BaseException) -> bool:
    """A PostgreSQL store's fault outside the message (connection lost, lock timeout, server
    shutting down): psycopg's OperationalError. psycopg is imported only when one was raised."""
    if not type(exc).__module__.startswith("psycopg"):
        return False
    import psycopg
    return isinstance(exc, psycopg.OperationalError)
