"""The delivery state table (hub.lifecycle) is what the store applies."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.lifecycle import MOVES, RANK, RECEIPT_STATE, after_receipt
from hub.models import ReceiptStatus
from hub.store.base import DeliveryState as S
from hub.store.base import MessageStatus, NewDelivery, NewMessage, NewReceipt


def test_every_state_has_a_rank_and_every_receipt_status_a_move():
    assert set(RANK) == set(S) and set(RECEIPT_STATE) == set(ReceiptStatus)


@pytest.mark.parametrize("current,answered,after", [
    (S.SENT, S.ACKNOWLEDGED, S.ACKNOWLEDGED), (S.ACKNOWLEDGED, S.ACCEPTED, S.ACCEPTED),
    (S.ACCEPTED, S.ACKNOWLEDGED, S.ACCEPTED),          # a late technical receipt changes nothing
    (S.OVERDUE, S.ACCEPTED, S.ACCEPTED),               # answered late
    (S.ACCEPTED, S.REJECTED, S.REJECTED), (S.SENT, None, S.SENT)])
def test_a_receipt_never_moves_a_delivery_down_its_rank(current, answered, after):
    assert after_receipt(current, answered) is after


def message(clock, deadline: timedelta) -> NewMessage:
    return NewMessage(id="HUB-1", sender="AIRLINE-CA", sender_message_id="M1", received_at=clock(), raw=b"x",
                      sha256="0" * 64, status=MessageStatus.ACCEPTED, business_key="K1",
                      deliveries=(NewDelivery("CUSTOMS-CN", "gacc-mt1101", "r", b"p", clock() + deadline, ("K1",)),))


@pytest.mark.parametrize("state,goes", [(S.SENT, True), (S.ACKNOWLEDGED, True), (S.ACCEPTED, False),
                                        (S.PENDING, False)])
def test_the_store_marks_overdue_exactly_the_states_the_table_names(clocked_store, clock, state, goes):
    assert (state in MOVES["overdue"].before) is goes
    delivery, = clocked_store.record([message(clock, timedelta(minutes=5))], source="router")
    if state is not S.PENDING:
        clocked_store.mark_sent([delivery.id], source="router")
    if state in (S.ACKNOWLEDGED, S.ACCEPTED):
        clocked_store.apply_receipt(NewReceipt("CUSTOMS-CN", "gacc-mt9999", clock(), b"r", ("K1",), state))
    clock.advance(600)
    overdue = clocked_store.mark_overdue(clock(), source="sweeper")
    assert [d.id for d in overdue] == ([delivery.id] if goes else [])


@pytest.mark.parametrize("exc, disposition", [
    ("sqlite", "retry"), ("postgres-lost", "retry"), ("postgres-lock", "retry"),
    ("postgres-integrity", "bug"), ("key", "bug"), ("connection", "retry")])
def test_a_store_or_broker_fault_retries_and_anything_else_fails_the_message(exc, disposition):
    import sqlite3

    import psycopg

    from hub.errors import Disposition, disposition_of
    raised = {"sqlite": sqlite3.OperationalError("database is locked"),
              "postgres-lost": psycopg.OperationalError("server closed the connection unexpectedly"),
              "postgres-lock": psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
              "postgres-integrity": psycopg.IntegrityError("duplicate key"),
              "key": KeyError("x"), "connection": ConnectionResetError()}[exc]
    assert disposition_of(raised) is Disposition(disposition)
