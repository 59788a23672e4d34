"""UN/EDIFACT directory checks: each code from a crafted message, the examples and the corpus
against their directories, and the generator's parsing of the UNTDID / ISO 9735 CSV tables."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from adapters.edifact import directory
from adapters.edifact.controls import Message
from adapters.edifact.envelope import read
from adapters.edifact.syntax import MAX_PROBLEMS, Tokens, service_chars
from hub.errors import Problem
from tests.conftest import EXAMPLES, ROOT, corpus_folder

_SPEC = importlib.util.spec_from_file_location("edifact_directories", ROOT / "tools" / "edifact_directories.py")
assert _SPEC and _SPEC.loader
generator = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(generator)

# a CUSCAR that keeps D95B: every group of the segment table but SG6, SG9, SG11..SG13 used once
BODY = [
    "BGM+785+CSC1+9", "DTM+137:202611170945:203", "NAD+CA+COSU::160",
    "TDT+20+052E+1++COSU:172+++9795610:146::COSCO SHIPPING ARIES", "LOC+9+USLAX", "LOC+11+CNSHA",
    "DTM+133:20261118:102", "EQD+CN+MSKU1234565+22G1:102:5", "TMP+2+-005:CEL", "CNT+7:40450.5:KGM",
    "CNI+1+COSU6287400000", "RFF+BM:COSU6287400000", "LOC+9+USLAX",
    "NAD+CN+USCI::ZZZ++SHANGHAI FOOD IMP EXP CO LTD", "CTA+IC+:JOHN", "COM+021-63218800:TE",
    "GID+1+960:CT", "HAN+COL", "FTX+AAA+++FROZEN BEEF CUTS", "MEA+AAE+G+KGM:18250", "SGP+MSKU1234565+960",
]
UNH = "UNH+M1+CUSCAR:D:95B:UN"


def interchange(body: list[str], unh: str = UNH, una: str = "UNA:+.? '", syntax: str = "UNOB:3") -> bytes:
    """An interchange of one message, its counts right."""
    segments = [unh, *body, f"UNT+{len(body) + 2}+M1"]
    return (f"{una}\nUNB+{syntax}+SENDER+RECIPIENT+261117:0945+REF1'\n" + "'\n".join(segments)
            + "'\nUNZ+1+REF1'\n").encode()


def check(data: bytes) -> list[Problem]:
    ic = read(data)
    return [p for msg in ic.messages
            for p in directory.check_message(msg, ic.chars, ic.syntax_version, ic.header.get(6))]


def codes(body: list[str], **kwargs: str) -> list[str]:
    return [p.code for p in check(interchange(body, **kwargs))]


def edited(old: str, *new: str, body: list[str] = BODY) -> list[str]:
    """``body`` with its (first) segment ``old`` replaced by ``new`` (none: removed)."""
    at = body.index(old)
    return [*body[:at], *new, *body[at + 1:]]


def only(body: list[str], **kwargs: str) -> Problem:
    problems = check(interchange(body, **kwargs))
    assert len(problems) == 1, [p.format() for p in problems]
    return problems[0]


def test_the_crafted_cuscar_keeps_d95b():
    assert check(interchange(BODY)) == []


# -- the segment table ------------------------------------------------------------------------------

def test_a_segment_out_of_its_place_is_unexpected_and_pointed_at():
    body = edited("DTM+133:20261118:102", "DTM+133:20261118:102", "LOC+5+USOAK")  # LOC after DTM in SG1
    problem = only(body)
    assert problem.code == "EDI_SEGMENT_UNEXPECTED"
    assert problem.path == "segment 10 LOC, message M1 segment 9"
    assert problem.line == 11
    assert "LOC" in problem.message and "CUSCAR D95B" in problem.message


def test_an_unknown_tag_is_unexpected_and_named():
    problem = only(edited("HAN+COL", "HAN+COL", "XYZ+1"))
    assert problem.code == "EDI_SEGMENT_UNEXPECTED"
    assert "has no segment XYZ" in problem.message


def test_a_run_of_unexpected_segments_is_one_problem_and_the_walk_resumes():
    body = edited("HAN+COL", "HAN+COL", "XYZ+1", "QQQ+2", "LOC+5+USOAK")
    assert codes(body) == ["EDI_SEGMENT_UNEXPECTED"]
    # after the run, the walk is where it was: a second, separate misplaced segment is reported again
    body = edited("SGP+MSKU1234565+960", "SGP+MSKU1234565+960", "XYZ+3", body=body)
    assert codes(body) == ["EDI_SEGMENT_UNEXPECTED", "EDI_SEGMENT_UNEXPECTED"]


def test_a_missing_mandatory_segment_is_reported_before_the_next_one():
    problem = only(edited("BGM+785+CSC1+9"))
    assert problem.code == "EDI_SEGMENT_MISSING"
    assert "BGM" in problem.message
    assert problem.path == "segment 3 DTM, message M1 segment 2"


def test_a_missing_mandatory_group_names_its_trigger():
    at = BODY.index("GID+1+960:CT")
    problem = only(BODY[:at])
    assert problem.code == "EDI_SEGMENT_MISSING"
    assert "segment group 10 (starting with GID)" in problem.message
    assert problem.path.endswith("UNT, message M1 segment " + str(at + 2))


def test_a_segment_repeated_beyond_its_maximum_is_reported_once():
    problem = only(edited("HAN+COL", *["HAN+COL"] * 11))  # HAN: C 9 in SG10
    assert problem.code == "EDI_REPEAT_EXCEEDED"
    assert "at most 9" in problem.message
    assert problem.path.endswith("message M1 segment " + str(BODY.index("HAN+COL") + 2 + 9))


def test_a_group_repeated_beyond_its_maximum_is_reported_once():
    legs = ["TDT+20+052E", "LOC+9+USLAX"] * 11  # SG1: C 9
    at = BODY.index("TDT+20+052E+1++COSU:172+++9795610:146::COSCO SHIPPING ARIES")
    problem = only([*BODY[:at], *legs, *BODY[at + 4:]])
    assert problem.code == "EDI_GROUP_REPEAT_EXCEEDED"
    assert "segment group 1 (starting with TDT)" in problem.message and "at most 9" in problem.message
    assert problem.path.endswith("message M1 segment " + str(at + 2 + 18))


def test_structural_problems_stop_at_the_limit():
    consignment = ["CNI+1+COSU1", "RFF+BM:COSU1"]  # each lacks its mandatory SG10 (GID)
    at = BODY.index("CNI+1+COSU6287400000")
    body = BODY[:at] + consignment * (directory.STRUCTURE_LIMIT + 5)
    assert codes(body) == ["EDI_SEGMENT_MISSING"] * directory.STRUCTURE_LIMIT


# -- elements and components ------------------------------------------------------------------------

def test_more_elements_than_the_segment_defines():
    problem = only(edited("HAN+COL", "HAN+COL+A+B"))  # HAN: C524, C218
    assert problem.code == "EDI_TOO_MANY_ELEMENTS"
    assert problem.path.endswith("element 4")


def test_trailing_empty_elements_are_padding_not_constituents():
    assert codes(edited("HAN+COL", "HAN+COL+++")) == []


def test_more_components_than_the_composite_defines():
    problem = only(edited("LOC+9+USLAX", "LOC+9+USLAX:::::X"))  # C517: four components
    assert problem.code == "EDI_TOO_MANY_COMPONENTS"
    assert problem.path.endswith("element 3:5")


def test_components_on_a_simple_element():
    problem = only(edited("GID+1+960:CT", "GID+1:2+960:CT"))  # 1496 is simple
    assert problem.code == "EDI_TOO_MANY_COMPONENTS"
    assert "1496" in problem.message and problem.path.endswith("element 2:2")


def test_a_repeating_last_element_may_follow_as_consecutive_elements():
    # COM C076 repeats 3 times from D01B on; IATA's PAXLST guides write the repeats as elements
    body = ["BGM+250", "NAD+MS+++CA", "COM+0086-10-1:TE+0086-10-2:FX+0086-10-3:EM", "TDT+20+CA931", "DTM+189:2611",
            "NAD+FL+++DOE:JOHN"]
    assert codes(body, unh="UNH+M1+PAXLST:D:05B:UN:IATA") == []
    assert codes(edited("COM+0086-10-1:TE+0086-10-2:FX+0086-10-3:EM", "COM+1:TE+2:FX+3:EM+4:TE", body=body),
                 unh="UNH+M1+PAXLST:D:05B:UN:IATA") == ["EDI_TOO_MANY_ELEMENTS"]


def test_a_missing_mandatory_element():
    problem = only(edited("TMP+2+-005:CEL", "TMP++-005:CEL"))
    assert (problem.code, problem.path.endswith("element 2")) == ("EDI_ELEMENT_MISSING", True)
    assert "6245" in problem.message


def test_a_mandatory_element_after_the_last_one_sent():
    problem = only(edited("CNT+7:40450.5:KGM", "CNT"))
    assert problem.code == "EDI_ELEMENT_MISSING" and "C270" in problem.message


def test_a_missing_mandatory_component_of_a_present_composite():
    problem = only(edited("CNT+7:40450.5:KGM", "CNT+7::KGM"))
    assert problem.code == "EDI_ELEMENT_MISSING"
    assert "6066" in problem.message and problem.path.endswith("element 2:2")


def test_an_absent_conditional_composite_needs_none_of_its_mandatory_components():
    # C080's 3036 is mandatory, but NAD's C080 itself is conditional
    assert codes(edited("NAD+CA+COSU::160", "NAD+CA+COSU::160+++CITY")) == []


def test_a_value_too_long_names_element_rule_and_place():
    problem = only(edited("NAD+CN+USCI::ZZZ++SHANGHAI FOOD IMP EXP CO LTD", "NAD+CN+USCI::ZZZ++" + "X" * 36))
    assert problem.code == "EDI_ELEMENT_TOO_LONG"
    at = BODY.index("NAD+CN+USCI::ZZZ++SHANGHAI FOOD IMP EXP CO LTD") + 2  # UNH is segment 1 of the message
    assert problem.path == f"segment {at + 1} NAD, message M1 segment {at} element 5:1"
    for part in ("NAD", f"segment {at} ", "3036", "36 characters", "an..35"):
        assert part in problem.message
    assert "XXXX" not in problem.message  # values are never quoted (personal data)


def test_a_fixed_length_value_too_short():
    problem = only(edited("TMP+2+-005:CEL", "TMP+2+05:CEL"))  # 6246: n3
    assert problem.code == "EDI_ELEMENT_TOO_SHORT" and "n3" in problem.message


@pytest.mark.parametrize("value", ["-005", "005", "-1"])
def test_numeric_length_counts_digits_not_the_sign(value):
    expected = [] if len(value.lstrip("-")) == 3 else ["EDI_ELEMENT_TOO_SHORT"]
    assert codes(edited("TMP+2+-005:CEL", f"TMP+2+{value}:CEL")) == expected


@pytest.mark.parametrize("value, expected", [
    ("18250.5", []), ("-18250.5", []), ("18250.", []), ("1" * 18, []), ("1" * 17 + ".5", []),
    ("1" * 19, ["EDI_ELEMENT_TOO_LONG"]), ("1" * 18 + ".5", ["EDI_ELEMENT_TOO_LONG"]),
    ("18A50", ["EDI_ELEMENT_FORMAT"]), (".5", ["EDI_ELEMENT_FORMAT"]), ("1.2.3", ["EDI_ELEMENT_FORMAT"]),
    ("5-", ["EDI_ELEMENT_FORMAT"]), ("?+5", ["EDI_ELEMENT_FORMAT"]), ("18250,5", ["EDI_ELEMENT_FORMAT"]),
])
def test_numeric_values(value, expected):  # MEA C174 6314: n..18
    assert codes(edited("MEA+AAE+G+KGM:18250", f"MEA+AAE+G+KGM:{value}")) == expected


def test_the_decimal_mark_is_the_unas():
    body = edited("CNT+7:40450.5:KGM", "CNT+7:40450,5:KGM")
    assert codes(body, una="UNA:+,? '") == []
    assert codes(body) == ["EDI_ELEMENT_FORMAT"]
    assert codes(BODY, una="UNA:+,? '") == ["EDI_ELEMENT_FORMAT"]


def test_an_alphabetic_value_has_no_digits_and_unh_is_checked_by_the_syntax_version():
    problem = only(BODY, unh="UNH+M1+CUSCAR:D:95B:UN++1:5")  # S010 0073: a1
    assert problem.code == "EDI_ELEMENT_FORMAT" and "0073" in problem.message
    assert problem.path == "segment 2 UNH, message M1 segment 1 element 5:2"
    assert codes(BODY, unh="UNH+M1+CUSCAR:D:95B:UN++1:F") == []


def test_syntax_4_unh_may_carry_what_syntax_3_does_not():
    unh = "UNH+M1+CUSCAR:D:95B:UN+++SUBSET1"  # S016 exists from syntax version 4
    assert codes(BODY, unh=unh, syntax="UNOB:4") == []
    assert codes(BODY, unh=unh) == ["EDI_TOO_MANY_ELEMENTS"]


def test_problems_per_message_are_capped():
    at = BODY.index("CNI+1+COSU6287400000")
    consignment = ["CNI+1+COSU1", "RFF+BM:COSU1", "NAD+CN+++" + "X" * 36, "GID+1"]
    problems = check(interchange(BODY[:at] + consignment * (MAX_PROBLEMS + 20)))
    assert len(problems) == MAX_PROBLEMS
    assert {p.code for p in problems} == {"EDI_ELEMENT_TOO_LONG"}


# -- which directory ------------------------------------------------------------------------------

def test_an_unknown_directory_is_a_problem_on_unh_listing_the_versions_there_are():
    problem = only(BODY, unh="UNH+M1+CUSCAR:D:09B:UN")
    assert problem.code == "EDI_DIRECTORY_UNKNOWN"
    assert problem.path == "segment 2 UNH, message M1 segment 1"
    assert "CUSCAR:D:09B:UN" in problem.message and "D95B" in problem.message and "D08A" in problem.message


def test_a_message_type_without_definitions_is_an_unknown_directory():
    assert codes(BODY, unh="UNH+M1+PNRGOV:11:1:IA") == ["EDI_DIRECTORY_UNKNOWN"]


def test_versions_are_listed_oldest_first_and_known_types_have_them():
    assert directory.versions("CUSCAR")[0] == "D93A" and directory.versions("CUSCAR")[-1] == "D08A"
    assert directory.versions("CUSCAR").index("D99B") < directory.versions("CUSCAR").index("D00A")
    assert directory.versions("CONTRL") == ["syntax 3", "syntax 4"]
    assert directory.versions("PNRGOV") == []
    assert {"CUSCAR", "CUSDEC", "CUSRES", "IFTMIN", "PAXLST", "APERAK", "CONTRL"} <= directory.KNOWN_TYPES
    assert all(directory.versions(kind) for kind in directory.KNOWN_TYPES)


def test_the_directories_differ_where_the_standard_changed():
    # C222 8213 (transport means id): an..9 up to D04B, an..35 from D05A
    tdt = "TDT+20+052E+1++COSU:172+++9795610ABCDEFG:146::COSCO SHIPPING ARIES"
    body = edited("TDT+20+052E+1++COSU:172+++9795610:146::COSCO SHIPPING ARIES", tdt)
    assert codes(body) == ["EDI_ELEMENT_TOO_LONG"]
    assert codes(body, unh="UNH+M1+CUSCAR:D:05B:UN") == []


def test_each_file_is_loaded_once():
    assert directory._directory("d95b") is directory._directory("d95b")


CONTRL_V4 = ["UCI+REF1+SENDER+RECIPIENT+4", "UCM+M1+CUSCAR:D:95B:UN+4", "UCS+5+12", "UCD+39+5:1"]


def test_contrl_is_checked_against_its_syntax_versions_service_directory():
    unh = "UNH+M1+CONTRL:4:1:UN"
    assert codes(CONTRL_V4, unh=unh, syntax="UNOB:4") == []
    assert codes([CONTRL_V4[1], CONTRL_V4[0], *CONTRL_V4[2:]], unh=unh, syntax="UNOB:4")[0] == "EDI_SEGMENT_MISSING"
    # UCM 0062 is conditional from syntax version 4 on, mandatory before
    assert codes(edited(CONTRL_V4[1], "UCM++CUSCAR:D:95B:UN+4", body=CONTRL_V4), unh=unh, syntax="UNOB:4") == []
    assert codes(edited(CONTRL_V4[1], "UCM++CUSCAR:D:95B:UN+4", body=CONTRL_V4), unh="UNH+M1+CONTRL:2:2:UN") == \
        ["EDI_ELEMENT_MISSING"]


# -- the examples and the corpus ------------------------------------------------------------------

EDIFACT_EXAMPLES = sorted((EXAMPLES / "edifact").glob("*.edi"))


@pytest.mark.parametrize("path", EDIFACT_EXAMPLES, ids=lambda p: p.name)
def test_every_edifact_example_keeps_its_directory(path):
    assert [p.format(path.name) for p in check(path.read_bytes())] == []


def _identifiers(folder: Path) -> set[tuple[str, ...]]:
    """UNH S009 (type, version, release, agency) of every message of every interchange in ``folder``."""
    found = set()
    for path in sorted(folder.iterdir()):
        if path.name == "SOURCE.txt":
            continue
        text = path.read_bytes().decode("latin-1")
        chars, start = service_chars(text)
        for seg in Tokens(text, chars, start).segments:
            if seg.tag == "UNH":
                found.add(tuple(seg.components(1)[:4]))
    return found


@pytest.fixture(scope="module")
def used(corpus) -> set[tuple[str, ...]]:
    folders = [EXAMPLES / "edifact", corpus_folder(corpus, "edifact"), corpus_folder(corpus, "field", "edifact")]
    identifiers = set().union(*map(_identifiers, folders))
    assert len(identifiers) >= 8 and ("PNRGOV", "11", "1", "IA") in identifiers  # the folders were read
    return identifiers


def test_every_message_type_and_version_in_examples_and_corpus_has_a_definition(used):
    for identifier in used:
        if identifier[0] == "PNRGOV":  # refused at detection: the hub does not read it
            continue
        unh = Tokens("UNH+1+" + ":".join(identifier) + "'", service_chars("")[0], 0).segments[0]
        problems = directory.check_message(Message(unh), service_chars("")[0], None)
        assert "EDI_DIRECTORY_UNKNOWN" not in [p.code for p in problems], identifier


# -- the generator ----------------------------------------------------------------------------------

EDMD = """CUSCAR:D:96A:UN::;Customs cargo report message;UNH;M;1;BGM;M;1;SG1;C;9;UNT;M;1
CUSCAR:D:96A:UN::SG1;SG01;NAD;M;1;SGP;C;9;SG2;C;5
CUSCAR:D:96A:UN::SG2;SG02;CTA;M;1;COM;C;9
INVOIC:D:96A:UN::;Invoice;UNH;M;1;BGM;M;1;UNT;M;1
"""


def test_generator_nests_groups_and_keeps_only_wanted_messages():
    tables = generator.parse_messages(EDMD.splitlines(), ["CUSCAR"])
    assert tables == {"CUSCAR": {"D:96A:UN": [
        ["UNH", "M", 1], ["BGM", "M", 1],
        ["SG1", "C", 9, [["NAD", "M", 1], ["SGP", "C", 9], ["SG2", "C", 5, [["CTA", "M", 1], ["COM", "C", 9]]]]],
        ["UNT", "M", 1]]}}
    assert generator.used_tags(tables["CUSCAR"]["D:96A:UN"]) == {"UNH", "BGM", "NAD", "SGP", "CTA", "COM", "UNT"}


def test_generator_places_elements_by_position_leaving_gaps():
    segments = generator.parse_segments(["UNH;MESSAGE HEADER;010;0062;M;1;020;S009;M;1;050;S016;C;1;070;S018;C;1;"])
    assert segments == {"UNH": [["0062", "M", 1], ["S009", "M", 1], None, None, ["S016", "C", 1], None,
                                ["S018", "C", 1]]}


def test_generator_reads_composites_and_padded_element_lines():
    composites = generator.parse_composites(
        ["C080;PARTY NAME;010;3036;M;an..35;020;3036;C;an..35;060;3045;C;an..3;"])
    assert composites == {"C080": [["3036", "M", "an..35"], ["3036", "C", "an..35"], None, None, None,
                                   ["3045", "C", "an..3"]]}
    elements = generator.parse_elements(["8212;an..70;B;Transport means identification name        ",
                                         "3035;an..3;C;Party qualifier"])
    assert elements == {"8212": "an..70", "3035": "an..3"}


def test_generator_keeps_only_what_the_messages_use_and_refuses_gaps_in_the_tables():
    messages = {"CUSCAR": [["UNH", "M", 1], ["NAD", "M", 1], ["UNT", "M", 1]]}
    segments = {"NAD": [["3035", "M", 1], ["C080", "C", 1]], "LOC": [["3227", "M", 1]], "UNH": [], "UNT": []}
    composites = {"C080": [["3036", "M", "an..35"]], "C517": [["3225", "C", "an..25"]]}
    elements = {"3035": "an..3", "3227": "an..3", "3036": "an..35"}
    about = {"directory": "D96A"}
    made = generator.directory(messages, segments, composites, elements, about, skip=("UNH", "UNT"))
    assert made["segments"] == {"NAD": segments["NAD"]}
    assert made["composites"] == {"C080": composites["C080"]}
    assert made["elements"] == {"3035": "an..3"}
    with pytest.raises(ValueError, match="3227"):
        generator.directory({"X": [["LOC", "M", 1]]}, segments, composites, {}, about)
    with pytest.raises(ValueError, match="PRI"):
        generator.directory({"X": [["PRI", "M", 1]]}, segments, composites, elements, about)


def test_generator_output_is_deterministic_and_the_committed_files_are_in_its_form():
    files = sorted((ROOT / "adapters" / "edifact" / "directories").glob("*.json"))
    assert len(files) > 30
    contents = {}
    for path in files:
        text = path.read_text(encoding="ascii")
        content = json.loads(text)
        assert generator.dump(content) == text, path.name
        contents[path.stem] = content
    index = contents.pop("index")
    assert index == generator.index(contents)


# implementation guides (directories/guides.json) ------------------------------------------------------

PAXLST = (EXAMPLES / "edifact" / "paxlst-ca931-pek-fra.edi").read_bytes()


def recounted(data: bytes) -> bytes:
    """``data`` with its UNT segment count made right again after an edit."""
    text = data.decode("latin-1")
    head, _, tail = text.partition("UNH+")
    body, _, rest = tail.partition("UNT+")
    count = body.count("'") + 1
    return (head + "UNH+" + body + "UNT+" + str(count) + rest[rest.index("+"):]).encode("latin-1")


ACE = recounted(b"".join([
    b"UNB+UNOA:4+LOCK:ZZ+CBP-ACE-TEST:ZZ+20041016:1604+54++ACE'",
    b"UNH+1+CUSCAR:D:03B:UN'BGM+85+LOCKKH04112206+22'TDT+11++3'",
    b"EQD+BI+10000325:109'SEL+SEAL1'RFF+ABZ:EQU123'LOC+89+VA:163'",
    b"CNI+1+:23'DOC+714+KH041122106'RFF+AAM:LOCKKH041122106'GID+1+10:PCS'",
    b"UNT+0+1'UNZ+1+54'"]))


def test_the_iata_api_guideline_carries_tdt_without_the_dtm_d05b_makes_mandatory():
    assert b"TDT+20+CA931+4++CA'\nLOC+125+PEK'" in PAXLST       # the guideline's layout, as border agencies read it
    assert check(PAXLST) == []
    undeclared = PAXLST.replace(b"PAXLST:D:05B:UN:IATA", b"PAXLST:D:05B:UN")
    (problem,) = check(undeclared)
    assert problem.code == "EDI_SEGMENT_MISSING" and "DTM" in problem.message


def test_the_iata_guideline_lets_a_traveller_carry_several_references_the_un_table_allows_one():
    two = recounted(PAXLST.replace(b"RFF+AVF:", b"RFF+ABO:SEAT12A'RFF+AVF:", 1))
    assert two != PAXLST and check(two) == []
    assert [p.code for p in check(two.replace(b"PAXLST:D:05B:UN:IATA", b"PAXLST:D:05B:UN"))] == \
        ["EDI_SEGMENT_MISSING", "EDI_REPEAT_EXCEEDED"]


def test_the_ace_guide_applies_only_to_an_interchange_that_names_ace():
    assert check(ACE) == []
    plain = [p.code for p in check(ACE.replace(b"++ACE'", b"'"))]
    assert plain == ["EDI_SEGMENT_UNEXPECTED", "EDI_SEGMENT_UNEXPECTED"]      # RFF after SEL, DOC after CNI


def test_a_guide_changes_only_what_it_says():
    wrong = recounted(ACE.replace(b"BGM+85+LOCKKH04112206+22'", b"BGM+85+LOCKKH04112206+22'PIA+5+0101:HS'"))
    assert [p.code for p in check(wrong)] == ["EDI_SEGMENT_UNEXPECTED"]


def test_every_guide_names_its_source_and_applies_to_every_version_it_lists():
    known = directory.guides()
    assert {g["name"] for g in known} >= {"WCO/IATA/ICAO API guidelines", "US CBP ACE EDIFACT manifest"}
    for n, guide in enumerate(known):
        assert guide["source"] and ("association" in guide or "application" in guide)
        for version in guide["versions"]:
            assert version in directory.versions(guide["message"])
            assert directory._guided(version.lower(), guide["message"], n)     # compiles: its groups exist
