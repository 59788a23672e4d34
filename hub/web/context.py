"""What every request handler needs, built once per app: settings, the store to open, the broker,
routes.yaml, the tokens, the limits; and the dependency that turns a bearer token into a
``Principal`` (401 without a valid one, 429 beyond its rate)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..composition import build_engine
from ..pipeline import Engine
from ..routing.table import RoutesFile
from ..settings import Settings
from ..store.base import Store
from ..transport.base import Publication
from .broker import BrokerView
from .limits import Buckets
from .tokens import Principal, TokenBook


@dataclass
class Hub:
    """The app's collaborators (``app.state.hub``)."""

    settings: Settings
    store_factory: Callable[[], Store]
    broker: BrokerView
    routes: RoutesFile
    tokens: TokenBook
    buckets: Buckets
    publish: Callable[[list[Publication]], None]
    engine: Callable[[], Engine] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = functools.cache(lambda: build_engine(self.settings))

    def store(self) -> Store:
        """A store for this request (a with-block closes it): SQLite connections stay on one thread."""
        return self.store_factory()


def hub_of(request: Request) -> Hub:
    found: Hub = request.app.state.hub
    return found


_bearer = HTTPBearer(auto_error=False, description="A token from `hub tokens create PARTY`")


def principal(request: Request,
              credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The party a request speaks for; 401 without a valid token, 429 when its token is over its rate."""
    hub = hub_of(request)
    who = hub.tokens.verify(credentials.credentials) if credentials else None
    if who is None:
        raise HTTPException(401, "a valid API token is required (Authorization: Bearer ...)",
                            headers={"WWW-Authenticate": "Bearer"})
    wait = hub.buckets.take(who.token_id)
    if wait:
        raise HTTPException(429, "too many requests for this token; slow down",
                            headers={"Retry-After": str(max(1, round(wait)))})
    return who


def admin(who: Annotated[Principal, Depends(principal)]) -> Principal:
    """An admin token's principal; 403 for a party's."""
    if not who.admin:
        raise HTTPException(403, "this needs an admin token")
    return who


Caller = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(admin)]
HubDep = Annotated[Hub, Depends(hub_of)]
