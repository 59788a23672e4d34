"""Hypothesis properties of the EDIFACT syntax layer: escaping, character sets, dates, whole messages.

pydifact (an independent implementation) is the oracle for the release character: what the
hub writes, pydifact reads as the same elements.
"""

from __future__ import annotations

import os
import warnings
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydifact.parser import Parser

from adapters.edifact import charsets, dates
from adapters.edifact.syntax import DEFAULT, ServiceChars, Tokens, serialise, split_segment
from hub.adapters import RenderContext
from tests.conftest import example

SETTINGS = settings(max_examples=int(os.environ.get("HUB_HYPOTHESIS_EXAMPLES", 60)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

SPECIALS = ":+?'*.,|!#^~\\"
VALUE = st.text(alphabet=st.sampled_from(charsets.LEVEL_B + SPECIALS), max_size=12)
UNICODE_VALUE = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20)
ELEMENTS = st.lists(st.lists(VALUE, min_size=1, max_size=4), min_size=1, max_size=6)


def _trimmed(elements: list[list[str]]) -> list[list[str]]:
    """What a written segment keeps: trailing empty components and elements are left out."""
    out = []
    for element in elements:
        comps = list(element)
        while len(comps) > 1 and not comps[-1]:
            comps.pop()
        out.append(comps if any(comps) else [""])
    while out and out[-1] == [""]:
        out.pop()
    return out


@st.composite
def service_chars(draw) -> ServiceChars:
    comp, elem, rel, term = draw(st.lists(st.sampled_from(":+?'|!#^~*\\"), min_size=4, max_size=4, unique=True))
    return ServiceChars(comp, elem, ".", rel, None, term)


@SETTINGS
@given(ELEMENTS, service_chars())
def test_any_value_survives_release_escaping_with_any_service_characters(elements, chars):
    text = serialise("FTX", elements, chars)
    assert split_segment(text, chars)[1:] == _trimmed(elements)
    tokens = Tokens(text + chars.terminator + "NAD" + chars.terminator, chars, 0)
    assert [s.tag for s in tokens.segments] == ["FTX", "NAD"] and tokens.problems == []
    assert tokens.segments[0].elements == _trimmed(elements)


@SETTINGS
@given(ELEMENTS)
def test_pydifact_reads_what_the_hub_escapes_as_the_same_elements(elements):
    text = "UNA" + DEFAULT.una()[3:] + serialise("FTX", elements, DEFAULT) + "'"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, segment = list(Parser().parse(text))
    expected = [e[0] if len(e) == 1 else e for e in _trimmed(elements)]
    assert segment.elements == expected


@SETTINGS
@given(UNICODE_VALUE)
def test_the_chosen_repertoire_carries_the_text_and_decodes_it_unchanged(text):
    rep = charsets.choose(text, DEFAULT.specials)
    assert charsets.fits(rep, text, DEFAULT.specials)
    assert text.encode(rep.codec).decode(rep.codec) == text


@SETTINGS
@given(st.text(alphabet=st.sampled_from(charsets.LEVEL_A), min_size=1))
def test_level_a_text_is_written_as_unoa(text):
    assert charsets.choose(text, DEFAULT.specials).syntax_id == "UNOA"


@SETTINGS
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1))
def test_printable_ascii_outside_level_b_is_exactly_the_national_positions(text):
    outside = {c for c in text if c not in charsets.LEVEL_B}
    assert outside <= set("#$@[\\]^`{|}~")
    assert charsets.fits(charsets.REPERTOIRES["UNOB"], text, DEFAULT.specials) == (not outside)


@SETTINGS
@given(st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2099, 1, 1))
    .map(lambda d: d.replace(microsecond=0)),
    st.builds(lambda d, m: d.replace(second=0, microsecond=0, tzinfo=timezone(timedelta(minutes=m))),
              st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2099, 1, 1)),
              st.integers(min_value=-14 * 60, max_value=14 * 60)),
))
def test_dates_and_times_survive_dtm(when):
    value, fmt = dates.encode(when)
    assert dates.parse(value, fmt) == when
    if isinstance(when, datetime) and when.tzinfo is not None:
        assert dates.parse(value, fmt).utcoffset() == when.utcoffset()


@SETTINGS
@given(UNICODE_VALUE, UNICODE_VALUE)
def test_any_name_survives_a_manifest_round_trip(engine, consignee, description):
    manifest = engine.read(example("edifact", "cuscar-0471w-sgsin-cnsha-amend.edi")).document
    first = manifest.consignments[0]
    changed = first.model_copy(update={"consignee": first.consignee.model_copy(update={"name": consignee}),
                                       "goods_description": description})
    manifest = manifest.model_copy(update={"consignments": [changed, *manifest.consignments[1:]]})
    data = engine.render(manifest, "cuscar", RenderContext(message_id="M1")).data
    again = engine.read(data).document
    assert again.consignments[0].consignee.name == consignee
    assert again.consignments[0].goods_description == description
