"""Which way a document goes relative to the hub's home country (HUB_HOME_COUNTRY): import,
export, transit or domestic; routes.yaml matches on it (``match.direction``).

Design note: the direction comes from two places and the country of each. A waybill goes from
its departure (origin) to its final destination; a manifest and a passenger list from where the
conveyance departs (loads) to where it arrives (unloads); a shipment status from its origin to
its destination. A declaration says itself whether it is an import or an export. Then, with H
the home country:

    origin in H, destination in H        domestic
    origin abroad, destination in H      import
    origin in H, destination abroad      export
    both abroad                          transit (passing through, or only seen by the hub)

A place's country: a UN/LOCODE (five characters, ``CNSHA``, also written ``CN SHA``) carries it
in its first two letters, when they are an ISO 3166 code; a three-letter IATA code is looked up
in the ``airportsdata`` package (MIT; airports, then IATA multi-airport city codes such as BJS,
LON). Anything else, or a code neither list knows, has no country: the direction is then
unknown, a route that requires one does not match, and ``hub routes explain`` names the place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from pydantic import BaseModel

from .. import rules
from ..models import ArrivalReport, Declaration, Document, Kind, Manifest, PersonsList, ShipmentStatus, Waybill
from ..models import Direction as DeclarationDirection

DEFAULT_HOME_COUNTRY = "CN"


class Direction(str, Enum):
    """A document's direction relative to the hub's home country."""

    IMPORT = "import"
    EXPORT = "export"
    TRANSIT = "transit"
    DOMESTIC = "domestic"


@dataclass(frozen=True)
class Found:
    """A direction (None: unknown) and the reason, for ``hub routes explain``."""

    direction: Direction | None
    why: str


def is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 country code in upper case (``hub.rules.is_country``,
    which also takes lower case)."""
    return bool(re.fullmatch(r"[A-Z]{2}", code or "")) and rules.is_country(code)


@lru_cache(maxsize=1)
def _iata_countries() -> dict[str, str]:
    """IATA airport and multi-airport city codes -> ISO alpha-2 country, loaded once."""
    import airportsdata
    table = {code: row["country"] for code, row in airportsdata.load("IATA").items() if row.get("country")}
    for code, city in airportsdata.load_iata_macs().items():
        table.setdefault(code, city["country"])
    return table


def country_of(code: str | None) -> str | None:
    """The ISO alpha-2 country of an IATA airport (or city) code or a UN/LOCODE; None when unknown."""
    text = (code or "").strip().upper()
    if rules.IATA_LOCATION.match(text):
        return _iata_countries().get(text)
    locode = text[:2] + text[3:] if text[2:3] == " " else text  # a UN/LOCODE is also written 'CN SHA'
    if rules.UN_LOCODE.match(locode) and is_country(locode[:2]):
        return locode[:2]
    return None


_ENDS: dict[type[BaseModel], tuple[str, str]] = {
    Waybill: ("origin", "destination"), Manifest: ("loading_location", "unloading_location"),
    PersonsList: ("departure", "arrival"), ShipmentStatus: ("origin", "destination")}
"""The fields of where a document's goods or people leave and where they arrive."""

_OWN: tuple[type[BaseModel], ...] = (Declaration, ArrivalReport)
"""Documents whose direction is their own (a declaration's) or where the conveyance arrives."""
DIRECTED: frozenset[Kind] = frozenset(model.model_fields["kind"].default for model in (*_OWN, *_ENDS))
"""The kinds that can have a direction; any other (a tally report, a receipt, an order ...) never
has one, so a route that matches on direction matches none of them (``hub routes check`` warns)."""


def direction_of(doc: Document, home: str = DEFAULT_HOME_COUNTRY) -> Found:
    """The direction of ``doc`` relative to the country ``home``, with the reason."""
    if isinstance(doc, Declaration):
        own = Direction.IMPORT if doc.direction is DeclarationDirection.IMPORT else Direction.EXPORT
        return Found(own, f"the declaration is an {doc.direction.value} declaration")
    if isinstance(doc, ArrivalReport):      # a conveyance arriving: an import where it arrives at home
        country = country_of(doc.arrival_location.code)
        if country is None:
            return Found(None, f"no country is known for arrival location {doc.arrival_location.code!r}")
        return Found(Direction.IMPORT if country == home else None,
                     f"the conveyance arrives at {doc.arrival_location.code} ({country}), home {home}")
    ends = next((fields for model, fields in _ENDS.items() if isinstance(doc, model)), None)
    if ends is None:
        return Found(None, f"a {doc.kind.value} has no origin and destination")
    shown = []
    for field in ends:
        name, place = field.replace("_", " "), getattr(doc, field)
        if place is None:
            return Found(None, f"the {doc.kind.value} has no {name}")
        country = country_of(place.code)
        if country is None:
            return Found(None, f"no country is known for {name} {place.code!r} (neither an IATA code of "
                               "airportsdata nor a UN/LOCODE)")
        shown.append((place.code, country))
    (a, ca), (b, cb) = shown
    direction = {(True, True): Direction.DOMESTIC, (False, True): Direction.IMPORT,
                 (True, False): Direction.EXPORT, (False, False): Direction.TRANSIT}[(ca == home, cb == home)]
    return Found(direction, f"{a} ({ca}) -> {b} ({cb}), home {home}")


__all__ = ["DEFAULT_HOME_COUNTRY", "DIRECTED", "Direction", "Found", "country_of", "direction_of", "is_country"]
