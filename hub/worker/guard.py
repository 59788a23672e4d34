"""One message's step, run so that its own fault fails that message alone (the router's and the receipt worker's).

An exception that is the store's or the broker's (``hub.errors.disposition_of`` says RETRY) is
raised: the whole batch retries. Any other is logged (its class only, never the message) and
handed back as ``Failed``, for the core's ``fail`` to store, tell and retry that message alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

from ..errors import Disposition, disposition_of
from ..transport.base import Inbound

log = structlog.get_logger()

_T = TypeVar("_T")


@dataclass
class Failed:
    """A message that raised on its own while it was decided: the core's ``fail`` takes it from here."""
    inbound: Inbound
    exc: BaseException


def guarded(inbound: Inbound, event: str, fields: Mapping[str, Any], step: Callable[..., _T],
            *args: Any) -> _T | Failed:
    """``step(*args)`` for ``inbound``; when it raises a fault of the message's own, log ``event`` with
    the exception's class and ``fields`` and return ``Failed``; a store or broker fault is raised."""
    try:
        return step(*args)
    except Exception as exc:
        if disposition_of(exc) is Disposition.RETRY:
            raise
        log.error(event, error=type(exc).__name__, **fields)
        return Failed(inbound, exc)


__all__ = ["Failed", "guarded"]
