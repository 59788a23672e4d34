"""EDIFACT throughput beside bare pydifact tokenising, in one run (issue 4), and the cost of the directory check.

    python bench/edifact_throughput.py [--seconds 3] [--consignments 200]

Builds, in memory, a CUSCAR D:95B with 200 consignments that its UN/EDIFACT directory accepts
(each consignment a CNI group: CNT, RFF+BM, LOC, two NADs, one GID with FTX and MEA), then
measures messages/s and MB/s:
  baseline          pydifact: decode + bare tokenising (Tokenizer.get_tokens, UNA read first)
  segments          pydifact: decode + Parser.parse into segments (for reference)
  parse (no check)  the hub's parse below with the directory check replaced by a no-op
                    (adapters.edifact.base.structure_problems)
  parse             the hub: detect, decode, tokenise, check the envelope (counts, references,
                    character set) and the message against its directory (segment table,
                    repeats, element formats and lengths), map to the canonical Manifest and
                    check the business rules
  check alone       adapters.edifact.directory.check_message over the already tokenised message
  convert           the hub: parse, then render GACC MT1101 and validate it against its XSD
and each one's time per message relative to the baseline; then the target: parse with the check
within 1.3x of parse without it. Where the hub does not route the check through
``structure_problems`` (the check not wired into reading), parse is timed as it is and parse +
check is estimated from parse and check alone.

The CUSCAR is written here rather than by the hub's CUSCAR writer: the check refuses a message
that breaks the directory after its first problems, and would time a short walk.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from pydifact.control import Characters
from pydifact.parser import Parser
from pydifact.tokenizer import Tokenizer
from timing import rate  # bench/timing.py, beside this script

from adapters.edifact import base, directory, envelope
from hub.adapters import RenderContext
from hub.composition import build_engine
from hub.pipeline import Engine

CTX = RenderContext(message_id="HUB-BENCH", sender_id="EPORTHUB", receiver_id="CNSHACUSTOMS",
                    created_at=datetime(2026, 11, 17, 9, 45, tzinfo=UTC))

HEAD = ("UNA:+.? '\nUNB+UNOC:3+COSU+CNSHACUSTOMS+261117:0945+BENCH0001'\nUNH+BENCH0001+CUSCAR:D:95B:UN'\n"
        "BGM+785+BENCH0001+9'\nDTM+137:202611170945:203'\nNAD+CA+COSU'\n"
        "TDT+20+052E+1++COSU:::COSCO SHIPPING LINES+++9795610:::COSCO SHIPPING ARIES'\n"
        "LOC+9+USLAX'\nLOC+11+CNSHA'\nDTM+133:20261118:102'\nDTM+132:202612040600:203'\n")
CONSIGNMENT = ("CNI+{n}+COSU{bill}'\nCNT+7:18250:KGM'\nRFF+BM:COSU{bill}'\nLOC+9+USLAX'\nLOC+11+CNSHA'\n"
               "NAD+CZ+++PACIFIC PRIME MEATS LLC+1200 HARBOR BLVD+LOS ANGELES+++US'\n"
               "NAD+CN+++SHANGHAI FOOD IMPORT AND EXPORT CO+88 ZHONGSHAN ROAD+SHANGHAI+++CN'\n"
               "GID+1+960:CT'\nFTX+AAA+++FROZEN BEEF CUTS'\nMEA+AAE+G+KGM:18250'\n")
TARGET = 1.3
"""Parse with the directory check within this factor of parse without it."""


def build_cuscar(consignments: int) -> bytes:
    """A CUSCAR D:95B of ``consignments`` consignments, each its own CNI group."""
    body = HEAD + "".join(CONSIGNMENT.format(n=i + 1, bill=6287400000 + i) for i in range(consignments))
    segments = body.split("UNH+", 1)[1].count("'\n") + 1  # UNH .. UNT
    return (body + f"UNT+{segments}+BENCH0001'\nUNZ+1+BENCH0001'\n").encode("latin-1")


@contextmanager
def check_off() -> Iterator[None]:
    """The hub's reading with the directory check replaced by a no-op, when reading routes it through
    ``base.structure_problems``."""
    wired = base.structure_problems
    base.structure_problems = lambda ic, lenient: []
    try:
        yield
    finally:
        base.structure_problems = wired


def measurements(engine: Engine, data: bytes) -> dict[str, Callable[[bytes], None]]:
    interchange = envelope.read(data)  # tokenised once, for the check alone

    def check_alone(raw: bytes) -> list:
        return [p for message in interchange.messages
                for p in directory.check_message(message, interchange.chars, interchange.syntax_version)]

    problems = check_alone(data)
    assert not problems, f"the bench's CUSCAR breaks its directory: {problems[0].message}"

    def baseline(raw: bytes) -> None:
        text = raw.decode("latin-1")
        characters = Characters.from_str(text[:9])
        for _ in Tokenizer().get_tokens(text[9:].lstrip("\r\n"), characters):
            pass

    def segments(raw: bytes) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in Parser().parse(raw.decode("latin-1")):
                pass

    def parse(raw: bytes) -> None:
        assert engine.read(raw).document.consignments

    def parse_no_check(raw: bytes) -> None:
        with check_off():
            parse(raw)

    def convert(raw: bytes) -> None:
        assert engine.convert(raw, "gacc-mt1101", CTX).tree is not None

    timed: dict[str, Callable[[bytes], None]] = {"baseline": baseline, "segments": segments}
    if hasattr(base, "structure_problems"):
        timed["parse (no check)"] = parse_no_check
    return timed | {"parse": parse, "check alone": check_alone, "convert": convert}


STRUCTURE = ("parse (no check)", "parse", "check alone")
"""Timed in interleaved rounds (the target is the median of the rounds' ratios): a shared machine's
load drifts less within a round than between whole measurements."""


def interleaved(fns: dict[str, Callable[[bytes], None]], data: bytes, seconds: float,
                rounds: int = 15) -> dict[str, list[float]]:
    """Calls/s of each of ``fns`` per round, the functions taking turns within each round (in reverse
    order every other round, so that none always follows the same one)."""
    for fn in fns.values():
        fn(data)
    per_round: dict[str, list[float]] = {name: [] for name in fns}
    for i in range(rounds):
        for name, fn in list(fns.items())[::1 if i % 2 == 0 else -1]:
            n, start = 0, time.perf_counter()
            while time.perf_counter() < start + seconds / rounds:
                fn(data)
                n += 1
            per_round[name].append(n / (time.perf_counter() - start))
    return per_round


LABELS = {"baseline": "pydifact tokenising (baseline)",
          "segments": "pydifact parse into segments",
          "parse (no check)": "hub parse (no check): envelope, rules, no directory",
          "parse": "hub parse to canonical Manifest (envelope, directory, rules)",
          "check alone": "hub check alone: directory.check_message",
          "convert": "hub parse + convert to gacc-mt1101 (XSD-valid)"}


def print_target(results: dict[str, float], rounds: dict[str, list[float]]) -> None:
    """The directory check's cost, each row's time against parse alone, and the target (the median of
    the rounds' ratios)."""
    if "parse (no check)" in results:
        alone, with_check, how = results["parse (no check)"], results["parse"], "measured"
        ratio = statistics.median(a / b for a, b in zip(rounds["parse (no check)"], rounds["parse"], strict=True))
    else:  # the check is not wired into reading: parse is parse alone, and the check's time is added to it
        alone, with_check = results["parse"], 1 / (1 / results["parse"] + 1 / results["check alone"])
        how, ratio = "estimated: parse + check alone", results["parse"] / with_check
    rows = {"parse (no check)": alone, f"parse + check ({how})": with_check, "check alone": results["check alone"]}
    print(f"\nstructure check (UN/EDIFACT directory) {'msg/s':>31} {'ms/msg':>8} {'x parse alone':>14}")
    for name, value in rows.items():
        print(f"  {name:<60} {value:>8,.1f} {1e3 / value:>8.2f} {alone / value:>13.2f}x")
    print(f"  (parse alone + check alone: {1 + alone / results['check alone']:.2f}x parse alone)")
    print(f"parse + check within {TARGET}x of parse alone: {'PASS' if ratio <= TARGET else 'FAIL'} ({ratio:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--consignments", type=int, default=200)
    args = parser.parse_args()

    engine = build_engine()
    data = build_cuscar(args.consignments)
    segment_count = data.count(b"'\n") - 1  # the UNA line is not a segment
    timed = measurements(engine, data)
    structure = {name: fn for name, fn in timed.items() if name in STRUCTURE}
    rounds = interleaved(structure, data, args.seconds * len(structure))
    results = {name: statistics.median(rounds[name]) if name in rounds else rate(fn, data, args.seconds)
               for name, fn in timed.items()}
    print(f"CUSCAR D:95B: {args.consignments} consignments, {segment_count} segments, {len(data):,} bytes "
          f"({data.split(b'UNB+')[1][:7].decode()})")
    print(f"{'measurement':<62} {'msg/s':>8} {'MB/s':>7} {'ms/msg':>8} {'x baseline':>11}")
    for name, value in results.items():
        print(f"{LABELS[name]:<62} {value:>8,.1f} {value * len(data) / 1e6:>7.2f} {1e3 / value:>8.2f} "
              f"{results['baseline'] / value:>10.2f}x")
    print_target(results, rounds)


if __name__ == "__main__":
    main()
