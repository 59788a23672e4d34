"""The ``hub`` command line. Every command builds what it needs from settings here.

Exit codes: 0 success, 1 some input was invalid, 2 usage or configuration
error (a store or broker out of reach included: wrong URL, password or service
down), 3 an engine bug (e.g. a rendered output failing its own schema).
"""

from __future__ import annotations

import ssl
import sys
from typing import Any, NoReturn

import click
import structlog

from .. import __version__
from ..errors import ConfigError, EngineError, HubError
from ..logging import configure_logging
from ..settings import Settings
from .admin import dead_letters, messages, replay, stats
from .check import check
from .demo import demo
from .documents import convert, detect, formats, validate
from .links import links_group
from .parties import parties
from .purge import purge
from .receipts import receipts
from .routes import routes
from .runtime import send, serve, topology
from .store import store
from .tokens import tokens
from .tour import tour
from .web import web

EXIT_INVALID, EXIT_CONFIG, EXIT_BUG = 1, 2, 3


class HubGroup(click.Group):
    """Turns every hub error into one line with its code and the right exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            _fail(exc, EXIT_CONFIG)
        except EngineError as exc:
            _fail(exc, EXIT_BUG)
        except HubError as exc:
            _fail(exc, EXIT_INVALID)
        except OSError as exc:
            click.echo(f"hub: {exc.filename or ''}: {exc.strerror} [IO_ERROR]", err=True)
            sys.exit(EXIT_CONFIG)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if (out_of_reach := _unreachable(exc)) is not None:
                line, code = out_of_reach
                click.echo(f"hub: {line} [{code}]", err=True)
                sys.exit(EXIT_CONFIG)
            # a bug: one line for the operator, the traceback only in debug logs
            structlog.get_logger().debug("command.crashed", exc_info=True)
            click.echo(f"hub: internal error: {type(exc).__name__}: {exc} [INTERNAL_ERROR]", err=True)
            sys.exit(EXIT_BUG)


def _unreachable(exc: Exception) -> tuple[str, str] | None:
    """What to tell the operator (a line naming the setting to look at, and a code) when ``exc`` says the
    store or the broker is out of reach: wrong host, port, user or password, or the service down.
    None for any other exception. The URL itself is never shown: it may carry a password."""
    module, name = type(exc).__module__, type(exc).__name__
    why = (str(exc).strip().splitlines() or [name])[0]
    if module.startswith("psycopg") and name == "OperationalError":
        return f"cannot open the store that HUB_STORE_URL names: {why}", "STORE_UNREACHABLE"
    if isinstance(exc, ssl.SSLError):      # a TLS handshake refused (a broker certificate from another CA ...)
        return f"TLS with the broker that HUB_AMQP_URL names failed: {why}", "BROKER_UNREACHABLE"
    if module.startswith("pika"):
        from pika import exceptions as amqp

        if isinstance(exc, amqp.ProbableAuthenticationError | amqp.ProbableAccessDeniedError):
            return f"the broker that HUB_AMQP_URL names refused the login: {why}", "BROKER_UNREACHABLE"
        if isinstance(exc, amqp.AMQPConnectionError):
            if why == name:   # pika says no more than its class name when the port refuses or times out
                why = "no answer (is RabbitMQ running at the host and port it names?)"
            return f"cannot connect to the broker that HUB_AMQP_URL names: {why}", "BROKER_UNREACHABLE"
    return None


def _fail(exc: HubError, code: int) -> NoReturn:
    click.echo(f"hub: {exc.message} [{exc.code}]", err=True)
    sys.exit(code)


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hub")
@click.pass_context
def main(ctx: click.Context) -> None:
    """e-port hub: enter a manifest, declaration or waybill once; every agency gets its own format.

    \b
    Examples:
      hub formats
      hub validate examples/cargo_xml/*.xml
      hub convert examples/cargo_xml/xfwb-pek-fra.xml --to gacc-mt1101
      hub routes explain examples/cargo_xml/xfwb-pek-fra.xml --as AIRLINE-CA
      hub demo

    Settings come from HUB_* environment variables (HUB_SCHEMA_DIR, HUB_IATA_SCHEMA_DIR,
    HUB_ROUTES, HUB_MAX_MESSAGE_BYTES, HUB_LOG_LEVEL, HUB_LOG_JSON).
    """
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError on a bad HUB_* value
        raise ConfigError(f"bad HUB_* setting: {exc}") from exc
    configure_logging(settings.log_level, settings.log_json)
    ctx.obj = settings


for command in (detect, validate, convert, formats, check, routes, demo, tour, topology, serve, send, messages, replay,
                dead_letters, stats, receipts, store, parties, purge, web, tokens, links_group):
    main.add_command(command)
