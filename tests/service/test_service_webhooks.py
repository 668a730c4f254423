"""Signed webhooks: events derived from the results, delivered at least once with retries,
dead letters, no event twice (even after a restart), ingest never waiting for a receiver.

A receiver runs on loopback in a thread (http.server); it checks every signature against
the subscription's secret and can be told to fail, or to hang, for a while.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from service_support import ENGLISH, ROOT, auth, make_config

from policyengine.service.app import create_app
from policyengine.service.state import Service
from policyengine.service.webhooks import WebhookSettings, sign

TZ = ZoneInfo("Asia/Shanghai")
SECRET = "receiver-secret-0123456789"
FAST = WebhookSettings(timeout=1.0, max_attempts=4, backoff=0.01, backoff_max=0.05,
                       scan_interval=3600.0)


class Receiver:
    """A loopback HTTP receiver that verifies signatures and records what it accepted."""

    def __init__(self, secret: str = SECRET, fail_first: int = 0):
        self.secret = secret
        self.fail_first = fail_first
        self.attempts: list[dict[str, Any]] = []      # every request, accepted or not
        self.accepted: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.hang = threading.Event()                 # set: hold each request until released
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.handle(self, body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        if self.hang.is_set():
            self.holding.set()
            self.release.wait(10)
        expected = "sha256=" + hmac.new(self.secret.encode(), body,
                                        hashlib.sha256).hexdigest()
        given = request.headers.get("X-Policyengine-Signature", "")
        seen = {"event": request.headers.get("X-Policyengine-Event"),
                "idempotency_key": request.headers.get("Idempotency-Key"),
                "body": json.loads(body)}
        with self.lock:
            self.attempts.append(seen)
            if not hmac.compare_digest(expected, given):
                self.bad_signatures += 1
                status = 401
            elif len(self.attempts) <= self.fail_first:
                status = 500
            else:
                self.accepted.append(seen)
                status = 204
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def received(self) -> set[tuple[str, str]]:
        with self.lock:
            return {(a["event"], a["body"]["obligation"]["key"]) for a in self.accepted}

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(fail_first=2)
    yield found
    found.close()


class Clock:
    """The wall clock the service reads at its edge, set by the test."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def start(database: str, clock: Clock, settings: WebhookSettings = FAST
          ) -> tuple[Service, TestClient]:
    config = make_config(database, webhooks=settings)
    svc = Service(config)
    svc.webhooks.clock = clock
    return svc, TestClient(create_app(config, service=svc), headers=ENGLISH)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def fact(fid: str, kind: str, at: str, case: str, actor: str) -> dict[str, Any]:
    extra: dict[str, Any] = ({"requester": "王医生（华康医院）"} if kind == "requirement.raised"
                             else {"summary": "预约挂号 短信提醒"})
    return {"id": fid, "type": kind, "at": at, "case": case, "actor": actor, **extra}


def r1(case: str, trigger: str) -> str:
    """The key of duty R1 (report the requirement) opened by `trigger` in `case`."""
    return f"R1|{case}|{trigger}"


