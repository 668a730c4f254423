"""Reads kept by case (service/reads.py CaseBook) equal the pure `evaluate` over every stored
fact, whatever order the facts arrive in, back-dated ones included; and a new fact replays
only its own case again."""

from __future__ import annotations

import json
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_support import make_config, sample_facts

from policyengine.engine.evaluate import evaluate
from policyengine.facts.schema import parse_time
from policyengine.periods import Period
from policyengine.results import EvaluationResult
from policyengine.service import views
from policyengine.service.state import Service

WINDOWS = [("2026-10", None), ("2026-09", None), ("2026-Q4", None), ("2026-11", None),
           (None, "2026-10-15T12:00:00+08:00"), ("2026-10", "2026-10-20T18:00:00+08:00")]


def store(svc: Service, facts: list[dict[str, Any]]) -> None:
    items, stored = views.append(svc, [(None, f, None) for f in facts], "tester", False)
    assert stored
    assert all(i.status in ("stored", "duplicate") for i in items), \
        [i for i in items if i.status not in ("stored", "duplicate")][:3]


def text(result: EvaluationResult) -> str:
    return json.dumps(result.to_dict(), default=str, sort_keys=True, ensure_ascii=False)


def person_view(result: EvaluationResult, person: str) -> dict[str, Any]:
    """What /v1/people/{person} says of a result (app.py person_view)."""
    total = result.person(person)
    return {**views.window(result, person),
            "total": total.to_dict() if total is not None else None,
            "violations": views.violations(result, lambda v: v.person == person),
            "obligations": [o.to_dict() for o in result.obligations if o.person == person]}


def window(svc: Service, period: str | None,
           as_of: str | None) -> tuple[Period | None, datetime | None]:
    tz = svc.live.policy.calendar.tz
    return (Period.parse(period) if period else None,
            parse_time(as_of, tz) if as_of else None)


def check_reads(svc: Service, people: int = 6) -> None:
    """Every window, whole and per person, equals `evaluate` over the stored facts."""
    live = svc.live
    live.mirror.refresh()
    _, facts = live.mirror.snapshot()
    for period, as_of in WINDOWS:
        parsed, moment = window(svc, period, as_of)
        want = evaluate(live.policy, facts, period=parsed, as_of=moment)
        names = sorted({v.person for v in want.violations if v.person}
                       | {o.person for o in want.obligations if o.person})
        for person in [*names[:people], "无此人"]:
            got = live.results.person(parsed, moment, person)
            assert person_view(got, person) == person_view(want, person), (period, as_of,
                                                                           person)
        assert text(live.results.get(parsed, moment)) == text(want), (period, as_of)


def back_dated(facts: list[dict[str, Any]], rng: random.Random,
               count: int) -> list[dict[str, Any]]:
    """Copies of stored facts under new ids, moved up to 12 days earlier (still valid)."""
    out = []
    for number in range(count):
        fact = dict(rng.choice(facts))
        at = datetime.fromisoformat(fact["at"]) - timedelta(days=rng.randint(1, 12),
                                                            minutes=rng.randint(0, 600))
        fact["at"] = at.isoformat()
        fact["id"] = f"back-{number}-{fact['id']}"
        out.append(fact)
    return out


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), cuts=st.integers(1, 4), back=st.integers(0, 12))
def test_reads_equal_evaluate_over_stored_facts(seed: int, cuts: int, back: int) -> None:
    rng = random.Random(seed)
    facts = sample_facts()
    rng.shuffle(facts)
    extra = back_dated(facts, rng, back)
    bounds = sorted(rng.sample(range(1, len(facts)), cuts))
    batches = [facts[a:b] for a, b in zip([0, *bounds], [*bounds, len(facts)], strict=True)]
    with tempfile.TemporaryDirectory() as folder:
        svc = Service(make_config(str(Path(folder) / "facts.db")))
        try:
            for batch in batches:
                store(svc, batch)
                check_reads(svc, people=3)
            for fact in extra:   # one at a time, each read back at once
                store(svc, [fact])
                check_reads(svc, people=2)
        finally:
            svc.close()


def test_a_new_fact_replays_only_its_case(database: str) -> None:
    """On SQLite and PostgreSQL (the `database` fixture)."""
    svc = Service(make_config(database))
    try:
        facts = sample_facts()
        store(svc, facts)
        check_reads(svc)
        book = svc.live.results.book
        assert book is not None
        before = book.replays
        case_fact = next(f for f in facts if f.get("case") and f["type"] == "requester.informed")
        late = {**case_fact, "id": "late-1",
                "at": (datetime.fromisoformat(case_fact["at"]) - timedelta(days=3)).isoformat()}
        store(svc, [late])
        check_reads(svc)
        # its own case only (and, up to an as-of, the cases straddling it, not counted)
        assert book.replays - before == 1
        # a role assignment replays every case again (a `by` check reads its holder)
        role = next(f for f in facts if f["type"] == "role.assigned")
        store(svc, [{**role, "id": "role-again", "at": "2026-10-12T09:00:00+08:00"}])
        before = book.replays
        check_reads(svc)
        assert book.replays - before >= len(book.cases)
    finally:
        svc.close()


def test_a_policy_the_cases_cannot_split_reads_through_evaluate(tmp_path: Path) -> None:
    """Without the case book (a decision table) every read is one `evaluate`, as before."""
    svc = Service(make_config(str(tmp_path / "facts.db")))
    try:
        svc.live.results.book = None
        store(svc, sample_facts())
        check_reads(svc, people=2)
    finally:
        svc.close()

