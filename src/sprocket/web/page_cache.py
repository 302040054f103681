"""Anonymous pages from the cache, keyed by the data version, as GraphQL's public answers are
(:mod:`sprocket.api.response_cache`).

A spectator's page is the same for every spectator until the data changes, and every
committed write bumps the data version (``Runtime.data_changed``), so a page stored under the
version it was rendered at can be served again until then; the TTL bounds how stale the
clock-dependent parts (the home page's upcoming matches) may get, and memory.

Only what is the same for everyone is shared:

- the request: a GET of a page, from a spectator (no ``Authorization`` header, no session
  cookie standing for a user, no ended session to announce, no one-time notice to show);
- the answer: a 200 of HTML that sets no cookie, carries no ``Vary`` and no
  ``Cache-Control: private``/``no-store``. A page whose forms carry a CSRF token (the
  sign-in page) gets ``Vary: Cookie`` from the CSRF guard (and the token's cookie on a first
  visit), so it is never stored: no visitor is ever served another visitor's token.

The answer keeps its headers; the security headers are added outside the cache on every
answer. A stored page is kept compressed (gzip) and served so to clients that take gzip
(every browser), which also bounds what the cache holds. ``X-Sprocket-Cache`` says ``hit``
(the page handler did not run) or ``miss`` (it ran, and its page is stored unless larger
than :data:`MAX_PAGE_BYTES`); an answer that may not be shared carries neither. It stands in
front of the rate limit: a hit costs the client nothing, a render is charged like any other
request.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.http.auth import caller_of
from sprocket.http.sessions import SESSION_ENDED_KEY
from sprocket.platform.cache import Cache
from sprocket.runtime import DATA_VERSION_KEY
from sprocket.web.forms import NOTICE_COOKIE
from sprocket.web.pages import is_page

CACHE_HEADER = b"x-sprocket-cache"
#: The largest page stored (bytes); a larger one is served but rendered every time.
MAX_PAGE_BYTES = 512 * 1024


def shared_request(scope: Scope) -> bool:
    """Whether the request asks for what every spectator sees (see the module's rules)."""
    if scope["type"] != "http" or scope["method"] != "GET" or not is_page(scope["path"]):
        return False
    headers = Headers(scope=scope)
    if "authorization" in headers or SESSION_ENDED_KEY in scope:
        return False
    if caller_of(scope).authenticated:
        return False
    return NOTICE_COOKIE not in cookie_parser(headers.get("cookie", ""))


def shared_answer(start: Message) -> bool:
    """Whether an answer (its ``http.response.start`` message) may be served to anyone."""
    if start.get("status") != 200:
        return False
    headers = Headers(raw=start.get("headers", []))
    caching = headers.get("cache-control", "").lower()
    return (
        headers.get("content-type", "").startswith("text/html")
        and "set-cookie" not in headers
        and "vary" not in headers
        and "content-encoding" not in headers
        and "private" not in caching
        and "no-store" not in caching
    )


def page_key(version: bytes | None, scope: Scope) -> str:
    """The cache key of a page: the data version, the address (scheme, host, path, query
    string) it was asked at."""
    host = Headers(scope=scope).get("host", "")
    raw = b"\x00".join(
        (
            version or b"0",
            scope.get("scheme", "http").encode(),
            host.encode("latin-1"),
            scope.get("raw_path") or scope["path"].encode(),
            scope.get("query_string", b""),
        )
    )
    return "page:" + hashlib.sha256(raw).hexdigest()


def _stored(start: Message, body: bytes) -> bytes:
    """A page as the cache keeps it: its headers (JSON, one line), then its body compressed
    with gzip (HTML keeps a tenth of its size or less)."""
    headers = [
        [name.decode("latin-1"), value.decode("latin-1")]
        for name, value in start.get("headers", [])
        if name.lower() != b"content-length"
    ]
    return json.dumps(headers).encode() + b"\n" + gzip.compress(body, compresslevel=1, mtime=0)


def accepts_gzip(scope: Scope) -> bool:
    """Whether the client's ``Accept-Encoding`` takes gzip (as every browser's does)."""
    for part in Headers(scope=scope).get("accept-encoding", "").lower().split(","):
        coding, _, weight = part.partition(";")
        if coding.strip() == "gzip":
            name, _, value = weight.partition("=")
            if name.strip() != "q":
                return True
            try:
                return float(value) > 0
            except ValueError:
                return False
    return False


async def _serve_stored(scope: Scope, send: Send, stored: bytes) -> None:
    """Answer with a stored page: compressed to a client that takes gzip, else as it was."""
    head, _, packed = stored.partition(b"\n")
    headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in json.loads(head)
    ]
    if accepts_gzip(scope):
        body = packed
        headers.append((b"content-encoding", b"gzip"))
    else:
        body = gzip.decompress(packed)
    headers += [
        (b"content-length", str(len(body)).encode()),
        (b"vary", b"Accept-Encoding"),
        (CACHE_HEADER, b"hit"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class PageCache:
    """Serves spectators' pages from ``cache`` (kept ``ttl`` seconds at most) under the
    current data version; concurrent requests for a page not yet stored share one render."""

    def __init__(self, app: ASGIApp, *, cache: Cache, ttl: int) -> None:
        self.app = app
        self.cache = cache
        self.ttl = ttl
        self._inflight: dict[str, asyncio.Future[bytes | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not shared_request(scope):
            await self.app(scope, receive, send)
            return
        key = page_key(await self.cache.get(DATA_VERSION_KEY), scope)
        stored = await self.cache.get(key)
        if stored is None and key in self._inflight:
            stored = await asyncio.shield(self._inflight[key])
        if stored is not None:
            await _serve_stored(scope, send, stored)
            return
        flight: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = flight
        try:
            await self._render(scope, receive, send, key, flight)
        finally:
            self._land(key, flight, None)

    def _land(self, key: str, flight: asyncio.Future[bytes | None], stored: bytes | None) -> None:
        """End ``flight``: the requests waiting on it are served ``stored``, or (None) render
        their own page. Requests that waited in vain each fly under the same key: only the
        registered flight is removed."""
        if self._inflight.get(key) is flight:
            del self._inflight[key]
        if not flight.done():
            flight.set_result(stored)

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, key: str, flight: asyncio.Future
    ) -> None:
        """Run the page, passing its answer on as it comes, and store it if it may be shared.
        The requests waiting on ``flight`` are let go as soon as the answer starts, if it may
        not be shared (a stream of server-sent events would keep them for its whole life)."""
        start: Message | None = None
        chunks: list[bytes] | None = None
        size = 0

        async def keep(message: Message) -> None:
            nonlocal start, chunks, size
            if message["type"] == "http.response.start":
                if shared_answer(message):
                    start, chunks = message, []
                    headers = [*message["headers"], (CACHE_HEADER, b"miss")]
                    message = {**message, "headers": headers}
                else:
                    self._land(key, flight, None)
            elif message["type"] == "http.response.body" and chunks is not None:
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > MAX_PAGE_BYTES:
                    chunks = None
                    self._land(key, flight, None)
                else:
                    chunks.append(chunk)
            await send(message)
            ended = message["type"] == "http.response.body" and not message.get("more_body")
            if ended and chunks is not None and start is not None:  # the client has it: store it
                stored = _stored(start, b"".join(chunks))
                await self.cache.set(key, stored, ttl=self.ttl)
                self._land(key, flight, stored)

        await self.app(scope, receive, keep)
