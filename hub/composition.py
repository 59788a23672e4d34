"""The composition root: settings -> schemas, registry, engine. Used by the CLI and the tests."""

from __future__ import annotations

from adapters import cargo_imp, cargo_xml, ceb, edifact, gacc, hub_link, json_canonical, wco

from .adapters import Registry
from .pipeline import Engine
from .settings import Settings
from .validation import SchemaSet, XmlLimits

FAMILIES = (cargo_xml, wco, gacc, ceb, edifact, cargo_imp, json_canonical, hub_link)
"""Every adapter family the hub speaks, in detection order."""


def build_registry(settings: Settings | None = None) -> Registry:
    """Register every family's adapters explicitly, with the options settings give them."""
    settings = settings or Settings()
    options = {edifact: {"lenient": settings.edifact_lenient}}
    registry = Registry()
    for family in FAMILIES:
        for adapter in family.adapters(**options.get(family, {})):
            registry.register(adapter)
    return registry


def build_schemas(settings: Settings) -> SchemaSet:
    overrides = {"cargo_xml": settings.iata_schema_dir} if settings.iata_schema_dir else {}
    return SchemaSet(settings.schema_dir, overrides)


def build_engine(settings: Settings | None = None) -> Engine:
    settings = settings or Settings()
    limits = XmlLimits(max_bytes=settings.max_message_bytes, max_depth=settings.max_xml_depth)
    return Engine(build_registry(settings), build_schemas(settings), limits,
                  max_output_bytes=settings.max_output_bytes)
