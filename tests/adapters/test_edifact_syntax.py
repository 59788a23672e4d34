"""The EDIFACT syntax layer: envelope controls, service characters, release character, blanks, character sets.

Every syntax error has a stable code, the segment's position in the interchange (UNB = 1)
and its line; errors inside a message also name the message and the position in it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters import edifact
from adapters.edifact import envelope
from adapters.edifact.syntax import ServiceChars, serialise, split_segment
from hub.adapters import Probe, RenderContext
from hub.composition import build_engine
from hub.errors import ConversionError, InvalidDocument, ParseError
from hub.settings import Settings
from tests.adapters.golden_support import line_of
from tests.conftest import example

BODY = ["BGM+785+X1+9", "TDT+20+V1+1++CAR", "LOC+9+USLAX", "LOC+11+CNSHA", "DTM+133:20261118:102",
        "CNI+1+BL1", "CNT+7:100:KGM", "RFF+BM:BL1", "GID+1+5"]
"""A CUSCAR D95B body its directory accepts (SG1 TDT LOC* DTM*, SG4 CNI CNT, SG5 RFF .. SG10 GID), so
the tests below check the syntax layer and not the segment table."""
BAD = example("bad", "cuscar-wrong-unt.edi")


def message(body=BODY, ref="M1", kind="CUSCAR:D:95B:UN", count=None, trailer_ref=None) -> list[str]:
    n = len(body) + 2 if count is None else count
    return [f"UNH+{ref}+{kind}", *body, f"UNT+{n}+{trailer_ref or ref}"]


def interchange(*segments: str, syntax="UNOC:3", ref="IC1", count=None, zref=None,
                una="UNA:+.? '", sep="'\n") -> bytes:
    n = sum(s.startswith("UNH+") for s in segments) if count is None else count
    all_segments = [f"UNB+{syntax}+SENDER+RECEIVER+261127:0830+{ref}", *segments, f"UNZ+{n}+{zref or ref}"]
    return ((una + "\n" if una else "") + "".join(s + sep for s in all_segments)).encode("latin-1")


@pytest.fixture(scope="module")
def lenient_engine():
    """The engine with HUB_EDIFACT_LENIENT: directory problems are warnings, the reader's own checks stay."""
    return build_engine(Settings(edifact_lenient=True))


def problems(engine, data: bytes) -> list[tuple[str, int, str]]:
    return [(p.code, p.line, p.path) for p in engine.inspect(data).problems]


# -- control counts and references ----------------------------------------------------------------

def test_wrong_unt_count_names_the_segment_its_position_in_the_message_and_the_line(engine):
    unt_line = line_of(BAD, b"UNT+")
    position = unt_line - 1  # one segment a line after the UNA line; UNB is segment 1
    (code, line, path), = problems(engine, BAD)
    assert (code, line) == ("EDI_UNT_COUNT", unt_line)
    assert path == f"segment {position} UNT, message ONE0471W0002 segment {position - 1}"
    assert f"counts '{position + 1}' but there are {position - 1} segments" in engine.inspect(BAD).problems[0].message


def test_unt_reference_must_repeat_the_unh_reference(engine):
    data = interchange(*message(trailer_ref="M2"))
    assert problems(engine, data) == [("EDI_UNT_REFERENCE", 13, "segment 12 UNT, message M1 segment 11")]


def test_unz_count_and_reference_are_checked(engine):
    data = interchange(*message(), count=2, zref="IC9")
    assert problems(engine, data) == [("EDI_UNZ_COUNT", 14, "segment 13 UNZ"),
                                      ("EDI_UNZ_REFERENCE", 14, "segment 13 UNZ")]


def test_une_count_and_reference_are_checked_and_unz_counts_groups(engine):
    data = interchange("UNG+CUSCAR+SENDER+RECEIVER+261127:0830+G1+UN+D:95B", *message(), "UNE+2+G9")
    assert problems(engine, data) == [("EDI_UNE_COUNT", 15, "segment 14 UNE"),
                                      ("EDI_UNE_REFERENCE", 15, "segment 14 UNE")]
    good = interchange("UNG+CUSCAR+SENDER+RECEIVER+261127:0830+G1+UN+D:95B", *message(), "UNE+1+G1", count=1)
    assert problems(engine, good) == []
    assert problems(engine, good.replace(b"UNZ+1+", b"UNZ+3+")) == [("EDI_UNZ_COUNT", 16, "segment 15 UNZ")]


@pytest.mark.parametrize("segments, code, line", [
    (message()[:-1], "EDI_UNT_MISSING", 13),                       # UNH .. then UNZ
    (["NAD+CA+X", *message()], "EDI_SEGMENT_OUTSIDE_MESSAGE", 3),
    ([*message(), "UNG+CUSCAR+A+B+261127:0830+G1+UN+D:95B", *message(ref="M2"), "UNE+1+G1"],
     "EDI_GROUPS_MIXED", 14),
])
def test_a_broken_envelope_is_an_error_with_a_code_and_line(engine, segments, code, line):
    found = problems(engine, interchange(*segments))
    assert (code, line) in [(c, n) for c, n, _ in found]


