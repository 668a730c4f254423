"""Evaluating a facts file whose reading is split by case too: over forked processes
(`--workers N`, engine/workers.py) or a Dask cluster (`--engine dask`, engine/cluster.py).

The workers read their own share of the lines, so the parent neither decodes nor checks
every fact before the split (with `evaluate(facts, workers=N)` it has, and only the replay
is split). The result and what the reader says of the file are the same as one process's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.evaluate import evaluate_replay, standing, triage
from policyengine.engine.sharing import Summary
from policyengine.engine.workers import split_file
from policyengine.gcpause import gc_paused
from policyengine.periods import Period
from policyengine.results import EvaluationResult


class Engine(StrEnum):
    PROCESSES = "processes"  # forked processes on this machine (--workers N)
    DASK = "dask"            # a Dask cluster, local or at --scheduler


@dataclass(frozen=True)
class FileResult:
    result: EvaluationResult
    summary: Summary  # the reader's rejections (in line order) and counts


def evaluate_file(policy: CompiledPolicy, path: Path, *, name: str | None = None,
                  period: Period | str | None = None, as_of: datetime | None = None,
                  engine: Engine = Engine.PROCESSES, workers: int | None = None,
                  scheduler: str | None = None, partitions: int | None = None,
                  shared_files: bool = False) -> FileResult | None:
    """`evaluate(policy, read_facts(path).facts, ...)` with reading and replay split by
    case. None when this file or policy is not split (CSV, a role assignment with a case,
    an id shared by facts of two workers, an error met in a worker...): the caller reads and
    evaluates in one process, which says what is wrong exactly as it always does. With
    `shared_files` the workers at `scheduler` read the file at the same path themselves
    (a local cluster's always do)."""
    period, as_of = standing(policy, period, as_of)
    name = name or str(path)
    with gc_paused():
        if engine is Engine.DASK:
            from policyengine.engine.cluster import split_on_dask

            split = split_on_dask(policy, path, name, as_of, period, scheduler=scheduler,
                                  workers=workers, partitions=partitions,
                                  shared_files=shared_files)
        else:
            sort_out = triage(policy, period, as_of)
            split = split_file(policy, path, name, as_of,
                               lambda o: o.missing_year is not None or sort_out(o) is not None,
                               workers or 1)
        if split is None:
            return None
        run, summary = split.run, split.summary
        run.facts_after_as_of, run.duplicates = summary.after_as_of, summary.duplicates
        return FileResult(evaluate_replay(policy, run, period), summary)
