"""Building blocks shared by every canonical document (WCO-Data-Model-like names)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer
from pydantic_core import PydanticCustomError

MAX_INTEGER_DIGITS = 15
"""Digits before the decimal point of any number the canonical model carries (below 10**15).

A thousand times the largest plausible weight in grams or value in the smallest currency unit
of one declaration, and within the exact integers of a double (2**53)."""
MAX_FRACTION_DIGITS = 12
"""Digits after the decimal point (trailing zeros count: they are written). The formats' own
limits are smaller (CEB and GACC 5, WCO 6 for most values); the readers' samples use up to 8."""
MAX_NUMBER_CHARS = 64
"""Longest number text a reader converts at all: sign, 15 + 12 digits, point, exponent and a
few leading zeros fit; anything longer is refused before any conversion."""
NUMBER_OUT_OF_RANGE = "NUMBER_OUT_OF_RANGE"


def number_problem(value: Decimal | int) -> str | None:
    """Why a number is outside what the hub reads and writes, or None when it is inside.

    Finite, below 10**MAX_INTEGER_DIGITS in magnitude, at most MAX_FRACTION_DIGITS decimals.
    Checked on the value's exponent, never by converting it to text (a 5,000-digit int or
    ``1E+99999999`` would take the time and memory this bound is there to save)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -10 ** MAX_INTEGER_DIGITS < value < 10 ** MAX_INTEGER_DIGITS:
            return None
        return f"a whole number of more than {MAX_INTEGER_DIGITS} digits"
    if not value.is_finite():
        return f"{'NaN' if value.is_nan() else 'an infinite value'} is not a number"
    if value.is_zero():
        exponent = _exponent(value)
        return None if exponent >= -MAX_FRACTION_DIGITS else \
            f"a number with more than {MAX_FRACTION_DIGITS} decimal places"
    if value.adjusted() >= MAX_INTEGER_DIGITS:
        return f"a number of {MAX_INTEGER_DIGITS + 1} or more digits before the decimal point"
    if _exponent(value) < -MAX_FRACTION_DIGITS:
        return f"a number with more than {MAX_FRACTION_DIGITS} decimal places"
    return None


def _exponent(value: Decimal) -> int:
    """A finite Decimal's exponent (only NaN and the infinities have a letter there, 'n', 'N' or 'F')."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, str):
        raise ValueError(f"{value} is not finite: it has no exponent")
    return exponent


class NumberError(ValueError):
    """A number text that is not a number (NUMBER_INVALID) or out of range (NUMBER_OUT_OF_RANGE)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def read_number(text: str) -> Decimal:
    """A number text as a Decimal within the canonical bounds; NumberError when it is not one.

    Every reader of a text number (XML element text, EDIFACT and Cargo-IMP fields) goes through
    here, so they all refuse the same things with the same codes. Text longer than
    MAX_NUMBER_CHARS is refused before any conversion."""
    shown = text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"
    if len(text) > MAX_NUMBER_CHARS:
        raise NumberError(f"{shown!r} is longer than any number the hub reads", NUMBER_OUT_OF_RANGE)
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise NumberError(f"{shown!r} is not a number", "NUMBER_INVALID") from None
    if (why := number_problem(value)) is not None:
        raise NumberError(f"{shown!r} is out of range: {why} (at most {MAX_INTEGER_DIGITS} digits before and "
                          f"{MAX_FRACTION_DIGITS} after the decimal point)", NUMBER_OUT_OF_RANGE)
    return value


_N = TypeVar("_N", Decimal, int)


def _bounded(value: _N) -> _N:
    why = number_problem(value)
    if why is not None:
        raise PydanticCustomError("number_out_of_range", "{why}: the hub reads at most {integer} digits "
                                  "before and {fraction} after the decimal point",
                                  {"why": why, "integer": MAX_INTEGER_DIGITS, "fraction": MAX_FRACTION_DIGITS})
    return value


Number = Annotated[Decimal, Field(allow_inf_nan=False), AfterValidator(_bounded)]
"""A decimal within :func:`number_problem`'s bounds: what every amount, weight and quantity is."""
Count = Annotated[int, AfterValidator(_bounded)]
"""A whole number (pieces, packages, sequence numbers, totals) below 10**MAX_INTEGER_DIGITS."""


