"""The batching consumer's bookkeeping without a broker: an inbound message is acknowledged only
after every one of its publications is confirmed and its deliveries are marked SENT; acks go out
as one multiple ack for the finished head, never past a message still in flight."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pika

from hub.transport.base import Publication, PublishLimit, Work
from hub.transport.rabbitmq import BatchConsumer, ConsumerConfig


class FakeLoop:
    def __init__(self) -> None:
        self.callbacks = []
        self.delays = []

    def call_later(self, delay, fn):
        self.callbacks.append(fn)
        self.delays.append(delay)
        return fn

    def remove_timeout(self, handle) -> None:
        self.callbacks.remove(handle)

    def run(self) -> None:
        while self.callbacks:
            self.callbacks.pop(0)()


class FakeChannel:
    is_open = True

    def __init__(self, log: list) -> None:
        self.log = log

    def basic_publish(self, exchange, routing_key, body, properties) -> None:
        self.log.append(("publish", body))

    def basic_ack(self, tag, multiple=False) -> None:
        self.log.append(("ack", tag, multiple))

    def basic_nack(self, tag, requeue=True) -> None:
        self.log.append(("nack", tag, requeue))


def consumer(handle, log: list, batch_size: int = 100) -> BatchConsumer:
    c = BatchConsumer(ConsumerConfig("amqp://x", "q", "test", "hub", batch_size=batch_size), handle,
                      fail=lambda batch, exc: [], on_confirmed=lambda works: log.append(
                          ("sent", sorted(i for w in works for i in w.delivery_ids))))
    c._connection = SimpleNamespace(ioloop=FakeLoop(), is_open=True)
    c._channel = FakeChannel(log)
    return c


def deliver(c: BatchConsumer, tag: int) -> None:
    c._on_message(None, SimpleNamespace(delivery_tag=tag, redelivered=False), pika.BasicProperties(),
                  f"m{tag}".encode())


def confirm(c: BatchConsumer, seq: int, multiple: bool = False, nack: bool = False) -> None:
    method = (pika.spec.Basic.Nack if nack else pika.spec.Basic.Ack)(delivery_tag=seq, multiple=multiple)
    c._on_confirm(SimpleNamespace(method=method))


def two_publications_each(batch):
    return [Work(i, [Publication("x", "", i.body + b".1", ""), Publication("x", "", i.body + b".2", "")],
                 [i.tag * 10 + 1, i.tag * 10 + 2]) for i in batch]


def test_acks_wait_for_confirms_and_sent_then_cover_only_the_finished_head():
    log = []
    c = consumer(two_publications_each, log, batch_size=3)
    for tag in (1, 2, 3):
        deliver(c, tag)                     # the third fills the batch: 6 publications, seq 1..6
    assert [e[0] for e in log] == ["publish"] * 6
    confirm(c, 3)
    confirm(c, 4)                           # message 2 complete, message 1 not yet
    c._connection.ioloop.run()
    assert log[6:] == [("sent", [21, 22])]  # SENT, but no ack: message 1 is still in flight
    confirm(c, 2, multiple=True)            # seq 1 and 2: message 1 complete
    c._connection.ioloop.run()
    assert log[7:] == [("sent", [11, 12]), ("ack", 2, True)]
    confirm(c, 5, nack=True)
    confirm(c, 6)
    c._connection.ioloop.run()
    assert log[9:] == [("nack", 3, True)]   # never acked, delivered again by the broker
    assert not c._unacked and not c._pending


def test_confirms_within_one_batch_window_are_finished_in_one_transaction_and_one_ack():
    log = []
    c = consumer(two_publications_each, log, batch_size=2)
    deliver(c, 1)
    deliver(c, 2)
    for seq in (1, 2, 3, 4):
        confirm(c, seq)
    assert log[4:] == []                    # nothing until the loop runs its timers
    loop = c._connection.ioloop
    assert len(loop.callbacks) == 1 and loop.delays[-1] == c.config.batch_ms / 1000   # one timer: one window
    c._connection.ioloop.run()
    assert log[4:] == [("sent", [11, 12, 21, 22]), ("ack", 2, True)]


def test_a_message_without_publications_is_acked_only_behind_earlier_ones():
    log = []

    def handle(batch):
        return [Work(i, [] if i.tag == 2 else [Publication("x", "", i.body, "")], [i.tag]) for i in batch]

    c = consumer(handle, log, batch_size=2)
    deliver(c, 1)
    deliver(c, 2)
    assert ("ack", 2, True) not in log      # message 2 is done at once, message 1 is not
    confirm(c, 1)
    c._connection.ioloop.run()
    assert log[-1] == ("ack", 2, True)


def test_an_inbound_message_a_core_forgot_is_nacked_instead_of_blocking_later_acks():
    log = []
    c = consumer(lambda batch: two_publications_each(batch[1:]), log, batch_size=2)
    deliver(c, 1)
    deliver(c, 2)
    assert ("nack", 1, True) in log
    confirm(c, 2, multiple=True)
    c._connection.ioloop.run()
    assert log[-1] == ("ack", 2, True)


def test_a_batch_that_raises_is_handled_again_message_by_message_and_only_the_one_that_raises_fails():
    log, failed, handled = [], [], []

    def handle(batch):
        handled.append([i.tag for i in batch])
        if any(i.body == b"m2" for i in batch):
            raise RuntimeError("one message's bug")
        return [Work(i, [Publication("x", "", i.body, "")]) for i in batch]

    def fail(batch, exc):
        failed.append(([i.tag for i in batch], [i.redelivered for i in batch], type(exc).__name__))
        return [Work(i, [Publication("retry", "", i.body, "")]) for i in batch]
    c = consumer(handle, log, batch_size=3)
    c.fail = fail
    for tag in (1, 2, 3):
        deliver(c, tag)
    assert handled == [[1, 2, 3], [1], [2], [3]]
    assert failed == [([2], [True], "RuntimeError")]      # marked redelivered: it may have been stored
    assert [entry for entry in log if entry[0] == "publish"] == [("publish", b"m1"), ("publish", b"m2"),
                                                                ("publish", b"m3")]


def test_a_store_fault_retries_the_whole_batch_without_handling_each_message():
    log, failed, handled = [], [], []

    def handle(batch):
        handled.append([i.tag for i in batch])
        raise sqlite3.OperationalError("database is locked")
    c = consumer(handle, log, batch_size=3)
    c.fail = lambda batch, exc: failed.append([i.tag for i in batch]) or []
    for tag in (1, 2, 3):
        deliver(c, tag)
    assert handled == [[1, 2, 3]] and failed == [[1, 2, 3]]


def test_a_publication_over_the_limit_is_never_sent_and_its_message_fails():
    log, failed = [], []
    c = consumer(lambda batch: [Work(i, [Publication("x", "", i.body * 10, "")]) for i in batch], log, batch_size=1)
    c.limit = PublishLimit(15)
    c.fail = lambda batch, exc: failed.append((exc.code, [i.tag for i in batch])) or [Work(i, []) for i in batch]
    deliver(c, 1)                      # 20 bytes out: over the limit
    assert failed == [("OUTPUT_TOO_LARGE", [1])] and not [e for e in log if e[0] == "publish"]
