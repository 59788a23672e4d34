"""Hypothesis: random valid canonical documents survive every writer of their kind, and
text in any declared encoding reaches the model unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.models import (
    Address,
    Conveyance,
    Location,
    Manifest,
    ManifestConsignment,
    Measure,
    Party,
    TransportLeg,
    TransportMode,
    Waybill,
)
from hub.validation import parse_xml

WORDS = st.text(alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ &<>'\"-./北京货运有限公司"), min_size=1,
                max_size=30).map(str.strip).filter(bool).map(lambda s: " ".join(s.split()))
COUNTRIES = st.sampled_from(["CN", "DE", "US", "FR", "GB", "JP", "KR", "NL", "SG", "AE"])
AIRPORTS = st.sampled_from(["PEK", "PVG", "CAN", "FRA", "AMS", "LHR", "JFK", "ICN", "DXB", "SIN"])
HS = st.from_regex(r"[0-9]{6}|[0-9]{8}|[0-9]{10}", fullmatch=True)
PROPERTY = settings(max_examples=int(__import__("os").environ.get("HUB_HYPOTHESIS_EXAMPLES", 60)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def awbs(draw) -> str:
    serial = draw(st.integers(min_value=0, max_value=9_999_999))
    return f"{draw(st.integers(min_value=1, max_value=999)):03d}-{serial:07d}{serial % 7}"


def weights():
    return st.decimals(min_value=Decimal("0.1"), max_value=Decimal("99999.9"), places=1).map(
        lambda d: Measure(value=d, unit="KGM"))


def parties():
    return st.builds(Party, name=WORDS, address=st.builds(Address, street=WORDS, city=WORDS, country=COUNTRIES))


@st.composite
def waybills(draw) -> Waybill:
    origin, destination = draw(st.lists(AIRPORTS, min_size=2, max_size=2, unique=True))
    when = datetime(2026, 11, 27, 8, 0, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 500)))
    return Waybill(number=draw(awbs()), shipper=draw(parties()), consignee=draw(parties()),
                   origin=Location(code=origin), destination=Location(code=destination),
                   pieces=draw(st.integers(min_value=1, max_value=9999)), gross_weight=draw(weights()),
                   goods_description=draw(WORDS), hs_codes=draw(st.lists(HS, min_size=1, max_size=3)),
                   routing=[TransportLeg(carrier="CA", number=f"CA{draw(st.integers(1, 9999))}",
                                         departure=Location(code=origin), arrival=Location(code=destination),
                                         departure_at=when)])


@st.composite
def manifests(draw) -> Manifest:
    loading, unloading = draw(st.lists(AIRPORTS, min_size=2, max_size=2, unique=True))
    consignments = [ManifestConsignment(transport_document=awb, pieces=draw(st.integers(1, 999)),
                                        gross_weight=draw(weights()), goods_description=draw(WORDS),
                                        hs_codes=draw(st.lists(HS, min_size=1, max_size=2)),
                                        origin=Location(code=loading), destination=Location(code=unloading))
                    for awb in draw(st.lists(awbs(), min_size=1, max_size=5, unique=True))]
    manifest = Manifest(conveyance=Conveyance(mode=TransportMode.AIR, carrier=Party(id="CA"),
                                              journey_id=f"CA{draw(st.integers(1, 9999))}",
                                              departure_date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31)))),
                        loading_location=Location(code=loading), unloading_location=Location(code=unloading),
                        consignments=consignments)
    manifest.total_pieces = manifest.summed_pieces()
    manifest.total_gross_weight = Measure(value=manifest.summed_weight())
    return manifest


def body(doc):
    return doc.model_dump(exclude={"header"})


@PROPERTY
@given(doc=waybills())
def test_random_valid_waybills_round_trip_through_xfwb_and_json(engine, ctx, doc):
    for fmt in ("xfwb", "json"):
        inbound = engine.read(engine.render(doc, fmt, ctx).data)
        assert body(inbound.document) == body(doc), fmt


@PROPERTY
@given(doc=manifests())
def test_random_valid_manifests_round_trip_through_xffm_and_json(engine, ctx, doc):
    for fmt in ("xffm", "json"):
        inbound = engine.read(engine.render(doc, fmt, ctx).data)
        assert body(inbound.document) == body(doc), fmt


@PROPERTY
@given(doc=manifests())
def test_random_valid_manifests_keep_their_consignments_in_gacc_mt1101(engine, ctx, doc):
    back = engine.read(engine.render(doc, "gacc-mt1101", ctx).data).document
    assert [(c.transport_document, c.pieces, c.gross_weight.value, c.hs_codes) for c in back.consignments] == \
           [(c.transport_document, c.pieces, c.gross_weight.value, c.hs_codes) for c in doc.consignments]
    assert back.conveyance.journey_id == doc.conveyance.journey_id
    assert back.conveyance.departure_date == doc.conveyance.departure_date


XML_TEXT = st.text(alphabet=st.characters(codec="gbk", exclude_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(text=XML_TEXT, encoding=st.sampled_from(["GBK", "GB18030", "UTF-8", "UTF-16"]))
def test_text_in_any_declared_encoding_parses_to_the_same_string(text, encoding):
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    data = f'<?xml version="1.0" encoding="{encoding}"?><r>{escaped}</r>'.encode(encoding.lower())
    assert (parse_xml(data).getroot().text or "") == text.replace("\r", "\n")
