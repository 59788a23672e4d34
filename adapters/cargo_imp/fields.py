"""Cargo-IMP field definitions: each field's format and length, per message and version, as data.

A field is a format and a length, in CIMP's notation: ``a`` letters, ``n`` digits, ``m`` letters or
digits, ``t`` text, ``d`` a decimal (digits with at most one decimal point, the point counted);
``n3`` exactly three, ``t..35`` up to 35, ``n3..4`` three or four. :mod:`.check` walks a message's
lines and applies these tables, on read and on write.

Where the facts come from:

- The Cargo Interchange Message Procedures (CIMP), the IATA manual that defines Cargo-IMP (the
  editions that carry FWB/16-17, FHL/4-5, FFM/5, FSU/14, FMA and FNA/1; IATA withdrew Cargo-IMP
  at the end of 2024), as publicly summarised in IATA's and airlines' Cargo-IMP implementation
  guides: AWB prefix n3 and serial n8; airport and city codes a3; country a2; carrier m2 and
  flight number n3..4 with an optional a1 suffix; pieces n..4; weight code a1 (K, L) and weight
  d..7; volume code a2 and volume d..9; SLAC n..5; special handling codes a3 (at most 9 on one
  line); party account t..14, name and street t..35, place t..17, state t..9, post code t..9,
  contact identifier a..3 and number t..25; IATA agent code n7 and CASS address n4; nature of
  goods t..20 per NG/NC line; harmonised commodity code t..18; OCI country a..2, information
  identifier a..3, customs information identifier a..2, supplementary information t..35; OSI and
  SSR lines t..65; HBS house number t..12 and manifest description t..15; FFM manifest
  description t..15; TXT lines t..65; days n2 and months a3, times n4.
- The Cargo-XML equivalents confirm the name and street continuation: XFWB's names and street
  names are 70 characters, two CIMP lines of 35 (a NAM or ADR line and one ``/`` continuation).
- The real-world field files (shared corpus, field/cargo_imp) show the limits senders fill
  exactly (names and streets of 35, OSI, SSR and TXT lines of 65, places of 17, OCI text of 35)
  and the variants senders use, read here as documented leniencies:
  ``t`` is any printable ASCII character (CIMP lists letters, digits, blank and a few signs;
  senders also write ``&``, ``#``, ``_``, lower case), never a character outside ASCII;
  flight carriers of three letters (ICAO designators) besides m2, and a flight of digits alone
  (no designator, as :mod:`adapters.flights` reads it); special handling codes run
  together on an FFM line (``EAWGEN``); the FFM part number up to three digits; the
  positional party layout (``/name``, ``/street``, ``/place``, ``/country``) of older versions.

Version differences recorded: FHL/4 and earlier put the party's name on the tag line
(``SHP/NAME``, t..35, no NAM/ADR/LOC sub-tags); FHL/5 uses the NAM/ADR/LOC block with one
continuation line for the name and one for the street, as FWB/16 and FWB/17 do. For the fields
the hub reads and writes, FWB/17 keeps FWB/16's formats and lengths (its changes concern lines
the hub reads past), so its table is FWB/16's. A version with no table of its own (FWB/9,
FSU/12) is checked against the nearest version defined below it, else the lowest defined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TEXT = r"[\t\x20-\x7e]"
"""Printable ASCII (a TAB, which the reader tolerates as a blank, too): the lenient reading of CIMP's text
characters (see the module docstring)."""
_CHARS = {"a": "[A-Z]", "n": "[0-9]", "m": "[A-Z0-9]", "t": TEXT}
_DECIMAL_BODY = r"(?:\d+(?:\.\d*)?|\.\d+)"
_DECIMAL = re.compile(f"^{_DECIMAL_BODY}$")
_KIND_NAMES = {"a": "letters", "n": "digits", "m": "letters or digits", "t": "text (printable ASCII)",
               "d": "a decimal number"}


@dataclass(frozen=True)
class Field:
    """One field: its name, kind (a n m t d), most and least characters, whether it must be there."""

    name: str
    kind: str
    size: int
    least: int = 1
    required: bool = False

    @property
    def notation(self) -> str:
        """CIMP's notation: ``n3``, ``t..35``, ``n3..4``."""
        if self.least == self.size:
            return f"{self.kind}{self.size}"
        return f"{self.kind}{self.least if self.least > 1 else ''}..{self.size}"

    def __post_init__(self) -> None:
        body = _DECIMAL_BODY if self.kind == "d" else f"{_CHARS[self.kind]}*"
        object.__setattr__(self, "_fits", re.compile(f"(?=.{{{self.least},{self.size}}}$){body}", re.DOTALL))

    def problem(self, value: str) -> tuple[str, str] | None:
        """(code, message) when ``value`` breaks this field; None when it fits (an empty optional one does)."""
        if value and self._fits.fullmatch(value):   # type: ignore[attr-defined]  # one regex: the usual case
            return None
        if not value:
            return ("CIMP_FIELD_MISSING", f"the {self.name} ({self.notation}) is missing") if self.required else None
        if len(value) > self.size:
            return "CIMP_FIELD_TOO_LONG", (f"the {self.name} {value[:40]!r} has {len(value)} characters; "
                                           f"the field is {self.notation}")
        if len(value) < self.least or not _PATTERNS[self.kind].fullmatch(value):
            return "CIMP_FIELD_FORMAT", (f"the {self.name} {value[:40]!r} is not {self.notation} "
                                         f"({_KIND_NAMES[self.kind]})")
        return None


