"""`hub web`: the status API (and /metrics, /healthz, /readyz) on one port."""

from __future__ import annotations

import click

from ..settings import Settings
from ..store import open_store


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.pass_obj
def web(settings: Settings, host: str, port: int) -> None:
    """Serve the status API: /api/v1 (party-scoped, with `hub tokens` tokens), /openapi.json,
    /metrics for Prometheus, /healthz and /readyz.

    \b
    Examples:
      hub web --port 8080
      curl -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/api/v1/messages?key=999-12345675'
    """
    import uvicorn

    from ..web import create_app

    with open_store(settings.store_url) as store:
        store.migrate()
    click.echo(f"hub web: http://{host}:{port}/ (OpenAPI at /openapi.json)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
