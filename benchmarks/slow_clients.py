"""Half-open connections against `policyengine serve`, over loopback: are they closed, and
does the service still answer meanwhile?

Starts the service in its own process (a fresh SQLite file, a fresh token), opens
--connections connections, half of which send the start of a request head and the other half
nothing, then, while they hang, times ordinary requests; it reports how many connections
were answered 503 at once (over --max-connections), when the others were closed, and the
service's memory. Every loop is bounded; the service is stopped at the end.

Usage (from the repository root; needs the serve extra):

    python benchmarks/slow_clients.py                                  # the defaults of serve
    python benchmarks/slow_clients.py --connections 3000 --max-connections 5000
"""

from __future__ import annotations

import argparse
import http.client
import resource
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def health_ms(port: int) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", "/v1/health")
        status = conn.getresponse().status
    finally:
        conn.close()
    return status, (time.perf_counter() - start) * 1000


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=3000)
    parser.add_argument("--max-connections", type=int, default=4000)
    parser.add_argument("--header-timeout", type=float, default=10.0)
    parser.add_argument("--wait", type=float, default=60.0, help="most seconds to wait")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.connections + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.connections + 200), hard))

    folder = Path(tempfile.mkdtemp(prefix="pe-slow-"))
    tokens = folder / "tokens.txt"
    subprocess.run([sys.executable, "-m", "policyengine.cli.main", "token", "new", "bench",
                    "--scopes", "read", "--file", str(tokens)], check=True, cwd=ROOT,
                   capture_output=True)
    port = free_port()
    log = (folder / "serve.log").open("w")
    service = subprocess.Popen(
        [sys.executable, "-m", "policyengine.service", "--tokens", str(tokens), "--db",
         str(folder / "facts.db"), "--port", str(port), "--max-connections",
         str(args.max_connections), "--header-timeout", str(args.header_timeout)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health_ms(port)
                break
            except OSError:
                if time.monotonic() > deadline or service.poll() is not None:
                    raise SystemExit(f"the service did not start; see {log.name}") from None
                time.sleep(0.2)
        idle_rss = rss_mib(service.pid)
        sockets = []
        opened = time.monotonic()
        for number in range(args.connections):
            sock = socket.create_connection((HOST, port), timeout=10)
            if number % 2:
                sock.sendall(b"POST /v1/facts HTTP/1.1\r\nHost: x\r\nContent-Type: app")
            sockets.append(sock)
        open_s = time.monotonic() - opened
        time.sleep(0.5)
        peak_rss = rss_mib(service.pid)
        during = [health_ms(port) for _ in range(20)]
        busy: set[socket.socket] = set()
        closed_at: list[float] = []
        with selectors.DefaultSelector() as selector:
            for sock in sockets:
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ)
            pending = len(sockets)
            while pending and time.monotonic() - opened < args.wait:
                for key, _ in selector.select(timeout=1.0):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        data = sock.recv(65536)
                    except ConnectionResetError:
                        data = b""
                    if data.startswith(b"HTTP/1.1 503"):
                        busy.add(sock)
                        continue  # the close follows
                    if not data:
                        selector.unregister(sock)
                        pending -= 1
                        if sock not in busy:
                            closed_at.append(time.monotonic() - opened)
        for sock in sockets:
            sock.close()
        after = health_ms(port)
        statuses = sorted({status for status, _ in during})
        times = sorted(ms for _, ms in during)
        print(f"connections opened: {args.connections} in {open_s:.1f} s; max-connections "
              f"{args.max_connections}, header timeout {args.header_timeout:g} s")
        print(f"answered 503 at once: {len(busy)}")
        print(f"closed: {args.connections - pending} of {args.connections}; still open after "
              f"{args.wait:g} s: {pending}")
        late = sorted(closed_at)
        if late:
            print(f"the others, closed at the deadline: {len(late)}, from {late[0]:.1f} s to "
                  f"{late[-1]:.1f} s after the first was opened (median "
                  f"{statistics.median(late):.1f} s)")
        print(f"GET /v1/health during: status {statuses}, median {times[len(times) // 2]:.1f} "
              f"ms, max {times[-1]:.1f} ms; after: status {after[0]}, {after[1]:.1f} ms")
        print(f"service memory: {idle_rss:.0f} MiB idle, {peak_rss:.0f} MiB with the "
              "connections open")
        return 0
    finally:
        service.terminate()
        try:
            service.wait(timeout=20)
        except subprocess.TimeoutExpired:
            service.kill()
        log.close()
        text = (folder / "serve.log").read_text()
        closings = [line for line in text.splitlines() if "closed" in line]
        print("service log, closings:", *closings[:6], sep="\n  ")
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
