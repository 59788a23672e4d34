"""Hostile input never escapes the engine as anything but a coded refusal, and its work is bounded.

Two halves:

- one explicit test per known hostile case, each asserting the exact code;
- a seeded, deterministic mutation fuzzer over every example (and the canonical JSON of every
  valid example): byte flips, non-UTF-8 bytes, control characters, numbers of 5,000 digits or
  ``1E+99999999``, truncation, duplicated lines, deep nesting. For every mutant ``inspect``
  returns or raises a reject-disposition HubError; a mutant read without problems renders to
  every format that can carry its kind, or is refused; what comes back (business key, problems,
  the document itself) encodes as UTF-8 JSON.

``HUB_FUZZ_ROUNDS`` (default 12 per seed file and mutation) widens the run; ``HUB_FUZZ_SEED``
changes the seed. The figures of a run are printed with ``-s``.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter

import pytest

from hub.adapters import Enveloped, RenderContext
from hub.composition import build_engine
from hub.errors import ConversionError, Disposition, DocumentError, HubError, OutputTooLarge
from hub.settings import Settings
from tests.conftest import EXAMPLES, example

CTX = RenderContext(message_id="HUB-FUZZ-0001", sender_id="EPORTHUB", receiver_id="CUSTOMS")


# -- helpers ----------------------------------------------------------------------------------------

def refusal(engine, data: bytes) -> list:
    """The problems of an input the engine refuses; fails when it raises anything but a refusal."""
    try:
        inbound = engine.inspect(data)
    except HubError as exc:
        assert exc.disposition is Disposition.REJECT, f"{type(exc).__name__}: {exc}"
        assert isinstance(exc, (DocumentError, ConversionError))
        return exc.problems
    return inbound.problems


def codes(engine, data: bytes) -> list[str]:
    return [p.code for p in refusal(engine, data)]


def canonical_json(engine, name: str) -> bytes:
    return engine.render(engine.read(example(*name.split("/"))).document, "json", CTX).data


def with_document(engine, name: str, edit) -> bytes:
    """The canonical JSON of an example, its ``document`` member changed by ``edit`` (on the text)."""
    return edit(canonical_json(engine, name).decode()).encode()


def encodable(value) -> None:
    json.dumps(value, ensure_ascii=False).encode("utf-8")


# -- explicit cases ---------------------------------------------------------------------------------

def test_edifact_byte_invalid_for_its_charset_is_refused_with_the_segment(engine):
    data = example("edifact", "cuscar-052e-uslax-cnsha.edi")            # UNOW: UTF-8
    data = data.replace(b"BGM+785+CSC20261117001", b"BGM+785+CSC2026\xff1117001", 1)
    problems = refusal(engine, data)
    assert [p.code for p in problems] == ["EDI_CHARSET_VIOLATION"]
    assert problems[0].line == 4 and problems[0].path.startswith("segment 3 BGM")
    assert "0xFF" in problems[0].message
    encodable([p.as_dict() for p in problems])


def test_edifact_bad_byte_in_a_message_reference_never_reaches_a_problem_or_key(engine):
    """The reference is echoed in every pointer of the message: it must come out as valid text."""
    data = example("edifact", "cuscar-052e-uslax-cnsha.edi").replace(b"UNH+CSC20261117001", b"UNH+CSC\xff", 1)
    problems = refusal(engine, data)
    assert "EDI_CHARSET_VIOLATION" in [p.code for p in problems]
    encodable([p.as_dict() for p in problems])


@pytest.mark.parametrize("byte", [b"\x00", b"\x1b", b"\x7f", b"\xe9", b"#"])
def test_edifact_unob_refuses_what_its_repertoire_lacks(engine, byte):
    data = example("edifact", "cuscar-0471w-sgsin-cnsha-amend.edi")   # UNOB
    problems = refusal(engine, data.replace(b"BGM+", b"BGM+" + byte, 1))
    assert [p.code for p in problems] == ["EDI_CHARSET_VIOLATION"]
    assert problems[0].line == 4


def test_edifact_utf8_non_character_is_refused(engine):
    data = example("edifact", "cuscar-052e-uslax-cnsha.edi")
    problems = refusal(engine, data.replace(b"BGM+785+", b"BGM+785+\xef\xbf\xbf", 1))
    assert [p.code for p in problems] == ["EDI_CHARSET_VIOLATION"]


def test_deeply_nested_canonical_json_is_refused(engine):
    deep = with_document(engine, "cargo_xml/xfwb-pek-fra.xml",
                         lambda t: t.replace('"pieces":', '"pieces":' + "[" * 100_000 + "]" * 100_000 + ',"x":', 1))
    assert codes(engine, deep) == ["JSON_TOO_DEEP"]


def test_control_character_in_canonical_json_is_refused(engine):
    raw = with_document(engine, "cargo_xml/xfwb-pek-fra.xml", lambda t: t.replace('"number":"', '"number":"\x00', 1))
    assert codes(engine, raw) == ["JSON_MALFORMED"]  # a raw control character is not JSON
    escaped = with_document(engine, "cargo_xml/xfwb-pek-fra.xml",
                            lambda t: t.replace('"goods_description":"', '"goods_description":"\\u0000', 1))
    problems = refusal(engine, escaped)
    assert [p.code for p in problems] == ["TEXT_CONTROL_CHARACTER"]
    assert problems[0].path == "/goods_description"


def test_a_lone_surrogate_escape_in_canonical_json_is_refused(engine):
    data = with_document(engine, "cargo_xml/xfwb-pek-fra.xml",
                         lambda t: t.replace('"goods_description":"', '"goods_description":"\\udc80', 1))
    problems = refusal(engine, data)
    assert [p.code for p in problems] == ["TEXT_INVALID"]
    encodable([p.as_dict() for p in problems])


def test_five_thousand_digit_integer_in_canonical_json_is_refused(engine):
    data = with_document(engine, "cargo_xml/xfwb-pek-fra.xml",
                         lambda t: re.sub(r'"pieces":\d+', '"pieces":' + "9" * 5000, t, count=1))
    problems = refusal(engine, data)
    assert [p.code for p in problems] == ["NUMBER_OUT_OF_RANGE"]
    assert problems[0].line == 1


def test_huge_exponent_in_canonical_json_is_refused_before_rendering(engine):
    data = with_document(engine, "cargo_xml/xfwb-pek-fra.xml",
                         lambda t: re.sub(r'"gross_weight":\{"value":"[^"]+"', '"gross_weight":{"value":1E+99999999',
                                          t, count=1))
    problems = refusal(engine, data)
    assert [p.code for p in problems] == ["NUMBER_OUT_OF_RANGE"]


def test_huge_exponent_as_a_json_string_is_refused_by_the_model(engine):
    data = with_document(engine, "cargo_xml/xfwb-pek-fra.xml",
                         lambda t: re.sub(r'"gross_weight":\{"value":"[^"]+"', '"gross_weight":{"value":"1E+99999999"',
                                          t, count=1))
    problems = refusal(engine, data)
    assert [(p.code, p.path) for p in problems] == [("NUMBER_OUT_OF_RANGE", "/gross_weight/value")]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused(engine, value):
    data = with_document(engine, "cargo_xml/xfwb-pek-fra.xml",
                         lambda t: re.sub(r'"gross_weight":\{"value":"[^"]+"', f'"gross_weight":{{"value":{value}',
                                          t, count=1))
    assert codes(engine, data) == ["NUMBER_OUT_OF_RANGE"]


def _replace_text(data: bytes, tag: bytes, value: bytes) -> tuple[bytes, int]:
    """``data`` with the first <tag ...>text</tag> holding ``value``, and that element's line."""
    found = re.search(rb"(<" + tag + rb"[ >][^>]*>?)([^<]+)<", data)
    return data[:found.start(2)] + value + data[found.end(2):], data.count(b"\n", 0, found.start()) + 1


