"""Building blocks shared by every canonical document (WCO-Data-Model-like names)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


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
    def from_rec19(cls, code: str) -> "TransportMode":
        """Map a Rec 19 code (first digit) back to a mode."""
        return {"1": cls.SEA, "2": cls.RAIL, "3": cls.ROAD, "4": cls.AIR}[code.strip()[:1]]


class Measure(Model):
    """A quantity with its UN/ECE Rec 20 unit (KGM, MTQ, PCE ...)."""

    value: Decimal
    unit: str = "KGM"


class Amount(Model):
    """Money: a decimal value and its ISO 4217 currency."""

    value: Decimal
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
    address: Address | None = None
    phone: str | None = None
    email: str | None = None


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


class MessageHeader(Model):
    """Envelope facts of the sender's message (not the sender's identity: the broker gives that)."""

    message_id: str | None = None
    issued_at: datetime | None = None
    function: Function = Function.ORIGINAL
    sender_id: str | None = None
    recipient_id: str | None = None
    conversation_id: str | None = None
