"""CSRF protection of every form of the web door, by asgi-csrf (the double-submit cookie:
a signed ``csrftoken`` cookie that each form repeats in a hidden ``csrftoken`` field).

asgi-csrf 0.11 (the latest) cannot read a ``multipart/form-data`` body any more: it calls
python-multipart's ``FormParser`` with an argument that python-multipart 0.0.26 removed
(simonw/asgi-csrf#38, still open), and python-multipart stays at a version with the
CVE-2026-40347 fix. So a file-upload form's token is read here: the guard reads the body
(the body limit outside it bounds it), finds the ``csrftoken`` field, checks it against the
cookie as asgi-csrf does, and hands it on in the ``x-csrftoken`` header, which asgi-csrf
accepts without reading the body; a missing or wrong token is refused here."""

from __future__ import annotations

import secrets
from http import HTTPMethod
from typing import Any

from asgi_csrf import DEFAULT_COOKIE_NAME, DEFAULT_HTTP_HEADER, DEFAULT_SIGNING_NAMESPACE, asgi_csrf
from itsdangerous import BadSignature, URLSafeSerializer
from python_multipart import FormParser
from python_multipart.multipart import Field, parse_options_header
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.errors import DomainError, PermissionDenied
from sprocket.web.pages import error_page, is_page

FORGED = (
    "This form was not sent from a page of ours, or the page was too old: nothing was "
    "changed. Go back, reload the page and send it again."
)


class Pages:
    """Every page's path, as asgi-csrf's ``always_protect``: a form posted to a page must
    carry the token even when the browser sends no cookie (a forged sign-in too)."""

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and is_page(path)


async def refused(scope: Scope, send: Send, _reason: Any) -> None:
    """The 403 page of a form without a valid token."""

    async def nothing() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    error: DomainError = PermissionDenied(FORGED)
    await error_page(Request(scope), error, 403)(scope, nothing, send)


SAFE_METHODS = frozenset({HTTPMethod.GET, HTTPMethod.HEAD, HTTPMethod.OPTIONS, HTTPMethod.TRACE})


async def multipart_token(boundary: bytes, receive: Receive) -> tuple[str | None, Receive]:
    """The ``csrftoken`` field of a multipart body (None: there is none), and a ``receive``
    that replays the body for the page. Reads the whole body."""
    token: str | None = None

    def on_field(field: Field) -> None:
        nonlocal token
        if field.field_name == b"csrftoken" and token is None and field.value is not None:
            token = field.value.decode("utf-8", errors="replace")

    parser = FormParser("multipart/form-data", on_field, None, boundary=boundary)
    messages: list[Message] = []
    more = True
    while more:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        parser.write(message.get("body", b""))
        more = message.get("more_body", False)
    parser.finalize()

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return token, replay


class CsrfGuard:
    """Refuses a page's POST (any method but GET, HEAD, OPTIONS, TRACE) whose ``csrftoken``
    field (or ``x-csrftoken`` header) does not match its cookie, with a 403 page, before the
    page runs; a file-upload form's field is read here (see the module's note). Paths that
    are not pages (``/graphql``: Bearer tokens, no cookie) are left alone. ``secret`` signs
    the cookie; ``secure`` keeps it to https."""

    def __init__(self, app: ASGIApp, *, secret: str, secure: bool) -> None:
        self.signer = URLSafeSerializer(secret)
        self.app = asgi_csrf(
            app,
            signing_secret=secret,
            always_protect=Pages(),
            skip_if_scope=lambda scope: not is_page(scope["path"]),
            cookie_secure=secure,
            send_csrf_failed=refused,
        )

    def cookie_token(self, scope: Scope) -> str | None:
        """The token of the request's CSRF cookie when it is one we signed, else None."""
        cookie = Request(scope).cookies.get(DEFAULT_COOKIE_NAME)
        if not cookie:
            return None
        try:
            self.signer.loads(cookie, DEFAULT_SIGNING_NAMESPACE)
        except BadSignature:
            return None
        return cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and is_page(scope["path"])
        ):
            headers = dict(scope.get("headers") or [])
            kind, options = parse_options_header(headers.get(b"content-type"))
            header = DEFAULT_HTTP_HEADER.encode("latin-1")
            if kind == b"multipart/form-data" and header not in headers:
                token, receive = await multipart_token(options.get(b"boundary", b""), receive)
                expected = self.cookie_token(scope)
                if token is None or expected is None or not secrets.compare_digest(token, expected):
                    await refused(scope, send, None)
                    return
                scope = {**scope, "headers": [*scope["headers"], (header, token.encode())]}
        await self.app(scope, receive, send)
