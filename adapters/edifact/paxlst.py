"""PAXLST (passenger and crew list, WCO/IATA API) <-> PersonsList.

The hub's profile (the IATA/WCO API implementation guide's segments; it writes D:05B):

    BGM+745 (passengers) | BGM+250 (crew) [++<function> when not original]
    NAD+MS+++<name>                                    the reporting party
    TDT+20+<flight>+<Rec 19 mode>++<carrier>           the flight (first TDT; mode absent: air)
    LOC+125 + DTM+189                                  departure airport and time
    LOC+87  + DTM+232                                  arrival airport and time
    per person: NAD+FL (passenger) | NAD+FM (crew)+++<surname>:<given names>
                ATT+2++<M|F|X>  DTM+329 (birth)  LOC+178 / LOC+179 (embarkation / debarkation)
                LOC+174 (residence country)  LOC+180 (birth place)  NAT+2+<nationality>
                RFF+AVF (reservation number, the canonical ``reference``)
                per document: DOC+<type>+<number>  DTM+36 (expiry)  LOC+91 (issuing country)
    CNT+42:<n> (passengers) | CNT+41:<n> (crew)        the stated total

Read also: LOC+92 (routing) for departure / arrival when followed by DTM+189 / DTM+232, as
IATA itineraries send them; further TDT legs are not kept. Two-digit birth years are never
in the future of the interchange date. Personal data: nothing here logs.
"""

from __future__ import annotations

from datetime import datetime

from hub.adapters import RenderContext
from hub.models import Function, Kind, Location, Person, PersonRole, PersonsList, TransportMode, TravelDocument

from .base import EdifactAdapter
from .reading import FUNCTION_OUT, Body, joined, lines, loc_elements, location_of
from .syntax import Segment
from .writer import MessageWriter

ROLES = {"745": PersonRole.PASSENGER, "250": PersonRole.CREW}
TRAVELLER = {PersonRole.PASSENGER: "FL", PersonRole.CREW: "FM"}
TOTAL = {PersonRole.PASSENGER: "42", PersonRole.CREW: "41"}


class Paxlst(EdifactAdapter):
    name = "paxlst"
    text_locations = {"/persons/*": r"NAD\+FL", "/total": r"CNT\+42", "/departure": r"LOC\+125\+",
                      "/arrival": r"LOC\+87\+"}
    message_type = "PAXLST"
    identifier = ("PAXLST", "D", "05B", "UN", "IATA")
    description = "UN/EDIFACT PAXLST passenger or crew list (advance passenger information)"
    reads = frozenset({Kind.PERSONS})
    writes = frozenset({Kind.PERSONS})

    def read(self, body: Body) -> PersonsList:
        head, travellers = body.groups("NAD", qualifiers=("FL", "FM"))
        bgm = body.need("BGM", within=head)
        role = ROLES.get(bgm.get(0, 0)) or (PersonRole.CREW if travellers and travellers[0][0].get(0) == "FM"
                                            else PersonRole.PASSENGER)
        _, legs = body.groups("TDT", within=head)
        if not legs:
            body.need("TDT", within=head, what="the flight or voyage")
        leg = legs[0]
        tdt = leg[0]
        departure, departure_at = _stop(body, leg, "125", "189")
        arrival, arrival_at = _stop(body, leg, "87", "232")
        born_before = body.interchange.prepared_at.year if body.interchange.prepared_at else None
        total = body.first("CNT", "42") or body.first("CNT", "41")
        return PersonsList(
            header=self.header(body, body.function(bgm)), role=role,
            mode=body.transport_mode(tdt, 2) or TransportMode.AIR,
            carrier=tdt.get(4, 0), journey_id=tdt.get(1) or _missing(body, tdt),
            departure=departure or _missing(body, tdt, "LOC+125", "the departure place"),
            arrival=arrival or _missing(body, tdt, "LOC+87", "the arrival place"),
            departure_at=departure_at, arrival_at=arrival_at,
            reporting_party=joined(body.first("NAD", "MS", head), 3),
            persons=[_person(body, group, born_before) for group in travellers],
            total=total and body.integer(total, 0, 1),
        )

    def write(self, doc: PersonsList, ctx: RenderContext) -> MessageWriter:
        w = MessageWriter()
        function = None if doc.header.function is Function.ORIGINAL else FUNCTION_OUT[doc.header.function]
        w.add("BGM", "745" if doc.role is PersonRole.PASSENGER else "250", None, function)
        if doc.reporting_party is not None:
            w.add("NAD", "MS", None, None, lines(doc.reporting_party, 5))
        w.add("TDT", "20", doc.journey_id, doc.mode.rec19, None, doc.carrier)
        w.add("LOC", "125", loc_elements(doc.departure))
        w.dtm("189", doc.departure_at)
        w.add("LOC", "87", loc_elements(doc.arrival))
        w.dtm("232", doc.arrival_at)
        for person in doc.persons:
            _write_person(w, TRAVELLER[doc.role], person)
        if doc.total is not None:
            w.add("CNT", [TOTAL[doc.role], str(doc.total)])
        return w


