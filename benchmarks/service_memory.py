"""The service's memory while it reads many months: does the result cache grow with them?

Starts `policyengine serve` on a fresh SQLite file, stores --facts generated facts, then
reads one person's month for --months different months (the last whole months of the
stream, newest first) and prints the service's resident memory (RSS) after each read. The
result cache keeps 16 evaluations; a cached result that kept its whole replay alive made
RSS grow with every month read (issue 10).

Usage (from the repository root; needs the serve extra):

    python benchmarks/service_memory.py --facts 200000
    python benchmarks/service_memory.py --facts 1000000 --json-out memory.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_benchmark import (
    DATA,
    ROOT,
    Client,
    bench_folder,
    no_proxy,
    rss_mib,
    server,
    store_batches,
)


def facts_file(count: int, seed: int, per_day: float) -> Path:
    """Generated facts, cached; fewer cases a day spread them over more months."""
    path = DATA / f"facts-{count}-s{seed}-d{per_day:g}.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {count:,} facts into {path} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_facts.py"),
                        "--facts", str(count), "--seed", str(seed), "--per-day",
                        str(per_day), "--out", str(path)], check=True)
    return path


def months_and_person(lines: list[str], count: int) -> tuple[list[str], str]:
    """The `count` last whole months of the stream (newest first), and the busiest actor."""
    months = sorted({json.loads(line)["at"][:7] for line in lines})[:-1]  # the last is partial
    chosen = months[-count:][::-1]
    actors = Counter(f.get("actor") for f in (json.loads(line) for line in lines)
                     if f.get("actor"))
    return chosen, actors.most_common(1)[0][0]


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = facts_file(args.facts, args.seed, args.per_day)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    months, person = months_and_person(lines, args.months)
    work, token, tokens = bench_folder("pe-memory-")
    figures: dict[str, Any] = {"facts": len(lines), "person": person, "reads": []}
    try:
        with server(str(work / "facts.db"), tokens, work / "server.log") as (port, pid):
            client = Client(port, token)
            store_batches(client, lines, args.batch)
            figures["rss_after_ingest_mib"] = rss_mib(pid)
            for month in months:
                start = time.perf_counter()
                status, view = client.request(
                    "GET", f"/v1/people/{quote(person)}?period={month}")
                took = time.perf_counter() - start
                assert status == 200, view
                row = {"month": month, "seconds": took, "violations": len(view["violations"]),
                       "rss_mib": rss_mib(pid)}
                figures["reads"].append(row)
                print(f"{month}  {took:6.2f} s  {row['violations']:4d} violations  "
                      f"RSS {row['rss_mib']:,.0f} MiB", flush=True)
            client.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=200_000, help="facts to store")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--per-day", type=float, default=15.0,
                        help="cases a working day (fewer: the facts span more months)")
    parser.add_argument("--months", type=int, default=24, help="different months to read")
    parser.add_argument("--batch", type=int, default=20_000, help="facts per batch request")
    parser.add_argument("--json-out", help="also write the figures as JSON here")
    args = parser.parse_args()
    no_proxy()
    figures = run(args)
    reads = figures["reads"]
    first, last = reads[0]["rss_mib"], reads[-1]["rss_mib"]
    print(f"{figures['facts']:,} facts; RSS after ingest {figures['rss_after_ingest_mib']:,.0f} "
          f"MiB; after the first read {first:,.0f} MiB; after {len(reads)} months "
          f"{last:,.0f} MiB ({(last - first) / first:+.0%})")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
