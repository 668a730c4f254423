"""HTTP plumbing: the error shape, JSON rendering, and the request-size limit.

Every error the API returns is `{"error": {"code": ..., "message": ...}}`, with a stable
code and a message that says what would be right, in the reader's language (messages.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

import msgspec
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from policyengine.language import DEFAULT, Lang
from policyengine.service.messages import Message as Words
from policyengine.service.messages import message, request_language


class ApiError(Exception):
    """An error answer: status, stable code, and the message (worded per language; a plain
    string is said as it is in every language)."""

    def __init__(self, status: int, code: str, words: Words | str, *,
                 headers: Mapping[str, str] | None = None, extra: Mapping[str, Any] | None = None):
        self.message = words if isinstance(words, str) else words.text("en")  # for logs
        super().__init__(self.message)
        self.status = status
        self.code = code
        self.words = words
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def worded(self, lang: Lang) -> str:
        return self.words if isinstance(self.words, str) else self.words.text(lang)

    def response(self, lang: Lang = DEFAULT) -> JSONResponse:
        body: dict[str, Any] = {"error": {"code": self.code, "message": self.worded(lang),
                                          **self.extra}}
        return Json(body, status_code=self.status,
                    headers={**self.headers, "Content-Language": lang})


def scope_language(scope: Scope, policy_language: str | None) -> Lang:
    """The language a request reads (`?lang=`, Accept-Language, the policy's language)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang")
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    return request_language(query[-1] if query else None, accept, policy_language)


_ENCODER = msgspec.json.Encoder()


# A row of an answer: a JSON object, or one written already (`encoded`).
Row = dict[str, Any] | msgspec.Raw


def encoded(value: dict[str, Any]) -> Row:
    """`value` written as `Json` writes it inside an answer, when msgspec writes it as
    json.dumps does (`written`); else as it is (written with the answer). Rows a reader
    keeps between reads (service/rows.py) are written so once, not walked for floats and
    written again at every answer (a busy person's month: thousands of rows, megabytes)."""
    data = written(value)
    return value if data is None else msgspec.Raw(data)


def written(value: Any) -> bytes | None:
    """`value` as msgspec writes it, if json.dumps writes it alike (`_plain`, and no lone
    surrogate, which msgspec refuses); else None."""
    if _plain(value):
        try:
            return _ENCODER.encode(value)
        except (TypeError, msgspec.EncodeError, UnicodeEncodeError):
            pass
    return None


def _written(value: Any) -> Any:
    """json.dumps' `default`: a row written already (`encoded`) read back, for an answer
    msgspec cannot write (its floats and text are written alike by both: the same bytes)."""
    if isinstance(value, msgspec.Raw):
        return msgspec.json.decode(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _plain(value: Any) -> bool:
    """Whether msgspec writes `value` as json.dumps does: every float in the range both
    write without an exponent the same way (json.dumps 1e-05, msgspec 0.00001). A row
    written already (`encoded`) was found so when it was written."""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            push(item.values())
        elif kind is list or kind is tuple:
            push(item)
        elif kind is float:
            size = abs(item)
            if size != 0.0 and not 1e-4 <= size < 1e16:
                return False
    return True


class Json(JSONResponse):
    """JSON as UTF-8 text (readable Chinese); ASCII escapes only if the text cannot be UTF-8."""

    def render(self, content: Any) -> bytes:
        # msgspec writes the same bytes as json.dumps(ensure_ascii=False, separators=
        # (",", ":")) for JSON values, several times faster (a busy person's month is
        # megabytes); what it refuses (NaN, a lone surrogate) goes the old way.
        data = written(content)
        if data is not None:
            return data
        try:
            return json.dumps(content, ensure_ascii=False, separators=(",", ":"),
                              allow_nan=False, default=_written).encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":"), allow_nan=False,
                              default=_written).encode("ascii")


class BodyLimit:
    """Refuses a request body over `limit` bytes with 413, whether or not it says its size.

    A declared Content-Length over the limit is refused before the body is read; a body that
    grows past the limit as it arrives raises `ApiError` (413) inside the endpoint reading it.
    """

    def __init__(self, app: ASGIApp, limit: int, language: Callable[[Scope], Lang]):
        self.app = app
        self.limit = limit
        self.language = language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            answer = too_large(self.limit, str(int(declared))).response(self.language(scope))
            await answer(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            event = await receive()
            if event["type"] == "http.request":
                seen += len(event.get("body", b""))
                if seen > self.limit:
                    raise too_large(self.limit, message("request.more_than", limit=self.limit))
            return event

        await self.app(scope, counting_receive, send)


def too_large(limit: int, size: str | Words) -> ApiError:
    return ApiError(413, "E-REQUEST-TOO-LARGE",
                    message("request.too_large", size=size, limit=limit),
                    extra={"limit_bytes": limit})
