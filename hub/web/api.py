"""/api/v1 for parties and operators: the enterprise status query (by business key, by id, by time
range), the agency service report and the unmatched receipts, each cut to the token's party."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from ..models.common import Kind
from ..store.base import UNMATCHED, Message, MessageFilter, MessageStatus, Store
from . import figures
from .context import Caller, Hub, HubDep
from .tokens import Principal
from .views import message_view, visible

router = APIRouter(prefix="/api/v1", tags=["status"])

MAX_OFFSET = 10_000
"""How deep a listing pages: beyond it, narrow the time range."""

NOT_YOURS = "this token's party may not see this"
"""The one answer to a request for another party's data: nothing in it says what is there."""


def _utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _scoped_find(store: Store, hub: Hub, who: Principal, flt: MessageFilter) -> list[Message]:
    """``find`` within the party's scope: its own messages as a sender, those delivered to it as a
    receiver, everything for an admin; newest first."""
    if who.admin:
        return store.find(flt)
    found: dict[str, Message] = {}
    if who.party in hub.routes.senders:
        found |= {m.id: m for m in store.find(MessageFilter(**{**vars(flt), "sender": who.party}))}
    if who.party in hub.routes.receivers:
        found |= {m.id: m for m in store.find(MessageFilter(**{**vars(flt), "receiver": who.party}))}
    return sorted(found.values(), key=lambda m: (m.received_at, m.id), reverse=True)[:flt.limit]


@router.get("/messages", summary="Messages by business key, kind, status or time range, newest first")
def list_messages(
        hub: HubDep, who: Caller,
        key: Annotated[str | None, Query(max_length=200, description="Business key: AWB, bill, LRN, order number")]
        = None,
        kind: Kind | None = None, status: MessageStatus | None = None,
        since: Annotated[datetime | None, Query(description="ISO 8601: received at or after")] = None,
        until: Annotated[datetime | None, Query(description="ISO 8601: received before")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> dict[str, Any]:
    """Each message with its deliveries per receiver (state, the agency's status, reference and
    reason), and its timeline; a page of ``limit`` from ``offset`` (``next_offset`` when there is more)."""
    flt = MessageFilter(business_key=key, kind=kind.value if kind else None, status=status, since=_utc(since),
                        until=_utc(until), limit=offset + limit + 1)
    with hub.store() as store:
        found = _scoped_find(store, hub, who, flt)
        items = []
        for m in found[offset:offset + limit]:
            shown = visible(who, m, store.deliveries(m.id)) or []
            items.append(message_view(store, hub.engine, hub.routes, m, shown))
    more = len(found) > offset + limit
    return {"items": items, "offset": offset, "limit": limit, "next_offset": offset + limit if more else None}


@router.get("/messages/{message_id}", summary="One message by its hub id",
            responses={403: {"description": NOT_YOURS}, 404: {"description": "unknown id"}})
def get_message(hub: HubDep, who: Caller, message_id: str) -> dict[str, Any]:
    """The message with the deliveries the token's party may see, and its timeline."""
    with hub.store() as store:
        m = store.message(message_id)
        if m is None:
            raise HTTPException(404, "unknown id")
        shown = visible(who, m, store.deliveries(m.id))
        if shown is None:
            raise HTTPException(403, NOT_YOURS)
        return message_view(store, hub.engine, hub.routes, m, shown)


@router.get("/report", summary="Agency service report per receiver over a period",
            responses={403: {"description": NOT_YOURS}})
def report(hub: HubDep, who: Caller,
           since: Annotated[datetime | None, Query(description="ISO 8601: deliveries created at or after")] = None,
           until: Annotated[datetime | None, Query(description="ISO 8601: deliveries created before")] = None,
           receiver: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    """Per receiver: volumes by state, receipt latency (median, p95 s), acceptance and rejection
    rates, overdue now and answered late. A receiver sees its own figures, a sender those of its
    own messages' deliveries, an admin every receiver's."""
    if who.admin:
        scope = figures.Scope(receiver=receiver)
    elif who.party in hub.routes.receivers:
        if receiver not in (None, who.party):
            raise HTTPException(403, NOT_YOURS)
        scope = figures.Scope(receiver=who.party)
    else:
        scope = figures.Scope(receiver=receiver, sender=who.party)
    with hub.store() as store:
        per = figures.service_report(store, _utc(since), _utc(until), scope)
    for name, entry in per.items():
        found = hub.routes.receivers.get(name)
        entry["name"] = found.name if found else None
    return {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
            "receivers": per}


@router.get("/orphans", summary="Receipts that matched no delivery, newest first")
def orphans(hub: HubDep, who: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Unmatched receipts (orphaned, unreadable, refused): a receiver sees its own, an admin all."""
    with hub.store() as store:
        if who.admin:
            found = store.receipts(outcome=UNMATCHED, limit=limit)
        elif who.party in hub.routes.receivers:
            found = store.receipts(outcome=UNMATCHED, receiver=who.party, limit=limit)
        else:
            found = []
    return {"items": [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()
                       if k != "errors"} | {"codes": [e.get("code") for e in r.get("errors") or []]}
                      for r in found]}
