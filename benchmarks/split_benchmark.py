"""Paired benchmark of the split engines: `evaluate` end to end on 1 and 2 workers.

Usage::

    python benchmarks/split_benchmark.py --facts 200000 [--rounds 3] [--dask]

Each pass is the command line in a fresh subprocess (`policyengine evaluate --format json`
over the generated facts, the month of the last fact, as of that fact), the passes
interleaved round by round so a busy machine slows all of them alike. Prints per setting
the median wall time and CPU time (the command and every process it waited for: forked
workers, a local Dask cluster), the speed-up of 2 workers over 1 in wall time, that every
output is byte-identical to the one-process output, and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
CLI = Path(sys.executable).parent / "policyengine"


def facts_file(count: int) -> Path:
    path = DATA / f"facts-{count}-s42.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate_facts.py"), "--facts", str(count),
                        "--seed", "42", "--out", str(path)], check=True)
    return path


def last_time(path: Path) -> str:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 4096))
        last = handle.read().splitlines()[-1]
    return str(json.loads(last)["at"])


def one_pass(path: Path, as_of: str, options: list[str]) -> tuple[float, float, bytes]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(CLI), "evaluate", "--facts", str(path), "--month", as_of[:7],
                           "--as-of", as_of, "--format", "json", *options],
                          capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):
        sys.exit(f"{options}: exit {done.returncode}\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dask", action="store_true", help="also Dask on 1 and 2 local workers")
    args = parser.parse_args()
    path = facts_file(args.facts)
    as_of = last_time(path)
    settings = {"1 process": [], "--workers 2": ["--workers", "2"]}
    if args.dask:
        settings["dask 1 worker"] = ["--engine", "dask", "--workers", "1"]
        settings["dask 2 workers"] = ["--engine", "dask", "--workers", "2"]
    print(f"{path.name}: month {as_of[:7]}, as of {as_of}; load average before "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in settings}
    reference: bytes | None = None
    for _ in range(args.rounds):
        for name, options in settings.items():
            wall, cpu, out = one_pass(path, as_of, options)
            if reference is None:
                reference = out
            elif out != reference:
                sys.exit(f"{name}: the output differs from one process's")
            times[name].append((wall, cpu))
    medians = {name: (statistics.median(w for w, _ in ts), statistics.median(c for _, c in ts))
               for name, ts in times.items()}
    for name, (wall, cpu) in medians.items():
        print(f"  {name:15} wall {wall:6.2f} s   cpu {cpu:6.2f} s   "
              f"(walls: {', '.join(f'{w:.2f}' for w, _ in times[name])})")
    speedup = medians["1 process"][0] / medians["--workers 2"][0]
    print(f"  --workers 2 speed-up (wall): {speedup:.2f}x")
    if args.dask:
        print(f"  dask 2 vs 1 workers (wall): "
              f"{medians['dask 1 worker'][0] / medians['dask 2 workers'][0]:.2f}x")
    print(f"  outputs byte-identical: yes ({len(reference or b''):,} bytes); load average after "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
