"""A small fake of Discord's REST API, run by the tests on 127.0.0.1 (uvicorn in a thread):
command registration, interaction follow-ups through the webhook endpoint, channel
messages, and the CDN's attachment downloads (files the tests attach from a path). It
records every call (method, path, JSON body, headers) and answers with objects shaped as
Discord's, which hikari reads."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
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


@dataclass(frozen=True)
class Served:
    """A file the fake's CDN serves: from ``path``, in pieces without a length
    (``chunked``) or whole with its ``Content-Length``."""

    path: Path
    chunked: bool = False


@dataclass
class FakeDiscordApi:
    #: The base URL for the setting ``discord_api_url``.
    url: str = ""
    calls: list[Recorded] = field(default_factory=list)
    #: The CDN's files, by attachment id (:meth:`attach`).
    files: dict[str, Served] = field(default_factory=dict)

    def to(self, method: str, path_start: str) -> list[Recorded]:
        """The recorded calls of ``method`` whose path starts with ``path_start`` (after
        ``/api/v10``)."""
        return [
            c
            for c in self.calls
            if c.method == method and c.path.startswith(f"/api/v10{path_start}")
        ]

    # -- The CDN's attachments (/submit's replays) ------------------------------------------

    @property
    def cdn(self) -> str:
        """The CDN's origin (for the setting ``discord_attachment_origins``)."""
        return self.url.removesuffix("/api")

    def attach(
        self,
        path: Path,
        *,
        filename: str | None = None,
        declared_size: int | None = None,
        chunked: bool = False,
    ) -> dict[str, Any]:
        """Serve the file at ``path`` as an attachment; Discord's attachment object for an
        interaction's ``resolved.attachments`` (``size``: the file's unless
        ``declared_size`` says otherwise)."""
        ident = str(next(_ids))
        name = filename or path.name
        self.files[ident] = Served(path, chunked)
        url = f"{self.cdn}/attachments/400000000000000001/{ident}/{quote(name)}"
        return {
            "id": ident,
            "filename": name,
            "size": path.stat().st_size if declared_size is None else declared_size,
            "url": url,
            "proxy_url": url,
            "content_type": "application/octet-stream",
        }


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
        is_json = "json" in request.headers.get("content-type", "")
        body = await request.json() if raw and is_json else None
        fake.calls.append(Recorded(request.method, request.url.path, body, dict(request.headers)))
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
            *_cdn_routes(fake, record),
            Route("/{rest:path}", other, methods=methods),
        ]
    )


# -- The CDN: attachment downloads (/submit's replays) -----------------------------------


def _cdn_routes(fake: FakeDiscordApi, record: Any) -> list[Route]:
    """``GET /attachments/{channel}/{id}/{filename}``: the file attached as ``id``."""

    async def attachment(request: Request) -> Response:
        await record(request)
        served = fake.files.get(request.path_params["attachment"])
        if served is None:
            return JSONResponse({"message": "404: Not Found", "code": 0}, status_code=404)
        if not served.chunked:
            return FileResponse(served.path, media_type="application/octet-stream")

        async def pieces() -> AsyncIterator[bytes]:
            with served.path.open("rb") as file:
                while piece := file.read(64 * 1024):
                    yield piece

        return StreamingResponse(pieces(), media_type="application/octet-stream")

    path = "/attachments/{channel}/{attachment}/{filename}"
    return [Route(path, attachment, methods=["GET"])]


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
