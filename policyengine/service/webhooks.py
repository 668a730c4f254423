"""Push: signed webhooks for each obligation opened, fulfilled, violated or pending calendar.

A background thread does all of it, so an ingest only sets a flag (`notify`):

- a *scan* evaluates every stored fact at "now" (the wall clock, read here at the edge,
  to the second) over every deadline (`period=None`), derives the events
  (webhook_events.py) and records the new ones in the outbox, each queued for every
  subscription. Scans run after ingests (several ingests in a row give one scan) and every
  `scan_interval` seconds, since a deadline passes without any fact arriving;
- a *delivery* POSTs an event's JSON to a subscription's URL, signed with its secret
  (`X-Policyengine-Signature: sha256=<hex HMAC-SHA256 of the body>`), with a timeout. A 2xx
  answer delivers it; anything else is retried after `backoff`, doubled each time up to
  `backoff_max`, and after `max_attempts` it becomes a dead letter, kept for an admin to
  read and send again. At least once: an event may arrive twice (a lost answer, two
  processes); its `Idempotency-Key` tells the receiver it has seen it.

A new subscription receives the events recorded after it is made: the state at that moment
is recorded first (and not sent to it), so subscribing to a service with years of facts
does not replay years of events. Read /v1/obligations once for the state, then follow.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from policyengine import __version__
from policyengine.errors import UsageError
from policyengine.service.outbox import (
    Delivery,
    DeliveryState,
    Outbox,
    Recorded,
    Subscription,
    open_outbox,
)
from policyengine.service.webhook_events import EventType, Names, derive
from policyengine.wording import line

if TYPE_CHECKING:
    from policyengine.service.state import Service

log = logging.getLogger("policyengine.service.webhooks")

SIGNATURE_HEADER = "X-Policyengine-Signature"
EVENT_HEADER = "X-Policyengine-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MIN_SECRET = 16


@dataclass(frozen=True)
class WebhookSettings:
    timeout: float = 5.0            # seconds for one attempt (connect, send, answer)
    max_attempts: int = 8           # then a dead letter
    backoff: float = 10.0           # seconds before the second attempt; doubled each time
    backoff_max: float = 3600.0     # the longest wait between two attempts
    scan_interval: float = 60.0     # seconds between scans when no fact arrives
    # Subscriptions given to `serve --webhook URL --webhook-secret-file FILE`: (url, secret).
    subscriptions: tuple[tuple[str, str], ...] = ()

    def delay(self, attempts: int) -> float:
        """The wait after the `attempts`-th failed attempt."""
        return float(min(self.backoff * 2 ** max(attempts - 1, 0), self.backoff_max))


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def check_url(url: str) -> str:
    """An http(s) URL with a host, or UsageError saying what is wrong (in both languages:
    `serve --webhook` tells it in the reader's, POST /v1/webhooks in the request's)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(line("usage.webhook_url", url=url))
    if parts.username or parts.password:
        raise UsageError(line("usage.webhook_userinfo", scheme=parts.scheme,
                              host=parts.hostname))
    return url.strip()


