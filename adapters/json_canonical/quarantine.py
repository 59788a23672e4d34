"""Persons list for health quarantine: the fields a quarantine officer needs, as JSON.

Quarantine screens arriving travellers (where they boarded, the flight, who they are); it
does not need booking references, residence or a second travel document, so this format
leaves them out: reading it back gives the persons list without them. Personal data: the
hub stores it, never logs it.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from hub.adapters import Adapter, Output, Probe, RenderContext
from hub.errors import ParseError
from hub.models import Document, Kind, Location, Person, PersonRole, PersonsList, TransportMode, TravelDocument

from .loader import load

SCHEMA_ID = "eport-hub.quarantine-persons/1"


class QuarantinePersons(Adapter):
    name = "quarantine-json"
    family = "canonical"
    description = "persons list for health quarantine (JSON: journey, who boarded where, one travel document)"
    media_type = "application/json"
    reads = frozenset({Kind.PERSONS})
    writes = frozenset({Kind.PERSONS})

    def detect(self, probe: Probe) -> bool:
        return probe.head[:1] == b"{" and SCHEMA_ID.encode() in probe.head

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        assert isinstance(doc, PersonsList)
        body = {
            "schema": SCHEMA_ID, "message_id": ctx.message_id, "role": doc.role.value, "mode": doc.mode.value,
            "carrier": doc.carrier, "journey": doc.journey_id, "from": doc.departure.code, "to": doc.arrival.code,
            "departure_at": _iso(doc.departure_at), "arrival_at": _iso(doc.arrival_at), "total": len(doc.persons),
            "persons": [_person(p) for p in doc.persons],
        }
        return Output(json.dumps(body, ensure_ascii=False).encode(), self.media_type)

    def parse(self, probe: Probe) -> Document:
        body = load(probe.data)
        try:
            return PersonsList(
                role=PersonRole(body["role"]), mode=TransportMode(body["mode"]), carrier=body.get("carrier"),
                journey_id=body["journey"], departure=Location(code=body["from"]), arrival=Location(code=body["to"]),
                departure_at=_when(body.get("departure_at")), arrival_at=_when(body.get("arrival_at")),
                total=body.get("total"), persons=[_read_person(p) for p in body["persons"]])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ParseError(f"a quarantine persons list lacks or misstates {exc}", code="JSON_MALFORMED",
                             line=1) from exc


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _person(p: Person) -> dict:
    doc = p.documents[0] if p.documents else None
    return {"surname": p.surname, "given_names": p.given_names, "sex": p.sex, "born_on": _iso(p.born_on),
            "nationality": p.nationality, "boarded_at": p.embarkation.code if p.embarkation else None,
            "document": {"type": doc.type, "number": doc.number, "issuing_country": doc.issuing_country}
            if doc else None}


def _read_person(body: dict) -> Person:
    doc = body.get("document")
    return Person(surname=body["surname"], given_names=body.get("given_names"), sex=body.get("sex"),
                  born_on=date.fromisoformat(body["born_on"]) if body.get("born_on") else None,
                  nationality=body.get("nationality"),
                  embarkation=Location(code=body["boarded_at"]) if body.get("boarded_at") else None,
                  documents=[TravelDocument(type=doc["type"], number=doc["number"],
                                            issuing_country=doc.get("issuing_country"))] if doc else [])
