"""Refusals of the HTTP guards as pages: a browser asking for a page that is refused before
it runs (rate limited, 429) or fails (500) is shown a page with the sentence and the code,
not JSON. The API's paths and clients that do not ask for HTML keep the typed JSON."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sprocket.errors import DomainError
from sprocket.http.errors import REFUSAL_PAGE_KEY
from sprocket.web.pages import is_page, render, wants_html

#: The page's heading by HTTP status (else error.html's own).
HEADINGS = {
    429: "Too many requests",
    500: "Something went wrong",
    503: "That took too long",
    413: "That is too large",
}


def refusal_page(
    scope: Scope, error: DomainError, status: int, headers: dict[str, str] | None
) -> Response:
    """The page of a refusal: ``error``'s sentence and code under a heading for ``status``,
    with ``headers`` (``Retry-After``...). The guards refuse before the CSRF guard hands the
    page its token, so the sign-out form repeats the visitor's own CSRF cookie."""
    request = Request(scope)
    if "csrftoken" not in scope:
        token = request.cookies.get("csrftoken", "")
        request = Request({**scope, "csrftoken": lambda: token})
    heading = HEADINGS.get(status)
    response = render(
        request, "error.html", status, error=error, status_code=status, heading=heading
    )
    response.headers.update(headers or {})
    return response


class RefusalPages:
    """Marks a browser's request for a page (:func:`~sprocket.web.pages.is_page`, ``Accept:
    text/html``) so the HTTP guards answer its refusals with :func:`refusal_page`. It stands
    outside every guard, the last one (500) included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_page(scope["path"]) and wants_html(Request(scope)):
            scope[REFUSAL_PAGE_KEY] = refusal_page
        await self.app(scope, receive, send)
