"""The PostgreSQL store, for a deployment shared by several service processes.

Writers serialise on a transaction-level advisory lock, so sequence numbers become visible
in order and a reader following `seq` never skips a fact committed late. A commit returns
once PostgreSQL has flushed it (synchronous_commit, the server's default). Triggers refuse
UPDATE, DELETE and TRUNCATE: facts are append-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from policyengine.errors import UsageError
from policyengine.service.store import (
    SCHEMA_VERSION,
    NewFact,
    Store,
    StoredFact,
    StoreUnavailable,
    Transaction,
    chunks,
)
from policyengine.wording import line

try:
    import psycopg
except ImportError:  # pragma: no cover - depends on the installed extras
    psycopg = None  # type: ignore[assignment]

# pg_advisory_xact_lock key of the facts table ("pe-facts" read as a number).
_LOCK_KEY = 0x70652D6661637473

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS facts (
        seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id          TEXT        NOT NULL UNIQUE,
        content_key TEXT        NOT NULL,
        type        TEXT        NOT NULL,
        at          TIMESTAMPTZ NOT NULL,
        case_id     TEXT,
        raw         TEXT        NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        sender      TEXT
    )""",
    "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS facts_case ON facts (case_id)",
    "CREATE INDEX IF NOT EXISTS facts_at ON facts (at)",
    """CREATE TABLE IF NOT EXISTS case_outcomes (
        case_id  TEXT PRIMARY KEY,
        first_at TEXT,
        reach    TEXT,
        pending  INTEGER NOT NULL,
        part     BYTEA NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS case_people (
        person  TEXT NOT NULL,
        month   TEXT NOT NULL,
        case_id TEXT NOT NULL,
        PRIMARY KEY (person, month, case_id)
    )""",
    "CREATE INDEX IF NOT EXISTS case_people_case ON case_people (case_id)",
    # As in SQLite (sqlite.py): the pending and the straddling cases without reading the parts.
    "CREATE INDEX IF NOT EXISTS case_outcomes_pending ON case_outcomes (case_id) "
    "WHERE pending = 1",
    "CREATE INDEX IF NOT EXISTS case_outcomes_reach ON case_outcomes (reach, first_at, case_id)",
    """CREATE TABLE IF NOT EXISTS case_joins (name TEXT NOT NULL, value TEXT NOT NULL,
                                              case_id TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS case_joins_value ON case_joins (name, value)",
    "CREATE INDEX IF NOT EXISTS case_joins_case ON case_joins (case_id)",
    "CREATE INDEX IF NOT EXISTS facts_type ON facts (type)",
    """CREATE OR REPLACE FUNCTION policyengine_facts_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'facts are append-only'; END $$""",
    """CREATE OR REPLACE TRIGGER facts_no_change BEFORE UPDATE OR DELETE ON facts
        FOR EACH ROW EXECUTE FUNCTION policyengine_facts_append_only()""",
    """CREATE OR REPLACE TRIGGER facts_no_truncate BEFORE TRUNCATE ON facts
        FOR EACH STATEMENT EXECUTE FUNCTION policyengine_facts_append_only()""",
    f"""INSERT INTO store_meta VALUES ('schema_version', '{SCHEMA_VERSION}')
        ON CONFLICT DO NOTHING""",
]


class PostgresStore(Store):
    kind = "postgresql"

    def __init__(self, url: str):
        super().__init__()
        if psycopg is None:
            raise UsageError(line("usage.db_psycopg"))
        self.url = url
        self._writer: Any = None
        self._reader: Any = None
        try:
            with self._write_lock, self._transaction() as tx:
                for statement in _SCHEMA:
                    tx.conn.execute(statement)
        except StoreUnavailable as exc:
            raise UsageError(line("usage.db_postgres", url=self.display_url,
                                  reason=exc)) from None

    @property
    def display_url(self) -> str:
        return re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", self.url)

    def _connection(self, which: str) -> Any:
        """The writer's or the reader's connection, reconnected if it broke."""
        conn = getattr(self, which)
        if conn is None or conn.closed or conn.broken:
            try:
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            except psycopg.Error as exc:
                raise StoreUnavailable(f"PostgreSQL: {exc}".strip()) from exc
            setattr(self, which, conn)
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        conn = self._connection("_writer")
        tx = Transaction(conn)
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            yield tx
            if not tx.rolled_back:
                conn.execute("COMMIT")
        except psycopg.Error as exc:
            self._abort(conn)
            raise StoreUnavailable(f"PostgreSQL: {exc}".strip()) from exc
        except BaseException:
            self._abort(conn)
            raise

    @staticmethod
    def _abort(conn: Any) -> None:
        if not conn.closed and not conn.broken:
            try:
                conn.execute("ROLLBACK")
            except psycopg.Error:
                conn.close()

    def _existing(self, tx: Transaction, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in chunks(ids):
            rows = tx.conn.execute("SELECT id, content_key FROM facts WHERE id = ANY(%s)",
                                   (list(part),))
            found.update(rows.fetchall())
        return found

    def _insert(self, tx: Transaction, facts: list[NewFact], received_at: datetime) -> None:
        cursor = tx.conn.cursor()
        with cursor.copy("COPY facts (id, content_key, type, at, case_id, raw, received_at, "
                         "sender) FROM STDIN") as copy:
            for f in facts:
                copy.write_row((f.id, f.content_key, f.type, f.at, f.case, f.raw, received_at,
                                f.sender))

    def _read(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._read_lock:
            conn = self._connection("_reader")
            try:
                rows: list[tuple[Any, ...]] = conn.execute(query, params).fetchall()
                return rows
            except psycopg.Error as exc:
                raise StoreUnavailable(f"PostgreSQL: {exc}".strip()) from exc

    _at_column = "at"

    def _at_value(self, at: datetime) -> Any:
        return at

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._read(self._sql(sql), params)

    def read_since(self, seq: int, limit: int = 20_000) -> list[tuple[int, str]]:
        rows = self._read("SELECT seq, raw FROM facts WHERE seq > %s ORDER BY seq LIMIT %s",
                          (seq, limit))
        return [(int(s), str(r)) for s, r in rows]

    def get(self, fact_id: str) -> StoredFact | None:
        rows = self._read("SELECT seq, id, raw, received_at, sender FROM facts WHERE id = %s",
                          (fact_id,))
        if not rows:
            return None
        seq, id_, raw, received, sender = rows[0]
        return StoredFact(int(seq), id_, raw, received, sender)

    def count(self) -> tuple[int, int]:
        rows = self._read("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM facts", ())
        return int(rows[0][0]), int(rows[0][1])

    def close(self) -> None:
        """Close the connections; the store opens them again if it is used afterwards."""
        with self._write_lock, self._read_lock:
            for conn in (self._writer, self._reader):
                if conn is not None and not conn.closed:
                    conn.close()
