"""Every GACC example: detected as its format, parsed to its golden JSON, stable through a round trip."""

from __future__ import annotations

import pytest

from tests.adapters.gacc_support import GACC_EXAMPLES, assert_golden, without_envelope
from tests.conftest import example

FORMAT_BY_PREFIX = {"mt1101": "gacc-mt1101", "mt2101": "gacc-mt2101", "mt3101": "gacc-mt3101",
                    "mt4101": "gacc-mt4101", "mt9999": "gacc-mt9999",
                    "dec-import": "gacc-dec", "dec-export": "gacc-dec", "dec-response": "gacc-dec-response",
                    "dec-result": "gacc-dec-result", "dec-data": "gacc-dec-result"}


def expected_format(name: str) -> str:
    return next(fmt for prefix, fmt in FORMAT_BY_PREFIX.items() if name.startswith(prefix))


def test_there_are_at_least_two_examples_of_every_gacc_format():
    formats = [expected_format(name) for name in GACC_EXAMPLES]
    assert {fmt: formats.count(fmt) >= 2 for fmt in set(FORMAT_BY_PREFIX.values())} == \
        dict.fromkeys(FORMAT_BY_PREFIX.values(), True)


@pytest.mark.parametrize("name", GACC_EXAMPLES)
def test_each_gacc_example_is_detected_as_its_format(engine, name):
    assert engine.detect(example("gacc", name)).name == expected_format(name)


@pytest.mark.parametrize("name", GACC_EXAMPLES)
def test_each_gacc_example_is_valid_and_parses_to_its_golden_canonical_json(engine, name):
    inbound = engine.read(example("gacc", name))
    assert_golden(name, inbound.document)


@pytest.mark.parametrize("name", GACC_EXAMPLES)
def test_each_gacc_example_survives_parse_render_parse(engine, ctx, name):
    inbound = engine.read(example("gacc", name))
    output = engine.render(inbound.document, inbound.adapter.name, ctx)
    again = engine.read(output.data)
    assert again.adapter.name == inbound.adapter.name
    assert without_envelope(again.document) == without_envelope(inbound.document)


@pytest.mark.parametrize("name", GACC_EXAMPLES)
def test_each_rendered_gacc_message_is_utf8_whatever_the_input_encoding(engine, ctx, name):
    inbound = engine.read(example("gacc", name))
    data = engine.render(inbound.document, inbound.adapter.name, ctx).data
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    data.decode("utf-8")
