"""Real partner traffic, mutated: every field file of the corpus (../shared/corpus/field) and random
mutations of it are read or refused, never raised, and the sender's negative receipt (XFNM, CONTRL,
FNA, CEB3x2) is built or left out, never a crash.

The mutations are the hostile-input fuzzer's (tests/test_hostile_inputs.py); the seed is fixed. The
examples' mutations go through the negative-receipt path here too (that fuzzer checks inspect and render).
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from hub.errors import HubError, Problem
from hub.transport.base import Topology
from hub.worker.status import native_rejection
from tests.test_hostile_inputs import MUTATIONS, SEED, _check, _seeds, encodable

pytestmark = pytest.mark.conformance

ROUNDS = 4


def field_files(corpus) -> dict[str, bytes]:
    root = corpus / "field"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "SOURCE.txt"}


def negative_receipt(engine, data: bytes) -> None:
    """What the router does for a refused message: the sender format's own negative receipt."""
    try:
        inbound = engine.inspect(data)
        adapter, key = inbound.adapter, inbound.document.business_key if inbound.document else None
        errors = inbound.problems or [Problem("X", "refused")]
    except HubError as exc:
        adapter, key, errors = None, None, exc.problems
    pub = native_rejection(engine, Topology("t"), "SENDER", "HUB-FUZZ-0001", adapter, data, key, errors, "EPORTHUB")
    if pub is not None:
        assert pub.body and pub.message_id == "HUB-FUZZ-0001.nack"
        encodable(pub.headers)


def test_field_files_and_their_mutations_are_read_or_refused_never_raised(engine, corpus, capsys):
    files = field_files(corpus)
    assert len(files) >= 40
    rng = random.Random(SEED)
    tally: Counter = Counter()
    failures: list[str] = []
    for name, data in files.items():
        mutants = [("as is", data)] + [(f"{m} #{r}", mutate(rng, data)) for m, mutate in MUTATIONS.items()
                                      for r in range(ROUNDS) if m != "nest" or name.endswith(".json")]
        for label, mutant in mutants:
            tally["tried"] += 1
            try:
                _check(engine, mutant, tally)
                negative_receipt(engine, mutant)
            except Exception as exc:  # noqa: BLE001 - collected and reported together
                failures.append(f"{name} {label}: {type(exc).__name__}: {str(exc)[:200]}")
    with capsys.disabled():
        print(f"\nfield fuzz: {len(files)} files, {dict(tally)}, {len(failures)} failures")
    assert not failures, f"{len(failures)} of {tally['tried']} escaped:\n" + "\n".join(failures[:40])



def test_every_example_and_its_mutations_get_a_negative_receipt_or_none_never_a_crash(engine):
    rng = random.Random(SEED + 1)
    failures, tried = [], 0
    for name, data in _seeds(engine).items():
        for mutation, mutate in MUTATIONS.items():
            for _ in range(2):
                tried += 1
                try:
                    negative_receipt(engine, mutate(rng, data))
                except Exception as exc:  # noqa: BLE001 - collected and reported together
                    failures.append(f"{name} {mutation}: {type(exc).__name__}: {str(exc)[:200]}")
    assert tried > 1000 and not failures, "\n".join(failures[:40])
