"""`hub receipts list`: what agencies sent, by outcome, on a temporary store."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.store.base import DeliveryState, MessageStatus, NewDelivery, NewMessage, NewReceipt
from hub.store.sqlite import SqliteStore

NOW = datetime.now(UTC).replace(microsecond=0)


def new_receipt(keys, receiver="CUSTOMS-CN", state=DeliveryState.ACKNOWLEDGED, hours_ago=0.0, **kw) -> NewReceipt:
    return NewReceipt(receiver=receiver, format=kw.pop("format", "gacc-mt9999"),
                      received_at=NOW - timedelta(hours=hours_ago), raw=b"<receipt/>", keys=keys, state=state, **kw)


@pytest.fixture
def url(tmp_path) -> str:
    """A store with one correlated, two orphaned, one unreadable and one refused receipt."""
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        store.migrate()
        store.record([NewMessage(id="HUB-1", sender="AIRLINE-CA", sender_message_id="M1", received_at=NOW,
                                 raw=b"<x/>", sha256="0" * 64, status=MessageStatus.ACCEPTED, kind="waybill",
                                 business_key="BK-1", deliveries=(NewDelivery(
                                     receiver="CUSTOMS-CN", format="gacc-mt1101", route="r", payload=b"<y/>",
                                     deadline_at=None, correlation_keys=("BK-1",)),))], source="test")
        store.apply_receipts([
            new_receipt(("BK-1",), hours_ago=5, agency_status="01", agency_reference="SEQ-1"),
            new_receipt(("NOBODY-OLD",), hours_ago=4, agency_status="02"),
            new_receipt((), state=None, format=None, hours_ago=3,
                        errors=({"code": "XML_MALFORMED", "message": "not well-formed"},)),
            replace(new_receipt(("BK-1",), receiver="CUSTOMS-GB", format="xfnm", hours_ago=2,
                                errors=({"code": "RECEIPT_FORMAT_UNEXPECTED", "message": "not listed"},)),
                    refused=True, size=9_000_000),
            new_receipt(("NOBODY-NEW",), hours_ago=1, agency_status="03", agency_reference="REF-9")])
    return f"sqlite:///{path}"


def run(url: str, *args: str):
    result = CliRunner().invoke(main, ["receipts", "list", *args], env={"HUB_STORE_URL": url},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def keys_listed(url: str, *args: str) -> list[list[str]]:
    return [r["keys"] for r in json.loads(run(url, "--json", *args))]


@pytest.mark.parametrize(("flags", "expected"), [
    ((), [["NOBODY-NEW"], ["BK-1"], [], ["NOBODY-OLD"], ["BK-1"]]),
    (("--orphaned",), [["NOBODY-NEW"], ["BK-1"], [], ["NOBODY-OLD"]]),               # every unmatched one
    (("--orphaned", "--refused"), [["NOBODY-NEW"], ["BK-1"], ["NOBODY-OLD"]]),
    (("--refused",), [["BK-1"]]),
    (("--unreadable",), [[]]),
    (("--receiver", "CUSTOMS-GB"), [["BK-1"]]),
    (("--since", "150m"), [["NOBODY-NEW"], ["BK-1"]]),
    (("--orphaned", "--limit", "1"), [["NOBODY-NEW"]]),
])
def test_receipts_list_filters_by_outcome_receiver_and_time(url, flags, expected):
    assert keys_listed(url, *flags) == expected


def test_receipts_list_prints_one_line_per_receipt_with_what_an_operator_needs(url):
    lines = run(url, "--orphaned").splitlines()
    assert len(lines) == 5 and lines[0].split()[:4] == ["RECEIVED", "RECEIVER", "FORMAT", "OUTCOME"]
    newest, refused, unreadable = lines[1], lines[2], lines[3]
    assert newest.startswith((NOW - timedelta(hours=1)).isoformat(timespec="seconds"))
    for part in ("CUSTOMS-CN", "gacc-mt9999", "orphaned", "NOBODY-NEW", "03/REF-9", "10"):
        assert part in newest, (part, newest)
    for part in ("CUSTOMS-GB", "xfnm", "refused", "RECEIPT_FORMAT_UNEXPECTED", "9000000"):
        assert part in refused, (part, refused)
    assert "unreadable" in unreadable and "XML_MALFORMED" in unreadable


def test_receipts_list_json_has_every_field_but_the_bytes(url):
    (row,) = json.loads(run(url, "--json", "--refused"))
    assert row["outcome"] == "refused" and row["size"] == 9_000_000 and "raw" not in row
    assert row["received_at"] == (NOW - timedelta(hours=2)).isoformat()
    assert row["delivery_id"] is None and row["errors"][0]["code"] == "RECEIPT_FORMAT_UNEXPECTED"


def test_receipts_list_has_help_with_an_example_and_refuses_a_bad_span(url):
    help_ = CliRunner().invoke(main, ["receipts", "list", "--help"])
    assert help_.exit_code == 0 and "Example" in help_.output and "--orphaned" in help_.output
    bad = CliRunner().invoke(main, ["receipts", "list", "--since", "yesterday"], env={"HUB_STORE_URL": url})
    assert bad.exit_code == 2 and "span" in bad.output
