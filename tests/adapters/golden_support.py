"""Helpers every adapter test shares: golden canonical JSON files and source-line lookup."""

from __future__ import annotations

import json
import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(family: str, name: str, doc) -> None:
    """The canonical JSON of ``doc`` equals golden/<family>/<name>.json.

    After a deliberate mapping change, ``HUB_REGEN_GOLDEN=1`` rewrites the files; review the diff.
    """
    path = GOLDEN / family / f"{Path(name).stem}.json"
    actual = json.loads(doc.model_dump_json())
    if os.environ.get("HUB_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with HUB_REGEN_GOLDEN=1 to create it"
    assert actual == json.loads(path.read_text(encoding="utf-8"))


def with_function(doc, function):
    """A copy of ``doc`` whose header says original, amendment or cancellation."""
    return doc.model_copy(update={"header": doc.header.model_copy(update={"function": function})})


def line_of(data: bytes, needle: bytes | str, nth: int = 1) -> int:
    """The 1-based line of the nth occurrence of ``needle``."""
    needle = needle.encode() if isinstance(needle, str) else needle
    at = -1
    for _ in range(nth):
        at = data.index(needle, at + 1)
    return data.count(b"\n", 0, at) + 1