def test_missing_unz_and_content_after_unz_are_errors(engine):
    text = interchange(*message()).decode("latin-1")
    without_unz = text[:text.index("UNZ")].encode()
    assert [c for c, _, _ in problems(engine, without_unz)] == ["EDI_UNZ_MISSING"]
    after = (text + "NAD+CA+X'\n").encode()
    assert problems(engine, after) == [("EDI_CONTENT_AFTER_UNZ", 15, "segment 14 NAD")]


def test_lenient_adapters_read_a_wrong_count_that_strict_ones_refuse():
    strict, lenient = edifact.adapters()[0], edifact.adapters(lenient=True)[0]
    with pytest.raises(InvalidDocument) as err:
        strict.parse(Probe(BAD))
    assert err.value.code == "EDI_UNT_COUNT"
    manifest = lenient.parse(Probe(BAD))
    assert manifest.conveyance.journey_id == "0471W"
    relaxed = envelope.read(BAD, lenient=True).relaxed
    assert [p.code for p in relaxed] == ["EDI_UNT_COUNT"]


def test_lenient_reading_still_refuses_a_broken_envelope():
    with pytest.raises(InvalidDocument) as err:
        envelope.read(interchange(*message()[:-1]), lenient=True)
    assert err.value.code == "EDI_UNT_MISSING"


# -- service characters, release character, blanks ------------------------------------------------

def _with_chars(data: bytes, chars: ServiceChars) -> bytes:
    """The same interchange written with other service characters."""
    ic = envelope.read(data)
    segments = [ic.header, *[s for m in ic.messages for s in (m.header, *m.body, m.trailer)]]
    unz = serialise("UNZ", ["1", ic.reference], chars)
    text = chars.una() + "".join(serialise(s.tag, s.elements, chars) + chars.terminator for s in segments)
    return (text + unz + chars.terminator).encode("utf-8")


@pytest.mark.parametrize("chars", [ServiceChars("|", "*", ".", "#", None, "!"),
                                   ServiceChars("^", "~", ".", "\\", None, "\n")])
def test_non_default_una_separators_read_the_same_document(engine, chars):
    data = example("edifact", "cuscar-0471w-sgsin-cnsha-amend.edi")
    other = _with_chars(data, chars)
    assert other.startswith(b"UNA" + chars.una()[3:].encode())
    assert engine.detect(other).name == "cuscar"
    assert engine.read(other).document == engine.read(data).document


def test_una_decimal_comma_is_read_as_the_decimal_mark(engine):
    data = interchange(*message([b.replace("CNT+7:100:", "CNT+7:100,5:") for b in BODY]), una="UNA:+,? '")
    assert engine.read(data).document.consignments[0].gross_weight.value == Decimal("100.5")


def test_release_character_makes_separators_literal():
    chars = ServiceChars()
    assert split_segment("NAD+CN+A?+B++X?:Y?'Z??", chars) == [["NAD"], ["CN"], ["A+B"], [""], ["X:Y'Z?"]]
    assert serialise("FTX", ["AAA", None, None, ["50% OFF: 2+1", "it's ?"]], chars) == \
        "FTX+AAA+++50% OFF?: 2?+1:it?'s ??"


def test_an_escaped_terminator_does_not_end_the_segment(engine):
    data = interchange(*message([BODY[0], "FTX+AAI+++END?'NOT", *BODY[1:]]))
    assert problems(engine, data) == []


def test_a_released_terminator_is_data_and_a_dangling_release_character_is_an_error(engine, lenient_engine):
    released = interchange(*message()).replace(b"GID+1+5'", b"GID+1+5?''")
    gid = "segment 11 GID, message M1 segment 10 element 3:1"
    # the value is "5'": strictly its directory (n..8) refuses the quote, leniently the reader's number
    (strict,) = engine.inspect(released).problems
    assert (strict.code, strict.line, strict.path) == ("EDI_ELEMENT_FORMAT", 12, gid)
    assert "character \"'\"" in strict.message
    (lenient,) = lenient_engine.inspect(released).problems
    assert (lenient.code, lenient.line, lenient.path) == ("EDI_VALUE_INVALID", 12, gid)
    assert "\"5'\" is not a number" in lenient.message
    dangling = interchange(*message()).rstrip(b"'\n") + b"?"
    assert {"EDI_RELEASE_DANGLING", "EDI_SEGMENT_UNTERMINATED"} <= {c for c, _, _ in problems(engine, dangling)}