@pytest.mark.parametrize("name, tag", [
    ("cargo_xml/xfwb-pek-fra.xml", b"IncludedTareGrossWeightMeasure"),
    ("cargo_xml/xffm-ca932-fra-pek.xml", b"GrossWeightMeasure"),
    ("gacc/mt1101-air-import.xml", b"TotalGrossMassMeasure"),
    ("wco/dec_import_cn_gb.xml", b"TotalGrossMassMeasure"),
])
def test_huge_number_in_xml_is_refused_with_its_line(engine, name, tag):
    data = example(*name.split("/"))
    bad, line = _replace_text(data, tag, b"9" * 5000)
    problems = refusal(engine, bad)
    assert [(p.code, p.line) for p in problems] == [("NUMBER_OUT_OF_RANGE", line)]
    assert problems[0].path.endswith(tag.decode())


@pytest.mark.parametrize("name, tag", [("gacc/dec-import-air.xml", b"GrossWet"),
                                       ("ceb/ceb621-inventory.xml", b"ceb:grossWeight")])
def test_huge_number_where_the_schema_bounds_digits_is_a_schema_problem(engine, name, tag):
    bad, _ = _replace_text(example(*name.split("/")), tag, b"9" * 5000)
    assert codes(engine, bad) == ["SCHEMA_INVALID"]


