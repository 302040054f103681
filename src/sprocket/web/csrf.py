"""CSRF protection of every form of the web door, by asgi-csrf (the double-submit cookie:
a signed ``csrftoken`` cookie that each form repeats in a hidden ``csrftoken`` field).

asgi-csrf 0.11 cannot read a ``multipart/form-data`` form (the replay uploads) with
python-multipart 0.0.26 and later (it passes ``FormParser`` an argument that no longer exists:
simonw/asgi-csrf#38, fix pending in #39), and the older python-multipart has known
vulnerabilities. Until it is fixed, :class:`CsrfGuard` reads a multipart form's token itself:
the form's first field (as asgi-csrf requires; a file before it is refused), checked against
the cookie the way asgi-csrf checks it, then handed to asgi-csrf as its ``x-csrftoken``
header, which asgi-csrf checks again before the page runs.
"""

from __future__ import annotations

import secrets
from http import HTTPMethod
from typing import Any

from asgi_csrf import asgi_csrf, cookies_from_scope
from itsdangerous import BadSignature, URLSafeSerializer
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
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


#: asgi-csrf's cookie, form field and header, and the namespace it signs the cookie in.
TOKEN = "csrftoken"
TOKEN_HEADER = b"x-csrftoken"
#: The most of a multipart body read to find its token (bytes): the token field leads.
TOKEN_WINDOW = 16 * 1024
#: The methods asgi-csrf lets by (like Django).
SAFE_METHODS = frozenset({HTTPMethod.GET, HTTPMethod.HEAD, HTTPMethod.OPTIONS, HTTPMethod.TRACE})


class _Read(Exception):
    """The form's first field is read (or it is not the token): parsing stops."""


async def leading_token(receive: Receive, boundary: bytes) -> tuple[str | None, Receive]:
    """The ``csrftoken`` field a multipart body sends first (None when its first part is
    another field, a file, or not within :data:`TOKEN_WINDOW` bytes), and a ``receive``
    that hands the page the whole body, what was read first."""
    read: list[Message] = []
    header = bytearray()
    field: dict[str, bytes] = {}
    value = bytearray()
    found: list[str] = []

    def on_header_field(data: bytes, start: int, end: int) -> None:
        field["name"] = field.get("name", b"") + data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header.extend(data[start:end])

    def on_header_end() -> None:
        if field.pop("name", b"").lower() == b"content-disposition":
            field["disposition"] = bytes(header)
        header.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(field.get("disposition"))
        if options.get(b"name") != TOKEN.encode() or b"filename" in options:
            raise _Read

    def on_part_data(data: bytes, start: int, end: int) -> None:
        value.extend(data[start:end])
        if len(value) > 512:
            raise _Read

    def on_part_end() -> None:
        found.append(value.decode("utf-8", "replace"))
        raise _Read

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    size = 0
    while size <= TOKEN_WINDOW:
        message = await receive()
        read.append(message)
        if message["type"] != "http.request":
            break
        body = message.get("body", b"")
        size += len(body)
        try:
            parser.write(body)
        except (_Read, FormParserError):
            break
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        return read.pop(0) if read else await receive()

    return (found[0] if found else None), replay


class CsrfGuard:
    """Refuses a page's POST (any method but GET, HEAD, OPTIONS, TRACE) whose ``csrftoken``
    field (or ``x-csrftoken`` header) does not match its cookie, with a 403 page, before the
    page runs. Paths that are not pages (``/graphql``: Bearer tokens, no cookie) are left
    alone. ``secret`` signs the cookie; ``secure`` keeps it to https."""

    def __init__(self, app: ASGIApp, *, secret: str, secure: bool) -> None:
        self.app = asgi_csrf(
            app,
            signing_secret=secret,
            always_protect=Pages(),
            skip_if_scope=lambda scope: not is_page(scope["path"]),
            cookie_secure=secure,
            send_csrf_failed=refused,
        )
        self.signer = URLSafeSerializer(secret)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.is_multipart_form(scope):
            scope, receive = await self.checked_multipart(scope, receive, send)
            if not scope:
                return
        await self.app(scope, receive, send)

    def is_multipart_form(self, scope: Scope) -> bool:
        """A page's multipart POST (not one with a Bearer token: asgi-csrf lets those by)."""
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            return False
        if not is_page(scope["path"]):
            return False
        headers = Headers(scope=scope)
        if headers.get("authorization", "").startswith("Bearer "):
            return False
        return headers.get("content-type", "").lower().startswith("multipart/form-data")

    async def checked_multipart(
        self, scope: Scope, receive: Receive, send: Send
    ) -> tuple[Scope, Receive]:
        """The scope with the form's token as asgi-csrf's header and the body to replay; an
        empty scope when the form was refused (the 403 page is sent)."""
        headers = Headers(scope=scope)
        _, options = parse_options_header(headers.get("content-type"))
        token = headers.get(TOKEN_HEADER.decode())
        if not token and options.get(b"boundary"):
            token, receive = await leading_token(receive, options[b"boundary"])
        cookie = cookies_from_scope(scope).get(TOKEN, "")
        try:
            self.signer.loads(cookie, TOKEN)
        except BadSignature:
            cookie = ""
        if not token or not cookie or not secrets.compare_digest(token, cookie):
            await refused(scope, send, None)
            return {}, receive
        raw = [(k, v) for k, v in scope["headers"] if k.lower() != TOKEN_HEADER]
        return {**scope, "headers": [*raw, (TOKEN_HEADER, token.encode("latin-1"))]}, receive
