"""Flight numbers as the cargo standards write them: an airline designator, then the number.

Shared by the Cargo-IMP and Cargo-XML adapters, which both take a leg's or a flight's carrier
from its flight number when no carrier is named on its own.
"""

from __future__ import annotations

import re

_FLIGHT = re.compile(r"^([A-Z]{3}|(?=[A-Z0-9]?[A-Z])[A-Z0-9]{2}) ?\d")


def carrier_of(flight: str) -> str | None:
    """The airline designator that starts a flight number: two characters, one of them a letter
    (CA1041 -> CA, 9W123 -> 9W, 3U8888 -> 3U), or three letters (ABC123 -> ABC), before the digits
    (a blank between is allowed: CA 1041). None when the number starts with none: an all-digit
    number ('1234') names no airline, and reading '12' from it would be a guess."""
    match = _FLIGHT.match(flight)
    return match.group(1) if match else None
