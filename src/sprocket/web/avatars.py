"""Users' pictures, served from our own storage (:mod:`sprocket.identity.avatars`):
``/avatars/<user id>/<sha256>`` (the address changes with the picture, so browsers keep it
for good) and ``/avatars/me``, the signed-in viewer's own for the page header (a letter in
a circle when they have none)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.identity import avatars
from sprocket.identity import service as identity
from sprocket.runtime import Runtime
from sprocket.web.pages import WebRoute, viewer
from sprocket.web.params import path_id

#: How long a browser keeps the header's picture before asking again (seconds).
MINE_SECONDS = 300


def avatar_src(key: str | None) -> str | None:
    """The address of the picture a user's ``avatar_url`` names (None: none to show)."""
    return f"/{key}" if key and key.startswith("avatars/") else None


def placeholder(name: str) -> bytes:
    """An SVG circle holding ``name``'s first letter: the picture of who has none."""
    letter = escape((name.strip()[:1] or "?").upper())
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        '<circle cx="16" cy="16" r="16" fill="#5f5f66"/>'
        '<text x="16" y="21.5" font-size="16" font-family="sans-serif" text-anchor="middle" '
        f'fill="#fff">{letter}</text></svg>'
    ).encode()


def avatars_router(runtime: Runtime) -> APIRouter:
    """``/avatars/me`` and ``/avatars/{user id}/{sha256}``."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/avatars/me")
    async def my_avatar(request: Request) -> Response:
        who = viewer(request)
        async with runtime.reading() as session:
            user = await identity.me(session, actor=who)
        cache = {"Cache-Control": f"private, max-age={MINE_SECONDS}"}
        mine = await avatars.user_avatar(runtime.storage, user=user)
        if mine is not None:
            return Response(mine[0], media_type=mine[1], headers=cache)
        return Response(placeholder(user.display_name), media_type="image/svg+xml", headers=cache)

    @router.get("/avatars/{user_id}/{digest}")
    async def avatar(user_id: str, digest: str) -> Response:
        data, kind = await avatars.avatar_image(
            runtime.storage, user_id=path_id(user_id, "user"), digest=digest
        )
        return Response(
            data, media_type=kind, headers={"Cache-Control": "public, max-age=31536000, immutable"}
        )

    return router
