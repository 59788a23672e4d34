"""Persons list: the passengers or the crew of one flight or voyage (API / PAXLST).

Personal data: these documents are never logged; only counts and the journey are.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Literal

from pydantic import Field

from .common import Count, Kind, Location, MessageHeader, Model, TransportMode


class PersonRole(str, Enum):
    PASSENGER = "passenger"
    CREW = "crew"


class TravelDocument(Model):
    """A passport, identity card or crew licence (UN/EDIFACT 1001 style type code: P, I, C ...)."""

    type: str = Field(..., description="P passport, I identity card, C crew licence, ...")
    number: str
    issuing_country: str | None = Field(None, description="ISO 3166 alpha-2 or alpha-3 as sent")
    expires_on: date | None = None


class Person(Model):
    surname: str
    given_names: str | None = None
    sex: str | None = Field(None, description="M, F or X")
    born_on: date | None = None
    nationality: str | None = None
    residence_country: str | None = None
    birth_place: str | None = None
    documents: list[TravelDocument] = Field(default_factory=list)
    embarkation: Location | None = None
    debarkation: Location | None = None
    reference: str | None = Field(None, description="booking reference or seat, as sent")


class PersonsList(Model):
    """Who travels on one conveyance: a passenger list or a crew list."""

    kind: Literal[Kind.PERSONS] = Kind.PERSONS
    header: MessageHeader = Field(default_factory=MessageHeader)
    role: PersonRole = PersonRole.PASSENGER
    mode: TransportMode = TransportMode.AIR
    carrier: str | None = None
    journey_id: str = Field(..., description="flight or voyage number, e.g. CA931")
    departure: Location
    arrival: Location
    departure_at: datetime | None = None
    arrival_at: datetime | None = None
    reporting_party: str | None = None
    persons: list[Person] = Field(default_factory=list)
    total: Count | None = Field(None, description="the count the sender states (PAXLST CNT+42)")

    @property
    def business_key(self) -> str:
        day = self.departure_at.date().isoformat() if self.departure_at else "-"
        return f"{self.journey_id}/{day}/{self.role.value}"
