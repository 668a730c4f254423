"""A cached result holds results, not the replay it came from (issue 10).

Violation.explain used to be a partial over the whole Replay, so every cached month kept
every stored fact's replay state alive. The explanation needs only the obligation, its
outcome and the as-of; these tests walk everything a cached result references and check
that no Replay, and no copy of the fact list, is among it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

from fastapi.testclient import TestClient
from service_support import ENGLISH, auth, make_config, sample_facts

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.replay import Replay
from policyengine.facts.schema import Fact
from policyengine.service.app import create_app
from policyengine.service.state import Service


def reachable(root: object) -> Iterator[object]:
    """Every object `root` references, directly or not, except the shared, long-lived ones:
    modules, classes, functions (their globals reach everything) and the compiled policy."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, ModuleType | type | FunctionType
                                          | CompiledPolicy):
            continue
        seen.add(id(item))
        yield item
        stack.extend(gc.get_referents(item))


def cached_results(svc: Service) -> list[Any]:
    return [entry.result for entry in svc.live.results._cache.values()]


def loaded_service(tmp_path: Path) -> tuple[TestClient, Service]:
    app = create_app(make_config(str(tmp_path / "facts.db")))
    client = TestClient(app, headers=ENGLISH)
    answer = client.post("/v1/facts/batch", json={"facts": sample_facts()}, headers=auth())
    assert answer.status_code == 200, answer.text
    return client, app.state.service


def test_a_cached_result_keeps_no_replay_and_no_fact_list(tmp_path: Path) -> None:
    client, svc = loaded_service(tmp_path)
    stored = len(sample_facts())
    with client:
        # /v1/people renders no explanation (still lazy); /v1/report renders them all.
        assert client.get("/v1/people?period=2026-10", headers=auth()).status_code == 200
        assert client.get("/v1/report?period=2026-09", headers=auth()).status_code == 200
        results = cached_results(svc)
        assert len(results) == 2
        assert all(result.violations for result in results[1:])
        for result in results:
            found = list(reachable(result))
            assert not [o for o in found if isinstance(o, Replay)]
            fact_lists = [o for o in found if isinstance(o, list | tuple)
                          and len(o) >= stored and all(isinstance(f, Fact) for f in o)]
            assert fact_lists == []


def test_explanations_of_a_cached_result_are_the_same_on_every_read(tmp_path: Path) -> None:
    client, svc = loaded_service(tmp_path)
    with client:
        first = client.get("/v1/report?period=2026-10", headers=auth()).json()
        # The cached result's explanations, rebuilt from what the result kept.
        again = client.get("/v1/report?period=2026-10", headers=auth()).json()
        assert svc.live.results.hits == 1
        assert first == again
        explained = [v["explanation_zh"] for v in first["violations"]]
        assert len(explained) == 45 and all(len(steps) >= 4 for steps in explained)
        assert all(steps[-1].startswith("责任人") for steps in explained), explained[0]


def test_the_result_cache_is_bounded_by_the_rows_it_holds(tmp_path: Path) -> None:
    """Memory follows the rows results hold (violations, obligations with explanations), so
    the cache drops its oldest results once they hold more rows in all than its bound; the
    newest result is kept whatever its size, and a dropped month is computed again."""
    client, svc = loaded_service(tmp_path)
    results = svc.live.results
    months = ["2026-09", "2026-10", "2026-11"]

    def read(month: str) -> None:
        assert client.get(f"/v1/report?period={month}", headers=auth()).status_code == 200

    with client:
        for month in months:
            read(month)
        sizes = {key[0]: entry.rows for key, entry in results._cache.items()}
        assert sorted(sizes) == months and all(sizes.values())
        assert results._rows == sum(sizes.values())
        # Room for the two newest months only.
        results.rows = sizes["2026-10"] + sizes["2026-11"]
        results.clear()
        for month in months:
            read(month)
        assert [key[0] for key in results._cache] == ["2026-10", "2026-11"]
        assert results._rows == results.rows
        misses = results.misses
        read("2026-11")
        assert results.misses == misses          # kept: read from the cache
        read("2026-09")
        assert results.misses == misses + 1      # dropped: computed again
        assert [key[0] for key in results._cache] == ["2026-11", "2026-09"]
        assert results._rows == sizes["2026-11"] + sizes["2026-09"] <= results.rows
        results.rows = 0                         # only the newest result is kept
        read("2026-10")
        assert [key[0] for key in results._cache] == ["2026-10"]
        assert results._rows == sizes["2026-10"]
