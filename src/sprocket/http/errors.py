"""Refusals at the HTTP boundary: typed errors with the HTTP status each is answered with."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from sprocket.errors import DomainError


class HttpError(DomainError):
    """A request refused before any door ran; ``status`` is its HTTP status."""

    status = 400


class RequestTooLarge(HttpError):
    code = "REQUEST_TOO_LARGE"
    status = 413


class RequestTimedOut(HttpError):
    code = "REQUEST_TIMEOUT"
    status = 503


class BadCredentials(HttpError):
    """Credentials the server cannot read as one caller (two Authorization headers, a scheme
    other than Bearer)."""

    code = "BAD_CREDENTIALS"
    status = 400


class BadRequestBody(HttpError):
    """A body that is not what the endpoint reads (not JSON, not an object, a malformed
    multipart upload)."""

    code = "BAD_REQUEST_BODY"
    status = 400


class Watched:
    """A ``send`` that notes whether the response has started (after which a refusal can no
    longer be answered)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


def error_body(error: DomainError) -> dict[str, Any]:
    """``{"errors": [{"message", "extensions": {"code", "details"?}}]}``: the shape of a
    GraphQL request error, used for every refusal so clients read one format."""
    extensions: dict[str, Any] = {"code": error.code}
    if error.details is not None:
        extensions["details"] = error.details
    return {"errors": [{"message": error.message, "extensions": extensions}]}


def error_response(
    error: DomainError, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(error), status_code=status, headers=headers)


#: Unread body the server may still read and drop after an early answer, to keep the
#: connection: beyond it (or with no length given) the connection is closed instead.
DRAIN_BYTES = 64 * 1024


def body_unread(scope: Scope) -> dict[str, str]:
    """``Connection: close`` for a refusal answered before a large (or unbounded, chunked)
    body was read, so the server drops the connection instead of reading the rest of it; a
    small body is read and dropped, and the connection kept."""
    headers = Headers(scope=scope)
    length = headers.get("content-length", "0")
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    large = not length.isdigit() or int(length) > DRAIN_BYTES
    return {"Connection": "close"} if chunked or large else {}


async def refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    error: DomainError,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    close_code: int = 4400,
) -> None:
    """Answer ``error``: as JSON with ``status`` (default: the error's own) on HTTP, by
    closing the socket with ``close_code`` (before the handshake) on a WebSocket."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": close_code, "reason": error.message[:120]})
        return
    code = status if status is not None else getattr(error, "status", 400)
    await error_response(error, code, headers)(scope, receive, send)
