"""Live page parts through server-sent events.

A stream listens on the pub/sub channels the GraphQL subscriptions listen on (the scrims'
and the queue's, :mod:`sprocket.scrims.service`). An event only nudges: on each one the
stream reads the viewer's credentials again (as a subscription rechecks its token; a session
signed out or ended stops the stream with an ``ended`` event), renders the page part again
and sends it (an ``update`` event holding the part's HTML) when it changed. Our script
(``/static/live.js``) puts it in place; without script the page works by reloading.

Such a response is ``text/event-stream``, which the request time limit leaves untimed once
it starts (:mod:`sprocket.http.timeouts`); it is a GET, which the CSRF guard lets through,
and it costs its client one request of the rate limit, however long it lasts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import StreamingResponse

from sprocket.errors import DomainError
from sprocket.http.auth import TOKEN_KEY, authenticate
from sprocket.http.sessions import SESSION_KEY, session_actor
from sprocket.http.timeouts import STREAMING
from sprocket.identity.access import SPECTATOR, Actor
from sprocket.platform.cache import Cache
from sprocket.runtime import Runtime
from sprocket.web.pages import csrf_token, templates

#: Seconds between the comments that keep an idle stream open through proxies.
KEEP_ALIVE_SECONDS = 15.0
#: How long a browser waits before opening a dropped stream again (milliseconds).
RETRY_MS = 3000

#: A page part as one viewer sees it now: its HTML.
Part = Callable[[Actor], Awaitable[str]]


async def _forward(messages: AsyncIterator[bytes], merged: asyncio.Queue[bytes | None]) -> None:
    try:
        async for message in messages:
            merged.put_nowait(message)
    finally:
        merged.put_nowait(None)  # this channel ended: so does the stream


@contextlib.asynccontextmanager
async def listening(
    cache: Cache, channels: Sequence[str]
) -> AsyncIterator[asyncio.Queue[bytes | None]]:
    """Every message of ``channels`` in one queue, each subscribed before the block runs (a
    message published once it runs is not missed); None in the queue: a channel's
    subscription ended. Leaving the block unsubscribes."""
    merged: asyncio.Queue[bytes | None] = asyncio.Queue()
    async with contextlib.AsyncExitStack() as stack:
        tasks = []
        try:
            for channel in channels:
                messages = await stack.enter_async_context(cache.subscribe(channel))
                tasks.append(asyncio.create_task(_forward(messages, merged)))
            yield merged
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def viewer_now(runtime: Runtime, request: Request) -> Actor:
    """The request's viewer as its credentials stand now: its Bearer token's holder, else
    its session cookie's user, else the spectator. Raises Unauthenticated (``TOKEN_REVOKED``,
    ``TOKEN_EXPIRED``, ``SESSION_ENDED``, ``SESSION_EXPIRED``) once they no longer hold."""
    token = request.scope.get(TOKEN_KEY)
    if token:
        return await authenticate(runtime, token)
    secret = request.scope.get(SESSION_KEY)
    if secret:
        return await session_actor(runtime, secret)
    return SPECTATOR


def server_event(name: str, data: str) -> str:
    """One server-sent event called ``name`` carrying ``data`` (any text, lines and all)."""
    lines = data.splitlines() or [""]
    return f"event: {name}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


def render_part(request: Request, template: str, block: str, actor: Actor, **values: Any) -> str:
    """The block ``block`` of page ``template`` alone, as ``actor`` sees it (its forms
    carry the request's CSRF token). The block imports the macros it uses itself."""
    page = templates.get_template(template)
    context = page.new_context(
        {"request": request, "viewer": actor, "csrf": lambda: csrf_token(request), **values}
    )
    return "".join(page.blocks[block](context))


async def _events(
    runtime: Runtime, request: Request, channels: Sequence[str], part: Part
) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    async with listening(runtime.cache, channels) as nudges:
        sent = None
        while True:
            try:
                actor = await viewer_now(runtime, request)
                html = await part(actor)
            except DomainError as error:  # signed out, or the scrim is gone: the stream ends
                yield server_event("ended", error.message)
                return
            if html != sent:
                sent = html
                yield server_event("update", html)
            while True:
                try:
                    async with asyncio.timeout(KEEP_ALIVE_SECONDS):
                        message = await nudges.get()
                    break
                except TimeoutError:
                    yield ": still listening\n\n"
            if message is None:
                return
            while not nudges.empty():  # a burst of events: the state is read once for all
                if nudges.get_nowait() is None:
                    return


def stream(
    runtime: Runtime, request: Request, channels: Sequence[str], part: Part
) -> StreamingResponse:
    """The server-sent events of a page part: ``part`` as the viewer sees it now, then again
    after each message on ``channels`` whenever it changed (see the module's docstring)."""
    return StreamingResponse(
        _events(runtime, request, channels, part),
        media_type=STREAMING,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
