"""The store's facts read into memory (service/mirror.py): read by the fast path (msgspec,
as a file's lines are), they are the facts `FactSchema.build` makes of the stored JSON, as
they were read before, with no line and no file; what the fast path is not sure of, and
what the policy in force refuses, is read and said as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import policyengine as pe
from policyengine.facts.schema import Fact
from policyengine.service import mirror as mirror_module
from policyengine.service.mirror import FactMirror

ROOT = Path(__file__).resolve().parents[2]


class RowsStore:
    """What the mirror asks of a store: the stored rows after a sequence number."""

    def __init__(self, raws: list[str], limit: int):
        self.rows = list(enumerate(raws, start=1))
        self.limit = limit

    def read_since(self, seq: int, limit: int = 20_000) -> list[tuple[int, str]]:
        return [row for row in self.rows if row[0] > seq][:min(limit, self.limit)]


def stored(raw: dict[str, Any]) -> str:
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))  # as ingest stores it


def raws() -> list[str]:
    lines = (ROOT / "samples" / "facts-2026-10.jsonl").read_text(encoding="utf-8").splitlines()
    out = [stored(json.loads(line)) for line in lines if line.strip()]
    first = json.loads(lines[0])
    out += [
        # attributes written in another order than the policy declares them
        stored({"id": "x-1", "type": "role.assigned", "at": "2026-10-30T09:00:00+08:00",
                "person": "杨宝珠", "role": "collector", "actor": "王总"}),
        stored({**first, "id": "x-5", "at": "2026-10-30T09:00:00.25+08:00"}),  # a fraction
        stored({**first, "id": "x-2", "at": "2026-10-30 09:00"}),  # a time without offset
        stored({"id": "x-3", "type": "no.such_type", "at": "2026-10-30T09:00:00+08:00"}),
        stored({"id": "x-4", "type": "bug.found", "at": "2026-10-30T09:00:00+08:00"}),
    ]
    return out


def read(raws: list[str], *, fast: bool, monkeypatch: pytest.MonkeyPatch,
         up_to: int | None = None) -> tuple[list[Fact], list[Any]]:
    policy = pe.load_policy(str(ROOT / "policies"))
    mirror = FactMirror(RowsStore(raws, limit=7), policy.schema)  # type: ignore[arg-type]
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(mirror_module, "fast_path", lambda schema: None)
        if up_to is None:
            mirror.refresh()
            return mirror.snapshot()[1], mirror.unreadable
        older: list[Fact] = []
        mirror._read(0, up_to, older.append, warn=False)
        return older, mirror.unreadable


def shape(fact: Fact) -> tuple[Any, ...]:
    return (fact, type(fact.attrs), [(k, type(v)) for k, v in fact.attrs.items()], fact.line,
            fact.origin, fact.at.tzinfo)


def test_stored_facts_read_by_the_fast_path_are_those_built_before(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rows = raws()
    fast, fast_unreadable = read(rows, fast=True, monkeypatch=monkeypatch)
    slow, slow_unreadable = read(rows, fast=False, monkeypatch=monkeypatch)
    assert [shape(f) for f in fast] == [shape(f) for f in slow]
    assert all(f.line is None and f.origin is None for f in fast)
    assert fast_unreadable == slow_unreadable
    # the two facts the policy refuses are kept aside, with where they are stored
    assert [(u.seq, u.id) for u in fast_unreadable] == [(len(rows) - 1, "x-3"),
                                                        (len(rows), "x-4")]
    assert len(fast) == len(rows) - 2


def test_reading_up_to_a_sequence_number_stops_there(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = raws()
    fast, _ = read(rows, fast=True, monkeypatch=monkeypatch, up_to=10)
    slow, _ = read(rows, fast=False, monkeypatch=monkeypatch, up_to=10)
    assert len(fast) == 10 and [shape(f) for f in fast] == [shape(f) for f in slow]