class Model(BaseModel):
    """Base for canonical models: strict field names, no silent extras."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)


class Kind(str, Enum):
    """What a document is about; routes match on it."""

    WAYBILL = "waybill"
    MANIFEST = "manifest"
    DECLARATION = "declaration"
    RECEIPT = "receipt"
    PERSONS = "persons"
    STATUS = "status"
    ORDER = "order"
    PAYMENT = "payment"
    LOGISTICS = "logistics"
    INVENTORY = "inventory"
    ARRIVAL = "arrival"
    TALLY = "tally"


class Direction(str, Enum):
    IMPORT = "import"
    EXPORT = "export"


class Function(str, Enum):
    """Message function (UNTDID 1225 meaning): original, amendment, cancellation."""

    ORIGINAL = "original"
    AMEND = "amend"
    CANCEL = "cancel"


class TransportMode(str, Enum):
    """UN/ECE Recommendation 19 modes the hub routes on."""

    SEA = "sea"
    RAIL = "rail"
    ROAD = "road"
    AIR = "air"

    @property
    def rec19(self) -> str:
        """The numeric Rec 19 code (1 sea, 2 rail, 3 road, 4 air)."""
        return {"sea": "1", "rail": "2", "road": "3", "air": "4"}[self.value]

    @classmethod
    def from_rec19(cls, code: str) -> TransportMode:
        """Map a Rec 19 code (first digit) back to a mode."""
        return {"1": cls.SEA, "2": cls.RAIL, "3": cls.ROAD, "4": cls.AIR}[code.strip()[:1]]


class Measure(Model):
    """A quantity with its UN/ECE Rec 20 unit (KGM, MTQ, PCE ...)."""

    value: Number
    unit: str = "KGM"


class Amount(Model):
    """Money: a decimal value and its ISO 4217 currency."""

    value: Number
    currency: str


class Address(Model):
    street: str | None = None
    city: str | None = None
    postcode: str | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2")


class Party(Model):
    """A trader, carrier, agent or authority."""

    id: str | None = Field(None, description="account, EORI, USCI, customs code ...")
    name: str | None = None
    additional_name: str | None = Field(None, description="a further name line the sender wrote below the "
                                        "name, not a wrap of it: a branch, a department, a c/o line")
    address: Address | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def full_name(self) -> str | None:
        """The name and its further line as one text, for formats with a single name field."""
        return " ".join(p for p in (self.name, self.additional_name) if p) or None


class Location(Model):
    """A place: IATA airport, UN/LOCODE, or a customs office/port code."""

    code: str
    name: str | None = None


class CustomsNote(Model):
    """Other customs information (Cargo-XML OCI): what, about whom, for which country."""

    content_code: str
    content: str
    subject_code: str | None = None
    country: str | None = None


_ULD_ID = re.compile(r"([A-Z]{3}) ?([0-9]{4,5}) ?([A-Z0-9]{2})")
_ULD_SERIAL = re.compile(r"[0-9]{4,5}")


class TransportEquipment(Model):
    """A unit load device or container the goods travel in.

    An IATA ULD is its type, serial number and owner (``PMC 1337 XX``: type PMC, serial 1337,
    owner XX, written together as ``PMC1337XX``); a sea container keeps its whole ISO 6346
    number (``MSKU1234565``) in ``serial``."""

    type_code: str | None = Field(None, description="IATA ULD type (PMC, AKE ...) or container size/type code")
    serial: str | None = Field(None, description="ULD serial number (1337) or the whole container number")
    owner: str | None = Field(None, description="ULD owner or operator, an airline code (XX)")

    @property
    def id(self) -> str:
        """The equipment as one identifier: ``PMC1337XX`` for a ULD, the container number otherwise."""
        if self.serial is None:
            return self.type_code or ""
        if self.type_code is not None and (self.owner is not None or _ULD_SERIAL.fullmatch(self.serial)):
            return f"{self.type_code}{self.serial}{self.owner or ''}"
        return self.serial

    @classmethod
    def from_id(cls, text: str, type_code: str | None = None) -> TransportEquipment:
        """An identifier as one piece of equipment: ``PMC1337XX`` or ``PMC 1337 XX`` as a ULD's
        type, serial and owner; anything else (a container number) as the serial."""
        text = text.strip()
        match = _ULD_ID.fullmatch(text)
        if match is not None and type_code in (None, match.group(1)):
            return cls(type_code=match.group(1), serial=match.group(2), owner=match.group(3))
        return cls(type_code=type_code, serial=text)


class CarriesEquipment(Model):
    """A document part that may name its transport equipment (``equipment``).

    The list (and any other field named in ``_omitted_when_empty``) is left out of the
    canonical JSON while it is empty, so documents without it serialise exactly as they did
    before the field existed."""

    _omitted_when_empty: ClassVar[tuple[str, ...]] = ("equipment",)

    @model_serializer(mode="wrap")
    def _omit_empty_equipment(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self._omitted_when_empty:
                if name in data and data[name] in ([], None):
                    del data[name]
        return data


class MessageHeader(Model):
    """Envelope facts of the sender's message (not the sender's identity: the broker gives that)."""

    message_id: str | None = None
    issued_at: datetime | None = None
    function: Function = Function.ORIGINAL
    sender_id: str | None = None
    recipient_id: str | None = None
    conversation_id: str | None = None
