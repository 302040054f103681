"""The cross-site request forgery guard of multipart uploads."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from sprocket.http.errors import HttpCode, HttpError, refuse

#: Headers a page on another site cannot send without a CORS preflight (which this app never
#: grants): the two Apollo Server checks for, so Apollo's upload client works as it is.
PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")


class PreflightRequired(HttpError):
    code = HttpCode.PREFLIGHT_REQUIRED
    status = 400


class UploadPreflight:
    """A browser sends a ``multipart/form-data`` POST from any site without asking first, so
    such a request to ``path`` must carry one of ``PREFLIGHT_HEADERS`` (Strawberry itself
    checks nothing)."""

    def __init__(self, app: ASGIApp, *, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and scope["method"] == "POST":
            headers = Headers(scope=scope)
            multipart = headers.get("content-type", "").lower().startswith("multipart/")
            if multipart and not any(headers.get(h, "").strip() for h in PREFLIGHT_HEADERS):
                error = PreflightRequired(
                    "File uploads need the header 'Apollo-Require-Preflight: true' (a "
                    "protection against cross-site request forgery)."
                )
                await refuse(scope, receive, send, error)
                return
        await self.app(scope, receive, send)
