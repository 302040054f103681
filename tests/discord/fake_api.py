"""A small fake of Discord's REST API, run by the tests on 127.0.0.1 (uvicorn in a thread):
command registration, interaction follow-ups and webhook messages through the webhook
endpoint, DM channels, channel messages. It records every call (method, path, JSON body or
multipart ``payload_json``, files, headers) and answers with objects shaped as Discord's,
which hikari reads.

Messages are made as Discord makes them: a channel message with a ``nonce`` and
``enforce_nonce`` that repeats an earlier one's is answered with the earlier message, and no
new one is made (``messages`` holds each message made once). Switches make it misbehave as
Discord may: :meth:`FakeDiscordApi.rate_limit_next` (429s with ``Retry-After`` and
``X-RateLimit-*`` headers), :meth:`FakeDiscordApi.fail_next` (5xx),
:meth:`FakeDiscordApi.close_dms` (error 50007 for a user's DMs) and
:meth:`FakeDiscordApi.limit_buckets` (per-route buckets announced in headers and enforced
with 429s)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

APPLICATION_ID = "700000000000000001"
BOT_TOKEN = "fake-bot-token"
_ids = itertools.count(800000000000000001)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    #: The files of a multipart request: name and bytes.
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass
class FakeDiscordApi:
    #: The base URL for the setting ``discord_api_url``.
    url: str = ""
    calls: list[Recorded] = field(default_factory=list)
    #: Every message made (channel messages, DMs and webhook messages), once each.
    messages: list[dict[str, Any]] = field(default_factory=list)
    #: How many 429 answers were given, and how many failures (:meth:`fail_next`).
    rate_limited: int = 0
    failed: int = 0
    _by_nonce: dict[str, dict[str, Any]] = field(default_factory=dict)
    _dm_channels: dict[str, str] = field(default_factory=dict)
    _closed_dms: set[str] = field(default_factory=set)
    _limits_left: int = 0
    _retry_after: float = 0.05
    _failures_left: int = 0
    _failure_status: int = 500
    _bucket: tuple[int, float] | None = None
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def rate_limit_next(self, times: int, *, retry_after: float = 0.05) -> None:
        """Answer the next ``times`` message posts with 429, asking to wait ``retry_after``
        seconds (in ``Retry-After``, ``X-RateLimit-Reset-After`` and the JSON body)."""
        with self._lock:
            self._limits_left, self._retry_after = times, retry_after

    def fail_next(self, times: int, *, status: int = 500) -> None:
        """Answer the next ``times`` message posts with ``status`` (a 5xx, or a 4xx Discord
        would give for good, such as 404 for a deleted channel)."""
        with self._lock:
            self._failures_left, self._failure_status = times, status

    def close_dms(self, user_id: str) -> None:
        """The user ``user_id`` takes no DM: posting in their DM channel answers 403 with
        Discord's error 50007."""
        self._closed_dms.add(user_id)

    def limit_buckets(self, limit: int, per: float) -> None:
        """Give each route (per channel, as Discord's) a bucket of ``limit`` requests every
        ``per`` seconds, announced in ``X-RateLimit-*`` headers; a request past it is
        answered 429 (counted in ``rate_limited``)."""
        self._bucket = (limit, per)

    def dm_user(self, channel_id: str) -> str | None:
        """The user whose DM channel is ``channel_id``, if it is one."""
        return next((u for u, c in self._dm_channels.items() if c == channel_id), None)

    def messages_in(self, channel_id: str) -> list[dict[str, Any]]:
        """The messages made in ``channel_id``."""
        return [m for m in self.messages if m["channel_id"] == channel_id]

    def to(self, method: str, path_start: str) -> list[Recorded]:
        """The recorded calls of ``method`` whose path starts with ``path_start`` (after
        ``/api/v10``)."""
        return [
            c
            for c in self.calls
            if c.method == method and c.path.startswith(f"/api/v10{path_start}")
        ]


