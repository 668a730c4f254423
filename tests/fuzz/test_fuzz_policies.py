"""Fuzz: mutated copies of the shipped policy never make `check` or `evaluate` fail inside.

320 mutants of policies/ (seed fixed): each is checked by the command line in-process; the
exit code must be 0 (valid) or 1 (located errors), never 4 (internal error), and each run
must end within a few seconds (SIGALRM turns a hang into a failure). Every mutant that checks
clean is evaluated over the sample month; that too must not end in an internal error.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import POLICY_DIR, SAMPLE_FACTS
from mutations import mutate

from policyengine.cli.main import EXIT_INTERNAL, main

# A longer run, e.g. before a release: POLICYENGINE_FUZZ_SEED=7 POLICYENGINE_FUZZ_MUTANTS=3000
SEED = int(os.environ.get("POLICYENGINE_FUZZ_SEED", "20261130"))
MUTANTS = int(os.environ.get("POLICYENGINE_FUZZ_MUTANTS", "320"))
PER_RUN_SECONDS = 10


class Hang(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds}s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with deadline(PER_RUN_SECONDS), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_mutated_policies_never_fail_inside(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYENGINE_DEBUG", raising=False)
    rng = random.Random(SEED)
    originals = {p.name: p.read_bytes() for p in sorted(POLICY_DIR.glob("*.yaml"))}
    started, cpu_started = time.monotonic(), time.process_time()
    clean, evaluated, failures = 0, 0, []
    codes: dict[int, int] = {}
    for n in range(MUTANTS):
        folder = tmp_path / f"m{n:03d}"
        folder.mkdir()
        target = rng.choice(sorted(originals))
        mutated, done = mutate(originals[target], rng)
        for name, data in originals.items():
            (folder / name).write_bytes(mutated if name == target else data)
        what = f"mutant {n} ({target}: {', '.join(done)})"
        code, out, err = run_cli("check", str(folder), "--format", "json")
        codes[code] = codes.get(code, 0) + 1
        if code not in (0, 1):
            failures.append(f"{what}: check exit {code}: {err[-300:]}")
            continue
        report = json.loads(out)
        if code == 1:
            assert report["ok"] is False and report["errors"], what
            assert all(e["line"] >= 1 and e["code"].startswith("E-") and e["message_zh"]
                       for e in report["errors"]), (what, report["errors"])
            continue
        clean += 1
        code, _, err = run_cli("evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                               "--policy", str(folder), "--format", "json")
        evaluated += 1
        if code == EXIT_INTERNAL:
            failures.append(f"{what}: evaluate internal error: {err[-300:]}")
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu_started
    print(f"\nfuzz: {MUTANTS} mutants, {clean} clean and evaluated, exit codes {codes}, "
          f"{elapsed:.1f}s wall, {cpu:.1f}s CPU")
    assert failures == []
    assert evaluated == clean
    assert clean >= MUTANTS // 16  # not all mutations are fatal: evaluate is exercised too
    # CPU time, not wall time: the test machine is shared, and waiting is not our cost.
    assert cpu < 40 * MUTANTS / 320
