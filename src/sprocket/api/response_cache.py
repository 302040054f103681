"""A response cache for read-only GraphQL queries, in front of Strawberry.

Executing GraphQL costs about 30 µs per resolved field, so a public standings table costs
milliseconds however fast the database is. Read queries are answered from the cache backend
instead, keyed by the normalized query, its variables, the viewer's visibility and the
current *data version*. Every committed write bumps the data version (see
``Runtime.data_changed``), so a cached answer can never outlive the data it was built from;
the TTL only bounds memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.http.auth import caller_of
from sprocket.platform.cache import Cache
from sprocket.runtime import DATA_VERSION_KEY

_READ_ONLY = re.compile(r"^\s*(\{|query\b)")
# A document may hold several operations; one that names a mutation or subscription anywhere
# is never cached (a false alarm, e.g. the word inside a string, only costs a cache miss).
_NOT_READ_ONLY = re.compile(r"\b(mutation|subscription)\b")
_MAX_BODY = 64 * 1024


def visibility(scope: Scope) -> str:
    """Who may see the answer: the public, or one signed-in user (as the authentication
    guard resolved the caller: the one reading of the request's credentials)."""
    actor = caller_of(scope)
    return "public" if actor.user_id is None else f"user:{actor.user_id}"


def cache_key(version: bytes | None, view: str, body: dict[str, Any]) -> str | None:
    query = body.get("query")
    if not isinstance(query, str) or not _READ_ONLY.match(query) or _NOT_READ_ONLY.search(query):
        return None
    normalized = " ".join(query.split())
    variables = json.dumps(body.get("variables") or {}, sort_keys=True, separators=(",", ":"))
    raw = "\x00".join(
        ((version or b"0").decode(), view, normalized, str(body.get("operationName")), variables)
    )
    # surrogatepass: a lone surrogate escaped in the JSON still hashes (the door refuses it)
    return "gql:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class ResponseCache:
    def __init__(self, app: ASGIApp, *, cache: Cache, ttl: int, path: str = "/graphql") -> None:
        self.app = app
        self.cache = cache
        self.ttl = ttl
        self.path = path
        self._inflight: dict[str, asyncio.Future[bytes | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length", "")
        if (
            scope["method"] != "POST"
            or scope["path"] != self.path
            or not headers.get("content-type", "").startswith("application/json")
            or not length.isdigit()
            or int(length) > _MAX_BODY
        ):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        key = None
        if body is not None:
            try:
                payload = json.loads(body)
            except (ValueError, RecursionError):  # the door answers what is no JSON
                payload = None
            if isinstance(payload, dict):
                version = await self.cache.get(DATA_VERSION_KEY)
                key = cache_key(version, visibility(scope), payload)
        if key is None:
            await self._forward(scope, body or b"", send, None)
            return
        hit = await self.cache.get(key)
        if hit is None and key in self._inflight:
            # The same answer is being computed for another caller: share it.
            hit = await asyncio.shield(self._inflight[key])
        if hit is not None:
            await _respond(send, hit, b"hit")
            return
        flight: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = flight
        try:
            flight.set_result(await self._forward(scope, body or b"", send, key))
        finally:
            # Callers that waited for an answer that could not be cached each run their own
            # flight under the same key: the latest one is registered, and only it removes it.
            if self._inflight.get(key) is flight:
                del self._inflight[key]
            if not flight.done():
                flight.set_result(None)

    async def _forward(
        self, scope: Scope, body: bytes, send: Send, key: str | None
    ) -> bytes | None:
        """Run the app; returns the answer when it was cached (a clean 200), else None."""
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        if key is None:
            await self.app(scope, replay, send)
            return None
        start: Message = {}
        chunks: list[bytes] = []
        cached: bytes | None = None

        async def capture(message: Message) -> None:
            nonlocal start, cached
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    cached = await self._finish(start, b"".join(chunks), key, send)

        await self.app(scope, replay, capture)
        return cached

    async def _finish(self, start: Message, body: bytes, key: str, send: Send) -> bytes | None:
        cacheable = start.get("status") == 200 and b'"errors"' not in body
        if cacheable:
            await self.cache.set(key, body, ttl=self.ttl)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers += [(b"content-length", str(len(body)).encode()), (b"x-sprocket-cache", b"miss")]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return body if cacheable else None


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, body: bytes, state: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-sprocket-cache", state),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
