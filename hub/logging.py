"""structlog, configured once by the CLI. Events are ``noun.past_verb``; never a payload."""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(level: str = "WARNING", as_json: bool = False) -> None:
    """Log to stderr, key=value for people or JSON lines for machines."""
    renderer = structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                    renderer],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.WARNING)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