def post(client: TestClient, *facts: dict[str, Any]) -> None:
    answer = client.post("/v1/facts/batch", json={"facts": list(facts)}, headers=auth("ingest"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == len(facts)


def subscribe(client: TestClient, url: str, secret: str = SECRET) -> dict[str, Any]:
    answer = client.post("/v1/webhooks", json={"url": url, "secret": secret,
                                               "description": "tests"}, headers=auth("admin"))
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def test_events_are_signed_retried_and_sent_once(database: str, receiver: Receiver) -> None:
    clock = Clock(datetime(2026, 10, 12, 11, 0, tzinfo=TZ))
    svc, client = start(database, clock)
    with client:
        made = subscribe(client, receiver.url)
        assert "secret" not in made and SECRET not in json.dumps(made)
        listed = client.get("/v1/webhooks", headers=auth("admin")).json()
        assert [s["id"] for s in listed["subscriptions"]] == [made["id"]]
        assert SECRET not in json.dumps(listed)

        # Monday: two requirements raised; duty R1 (report it by Thursday 18:00) opens twice.
        post(client, fact("w-1", "requirement.raised", "2026-10-12T10:00:00+08:00",
                          "26101201", "李小四"),
             fact("w-2", "requirement.raised", "2026-10-12T10:30:00+08:00",
                  "26101202", "张三"))
        opened = {("obligation.opened", r1("26101201", "w-1")),
                  ("obligation.opened", r1("26101202", "w-2"))}
        wait_for(lambda: opened <= receiver.received(), "the opened events")
        # The first two attempts were refused (500) and retried with the same key.
        assert len(receiver.attempts) >= 4
        assert {a["idempotency_key"] for a in receiver.attempts[:2]} <= {
            a["idempotency_key"] for a in receiver.accepted}
        assert receiver.bad_signatures == 0

        # Tuesday: one is reported on time (R1 met: fulfilled); Friday the other is missed.
        clock.moment = datetime(2026, 10, 13, 10, 0, tzinfo=TZ)
        post(client, fact("w-3", "requirement.reported", "2026-10-13T09:00:00+08:00",
                          "26101201", "李小四"))
        met = ("obligation.fulfilled", r1("26101201", "w-1"))
        wait_for(lambda: met in receiver.received(), "the fulfilled event")
        clock.moment = datetime(2026, 10, 16, 9, 0, tzinfo=TZ)
        svc.webhooks.notify()  # the scan a tick would make: no fact arrives for a deadline
        missed = ("obligation.violated", r1("26101202", "w-2"))
        wait_for(lambda: missed in receiver.received(), "the violated event")
        # Then reported late: fulfilled, and no second violated event.
        clock.moment = datetime(2026, 10, 16, 11, 0, tzinfo=TZ)
        post(client, fact("w-4", "requirement.reported", "2026-10-16T10:00:00+08:00",
                          "26101202", "张三"))
        late = ("obligation.fulfilled", r1("26101202", "w-2"))
        wait_for(lambda: late in receiver.received(), "the late fulfilled event")
        wait_for(lambda: svc.webhooks.outbox.counts()["pending"] == 0, "an empty queue")

        bodies = {(a["event"], a["body"]["obligation"]["key"]): a["body"]
                  for a in receiver.accepted}
        assert bodies[met]["obligation"]["status"] == "met"
        assert bodies[missed]["obligation"]["status"] == "missed"
        assert bodies[late]["obligation"]["status"] == "late"
        assert bodies[late]["obligation"]["fulfilled_at"] == "2026-10-16T10:00:00+08:00"
        summary = bodies[missed]["summary"]
        assert "张三" in summary["zh"] and "逾期" in summary["zh"]
        assert summary["en"].endswith("was missed (due 2026-10-15T18:00:00+08:00)")
        opened_body = bodies[("obligation.opened", r1("26101201", "w-1"))]
        assert opened_body["type"] == "obligation.opened"
        assert opened_body["obligation"]["person"] == "李小四"
        assert opened_body["obligation"]["due"] == "2026-10-15T18:00:00+08:00"
        # Every event accepted once, with its own stable key equal to the body's id.
        keys = [a["idempotency_key"] for a in receiver.accepted]
        assert len(keys) == len(set(keys))
        assert all(a["idempotency_key"] == a["body"]["id"] for a in receiver.accepted)
        assert all(a["event"] == a["body"]["type"] for a in receiver.accepted)
        events = svc.webhooks.outbox.event_count()
        assert len(receiver.accepted) == events
        # The scans evaluate beside the read cache: nothing of theirs is kept in it.
        assert (svc.live.results.misses, svc.live.results.hits) == (0, 0)
        accepted = len(receiver.accepted)

    # A restart on the same database: the same evaluation, no event again.
    svc2, client2 = start(database, clock)
    with client2:
        assert svc2.webhooks.scan() == 0
        svc2.webhooks.deliver_due()
        assert svc2.webhooks.outbox.event_count() == events
        assert len(receiver.accepted) == accepted
        status = client2.get("/v1/webhooks", headers=auth("admin")).json()
        assert status["deliveries"] == {"pending": 0, "delivered": events, "dead": 0}


def test_a_new_subscription_is_not_sent_the_past(database: str, receiver: Receiver) -> None:
    clock = Clock(datetime(2026, 10, 12, 11, 0, tzinfo=TZ))
    _svc, client = start(database, clock)
    with client:
        post(client, fact("p-1", "requirement.raised", "2026-10-12T10:00:00+08:00",
                          "26101203", "李小四"))
        subscribe(client, receiver.url)
        post(client, fact("p-2", "requirement.raised", "2026-10-12T10:40:00+08:00",
                          "26101204", "李小四"))
        wait_for(lambda: ("obligation.opened", r1("26101204", "p-2")) in receiver.received(),
                 "the new opened event")
        assert ("obligation.opened", r1("26101203", "p-1")) not in receiver.received()


def test_dead_letters_can_be_sent_again(database: str) -> None:
    refusing = Receiver(fail_first=10**6)
    clock = Clock(datetime(2026, 10, 12, 11, 0, tzinfo=TZ))
    svc, client = start(database, clock, WebhookSettings(
        timeout=1.0, max_attempts=2, backoff=0.01, backoff_max=0.02, scan_interval=3600.0))
    try:
        with client:
            subscribe(client, refusing.url)
            post(client, fact("d-1", "requirement.raised", "2026-10-12T10:00:00+08:00",
                              "26101205", "李小四"))

            def dead() -> list[dict[str, Any]]:
                answer = client.get("/v1/webhooks/dead-letters", headers=auth("admin"))
                assert answer.status_code == 200
                letters: list[dict[str, Any]] = answer.json()["dead_letters"]
                return letters
            key = r1("26101205", "d-1")
            wait_for(lambda: any(d["key"] == key for d in dead()), "a dead letter")
            letter = next(d for d in dead() if d["key"] == key)
            assert letter["event"] == "obligation.opened"
            assert letter["attempts"] == 2 and letter["last_error"] == "HTTP 500"
            tried = [a for a in refusing.attempts if a["body"]["obligation"]["key"] == key]
            assert len(tried) == 2
            assert {a["idempotency_key"] for a in tried} == {letter["idempotency_key"]}
            wait_for(lambda: svc.webhooks.outbox.counts()["pending"] == 0, "all given up")
            others = len(dead())

            refusing.fail_first = 0  # the receiver is fixed
            again = client.post(f"/v1/webhooks/dead-letters/{letter['id']}/retry",
                                headers=auth("admin"))
            assert again.status_code == 202 and again.json()["state"] == "pending"
            wait_for(lambda: len(refusing.accepted) == 1, "the retried delivery")
            wait_for(lambda: svc.webhooks.outbox.counts()["pending"] == 0, "delivered")
            assert len(refusing.accepted) == 1
            assert refusing.accepted[0]["idempotency_key"] == letter["idempotency_key"]
            assert len(dead()) == others - 1 and all(d["key"] != key for d in dead())
            gone = client.post(f"/v1/webhooks/dead-letters/{letter['id']}/retry",
                               headers=auth("admin"))
            assert gone.status_code == 404 and gone.json()["error"]["code"] == "E-NOT-FOUND"
    finally:
        refusing.close()


def test_a_hanging_receiver_does_not_hold_ingest(database: str) -> None:
    hanging = Receiver()
    hanging.hang.set()
    clock = Clock(datetime(2026, 10, 12, 11, 0, tzinfo=TZ))
    svc, client = start(database, clock, WebhookSettings(
        timeout=0.5, max_attempts=3, backoff=0.01, backoff_max=0.02, scan_interval=3600.0))
    try:
        with client:
            subscribe(client, hanging.url)
            post(client, fact("h-1", "requirement.raised", "2026-10-12T10:00:00+08:00",
                              "26101206", "李小四"))
            assert hanging.holding.wait(10), "the worker never called the receiver"
            started = time.monotonic()
            post(client, fact("h-2", "requirement.raised", "2026-10-12T10:10:00+08:00",
                              "26101207", "李小四"))
            # Stored and answered while the receiver hangs (it holds requests up to 10 s).
            assert time.monotonic() - started < 2.0
            assert client.get("/v1/health").status_code == 200
            # The attempt timed out (the receiver still holds it): a retry is scheduled.
            wait_for(lambda: svc.webhooks.outbox.counts()["pending"] >= 1
                     and "timed out" in _errors(svc), "a timed-out attempt")
            hanging.hang.clear()
            hanging.release.set()
            wait_for(lambda: {("obligation.opened", r1("26101206", "h-1")),
                              ("obligation.opened", r1("26101207", "h-2"))}
                     <= hanging.received(), "both events once the receiver answers")
    finally:
        hanging.close()


def _errors(svc: Service) -> str:
    with svc.webhooks.outbox._tx() as tx:
        rows = tx.execute("SELECT last_error FROM webhook_deliveries", ()).fetchall()
    return " ".join(str(r[0]) for r in rows)


def test_subscriptions_need_the_admin_scope_and_a_usable_url(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 10, 12, 11, 0, tzinfo=TZ))
    _svc, client = start(str(tmp_path / "facts.db"), clock)
    with client:
        body = {"url": "http://127.0.0.1:9/hook", "secret": SECRET}
        assert client.post("/v1/webhooks", json=body,
                           headers=auth("read")).status_code == 403
        assert client.get("/v1/webhooks", headers=auth("ingest")).status_code == 403
        bad = client.post("/v1/webhooks", json={**body, "url": "ftp://x/y"},
                          headers=auth("admin"))
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "E-WEBHOOK"
        assert "http:// or https://" in bad.json()["error"]["message"]
        bad = client.post("/v1/webhooks?lang=zh", json={**body, "url": "ftp://x/y"},
                          headers=auth("admin"))
        assert bad.status_code == 422 and bad.json()["error"] == {
            "code": "E-WEBHOOK",
            "message": "webhook 设置不可用：“ftp://x/y”不是带主机名的 http:// 或 https:// 地址"}
        short = client.post("/v1/webhooks", json={**body, "secret": "short"},
                            headers=auth("admin"))
        assert short.status_code == 400 and "secret" in short.json()["error"]["message"]
        made = client.post("/v1/webhooks", json=body, headers=auth("admin")).json()
        assert client.delete(f"/v1/webhooks/{made['id']}",
                             headers=auth("admin")).status_code == 204
        missing = client.delete(f"/v1/webhooks/{made['id']}", headers=auth("admin"))
        assert missing.status_code == 404 and made["id"] in missing.json()["error"]["message"]
        assert client.get("/v1/webhooks", headers=auth("admin")).json()["subscriptions"] == []


def test_the_command_line_subscription_is_kept_once(tmp_path: Path,
                                                    receiver: Receiver) -> None:
    database = str(tmp_path / "facts.db")
    settings = WebhookSettings(timeout=1.0, max_attempts=4, backoff=0.01, backoff_max=0.05,
                               scan_interval=3600.0, subscriptions=((receiver.url, SECRET),))
    for _ in range(2):
        svc = Service(make_config(database, webhooks=settings))
        subs = svc.webhooks.outbox.subscriptions()
        assert [(s.url, s.origin) for s in subs] == [(receiver.url, "command line")]
        svc.close()


def test_the_documented_verification_accepts_only_the_right_signature() -> None:
    text = (ROOT / "docs" / "integrators.md").read_text(encoding="utf-8")
    snippet = re.search(r"<!-- webhook-verify -->\s*```python\n(.*?)```", text, re.S)
    assert snippet is not None, "docs/integrators.md lost its verification snippet"
    space: dict[str, Any] = {}
    exec(snippet.group(1), space)
    verify = space["verify"]
    body = json.dumps({"id": "x", "type": "obligation.opened"}).encode()
    header = sign(SECRET, body)
    assert verify(SECRET.encode(), body, header) is True
    assert verify(SECRET.encode(), body + b" ", header) is False
    assert verify(b"another-secret-0123456789", body, header) is False
    assert verify(SECRET.encode(), body, "sha1=" + header[7:]) is False


def test_serve_checks_its_webhook_options(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from service_support import POLICY, TOKENS_TEXT

    from policyengine.cli import serve

    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    secret_file = tmp_path / "hook-secret"
    base = ["--tokens", str(tokens), "--policy", str(POLICY), "--db", str(tmp_path / "x.db"),
            "--lang", "en"]  # in Chinese: test_service_command.py

    def refused(*extra: str) -> str:
        assert serve.main([*base, *extra]) == 2
        return capsys.readouterr().err

    assert "--webhook needs --webhook-secret-file" in refused("--webhook", "http://127.0.0.1:9/")
    assert "without --webhook URL" in refused("--webhook-secret-file", str(secret_file))
    assert "cannot read the webhook secret file" in refused(
        "--webhook", "http://127.0.0.1:9/", "--webhook-secret-file", str(secret_file))
    secret_file.write_text("short\n", encoding="utf-8")
    assert "at least 16 characters" in refused(
        "--webhook", "http://127.0.0.1:9/", "--webhook-secret-file", str(secret_file))
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    assert "not an http:// or https:// URL" in refused(
        "--webhook", "file:///etc/passwd", "--webhook-secret-file", str(secret_file))
    assert "--webhook-attempts at least 1" in refused("--webhook-attempts", "0")
    assert not (tmp_path / "x.db").exists()

    parser = serve.argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args(["--webhook", "http://127.0.0.1:9/a", "--webhook", "https://h/b",
                              "--webhook-secret-file", str(secret_file),
                              "--webhook-backoff", "2", "--webhook-attempts", "3"])
    settings = serve.webhook_settings(args)
    assert settings.subscriptions == (("http://127.0.0.1:9/a", SECRET), ("https://h/b", SECRET))
    assert (settings.max_attempts, settings.delay(1), settings.delay(3)) == (3, 2.0, 8.0)
