"""Every example into every format that accepts its kind: rendered and valid, or refused with a coded
conversion error - never an output that fails its own schema (that would be an engine bug)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.adapters import RenderContext
from hub.errors import ConversionError, EngineError

ROOT = Path(__file__).resolve().parent.parent
MESSAGE_SUFFIXES = {".edi", ".json", ".txt", ".xml"}
"""What a message file of examples/ is called. examples/ holds other files too (traffic.yaml, the
Python example clients in examples/clients/): only messages are converted, so a new kind of
non-message file is left out rather than failing as an unreadable "example"."""
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*")
                  if p.is_file() and "bad" not in p.parts and p.suffix in MESSAGE_SUFFIXES)
CTX = RenderContext(message_id="HUB-ABCDEF0123456789ABCD.CUSTOMS-CN", sender_id="EPORTHUB", receiver_id="CUSTOMS-CN")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_an_example_renders_valid_into_every_format_that_takes_its_kind(engine, path):
    doc = engine.read(path.read_bytes()).document
    rendered = 0
    for adapter in engine.registry:
        if not adapter.accepts(doc):
            continue
        try:
            out = engine.render(doc, adapter.name, CTX)
        except EngineError as exc:                       # an invalid output: the engine's fault
            pytest.fail(f"{adapter.name}: {exc.message}")
        except ConversionError as exc:
            assert exc.code and exc.message, adapter.name   # refused, with a reason a sender can read
            continue
        assert out.data
        rendered += 1
    assert rendered >= 1, "at least its own family's format takes it"
