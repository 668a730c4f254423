"""Throughput and latency of `policyengine serve`, over HTTP on loopback.

Starts the service in its own process on a fresh database, then measures:
- ingest in batches: facts per second, sending JSON Lines batches of --batch facts (this is
  how the store is filled: all but the last --single facts);
- the first read of a person's month once everything is stored (the service reads the
  stored facts into memory and replays every case);
- ingest one fact at a time with reads in between: each of the last --single facts is sent
  alone (POST /v1/facts), then a person's current month is read; the read latency after a
  fresh ingest, p50 and p99, for the busiest person (the busiest actor of the last whole
  month, who answers for a quarter of all duties) and for a typical one (the median person
  of that month's totals);
- back-dated facts: --back facts dated inside the last whole month (half into an existing
  case, half opening a new one), each followed by a read of that month: p50 and p99;
- a restart: from starting the process to the first answer of a person's month.

Usage (from the repository root; needs the serve extra):

    python benchmarks/service_benchmark.py                        # SQLite file, 1,000,000 facts
    python benchmarks/service_benchmark.py --facts 100000
    python benchmarks/service_benchmark.py --db postgresql://user:pw@127.0.0.1:54329/db
    python benchmarks/service_benchmark.py --json-out figures.json

Facts come from benchmarks/generate_facts.py (cached in benchmarks/.data/).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"


def facts_file(count: int, seed: int) -> Path:
    path = DATA / f"facts-{count}-s{seed}.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        generator = ROOT / "benchmarks" / "generate_facts.py"
        print(f"generating {count:,} facts into {path} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(generator), "--facts", str(count), "--seed",
                        str(seed), "--out", str(path)], check=True)
    return path


class Client:
    """A keep-alive HTTP/1.1 connection with a bearer token."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.token = token
        self.answered_s = 0.0  # the last request: sent to the answer's last byte received
        self.parse_s = 0.0     # then the client's own json.loads of it

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            headers["Content-Type"] = content_type
        began = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        received = time.perf_counter()
        value = json.loads(data) if data else None
        self.answered_s, self.parse_s = received - began, time.perf_counter() - received
        return response.status, value

    def close(self) -> None:
        self.conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(database: str, tokens: Path, log: Path) -> Iterator[tuple[int, int]]:
    """(port, pid) of a running service; stopped on leaving."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "policyengine.service", "--db", database, "--port", str(port),
             "--tokens", str(tokens), "--policy", str(ROOT / "policies"), "--log-level",
             "warning", "--max-batch", "100000", "--max-body-bytes", str(256 * 1024 * 1024)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the service exited; see {log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the service did not start; see {log}") from None
                time.sleep(0.05)
        yield port, process.pid
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the service to stop; kill it if it has not within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU seconds the process has used (user + system), from /proc; NaN where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def timed(call: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def no_proxy() -> None:
    """This process and the service it starts talk over loopback: no proxy in between."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(name, None)


def bench_folder(prefix: str) -> tuple[Path, str, Path]:
    """A new temporary folder, a token with every scope, and the tokens file naming it."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    token = secrets.token_urlsafe(24)
    tokens = work / "tokens.txt"
    tokens.write_text(f"bench ingest,read,admin {token}\n", encoding="utf-8")
    return work, token, tokens


def store_batches(client: Client, lines: list[str], batch: int) -> list[float]:
    """Store `lines` in JSON Lines batches of `batch` facts (each stored, none rejected);
    each request's seconds."""
    latencies = []
    for first in range(0, len(lines), batch):
        body = "\n".join(lines[first:first + batch]).encode()
        took, (status, answer) = timed(lambda b=body: client.request(
            "POST", "/v1/facts/batch", b, "application/x-ndjson"))
        assert status == 200 and answer["rejected"] == 0, (status, str(answer)[:300])
        latencies.append(took)
    return latencies


