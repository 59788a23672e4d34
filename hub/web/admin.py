"""/api/v1 for admins only: replays and dead-letter replays, dry runs unless ``confirm`` is true,
each recorded as an event naming the token's party (``api:<party>``), previews too."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from ..transport.base import Headers, Topology
from ..worker import replay as replaying
from .context import Admin, HubDep

router = APIRouter(prefix="/api/v1", tags=["admin"], responses={403: {"description": "this needs an admin token"}})


class ReplayRequest(BaseModel):
    """Which messages to replay and how; nothing is published unless ``confirm``."""

    ids: list[str] = Field(..., min_length=1, max_length=1000)
    mode: replaying.Mode = replaying.Mode.PIPELINE
    to: str | None = Field(None, max_length=100, description="resend: only to this receiver")
    confirm: bool = Field(False, description="false: a dry run (what would happen, recorded as a preview)")


class DeadLetterReplay(BaseModel):
    limit: int = Field(100, ge=1, le=10_000)
    confirm: bool = False


@router.post("/replay", summary="Replay messages by id (dry run unless confirm)",
             responses={404: {"description": "unknown id"}})
def replay(hub: HubDep, who: Admin, asked: ReplayRequest) -> dict[str, Any]:
    """What replaying would do (``confirm`` false), or do it: each step recorded before it is
    published, as `hub replay` does."""
    with hub.store() as store:
        chosen = []
        for message_id in dict.fromkeys(asked.ids):
            if (m := store.message(message_id)) is None:
                raise HTTPException(404, f"unknown id {message_id}")
            chosen.append(m)
        planned = replaying.plan(store, Topology(hub.settings.topology_prefix), hub.engine().registry, chosen,
                                 asked.mode, who.who, asked.to)
        if not asked.confirm:
            for m in chosen:
                store.add_event(m.id, None, "replay.previewed", who.who,
                                detail={"mode": asked.mode.value, "steps": sum(s.message_id == m.id
                                                                                for s in planned.steps)})
            done = 0
        else:
            done = replaying.Replay(store, who.who, asked.mode).run(planned.steps, hub.publish)
    return {"dry_run": not asked.confirm, "steps": [s.says for s in planned.steps], "skipped": planned.skipped,
            "replayed": done}


@router.get("/dead-letters", summary="Dead letters (left in their queue)")
def dead_letters(hub: HubDep, who: Admin, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """What each dead letter is, who sent it, its attempts and reason."""
    return {"items": [{"sender": e.headers.get(Headers.SENDER), "lane": e.headers.get(Headers.LANE, "in"),
                       "dead_at": e.headers.get(Headers.DEAD_AT), "attempts": e.headers.get(Headers.ATTEMPTS),
                       "reason": e.headers.get(Headers.REASON), "size": len(e.body)}
                      for e in hub.broker.dead_letters(limit)]}


@router.post("/dead-letters/replay", summary="Send dead letters through the hub again (dry run unless confirm)")
def replay_dead_letters(hub: HubDep, who: Admin, asked: DeadLetterReplay) -> dict[str, Any]:
    """Dry run: how many would go; confirmed: moved back to their lanes, attempts from zero."""
    if asked.confirm:
        done = hub.broker.replay_dead_letters(asked.limit, who.who)
    else:
        done = len(hub.broker.dead_letters(asked.limit))
    with hub.store() as store:
        store.add_event(None, None, "dead_letters.replayed" if asked.confirm else "dead_letters.previewed",
                        who.who, detail={"count": done, "limit": asked.limit})
    return {"dry_run": not asked.confirm, "count": done}