def check_secret(secret: str) -> str:
    if len(secret) < MIN_SECRET:
        raise UsageError(line("usage.webhook_secret", least=MIN_SECRET, length=len(secret)))
    return secret


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[bool, str]:
    """POST once: (delivered, what happened). Redirects are not followed (a failure)."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname or "", parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", path, body=body, headers=headers)
        answer = conn.getresponse()
        answer.read(64 * 1024)
        return 200 <= answer.status < 300, f"HTTP {answer.status}"
    except (OSError, http.client.HTTPException) as exc:
        return False, f"{type(exc).__name__}: {exc}"[:500]
    finally:
        conn.close()


class Webhooks:
    """The outbox of a service and the thread that fills and empties it."""

    def __init__(self, service: Service, settings: WebhookSettings,
                 clock: Callable[[], datetime] | None = None):
        self.service = service
        self.settings = settings
        self.outbox: Outbox = open_outbox(service.store)
        tz = service.live.policy.calendar.tz
        self.clock = clock or (lambda: datetime.now(tz).replace(microsecond=0))
        self._scan_lock = threading.Lock()
        self._wanted = threading.Event()   # a scan is asked for
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_scan: datetime | None = None
        for url, secret in settings.subscriptions:
            self._command_line(url, secret)

    # --- subscriptions ------------------------------------------------------------------

    def subscribe(self, url: str, secret: str, description: str = "",
                  origin: str = "api", sub_id: str | None = None) -> Subscription:
        """Record the state as it stands (sent to the existing subscriptions only), then add
        the subscription: it receives what happens from now on."""
        sub = Subscription(sub_id or f"wh_{secrets.token_hex(8)}", check_url(url),
                           check_secret(secret), description, origin,
                           datetime.now(UTC).isoformat(timespec="seconds"))
        with self._scan_lock:
            self._scan_locked(force=True)
            if not self.outbox.add_subscription(sub):
                raise UsageError(line("usage.webhook_exists", id=sub.id))
        self.wake()
        return sub

    def _command_line(self, url: str, secret: str) -> None:
        """`serve --webhook URL`: one subscription per URL, kept across restarts (its
        deliveries and dead letters stay), the secret the file holds now."""
        sub_id = "cli_" + hashlib.sha256(check_url(url).encode()).hexdigest()[:12]
        if any(s.id == sub_id for s in self.outbox.subscriptions()):
            self.outbox.replace_secret(sub_id, check_secret(secret))
        else:
            self.subscribe(url, secret, "serve --webhook", "command line", sub_id)

    # --- the thread -----------------------------------------------------------------------

    def notify(self) -> None:
        """Facts were stored: scan soon (ingest never waits for it)."""
        self._wanted.set()
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="policyengine-webhooks",
                                            daemon=True)
            self._thread.start()

    def stop(self, wait: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(wait)
            self._thread = None
        self.outbox.close()

    def _run(self) -> None:
        next_scan = 0.0
        self._wanted.set()  # a first scan at start: deadlines passed while it was down
        while not self._stop.is_set():
            self._wake.clear()
            try:
                if self._wanted.is_set() or time.time() >= next_scan:
                    self._wanted.clear()
                    next_scan = time.time() + self.settings.scan_interval
                    self.scan()
                self.deliver_due()
                wait = next_scan - time.time()
                soonest = self.outbox.next_due()
                if soonest is not None:
                    wait = min(wait, soonest - time.time())
            except Exception:  # the store down, a policy that fails: say it, try later
                log.exception("webhook scan or delivery failed; trying again shortly")
                wait = min(self.settings.scan_interval, 5.0)
            self._wake.wait(max(0.0, wait))

    # --- scanning -------------------------------------------------------------------------

    def scan(self) -> int:
        """Record the events the stored facts hold at now; how many were new."""
        with self._scan_lock:
            return self._scan_locked(force=False)

    def _scan_locked(self, force: bool) -> int:
        if not force and not self.outbox.subscriptions():
            return 0  # nobody to tell; a new subscription scans before it is added
        live = self.service.live
        as_of = self.clock()
        # Kept by case (service/casebook/): only the cases changed since the last scan are replayed.
        result = live.results.uncached(None, as_of)
        # An obligation of a duty the policy no longer has (after a reload) was not met:
        # it is left out rather than said to be fulfilled.
        duties = live.policy.duties
        open_before = [(key, o) for key, o in self.outbox.sent_open(
            EventType.OPENED.value, EventType.FULFILLED.value) if o.get("duty") in duties]
        names = Names.of(live.policy.model)
        recorded = [Recorded(e.type.value, e.key, e.idempotency_key,
                             json.dumps(e.body(result.as_of, names), ensure_ascii=False,
                                        separators=(",", ":")))
                    for e in derive(result, open_before)]
        new = self.outbox.record(recorded, time.time())
        self.last_scan = as_of
        if new:
            log.info("webhooks: %d new event(s) as of %s", new, as_of.isoformat())
            self._wake.set()
        return new

    # --- delivering -----------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Attempt every delivery whose time has come; how many were attempted."""
        done = 0
        while not self._stop.is_set():
            batch = self.outbox.due(time.time(), limit=50)
            if not batch:
                return done
            for delivery in batch:
                if self._stop.is_set():
                    return done
                self._attempt(delivery)
                done += 1
        return done

    def _attempt(self, delivery: Delivery) -> None:
        body = delivery.body.encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "User-Agent": f"policyengine/{__version__}",
                   SIGNATURE_HEADER: sign(delivery.secret, body),
                   EVENT_HEADER: delivery.event_type,
                   IDEMPOTENCY_HEADER: delivery.idempotency_key,
                   "X-Policyengine-Delivery": str(delivery.id)}
        ok, what = post(delivery.url, body, headers, self.settings.timeout)
        attempts = delivery.attempts + 1
        if ok:
            self.outbox.settle(delivery.id, DeliveryState.DELIVERED, attempts, time.time(), None)
        elif attempts >= self.settings.max_attempts:
            log.warning("webhook %s to %s failed %d times (%s): now a dead letter",
                        delivery.event_type, delivery.url, attempts, what)
            self.outbox.settle(delivery.id, DeliveryState.DEAD, attempts, time.time(), what)
        else:
            self.outbox.settle(delivery.id, DeliveryState.PENDING, attempts,
                               time.time() + self.settings.delay(attempts), what)

    def retry(self, delivery_id: int) -> bool:
        found = self.outbox.retry(delivery_id, time.time())
        if found:
            self.wake()
        return found
