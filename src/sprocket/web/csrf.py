"""CSRF protection of every form of the web door, by asgi-csrf (the double-submit cookie:
a signed ``csrftoken`` cookie that each form repeats in a hidden ``csrftoken`` field)."""

from __future__ import annotations

from typing import Any

from asgi_csrf import asgi_csrf
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