def test_exponent_in_xml_is_refused_by_the_schema(engine):
    bad, line = _replace_text(example("cargo_xml", "xfwb-pek-fra.xml"), b"IncludedTareGrossWeightMeasure",
                              b"1E+99999999")
    assert [(p.code, p.line) for p in refusal(engine, bad)] == [("SCHEMA_INVALID", line)]


@pytest.mark.parametrize("value, strict", [(b"9" * 5000, "EDI_ELEMENT_TOO_LONG"),
                                           (b"1E?+99999999", "EDI_ELEMENT_FORMAT"),
                                           (b"1E99999999", "EDI_ELEMENT_FORMAT")])
def test_huge_number_in_edifact_is_refused(engine, value, strict):
    """CNT 6066 is n..18: strictly the directory refuses these first; a lenient hub still reaches the
    reader's own guard, which must refuse them without building the number."""
    data = example("edifact", "cuscar-052e-uslax-cnsha.edi")
    data = data.replace(b"CNT+7:40450.5:KGM", b"CNT+7:" + value + b":KGM", 1)
    cnt = (13, "segment 12 CNT, message CSC20261117001 segment 11 element 2:2")
    assert [(p.code, p.line, p.path) for p in refusal(engine, data)] == [(strict, *cnt)]
    lenient = build_engine(Settings(edifact_lenient=True))
    assert [(p.code, p.line, p.path) for p in refusal(lenient, data)] == [("NUMBER_OUT_OF_RANGE", *cnt)]


def test_huge_number_in_cargo_imp_is_refused(engine):
    data = example("cargo_imp", "fwb-ca-pek-fra-typeb.txt")
    problems = refusal(engine, data.replace(b"/T20K512.5MC3.2", b"/T20K" + b"9" * 5000 + b"MC3.2", 1))
    assert [p.code for p in problems] == ["NUMBER_OUT_OF_RANGE"] and problems[0].line == 4


def test_nul_in_cargo_imp_is_refused_with_its_line(engine):
    data = example("cargo_imp", "fwb-ca-pek-fra-typeb.txt")
    problems = refusal(engine, data.replace(b"/ZHOUSHAN OCEAN", b"/ZHOUSHAN\x00OCEAN", 1))
    assert [(p.code, p.line) for p in problems] == [("TEXT_CONTROL_CHARACTER", 8)]


@pytest.mark.parametrize("char", [b"\x07", b"\x1b", b"\x7f", b"\x01"])
def test_other_control_characters_in_cargo_imp_are_refused(engine, char):
    data = example("cargo_imp", "fwb-cx-hkg-fra.txt")
    lines = data.split(b"\n")
    lines[3] = lines[3][:5] + char + lines[3][5:]
    assert codes(engine, b"\n".join(lines)) == ["TEXT_CONTROL_CHARACTER"]