_PATTERNS = {kind: re.compile(f"{chars}*") for kind, chars in _CHARS.items()} | {"d": _DECIMAL}


@dataclass(frozen=True)
class Composite:
    """A field made of run-together parts (``QR8403``, ``20JUN1039``): a pattern whose groups are the parts."""

    name: str
    pattern: re.Pattern[str]
    parts: tuple[Field, ...]
    example: str
    required: bool = False


Item = Field | Composite


def composite(name: str, pattern: str, example: str, *parts: Field, required: bool = False) -> Composite:
    return Composite(name, re.compile(pattern), parts, example, required)


# The fields, once; the message tables below arrange them.
AIRPORT = Field("airport code", "a", 3, 3)
COUNTRY = Field("country code", "a", 2, 2)
PIECES = Field("number of pieces", "n", 4)
WEIGHT = Field("weight", "d", 7)
VOLUME = Field("volume", "d", 9)
SHC = Field("special handling code", "a", 3, 3)
SHC_MAX = 9
"""Special handling codes one line may carry."""

AWB = composite("AWB consignment detail", r"^(\d*)-(\d*)([A-Z0-9]*?)([A-Z0-9]{3})$", "157-53806270HKGNLU",
                Field("AWB prefix", "n", 3, 3, True), Field("AWB serial number", "n", 8, 8, True),
                Field("origin", "a", 3, 3, True), Field("destination", "a", 3, 3, True), required=True)
QUANTITY = composite(
    "quantity", r"^([A-Z])(\d*)(?:([A-Z])([\d.]+))?(?:(MC|CF|CI|CC)([\d.]+))?(?:DG(\d+))?(?:T(\d+))?$",
    "T10K505.0MC1.2", Field("shipment description code", "a", 1, 1), PIECES, Field("weight code", "a", 1, 1),
    WEIGHT, Field("volume code", "a", 2, 2), VOLUME, Field("density group", "n", 2),
    Field("total number of pieces", "n", 4))
WEIGHT_ITEM = composite("weight", r"^([A-Z])([\d.]+)$", "K505.0", Field("weight code", "a", 1, 1), WEIGHT)
VOLUME_ITEM = composite("volume", r"^([A-Z]{2})([\d.]+)$", "MC0.36", Field("volume code", "a", 2, 2), VOLUME)
FLIGHT = composite("flight", r"^((?=[A-Z0-9]?[A-Z])[A-Z0-9]{2}[A-Z]?)?(\d*)([A-Z]?)$", "QR8403",
                   Field("carrier code", "m", 3, 2), Field("flight number", "n", 4, 3),
                   Field("flight number suffix", "a", 1))
CARRIER = Field("carrier code", "m", 3, 2)
DAY = Field("day", "n", 2, 2)
MONTH = Field("month", "a", 3, 3)
DAY_MONTH_TIME = composite("date", r"^(\d*)([A-Z]*)(\d*)$", "20JUN1039", DAY, MONTH, Field("time", "n", 4, 4))
DAY_MONTH_YEAR = composite("date", r"^(\d{1,2})([A-Z]*)(\d*)$", "19JUN26", DAY, MONTH, Field("year", "n", 2, 2),
                           required=True)
STOP = composite("routing destination and carrier", r"^([A-Z]{3})([A-Z0-9]*)$", "DOHQR", AIRPORT,
                 Field("carrier code", "m", 2, 2))
PLACES = composite("airport or airport pair", r"^([A-Z]{3})([A-Z]*)$", "DOHNLU", AIRPORT, AIRPORT)
ULD = composite("ULD", r"^([A-Z0-9]*?)(\d{4,5})([A-Z0-9]*)$", "PMC12345CA",
                Field("ULD type", "m", 3, 3), Field("ULD serial number", "n", 5, 4), Field("ULD owner", "m", 2, 2))

