"""PAXLST (passenger and crew list, WCO/IATA API) <-> PersonsList.

The hub's profile (the IATA/WCO API implementation guide's segments; it writes D:05B):

    BGM+745 (passengers) | BGM+250 (crew) [++<function> when not original]
    NAD+MS+++<name>                                    the reporting party
    TDT+20+<flight>+<Rec 19 mode>++<carrier>           the flight (first TDT; mode absent: air)
    LOC+125 + DTM+189                                  departure airport and time
    LOC+87  + DTM+232                                  arrival airport and time
    (UNH 0057 IATA declares the WCO/IATA/ICAO guideline, which carries TDT without the DTM that
    D05B's own table makes mandatory after it; a time whose place is not stated is written there)
    per person: NAD+FL (passenger) | NAD+FM (crew)+++<surname>:<given names>
                ATT+2++<M|F|X>  DTM+329 (birth)  LOC+178 / LOC+179 (embarkation / debarkation)
                LOC+174 (residence country)  LOC+180 (birth place)  NAT+2+<nationality>
                RFF+AVF (reservation number, the canonical ``reference``)
                per document: DOC+<type>+<number>  DTM+36 (expiry)  LOC+91 (issuing country)
    CNT+42:<n> (passengers) | CNT+41:<n> (crew)        the stated total

Read also: LOC+92 (routing) for departure / arrival when followed by DTM+189 / DTM+232, as
IATA itineraries send them. Two-digit birth years are never in the future of the interchange
date. Personal data: nothing here logs.

Several legs (TDT repeated, D:05B itineraries): the border leg is read, the one whose LOC+125
/ LOC+87 pair crosses into the reporting country; without such a pair, the first leg. Other
legs are not kept.

Road, rail and sea crossings (US CBP ACE truck lists, ferry and train lists):
- mode: TDT C220; absent, air when TDT carries a flight number (8028), else road (a list
  without mode and without flight number is a land border crossing, as truck lists send it)
- journey_id: TDT 8028; for air it is required (the flight number), otherwise absent 8028 is
  fine and the conveyance id is read from TDT C222 8213 (vessel IMO number, truck plate), else
  C222 8212 (the means' name or number), else BGM 1004 (the list's document number, the trip)
- places: departure LOC+125, else LOC+5, else LOC+92 with DTM+189; arrival LOC+87, else
  LOC+60 (place of arrival: the border crossing), else LOC+8, else LOC+92 with DTM+232. A land
  or sea crossing that gives one place (the border crossing) has it as both; one that gives
  none has the place ``ZZZ`` ("not stated"), which the writer leaves out. Times: DTM+189 (186)
  and DTM+232 (132, estimated arrival) anywhere in the leg when no LOC is followed by them.
- travellers: every NAD after the transport details (segment group 4), whatever its qualifier
  (FL passenger, FM crew, VW in ACE truck lists); the list's role is BGM 1001 (745 passengers,
  250 crew), else FL / FM of the first traveller, else crew when travellers give employment
  details (EMP), else passengers. Names: C080 3036 (up to five components; 3045 is a format code).
"""

from __future__ import annotations

from datetime import datetime

from hub.adapters import RenderContext
from hub.models import Function, Kind, Location, Person, PersonRole, PersonsList, TransportMode, TravelDocument

from . import lengths, parties
from .base import EdifactAdapter
from .lengths import FittedWriter, version_of
from .reading import FUNCTION_OUT, Body, joined, journey_of, location_of, place
from .syntax import Segment
from .writer import MessageWriter

