"""The fact store: append-only and durable, behind one small interface.

A store keeps each validated fact as it was received (its JSON), under its id, with a
sequence number that grows in commit order. `append` classifies every fact against what is
already stored (new, the same fact again, or a different fact under a used id) and commits
before it returns, so a fact the API acknowledged is on disk. Readers follow the sequence
(`read_since`) to stay in step. Two back ends: SQLite (a file, the default) and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from policyengine.errors import UsageError
from policyengine.wording import line

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
class CaseOutcome:
    """One case's kept replay outcome (service/outcomes.py): its part, encoded; when its
    facts start and reach (UTC text, comparable as text); who answers for what in it."""

    case: str
    first_at: str | None
    reach: str | None
    pending: bool
    part: bytes
    people: tuple[tuple[str, str], ...]   # (person, month due or '' when not fulfilled)
    joins: tuple[tuple[str, str], ...]    # (join attribute, value as JSON) of its facts


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

    # --- kept results: each case's replay outcome (service/outcomes.py) -----------------

    def outcomes_stamp(self) -> tuple[str, int] | None:
        """(key, fact sequence number) of the kept outcomes: every case's row reflects the
        facts up to that number, computed under that key (policy and engine digests)."""
        rows = dict(self._query("SELECT key, value FROM store_meta WHERE key IN "
                                "('outcomes_key', 'outcomes_seq')", ()))
        if "outcomes_key" not in rows or "outcomes_seq" not in rows:
            return None
        return str(rows["outcomes_key"]), int(rows["outcomes_seq"])

    def outcomes_write(self, key: str, seq: int, rows: Sequence[CaseOutcome], *,
                       reset: bool) -> bool:
        """Keep the cases' new outcomes and the stamp in one transaction (a process dying
        half way leaves the old rows and stamp: the facts after it are replayed again).
        `reset`: drop every kept row first (a new key: another policy or engine). False
        (nothing written) when the rows kept are under another key and `reset` is not
        given: a few cases' rows must not be stamped as all of them."""
        with self._write_lock, self._transaction() as tx:
            conn = tx.conn
            old = dict(conn.execute(self._sql(
                "SELECT key, value FROM store_meta WHERE key IN "
                "('outcomes_key', 'outcomes_seq')")).fetchall())
            if reset:
                conn.execute("DELETE FROM case_outcomes")
                conn.execute("DELETE FROM case_people")
                conn.execute("DELETE FROM case_joins")
            elif old.get("outcomes_key") != key:
                return False
            elif int(old.get("outcomes_seq", 0)) > seq:
                return True  # another process kept later outcomes: never go back
            cursor = conn.cursor()
            for part in chunks([r.case for r in rows]):
                marks = ",".join("?" * len(part))
                cursor.execute(self._sql(f"DELETE FROM case_outcomes WHERE case_id IN ({marks})"),
                               tuple(part))
                cursor.execute(self._sql(f"DELETE FROM case_people WHERE case_id IN ({marks})"),
                               tuple(part))
                cursor.execute(self._sql(f"DELETE FROM case_joins WHERE case_id IN ({marks})"),
                               tuple(part))
            cursor.executemany(self._sql(
                "INSERT INTO case_outcomes (case_id, first_at, reach, pending, part) "
                "VALUES (?, ?, ?, ?, ?)"),
                [(r.case, r.first_at, r.reach, int(r.pending), r.part) for r in rows])
            cursor.executemany(self._sql(
                "INSERT INTO case_people (person, month, case_id) VALUES (?, ?, ?)"),
                [(person, month, r.case) for r in rows for person, month in r.people])
            cursor.executemany(self._sql(
                "INSERT INTO case_joins (name, value, case_id) VALUES (?, ?, ?)"),
                [(name, value, r.case) for r in rows for name, value in r.joins])
            for name, value in (("outcomes_key", key), ("outcomes_seq", str(seq))):
                conn.execute(self._sql("DELETE FROM store_meta WHERE key = ?"), (name,))
                conn.execute(self._sql("INSERT INTO store_meta VALUES (?, ?)"), (name, value))
        return True

    def outcome_parts(self, cases: Sequence[str]) -> list[tuple[str, bytes]]:
        """(case, encoded part) of the kept outcomes of these cases."""
        return [(str(c), bytes(b)) for c, b in self._of_cases(
            "SELECT case_id, part FROM case_outcomes", cases)]

    def _of_cases(self, select: str, cases: Sequence[str], then: str = "",
                  params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of `select` whose case_id is one of `cases`, `_CHUNK` cases a query;
        `then` (with `params`) follows the condition in each."""
        found: list[tuple[Any, ...]] = []
        for part in chunks(list(cases)):
            marks = ",".join("?" * len(part))
            found += self._query(f"{select} WHERE case_id IN ({marks}){then}",
                                 (*part, *params))
        return found

    def outcome_cases(self, *, person: str | None = None, months: Sequence[str] = (),
                      straddling: str | None = None, pending: bool = False,
                      join: tuple[str, Any] | None = None) -> list[str]:
        """Kept cases: where `person` answers for something due in `months` (or not
        fulfilled: month ''), those with facts on both sides of `straddling`, those pending
        calendar data, or all."""
        if person is not None:
            marks = ",".join("?" * (len(months) + 1))
            rows = self._query(f"SELECT DISTINCT case_id FROM case_people WHERE person = ? "
                               f"AND month IN ({marks})", (person, "", *months))
        elif join is not None:
            rows = self._query("SELECT case_id FROM case_joins WHERE name = ? AND value = ?",
                               (join[0], json.dumps(join[1], default=str)))
        elif straddling is not None:
            rows = self._query("SELECT case_id FROM case_outcomes WHERE reach > ? AND "
                               "first_at <= ?", (straddling, straddling))
        elif pending:
            rows = self._query("SELECT case_id FROM case_outcomes WHERE pending = 1", ())
        else:
            rows = self._query("SELECT case_id FROM case_outcomes", ())
        return [str(r[0]) for r in rows]

    def facts_raw(self, *, up_to: int, no_case: bool = False, first: bool = False,
                  types: Sequence[str] = ()) -> list[str]:
        """Raw facts up to sequence number `up_to`, in sequence order: those of no case, of
        these types, or those at the earliest time of all (`first`)."""
        params: tuple[Any, ...] = ()
        if no_case:
            sql, params = "case_id IS NULL", ()
        elif types:
            sql, params = f"type IN ({','.join('?' * len(types))})", tuple(types)
        else:
            assert first
            column = self._at_column
            sql, params = f"{column} = (SELECT MIN({column}) FROM facts)", ()
        rows = self._query(f"SELECT raw FROM facts WHERE {sql} AND seq <= ? ORDER BY seq",
                           (*params, up_to))
        return [str(r[0]) for r in rows]

    def case_facts_raw(self, cases: Sequence[str], *, up_to: int) -> list[tuple[str, str]]:
        """(case, raw fact) of these cases' facts up to sequence number `up_to`, each case's
        in sequence order."""
        return [(str(c), str(r)) for c, r in self._of_cases(
            "SELECT case_id, raw FROM facts", cases, " AND seq <= ? ORDER BY seq", (up_to,))]

    def count_up_to(self, up_to: int) -> int:
        """How many facts have a sequence number up to `up_to`."""
        # All facts, counted on the smallest index, less the few stored after `up_to`, in
        # one statement (one snapshot): `seq <= ?` walks the table itself, raw lines and
        # all (0.24-0.45 s at 1M facts on a fresh connection, a restart's).
        rows = self._query("SELECT (SELECT COUNT(*) FROM facts) - "
                           "(SELECT COUNT(*) FROM facts WHERE seq > ?)", (up_to,))
        return int(rows[0][0])

    def count_at_or_before(self, at: datetime, up_to: int, total: int) -> int:
        """How many of the `total` facts up to sequence number `up_to` happened at or
        before `at`. The side after `at` is counted first, up to half of `total`: a read
        is mostly of a recent month, after which few facts happened (a month ago at 1M
        facts: 2,078 index entries read instead of a million)."""
        at_value, half = self._at_value(at), total // 2
        rows = self._query(f"SELECT COUNT(*) FROM (SELECT 1 FROM facts WHERE "
                           f"{self._at_column} > ? AND seq <= ? LIMIT ?) AS later",
                           (at_value, up_to, half + 1))
        after = int(rows[0][0])
        if after <= half:
            return total - after
        rows = self._query(f"SELECT COUNT(*) FROM facts WHERE {self._at_column} <= ? "
                           "AND seq <= ?", (at_value, up_to))
        return int(rows[0][0])

    _at_column = "at_utc"

    def _at_value(self, at: datetime) -> Any:
        return at.astimezone(UTC).isoformat()

    def _sql(self, text: str) -> str:
        """The statement in the back end's parameter style (written with `?`)."""
        return text

    @abstractmethod
    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Rows of a read (written with `?` parameters) on the reader's connection."""

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
            raise UsageError(line("usage.db_no_file", url=url))
    elif "://" in url:
        raise UsageError(line("usage.db_unknown", url=url))
    else:
        path = url
    from policyengine.service.sqlite import SqliteStore
    return SqliteStore(Path(path))
