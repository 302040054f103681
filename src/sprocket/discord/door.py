"""``POST /discord/interactions``: where Discord posts every interaction (slash commands,
autocomplete, button presses, modal submissions).

Before anything is read: the Ed25519 signature of the application's public key over the
timestamp and the body (401 without it, as Discord's own check of the endpoint expects),
then the timestamp's age (401 when stale), then the interaction id, answered once only (409
for a replay: ids are remembered in the cache for twice the accepted age). A PING is
answered PONG; everything else by :class:`~sprocket.discord.dispatch.Dispatcher`.
"""

from __future__ import annotations

import json
import time

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sprocket.config import Settings
from sprocket.discord.catalog import default_registry
from sprocket.discord.dispatch import Dispatcher
from sprocket.discord.errors import DiscordCode
from sprocket.discord.interaction import PING, Malformed, parse
from sprocket.discord.registry import Registry
from sprocket.discord.replies import PONG
from sprocket.discord.rest import DiscordRest
from sprocket.discord.signature import fresh, public_key, signed_by
from sprocket.errors import DomainError
from sprocket.http.errors import error_response
from sprocket.runtime import Runtime

PATH = "/discord/interactions"


def refused(code: DiscordCode, message: str, status: int) -> Response:
    """A refusal of the endpoint, in the JSON shape of every HTTP refusal."""
    return error_response(DomainError(message, code=code), status)


def discord_router(
    runtime: Runtime, settings: Settings, *, registry: Registry | None = None
) -> APIRouter:
    """The interactions endpoint for the application whose public key the settings hold
    (none: the endpoint answers 404), running ``registry``'s commands (default: every
    command of the door). The router's ``dispatcher`` attribute is its dispatcher."""
    router = APIRouter(include_in_schema=False)
    key = public_key(settings.discord_public_key) if settings.discord_public_key else None
    max_age = settings.discord_interaction_max_age_seconds
    dispatcher = Dispatcher(
        runtime,
        registry if registry is not None else default_registry(),
        rest=DiscordRest(api_url=settings.discord_api_url, bot_token=settings.discord_bot_token),
        defer_after=settings.discord_defer_after_seconds,
    )
    router.dispatcher = dispatcher  # type: ignore[attr-defined]

    @router.post(PATH)
    async def interactions(request: Request) -> Response:
        if key is None:
            return refused(
                DiscordCode.DISCORD_OFF,
                "Discord interactions are off on this server (no Discord public key is set).",
                404,
            )
        body = await request.body()
        timestamp = request.headers.get("x-signature-timestamp", "")
        signature = request.headers.get("x-signature-ed25519", "")
        if not signed_by(key, signature=signature, timestamp=timestamp, body=body):
            return refused(DiscordCode.BAD_SIGNATURE, "This request is not signed by Discord.", 401)
        if not fresh(timestamp, now=time.time(), max_age=max_age):
            return refused(
                DiscordCode.STALE_INTERACTION,
                "This interaction's timestamp is too far from now; it is not answered.",
                401,
            )
        try:
            interaction = parse(json.loads(body))
        except (ValueError, Malformed) as error:
            message = str(error) if isinstance(error, Malformed) else "The body is not JSON."
            return refused(DiscordCode.BAD_INTERACTION, message, 400)
        seen = await runtime.cache.incr(f"discord:interaction:{interaction.id}", ttl=2 * max_age)
        if seen > 1:
            return refused(
                DiscordCode.REPLAYED_INTERACTION,
                f"Interaction {interaction.id} was answered already.",
                409,
            )
        if interaction.type == PING:
            return JSONResponse({"type": PONG})
        return JSONResponse(await dispatcher.answer(interaction))

    return router