def test_released_separators_cost_linear_work(engine):
    """Joining released parts one by one took quadratic time: 200,000 released terminators, minutes."""
    data = example("edifact", "cuscar-052e-uslax-cnsha.edi").replace(b"BGM+785+", b"BGM+785+" + b"?'" * 200_000, 1)
    (problem,) = refusal(engine, data)     # strictly: one element of 200,014 characters, too long for an..35
    assert problem.code == "EDI_ELEMENT_TOO_LONG" and "200014 characters" in problem.message
    inbound = build_engine(Settings(edifact_lenient=True)).inspect(data)
    assert inbound.valid and len(inbound.document.header.message_id or "") < 100
    assert [w.code for w in inbound.warnings] == ["EDI_ELEMENT_TOO_LONG"]


def test_a_million_empty_edifact_segments_are_a_hundred_problems(engine):
    data = example("edifact", "cuscar-052e-uslax-cnsha.edi").replace(b"BGM+785+", b"'" * 1_000_000 + b"BGM+785+", 1)
    problems = refusal(engine, data)
    assert len(problems) == 100 and {p.code for p in problems} == {"EDI_SEGMENT_EMPTY"}


def test_framing_characters_cost_linear_work(engine):
    data = example("cargo_imp", "fwb-ca-pek-fra-typeb.txt")
    assert codes(engine, data + b"\n\x02" * 200_000) == ["TEXT_CONTROL_CHARACTER"]
    assert codes(engine, data + b"\x03" * 200_000) == ["TEXT_CONTROL_CHARACTER"]
    assert codes(engine, b"\x01" * 200_000 + data) == ["FORMAT_UNKNOWN"]


def test_type_b_framing_characters_are_not_refused_where_they_frame(engine):
    data = example("cargo_imp", "fwb-ca-pek-fra-typeb.txt")
    assert engine.inspect(b"\x01" + data + b"\x03").valid
    stx = b"\x01" + data.replace(b"FWB/16", b"\x02FWB/16", 1) + b"\x03"
    assert "TEXT_CONTROL_CHARACTER" not in codes(engine, stx)  # reading STX is another issue's
    assert codes(engine, data.replace(b"RTG/PVGCA", b"RTG/\x02PVGCA", 1)) == ["TEXT_CONTROL_CHARACTER"]
    assert codes(engine, data.replace(b"RTG/PVGCA", b"RTG/PVGCA\x03", 1)) == ["TEXT_CONTROL_CHARACTER"]
    assert codes(engine, data.replace(b"RTG/PVGCA", b"\x01RTG/PVGCA", 1)) == ["TEXT_CONTROL_CHARACTER"]


def test_a_tab_in_cargo_imp_is_no_control_character_problem(engine):
    data = example("cargo_imp", "fwb-ca-pek-fra-typeb.txt")
    assert engine.inspect(data.replace(b"/ZHOUSHAN OCEAN", b"/ZHOUSHAN\tOCEAN", 1)).valid


def test_non_utf8_cargo_imp_text_never_leaves_the_engine_unencodable(engine):
    data = example("cargo_imp", "fwb-ca-pek-fra-typeb.txt").replace(b"ZHOUSHAN OCEAN", b"ZHOUSHAN \xff\xfe", 1)
    try:
        inbound = engine.inspect(data)
    except HubError as exc:
        encodable([p.as_dict() for p in exc.problems])
        return
    encodable([p.as_dict() for p in inbound.problems])
    if inbound.document is not None:
        inbound.document.model_dump_json()


def test_output_over_the_limit_is_refused_with_format_size_and_limit(ctx):
    small = build_engine(Settings(max_output_bytes=600))
    doc = small.read(example("cargo_xml", "xfwb-pek-fra.xml")).document
    with pytest.raises(OutputTooLarge) as err:
        small.render(doc, "gacc-mt1101", ctx)
    assert err.value.code == "OUTPUT_TOO_LARGE" and err.value.disposition is Disposition.REJECT
    assert "gacc-mt1101" in err.value.message and "600" in err.value.message
    assert re.search(r"\d{3,} bytes", err.value.message)


