"""A small fake of Discord's REST API, run by the tests on 127.0.0.1 (uvicorn in a thread):
command registration, interaction follow-ups through the webhook endpoint, channel
messages. It records every call (method, path, JSON body, headers, and the files of a
multipart body: its JSON is the ``payload_json`` part) and answers with objects shaped as
Discord's, which hikari reads."""

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
class File:
    """A file of a multipart body: its form field (``files[0]``), name, type and bytes."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    files: tuple[File, ...] = ()


@dataclass
class FakeDiscordApi:
    #: The base URL for the setting ``discord_api_url``.
    url: str = ""
    calls: list[Recorded] = field(default_factory=list)

    def to(self, method: str, path_start: str) -> list[Recorded]:
        """The recorded calls of ``method`` whose path starts with ``path_start`` (after
        ``/api/v10``)."""
        return [
            c
            for c in self.calls
            if c.method == method and c.path.startswith(f"/api/v10{path_start}")
        ]


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
        "components": [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags", 0),
    }


def _app(fake: FakeDiscordApi) -> Starlette:
    async def record(request: Request) -> Any:
        raw = await request.body()
        kind = request.headers.get("content-type", "")
        body, files = None, []
        if kind.startswith("multipart/form-data"):
            form = await request.form()
            for name, value in form.multi_items():
                if isinstance(value, str):
                    body = json.loads(value) if name == "payload_json" else body
                else:
                    data = await value.read()
                    files.append(File(name, value.filename or "", value.content_type or "", data))
        elif raw and "json" in kind:
            body = await request.json()
        fake.calls.append(
            Recorded(request.method, request.url.path, body, dict(request.headers), tuple(files))
        )
        return body

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
        return JSONResponse(_message(body or {}))

    async def channel_message(request: Request) -> JSONResponse:
        body = await record(request)
        return JSONResponse(_message(body or {}, request.path_params["channel"]))

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
            Route("/api/v10/channels/{channel}/messages", channel_message, methods=["POST"]),
            Route("/{rest:path}", other, methods=methods),
        ]
    )


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
