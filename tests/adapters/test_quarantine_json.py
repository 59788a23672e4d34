"""The quarantine persons JSON: what health quarantine needs of a passenger list, and nothing more."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from hub.errors import InvalidDocument
from hub.models import Location, Person, PersonRole, PersonsList, TravelDocument


def persons() -> PersonsList:
    return PersonsList(
        role=PersonRole.PASSENGER, carrier="CA", journey_id="CA932", departure=Location(code="FRA"),
        arrival=Location(code="PEK"), departure_at=datetime(2026, 11, 27, 13, 40, tzinfo=UTC),
        arrival_at=datetime(2026, 11, 28, 5, 10, tzinfo=UTC), total=2, reporting_party="CA",
        persons=[Person(surname="MUELLER", given_names="ANNA", sex="F", born_on=date(1985, 3, 2), nationality="DEU",
                        embarkation=Location(code="FRA"), reference="PNR ABC123", residence_country="DEU",
                        documents=[TravelDocument(type="P", number="C01X00T47", issuing_country="DEU",
                                                  expires_on=date(2031, 1, 1)),
                                   TravelDocument(type="I", number="L01X00T47")]),
                 Person(surname="WANG", given_names="WEI", sex="M", nationality="CHN")])


def test_renders_what_quarantine_needs_and_reads_back_those_fields(engine, ctx):
    out = engine.render(persons(), "quarantine-json", ctx)
    body = json.loads(out.data)
    assert (body["journey"], body["from"], body["to"], body["total"]) == ("CA932", "FRA", "PEK", 2)
    assert body["persons"][0] == {"surname": "MUELLER", "given_names": "ANNA", "sex": "F", "born_on": "1985-03-02",
                                  "nationality": "DEU", "boarded_at": "FRA",
                                  "document": {"type": "P", "number": "C01X00T47", "issuing_country": "DEU"}}
    inbound = engine.read(out.data)
    assert inbound.adapter.name == "quarantine-json"
    back, original = inbound.document, persons()
    kept = original.model_copy(update={"reporting_party": None, "persons": [
        p.model_copy(update={"reference": None, "residence_country": None,
                             "documents": [d.model_copy(update={"expires_on": None}) for d in p.documents[:1]]})
        for p in original.persons]})
    assert back == kept


def test_a_list_missing_its_journey_is_a_coded_error(engine, ctx):
    body = json.loads(engine.render(persons(), "quarantine-json", ctx).data)
    del body["journey"]
    with pytest.raises(InvalidDocument) as err:
        engine.read(json.dumps(body).encode())
    assert [p.code for p in err.value.problems] == ["JSON_MALFORMED"] and "journey" in err.value.problems[0].message
