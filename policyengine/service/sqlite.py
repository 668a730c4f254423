"""The SQLite store: one file, no set-up; WAL with synchronous=FULL, so a commit is on disk.

Writers take the database's write lock up front (`BEGIN IMMEDIATE`), so sequence numbers
grow in commit order even with several processes on one file. Triggers refuse UPDATE and
DELETE: facts are append-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policyengine.errors import UsageError
from policyengine.service.permissions import create_private
from policyengine.service.store import (
    SCHEMA_VERSION,
    NewFact,
    Store,
    StoredFact,
    StoreUnavailable,
    Transaction,
    chunks,
)
from policyengine.wording import line, os_reason

_SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    content_key TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    at_utc      TEXT    NOT NULL,
    case_id     TEXT,
    raw         TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    sender      TEXT
);
CREATE INDEX IF NOT EXISTS facts_case ON facts (case_id);
CREATE INDEX IF NOT EXISTS facts_at ON facts (at_utc);
CREATE TABLE IF NOT EXISTS case_outcomes (
    case_id  TEXT PRIMARY KEY,
    first_at TEXT,
    reach    TEXT,
    pending  INTEGER NOT NULL,
    part     BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS case_people (
    person  TEXT NOT NULL,
    month   TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (person, month, case_id)
);
CREATE INDEX IF NOT EXISTS case_people_case ON case_people (case_id);
-- The parts make case_outcomes large (94 MB at 1M facts): without these, a start-up's
-- pending cases and each new moment's straddling cases read all of it (~40 ms each, D63).
CREATE INDEX IF NOT EXISTS case_outcomes_pending ON case_outcomes (case_id) WHERE pending = 1;
CREATE INDEX IF NOT EXISTS case_outcomes_reach ON case_outcomes (reach, first_at, case_id);
CREATE TABLE IF NOT EXISTS case_joins (name TEXT NOT NULL, value TEXT NOT NULL,
                                       case_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS case_joins_value ON case_joins (name, value);
CREATE INDEX IF NOT EXISTS case_joins_case ON case_joins (case_id);
CREATE INDEX IF NOT EXISTS facts_type ON facts (type);
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS facts_no_update BEFORE UPDATE ON facts
    BEGIN SELECT RAISE(ABORT, 'facts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS facts_no_delete BEFORE DELETE ON facts
    BEGIN SELECT RAISE(ABORT, 'facts are append-only'); END;
"""


class SqliteStore(Store):
    kind = "sqlite"

    def __init__(self, path: Path):
        super().__init__()
        self.path = path.resolve()
        if not self.path.parent.is_dir():
            raise UsageError(line("usage.db_no_folder", path=path, folder=self.path.parent))
        self._writer_conn: sqlite3.Connection | None = None
        self._reader_conn: sqlite3.Connection | None = None
        try:
            # Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the
            # mode of the database file, so all three stay the owner's alone.
            create_private(self.path)
            with self._write_lock:
                self._writer.executescript(
                    "BEGIN IMMEDIATE;" + _SCHEMA + "INSERT OR IGNORE INTO store_meta VALUES "
                    f"('schema_version', '{SCHEMA_VERSION}'); COMMIT;")
        except (sqlite3.Error, OSError) as exc:
            raise UsageError(line("usage.db_sqlite", path=self.path, reason=(
                os_reason(exc) if isinstance(exc, OSError) else exc))) from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    # Connections open on first use, and again after `close()`.
    @property
    def _writer(self) -> sqlite3.Connection:
        if self._writer_conn is None:
            self._writer_conn = self._connect()
        return self._writer_conn

    @property
    def _reader(self) -> sqlite3.Connection:
        if self._reader_conn is None:
            self._reader_conn = self._connect()
        return self._reader_conn

    @property
    def display_url(self) -> str:
        return f"sqlite:///{self.path}"

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        tx = Transaction(self._writer)
        try:
            self._writer.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite: {exc}") from exc
        try:
            yield tx
        except BaseException:
            if not tx.rolled_back and self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
            raise
        if not tx.rolled_back:
            try:
                self._writer.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._writer.in_transaction:
                    self._writer.execute("ROLLBACK")
                raise StoreUnavailable(f"SQLite: {exc}") from exc

    def _existing(self, tx: Transaction, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in chunks(ids):
            marks = ",".join("?" * len(part))
            rows = tx.conn.execute(
                f"SELECT id, content_key FROM facts WHERE id IN ({marks})", tuple(part))
            found.update(rows.fetchall())
        return found

    def _insert(self, tx: Transaction, facts: list[NewFact], received_at: datetime) -> None:
        received = received_at.isoformat()
        tx.conn.executemany(
            "INSERT INTO facts (id, content_key, type, at_utc, case_id, raw, received_at, sender)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(f.id, f.content_key, f.type, f.at.astimezone(UTC).isoformat(), f.case, f.raw,
              received, f.sender) for f in facts])

    def read_since(self, seq: int, limit: int = 20_000) -> list[tuple[int, str]]:
        with self._read_lock:
            rows = self._reader.execute(
                "SELECT seq, raw FROM facts WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
            return rows.fetchall()

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._read_lock:
            try:
                return self._reader.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite: {exc}") from exc

    def get(self, fact_id: str) -> StoredFact | None:
        with self._read_lock:
            row = self._reader.execute(
                "SELECT seq, id, raw, received_at, sender FROM facts WHERE id = ?",
                (fact_id,)).fetchone()
        if row is None:
            return None
        return StoredFact(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4])

    def count(self) -> tuple[int, int]:
        with self._read_lock:
            count, last = self._reader.execute(
                "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM facts").fetchone()
        return int(count), int(last)

    def close(self) -> None:
        """Close the connections; the store opens them again if it is used afterwards."""
        with self._write_lock, self._read_lock:
            for conn in (self._reader_conn, self._writer_conn):
                if conn is not None:
                    conn.close()
            self._reader_conn = self._writer_conn = None
