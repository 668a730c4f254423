"""Sum a service trace (benchmarks/service_trace) per read of one person.

    python benchmarks/service_trace_report.py /tmp/trace.PID 周文静

For the reads of PERSON after the first single-fact ingest (the service benchmark's fresh
reads, then its back-dated ones: --first/--count choose which), percentiles of: the
request's wall time, the reading thread's CPU time (evaluate, violations, rendering), the
gap between them (waiting: for a core, the GIL, a lock), the part of the read during which
the outcome writer was writing, and the collector passes during the reads.
"""

from __future__ import annotations

import argparse


def percentiles(values: list[float]) -> str:
    ordered = sorted(values) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {ordered[len(ordered) // 2]:7.1f}  p99 {p99:7.1f}  max {ordered[-1]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trace")
    parser.add_argument("person")
    parser.add_argument("--first", type=int, default=0, help="skip this many reads")
    parser.add_argument("--count", type=int, default=200, help="reads summed")
    args = parser.parse_args()
    with open(args.trace, encoding="utf-8") as file:
        rows = [line.rstrip("\n").split("\t") for line in file]
    requests: list[tuple[list[str], list[list[str]]]] = []
    pending: list[list[str]] = []
    for row in rows:
        if row[0] == "req":
            requests.append((row, pending))
            pending = []
        else:
            pending.append(row)
    writes = [(float(r[1]) - float(r[4]) / 1000, float(r[1])) for r in rows
              if r[0] == "fn" and r[3].lower() == "store.outcomes_write"]
    single = next(n for n, (r, _) in enumerate(requests)
                  if r[2] == "POST" and r[3] == "/v1/facts")
    reads = [(r, events) for n, (r, events) in enumerate(requests)
             if n > single and r[2] == "GET" and args.person in r[3]]
    reads = reads[args.first:args.first + args.count]
    columns: dict[str, list[float]] = {"request wall": [], "reading thread CPU": [],
                                       "wall - CPU": [], "person_result CPU": [],
                                       "writer writing during it": [],
                                       "collector passes during it": []}
    for request, events in reads:
        end = float(request[1])
        wall = float(request[4])
        start = end - wall / 1000
        cpu = sum(float(e[5]) for e in events if e[0] == "fn" and e[2] != "MainThread"
                  and e[3] in ("views.evaluate", "views.violations", "Json.render"))
        columns["request wall"].append(wall)
        columns["reading thread CPU"].append(cpu)
        columns["wall - CPU"].append(wall - cpu)
        columns["person_result CPU"].append(sum(float(e[5]) for e in events if e[0] == "fn"
                                                and e[3] == "CaseBook.person_result"))
        columns["writer writing during it"].append(
            sum(max(0.0, min(end, b) - max(start, a)) for a, b in writes) * 1000)
        columns["collector passes during it"].append(
            sum(float(e[4]) for e in events if e[0] == "gc"))
    print(f"{len(reads)} reads of {args.person}")
    for name, values in columns.items():
        print(f"  {name:28s} {percentiles(values)}")


if __name__ == "__main__":
    main()