def test_blanks_and_line_breaks_before_segments_are_ignored(engine):
    data = example("edifact", "paxlst-ca931-pek-fra.edi")
    spaced = b"\xef\xbb\xbf\r\n  " + data.replace(b"'\n", b"'\r\n \t ")
    one_line = data.replace(b"'\n", b"'")
    assert engine.detect(spaced).name == engine.detect(one_line).name == "paxlst"
    assert engine.read(spaced).document == engine.read(one_line).document == engine.read(data).document


def test_level_b_information_separators_are_read_without_una(engine):
    text = interchange(*message(), una=None, syntax="UNOB:3").decode()
    level_b = text.replace("+", "\x1d").replace(":", "\x1f").replace("'\n", "\x1c").encode()
    assert engine.read(level_b).document.conveyance.journey_id == "V1"


@pytest.mark.parametrize("data, code", [
    (interchange(*message(), syntax="UNOZ:3"), "EDI_SYNTAX_ID_UNKNOWN"),
    (interchange(*message(), una="UNA:+.:?'"), "EDI_UNA_INVALID"),
    (b"UNH+1+CUSCAR:D:95B:UN'UNT+2+1'", "EDI_UNB_MISSING"),
])
def test_an_unreadable_envelope_fails_at_once(data, code):
    with pytest.raises(ParseError) as err:
        envelope.read(data)
    assert err.value.code == code


def test_an_invalid_tag_and_a_missing_final_terminator_are_errors(engine):
    data = interchange(*message([BODY[0], "nad+CA", *BODY[1:]]))
    assert ("EDI_SEGMENT_TAG_INVALID", 5, "segment 4, message M1 segment 3") in problems(engine, data)
    cut = interchange(*message())[:-2]
    assert [c for c, _, _ in problems(engine, cut)] == ["EDI_SEGMENT_UNTERMINATED"]


# -- character sets on read -----------------------------------------------------------------------

@pytest.mark.parametrize("syntax, raw, code", [
    ("UNOA:3", b"Lower case", "character 'o'"),
    ("UNOB:3", b"mail@example.com", "character '@'"),
    ("UNOC:3", b"BELL\x07", "character U+0007"),
    ("UNOC:3", b"C1\x85", "character U+0085"),
    ("UNOA:3", "CAF\u00c9".encode("latin-1"), "byte 0xC9"),
    ("UNOW:4", b"BAD\xff", "byte 0xFF"),
    ("UNOI:3", b"UNDEFINED\xa1", "byte 0xA1"),
])
def test_a_character_outside_the_declared_set_is_an_error_naming_segment_element_and_line(engine, syntax, raw, code):
    data = interchange(*message([BODY[0], "FTX+AAI+++" + "X" * 3, *BODY[1:]]), syntax=syntax)
    data = data.replace(b"XXX", raw)
    found = engine.inspect(data).problems
    assert [(p.code, p.line, p.path) for p in found] == \
        [("EDI_CHARSET_VIOLATION", 5, "segment 4 FTX, message M1 segment 3 element 5:1")]
    assert code in found[0].message


@pytest.mark.parametrize("syntax, text, codec", [
    ("UNOC:3", "CAFÉ MÜLLER", "latin-1"), ("UNOD:3", "ŁÓDŹ", "iso8859_2"), ("UNOE:3", "МОСКВА", "iso8859_5"),
    ("UNOF:3", "ΑΘΗΝΑ", "iso8859_7"), ("UNOK:3", "İZMİR", "iso8859_9"), ("UNOW:4", "上海 ÅÄÖ", "utf-8"),
    ("UNOY:3", "上海港", "utf-8"), ("UNOX:3", "東京 ＡＢＣ", "iso2022_jp_2"),
])
def test_each_syntax_identifier_decodes_its_own_character_set(engine, syntax, text, codec):
    template = interchange(*message([BODY[0], "NAD+CZ+++PLACEHOLDER", *BODY[1:]]), syntax=syntax).decode("latin-1")
    data = template.replace("PLACEHOLDER", "{}").encode(codec).replace(b"{}", text.encode(codec))
    assert engine.read(data).document.conveyance.carrier.id == "CAR"
    assert envelope.read(data).messages[0].body[1].get(3, 0) == text


def test_lenient_reading_relaxes_printable_ascii_outside_level_a_but_not_control_characters():
    lower = interchange(*message([BODY[0], "FTX+AAI+++Lower", *BODY[1:]]), syntax="UNOA:3")
    assert [p.code for p in envelope.read(lower, lenient=True).relaxed] == ["EDI_CHARSET_REPERTOIRE"]
    control = lower.replace(b"Lower", b"Lo\x07")
    with pytest.raises(InvalidDocument) as err:
        envelope.read(control, lenient=True)
    assert err.value.code == "EDI_CHARSET_VIOLATION"


