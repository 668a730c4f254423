"""Restart to first answer of `policyengine serve`, paired with another tree's service.

Fills a new SQLite file with --facts facts once (through this tree's service, JSON Lines
batches), then starts the service on that file --rounds times for each tree, alternating
(this tree, the other tree, this tree, ...): from starting the process to the first answer
of the busiest person's last whole month (the service reads every stored fact and replays
what it needs first). Prints, per start, the wall time and the CPU time the service process
used by then (user + system, /proc/PID/stat: the machine is shared, CPU time is the fairer
figure), and the medians.

    python benchmarks/service_restart.py --facts 1000000 --other /work/main
    python benchmarks/service_restart.py --store benchmarks/.data/store-1000000.db --other none

The first start on a store replays every case and keeps their outcomes in it (D37);
the later starts read those: compare the rounds, not only the medians.

The other tree must have its own .venv with the serve extra (e.g. main's checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from service_benchmark import (
    ROOT,
    Client,
    bench_folder,
    facts_file,
    free_port,
    month_and_person,
    rss_mib,
    stop,
    store_batches,
)

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def start(tree: Path, database: str, tokens: Path, log: Path) -> tuple[subprocess.Popen[bytes],
                                                                     int]:
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(tree / ".venv" / "bin" / "python"), "-m", "policyengine.service", "--db",
             database, "--port", str(port), "--tokens", str(tokens), "--policy",
             str(tree / "policies"), "--log-level", "warning", "--max-batch", "100000",
             "--max-body-bytes", str(256 * 1024 * 1024)],
            cwd=tree, stdout=out, stderr=subprocess.STDOUT)
    return process, port


def first_answer(tree: Path, database: str, tokens: Path, token: str, log: Path,
                 url: str) -> dict[str, Any]:
    began = time.perf_counter()
    process, port = start(tree, database, tokens, log)
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the service exited; see {log}")
            try:
                client = Client(port, token)
                status, _ = client.request("GET", url)
                break
            except OSError:
                time.sleep(0.05)
        assert status == 200, status
        figures = {"wall_s": time.perf_counter() - began, "cpu_s": cpu_seconds(process.pid),
                   "rss_mib": rss_mib(process.pid)}
        client.close()
        return figures
    finally:
        stop(process)


def fill(database: str, tokens: Path, token: str, log: Path, lines: list[str],
         batch: int) -> None:
    """Store the facts through this tree's service, in JSON Lines batches."""
    process, port = start(ROOT, database, tokens, log)
    try:
        client = None
        while client is None:
            try:
                client = Client(port, token)
                client.request("GET", "/v1/health")
            except OSError:
                client = None
                time.sleep(0.05)
        store_batches(client, lines, batch)
        client.close()
    finally:
        process.terminate()
        process.wait(timeout=60)


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = facts_file(args.facts, args.seed)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    month, person = month_and_person(lines)
    url = f"/v1/people/{quote(person)}?period={month}"
    work, token, tokens = bench_folder("pe-restart-")
    database, log = str(work / "facts.db"), work / "server.log"
    other = Path(args.other).resolve() if args.other != "none" else None
    trees = [("this", ROOT)] + ([("other", other)] if other is not None else [])
    figures: dict[str, Any] = {"facts": len(lines), "url": url, "this": [], "other": [],
                               "other_tree": str(other), "load": os.getloadavg()}
    if args.store:  # a store filled before (service_fill.py): copied, not filled again
        shutil.copyfile(args.store, database)
        figures["store"] = args.store
    try:
        if not args.store:
            fill(database, tokens, token, log, lines, args.batch)
        for number in range(args.rounds):
            for name, tree in trees:
                got = first_answer(tree, database, tokens, token, log, url)
                figures[name].append(got)
                print(f"round {number + 1} {name:5s}  wall {got['wall_s']:6.2f} s  "
                      f"CPU {got['cpu_s']:6.2f} s  RSS {got['rss_mib']:,.0f} MiB", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["load_after"] = os.getloadavg()
    for name, _ in trees:
        for what in ("wall_s", "cpu_s"):
            figures[f"{name}_{what}_median"] = statistics.median(r[what] for r in figures[name])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000, help="facts to store")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=20_000, help="facts per batch request")
    parser.add_argument("--rounds", type=int, default=3, help="starts of each tree")
    parser.add_argument("--other", default="/work/main", help="the tree to pair with")
    parser.add_argument("--store", help="a SQLite store filled before (service_fill.py), "
                        "copied for the run: the first start replays every case and keeps "
                        "their outcomes, the later ones read those")
    parser.add_argument("--json-out", help="also write the figures as JSON here")
    args = parser.parse_args()
    figures = run(args)
    other = (f"; other: wall {figures['other_wall_s_median']:.2f} s, CPU "
             f"{figures['other_cpu_s_median']:.2f} s" if figures["other"] else "")
    print(f"median  this: wall {figures['this_wall_s_median']:.2f} s, CPU "
          f"{figures['this_cpu_s_median']:.2f} s{other}; "
          f"load {figures['load'][0]:.2f} -> {figures['load_after'][0]:.2f}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