NAME = Field("name", "t", 35, required=True)
STREET = Field("street address", "t", 35)
PLACE = Field("place", "t", 17)
STATE = Field("state or province", "t", 9)
POSTCODE = Field("post code", "t", 9)
CONTACT_ID = Field("contact identifier", "a", 3)
CONTACT_NUMBER = Field("contact number", "t", 25)
ACCOUNT = Field("account number", "t", 14)
OSI_TEXT = Field("other service information", "t", 65)
OCI = (Field("OCI country code", "a", 2), Field("OCI information identifier", "a", 3),
       Field("OCI customs information identifier", "a", 2, required=True),
       Field("OCI supplementary customs information", "t", 35))


@dataclass(frozen=True)
class PartyLayout:
    """How a version writes a party block, and how many lines its name and street may take."""

    tagged: bool = True
    """NAM/ADR/LOC sub-tags (FWB, FHL/5); else the name on the tag line and positional lines (FHL/4)."""
    name_lines: int = 2
    street_lines: int = 2


@dataclass(frozen=True)
class Version:
    """The definitions of one message version: its lines' fields by tag, its party layout."""

    message: str
    number: str | None
    lines: dict[str, tuple[Item, ...]]
    party: PartyLayout = PartyLayout()


_COMMON = {"OSI": (OSI_TEXT,), "SSR": (Field("special service request", "t", 65),), "OCI": OCI,
           "SPH": (SHC,) * SHC_MAX}
_FWB = _COMMON | {
    "FLT": (FLIGHT, DAY) * 4, "RTG": (STOP,) * 9,
    "AGT": (ACCOUNT, Field("IATA cargo agent code", "n", 7, 7), Field("CASS address", "n", 4, 4),
            Field("participant identifier", "m", 3)),
    "AGT/": (Field("agent's name", "t", 35),), "AGT//": (Field("agent's place", "t", 17),),
    "RTD": (Field("rate line number", "n", 2),),
    "NG": (Field("nature of goods", "t", 20),), "NC": (Field("nature of goods (consolidation)", "t", 20),),
    "NH": (Field("harmonised commodity code", "t", 18),), "NV": (VOLUME_ITEM,), "NU": (ULD,),
    "NS": (Field("shipper's load and count", "n", 5),),
    "ISU": (DAY_MONTH_YEAR, Field("place of execution", "t", 17), Field("signature", "t", 20)),
}
_FHL = _COMMON | {
    "HBS": (Field("house waybill number", "t", 12, required=True), PLACES, PIECES, WEIGHT_ITEM,
            Field("shipper's load and count", "n", 5), Field("manifest description", "t", 15)),
    "HBS/": (SHC,) * SHC_MAX, "TXT": (Field("free text description of goods", "t", 65),),
    "HTS": (Field("harmonised commodity code", "t", 18),) * 9,
}
_FSU = _COMMON | {"ULD": (ULD,) * 20}
_FFM = _COMMON | {
    "flight": (Field("message part number", "n", 3), FLIGHT, DAY_MONTH_TIME, AIRPORT,
               Field("aircraft registration", "m", 10)),
    "unloading": (AIRPORT,), "ULD": (ULD,),
    "consignment": (Field("manifest description of goods", "t", 15),) + (SHC,) * SHC_MAX,
}
_ACK = {"ACK": (Field("reason", "t", 65),)}

VERSIONS: dict[str, tuple[Version, ...]] = {
    "FWB": (Version("FWB", "16", _FWB), Version("FWB", "17", _FWB)),
    "FHL": (Version("FHL", "4", _FHL, PartyLayout(tagged=False, name_lines=1, street_lines=1)),
            Version("FHL", "5", _FHL)),
    "FFM": (Version("FFM", "5", _FFM),),
    "FSU": (Version("FSU", "14", _FSU),),
    "FMA": (Version("FMA", None, _ACK),),
    "FNA": (Version("FNA", "1", _ACK),),
}


def version(message: str, number: str | None) -> Version | None:
    """The definitions for ``message``/``number``: that version's, else the nearest defined below it, else
    the lowest defined; None for a message without definitions."""
    known = VERSIONS.get(message)
    if not known:
        return None
    wanted = int(number) if number and number.isdigit() else None
    exact = next((v for v in known if v.number == number), None)
    if exact is not None or wanted is None:
        return exact or known[-1]
    below = [v for v in known if v.number is not None and int(v.number) <= wanted]
    return below[-1] if below else known[0]