# -- character sets on write ----------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [("paxlst-ca931-pek-fra.edi", b"UNOA:3"),
                                            ("cuscar-0471w-sgsin-cnsha-amend.edi", b"UNOB:3"),
                                            ("iftmin-master-999-12345675.edi", b"UNOC:3"),
                                            ("cuscar-052e-uslax-cnsha.edi", b"UNOW:4")])
def test_the_writer_picks_the_smallest_repertoire_that_carries_the_message(engine, ctx, name, expected):
    document = engine.read(example("edifact", name)).document
    assert b"UNB+" + expected + b"+" in engine.render(document, name.split("-")[0], ctx).data


@pytest.mark.parametrize("name, syntax_id, char", [
    ("cuscar-0471w-sgsin-cnsha-amend.edi", "UNOA", "'a'"), ("iftmin-master-999-12345675.edi", "UNOB", "'@'"),
    ("cuscar-052e-uslax-cnsha.edi", "UNOC", "'上'"), ("cuscar-052e-uslax-cnsha.edi", "UNOD", "'上'")])
def test_a_character_the_configured_set_cannot_carry_is_a_conversion_error(engine, name, syntax_id, char):
    document = engine.read(example("edifact", name)).document
    adapter = next(a for a in edifact.adapters(syntax_id=syntax_id) if a.name == name.split("-")[0])
    with pytest.raises(ConversionError) as err:
        adapter.render(document, RenderContext(message_id="M1"))
    assert err.value.code == "EDI_CHARSET_UNWRITABLE"
    assert char in err.value.message and "segment" in err.value.path


def test_a_configured_set_that_carries_the_message_is_written_and_read_back(engine):
    document = engine.read(example("edifact", "cuscar-0471w-sgsin-cnsha-amend.edi")).document
    adapter = next(a for a in edifact.adapters(syntax_id="UNOK") if a.name == "cuscar")
    data = adapter.render(document, RenderContext(message_id="M1")).data
    assert b"UNB+UNOK:3+" in data
    assert engine.read(data).document.consignments == document.consignments


# -- values and messages --------------------------------------------------------------------------

@pytest.mark.parametrize("body, code, path", [
    ([*BODY[:4], "DTM+133:20261340:102", *BODY[5:]], "EDI_VALUE_INVALID",
     "segment 7 DTM, message M1 segment 6 element 2:2"),
    (["BGM+785+X1+27", *BODY[1:]], "EDI_CODE_UNMAPPED", "segment 3 BGM, message M1 segment 2 element 4:1"),
    ([BODY[0], "TDT+20+V1+9++CAR", *BODY[2:]], "EDI_CODE_UNMAPPED", "segment 4 TDT, message M1 segment 3 element 4:1"),
    # the whole SG1 (TDT and its LOC, DTM) left out: D95B allows that, the hub needs the conveyance
    ([BODY[0], *BODY[5:]], "EDI_SEGMENT_MISSING", "segment 2 UNH, message M1 segment 1"),
])
def test_a_bad_value_is_a_parse_error_pointing_at_segment_and_element(engine, body, code, path):
    (found,) = engine.inspect(interchange(*message(body))).problems
    assert (found.code, found.path) == (code, path)


def test_a_word_for_a_number_is_the_directorys_format_error_and_leniently_the_readers(engine, lenient_engine):
    """The directory check (n..8) comes first; the reader's own guard still answers lenient senders."""
    data = interchange(*message([*BODY[:-1], "GID+1+FIVE"]))
    gid = "segment 11 GID, message M1 segment 10 element 3:1"
    (strict,) = engine.inspect(data).problems
    assert (strict.code, strict.path) == ("EDI_ELEMENT_FORMAT", gid)
    (lenient,) = lenient_engine.inspect(data).problems
    assert (lenient.code, lenient.path) == ("EDI_VALUE_INVALID", gid)


def test_an_interchange_without_a_message_is_refused():
    empty = interchange(count=0)
    with pytest.raises(ParseError) as caught:
        next(a for a in edifact.adapters() if a.name == "cuscar").parse_all(Probe(empty))
    assert (caught.value.code, caught.value.path) == ("EDI_UNH_MISSING", "segment 1 UNB")


def test_detection_needs_una_or_unb_first_and_reads_the_message_type(engine):
    data = interchange(*message())
    assert engine.detect(b"\xef\xbb\xbf\n\n  " + data).name == "cuscar"
    assert engine.detect(data.replace(b"CUSCAR", b"PAXLST")).name == "paxlst"
    unknown = data.replace(b"CUSCAR", b"INVOIC")
    for a in edifact.adapters():
        with pytest.raises(ParseError, match="INVOIC is not a message type the hub reads"):
            a.detect(Probe(unknown))
    assert not any(a.detect(Probe(b"ZZZ+" + data)) for a in edifact.adapters())
