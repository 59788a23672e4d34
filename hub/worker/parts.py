"""Parts of a message that carries several documents (an FHL's houses, an interchange's messages).

Each document is stored as a message of its own, ``<hub id>-P<n>`` (n from 1), routed and
delivered on its own; the bytes the sender handed in are stored once, with the first part. The same
bytes handed in again make each part a duplicate of itself, stored as ``<hub id>-P<n>-R<ms>`` (the
bytes, again, only with the first): a part too, of the same message.
"""

from __future__ import annotations

import re

from ..models import Document
from ..pipeline import Engine
from ..store.base import Message, Store

_PART = re.compile(r"^(?P<root>.+)-P(?P<n>[0-9]+)(?:-R[0-9]+)?$")
"""A part's id: ``<root>-P<n>``, or ``<root>-P<n>-R<ms>`` for a repeat of it (IngestCore._duplicate_of)."""


def part_id(hub_id: str, n: int) -> str:
    return f"{hub_id}-P{n}"


def root_of(message_id: str) -> str:
    """The id of the message a part belongs to (the message's own id for one that is no part)."""
    found = _PART.match(message_id)
    return found["root"] if found else message_id


def raw_of(store: Store, message_id: str) -> bytes:
    """The bytes the sender handed in for a message, or for the message a part belongs to."""
    found = _PART.match(message_id)
    return store.raw(part_id(found["root"], 1) if found else message_id)


def sender_message_id_of(message_id: str, sender_message_id: str | None) -> str | None:
    """The id the sender gave the message a part belongs to (a part's own is ``<that>#<n>``)."""
    if sender_message_id and _PART.match(message_id):
        return sender_message_id.rsplit("#", 1)[0]
    return sender_message_id


def document_of(engine: Engine, store: Store, message_id: str, stored: Message | None = None) -> Document:
    """A stored message's document, read again from its bytes (a part: its own document of them), as
    it was read when it was received (dates without a year resolve around its reception time).
    ``stored``: the message's row when the caller has read it already."""
    stored = stored or store.message(message_id)
    documents = engine.read(raw_of(store, message_id), received=stored.received_at if stored else None).documents
    found = _PART.match(message_id)
    return documents[int(found["n"]) - 1] if found else documents[0]


__all__ = ["document_of", "part_id", "raw_of", "root_of", "sender_message_id_of"]
