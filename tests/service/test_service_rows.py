"""Rendered rows kept between reads (service/rows.py): a kept row is the row the result's
own `to_dict` makes, and is made again whenever what it is made from changes (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from service_support import make_config, sample_facts
from test_service_cases import store, window

from policyengine.results import EvaluationResult, PenaltyCharge
from policyengine.service import views
from policyengine.service.state import Service


@contextmanager
def loaded(tmp_path: Path) -> Iterator[Service]:
    svc = Service(make_config(str(tmp_path / "facts.db")))
    try:
        store(svc, sample_facts())
        yield svc
    finally:
        svc.close()


def evaluated(svc: Service, period: str) -> EvaluationResult:
    """A new evaluation of `period` (none kept): new result objects, the same obligations."""
    svc.live.results.clear()
    return svc.live.results.get(*window(svc, period, None))


def busiest(result: EvaluationResult, rows: str) -> str:
    people: list[str] = [row.person for row in getattr(result, rows) if row.person]
    assert people, f"the sample has {rows} with a person"
    return max(set(people), key=people.count)


def test_open_obligation_rows_are_kept_while_their_obligations_stand(tmp_path: Path) -> None:
    with loaded(tmp_path) as svc:
        rows = svc.live.rows
        first = evaluated(svc, "2026-10")
        person = busiest(first, "obligations")
        made = views.obligations(first, person, rows)
        again = evaluated(svc, "2026-10")
        assert again.obligations is not first.obligations
        kept = views.obligations(again, person, rows)
        assert kept == [o.to_dict() for o in again.obligations if o.person == person]
        assert len(kept) > 1 and all(a is b for a, b in zip(kept, made, strict=True))
        # Another time object (another obligation's, or a case replayed again): made again.
        moved = [replace(o, due=o.due + timedelta(0)) for o in again.obligations
                 if o.person == person]
        remade = rows.obligations(moved)
        assert remade == [o.to_dict() for o in moved]
        assert not any(a is b for a, b in zip(remade, made, strict=True))
        # Other fields are in the key: the same times, not overdue any more.
        flipped = [replace(o, overdue=not o.overdue) for o in again.obligations
                   if o.person == person]
        assert rows.obligations(flipped) == [o.to_dict() for o in flipped]


def test_a_shared_charge_is_written_once_per_answer(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with loaded(tmp_path) as svc:
        rows = svc.live.rows
        result = evaluated(svc, "2026-10")
        person = busiest(result, "violations")
        mine = [v for v in result.violations if v.person == person]
        charges = {id(v.penalty) for v in mine}
        assert len(charges) < len(mine), "the sample's person shares a charge"
        written: list[PenaltyCharge] = []
        plain = PenaltyCharge.__repr__

        def counted(charge: PenaltyCharge) -> str:
            written.append(charge)
            return plain(charge)

        monkeypatch.setattr(PenaltyCharge, "__repr__", counted)
        names = rows.names

        def want(violations: list[Any]) -> list[dict[str, Any]]:
            return [{"id": views.violation_id(v), **v.to_dict(names)} for v in violations]

        assert views.violations(result, lambda v: v.person == person, rows=rows) == want(mine)
        assert len(written) == len(charges)
        # A charge moved (a month's count tier): the rows under it are made again with it.
        other = replace(mine[0].penalty, rule="P-other")
        moved = [replace(v, penalty=other) if v.penalty is mine[0].penalty else v
                 for v in mine]
        assert rows.rows(moved, views.violation_id) == want(moved)
