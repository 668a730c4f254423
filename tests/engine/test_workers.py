"""`evaluate --workers N`: cases split over processes give the very same result as one
process (engine/workers.py), on the sample month and on a generated stream of 20,000 facts
(hundreds of cases, role handovers, weekly reports, delays, facts sharing one instant)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE_FACTS, shipped

import policyengine as pe
from policyengine.cli.main import main
from policyengine.engine.workers import can_split


@lru_cache(maxsize=1)
def generated(tmp: Path = Path(REPO / "benchmarks" / ".data")) -> Path:
    """20,000 facts from the benchmark's generator (seeded: the same bytes every time)."""
    path = tmp / "facts-20000-s42.jsonl"
    if not path.exists():
        tmp.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_facts.py"),
                        "--facts", "20000", "--seed", "42", "--out", str(path)],
                       check=True, capture_output=True)
    return path


def _document(facts: list[pe.Fact], workers: int, **when: object) -> str:
    result = pe.evaluate(shipped(), facts, workers=workers, **when)  # type: ignore[arg-type]
    return json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True, default=str)


def test_the_shipped_policy_can_be_split() -> None:
    assert can_split(shipped(), 2)
    assert not can_split(shipped(), 1)


@pytest.mark.parametrize("period", ["2026-10", "2026-Q4", "2026-09"])
def test_sample_month_the_same_with_two_and_three_workers(period: str) -> None:
    facts = pe.read_facts(SAMPLE_FACTS, shipped()).facts
    one = _document(facts, 1, period=period)
    assert _document(facts, 2, period=period) == one
    assert _document(facts, 3, period=period) == one


def test_sample_month_figures_with_two_workers() -> None:
    result = pe.evaluate(shipped(), pe.read_facts(SAMPLE_FACTS, shipped()).facts,
                         period="2026-10", workers=2)
    assert len(result.violations) == 45
    assert sum(p.amount for p in result.people) == 870
    assert sum(p.forfeit for p in result.people) == 1
    assert result.stats["obligations"] == pe.evaluate(
        shipped(), pe.read_facts(SAMPLE_FACTS, shipped()).facts, period="2026-10"
    ).stats["obligations"]


def test_generated_stream_the_same_with_two_workers() -> None:
    facts = pe.read_facts(generated(), shipped()).facts
    assert len(facts) == 20_000
    as_of = max(f.at for f in facts)
    one = _document(facts, 1, as_of=as_of)
    assert json.loads(one)["violations"], "the stream has violations to compare"
    assert json.loads(one)["notes"], "and notes, whose order the merge restores"
    assert _document(facts, 2, as_of=as_of) == one
    # shuffled input, re-sent facts, and facts after as-of: still the same
    shuffled = [*facts, *facts[:500]]
    random.Random(3).shuffle(shuffled)
    early = facts[len(facts) // 2].at
    assert _document(shuffled, 2, as_of=early) == _document(shuffled, 1, as_of=early)


def test_cli_workers_option(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for workers in ("1", "2"):
        code = main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                     "--format", "json", "--workers", workers])
        assert code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[1])["violations"]) == 45


def test_cli_rejects_a_worker_count_below_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10", "--workers", "0"])
    assert stop.value.code == 2
    assert "--workers" in capsys.readouterr().err


def test_an_error_is_the_same_with_workers() -> None:
    # A fact of 2003, before the calendar's first year, in one case: the one-process replay
    # raises E-CAL-YEAR naming the duty and fact; with workers the very same error comes out.
    facts = list(pe.read_facts(SAMPLE_FACTS, shipped()).facts)
    trigger = next(f for f in facts if f.type == "requirement.raised")
    early = trigger._replace(at=trigger.at.replace(year=2003), id="early-one", case="03010101")
    errors = []
    for workers in (1, 2):
        with pytest.raises(pe.CalendarDataMissing) as failed:
            pe.evaluate(shipped(), [*facts, early], period="2026-10", workers=workers)
        errors.append(str(failed.value))
    assert "2003" in errors[0] and "early-one" in errors[0]
    assert errors[0] == errors[1]
