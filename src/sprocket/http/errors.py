"""Refusals at the HTTP boundary: typed errors with the HTTP status each is answered with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.errors import INTERNAL, CommonCode, DomainError, ErrorCode
from sprocket.logs import log
from sprocket.platform.ratelimit import RateLimited

#: Where a door that answers people leaves, for a request of theirs, how to show a refusal
#: as a page: ``(scope, error, status, headers) -> Response`` (the web door does, for a
#: browser asking for a page). Without it a refusal is typed JSON.
REFUSAL_PAGE_KEY = "sprocket.refusal_page"
RefusalPage = Callable[[Scope, DomainError, int, dict[str, str] | None], Response]


class HttpCode(ErrorCode):
    """The HTTP boundary."""

    BAD_REQUEST_BODY = (
        "BAD_REQUEST_BODY",
        "The body is not a GraphQL request: not JSON, not an object, a batch (batching is off), a "
        "`query` or `variables` of the wrong type, a malformed multipart upload, or a content type"
        " the endpoint does not read.",
    )
    REQUEST_TOO_LARGE = (
        "REQUEST_TOO_LARGE",
        "HTTP 413: the body is larger than a request may carry (`SPROCKET_MAX_BODY_BYTES`; an "
        "upload: 15 replays of `SPROCKET_REPLAY_MAX_BYTES`); refused before it is read, or cut off"
        " at the limit.",
    )
    REQUEST_TIMEOUT = (
        "REQUEST_TIMEOUT",
        "HTTP 503: the request ran longer than `SPROCKET_REQUEST_TIMEOUT_SECONDS` once its body "
        "arrived, and was stopped.",
    )
    BAD_CREDENTIALS = (
        "BAD_CREDENTIALS",
        "HTTP 400: more than one `Authorization` header, or a second token in a WebSocket's "
        "`connection_init`.",
    )
    PREFLIGHT_REQUIRED = (
        "PREFLIGHT_REQUIRED",
        "A multipart upload without `Apollo-Require-Preflight` (the guard against cross-site "
        "request forgery).",
    )


class HttpError(DomainError):
    """A request refused before any door ran; ``status`` is its HTTP status."""

    status = 400


class RequestTooLarge(HttpError):
    code = HttpCode.REQUEST_TOO_LARGE
    status = 413


class RequestTimedOut(HttpError):
    code = HttpCode.REQUEST_TIMEOUT
    status = 503


class BadCredentials(HttpError):
    """Credentials the server cannot read as one caller (two Authorization headers, or a
    second token in a WebSocket's ``connection_init``)."""

    code = HttpCode.BAD_CREDENTIALS
    status = 400


class BadRequestBody(HttpError):
    """A body that is not what the endpoint reads (not JSON, not an object, a malformed
    multipart upload)."""

    code = HttpCode.BAD_REQUEST_BODY
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


class Unexpected:
    """The last guard: a fault no door answered becomes a typed 500
    (``INTERNAL_SERVER_ERROR``, a generic sentence) with the security headers, logged once
    with its traceback: JSON, or the door's page (:func:`refusal_response`); never a
    plain-text page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watched = Watched(send)
        try:
            await self.app(scope, receive, watched)
        except Exception:
            log.error("http.unexpected_error", path=scope["path"], exc_info=True)
            if watched.started:
                raise
            error = DomainError(INTERNAL, code=CommonCode.INTERNAL_SERVER_ERROR)
            await refusal_response(scope, error, 500)(scope, receive, send)


def error_body(error: DomainError) -> dict[str, Any]:
    """``{"errors": [{"message", "extensions": {"code", "details"?}}]}``: the shape of a
    GraphQL request error, used for every refusal so clients read one format."""
    extensions: dict[str, Any] = {"code": error.code}
    if error.details is not None:
        extensions["details"] = error.details
    # A sentence may quote the request (a lone surrogate in an operation name...): keep it
    # encodable, as UTF-8 must be.
    message = error.message.encode("utf-8", "replace").decode("utf-8")
    return {"errors": [{"message": message, "extensions": extensions}]}


def error_response(
    error: DomainError, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(error), status_code=status, headers=headers)


def refusal_response(
    scope: Scope, error: DomainError, status: int, headers: dict[str, str] | None = None
) -> Response:
    """The answer to a refusal of the request ``scope``: the page its door shows
    (:data:`REFUSAL_PAGE_KEY`), or typed JSON (:func:`error_response`) when it has none or
    the page itself fails (logged)."""
    page: RefusalPage | None = scope.get(REFUSAL_PAGE_KEY)
    if page is not None:
        try:
            return page(scope, error, status, headers)
        except Exception:
            log.error("http.refusal_page_failed", path=scope.get("path"), exc_info=True)
    return error_response(error, status, headers)


def body_length(scope: Scope) -> int | None:
    """The request body's declared length in bytes (0: none), or None when it is sent without
    one (chunked) or with one that is no number."""
    headers = Headers(scope=scope)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return None
    length = headers.get("content-length", "0") or "0"
    return int(length) if length.isdigit() else None


#: Unread body the server may still read and drop after an early answer, to keep the
#: connection: beyond it (or with no length given) the connection is closed instead.
DRAIN_BYTES = 64 * 1024


def body_unread(scope: Scope) -> dict[str, str]:
    """``Connection: close`` for a refusal answered before a large (or unbounded, chunked)
    body was read, so the server drops the connection instead of reading the rest of it; a
    small body is read and dropped, and the connection kept."""
    length = body_length(scope)
    return {"Connection": "close"} if length is None or length > DRAIN_BYTES else {}


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
    """Answer ``error`` with ``status`` (default: the error's own) on HTTP, as JSON or its
    door's page (:func:`refusal_response`); by closing the socket with ``close_code``
    (before the handshake) on a WebSocket."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": close_code, "reason": error.message[:120]})
        return
    code = status if status is not None else getattr(error, "status", 400)
    await refusal_response(scope, error, code, headers)(scope, receive, send)


async def refuse_rate_limited(
    scope: Scope, receive: Receive, send: Send, error: RateLimited
) -> None:
    """429 ``RATE_LIMITED`` with ``Retry-After`` (a WebSocket: closed with 4429)."""
    retry = {"Retry-After": str(error.retry_after), **body_unread(scope)}
    await refuse(scope, receive, send, error, status=429, headers=retry, close_code=4429)
