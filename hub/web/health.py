"""/healthz (the process answers) and /readyz (the store and the broker answer): no token needed,
nothing about the hub's data in either."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from .context import HubDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "the store or the broker does not answer"}})
def readyz(hub: HubDep) -> Any:
    """Ready when the store and the broker answer; 503 naming the one that does not (and the setting
    to check), never its URL."""
    checks: dict[str, str] = {}
    try:
        with hub.store() as store:
            store.message("readyz-probe")
        checks["store"] = "ok"
    except Exception as exc:   # noqa: BLE001 - any failure means not ready; the type says which
        checks["store"] = f"unreachable ({type(exc).__name__}; check HUB_STORE_URL)"
    try:
        hub.broker.ping()
        checks["broker"] = "ok"
    except Exception as exc:   # noqa: BLE001
        checks["broker"] = f"unreachable ({type(exc).__name__}; check HUB_AMQP_URL)"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)
