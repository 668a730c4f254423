"""Facts not in time order, sorted on disk: memory bounded by a chunk, not by the file.

An external merge sort: chunks of `CHUNK` facts are sorted by `order_key` and written to
a temporary directory (pickled in small batches), then merged. Python's sort and
`heapq.merge` are both stable, so facts with equal keys keep their file order: the order is
exactly `sorted(facts, key=order_key)`, the one `in_order` gives the list path.
"""

from __future__ import annotations

import heapq
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from policyengine.engine.ordering import order_key
from policyengine.facts.schema import Fact

CHUNK = 100_000   # facts sorted in memory at a time
_BATCH = 1_024    # facts per pickle: read back a batch at a time while merging


def sorted_on_disk(facts: Iterable[Fact], directory: Path, origin: str | None,
                   chunk: int = CHUNK) -> Iterator[Fact]:
    """`facts` in `order_key` order; chunks beyond the first go through `directory`."""
    files: list[Path] = []
    held: list[Fact] = []
    for fact in facts:
        held.append(fact)
        if len(held) >= chunk:
            files.append(_write(sorted(held, key=order_key), directory / f"chunk-{len(files)}"))
            held = []
    if not files:
        yield from sorted(held, key=order_key)
        return
    if held:
        files.append(_write(sorted(held, key=order_key), directory / f"chunk-{len(files)}"))
        held = []
    yield from heapq.merge(*(_read(path, origin) for path in files), key=order_key)


def _write(facts: list[Fact], path: Path) -> Path:
    # Plain tuples: a fact without attributes holds a mappingproxy, which pickle refuses,
    # and its origin is one string for the whole file, given back on reading.
    with path.open("wb") as out:
        for start in range(0, len(facts), _BATCH):
            pickle.dump([(f.type, f.at, f.case, f.actor, dict(f.attrs) if f.attrs else None,
                          f.id, f.line) for f in facts[start:start + _BATCH]], out,
                        protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _read(path: Path, origin: str | None) -> Iterator[Fact]:
    with path.open("rb") as handle:
        while True:
            try:
                batch: list[tuple[Any, ...]] = pickle.load(handle)
            except EOFError:
                return
            for kind, at, case, actor, attrs, fact_id, line in batch:
                if attrs is None:
                    yield Fact(kind, at, case, actor, id=fact_id, line=line, origin=origin)
                else:
                    yield Fact(kind, at, case, actor, attrs, fact_id, line, origin)
