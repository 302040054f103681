"""A size limit on every request body, enforced while it is read."""

from __future__ import annotations

from collections.abc import Container

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.http.auth import caller_of
from sprocket.http.errors import RequestTooLarge, Watched, body_length, refuse
from sprocket.text import size_text


class _Overflow(Exception):
    """The body passed its limit: reading stops here."""


class BodyLimit:
    """Refuses a body larger than its limit with 413 ``REQUEST_TOO_LARGE``, reading no further.

    ``max_bytes`` applies to every request; ``upload_max_bytes`` to multipart uploads on
    ``upload_paths`` (any container of paths) by a signed-in caller (replay files; each
    file also has its own limit, checked by the upload's service): nobody else may make the
    server read that much. A declared ``Content-Length`` over the limit is refused before a
    byte is read; a body sent without one (chunked) is counted as it arrives and cut off at
    the limit.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        upload_max_bytes: int,
        upload_paths: Container[str] = frozenset({"/graphql"}),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_paths = upload_paths

    def limit_of(self, scope: Scope, headers: Headers) -> int:
        multipart = headers.get("content-type", "").lower().startswith("multipart/form-data")
        if multipart and scope["path"] in self.upload_paths and caller_of(scope).authenticated:
            return self.upload_max_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limit_of(scope, headers)
        too_large = RequestTooLarge(
            f"This request is larger than the {size_text(limit)} it may carry.",
            details={"max_bytes": limit},
        )
        declared = body_length(scope)
        if declared is not None and declared > limit:
            await refuse(scope, receive, send, too_large, headers={"Connection": "close"})
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _Overflow
            return message

        watched = Watched(send)
        try:
            await self.app(scope, counted, watched)
        except _Overflow:
            if not watched.started:  # the rest of the body stays unread: close the connection
                await refuse(scope, receive, send, too_large, headers={"Connection": "close"})
