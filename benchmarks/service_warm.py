"""The first read after a bulk load when the service had a pause first (service/warmer.py).

Starts `policyengine serve` on a fresh SQLite file and stores --facts generated facts in
batches, as `service_benchmark.py` does. Then, with nobody reading, it waits --pause
seconds and prints the service's CPU time in that pause and how many cases' outcomes the
database holds then (read from the file by a connection of its own); then times the first
read of the busiest person's last whole month, and a restart: from starting the process
to that read's answer. With --pause 0 the first read comes straight after the load, as in
`service_benchmark.py`.

Usage (from the repository root; needs the serve extra):

    python benchmarks/service_warm.py --facts 1000000 --pause 60
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_benchmark import (
    Client,
    bench_folder,
    cpu_s,
    facts_file,
    month_and_person,
    no_proxy,
    rss_mib,
    server,
    store_batches,
)


def kept_outcomes(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM case_outcomes").fetchone()[0])
        except sqlite3.OperationalError:  # no such table yet: nothing kept
            return 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = facts_file(args.facts, args.seed)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    month, person = month_and_person(lines)
    url = f"/v1/people/{quote(person)}?period={month}"
    work, token, tokens = bench_folder("pe-warm-")
    database = work / "facts.db"
    figures: dict[str, Any] = {"facts": len(lines), "pause_s": args.pause, "month": month,
                               "person": person}
    try:
        with server(str(database), tokens, work / "server.log") as (port, pid):
            client = Client(port, token)
            start = time.perf_counter()
            store_batches(client, lines, args.batch)
            figures["load_s"] = time.perf_counter() - start
            client.close()  # (the service closes a connection idle for 10 s)
            used = cpu_s(pid)
            time.sleep(args.pause)
            figures["pause_cpu_s"] = cpu_s(pid) - used
            figures["kept_after_pause"] = kept_outcomes(database)
            client = Client(port, token)
            start = time.perf_counter()
            status, view = client.request("GET", url)
            assert status == 200, view
            figures["first_read_s"] = time.perf_counter() - start
            figures["violations"] = len(view["violations"])
            figures["rss_mib"] = rss_mib(pid)
            client.close()
        start = time.perf_counter()
        with server(str(database), tokens, work / "server.log") as (port, pid):
            client = Client(port, token)
            status, _ = client.request("GET", url)
            assert status == 200
            figures["restart_to_first_answer_s"] = time.perf_counter() - start
            client.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000, help="facts to store")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=5_000, help="facts per batch request")
    parser.add_argument("--pause", type=float, default=60.0,
                        help="seconds without a request between the load and the first read")
    parser.add_argument("--json-out", help="also write the figures as JSON here")
    args = parser.parse_args()
    no_proxy()
    f = run(args)
    print(f"{f['facts']:,} facts stored in {f['load_s']:.1f} s; then {f['pause_s']:g} s "
          f"without a request: the service's CPU {f['pause_cpu_s']:.1f} s, "
          f"{f['kept_after_pause']:,} cases' outcomes in the database")
    print(f"first read ({f['person']}, {f['month']}, {f['violations']} violations): "
          f"{f['first_read_s']:.2f} s; RSS {f['rss_mib']:,.0f} MiB")
    print(f"restart: process start to that read's answer {f['restart_to_first_answer_s']:.2f} s")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(f, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
