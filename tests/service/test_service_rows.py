"""Rendered rows kept between reads (service/rows.py): a kept row is the row the result's
own `to_dict` makes, written as JSON once, and is made again whenever what it is made from
changes; an answer holding written rows has the bytes it had with the rows as objects
(issue 10)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from service_support import make_config, sample_facts
from test_service_cases import store, window

from policyengine.results import EvaluationResult, PenaltyCharge, Violation
from policyengine.service import views
from policyengine.service.http import Json, Row, encoded
from policyengine.service.rows import RowCache, _kept
from policyengine.service.state import Service


def read(rows: list[Row]) -> list[Any]:
    """Rows as objects again (a row written already is read back)."""
    return [msgspec.json.decode(r) if isinstance(r, msgspec.Raw) else r for r in rows]


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
        assert read(kept) == [o.to_dict() for o in again.obligations if o.person == person]
        assert len(kept) > 1 and all(a is b for a, b in zip(kept, made, strict=True))
        # Another time object (another obligation's, or a case replayed again): made again.
        moved = [replace(o, due=o.due + timedelta(0)) for o in again.obligations
                 if o.person == person]
        remade = rows.obligations(moved)
        assert read(remade) == [o.to_dict() for o in moved]
        assert not any(a is b for a, b in zip(remade, made, strict=True))
        # Other fields are in the key: the same times, not overdue any more.
        flipped = [replace(o, overdue=not o.overdue) for o in again.obligations
                   if o.person == person]
        assert read(rows.obligations(flipped)) == [o.to_dict() for o in flipped]


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

        assert read(views.violations(result, lambda v: v.person == person,
                                     rows=rows)) == want(mine)
        assert len(written) == len(charges)
        rows.rows(mine, views.violation_id)  # read again: kept whole
        # A charge moved (a month's count tier): the rows kept whole under it are joined
        # again around it, byte for byte the rows made whole.
        other = replace(mine[0].penalty, rule="P-other", count_in_month=99)
        moved = [replace(v, penalty=other) if v.penalty is mine[0].penalty else v
                 for v in mine]
        made: list[Violation] = []
        to_dict = Violation.to_dict

        def counted_row(violation: Violation, *args: Any, **kwargs: Any) -> dict[str, Any]:
            made.append(violation)
            return to_dict(violation, *args, **kwargs)

        monkeypatch.setattr(Violation, "to_dict", counted_row)
        joined = rows.rows(moved, views.violation_id)
        assert made == []
        monkeypatch.setattr(Violation, "to_dict", to_dict)
        assert Json(joined).body == dumped(want(moved))


def dumped(value: Any, ascii_only: bool = False) -> bytes:
    """What `Json` wrote before it used msgspec: json.dumps' bytes."""
    text = json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"), allow_nan=False)
    return text.encode("ascii" if ascii_only else "utf-8")


def test_an_answer_of_written_rows_has_the_bytes_of_its_rows_as_objects() -> None:
    row = {"id": "d:1", "who": "周文静", "late_seconds": 90, "amount": 12.5, "ok": None,
           "steps": ["一", "two"], "penalty": {"amount": 20, "detail": "x"}}
    assert isinstance(encoded(row), msgspec.Raw)
    answer = {"person": "周文静", "violations": [row, row]}
    with_rows = {**answer, "violations": [encoded(row), encoded(row)]}
    assert Json(with_rows).body == Json(answer).body == dumped(answer)
    # An answer msgspec does not write as json.dumps does (a float written with an
    # exponent elsewhere; a lone surrogate: ASCII escapes): the written rows read back.
    tiny = {**answer, "rate": 1e-05}
    assert Json({**with_rows, "rate": 1e-05}).body == dumped(tiny)
    odd = {**answer, "note": "\ud800"}
    assert Json({**with_rows, "note": "\ud800"}).body == dumped(odd, ascii_only=True)
    # A row that is not written alike is kept as an object, written with its answer.
    assert encoded({"rate": 1e-05}) == {"rate": 1e-05}
    assert encoded({"note": "\ud800"}) == {"note": "\ud800"}


def test_kept_explanations_are_their_json_and_a_row_of_them_has_the_same_bytes() -> None:
    steps = ["周文静 did not notify by 09:00", "未按时通知"]
    kept = _kept(steps)
    assert isinstance(kept, msgspec.Raw) and msgspec.json.decode(kept) == steps
    row = {"id": "d:1", "explanation": steps, "explanation_zh": steps}
    assert encoded({**row, "explanation": kept, "explanation_zh": kept}) == encoded(row)
    # Steps msgspec cannot write as json.dumps does (a lone surrogate) stay a list, and an
    # answer holding a row with written steps still reads as its objects.
    assert _kept(["\ud800"]) == ["\ud800"]
    odd = {**row, "note": "\ud800"}
    assert Json({**odd, "explanation": kept}).body == dumped(odd, ascii_only=True)


def test_the_kept_rows_stay_within_their_bounds(tmp_path: Path) -> None:
    """Memory stays flat however many months are read: every table of kept renderings
    drops its oldest past its bound, and a row made after a drop is the row as before."""
    with loaded(tmp_path) as svc:
        result = evaluated(svc, "2026-10")
        rows = RowCache(svc.live.rows.names, size=3, whole=2, open_rows=2)
        violations = list(result.violations)
        assert len(violations) > 3, "the sample's month has more violations than the bound"
        names = rows.names
        want = [{"id": views.violation_id(v), **v.to_dict(names)} for v in violations]
        for _ in range(3):  # made, then kept whole from the second reading on, then read
            assert read(rows.rows(violations, views.violation_id)) == want
            assert len(rows._explained) <= 3 and len(rows._penalties) <= 3
            assert len(rows._rows) <= 2 and len(rows._around) <= 2
        assert read(rows.obligations(result.obligations)) == [
            o.to_dict() for o in result.obligations]
        assert len(result.obligations) > 2 and len(rows._open) <= 2
