"""The trigger / fulfil / deadline workload through durable-rules, as a benchmark peer.

Shaped as in the design notes (section 1): a trigger fact opens an obligation for
its case (an asserted durable-rules fact), a later fact of the same case discharges
it (a posted event joined to the obligation on duty and case), and the action
compares the event's time with the obligation's deadline.  Deadlines are simple
wall-clock ones, 1 hour or 2 days per duty, in event time taken from the facts
(durable-rules' own timers run on the wall clock only, so they cannot replay a
stream).  The same workload runs through a plain-Python reference over the same
facts, and the counts are compared: any difference is a fact durable-rules lost.

durable-rules is an optional, benchmark-only extra (``pip install -e '.[bench]'``,
needs a C compiler); the policyengine package never imports it.

Usage::

    python benchmarks/durable_rules_peer.py --file facts.jsonl [--facts 100000] [--json]

Exit status: 0 measured (even with lost facts or per-message errors), 3 durable-rules
not installed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import faulthandler
import itertools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from run_benchmark import peak_rss_mib  # same folder: these scripts run as files

HOUR = 3600
DAYS2 = 2 * 24 * HOUR

# duty: (trigger type, trigger "about" or None, fulfil type, fulfil "about" or None, seconds)
DUTIES: dict[str, tuple[str, str | None, str, str | None, int]] = {
    "R1": ("requirement.raised", None, "requirement.reported", None, DAYS2),
    "R2": ("requirement.reported", None, "requirement.registered", None, DAYS2),
    "R4": ("decision.made", None, "plan.estimated", None, DAYS2),  # do / transform only
    "R5": ("decision.made", None, "reporter.notified", "decision", HOUR),
    "R6": ("reporter.notified", "decision", "requester.informed", "decision", DAYS2),
    "R7": ("plan.delivered", None, "acceptance.estimated", None, DAYS2),
    "R8": ("acceptance.estimated", None, "completion.estimated", None, HOUR),
    "R9": ("completion.estimated", None, "reporter.notified", "estimate", HOUR),
    "R10": ("reporter.notified", "estimate", "requester.informed", "estimate", DAYS2),
    "R11": ("delay.approved", None, "reporter.notified", "delay", HOUR),
    "R12": ("reporter.notified", "delay", "requester.informed", "delay", DAYS2),
    "R13": ("requirement.accepted", None, "collector.notified", "completion", HOUR),
    "R14": ("collector.notified", "completion", "reporter.notified", "completion", HOUR),
    "R15": ("reporter.notified", "completion", "requester.informed", "completion", DAYS2),
    "B1": ("bug.found", None, "bug.reported", None, DAYS2),
    "B2": ("bug.reproduced", None, "bug.filed", None, HOUR),
    "B4": ("bug.fixed", None, "requester.informed", "bugfix", DAYS2),
    "C1": ("plan.estimated", None, "plan.delivered", None, DAYS2),
    "C2": ("acceptance.estimated", None, "build.handed_over", None, DAYS2),
    "C3": ("completion.estimated", None, "requirement.accepted", None, DAYS2),
}

OPENS: dict[tuple[str, str | None], list[tuple[str, int]]] = collections.defaultdict(list)
CLOSES: dict[tuple[str, str | None], list[str]] = collections.defaultdict(list)
for _duty, (_tt, _ta, _ft, _fa, _secs) in DUTIES.items():
    OPENS[(_tt, _ta)].append((_duty, _secs))
    CLOSES[(_ft, _fa)].append(_duty)

INSTALL_HINT = (
    "durable-rules is not installed: pip install -e '.[bench]' "
    "(or pip install durable-rules==2.0.28; needs gcc)"
)


@dataclass
class Step:
    """What one fact does to the workload: obligations closed, then opened."""

    fact_id: str
    case: str
    at: int  # epoch seconds
    closes: list[str]
    opens: list[tuple[str, int]]  # (duty, due in epoch seconds)


def to_step(fact: dict[str, Any]) -> Step | None:
    """Map a decoded fact to the obligations it closes and opens (None: no case)."""
    case = fact.get("case")
    if not case:
        return None
    at = int(dt.datetime.fromisoformat(fact["at"]).timestamp())
    key = (fact["type"], fact.get("about"))
    closes = CLOSES.get(key, [])
    opens = [(duty, at + secs) for duty, secs in OPENS.get(key, [])]
    if key[0] == "decision.made" and fact.get("decision") not in ("do", "transform"):
        opens = [o for o in opens if o[0] != "R4"]
    return Step(fact.get("id", ""), case, at, closes, opens)


@dataclass
class Tally:
    """Counts of one run; equal tallies mean no fact was lost."""

    opened: int = 0
    discharged: int = 0
    late: int = 0
    open_at_end: int = 0
    open_overdue: int = 0
    unmatched_closes: int = 0
    ambiguous: int = 0  # a close with more than one open obligation of its duty and case

    @property
    def violations(self) -> int:
        return self.late + self.open_overdue


@dataclass
class Run:
    engine: str
    facts: int = 0
    messages: int = 0
    seconds: float = 0.0
    tally: Tally = field(default_factory=Tally)
    errors: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)
    crashed: str | None = None

    @property
    def facts_per_s(self) -> float:
        return self.facts / self.seconds if self.seconds else 0.0

    def error(self, exc: BaseException) -> None:
        name = type(exc).__name__
        self.errors[name] = self.errors.get(name, 0) + 1
        if len(self.first_errors) < 5:
            self.first_errors.append(f"{name}: {str(exc)[:200]}")


def read_facts(path: Path, k: int) -> Iterable[dict[str, Any]]:
    with path.open("rb") as fh:
        for line in itertools.islice(fh, k):
            yield json.loads(line)


def run_reference(path: Path, k: int) -> Run:
    """Plain Python: open obligations by (duty, case); unmatched closes wait, as in a join.

    A close discharges the newest open obligation of its duty and case, as the
    durable-rules join was seen to do (only matters when two are open at once).
    """
    run = Run("plain Python")
    t0 = time.perf_counter()
    open_: dict[tuple[str, str], collections.deque[int]] = {}
    waiting: dict[tuple[str, str], collections.deque[int]] = {}
    tally = run.tally
    last = 0
    for fact in read_facts(path, k):
        run.facts += 1
        step = to_step(fact)
        if step is None:
            continue
        last = max(last, step.at)
        for duty in step.closes:
            run.messages += 1
            q = open_.get((duty, step.case))
            if q:
                if len(q) > 1:
                    tally.ambiguous += 1
                due = q.pop()
                tally.discharged += 1
                tally.late += step.at > due
            else:
                waiting.setdefault((duty, step.case), collections.deque()).append(step.at)
        for duty, due in step.opens:
            run.messages += 1
            tally.opened += 1
            w = waiting.get((duty, step.case))
            if w:
                at = w.popleft()
                tally.discharged += 1
                tally.late += at > due
            else:
                open_.setdefault((duty, step.case), collections.deque()).append(due)
    run.seconds = time.perf_counter() - t0
    dues = [due for q in open_.values() for due in q]
    tally.open_at_end = len(dues)
    tally.open_overdue = sum(1 for due in dues if due < last)
    tally.unmatched_closes = sum(len(w) for w in waiting.values())
    return run


def run_durable(path: Path, k: int) -> Run:
    """The same workload through durable-rules: obligation facts joined with close events."""
    from durable.lang import assert_fact, c, get_facts, m, post, ruleset, when_all

    run = Run("durable-rules")
    tally = run.tally
    name = "obligations"

    with ruleset(name):

        @when_all(  # type: ignore
            c.o << (m.kind == "obligation"),
            c.e << (m.kind == "close") & (m.duty == c.o.duty) & (m.case == c.o.case),
        )
        def discharge(ctx: Any) -> None:
            tally.discharged += 1
            if ctx.e.at > ctx.o.due:
                tally.late += 1
            ctx.retract_fact(ctx.o)

    def send(fn: Callable[[str, dict[str, Any]], Any], message: dict[str, Any]) -> None:
        run.messages += 1
        try:
            fn(name, message)
        except Exception as exc:  # durable-rules reports rejected messages as exceptions
            run.error(exc)

    last = 0
    t0 = time.perf_counter()
    try:
        for fact in read_facts(path, k):
            run.facts += 1
            step = to_step(fact)
            if step is None:
                continue
            last = max(last, step.at)
            for duty in step.closes:
                send(
                    post,
                    {
                        "id": f"{step.fact_id}/{duty}/close",
                        "kind": "close",
                        "duty": duty,
                        "case": step.case,
                        "at": step.at,
                    },
                )
            for duty, due in step.opens:
                tally.opened += 1
                send(
                    assert_fact,
                    {
                        "id": f"{step.fact_id}/{duty}",
                        "kind": "obligation",
                        "duty": duty,
                        "case": step.case,
                        "due": due,
                    },
                )
    except BaseException as exc:
        run.crashed = f"{type(exc).__name__}: {str(exc)[:300]} after {run.facts} facts"
    run.seconds = time.perf_counter() - t0
    try:
        remaining = [f for f in get_facts(name) if f.get("kind") == "obligation"]
        tally.open_at_end = len(remaining)
        tally.open_overdue = sum(1 for f in remaining if f["due"] < last)
    except Exception as exc:
        run.error(exc)
    return run


def compare(ref: Run, peer: Run) -> list[str]:
    """Differences in the counts, each a fact (or obligation) the peer lost or got wrong."""
    out = []
    for key in ("opened", "discharged", "late", "open_at_end", "open_overdue"):
        a, b = getattr(ref.tally, key), getattr(peer.tally, key)
        if a != b:
            out.append(f"{key}: reference {a:,}, durable-rules {b:,} ({b - a:+,})")
    a, b = ref.tally.violations, peer.tally.violations
    if a != b:
        out.append(f"violations: reference {a:,}, durable-rules {b:,} ({b - a:+,})")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--file", required=True, type=Path, help="facts, JSON Lines")
    p.add_argument("--facts", type=int, default=100_000, help="use the first K facts (100,000)")
    p.add_argument("--json", action="store_true", help="also print a JSON summary as last line")
    a = p.parse_args(argv)
    faulthandler.enable()  # a segfault in the C engine prints where it happened
    try:
        import durable.lang  # noqa: F401
    except ImportError:
        print(INSTALL_HINT)
        if a.json:
            print(json.dumps({"installed": False, "hint": INSTALL_HINT}))
        return 3
    if not a.file.exists():
        p.error(f"no such file: {a.file}")

    ref = run_reference(a.file, a.facts)
    peer = run_durable(a.file, a.facts)
    diffs = compare(ref, peer)
    for r in (ref, peer):
        t = r.tally
        print(
            f"{r.engine:>13}: {r.facts:,} facts ({r.messages:,} messages) in {r.seconds:.2f} s = "
            f"{r.facts_per_s:,.0f} facts/s; obligations {t.opened:,} opened, "
            f"{t.discharged:,} discharged ({t.late:,} late), {t.open_at_end:,} open "
            f"({t.open_overdue:,} overdue): {t.violations:,} violations"
        )
    if ref.tally.ambiguous and diffs:
        print(
            f"note: {ref.tally.ambiguous} closes had two open obligations of the same duty and "
            "case; which one is discharged may differ, so 'late' may differ by that much"
        )
    if peer.errors:
        print(f"durable-rules errors: {peer.errors}; first: {peer.first_errors}")
    if peer.crashed:
        print(f"durable-rules crashed: {peer.crashed}")
    print("lost or wrong: none" if not diffs else "lost or wrong: " + "; ".join(diffs))
    rss = peak_rss_mib()
    print(f"peak RSS of this process (both runs): {rss:,.0f} MiB")
    if a.json:
        print(
            json.dumps(
                {
                    "installed": True,
                    "facts": peer.facts,
                    "reference": {
                        "facts_per_s": ref.facts_per_s,
                        "seconds": ref.seconds,
                        **asdict(ref.tally),
                        "violations": ref.tally.violations,
                    },
                    "durable_rules": {
                        "facts_per_s": peer.facts_per_s,
                        "seconds": peer.seconds,
                        **asdict(peer.tally),
                        "violations": peer.tally.violations,
                        "errors": peer.errors,
                        "first_errors": peer.first_errors,
                        "crashed": peer.crashed,
                    },
                    "differences": diffs,
                    "peak_rss_mib": rss,
                },
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