ROLES = {"745": PersonRole.PASSENGER, "250": PersonRole.CREW}
TRAVELLER = {PersonRole.PASSENGER: "FL", PersonRole.CREW: "FM"}
TOTAL = {PersonRole.PASSENGER: "42", PersonRole.CREW: "41"}
GIVEN_NAME_LINES = 4
"""C080 after the surname: four more 3036 components for the given names."""
NOT_STATED = "ZZZ"
"""The place of a land or sea crossing list that states none (never written back)."""


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
        segments = body.segments
        first_tdt = next((i for i, seg in enumerate(segments) if seg.tag == "TDT"), None)
        if first_tdt is None:
            body.need("TDT", what="the flight or voyage")
        start = next((i for i in range(first_tdt, len(segments)) if segments[i].tag == "NAD"), len(segments))
        head = segments[:start]
        _, travellers = body.groups("NAD", within=segments[start:])
        bgm = body.need("BGM", within=head)
        role = _role(bgm, travellers)
        _, legs = body.groups("TDT", within=head)
        leg = next((g for g in legs if any(s.tag == "LOC" and s.get(0) in ("125", "87") for s in g)), legs[0])
        tdt = leg[0]
        mode = body.transport_mode(tdt, 2) or (TransportMode.AIR if tdt.get(1) else TransportMode.ROAD)
        journey = journey_of(tdt, bgm, mode)
        if journey is None:
            if mode is TransportMode.AIR:
                _missing(body, tdt)
            _missing(body, tdt, "TDT 8028, C222 or BGM 1004", "the conveyance or trip")
        departure, departure_at = _stop(body, leg, ("125", "5"), ("189", "186"))
        arrival, arrival_at = _stop(body, leg, ("87", "60", "8"), ("232", "132"))
        if mode is TransportMode.AIR:
            departure = departure or _missing(body, tdt, "LOC+125", "the departure place")
            arrival = arrival or _missing(body, tdt, "LOC+87", "the arrival place")
        else:
            departure = departure or arrival or Location(code=NOT_STATED, name="not stated")
            arrival = arrival or departure
        born_before = body.interchange.prepared_at.year if body.interchange.prepared_at else None
        total = body.first("CNT", "42") or body.first("CNT", "41")
        return PersonsList(
            header=self.header(body, body.function(bgm)), role=role, mode=mode,
            carrier=tdt.get(4, 0), journey_id=journey, departure=departure, arrival=arrival,
            departure_at=departure_at or body.instant(_time(leg, ("189", "186"))),
            arrival_at=arrival_at or body.instant(_time(leg, ("232", "132"))),
            reporting_party=joined(body.first("NAD", "MS", head), 3, parties.NAME_WIDTH),
            persons=[_person(body, group, born_before) for group in travellers],
            total=total and body.integer(total, 0, 1),
        )

    def write(self, doc: PersonsList, ctx: RenderContext) -> MessageWriter:
        w = FittedWriter(version=version_of(self.identifier))
        function = None if doc.header.function is Function.ORIGINAL else FUNCTION_OUT[doc.header.function]
        w.add("BGM", "745" if doc.role is PersonRole.PASSENGER else "250", None, function)
        if doc.reporting_party is not None:
            w.add("NAD", "MS", None, None,
                  w.lines(doc.reporting_party, "3036", lengths.NAME_LINES, "NAD+MS C080 3036"))
        w.add("TDT", "20", w.value(doc.journey_id, "8028", "TDT 8028"), doc.mode.rec19, None,
              w.value(doc.carrier, "3127", "TDT C040 3127"))
        # The WCO/IATA/ICAO API guideline this message declares (UNH 0057 IATA): each place with its time
        # (SG3: LOC+125 DTM+189, LOC+87 DTM+232), TDT alone in SG2, where D05B itself wants a DTM after TDT
        # (adapters/edifact/guides.json). A time without its place is TDT's own DTM (one only).
        times = [("189", doc.departure_at, doc.departure, "125"), ("232", doc.arrival_at, doc.arrival, "87")]
        unplaced = [(q, when) for q, when, where, _ in times if when is not None and where.code == NOT_STATED]
        if unplaced:
            w.dtm(*unplaced[0])
        for qualifier, when, where, code in times:
            if where.code != NOT_STATED:
                w.add("LOC", code, place(w, where, f"LOC+{code}"))
                w.dtm(qualifier, when)
        for person in doc.persons:
            _write_person(w, TRAVELLER[doc.role], person)
        if doc.total is not None:
            w.add("CNT", [TOTAL[doc.role], str(doc.total)])
        return w


def _missing(body: Body, at: Segment, label: str = "TDT 8028", what: str = "the flight number"):
    raise body.error(at, f"the message gives no {label}: {what} is required", code="EDI_SEGMENT_MISSING")


