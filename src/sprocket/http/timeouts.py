"""A time limit on the execution of one request."""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.http.errors import RequestTimedOut, Watched, refuse
from sprocket.logs import log

#: Answers that stream for as long as the client listens (server-sent events, incremental
#: GraphQL over multipart/mixed) are not timed; WebSockets never pass here.
STREAMING = ("text/event-stream", "multipart/mixed")


class RequestTimeout:
    """Cancels a request still running ``seconds`` after its body was received and answers
    503 ``REQUEST_TIMEOUT`` (if nothing was sent yet).

    The clock starts once the whole body has arrived (a slow upload is not execution) or at
    once for a request without a body. Streams (``STREAMING``) and WebSockets are not timed.
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        if (
            headers is None
            or self.seconds <= 0
            or any(kind in headers.get("accept", "") for kind in STREAMING)
        ):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        clock = asyncio.timeout(None)

        async def timed_receive() -> Message:
            message = await receive()
            body_done = message["type"] == "http.request" and not message.get("more_body")
            if body_done and clock.when() is None:
                clock.reschedule(loop.time() + self.seconds)
            return message

        watched = Watched(send)

        try:
            async with clock:
                if not _has_body(headers):
                    clock.reschedule(loop.time() + self.seconds)
                await self.app(scope, timed_receive, watched)
        except TimeoutError:
            if not clock.expired():
                raise  # the app's own time-out, not ours
            log.warning("http.request_timeout", path=scope["path"], seconds=self.seconds)
            if not watched.started:
                error = RequestTimedOut(
                    f"This request took longer than the {self.seconds:g} seconds one request "
                    "may run; ask for less at once or try again later.",
                    details={"seconds": self.seconds},
                )
                await refuse(scope, receive, send, error)


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return "chunked" in headers.get("transfer-encoding", "").lower() or (
        length is not None and length not in ("", "0")
    )
