"""Duplicate ids in a streamed file (engine/stream.py `Runs`): while the ids rise in file
order none can repeat, so none is hashed; the first that does not rise has the ids before it
read again and hashed, and from then on each is hashed as it comes. What the reader decides
(re-sent facts dropped, an id used for two facts rejected at every use) stays the list
path's."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from test_stream import _lines, _listed, _streamed, _write

from policyengine.engine import stream


class Watch:
    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.runs: list[Any] = []
        self.hashed = 0
        self.prefixes: list[int] = []
        watch = self
        add, before = stream.IdHashes.add, stream._ids_before

        class Counting(stream.Runs):  # type: ignore[misc]
            def __init__(self, *args: Any, **kwargs: Any):
                super().__init__(*args, **kwargs)
                watch.runs.append(self)

        def adding(ids: Any, fact_id: str) -> None:
            self.hashed += 1
            add(ids, fact_id)

        def reading(facts: Any, line: int) -> Any:
            self.prefixes.append(line)
            return before(facts, line)

        monkeypatch.setattr(stream, "Runs", Counting)
        monkeypatch.setattr(stream.IdHashes, "add", adding)
        monkeypatch.setattr(stream, "_ids_before", reading)

    def buckets(self) -> int:
        return sum(len(b) for r in self.runs if r.ids is not None for b in r.ids.buckets)


def test_rising_ids_are_not_hashed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = _write(tmp_path, _lines())
    watch = Watch(monkeypatch)
    assert _streamed(path, period="2021-03") == _listed(path, period="2021-03")
    assert len(watch.runs) == 1 and watch.runs[0].rose
    assert watch.hashed == 0 and watch.buckets() == 0 and watch.prefixes == []


def test_an_id_used_again_after_the_ids_stop_rising(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """Line 500's id used again at line 9001 for another fact, at line 9000's time (the file
    stays sorted; the ids stop rising there), re-sent facts, broken lines: the ids before
    line 9001 are read again and hashed, the conflict is found, the result and rejections
    are the list path's."""
    lines = _lines()
    reused = dict(json.loads(lines[499]), at=json.loads(lines[8999])["at"], actor="某人")
    lines.insert(9000, json.dumps(reused, ensure_ascii=False))
    for index in (3000, 200):  # re-sent at once
        lines.insert(index + 1, lines[index])
    lines.insert(7000, "{not json")
    path = _write(tmp_path, lines)
    watch = Watch(monkeypatch)
    streamed = _streamed(path, period="2021-03")
    assert streamed == _listed(path, period="2021-03")
    assert len(watch.runs) == 2  # read, then (the id decided) replayed knowing it
    first = watch.runs[0]
    assert not first.rose and watch.prefixes == [9004]
    assert watch.hashed >= 9000  # the ids read again, then the rest
    assert len(streamed[1]) == 3 and streamed[2] == 2  # rejected lines, re-sent facts


def test_ids_that_never_rise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ids in no order (random names), one of them used for two facts at two instants: the
    second fact stops the rise at once, and the result is still the list path's."""
    rng = random.Random(5)
    facts = [json.loads(text) for text in _lines()]
    for fact, number in zip(facts, rng.sample(range(10**9), len(facts)), strict=True):
        fact["id"] = f"x{number:09d}"
    facts[4000]["id"] = facts[800]["id"]  # another fact with an id used before
    path = _write(tmp_path, [json.dumps(f, ensure_ascii=False) for f in facts])
    watch = Watch(monkeypatch)
    streamed = _streamed(path, period="2021-03")
    assert streamed == _listed(path, period="2021-03")
    assert watch.prefixes and watch.prefixes[0] < 20
    assert len(streamed[1]) == 2  # both uses of the id rejected