def _role(bgm: Segment, travellers: list[list[Segment]]) -> PersonRole:
    if (role := ROLES.get(bgm.get(0, 0))) is not None:
        return role
    first = travellers[0] if travellers else []
    qualifier = first[0].get(0) if first else None
    if qualifier in ("FL", "FM"):
        return PersonRole.CREW if qualifier == "FM" else PersonRole.PASSENGER
    return PersonRole.CREW if any(s.tag == "EMP" for s in first) else PersonRole.PASSENGER


def _stop(body: Body, leg: list[Segment], qualifiers: tuple[str, ...],
          times: tuple[str, ...]) -> tuple[Location | None, datetime | None]:
    """A place (the first LOC+qualifier in the order given, else the LOC+92 followed by a DTM+time)
    and the DTM+time that follows it."""
    def follower(i: int) -> Segment | None:
        nxt = leg[i + 1] if i + 1 < len(leg) else None
        return nxt if nxt is not None and nxt.tag == "DTM" and nxt.get(0, 0) in times else None

    for qualifier in qualifiers:
        for i, seg in enumerate(leg):
            if seg.tag == "LOC" and seg.get(0) == qualifier and (place := location_of(seg)) is not None:
                return place, body.instant(follower(i))
    for i, seg in enumerate(leg):
        if seg.tag == "LOC" and seg.get(0) == "92" and follower(i) is not None:
            return location_of(seg), body.instant(follower(i))
    return None, None


def _time(leg: list[Segment], times: tuple[str, ...]) -> Segment | None:
    """The first DTM of the leg with one of the qualifiers, in their order."""
    for qualifier in times:
        if (found := next((s for s in leg if s.tag == "DTM" and s.get(0, 0) == qualifier), None)) is not None:
            return found
    return None


def _person(body: Body, group: list[Segment], born_before: int | None) -> Person:
    nad = group[0]
    own, docs = body.groups("DOC", within=group[1:])
    given = " ".join(c for c in nad.components(3)[1:5] if c) or None
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


def _write_person(w: FittedWriter, qualifier: str, p: Person) -> None:
    w.add("NAD", qualifier, None, None, [w.value(p.surname, "3036", f"NAD+{qualifier} C080 3036 (surname)"),
                                         *_given(w, p.given_names, f"NAD+{qualifier} C080 3036 (given names)")])
    if p.sex is not None:
        w.add("ATT", "2", None, [p.sex])
    w.dtm("329", p.born_on)
    for code, loc in (("178", p.embarkation), ("179", p.debarkation)):
        if loc is not None:
            w.add("LOC", code, place(w, loc, f"LOC+{code}"))
    for code, country in (("174", p.residence_country), ("180", p.birth_place)):
        if country is not None:
            w.add("LOC", code, w.value(country, "3225", f"LOC+{code} C517 3225"))
    if p.nationality is not None:
        w.add("NAT", "2", p.nationality)
    if p.reference is not None:
        w.add("RFF", ["AVF", w.value(p.reference, "1154", "RFF+AVF C506 1154")])
    for d in p.documents:
        w.add("DOC", d.type, w.value(d.number, "1004", "DOC C503 1004"))
        w.dtm("36", d.expires_on)
        if d.issuing_country is not None:
            w.add("LOC", "91", d.issuing_country)


def _given(w: FittedWriter, given: str | None, where: str) -> list[str]:
    """Given names over C080's four further components, split at blanks (the reader joins them with
    one blank): names that do not split so, or need more than four, are refused."""
    if given is None:
        return []
    width = lengths.limit(w.version, "3036")
    parts: list[str] = []
    for word in given.split(" "):
        if parts and len(parts[-1]) + 1 + len(word) <= width:
            parts[-1] += " " + word
        else:
            parts.append(word)
    if len(parts) > GIVEN_NAME_LINES or any(not p or len(p) > width for p in parts):
        raise lengths.refused(where, "3036", f"{len(given)} characters do not split at blanks into "
                              f"{GIVEN_NAME_LINES} lines of {width}")
    return parts
