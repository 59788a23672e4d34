"""The status API (issue 14): party-scoped status queries, the agencies' service report, admin
replays, health and Prometheus metrics, in one FastAPI app (``create_app``) served by `hub web`.

``create_app`` is imported on first use: `hub tokens` needs only ``hub.web.tokens``, and every other
command starts without loading FastAPI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)


__all__ = ["create_app"]
