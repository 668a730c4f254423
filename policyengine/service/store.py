"""The fact store: append-only and durable, behind one small interface.

A store keeps each validated fact as it was received (its JSON), under its id, with a
sequence number that grows in commit order. `append` classifies every fact against what is
already stored (new, the same fact again, or a different fact under a used id) and commits
before it returns, so a fact the API acknowledged is on disk. Readers follow the sequence
(`read_since`) to stay in step. Two back ends: SQLite (a file, the default) and PostgreSQL.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from policyengine.errors import UsageError

Outcome = Literal["stored", "duplicate", "conflict"]

SCHEMA_VERSION = "1"
# At most this many ids per `IN (...)` look-up.
_CHUNK = 500


@dataclass(frozen=True)
class NewFact:
    """A checked fact on its way into the store."""

    id: str
    content_key: str       # digest of what makes two facts the same (see ingest.content_key)
    raw: str               # the fact as received, as JSON text
    type: str
    at: datetime           # aware
    case: str | None
    sender: str | None     # name of the token that sent it


@dataclass(frozen=True)
class StoredFact:
    seq: int
    id: str
    raw: str
    received_at: datetime
    sender: str | None


@dataclass(frozen=True)
class AppendResult:
    outcomes: tuple[Outcome, ...]   # one per fact given, in order
    committed: bool                 # False when `atomic` refused the whole batch


class Transaction:
    """An open write transaction of a store's writer connection (either database)."""

    def __init__(self, conn: Any):
        self.conn = conn
        self.rolled_back = False

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")
        self.rolled_back = True


class StoreUnavailable(Exception):
    """The database cannot be reached or refused the operation; nothing was acknowledged."""


class Store(ABC):
    """Append-only fact storage. Thread-safe: one writer at a time, readers beside it."""

    kind: str = ""

    def __init__(self) -> None:
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()

    # --- the interface ------------------------------------------------------------------

    def append(self, facts: Sequence[NewFact], *, atomic: bool = False) -> AppendResult:
        """Store the facts not stored yet, in one transaction, committed before returning.

        A fact whose id is stored with the same content is a duplicate (stored once); with a
        different content it is a conflict and is not stored. With `atomic`, one conflict
        stores nothing.
        """
        if not facts:
            return AppendResult((), True)
        with self._write_lock, self._transaction() as tx:
            known = self._existing(tx, list(dict.fromkeys(f.id for f in facts)))
            outcomes: list[Outcome] = []
            new: list[NewFact] = []
            for fact in facts:
                key = known.get(fact.id)
                if key is None:
                    known[fact.id] = fact.content_key
                    new.append(fact)
                    outcomes.append("stored")
                else:
                    outcomes.append("duplicate" if key == fact.content_key else "conflict")
            if atomic and "conflict" in outcomes:
                tx.rollback()
                return AppendResult(tuple(outcomes), False)
            if new:
                self._insert(tx, new, datetime.now(UTC))
        return AppendResult(tuple(outcomes), True)

    @abstractmethod
    def read_since(self, seq: int, limit: int = 20_000) -> list[tuple[int, str]]:
        """(seq, raw JSON) of the facts after `seq`, in sequence order, at most `limit`."""

    @abstractmethod
    def get(self, fact_id: str) -> StoredFact | None: ...

    @abstractmethod
    def count(self) -> tuple[int, int]:
        """(number of facts, last sequence number)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connections (they open again on the next use)."""

    @property
    @abstractmethod
    def display_url(self) -> str:
        """Where the facts are, without a password."""

    # --- what a back end provides -------------------------------------------------------

    @abstractmethod
    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A write transaction, serialised with every other writer of the same database;
        commits on leaving without an error, unless `rollback()` was called on it."""

    @abstractmethod
    def _existing(self, tx: Any, ids: list[str]) -> dict[str, str]:
        """id -> content_key of the stored facts among `ids`."""

    @abstractmethod
    def _insert(self, tx: Any, facts: list[NewFact], received_at: datetime) -> None: ...


def chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def open_store(url: str) -> Store:
    """`sqlite:///path`, a plain file path, or `postgresql://user:pass@host:port/db`."""
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from policyengine.service.postgres import PostgresStore
        return PostgresStore(url.replace("postgresql+psycopg://", "postgresql://", 1))
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        if path.startswith("/"):
            path = path[1:]  # sqlite:///relative.db and sqlite:////abs/path.db
        if not path:
            raise UsageError(f"'{url}' names no file: write sqlite:///policyengine.db")
    elif "://" in url:
        raise UsageError(f"'{url}' is not a database this service knows: give a file path, "
                         "sqlite:///FILE or postgresql://USER:PASSWORD@HOST:PORT/DB")
    else:
        path = url
    from policyengine.service.sqlite import SqliteStore
    return SqliteStore(Path(path))