def _missing(body: Body, at: Segment, label: str = "TDT 8028", what: str = "the flight number"):
    raise body.error(at, f"the message gives no {label}: {what} is required", code="EDI_SEGMENT_MISSING")


def _stop(body: Body, leg: list[Segment], qualifier: str, time: str) -> tuple[Location | None, datetime | None]:
    """A place (LOC+qualifier, else the LOC+92 followed by DTM+time) and its DTM+time."""
    for i, seg in enumerate(leg):
        follower = leg[i + 1] if i + 1 < len(leg) else None
        timed = follower is not None and follower.tag == "DTM" and follower.get(0, 0) == time
        if seg.tag == "LOC" and (seg.get(0) == qualifier or (seg.get(0) == "92" and timed)):
            return location_of(seg), body.instant(follower) if timed else None
    return None, None


def _person(body: Body, group: list[Segment], born_before: int | None) -> Person:
    nad = group[0]
    own, docs = body.groups("DOC", within=group[1:])
    given = " ".join(c for c in nad.components(3)[1:] if c) or None
    born = body.when(body.first("DTM", "329", own), not_after=born_before)
    return Person(
        surname=nad.get(3, 0) or _missing(body, nad, "NAD C080 surname", "the surname"), given_names=given,
        sex=(att := body.first("ATT", "2", own)) and att.get(2, 0),
        born_on=born.date() if isinstance(born, datetime) else born,
        nationality=(nat := body.first("NAT", within=own)) and nat.get(1, 0),
        residence_country=_code(body.first("LOC", "174", own)), birth_place=_code(body.first("LOC", "180", own)),
        documents=[_document(body, d) for d in docs],
        embarkation=location_of(body.first("LOC", "178", own)), debarkation=location_of(body.first("LOC", "179", own)),
        reference=(rff := body.first("RFF", "AVF", own)) and rff.get(0, 1),
    )


def _document(body: Body, group: list[Segment]) -> TravelDocument:
    doc = group[0]
    if doc.get(1, 0) is None:
        raise body.error(doc, "DOC names no document number (C503 1004)", 3, 1, code="EDI_SEGMENT_MISSING")
    return TravelDocument(type=doc.get(0, 0) or "P", number=doc.get(1, 0),
                          issuing_country=_code(body.first("LOC", "91", group)),
                          expires_on=body.day(body.first("DTM", "36", group)))


def _code(loc: Segment | None) -> str | None:
    return loc.get(1, 0) if loc else None


def _write_person(w: MessageWriter, qualifier: str, p: Person) -> None:
    w.add("NAD", qualifier, None, None, [p.surname, p.given_names])
    if p.sex is not None:
        w.add("ATT", "2", None, [p.sex])
    w.dtm("329", p.born_on)
    for code, loc in (("178", p.embarkation), ("179", p.debarkation)):
        if loc is not None:
            w.add("LOC", code, loc_elements(loc))
    for code, country in (("174", p.residence_country), ("180", p.birth_place)):
        if country is not None:
            w.add("LOC", code, country)
    if p.nationality is not None:
        w.add("NAT", "2", p.nationality)
    if p.reference is not None:
        w.add("RFF", ["AVF", p.reference])
    for d in p.documents:
        w.add("DOC", d.type, d.number)
        w.dtm("36", d.expires_on)
        if d.issuing_country is not None:
            w.add("LOC", "91", d.issuing_country)
