"""The store itself: append-only, durable settings, idempotent by id, safe across threads."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policyengine.errors import UsageError
from policyengine.service.postgres import PostgresStore
from policyengine.service.sqlite import SqliteStore
from policyengine.service.store import NewFact, Store, open_store


def new(number: int, key: str = "k") -> NewFact:
    return NewFact(id=f"id-{number}", content_key=f"{key}-{number}",
                   raw=f'{{"id": "id-{number}"}}', type="bug.found",
                   at=datetime(2026, 10, 9, 2, 30, tzinfo=UTC), case="B26100901", sender="t")


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    opened = open_store(database)
    yield opened
    opened.close()


def test_append_classifies_and_stores_once(store: Store) -> None:
    first = store.append([new(1), new(2)])
    assert first.outcomes == ("stored", "stored") and first.committed
    again = store.append([new(2), new(3), new(1, key="other"), new(3)])
    assert again.outcomes == ("duplicate", "stored", "conflict", "duplicate")
    assert store.count() == (3, 3)
    assert [seq for seq, _ in store.read_since(0)] == [1, 2, 3]
    assert store.read_since(2) == [(3, '{"id": "id-3"}')]
    found = store.get("id-1")
    assert found is not None and found.seq == 1 and found.sender == "t"
    assert store.get("id-9") is None


def test_counts_by_sequence_and_time_match_the_facts(store: Store) -> None:
    # Stored out of time order, so that neither side of a time follows from the numbering;
    # each count is checked against the facts themselves, on both sides of every time (the
    # store counts the later side first when it is the smaller, D63).
    days = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10]
    stored = [NewFact(id=f"id-{n}", content_key=f"k-{n}", raw=f'{{"id": "id-{n}"}}',
                      type="bug.found", at=datetime(2026, 10, day, 2, 30, tzinfo=UTC),
                      case="B26100901", sender="t") for n, day in enumerate(days, 1)]
    store.append(stored)
    for up_to in range(len(days) + 1):
        total = store.count_up_to(up_to)
        assert total == up_to
        for day in range(0, 12):
            at = datetime(2026, 10, max(day, 1), 0 if day == 0 else 3, tzinfo=UTC)
            expected = sum(1 for f in stored[:up_to] if f.at <= at)
            assert store.count_at_or_before(at, up_to, total) == expected, (up_to, day)


def test_an_atomic_append_with_a_conflict_stores_nothing(store: Store) -> None:
    store.append([new(1)])
    result = store.append([new(2), new(1, key="other")], atomic=True)
    assert not result.committed and result.outcomes == ("stored", "conflict")
    assert store.count()[0] == 1


def test_facts_survive_reopening_and_numbering_goes_on(database: str) -> None:
    first = open_store(database)
    first.append([new(1), new(2)])
    first.close()
    second = open_store(database)
    try:
        assert second.count() == (2, 2)
        second.append([new(3)])
        assert second.read_since(2)[0][0] == 3
    finally:
        second.close()


def test_facts_cannot_be_changed_or_deleted(store: Store, database: str) -> None:
    store.append([new(1)])
    if isinstance(store, SqliteStore):
        conn = sqlite3.connect(database)
        errors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
        for statement in ("UPDATE facts SET raw = '{}'", "DELETE FROM facts"):
            with pytest.raises(errors, match="append-only"):
                conn.execute(statement)
        conn.close()
    else:
        import psycopg
        with psycopg.connect(database, autocommit=True) as conn:
            for statement in ("UPDATE facts SET raw = '{}'", "DELETE FROM facts",
                              "TRUNCATE facts"):
                with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                    conn.execute(statement)
    assert store.count()[0] == 1


def test_sqlite_commits_are_on_disk_before_they_return(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "f.db")
    try:
        for conn in (store._writer, store._reader):
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        store.close()


def test_concurrent_writers_lose_nothing(store: Store) -> None:
    def write(start: int) -> None:
        for number in range(start, start + 50):
            store.append([new(number), new(number + 1000)])

    threads = [threading.Thread(target=write, args=(n * 50,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = store.read_since(0, limit=10_000)
    assert len(rows) == 400 == store.count()[0]
    assert [seq for seq, _ in rows] == sorted(seq for seq, _ in rows)


def test_database_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("plain.db", "sqlite:///rel.db", f"sqlite:///{tmp_path}/abs.db"):
        opened = open_store(url)
        assert isinstance(opened, SqliteStore)
        opened.close()
    assert {p.name for p in tmp_path.glob("*.db")} == {"plain.db", "rel.db", "abs.db"}
    with pytest.raises(UsageError, match="not a database this service knows"):
        open_store("mysql://x/y")
    with pytest.raises(UsageError, match="does not exist"):
        open_store(str(tmp_path / "missing" / "f.db"))
    with pytest.raises(UsageError, match="cannot use the PostgreSQL database"):
        open_store("postgresql://u:secret@127.0.0.1:1/none?connect_timeout=2")


def test_a_postgresql_url_is_shown_without_its_password() -> None:
    url = "postgresql://user:s3cret@db.local:5432/facts"
    assert PostgresStore.display_url.fget is not None
    shown = PostgresStore.display_url.fget(type("S", (), {"url": url})())  # type: ignore[arg-type]
    assert shown == "postgresql://user:***@db.local:5432/facts"
