"""The service benchmark's reads in-process, CPU time per step: no HTTP, no client, no other
thread's wait (what `service_benchmark.py` measures in wall time, taken apart).

On a store filled without its last --single facts (`service_fill.py --leave 400`; copied
first, the original is left as it is): the first read of the busiest person's last whole
month, then each left-out fact appended (`views.append`) and a person's current month read
and rendered as `GET /v1/people/{person}` renders it, the busiest and a typical person in
turn; then --back back-dated facts as the benchmark makes them, each followed by a read of
the last whole month. Prints, per person and phase, the CPU time of the reading thread of the
result (`views.evaluate`) and of the rendering (JSON bytes), p50 / p99 / max.

    python benchmarks/service_steps.py --db /tmp/store.db --facts 1000000
    POLICYENGINE_PURE=1 python benchmarks/service_steps.py ... --profile /tmp/steps.prof
"""

from __future__ import annotations

import argparse
import cProfile
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from service_benchmark import facts_file, month_and_person

from policyengine.gcpause import gc_paused
from policyengine.service import ingest, views
from policyengine.service.http import Json
from policyengine.service.state import Live, Service, ServiceConfig

ROOT = Path(__file__).resolve().parents[1]


def render(live: Live, month: str, person: str) -> tuple[float, float, int]:
    """CPU seconds of the result and of its rendering, and the answer's size: as
    app.py's person_view."""
    began = time.thread_time()
    result = views.evaluate(live, month, None, person)
    made = time.thread_time()
    total = result.person(person)
    with gc_paused():
        body = Json({**views.window(result, person), "person": person,
                     "total": total.to_dict() if total is not None else None,
                     "violations": views.violations(result, lambda v: v.person == person,
                                                    rows=live.rows),
                     "obligations": obligations(result, person, live)}).body
    return made - began, time.thread_time() - made, len(body)


def obligations(result: Any, person: str, live: Live) -> list[Any]:
    """The open obligations as the person's answer renders them (a tree from before
    `views.obligations`: as it did, so the script compares trees)."""
    if hasattr(views, "obligations"):
        found: list[Any] = views.obligations(result, person, live.rows)
        return found
    return [o.to_dict() for o in result.obligations if o.person == person]


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"p50 {1000 * ordered[len(ordered) // 2]:6.1f}  p99 {1000 * p99:6.1f}  "
            f"max {1000 * ordered[-1]:6.1f} ms")


def back_dated(lines: list[str], month: str, person: str, count: int) -> list[dict[str, Any]]:
    """The facts `service_benchmark.back_dated_reads` sends, in its order."""
    of_month = [json.loads(line) for line in lines[-200_000:]]
    of_month = [f for f in of_month if f["at"][:7] == month and f.get("case")
                and f["at"][8:10] > "03"]
    out = []
    for number in range(count):
        if number % 2 == 0:
            base = of_month[(number * 7919) % len(of_month)]
            day = int(base["at"][8:10]) - 2
            out.append({**base, "id": f"bench-back-{number}-{uuid.uuid4().hex[:8]}",
                        "at": f"{base['at'][:8]}{day:02d}{base['at'][10:]}"})
        else:
            day = 10 + number % 10
            out.append({"id": f"bench-back-{number}-{uuid.uuid4().hex[:8]}",
                        "type": "bug.found", "at": f"{month}-{day}T10:00:00+08:00",
                        "case": f"B{month[2:4]}{month[5:7]}{day}{90 + number // 10:02d}",
                        "actor": person})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="filled without the last --single facts")
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--single", type=int, default=400)
    parser.add_argument("--back", type=int, default=100)
    parser.add_argument("--typical", default="周明")
    parser.add_argument("--profile", help="write a cProfile of the reads here")
    parser.add_argument("--verbose", action="store_true", help="print each read")
    args = parser.parse_args()
    lines = [x for x in facts_file(args.facts, args.seed).read_text("utf-8").splitlines()
             if x.strip()]
    month, busiest = month_and_person(lines)
    work = Path(tempfile.mkdtemp(prefix="pe-steps-"))
    db = work / "store.db"
    shutil.copy(args.db, db)
    svc = Service(ServiceConfig(policy_path=ROOT / "policies", database=str(db)))
    live = svc.live
    began = time.perf_counter()
    render(live, month, busiest)
    print(f"first read {month} {busiest}: {time.perf_counter() - began:.1f} s")
    profile = cProfile.Profile() if args.profile else None
    single = lines[len(lines) - args.single:]
    current = json.loads(single[-1])["at"][:7]
    people = [busiest, args.typical]
    times: dict[tuple[str, str, str], list[float]] = {}

    def step(phase: str, fact: bytes, reader: str, when: str) -> None:
        items, stored = views.append(svc, [(None, *ingest.parse_json(fact))], "steps", False)
        assert stored, items[0].errors
        if profile is not None:
            profile.enable()
        made, rendered, _ = render(live, when, reader)
        if profile is not None:
            profile.disable()
        times.setdefault((phase, reader, "result"), []).append(made)
        times.setdefault((phase, reader, "render"), []).append(rendered)
        if args.verbose:
            print(phase, reader, f"{made * 1000:.1f} {rendered * 1000:.1f}", live.rows.hits)

    for number, line in enumerate(single):
        step("fresh", line.encode(), people[number % 2], current)
    for number, fact in enumerate(back_dated(lines, month, busiest, args.back)):
        step("back", json.dumps(fact).encode(), people[(number // 2) % 2], month)
    svc.close()
    shutil.rmtree(work, ignore_errors=True)
    for (phase, reader, what), values in times.items():
        print(f"{phase:5s} {reader} {what:6s} {percentiles(values)}")
    if profile is not None:
        profile.dump_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
