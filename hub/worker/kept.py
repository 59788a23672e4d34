"""What the store keeps of the bytes a message or receipt came in: all of them, or, over the size
limit, only their head (``failures.HEAD_BYTES``); with the hash and the size of the whole either way,
computed here, outside the store's write transaction."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from .failures import HEAD_BYTES


class Kept(NamedTuple):
    raw: bytes
    """The bytes stored: all of them, or the head of ones over the limit."""
    sha256: str
    """Of the whole body."""
    size: int
    """Of the whole body."""


def kept(body: bytes, max_bytes: int) -> Kept:
    """What is stored of ``body`` under a size limit of ``max_bytes``."""
    return Kept(body if len(body) <= max_bytes else body[:HEAD_BYTES], hashlib.sha256(body).hexdigest(), len(body))


__all__ = ["Kept", "kept"]
