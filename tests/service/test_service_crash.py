"""Durability: kill the server with SIGKILL in the middle of ingesting; every fact it had
acknowledged must be in the store, and re-sending everything stores each fact once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_support import POLICY, ROOT, SECRETS, TOKENS_TEXT

from policyengine.service.store import open_store

RUN_FOR = 1.5          # seconds of ingest before the kill
BATCH = 25


def fact(number: int) -> dict[str, Any]:
    day, seq = number % 28 + 1, number % 100
    return {"id": f"crash-{number:06d}", "type": "bug.found",
            "at": f"2026-10-{day:02d}T{9 + number % 9:02d}:{number % 60:02d}:00+08:00",
            "case": f"B2610{day:02d}{seq:02d}", "actor": "李小四", "requester": "王医生"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, database: str, tmp_path: Path):
        tokens = tmp_path / "tokens.txt"
        tokens.write_text(TOKENS_TEXT + "\n", encoding="utf-8")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (tmp_path / f"server-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "policyengine.service", "--db", database, "--port",
             str(self.port), "--tokens", str(tokens), "--policy", str(POLICY),
             "--log-level", "warning"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.output()}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"the server did not start: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()


@dataclass
class Sender:
    """Sends facts until the server dies; keeps what was acknowledged and what was sent."""

    url: str
    numbers: Iterator[int]
    batch: int
    acknowledged: set[str] = field(default_factory=set)
    attempted: set[str] = field(default_factory=set)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {SECRETS['ingest']}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=10) as client:
            while True:
                with self.lock:
                    facts = [fact(next(self.numbers)) for _ in range(self.batch)]
                self.attempted.update(f["id"] for f in facts)
                try:
                    if self.batch == 1:
                        response = client.post("/v1/facts", json=facts[0])
                        ok = response.status_code in (200, 201)
                        done = [facts[0]["id"]] if ok else []
                    else:
                        response = client.post("/v1/facts/batch", json={"facts": facts})
                        done = [r["id"] for r in response.json()["results"]
                                if r["status"] in ("stored", "duplicate")]
                except (httpx.HTTPError, ValueError):
                    return  # the server is gone: this request was not acknowledged
                assert response.status_code < 500, response.text
                self.acknowledged.update(done)
                self.requests += 1


def stored_ids(database: str) -> set[str]:
    store = open_store(database)
    try:
        ids: set[str] = set()
        seq = 0
        while rows := store.read_since(seq):
            ids.update(json.loads(raw)["id"] for _, raw in rows)
            seq = rows[-1][0]
        return ids
    finally:
        store.close()


def test_no_acknowledged_fact_is_lost_when_the_server_is_killed(
        database: str, tmp_path: Path) -> None:
    counter = iter(range(10**9))
    server = Server(database, tmp_path)
    senders = [Sender(server.url, counter, 1), Sender(server.url, counter, 1),
               Sender(server.url, counter, BATCH)]
    threads = [threading.Thread(target=s.run, daemon=True) for s in senders]
    try:
        for thread in threads:
            thread.start()
        time.sleep(RUN_FOR)
        server.kill()   # SIGKILL: no shutdown, no flush, requests in flight
    finally:
        server.kill()
    for thread in threads:
        thread.join(timeout=15)
    acknowledged = set().union(*(s.acknowledged for s in senders))
    attempted = set().union(*(s.attempted for s in senders))
    assert len(acknowledged) > 100, "too little was sent before the kill to prove anything"

    stored = stored_ids(database)
    lost = acknowledged - stored
    print(f"\ncrash test [{database.split(':')[0] if '://' in database else 'sqlite'}]: "
          f"{sum(s.requests for s in senders)} requests acknowledged, "
          f"{len(acknowledged)} facts acknowledged, {len(stored)} stored after SIGKILL, "
          f"{len(attempted - acknowledged)} in flight (not acknowledged), "
          f"{len(stored - acknowledged)} of those stored anyway, {len(lost)} lost")
    assert not lost, sorted(lost)[:10]
    assert stored <= attempted

    # The client's remedy after a crash: send again whatever was not acknowledged. Facts
    # already stored are duplicates, the rest is stored, nothing twice.
    again = Server(database, tmp_path)
    try:
        retry = sorted(attempted - acknowledged)
        with httpx.Client(base_url=again.url, timeout=30, headers={
                "Authorization": f"Bearer {SECRETS['all']}"}) as client:
            answer = client.post("/v1/facts/batch", json={"facts": [
                fact(int(i.split("-")[1])) for i in retry]}).json()
            assert answer["rejected"] == 0
            assert answer["duplicate"] == len(stored - acknowledged)
            status = client.get("/v1/admin/status").json()
            assert status["store"]["facts"] == len(attempted)
    finally:
        again.kill()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback only: no proxy from the environment may see these requests."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