def test_enveloped_output_is_checked_after_sealing(ctx):
    engine = build_engine(Settings())
    doc = engine.read(example("ceb", "ceb621-inventory.xml")).document
    inner = len(engine.render(doc, "ceb621", ctx).data)
    sealed = len(engine.render(doc, "ceb621+dxp", ctx).data)
    assert sealed > inner
    limited = build_engine(Settings(max_output_bytes=(inner + sealed) // 2))
    limited.render(doc, "ceb621", ctx)
    with pytest.raises(OutputTooLarge) as err:
        limited.render(doc, "ceb621+dxp", ctx)
    assert "ceb621+dxp" in err.value.message


def test_the_output_limit_comes_from_the_settings():
    assert build_engine(Settings(max_output_bytes=1234)).max_output_bytes == 1234


def test_a_value_the_target_format_cannot_carry_is_a_conversion_refusal(engine):
    receipt = engine.read(example("gacc", "mt9999-accepted.xml")).document
    too_long = receipt.model_copy(update={"text": "9" * 600})
    with pytest.raises(ConversionError) as err:
        engine.render(too_long, "gacc-mt9999", CTX)
    assert err.value.code == "CONVERT_FIELD_INVALID" and err.value.disposition is Disposition.REJECT
    assert err.value.path.endswith("/Text") and "maxLength" in err.value.message


def test_a_structural_schema_failure_of_an_output_stays_an_engine_bug(engine):
    out = engine.render(engine.read(example("gacc", "mt9999-accepted.xml")).document, "gacc-mt9999", CTX)
    root = out.tree.getroot()
    root.remove(root[0])
    problems, values_only = engine.schemas.check(out.tree, engine.registry.get("gacc-mt9999").schema)
    assert problems and not values_only


def test_problem_texts_are_always_utf8(engine):
    """A surrogate-escaped byte in an EDIFACT message reference is echoed in every pointer."""
    original = example("edifact", "cuscar-052e-uslax-cnsha.edi")
    data = original.replace(b"UNH+CSC20261117001+", b"UNH+CSC\x9f+")
    assert data != original and b"UNH+CSC\x9f+" in data
    problems = refusal(engine, data)
    assert problems, "a non-UTF-8 byte in the message reference must be refused"
    assert all("message CSC" in problem.format() for problem in problems)  # the reference is echoed
    for problem in problems:
        problem.format().encode("utf-8")


# -- the mutation fuzzer ----------------------------------------------------------------------------

ROUNDS = int(os.environ.get("HUB_FUZZ_ROUNDS", "12"))
SEED = int(os.environ.get("HUB_FUZZ_SEED", "20261127"))
BIG_INT = b"9" * 5000
BIG_EXP = b"1E+99999999"
_NUMBER = re.compile(rb"(?<![A-Za-z0-9])\d+(?:\.\d+)?(?![A-Za-z0-9])")
_CONTROLS = [bytes([c]) for c in (*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f)]
_NON_UTF8 = [b"\xff", b"\xfe", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82"]


def _flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return b"\x00"
    at = rng.randrange(len(data))
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]


def _insert(rng: random.Random, data: bytes, choices: list[bytes]) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(choices) + data[at:]


def _number(rng: random.Random, data: bytes, replacement: bytes) -> bytes:
    found = list(_NUMBER.finditer(data))
    if not found:
        return data + replacement
    match = rng.choice(found)
    return data[:match.start()] + replacement + data[match.end():]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))] if data else data


def _duplicate(rng: random.Random, data: bytes) -> bytes:
    sep = b"'" if data.count(b"'") > data.count(b"\n") else b"\n"
    parts = data.split(sep)
    at = rng.randrange(len(parts))
    parts.insert(at, parts[at])
    return sep.join(parts)


