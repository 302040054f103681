"""A small fake of Discord's REST API, run by the tests on 127.0.0.1 (uvicorn in a thread):
command registration, interaction follow-ups through the webhook endpoint, channel
messages, and servers' members (listed a page at a time with ``after``, their roles added
and removed, their nicknames changed). It records every call (method, path, JSON body,
headers) and answers with objects shaped as Discord's, which hikari reads; refusals carry
Discord's JSON error codes (10007 Unknown Member, 50013 Missing Permissions, 50001 Missing
Access)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
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
    query: str = ""


@dataclass
class FakeGuild:
    """A server's state in the fake: its members by user id (Discord's member objects),
    the roles above the bot's own (changing them is refused, 403 50013), its owner (whom
    nobody may rename), whether the application lacks the Server Members intent (listing
    refused, 403 50001), how many members a page of the listing holds at most, and who leaves
    the server right after being listed (any call on them then: 404 Unknown Member)."""

    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles_above_bot: set[str] = field(default_factory=set)
    owner_id: str | None = None
    members_intent: bool = True
    page_size: int = 1000
    leaving: set[str] = field(default_factory=set)

    def present(self, user_id: str) -> dict[str, Any] | None:
        """The member ``user_id``, unless they are not (or no longer) in the server."""
        if user_id in self.leaving:
            self.members.pop(user_id, None)
        return self.members.get(user_id)

    def add_member(
        self,
        user_id: str,
        name: str,
        *,
        roles: tuple[str, ...] = (),
        nick: str | None = None,
        bot: bool = False,
    ) -> dict[str, Any]:
        member = {
            "user": {
                "id": user_id,
                "username": name.lower().replace(" ", ""),
                "global_name": name,
                "discriminator": "0",
                "avatar": None,
                "bot": bot,
            },
            "roles": list(roles),
            "nick": nick,
            "avatar": None,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }
        self.members[user_id] = member
        return member

    def roles_of(self, user_id: str) -> set[str]:
        return set(self.members[user_id]["roles"])

    def nick_of(self, user_id: str) -> str | None:
        return self.members[user_id]["nick"]


@dataclass
class FakeDiscordApi:
    #: The base URL for the setting ``discord_api_url``.
    url: str = ""
    calls: list[Recorded] = field(default_factory=list)
    guilds: dict[str, FakeGuild] = field(default_factory=dict)

    def guild(self, guild_id: str) -> FakeGuild:
        """The server ``guild_id`` (made empty on first use)."""
        return self.guilds.setdefault(guild_id, FakeGuild())

    def changes(self) -> list[Recorded]:
        """The recorded calls that change a server's members (role or nickname)."""
        return [
            c
            for c in self.calls
            if c.method in ("PUT", "DELETE", "PATCH") and "/members/" in c.path
        ]

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
        is_json = "json" in request.headers.get("content-type", "")
        body = await request.json() if raw and is_json else None
        fake.calls.append(
            Recorded(
                request.method, request.url.path, body, dict(request.headers), request.url.query
            )
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

    def refusal(status: int, code: int, message: str) -> JSONResponse:
        return JSONResponse({"message": message, "code": code}, status_code=status)

    def unknown(what: str, code: int) -> JSONResponse:
        return refusal(404, code, f"Unknown {what}")

    async def members(request: Request) -> JSONResponse:
        await record(request)
        guild = fake.guilds.get(request.path_params["guild"])
        if guild is None:
            return unknown("Guild", 10004)
        if not guild.members_intent:
            return refusal(403, 50001, "Missing Access")
        after = int(request.query_params.get("after", "0"))
        limit = min(int(request.query_params.get("limit", "1")), guild.page_size)
        listed = sorted((int(k), m) for k, m in guild.members.items() if int(k) > after)
        return JSONResponse([m for _, m in listed[:limit]])

    async def member(request: Request) -> Any:
        body = await record(request)
        guild = fake.guilds.get(request.path_params["guild"])
        if guild is None:
            return unknown("Guild", 10004)
        user = request.path_params["user"]
        found = guild.present(user)
        if found is None:
            return unknown("Member", 10007)
        if request.method == "PATCH":
            nick = (body or {}).get("nick")
            if user == guild.owner_id:
                return refusal(403, 50013, "Missing Permissions")
            if nick is not None and not 1 <= len(nick) <= 32:
                return refusal(400, 50035, "Invalid Form Body")
            found["nick"] = nick or None
        return JSONResponse(found)

    async def member_role(request: Request) -> Response:
        await record(request)
        guild = fake.guilds.get(request.path_params["guild"])
        if guild is None:
            return unknown("Guild", 10004)
        found = guild.present(request.path_params["user"])
        if found is None:
            return unknown("Member", 10007)
        role = request.path_params["role"]
        if role in guild.roles_above_bot:
            return refusal(403, 50013, "Missing Permissions")
        roles = [r for r in found["roles"] if r != role]
        found["roles"] = [*roles, role] if request.method == "PUT" else roles
        return Response(status_code=204)

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
            Route("/api/v10/guilds/{guild}/members", members, methods=["GET"]),
            Route("/api/v10/guilds/{guild}/members/{user}", member, methods=["GET", "PATCH"]),
            Route(
                "/api/v10/guilds/{guild}/members/{user}/roles/{role}",
                member_role,
                methods=["PUT", "DELETE"],
            ),
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