def _numbered(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``components`` with the ids Discord gives them (1, 2... depth first)."""
    counter = itertools.count(1)

    def number(component: dict[str, Any]) -> dict[str, Any]:
        inner = [number(c) for c in component.get("components", [])]
        done = {**component, "id": next(counter)}
        return {**done, "components": inner} if "components" in component else done

    return [number(c) for c in components]


def _message(body: dict[str, Any], channel_id: str = "1") -> dict[str, Any]:
    return {
        "id": str(next(_ids)),
        "channel_id": channel_id,
        "author": {
            "id": APPLICATION_ID,
            "username": "sprocket",
            "discriminator": "0",
            "avatar": None,
            "global_name": None,
            "bot": True,
        },
        "content": body.get("content", ""),
        "timestamp": "2026-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds", []),
        "components": _numbered(body.get("components", [])),
        "nonce": body.get("nonce"),
        "pinned": False,
        "type": 0,
        "flags": body.get("flags", 0),
    }


def _rate_limit_headers(bucket: str, limit: int, remaining: int, reset_after: float) -> dict:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }


def _limited(headers: dict[str, str], retry_after: float) -> JSONResponse:
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    headers = {**headers, "Retry-After": f"{retry_after:.3f}", "X-RateLimit-Scope": "user"}
    return JSONResponse(body, status_code=429, headers=headers)


def _gate(fake: FakeDiscordApi, bucket: str, *, posts_message: bool) -> tuple[Any, dict]:
    """The refusal a switch or a full bucket calls for (else None), and the rate-limit
    headers of the answer."""
    headers: dict[str, str] = {}
    with fake._lock:
        if fake._bucket is not None:
            limit, per = fake._bucket
            now = time.monotonic()
            start, used = fake._windows.get(bucket, (now, 0))
            if now - start >= per:
                start, used = now, 0
            reset_after = max(start + per - now, 0.001)
            if used >= limit:
                fake.rate_limited += 1
                return _limited(_rate_limit_headers(bucket, limit, 0, reset_after), reset_after), {}
            fake._windows[bucket] = (start, used + 1)
            headers = _rate_limit_headers(bucket, limit, limit - used - 1, reset_after)
        if posts_message and fake._limits_left > 0:
            fake._limits_left -= 1
            fake.rate_limited += 1
            wait = fake._retry_after
            return _limited(_rate_limit_headers(bucket, 5, 0, wait), wait), {}
        if posts_message and fake._failures_left > 0:
            fake._failures_left -= 1
            fake.failed += 1
            error = {"message": "Internal Server Error", "code": 0}
            return JSONResponse(error, status_code=fake._failure_status), {}
    return None, headers


def _app(fake: FakeDiscordApi) -> Starlette:
    async def record(request: Request) -> Any:
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        body: Any = None
        files: list[tuple[str, bytes]] = []
        if content_type.startswith("multipart/"):
            form = await request.form()
            for name, value in form.multi_items():
                if name == "payload_json":
                    body = json.loads(value if isinstance(value, str) else await value.read())
                elif not isinstance(value, str):
                    files.append((value.filename or name, await value.read()))
        elif raw and "json" in content_type:
            body = await request.json()
        fake.calls.append(
            Recorded(request.method, request.url.path, body, dict(request.headers), tuple(files))
        )
        return body

    def made(body: dict[str, Any], channel_id: str, files: tuple[tuple[str, bytes], ...]) -> dict:
        message = _message(body, channel_id)
        message["files"] = [(name, len(data)) for name, data in files]
        fake.messages.append(message)
        return message

    async def commands(request: Request) -> JSONResponse:
        body = await record(request)
        if request.headers.get("authorization") != f"Bot {BOT_TOKEN}":
            return JSONResponse({"message": "401: Unauthorized", "code": 0}, status_code=401)
        return JSONResponse(
            [
                {
                    **command,
                    "id": str(next(_ids)),
                    "application_id": request.path_params["application"],
                    "version": "1",
                    "default_member_permissions": None,
                    "guild_id": None,
                    "nsfw": False,
                    "integration_types": [0],
                    "contexts": [0, 1],
                }
                for command in body
            ]
        )

    async def webhook(request: Request) -> JSONResponse:
        body = await record(request)
        if request.method == "PATCH":  # the edit of an interaction's first answer
            return JSONResponse(_message(body or {}))
        bucket = f"webhook-{request.path_params['application']}"
        refusal, headers = _gate(fake, bucket, posts_message=True)
        if refusal is not None:
            return refusal
        channel = request.path_params["application"]  # the webhook's channel, for the fake
        message = made(body or {}, channel, fake.calls[-1].files)
        return JSONResponse(_public(message), headers=headers)

    async def dm_channel(request: Request) -> JSONResponse:
        body = await record(request)
        if request.headers.get("authorization") != f"Bot {BOT_TOKEN}":
            return JSONResponse({"message": "401: Unauthorized", "code": 0}, status_code=401)
        refusal, headers = _gate(fake, "dm-channels", posts_message=False)
        if refusal is not None:
            return refusal
        user = str(body["recipient_id"])
        with fake._lock:
            channel = fake._dm_channels.setdefault(user, str(next(_ids)))
        recipient = {"id": user, "username": f"user{user[-4:]}", "discriminator": "0"}
        recipient |= {"avatar": None, "global_name": None}
        dm = {"id": channel, "type": 1, "last_message_id": None, "recipients": [recipient]}
        return JSONResponse(dm, headers=headers)

    async def channel_message(request: Request) -> JSONResponse:
        body = await record(request) or {}
        if request.headers.get("authorization") != f"Bot {BOT_TOKEN}":
            return JSONResponse({"message": "401: Unauthorized", "code": 0}, status_code=401)
        channel = request.path_params["channel"]
        refusal, headers = _gate(fake, f"channel-{channel}", posts_message=True)
        if refusal is not None:
            return refusal
        if fake.dm_user(channel) in fake._closed_dms:
            error = {"message": "Cannot send messages to this user", "code": 50007}
            return JSONResponse(error, status_code=403, headers=headers)
        nonce = body.get("nonce")
        if nonce is not None and len(str(nonce)) > 25:
            error = {"message": "Invalid Form Body", "code": 50035}
            return JSONResponse(error, status_code=400, headers=headers)
        with fake._lock:
            first = fake._by_nonce.get(str(nonce)) if body.get("enforce_nonce") else None
            if first is None:
                first = made(body, channel, fake.calls[-1].files)
                if nonce is not None:
                    fake._by_nonce[str(nonce)] = first
        return JSONResponse(_public(first), headers=headers)

    async def other(request: Request) -> JSONResponse:
        await record(request)
        return JSONResponse({"message": "404: Not Found", "code": 0}, status_code=404)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route("/api/v10/applications/{application}/commands", commands, methods=["PUT"]),
            Route("/api/v10/webhooks/{application}/{token}", webhook, methods=["POST"]),
            Route(
                "/api/v10/webhooks/{application}/{token}/messages/@original",
                webhook,
                methods=["PATCH"],
            ),
            Route("/api/v10/users/@me/channels", dm_channel, methods=["POST"]),
            Route("/api/v10/channels/{channel}/messages", channel_message, methods=["POST"]),
            Route("/{rest:path}", other, methods=methods),
        ]
    )


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` as Discord answers it (without the fake's own notes)."""
    return {k: v for k, v in message.items() if k != "files"}


@contextmanager
def running_fake_discord_api() -> Iterator[FakeDiscordApi]:
    """The fake, serving on a free port of 127.0.0.1 until the context ends."""
    fake = FakeDiscordApi()
    server = uvicorn.Server(
        uvicorn.Config(_app(fake), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # start-up, not a timing assertion
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake Discord API did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    fake.url = f"http://127.0.0.1:{port}/api"
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
