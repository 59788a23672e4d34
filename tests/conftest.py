"""Shared fixtures: the engine as the CLI builds it, the examples and the reference corpus."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.adapters import RenderContext
from hub.composition import build_engine
from hub.logging import configure_logging
from hub.settings import Settings
from hub.store.sqlite import SqliteStore

configure_logging("WARNING")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = Path(os.environ.get("HUB_CORPUS_DIR", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def engine():
    return build_engine(Settings())


class Clock:
    """A settable clock for stores and cores that stamp rows and events with the time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def store(tmp_path):
    """An empty SQLite store of the current schema (the store tests have their own, with a clock)."""
    s = SqliteStore(tmp_path / "store.db")
    s.migrate()
    yield s
    s.close()


@pytest.fixture
def clock() -> Clock:
    """A settable clock at 2026-11-27 09:00 UTC."""
    return Clock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


@pytest.fixture
def clocked_store(tmp_path, clock):
    """An empty store that stamps rows and events with ``clock``."""
    s = SqliteStore(tmp_path / "store.db", clock=clock)
    s.migrate()
    yield s
    s.close()


@pytest.fixture
def ctx() -> RenderContext:
    return RenderContext(message_id="HUB-TEST-0001", sender_id="EPORTHUB", receiver_id="CUSTOMS",
                         created_at=datetime(2026, 11, 27, 8, 30, tzinfo=UTC))


def missing_corpus(what: str) -> None:
    """A part of the reference corpus is absent: skip on a developer's machine, fail when CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing (CI=true)")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared reference corpus: skipped when absent, a failure when CI=true."""
    if not CORPUS.is_dir():
        missing_corpus(f"the reference corpus at {CORPUS}")
    return CORPUS


def corpus_folder(corpus: Path, *parts: str) -> Path:
    """A folder of the reference corpus (``corpus`` is the fixture's value): skipped when absent,
    a failure when CI=true, as the corpus itself.

        @pytest.fixture(scope="module")
        def field(corpus) -> Path:
            return corpus_folder(corpus, "field", "edifact")
    """
    folder = corpus.joinpath(*parts)
    if not folder.is_dir():
        missing_corpus(f"the corpus folder {'/'.join(parts)} at {folder}")
    return folder


def example(*parts: str) -> bytes:
    """The bytes of a file in examples/."""
    return (EXAMPLES.joinpath(*parts)).read_bytes()
