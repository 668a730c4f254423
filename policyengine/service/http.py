"""HTTP plumbing: the error shape, JSON rendering, and the request-size limit.

Every error the API returns is `{"error": {"code": ..., "message": ...}}`, with a stable
code and a message that says what would be right.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *,
                 headers: Mapping[str, str] | None = None, extra: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": {"code": self.code, "message": self.message,
                                          **self.extra}}
        return Json(body, status_code=self.status, headers=self.headers)


class Json(JSONResponse):
    """JSON as UTF-8 text (readable Chinese); ASCII escapes only if the text cannot be UTF-8."""

    def render(self, content: Any) -> bytes:
        try:
            return json.dumps(content, ensure_ascii=False, separators=(",", ":"),
                              allow_nan=False).encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":"), allow_nan=False).encode("ascii")


class BodyLimit:
    """Refuses a request body over `limit` bytes with 413, whether or not it says its size.

    A declared Content-Length over the limit is refused before the body is read; a body that
    grows past the limit as it arrives raises `ApiError` (413) inside the endpoint reading it.
    """

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await too_large(self.limit, str(int(declared))).response()(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise too_large(self.limit, f"more than {self.limit}")
            return message

        await self.app(scope, counting_receive, send)


def too_large(limit: int, size: str) -> ApiError:
    return ApiError(413, "E-REQUEST-TOO-LARGE",
                    f"the request body is {size} bytes; at most {limit} bytes are accepted: "
                    "send the facts in smaller batches", extra={"limit_bytes": limit})