def month_and_person(lines: list[str]) -> tuple[str, str]:
    """The last whole month of the stream, and its busiest actor."""
    last = json.loads(lines[-1])["at"][:7]
    year, month = int(last[:4]), int(last[5:7])
    month_text = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    actors = Counter(f.get("actor") for f in (json.loads(line) for line in lines[-200_000:])
                     if f["at"][:7] == month_text and f.get("actor"))
    return month_text, actors.most_common(1)[0][0]


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = facts_file(args.facts, args.seed)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    work, token, tokens = bench_folder("pe-bench-")
    database, cleanup = prepare_database(args.db, work)
    log = work / "server.log"
    shown = re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", args.db) if args.db else None
    figures: dict[str, Any] = {"facts": len(lines), "database": shown or "SQLite (a new file)"}
    month, person = month_and_person(lines)
    single = lines[len(lines) - args.single:]
    batched = lines[:len(lines) - args.single]
    try:
        with server(database, tokens, log) as (port, pid):
            client = Client(port, token)
            # 1. batches
            start = time.perf_counter()
            latencies = store_batches(client, batched, args.batch)
            elapsed = time.perf_counter() - start
            figures["batch"] = {"facts": len(batched), "batch_size": args.batch,
                                "seconds": elapsed, "facts_per_s": len(batched) / elapsed,
                                "request_p50_s": statistics.median(latencies)}
            # 2. everything stored: the first read
            figures["reads"] = first_reads(client, month, person, lines)
            # 3. one fact at a time, a read after each (and the service's CPU time for it:
            # wall times on a shared machine follow the other processes' load). This
            # client's collector is off while it times reads: a pass of its own (the million
            # lines, the answers parsed) landed inside a timed read and was counted as the
            # service's latency (a 98 ms and a 201 ms pass in two traced runs: D44).
            gc.collect()
            gc.disable()
            used = cpu_s(pid)
            figures["fresh"] = fresh_reads(client, single, figures["reads"])
            figures["fresh"]["service_cpu_per_pair_s"] = (cpu_s(pid) - used) / len(single)
            # 4. back-dated facts
            used = cpu_s(pid)
            figures["back"] = back_dated_reads(client, month,
                                               [person, figures["reads"]["typical"]], lines,
                                               args.back)
            figures["back"]["service_cpu_per_pair_s"] = (cpu_s(pid) - used) / args.back
            gc.enable()
            figures["load_average"] = os.getloadavg()
            figures["reads"]["rss_mib"] = rss_mib(pid)
            client.close()
        # 5. a restart: from starting the process to the first answer
        start = time.perf_counter()
        with server(database, tokens, log) as (port, pid):
            client = Client(port, token)
            current = figures["fresh"]["month"]
            took, (status, _) = timed(lambda: client.request(
                "GET", f"/v1/people/{quote(person)}?period={current}"))
            assert status == 200
            figures["restart"] = {"to_first_answer_s": time.perf_counter() - start,
                                  "first_read_s": took, "rss_mib": rss_mib(pid)}
            client.close()
    finally:
        cleanup()
        shutil.rmtree(work, ignore_errors=True)
    return figures


