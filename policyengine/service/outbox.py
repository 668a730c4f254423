"""The webhook outbox: subscriptions, recorded events and their deliveries, in the fact
store's database (SQLite or PostgreSQL), so a restart neither loses nor repeats an event.

An event is recorded once per (type, obligation key): the table's unique key makes a second
recording a no-op, in any process. Recording an event queues one delivery per subscription
in the same transaction. A delivery is pending (with the time of its next attempt),
delivered, or dead (a dead letter, after the last attempt failed). Times of attempts are
Unix seconds; the worker passes them in, the outbox never reads the clock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from policyengine.service.store import Store, StoreUnavailable


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    secret: str
    description: str
    origin: str            # "api" or "command line" (serve --webhook)
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        """As the API shows it: never the secret."""
        return {"id": self.id, "url": self.url, "description": self.description,
                "origin": self.origin, "created_at": self.created_at}


@dataclass(frozen=True)
class Delivery:
    id: int
    event_type: str
    idempotency_key: str
    body: str              # the exact bytes signed and sent (JSON text)
    subscription: str
    url: str
    secret: str
    attempts: int


@dataclass(frozen=True)
class Recorded:
    type: str
    key: str
    idempotency_key: str
    body: str


# `?` marks; PostgreSQL's are swapped in. Both databases take ON CONFLICT and RETURNING.
_TABLES = """
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    description TEXT NOT NULL,
    origin      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_events (
    id              {serial},
    type            TEXT NOT NULL,
    key             TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body            TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    UNIQUE (type, key)
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              {serial},
    event_id        BIGINT NOT NULL REFERENCES webhook_events (id),
    subscription_id TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_at         DOUBLE PRECISION NOT NULL,
    last_error      TEXT,
    updated_at      TEXT NOT NULL,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX IF NOT EXISTS webhook_events_key ON webhook_events (key);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (state, next_at)
"""


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Outbox(ABC):
    """Thread-safe: one connection, used under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    # --- what a back end provides -------------------------------------------------------

    @abstractmethod
    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[Any]:
        """A transaction (committed on leaving without an error); yields an object with
        `execute(sql, params)` returning a cursor; `?` marks. `write=False`: it only reads,
        and takes no write lock (SQLite: an ingest is not held up by it)."""

    @abstractmethod
    def close(self) -> None: ...

    # --- subscriptions ------------------------------------------------------------------

    def add_subscription(self, sub: Subscription) -> bool:
        """False when the id is taken."""
        with self._tx() as tx:
            row = tx.execute(
                "INSERT INTO webhook_subscriptions VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING RETURNING id",
                (sub.id, sub.url, sub.secret, sub.description, sub.origin,
                 sub.created_at)).fetchone()
        return row is not None

    def replace_secret(self, sub_id: str, secret: str) -> None:
        with self._tx() as tx:
            tx.execute("UPDATE webhook_subscriptions SET secret = ? WHERE id = ?",
                       (secret, sub_id))

    def subscriptions(self) -> list[Subscription]:
        with self._tx(write=False) as tx:
            rows = tx.execute("SELECT id, url, secret, description, origin, created_at "
                              "FROM webhook_subscriptions ORDER BY created_at, id", ()).fetchall()
        return [Subscription(*row) for row in rows]

    def remove_subscription(self, sub_id: str) -> bool:
        """Forget a subscription and the deliveries still owed to it."""
        with self._tx() as tx:
            tx.execute("DELETE FROM webhook_deliveries WHERE subscription_id = ?", (sub_id,))
            row = tx.execute("DELETE FROM webhook_subscriptions WHERE id = ? RETURNING id",
                             (sub_id,)).fetchone()
        return row is not None

    # --- events ---------------------------------------------------------------------------

    def unrecorded(self, events: Sequence[Recorded]) -> list[Recorded]:
        """Those of `events` not recorded yet, found by reading only: a scan finds mostly
        events it recorded before, and must not hold the write lock to learn that."""
        known: set[tuple[str, str]] = set()
        keys = sorted({e.key for e in events})
        with self._tx(write=False) as tx:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                known.update(tx.execute(
                    "SELECT type, key FROM webhook_events WHERE key IN "
                    f"({','.join('?' * len(part))})", part).fetchall())
        return [e for e in events if (e.type, e.key) not in known]

    def record(self, events: Sequence[Recorded], now: float) -> int:
        """Record the events not recorded yet, each queued for every subscription there is
        now; how many were new."""
        new = 0
        events = self.unrecorded(events)
        if not events:
            return 0
        with self._tx() as tx:
            subs = [r[0] for r in tx.execute("SELECT id FROM webhook_subscriptions",
                                             ()).fetchall()]
            stamp = _now_text()
            for event in events:
                row = tx.execute(
                    "INSERT INTO webhook_events (type, key, idempotency_key, body, recorded_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (type, key) DO NOTHING RETURNING id",
                    (event.type, event.key, event.idempotency_key, event.body,
                     stamp)).fetchone()
                if row is None:
                    continue
                new += 1
                for sub in subs:
                    tx.execute("INSERT INTO webhook_deliveries (event_id, subscription_id, "
                               "state, attempts, next_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
                               (row[0], sub, DeliveryState.PENDING.value, now, stamp))
        return new

    def sent_open(self, opened: str, fulfilled: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(key, obligation) of each `opened` event without a `fulfilled` one."""
        with self._tx(write=False) as tx:
            rows = tx.execute(
                "SELECT o.key, o.body FROM webhook_events o WHERE o.type = ? AND NOT EXISTS "
                "(SELECT 1 FROM webhook_events f WHERE f.type = ? AND f.key = o.key)",
                (opened, fulfilled)).fetchall()
        for key, body in rows:
            yield key, json.loads(body)["obligation"]

    def event_count(self) -> int:
        with self._tx(write=False) as tx:
            return int(tx.execute("SELECT COUNT(*) FROM webhook_events", ()).fetchone()[0])

    # --- deliveries -----------------------------------------------------------------------

    _DELIVERY = ("SELECT d.id, e.type, e.idempotency_key, e.body, s.id, s.url, s.secret, "
                 "d.attempts FROM webhook_deliveries d "
                 "JOIN webhook_events e ON e.id = d.event_id "
                 "JOIN webhook_subscriptions s ON s.id = d.subscription_id ")

    def due(self, now: float, limit: int = 100) -> list[Delivery]:
        """Pending deliveries whose time has come, oldest event first."""
        with self._tx(write=False) as tx:
            rows = tx.execute(self._DELIVERY + "WHERE d.state = ? AND d.next_at <= ? "
                              "ORDER BY d.event_id, d.id LIMIT ?",
                              (DeliveryState.PENDING.value, now, limit)).fetchall()
        return [Delivery(*row) for row in rows]

    def next_due(self) -> float | None:
        with self._tx(write=False) as tx:
            row = tx.execute("SELECT MIN(next_at) FROM webhook_deliveries WHERE state = ?",
                             (DeliveryState.PENDING.value,)).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def settle(self, delivery_id: int, state: DeliveryState, attempts: int, next_at: float,
               error: str | None) -> None:
        with self._tx() as tx:
            tx.execute("UPDATE webhook_deliveries SET state = ?, attempts = ?, next_at = ?, "
                       "last_error = ?, updated_at = ? WHERE id = ?",
                       (state.value, attempts, next_at, error, _now_text(), delivery_id))

    def dead_letters(self, limit: int = 1000) -> list[dict[str, Any]]:
        with self._tx(write=False) as tx:
            rows = tx.execute(
                "SELECT d.id, e.type, e.key, e.idempotency_key, d.subscription_id, d.attempts, "
                "d.last_error, d.updated_at, e.recorded_at FROM webhook_deliveries d "
                "JOIN webhook_events e ON e.id = d.event_id WHERE d.state = ? "
                "ORDER BY d.id LIMIT ?", (DeliveryState.DEAD.value, limit)).fetchall()
        return [{"id": r[0], "event": r[1], "key": r[2], "idempotency_key": r[3],
                 "subscription": r[4], "attempts": r[5], "last_error": r[6], "failed_at": r[7],
                 "recorded_at": r[8]} for r in rows]

    def retry(self, delivery_id: int, now: float) -> bool:
        """Queue a dead letter again, from a first attempt now; False if it is not one."""
        with self._tx() as tx:
            row = tx.execute("UPDATE webhook_deliveries SET state = ?, attempts = 0, "
                             "next_at = ?, updated_at = ? WHERE id = ? AND state = ? "
                             "RETURNING id",
                             (DeliveryState.PENDING.value, now, _now_text(), delivery_id,
                              DeliveryState.DEAD.value)).fetchone()
        return row is not None

    def counts(self) -> dict[str, int]:
        with self._tx(write=False) as tx:
            rows = tx.execute("SELECT state, COUNT(*) FROM webhook_deliveries GROUP BY state",
                              ()).fetchall()
        out = {state.value: 0 for state in DeliveryState}
        out.update({state: int(n) for state, n in rows})
        return out


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(params))


class SqliteOutbox(Outbox):
    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self._conn: sqlite3.Connection | None = None
        with self._tx() as tx:
            for statement in _TABLES.format(
                    serial="INTEGER PRIMARY KEY AUTOINCREMENT").split(";"):
                tx.execute(statement, ())

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[_SqliteTx]:
        with self._lock:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, isolation_level=None,
                                             check_same_thread=False, timeout=30.0)
                self._conn.execute("PRAGMA busy_timeout=30000")
                self._conn.execute("PRAGMA foreign_keys=ON")
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite: {exc}") from exc
            try:
                yield _SqliteTx(conn)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreUnavailable(f"SQLite: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class _PgTx:
    def __init__(self, conn: Any):
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any]) -> Any:
        return self.conn.execute(sql.replace("?", "%s"), tuple(params))


class PostgresOutbox(Outbox):
    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self._conn: Any = None
        with self._tx() as tx:
            for statement in _TABLES.format(
                    serial="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY").split(";"):
                tx.execute(statement, ())

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[_PgTx]:
        import psycopg
        with self._lock:
            if self._conn is None or self._conn.closed or self._conn.broken:
                try:
                    self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
                except psycopg.Error as exc:
                    raise StoreUnavailable(f"PostgreSQL: {exc}".strip()) from exc
            try:
                with self._conn.transaction():
                    yield _PgTx(self._conn)
            except psycopg.Error as exc:
                raise StoreUnavailable(f"PostgreSQL: {exc}".strip()) from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and not self._conn.closed:
                self._conn.close()
            self._conn = None


def open_outbox(store: Store) -> Outbox:
    """The outbox in the same database as `store`."""
    from policyengine.service.sqlite import SqliteStore
    if isinstance(store, SqliteStore):
        return SqliteOutbox(str(store.path))
    from policyengine.service.postgres import PostgresStore
    if isinstance(store, PostgresStore):
        return PostgresOutbox(store.url)
    raise TypeError(f"no webhook outbox for a {type(store).__name__}")
