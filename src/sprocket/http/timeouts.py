"""A time limit on the execution of one request."""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.http.errors import RequestTimedOut, Watched, refuse
from sprocket.logs import log

#: A response of this type streams for as long as the client listens (server-sent events):
#: once it starts, it is no longer timed.
STREAMING = "text/event-stream"


class RequestTimeout:
    """Cancels an HTTP request still running ``seconds`` after it arrived, not counting the
    time spent waiting for its body (a slow upload is not execution), and answers 503
    ``REQUEST_TIMEOUT`` if nothing was sent yet.

    A response that turns out to be a stream (``STREAMING``, decided by the response, never
    by what the request asks for) is no longer timed once it starts. WebSockets are not
    timed: they carry only subscriptions, each checked and charged on its own.
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        clock = asyncio.timeout_at(loop.time() + self.seconds)

        async def timed_receive() -> Message:
            deadline = clock.when()
            if deadline is None:  # a stream: untimed
                return await receive()
            left = deadline - loop.time()
            clock.reschedule(None)  # time spent waiting for the client does not count
            try:
                return await receive()
            finally:
                clock.reschedule(loop.time() + left)

        async def streams_untimed(message: Message) -> None:
            if message["type"] == "http.response.start":
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                if content_type.startswith(STREAMING):
                    clock.reschedule(None)
            await send(message)

        watched = Watched(streams_untimed)
        try:
            async with clock:
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