def first_reads(client: Client, month: str, person: str, lines: list[str]) -> dict[str, Any]:
    url = f"/v1/people/{quote(person)}?period={month}"
    out: dict[str, Any] = {"month": month, "person": person}
    took, (status, view) = timed(lambda: client.request("GET", url))
    assert status == 200, view
    out["first_s"] = took
    out["person_violations"] = len(view["violations"])
    out["repeat_p50_s"] = median_of(client, url, 20)
    _, (_, people) = timed(lambda: client.request("GET", f"/v1/people?period={month}"))
    ranked = sorted((p for p in people["people"] if p["person"] not in (person, None)),
                    key=lambda p: p["violations"])
    out["typical"] = ranked[len(ranked) // 2]["person"] if ranked else person
    return out


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"p50_s": ordered[len(ordered) // 2],
            "p99_s": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "max_s": ordered[-1], "count": len(ordered)}


def fresh_reads(client: Client, single: list[str], reads: dict[str, Any]) -> dict[str, Any]:
    """Each fact sent alone, then a person's month read: the busiest and a typical person
    by turns. The month is the last fact's (the month being recorded)."""
    month = json.loads(single[-1])["at"][:7]
    people = [reads["person"], reads["typical"]]
    # a read's latency: to the answer's last byte; `parsed`: with the client's json.loads
    latencies: dict[str, list[float]] = {p: [] for p in people}
    parsed: dict[str, list[float]] = {p: [] for p in people}
    ingest: list[float] = []
    views: dict[str, Any] = {}
    # each read's start (time.perf_counter, the monotonic clock a service trace uses too)
    # and its latency in ms: to find a slow read in the trace (benchmarks/service_trace)
    each: dict[str, list[tuple[float, float]]] = {p: [] for p in people}
    for number, line in enumerate(single):
        body = line.encode()
        took, (status, _) = timed(lambda b=body: client.request("POST", "/v1/facts", b))
        assert status == 201, status
        ingest.append(took)
        person = people[number % 2]
        began = time.perf_counter()
        took, (status, view) = timed(lambda p=person: client.request(
            "GET", f"/v1/people/{quote(p)}?period={month}"))
        assert status == 200, view
        latencies[person].append(client.answered_s)
        parsed[person].append(took)
        each[person].append((round(began, 6), round(client.answered_s * 1000, 3)))
        views[person] = view
    return {"month": month, "ingest": percentiles(ingest),
            "busiest": {**percentiles(latencies[people[0]]), "person": people[0],
                        "with_client_parse": percentiles(parsed[people[0]]),
                        "reads": each[people[0]],
                        "violations": len(views[people[0]]["violations"]),
                        "obligations": len(views[people[0]]["obligations"])},
            "typical": {**percentiles(latencies[people[1]]), "person": people[1],
                        "with_client_parse": percentiles(parsed[people[1]]),
                        "violations": len(views[people[1]]["violations"]),
                        "obligations": len(views[people[1]]["obligations"])}}


def back_dated_reads(client: Client, month: str, people: list[str], lines: list[str],
                     count: int) -> dict[str, Any]:
    """Facts dated inside the last whole month, each followed by a read of that month, by
    the busiest and a typical person in turn: half a copy of one of the month's case facts
    under a new id, two days earlier (its case is replayed again), half a new case's first
    fact."""
    person = people[0]
    latencies: dict[str, list[float]] = {p: [] for p in people}
    parsed: dict[str, list[float]] = {p: [] for p in people}
    each: dict[str, list[tuple[float, float]]] = {p: [] for p in people}
    of_month = [json.loads(line) for line in lines[-200_000:]]
    of_month = [f for f in of_month if f["at"][:7] == month and f.get("case")
                and f["at"][8:10] > "03"]
    for number in range(count):
        if number % 2 == 0:
            base = of_month[(number * 7919) % len(of_month)]
            day = int(base["at"][8:10]) - 2
            fact = {**base, "id": f"bench-back-{number}-{uuid.uuid4().hex[:8]}",
                    "at": f"{base['at'][:8]}{day:02d}{base['at'][10:]}"}
        else:
            day = 10 + number % 10   # a bug number is B, YYMMDD, then two digits
            fact = {"id": f"bench-back-{number}-{uuid.uuid4().hex[:8]}", "type": "bug.found",
                    "at": f"{month}-{day}T10:00:00+08:00",
                    "case": f"B{month[2:4]}{month[5:7]}{day}{90 + number // 10:02d}",
                    "actor": person}
        status, answer = client.request("POST", "/v1/facts", json.dumps(fact).encode())
        assert status == 201, (status, answer, fact)
        reader = people[(number // 2) % 2]  # each reads after both kinds of fact
        url = f"/v1/people/{quote(reader)}?period={month}"
        began = time.perf_counter()
        parsed[reader].append(timed(lambda u=url: client.request("GET", u))[0])
        latencies[reader].append(client.answered_s)
        each[reader].append((round(began, 6), round(latencies[reader][-1] * 1000, 3)))
    return {"month": month, "busiest": {**percentiles(latencies[people[0]]),
                                        "with_client_parse": percentiles(parsed[people[0]]),
                                        "reads": each[people[0]]},
            "typical": {**percentiles(latencies[people[-1]]),
                        "with_client_parse": percentiles(parsed[people[-1]])}}


def median_of(client: Client, url: str, count: int) -> float:
    return statistics.median(timed(lambda: client.request("GET", url))[0] for _ in range(count))


def prepare_database(url: str | None, work: Path) -> tuple[str, Any]:
    if not url:
        return str(work / "facts.db"), lambda: None
    import psycopg
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}", drop


def latency(reads: dict[str, Any]) -> str:
    """A read's p50 and p99 to the answer's last byte, then with the client's JSON parse
    (the figure until the eighth round: up to ~15 ms of the client's own for 1.3 MB)."""
    parse = reads["with_client_parse"]
    return (f"p50 {ms(reads['p50_s'])}, p99 {ms(reads['p99_s'])} (with the client's "
            f"json.loads: p50 {ms(parse['p50_s'])}, p99 {ms(parse['p99_s'])})")


def report(f: dict[str, Any]) -> str:
    b, r, n, k, x = f["batch"], f["reads"], f["fresh"], f["back"], f["restart"]
    busy, typical = n["busiest"], n["typical"]
    rows = [
        ("store", f["database"]),
        ("facts stored", f"{f['facts']:,}"),
        (f"ingest, batches of {b['batch_size']:,}",
         f"{b['facts_per_s']:,.0f} facts/s ({b['facts']:,} in {b['seconds']:.1f} s; "
         f"{ms(b['request_p50_s'])} per batch, median)"),
        (f"first read of a person's month ({r['month']}, {r['person']}, "
         f"{r['person_violations']} violations)", ms(r["first_s"])),
        ("  same read again (cached)", ms(r["repeat_p50_s"])),
        (f"one fact at a time ({n['ingest']['count']}), ingest latency",
         f"p50 {ms(n['ingest']['p50_s'])}, p99 {ms(n['ingest']['p99_s'])}"),
        (f"  read after a fresh ingest, {busy['person']} ({n['month']}: "
         f"{busy['violations']} violations, {busy['obligations']} open)", latency(busy)),
        (f"  read after a fresh ingest, {typical['person']} ({typical['violations']} "
         f"violations, {typical['obligations']} open)", latency(typical)),
        (f"back-dated fact into {k['month']}, next read, {busy['person']}",
         latency(k["busiest"])),
        (f"  the same, {r['typical']} ({k['typical']['count']} reads)",
         latency(k["typical"])),
        ("service CPU per fact and read: fresh, back-dated (both people)",
         f"{ms(n['service_cpu_per_pair_s'])}, {ms(k['service_cpu_per_pair_s'])}"),
        ("load average (1, 5, 15 min) after the reads",
         ", ".join(f"{x:.2f}" for x in f["load_average"])),
        ("service memory (RSS)", f"{r['rss_mib']:,.0f} MiB"),
        ("restart: process start to first answer", ms(x["to_first_answer_s"])),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000, help="facts to store")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=5000, help="facts per batch request")
    parser.add_argument("--single", type=int, default=400,
                        help="facts sent one per request, each followed by a read (the "
                             "last ones of the stream)")
    parser.add_argument("--back", type=int, default=100, help="back-dated facts")
    parser.add_argument("--db", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--json-out", help="also write the figures as JSON here")
    args = parser.parse_args()
    no_proxy()
    figures = run(args)
    print(report(figures))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
