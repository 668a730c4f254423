"""Who is reading, and in which language: browser sessions and the page language.

A sign-in exchanges a token holding the read scope for a random session id kept in an
HttpOnly, SameSite=Strict cookie (Secure when the request came over https). The token's
secret never goes into the cookie: the server keeps session id -> token name in memory, for
`SESSION_HOURS`, so a restart (which is also when a changed tokens file takes effect) signs
everyone out. Each page checks the session's token is still in force with the read scope.
Sessions hold no other data.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request

from policyengine.language import Lang, resolve_language
from policyengine.service.auth import TokenSet

COOKIE = "pe_session"
LANG_COOKIE = "pe_lang"
SESSION_HOURS = 8
MAX_SESSIONS = 10_000


@dataclass(frozen=True)
class Session:
    token_name: str
    expires: float          # time.monotonic() seconds


class Sessions:
    """Session id -> token name, in memory, expiring."""

    def __init__(self, hours: float = SESSION_HOURS):
        self.seconds = hours * 3600
        self._clock = time.monotonic
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, token_name: str) -> str:
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                self._drop_expired(now)
            if len(self._sessions) >= MAX_SESSIONS:  # still full: the oldest goes
                self._sessions.pop(next(iter(self._sessions)))
            self._sessions[session_id] = Session(token_name, now + self.seconds)
        return session_id

    def reader(self, session_id: str | None, tokens: TokenSet) -> str | None:
        """The token name behind a live session whose token still holds the read scope."""
        if not session_id:
            return None
        with self._lock:
            found = self._sessions.get(session_id)
            if found is None:
                return None
            if found.expires <= self._clock():
                del self._sessions[session_id]
                return None
        if not any(t.name == found.token_name and "read" in t.scopes for t in tokens.tokens):
            return None
        return found.token_name

    def close(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(session_id, None)

    def _drop_expired(self, now: float) -> None:
        for key in [k for k, s in self._sessions.items() if s.expires <= now]:
            del self._sessions[key]


def is_https(request: Request) -> bool:
    """Whether the browser reached us over https (directly, or through a proxy that says so
    in X-Forwarded-Proto: a proxy in front of the service is the usual https set-up)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def form_field(body: bytes, name: str) -> str:
    """One field of an application/x-www-form-urlencoded body ('' when absent)."""
    values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(name)
    return values[0].strip() if values else ""


def explicit_language(request: Request) -> Lang | None:
    """`?lang=` in the address, else the language chosen earlier (its cookie)."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in ("zh", "en"):
            return "zh" if candidate == "zh" else "en"
    return None


def accept_language(header: str) -> Lang | None:
    """The first of zh / en in the browser's Accept-Language, by weight."""
    ranked: list[tuple[float, int, Lang]] = []
    for index, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and weight > 0:
            ranked.append((-weight, index, "zh" if primary == "zh" else "en"))
    return min(ranked)[2] if ranked else None


def page_language(request: Request, policy_language: str | None) -> Lang:
    """?lang= (or the choice remembered from it), else the browser's Accept-Language, else
    the policy's `policy.language`, else Chinese."""
    explicit = explicit_language(request)
    if explicit is not None:
        return explicit
    browser = accept_language(request.headers.get("accept-language", ""))
    return resolve_language(browser, policy_language, environ={})
