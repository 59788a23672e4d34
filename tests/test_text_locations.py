"""Rule errors in text formats (Cargo-IMP, EDIFACT) carry the line of the field they are about."""

from __future__ import annotations

from tests.adapters.golden_support import line_of
from tests.conftest import example


def test_a_wrong_check_digit_in_an_fwb_points_at_its_awb_line(engine):
    data = example("cargo_imp", "fwb-cx-hkg-fra.txt").replace(b"160-24680132", b"160-24680133")
    (problem,) = engine.inspect(data).problems
    assert (problem.code, problem.line) == ("RULE_AWB_CHECK_DIGIT", line_of(data, b"160-24680133"))


def test_a_bad_consignment_in_an_ffm_points_at_that_consignment(engine):
    data = example("cargo_imp", "ffm-ca931-pek-fra-part1.txt").replace(b"999-87654346", b"999-87654345")
    problems = engine.inspect(data).problems
    assert [(p.code, p.path, p.line) for p in problems] == [
        ("RULE_AWB_CHECK_DIGIT", "/consignments/2/transport_document", line_of(data, b"999-87654345"))]


def test_a_persons_total_in_a_paxlst_points_at_its_cnt_segment(engine):
    data = example("edifact", "paxlst-ca931-pek-fra.edi")
    count = data.split(b"CNT+42:")[1].split(b"'")[0]
    wrong = data.replace(b"CNT+42:" + count, b"CNT+42:" + str(int(count) + 1).encode())
    problems = engine.inspect(wrong).problems
    assert [(p.code, p.line) for p in problems] == [("RULE_TOTAL_MISMATCH", line_of(wrong, b"CNT+42"))]


def test_an_impossible_time_zone_in_an_edifact_date_is_a_coded_error_not_a_crash(engine):
    data = example("edifact", "cuscar-0471w-sgsin-cnsha-amend.edi").replace(b"1400?+0800:205", b"1400?+9900:205")
    problems = engine.inspect(data).problems
    assert len(problems) == 1 and "zone" in problems[0].message and problems[0].line == line_of(data, b"+9900")
