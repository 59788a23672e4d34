"""IATA Cargo-XML: XFWB and XFZB waybills, XFFM flight manifests, XFNM responses.

Schemas: ``schemas/cargo_xml/`` (the project's own subset; see its README) or,
with HUB_IATA_SCHEMA_DIR, licensed IATA schemas under the same file names.
"""

from hub.adapters import Adapter

from .manifest import Xffm
from .response import Xfnm
from .waybill import Xfwb, Xfzb


def adapters() -> list[Adapter]:
    """The Cargo-XML adapters, for the composition root to register."""
    return [Xfwb(), Xfzb(), Xffm(), Xfnm()]
