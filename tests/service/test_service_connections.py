"""Slow and half-open connections: the request deadlines, the connection cap, and a client
that leaves mid-body. A real server (the one `policyengine serve` runs) on 127.0.0.1, with
short deadlines; every loop here is bounded in count and in time.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from service_support import SECRETS, make_config

from policyengine.service.app import create_app
from policyengine.service.protocol import server
from policyengine.service.state import ConnectionLimits

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.5
SLACK = 2.0  # scheduling on a busy 2-core machine
HOST = "127.0.0.1"


@dataclass
class Running:
    port: int

    def connect(self) -> socket.socket:
        return socket.create_connection((HOST, self.port), timeout=5)

    def get(self, path: str = "/v1/health") -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            conn.request("GET", path)
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()


def serve(tmp_path: Path, limits: ConnectionLimits) -> Iterator[Running]:
    config = make_config(str(tmp_path / "facts.db"), connections=limits)
    running = server(create_app(config), host=HOST, port=0, limits=limits, lang="en",
                     log_level="warning")
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server stopped at start-up"
        time.sleep(0.05)
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield Running(port)
    finally:
        running.should_exit = True
        thread.join(timeout=20)
        assert not thread.is_alive()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Running]:
    yield from serve(tmp_path, ConnectionLimits(HEADER_TIMEOUT, BODY_TIMEOUT, 1000))


def closed_within(sockets: list[socket.socket], seconds: float) -> list[float]:
    """When each socket saw its end (EOF or reset), in seconds from now; fails after
    `seconds` with the count still open."""
    start = time.monotonic()
    ended: list[float] = []
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        while len(ended) < len(sockets):
            left = start + seconds - time.monotonic()
            assert left > 0, f"{len(sockets) - len(ended)} of {len(sockets)} still open"
            for key, _ in selector.select(timeout=left):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data = sock.recv(65536)
                except ConnectionResetError:
                    data = b""
                if not data:
                    selector.unregister(sock)
                    ended.append(time.monotonic() - start)
    return ended


def test_half_open_connections_are_closed_at_the_header_deadline(live: Running) -> None:
    sockets = [live.connect() for _ in range(200)]
    try:
        for number, sock in enumerate(sockets):
            if number % 2:  # half send the start of a request head, the others nothing
                sock.sendall(b"POST /v1/facts HTTP/1.1\r\nHost: x\r\nContent-Type: app")
        # the service still answers while they hang
        assert live.get() == (200, b'{"status":"ok"}')
        ended = closed_within(sockets, HEADER_TIMEOUT + SLACK)
        assert len(ended) == 200
        assert max(ended) <= HEADER_TIMEOUT + SLACK
    finally:
        for sock in sockets:
            sock.close()
    assert live.get() == (200, b'{"status":"ok"}')


def test_a_head_sent_a_byte_at_a_time_is_cut_at_the_deadline(live: Running) -> None:
    head = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"y" * 200
    with live.connect() as sock:
        start = time.monotonic()
        cut = False
        for byte in head:  # bounded: 230 bytes, 0.1 s apart, far past the deadline
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            time.sleep(0.1)
            if time.monotonic() - start > HEADER_TIMEOUT + SLACK:
                break
        if not cut:
            sock.settimeout(1)
            try:
                cut = sock.recv(1) == b""
            except ConnectionResetError:
                cut = True
    assert cut, "activity must not extend the head's deadline"
    assert time.monotonic() - start <= HEADER_TIMEOUT + SLACK + 1


def test_a_slow_body_is_cut_at_the_body_deadline_in_one_log_line(
        live: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with live.connect() as sock:
        sock.sendall(b"POST /v1/facts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + SECRETS["ingest"].encode() +
                     b"\r\nContent-Length: 500\r\n\r\n{\"id\": ")
        ended = closed_within([sock], BODY_TIMEOUT + SLACK)
    assert ended[0] >= BODY_TIMEOUT - 0.2  # the head arrived: the body's deadline applies
    time.sleep(1.2)  # the closings are logged as a count within a second
    lines = [r for r in caplog.records if r.name.startswith(("policyengine", "uvicorn"))]
    assert not [r for r in lines if r.exc_info or r.levelno >= logging.ERROR]
    left = [r for r in lines if "left before sending the whole body" in r.getMessage()]
    assert len(left) == 1
    assert "POST /v1/facts" in left[0].getMessage()
    assert any("the request body did not arrive within 1.5 s" in r.getMessage()
               for r in lines)


def test_a_client_that_leaves_mid_body_is_one_log_line(
        live: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps({"facts": [{"id": "x"}] * 50}).encode()
    with live.connect() as sock:
        sock.sendall(b"POST /v1/facts/batch HTTP/1.1\r\nHost: x\r\n"
                     b"Authorization: Bearer " + SECRETS["ingest"].encode() +
                     b"\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body[:100])
        time.sleep(0.3)
    deadline = time.monotonic() + 5
    while not any("left before" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "the departure was not logged"
        time.sleep(0.05)
    time.sleep(0.3)  # room for a traceback, were one coming
    lines = [r for r in caplog.records if r.name.startswith(("policyengine", "uvicorn"))]
    assert not [r for r in lines if r.exc_info or r.levelno >= logging.WARNING]
    left = [r.getMessage() for r in lines if "left before" in r.getMessage()]
    assert len(left) == 1
    assert re.fullmatch(rf"client {HOST}:\d+ left before sending the whole body of POST "
                        r"/v1/facts/batch; nothing was stored", left[0])
    assert live.get() == (200, b'{"status":"ok"}')


def test_a_request_that_arrives_in_time_is_served_and_kept_alive(live: Running) -> None:
    conn = http.client.HTTPConnection(HOST, live.port, timeout=10)
    try:
        for _ in range(3):  # one connection, gaps longer than the head's deadline
            conn.request("GET", "/v1/health")
            answer = conn.getresponse()
            assert (answer.status, answer.read()) == (200, b'{"status":"ok"}')
            time.sleep(HEADER_TIMEOUT + 0.3)  # within the keep-alive (5 s)
    finally:
        conn.close()


def test_connections_over_the_cap_are_answered_503(tmp_path: Path) -> None:
    for running in serve(tmp_path, ConnectionLimits(30.0, 30.0, 5)):
        held = [running.connect() for _ in range(5)]
        try:
            time.sleep(0.2)
            with running.connect() as extra:
                extra.settimeout(5)
                answer = b""
                while chunk := extra.recv(4096):  # bounded: the server closes it
                    answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 503 ")
            assert b"retry-after: 1" in head
            error = json.loads(body)["error"]
            assert error["code"] == "E-SERVICE-BUSY"
            assert "(5)" in error["message"]
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.3)
        assert running.get() == (200, b'{"status":"ok"}')


def test_the_cap_fits_the_limit_on_open_files() -> None:
    # In a child process: lowering the hard limit cannot be undone without privileges.
    code = ("import resource\n"
            "resource.setrlimit(resource.RLIMIT_NOFILE, (200, 300))\n"
            "from policyengine.service.protocol import fit_to_file_limit\n"
            "print(fit_to_file_limit(100)[0], resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
            "cap, warning = fit_to_file_limit(4000)\n"
            "print(cap, resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
            "print(warning)\n"
            "print(warning.render('zh'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    small, large, warning, chinese = done.stdout.splitlines()
    assert small == "100 200"    # room enough: nothing changes
    assert large == "236 300"    # raised to the hard limit, and the cap lowered to fit
    assert warning == ("the limit on open files is 300: at most 236 connections instead of "
                       "4000 (raise it with `ulimit -n`)")
    assert chinese == ("打开文件数的上限是 300：最多只能有 236 个连接，而不是 4000 个"
                       "（可用 `ulimit -n` 调高）")


def test_a_body_sent_after_its_refusal_leaves_the_connection_usable_then_bounded(
        live: Running) -> None:
    with live.connect() as sock:
        sock.settimeout(5)
        sock.sendall(b"POST /v1/facts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 10\r\n\r\n")
        answer = sock.recv(65536)  # no token: refused before the body is read
        assert answer.startswith(b"HTTP/1.1 401 ")
        sock.sendall(b'{"id": 1 }')  # the body after all; the connection is kept
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        while b'{"status":"ok"}' not in answer:  # bounded by the socket's timeout
            chunk = sock.recv(65536)
            assert chunk, answer
            answer += chunk
        # the refusal (perhaps read in two parts), then the answer on the same connection
        assert answer.count(b"HTTP/1.1 ") == 2
        assert answer.index(b"HTTP/1.1 200 ") > answer.index(b"E-AUTH-MISSING")
        ended = closed_within([sock], HEADER_TIMEOUT + 5 + SLACK)  # idle: closed, not kept
    assert ended
