"""Transport equipment in CUSCAR (D:95B): EQD lists the equipment, SGP places each goods item in it.

The hub's profile writes one EQD group per piece of equipment after the conveyance (TDT, its
LOC and DTM) and before the first consignment: ``EQD+CN+<container number>+<size and type>``
for a container, ``EQD+UL+<ULD>+<ULD type>`` for a unit load device (UNTDID 8053 UL). Each
consignment's goods item (GID group) then names its equipment with ``SGP+<identifier>``. Read:
the equipment an item's SGP names (with the size and type of its EQD, when one is listed), and
an EQD written inside a consignment's own group (a layout no CUSCAR directory allows: only a lenient
hub reads it), become the consignment's ``equipment``.
"""

from __future__ import annotations

import re

import pytest

from hub.composition import build_engine
from hub.models import TransportEquipment
from hub.settings import Settings
from tests.conftest import corpus_folder, example

CUSCAR = example("edifact", "cuscar-052e-uslax-cnsha.edi")
CONTAINER = TransportEquipment(type_code="22G1", serial="CSNU7324517")
BARE = TransportEquipment(serial="CSNU7324522")
PMC = TransportEquipment(type_code="PMC", serial="1337", owner="CA")


def recount(data: bytes) -> bytes:
    """The interchange with its UNT segment count made right again after segments were added."""
    text = data.decode()
    body = text[text.index("UNH+"):text.index("UNT+")]
    count = body.count("'\n") + 1
    return re.sub(r"UNT\+\d+\+", f"UNT+{count}+", text).encode()


def with_segments(data: bytes, after: bytes, segments: bytes, nth: int = 1) -> bytes:
    """``segments`` (each ending ``'\\n``) inserted after the nth line starting with ``after``."""
    at = -1
    for _ in range(nth):
        at = data.index(b"\n" + after, at + 1)
    end = data.index(b"\n", at + 1) + 1
    return recount(data[:end] + segments + data[end:])


def loaded() -> bytes:
    """The example with two containers and a ULD listed, the first bill in both containers, the
    third in the ULD and an unlisted container, the second in none."""
    data = with_segments(CUSCAR, b"DTM+132", b"EQD+CN+CSNU7324517+22G1'\nMEA+AAE+G+KGM:18250'\n"
                                             b"EQD+CN+CSNU7324522'\nEQD+UL+PMC1337CA+PMC'\n")
    data = with_segments(data, b"MEA+AAE+AAW+MTQ:58.3", b"SGP+CSNU7324517+500'\nSGP+CSNU7324522+460'\n")
    return with_segments(data, b"MEA+AAE+AAW+MTQ:41.25", b"SGP+PMC1337CA'\nSGP+TGHU8800113'\n")


def test_eqd_and_sgp_give_each_consignment_its_equipment(engine):
    data = loaded()
    assert engine.inspect(data).problems == []
    manifest = engine.read(data).document
    assert [c.equipment for c in manifest.consignments] == [
        [CONTAINER, BARE], [], [PMC, TransportEquipment(serial="TGHU8800113")]]


def test_an_eqd_in_a_consignments_own_group_is_its_equipment(engine):
    """No CUSCAR directory has EQD in the consignment group, but senders write it there: the strict hub
    refuses it with the directory's code, the lenient one (HUB_EDIFACT_LENIENT) reads it as that
    consignment's equipment."""
    data = with_segments(CUSCAR, b"LOC+11+CNSHA'", b"EQD+CN+CSNU7324517+22G1'\n", nth=2)   # the second bill's
    (problem,) = engine.inspect(data).problems
    assert problem.code == "EDI_SEGMENT_UNEXPECTED" and problem.path.startswith("segment 34 EQD, ")
    relaxed = build_engine(Settings(edifact_lenient=True)).read(data)
    assert [w.code for w in relaxed.warnings] == ["EDI_SEGMENT_UNEXPECTED"]
    assert [c.equipment for c in relaxed.document.consignments] == [[], [CONTAINER], []]


def test_equipment_is_written_as_eqd_groups_before_the_consignments_and_sgp_in_their_goods(engine, ctx):
    manifest = engine.read(loaded()).document
    output = engine.render(manifest, "cuscar", ctx).data.decode()
    segments = [s.strip() for s in output.split("'") if s.strip()]
    eqds = [s for s in segments if s.startswith("EQD+")]
    assert eqds == ["EQD+CN+CSNU7324517+22G1", "EQD+CN+CSNU7324522", "EQD+UL+PMC1337CA+PMC", "EQD+CN+TGHU8800113"]
    tags = [s[:3] for s in segments]
    assert tags.index("EQD") > max(i for i, t in enumerate(tags) if t == "TDT")
    assert tags.index("EQD") > tags.index("DTM", tags.index("TDT"))
    assert max(i for i, t in enumerate(tags) if t == "EQD") < tags.index("CNI")
    first_bill = segments[tags.index("CNI"):tags.index("CNI", tags.index("CNI") + 1)]
    assert [s for s in first_bill if s.startswith("SGP")] == ["SGP+CSNU7324517", "SGP+CSNU7324522"]
    at = first_bill.index("SGP+CSNU7324517")                 # D:95B goods item: ... MEA, SGP, then CST
    assert first_bill[at:at + 2] == ["SGP+CSNU7324517", "SGP+CSNU7324522"]
    assert {s[:3] for s in first_bill[at + 2:]} <= {"CST", "GIS", "DOC"}
    again = engine.read(output.encode()).document
    assert again.model_dump(exclude={"header"}) == manifest.model_dump(exclude={"header"})


def test_a_cuscar_without_equipment_writes_no_eqd(engine, ctx):
    output = engine.render(engine.read(CUSCAR).document, "cuscar", ctx).data
    assert b"EQD+" not in output and b"SGP+" not in output


@pytest.mark.conformance
def test_the_corpus_d95b_sample_places_its_bill_in_its_equipment(corpus):
    from adapters import edifact
    from hub.adapters import Probe
    cuscar = next(a for a in edifact.adapters(lenient=True) if a.name == "cuscar")
    manifest = cuscar.parse(Probe((corpus_folder(corpus, "edifact") / "CUSCAR_D95B_simple.edi").read_bytes()))
    assert manifest.consignments[0].equipment == [TransportEquipment(type_code="7", serial="EQ123456")]
