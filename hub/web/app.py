"""The status API's FastAPI app: ``create_app`` wires the routers (health, /api/v1 status and admin,
/metrics) to the store, the broker and the tokens. A server-rendered console joins the same app as
one more router over the same ``Hub``."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from .. import __version__
from ..routing import load_routes
from ..settings import Settings
from ..store import open_store
from ..store.base import Store
from ..transport.base import Publication, Topology
from ..transport.rabbitmq import publish_once, user_of
from . import admin, api, console, health
from .broker import BrokerView, RabbitBroker
from .context import Hub
from .limits import Buckets
from .metrics import HubCollector
from .tokens import TokenBook, tokens_path


def create_app(settings: Settings, store_factory: Callable[[], Store] | None = None,
               broker: BrokerView | None = None, tokens: TokenBook | None = None,
               publish: Callable[[list[Publication]], None] | None = None) -> FastAPI:
    """The app; each collaborator not given is built from ``settings`` (the store of HUB_STORE_URL,
    the broker of HUB_AMQP_URL, the tokens of HUB_TOKENS_FILE)."""

    def publish_confirmed(pubs: list[Publication]) -> None:
        publish_once(settings.amqp_url, pubs, name="hub-web-replay", user_id=user_of(settings.amqp_url))

    hub = Hub(settings=settings, store_factory=store_factory or (lambda: open_store(settings.store_url)),
              broker=broker or RabbitBroker(settings), routes=load_routes(settings.routes),
              tokens=tokens or TokenBook(tokens_path(settings)),
              buckets=Buckets(settings.api_rate, settings.api_burst), publish=publish or publish_confirmed)
    app = FastAPI(title="e-port hub status API", version=__version__, openapi_url="/openapi.json",
                  description="Party-scoped status of messages and deliveries, the agencies' service report, "
                              "and admin replays. Authenticate with `Authorization: Bearer <token>`.")
    app.state.hub = hub
    for router in (health.router, api.router, admin.router, console.router):
        app.include_router(router)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HubCollector(hub.store_factory, hub.broker, Topology(settings.topology_prefix)))

    @app.get("/metrics", tags=["health"], response_class=Response)
    def metrics(request: Request) -> Response:
        """The hub's figures for Prometheus (text exposition format)."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
