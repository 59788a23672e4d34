"""Engine throughput beside bare lxml, in one run (issue 2, point 11).

    python bench/engine_throughput.py [--seconds 2] [--file examples/cargo_xml/xfwb-pek-fra.xml]

Prints docs/s for:
  baseline   bare lxml: parse + XSD validation of the same document with the same schema
  input      the hub's input validation: hardened parse, detection, XSD validation
  engine     the full engine: detect, parse, validate, canonical model, rules,
             render GACC MT1101 + canonical JSON + XFWB and validate each output
  engine xN  the full engine in N processes at once (default 2: the dev machine's cores)
and the ratios input/baseline (target <= 1.3x time) and engine docs/s (target >= 1,500).
"""

from __future__ import annotations

import argparse
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from timing import rate  # bench/timing.py, beside this script

from hub.adapters import RenderContext
from hub.composition import build_engine

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("gacc-mt1101", "json", "xfwb")


def build(path: Path):
    """The engine, the document, and the three measured callables."""
    engine = build_engine()
    data = path.read_bytes()
    adapter = engine.detect(data)
    schema = engine.schemas.get(adapter.schema)
    bare_parser = etree.XMLParser()
    ctx = RenderContext(message_id="HUB-BENCH", created_at=datetime(2026, 1, 1, tzinfo=UTC))

    def baseline(raw: bytes) -> None:
        assert schema.validate(etree.fromstring(raw, bare_parser))

    def input_only(raw: bytes) -> None:
        probe = engine.probe(raw)
        chosen = engine.registry.detect(probe)
        assert not engine.schemas.validate(probe.tree, chosen.schema)

    def full(raw: bytes) -> None:
        doc = engine.read(raw).document
        for fmt in OUTPUTS:
            engine.render(doc, fmt, ctx)

    return data, adapter, {"baseline": baseline, "input": input_only, "engine": full}


def _worker(path: Path, seconds: float, queue) -> None:
    data, _, fns = build(path)
    queue.put(rate(fns["engine"], data, seconds, rounds=3, batch=50))


def parallel(path: Path, seconds: float, processes: int) -> float:
    """Total docs/s of the full engine running in ``processes`` processes at once."""
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_worker, args=(path, seconds, queue)) for _ in range(processes)]
    for w in workers:
        w.start()
    total = sum(queue.get() for _ in workers)
    for w in workers:
        w.join()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=ROOT / "examples" / "cargo_xml" / "xfwb-pek-fra.xml")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--processes", type=int, default=2, help="processes for the parallel run")
    args = parser.parse_args()

    data, adapter, fns = build(args.file)
    results = {name: rate(fn, data, args.seconds, batch=50) for name, fn in fns.items()}
    results["parallel"] = parallel(args.file, args.seconds, args.processes)
    print(f"document: {args.file.name}, {len(data)} bytes, format {adapter.name}; outputs {', '.join(OUTPUTS)}")
    print(f"{'measurement':<46} {'docs/s':>10} {'µs/doc':>9} {'x baseline':>11}")
    labels = {"baseline": "bare lxml parse + XSD validate",
              "input": "hub input validation (parse, detect, XSD)",
              "engine": "hub full engine (read + 3 outputs validated)",
              "parallel": f"hub full engine, {args.processes} processes"}
    for name, value in results.items():
        print(f"{labels[name]:<46} {value:>10,.0f} {1e6 / value:>9.1f} {results['baseline'] / value:>10.2f}x")
    print(f"\ninput validation time / bare lxml time: {results['baseline'] / results['input']:.2f}x (target <= 1.30x)")
    print(f"full engine: {results['engine']:,.0f} docs/s in 1 process, {results['parallel']:,.0f} docs/s in "
          f"{args.processes} processes (target >= 1,500 docs/s on the 2-core machine)")


if __name__ == "__main__":
    main()
