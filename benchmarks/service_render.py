"""A busy person's month read in-process, CPU time, paired: the result made again (as after
a fresh ingest), then the answer rendered the old way (`Violation.to_dict` + `json.dumps`)
and the new (renderings kept, service/rows.py, + msgspec), alternating; checks both give
the same bytes.

    python benchmarks/service_render.py --db STORE.db --person 周文静 --month 2026-04

STORE.db: a store filled by service_fill.py (its kept outcomes are used if current).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policyengine.results import EvaluationResult
from policyengine.service import views
from policyengine.service.http import Json
from policyengine.service.state import Service, ServiceConfig
from policyengine.wording import Glossary

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--person", required=True)
    parser.add_argument("--month", required=True)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    svc = Service(ServiceConfig(policy_path=ROOT / "policies", database=args.db))
    live, person = svc.live, args.person

    def body(result: EvaluationResult, kept: bool) -> dict[str, Any]:
        total = result.person(person)
        mine = [v for v in result.violations if v.person == person]
        found = (views.violations(result, lambda v: v.person == person, rows=live.rows)
                 if kept else [{"id": views.violation_id(v),
                                **v.to_dict(Glossary.of(live.policy.model))} for v in mine])
        return {**views.window(result, person), "person": person,
                "total": total.to_dict() if total is not None else None, "violations": found,
                "obligations": [o.to_dict() for o in result.obligations if o.person == person]}

    def old(result: EvaluationResult) -> bytes:
        return json.dumps(body(result, False), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode()

    def new(result: EvaluationResult) -> bytes:
        return bytes(Json(body(result, True)).body)

    new(views.evaluate(live, args.month, None, person))  # renderings kept from here on
    times: dict[str, list[float]] = {"result": [], "old": [], "new": []}
    size = 0
    for number in range(args.rounds):
        live.results.clear()
        began = time.process_time()
        result = views.evaluate(live, args.month, None, person)
        times["result"].append(time.process_time() - began)
        ways: list[tuple[str, Callable[[EvaluationResult], bytes]]] = [("old", old),
                                                                       ("new", new)]
        for name, way in ways if number % 2 else ways[::-1]:
            began = time.process_time()
            size = len(way(result))
            times[name].append(time.process_time() - began)
        assert old(result) == new(result)
    svc.close()
    for name, values in times.items():
        print(f"{name:6s} median {1000 * statistics.median(values):6.1f} ms CPU, "
              f"max {1000 * max(values):6.1f} ms")
    print(f"{args.person} {args.month}: {size:,} bytes, the same both ways")
    return 0


if __name__ == "__main__":
    sys.exit(main())