def _nest(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([50, 1000, 100_000])
    opening, closing = rng.choice([(b"[", b"]"), (b'{"a":', b"}")])
    marks = [m.end() for m in re.finditer(rb'":', data)] or [len(data)]
    at = rng.choice(marks)
    return data[:at] + opening * depth + b"1" + closing * depth + b"," + b'"zz":' + data[at:]


MUTATIONS = {
    "flip": _flip,
    "non_utf8": lambda rng, d: _insert(rng, d, _NON_UTF8),
    "control": lambda rng, d: _insert(rng, d, _CONTROLS),
    "big_int": lambda rng, d: _number(rng, d, BIG_INT),
    "big_exponent": lambda rng, d: _number(rng, d, BIG_EXP),
    "truncate": _truncate,
    "duplicate": _duplicate,
    "nest": _nest,
}


def _seeds(engine) -> dict[str, bytes]:
    """Every example, and the canonical (and quarantine) JSON of every example read without problems."""
    seeds = {str(p.relative_to(EXAMPLES)): p.read_bytes()
             for p in sorted(EXAMPLES.rglob("*")) if p.is_file() and p.suffix != ".yaml"}
    for name, data in list(seeds.items()):
        try:
            inbound = engine.inspect(data)
        except DocumentError:
            continue
        if inbound.valid:
            seeds[name + ".json"] = engine.render(inbound.document, "json", CTX).data
            if inbound.document.kind.value == "persons":
                seeds[name + ".quarantine.json"] = engine.render(inbound.document, "quarantine-json", CTX).data
    return seeds


def _targets(engine, kind) -> list[str]:
    names = [a.name for a in engine.registry if kind in a.writes]
    envelopes = [a.name for a in engine.registry if a.is_envelope]
    return names + [f"{n}+{e}" for n in names for e in envelopes
                    if isinstance(engine.registry.get(f"{n}+{e}"), Enveloped) and n.startswith("ceb")]


def _check(engine, data: bytes, tally: Counter) -> None:
    try:
        inbound = engine.inspect(data)
    except HubError as exc:
        assert exc.disposition is Disposition.REJECT and isinstance(exc, (DocumentError, ConversionError)), \
            f"{type(exc).__name__} {exc.code}: {exc}"
        encodable([p.as_dict() for p in exc.problems])
        tally["refused"] += 1
        return
    encodable({"problems": [p.as_dict() for p in inbound.problems], "format": inbound.adapter.name})
    facts = inbound.adapter.reply_facts(data)
    encodable({k: v for k, v in facts.items()})
    if inbound.document is None:
        tally["refused"] += 1
        return
    doc = inbound.document
    encodable({"key": doc.business_key, "problems": [p.as_dict() for p in inbound.problems]})
    doc.model_dump_json()
    if inbound.problems:
        tally["refused"] += 1
        return
    tally["accepted"] += 1
    for target in _targets(engine, doc.kind):
        try:
            out = engine.render(doc, target, CTX)
        except HubError as exc:
            assert exc.disposition is Disposition.REJECT, f"render {target}: {type(exc).__name__} {exc.code}: {exc}"
            tally["render_refused"] += 1
            continue
        assert len(out.data) <= engine.max_output_bytes
        tally["rendered"] += 1


def test_mutated_examples_are_refused_or_read_never_raised(engine, capsys):
    rng = random.Random(SEED)
    seeds = _seeds(engine)
    tally: Counter = Counter()
    failures: list[str] = []
    for name, data in seeds.items():
        for mutation, mutate in MUTATIONS.items():
            if mutation == "nest" and not name.endswith(".json"):
                continue
            for round_ in range(ROUNDS):
                mutant = mutate(rng, data)
                tally["tried"] += 1
                try:
                    _check(engine, mutant, tally)
                except Exception as exc:  # noqa: BLE001 - collected and reported together
                    failures.append(f"{name} {mutation} #{round_}: {type(exc).__name__}: {str(exc)[:200]}")
    with capsys.disabled():
        print(f"\nfuzz: {len(seeds)} seeds, {dict(tally)}, {len(failures)} failures")
    assert not failures, f"{len(failures)} of {tally['tried']} mutants escaped:\n" + "\n".join(failures[:40])
