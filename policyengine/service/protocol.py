"""Deadlines for a request to arrive, and a cap on open connections (slowloris defence).

uvicorn's `timeout_keep_alive` covers only the idle time *between* requests, and is reset by
every byte received, so a client that sends a request head or body one byte at a time, or
opens a connection and sends nothing, holds it for ever; ASGI middleware cannot help, as it
runs only once the head is parsed. So the service runs uvicorn's h11 protocol with two
absolute deadlines:

- the request head (line and headers) must be complete within `header_timeout` seconds of
  the connection opening, or of the first byte of a next request on a kept-alive connection;
- the body within `body_timeout` seconds of the end of the head.

A deadline is never extended by activity (a trickle does not help) and is disarmed once the
request is in: a slow evaluation or a long answer is not cut. A connection past the deadline
is closed; an endpoint waiting for the body then sees the client gone. Connections beyond
`max_connections` are answered `503` at once and closed, before anything is read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
from collections import Counter
from typing import Any, ClassVar

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from policyengine.language import Lang
from policyengine.service.messages import message
from policyengine.service.state import ConnectionLimits
from policyengine.wording import Line, line

log = logging.getLogger("policyengine.service")
KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open (uvicorn's default)
SPARE_FILES = 64  # file descriptors kept for the database, logs and the policy files


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with the deadlines and the cap of `limits` (see the module)."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()
    busy_response: ClassVar[bytes] = b""
    # Closings are logged as counts, at most one line per kind a second: an attack of
    # thousands of connections must not become thousands of log lines.
    _closed: ClassVar[Counter[str]]
    _report_due: ClassVar[bool]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: str | None = None  # "headers" or "body" while a deadline runs

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            transport.write(self.busy_response)
            transport.close()
            self._note(f"over the limit of {self.limits.max_connections} open connections "
                       "(answered 503)")
            return
        self._arm("headers")

    def data_received(self, data: bytes) -> None:
        if self._waiting_for is None and self.conn.their_state is h11.IDLE:
            self._arm("headers")  # the first bytes of a next request on a kept-alive connection
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()  # a pipelined request may have started meanwhile

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _follow(self) -> None:
        """Move the deadline along with the request: head -> body -> in (none)."""
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._waiting_for != "body":
                self._arm("body")
        elif state is h11.IDLE:
            if self._waiting_for == "body":
                # A body that came in after its answer (a refusal sent before reading it) is
                # done; uvicorn's keep-alive timer went with its bytes, so the next head's
                # deadline starts now and bounds the idle wait too.
                self._arm("headers")
        else:
            self._disarm()  # DONE, MUST_CLOSE, CLOSED or ERROR: nothing more to wait for

    def _arm(self, part: str) -> None:
        self._disarm()
        timeout = self.limits.header_timeout if part == "headers" else self.limits.body_timeout
        self._waiting_for = part
        self._deadline = self.loop.call_later(timeout, self._expired, part, timeout)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._waiting_for = None

    def _expired(self, part: str, timeout: float) -> None:
        self._deadline = None
        self._waiting_for = None
        if not self.transport.is_closing():
            self.transport.close()
            self._note(f"the request {part} did not arrive within {timeout:g} s")

    def _note(self, why: str) -> None:
        cls = type(self)
        cls._closed[why] += 1
        if not cls._report_due:
            cls._report_due = True
            self.loop.call_later(1.0, cls._report)

    @classmethod
    def _report(cls) -> None:
        for why, count in sorted(cls._closed.items()):
            log.warning("closed %d connection(s): %s", count, why)
        cls._closed.clear()
        cls._report_due = False


def protocol_class(limits: ConnectionLimits, lang: Lang) -> type[DeadlineProtocol]:
    """A protocol class for uvicorn's `http=` setting, with these limits; a connection over
    the cap is told so in `lang` (no request has been read: the policy's language)."""
    body = json.dumps({"error": {"code": "E-SERVICE-BUSY", "message": message(
        "service.busy", limit=limits.max_connections).text(lang)}},
        ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
            b"content-language: %s\r\nretry-after: 1\r\nconnection: close\r\n"
            b"content-length: %d\r\n\r\n" % (lang.encode(), len(body)))
    return type("LimitedProtocol", (DeadlineProtocol,), {
        "limits": limits, "busy_response": head + body,
        "_closed": Counter(), "_report_due": False})


def fit_to_file_limit(max_connections: int) -> tuple[int, Line | None]:
    """Room for `max_connections` open sockets: the soft limit on open files is raised
    towards the hard one if needed (the soft limit is often 1024); if the hard limit is too
    low, the cap is lowered to fit. (cap, a warning in both languages or None)."""
    want = max_connections + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < want:
        raised = want if hard == resource.RLIM_INFINITY else min(want, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY or soft >= want:
        return max_connections, None
    cap = max(1, soft - SPARE_FILES)
    return cap, line("serve.open_files", soft=soft, cap=cap, wanted=max_connections)


def server(app: Any, *, host: str, port: int, limits: ConnectionLimits, lang: Lang,
           log_level: str = "info", access_log: bool = False) -> uvicorn.Server:
    """The uvicorn server `policyengine serve` runs (and the tests run)."""
    return uvicorn.Server(uvicorn.Config(
        app, host=host, port=port, http=protocol_class(limits, lang), log_level=log_level,
        access_log=access_log, server_header=False, timeout_keep_alive=KEEP_ALIVE,
        timeout_graceful_shutdown=10, lifespan="on"))
