"""Fixed-width description pieces (FHL TXT lines of 65, FWB ``/NG/`` chunks of 20) survive a round trip.

A full piece runs on into the next one; a shorter one ends a line of the description. A
description line whose length is a whole number of pieces therefore needs an empty piece after
it, else the reader glues the next line onto it.
"""

from __future__ import annotations

import pytest

from adapters.cargo_imp.lines import chunk, run_on
from tests.adapters.test_cargo_imp import fixed_engine, read
from tests.adapters.test_cargo_imp_houses import LIST

FULL_TXT = "GEAR BOX HOUSINGS ALUMINIUM CAST FOR INDUSTRIAL PUMPS AND COMPRES"


@pytest.fixture(scope="module")
def imp():
    return fixed_engine()


@pytest.mark.parametrize("description", [
    FULL_TXT + "\nSECOND LINE",
    FULL_TXT + FULL_TXT + "\nSECOND LINE",
    "SHORT\n" + FULL_TXT + "\n" + FULL_TXT,
    FULL_TXT,
])
def test_a_house_description_line_of_a_whole_number_of_txt_lines_reads_back_as_written(imp, ctx, description):
    assert len(FULL_TXT) == 65
    house = imp.read(LIST).documents[2].model_copy(update={"goods_description": description})
    output = imp.render(house, "fhl", ctx).data
    assert imp.read(output).document.goods_description == description


@pytest.mark.parametrize("description", [
    "FROZEN SEAFOOD SHRIM\nKEEP FROZEN",
    "FROZEN SEAFOOD, SHRIMPS AND SQUIDS, KEEP\nBELOW MINUS 18",
    "FROZEN SEAFOOD SHRIM",
])
def test_a_goods_description_line_of_a_whole_number_of_chunks_reads_back_as_written(imp, ctx, description):
    wb = read(imp, "fwb-ca-pek-fra-typeb.txt").model_copy(update={"goods_description": description})
    output = imp.render(wb, "fwb", ctx).data
    assert imp.read(output).document.goods_description == description


def test_the_empty_piece_after_a_full_line_is_an_empty_continuation(imp, ctx):
    wb = read(imp, "fwb-ca-pek-fra-typeb.txt").model_copy(
        update={"goods_description": "FROZEN SEAFOOD SHRIM\nKEEP FROZEN"})
    output = imp.render(wb, "fwb", ctx).data
    assert b"/NG/FROZEN SEAFOOD SHRIM\r\n/2/NG/\r\n/3/NG/KEEP FROZEN\r\n" in output


@pytest.mark.parametrize("text, pieces", [
    ("", []),
    ("AB\n\nCD", ["AB", "", "CD"]),
    ("ABCD\nEF", ["ABCD", "", "EF"]),
    ("ABCDEF\nGH", ["ABCD", "EF", "GH"]),
    ("ABCDEFGH", ["ABCD", "EFGH"]),
    ("ABCDEFGH\nIJ", ["ABCD", "EFGH", "", "IJ"]),
])
def test_chunk_is_what_run_on_reads_back(text, pieces):
    assert chunk(text, 4) == pieces
    assert run_on(pieces, 4) == [line for line in text.splitlines() if line]
