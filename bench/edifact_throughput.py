"""EDIFACT throughput beside bare pydifact tokenising, in one run (issue 4).

    python bench/edifact_throughput.py [--seconds 3] [--consignments 200]

Builds, in memory, a CUSCAR with 200 consignments (the hub's own writer, from the sea
manifest example repeated with fresh bills of lading), then measures messages/s and MB/s:
  baseline   pydifact: decode + bare tokenising (Tokenizer.get_tokens, UNA read first)
  segments   pydifact: decode + Parser.parse into segments (for reference)
  parse      the hub: detect, decode, tokenise, check the envelope (counts, references,
             character set), map to the canonical Manifest and check the business rules
  convert    the hub: the same, then render GACC MT1101 and validate it against its XSD
and each one's time per message relative to the baseline.
"""

from __future__ import annotations

import argparse
import warnings
from datetime import UTC, datetime
from pathlib import Path

from pydifact.control import Characters
from pydifact.parser import Parser
from pydifact.tokenizer import Tokenizer
from timing import rate  # bench/timing.py, beside this script

from hub.adapters import RenderContext
from hub.composition import build_engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "edifact" / "cuscar-052e-uslax-cnsha.edi"
CTX = RenderContext(message_id="HUB-BENCH", sender_id="EPORTHUB", receiver_id="CNSHACUSTOMS",
                    created_at=datetime(2026, 11, 17, 9, 45, tzinfo=UTC))


def build_cuscar(engine, consignments: int) -> bytes:
    """A CUSCAR of ``consignments`` consignments, written by the hub."""
    manifest = engine.read(EXAMPLE.read_bytes()).document
    pattern = manifest.consignments
    many = [pattern[i % len(pattern)].model_copy(update={"transport_document": f"COSU{6287400000 + i}"})
            for i in range(consignments)]
    manifest = manifest.model_copy(update={"consignments": many, "total_pieces": None, "total_gross_weight": None})
    return engine.render(manifest, "cuscar", CTX).data


def measurements(engine) -> dict:
    def baseline(raw: bytes) -> None:
        text = raw.decode("utf-8")
        characters = Characters.from_str(text[:9])
        for _ in Tokenizer().get_tokens(text[9:].lstrip("\r\n"), characters):
            pass

    def segments(raw: bytes) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in Parser().parse(raw.decode("utf-8")):
                pass

    def parse(raw: bytes) -> None:
        assert engine.read(raw).document.consignments

    def convert(raw: bytes) -> None:
        assert engine.convert(raw, "gacc-mt1101", CTX).tree is not None

    return {"baseline": baseline, "segments": segments, "parse": parse, "convert": convert}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--consignments", type=int, default=200)
    args = parser.parse_args()

    engine = build_engine()
    data = build_cuscar(engine, args.consignments)
    segment_count = data.count(b"'\n") - 1  # the UNA line is not a segment
    results = {name: rate(fn, data, args.seconds) for name, fn in measurements(engine).items()}
    print(f"CUSCAR: {args.consignments} consignments, {segment_count} segments, {len(data):,} bytes "
          f"({data.split(b'UNB+')[1][:4].decode()})")
    print(f"{'measurement':<52} {'msg/s':>8} {'MB/s':>7} {'ms/msg':>8} {'x baseline':>11}")
    labels = {"baseline": "pydifact tokenising (baseline)",
              "segments": "pydifact parse into segments",
              "parse": "hub parse to canonical Manifest (envelope, rules)",
              "convert": "hub parse + convert to gacc-mt1101 (XSD-valid)"}
    for name, value in results.items():
        print(f"{labels[name]:<52} {value:>8,.1f} {value * len(data) / 1e6:>7.2f} {1e3 / value:>8.2f} "
              f"{results['baseline'] / value:>10.2f}x")


if __name__ == "__main__":
    main()
