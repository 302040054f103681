"""Proving a game account by signing in at its platform, from the settings page:
``/settings/link/steam`` (OpenID 2.0, :mod:`sprocket.identity.steam_openid`) and
``/settings/link/epic`` (OAuth2 through Authlib, :mod:`sprocket.identity.epic_oauth`), each
with its callback. A verified answer links the account to the player's membership
(``?member=<id>``) as verified (:func:`sprocket.league.linking.link_proven_account`).

A started link is tied to the browser that started it: a random ``state`` in a signed,
HttpOnly cookie, remembered in the cache (whose member, which platform) for ten minutes and
used once. Epic's answer must carry the same ``state``; Steam's return address is fixed, so
the cookie alone ties its answer to the browser.

A browser not signed in that opens a start page (the link Discord's ``/link`` answers with)
is sent through the sign-in page and back to the same page, as every page needing a
signed-in viewer does (:func:`sprocket.web.pages.sends_to_sign_in`).
"""

from __future__ import annotations

import contextlib
import json
import secrets

from fastapi import APIRouter
from itsdangerous import BadData, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sprocket.config import Settings
from sprocket.identity import epic_oauth, steam_openid
from sprocket.identity.access import Actor, require_user
from sprocket.identity.errors import PlatformSignInRefused
from sprocket.league import linking
from sprocket.league.accounts import platform_name
from sprocket.league.enums import GamePlatform
from sprocket.runtime import Runtime
from sprocket.web.forms import see_other
from sprocket.web.pages import WebRoute, signed_in_viewer, viewer
from sprocket.web.params import path_id

LINK_COOKIE = "sprocket_link_state"
LINK_PATH = "/settings/link"
STATE_SECONDS = 600
STEAM_CALLBACK = "/settings/link/steam/callback"
EPIC_CALLBACK = "/settings/link/epic/callback"


def epic_client(settings: Settings) -> epic_oauth.EpicClient | None:
    """Our Epic application, when the settings configure one (a client id and secret)."""
    if not settings.epic_sign_in:
        return None
    return epic_oauth.EpicClient(
        client_id=settings.epic_client_id,
        client_secret=settings.epic_client_secret,
        authorize_url=settings.epic_authorize_url,
        token_url=settings.epic_token_url,
        userinfo_url=settings.epic_userinfo_url,
        scope=settings.epic_scope,
    )


def linking_router(runtime: Runtime, settings: Settings) -> APIRouter:
    """The Steam and Epic sign-ins that prove a player's game account."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    states = URLSafeSerializer(settings.resolved_secret_key, salt="sprocket-link-state")

    def site(request: Request) -> str:
        return (settings.public_url or str(request.base_url)).rstrip("/")

    async def begin(request: Request, platform: GamePlatform) -> str:
        """Remember a link of ``platform`` the viewer starts for their membership
        ``?member=``; returns its state. Raises UNAUTHENTICATED, NOT_FOUND,
        PERMISSION_DENIED (not the viewer's own current membership)."""
        who = viewer(request)
        member_id = path_id(request.query_params.get("member", ""), "membership")
        async with runtime.reading() as session:
            await linking.own_membership(session, actor=who, member_id=member_id)
        state = secrets.token_urlsafe(32)
        started = {"user": who.user_id, "member": member_id, "platform": platform.value}
        await runtime.cache.set(
            f"link-state:{state}", json.dumps(started).encode(), ttl=STATE_SECONDS
        )
        return state

    def sent_to(target: str, state: str) -> Response:
        """The browser sent to the platform at ``target``, keeping ``state`` in its cookie."""
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            LINK_COOKIE,
            states.dumps(state),
            max_age=STATE_SECONDS,
            path=LINK_PATH,
            httponly=True,
            samesite="lax",
            secure=settings.https,
        )
        return response

    async def started_link(
        request: Request, platform: GamePlatform, given: str | None
    ) -> tuple[Actor, int]:
        """The viewer and the membership of the link this browser started at ``platform``
        (used up: an answer counts once). ``given``: the state the platform sent back
        (None: the platform carries none). Raises PLATFORM_SIGN_IN_REFUSED."""
        who = viewer(request)
        require_user(who)
        state = None
        with contextlib.suppress(BadData):
            state = states.loads(request.cookies.get(LINK_COOKIE) or "-")
        if not isinstance(state, str) or (given is not None and given != state):
            raise PlatformSignInRefused(
                f"This answer from {platform_name(platform)} does not belong to a link this "
                "browser started. Start again from your settings."
            )
        key = f"link-state:{state}"
        remembered = await runtime.cache.get(key)
        await runtime.cache.delete(key)
        started = json.loads(remembered) if remembered is not None else None
        if started is None:
            raise PlatformSignInRefused(
                "This link was already used, or took longer than ten minutes."
            )
        if started["user"] != who.user_id or started["platform"] != platform.value:
            raise PlatformSignInRefused(
                "This link was started by someone else or for another platform."
            )
        return who, int(started["member"])

    async def linked(
        request: Request,
        who: Actor,
        member_id: int,
        platform: GamePlatform,
        account: str,
        name: str | None,
    ) -> Response:
        """Link the proved ``account`` to the viewer's membership, then back to settings."""
        async with runtime.unit_of_work() as session:
            row = await linking.link_proven_account(
                session,
                actor=who,
                member_id=member_id,
                platform=platform.value,
                account_id=account,
                display_name=name,
            )
        response = see_other(
            request,
            "/settings#accounts",
            f"Your {platform_name(platform)} account {row.account_id} is linked and verified.",
        )
        response.delete_cookie(LINK_COOKIE, path=LINK_PATH)
        return response

    @router.get("/settings/link/steam")
    async def steam_start(request: Request) -> Response:
        signed_in_viewer(request, "link a game account")  # a stranger: through the sign-in
        state = await begin(request, GamePlatform.STEAM)
        target = steam_openid.login_url(
            endpoint=settings.steam_openid_url,
            return_to=site(request) + STEAM_CALLBACK,
            realm=site(request) + "/",
        )
        return sent_to(target, state)

    @router.get(STEAM_CALLBACK)
    async def steam_callback(request: Request) -> Response:
        who, member_id = await started_link(request, GamePlatform.STEAM, None)
        steam_id = await steam_openid.verify_assertion(
            endpoint=settings.steam_openid_url,
            return_to=site(request) + STEAM_CALLBACK,
            params=dict(request.query_params),
            cache=runtime.cache,
        )
        return await linked(request, who, member_id, GamePlatform.STEAM, steam_id, None)

    def configured_epic() -> epic_oauth.EpicClient:
        epic = epic_client(settings)
        if epic is None:
            raise PlatformSignInRefused("Signing in at Epic is not configured on this server.")
        return epic

    @router.get("/settings/link/epic")
    async def epic_start(request: Request) -> Response:
        epic = configured_epic()
        signed_in_viewer(request, "link a game account")  # a stranger: through the sign-in
        state = await begin(request, GamePlatform.EPIC)
        target = await epic_oauth.authorization_url(
            epic, redirect_uri=site(request) + EPIC_CALLBACK, state=state
        )
        return sent_to(target, state)

    @router.get(EPIC_CALLBACK)
    async def epic_callback(request: Request) -> Response:
        epic = configured_epic()
        who, member_id = await started_link(
            request, GamePlatform.EPIC, request.query_params.get("state", "")
        )
        code = request.query_params.get("code", "")
        if not code:
            reason = request.query_params.get("error_description") or "no code was given"
            raise PlatformSignInRefused(f"Epic did not sign you in ({reason}).")
        account, name = await epic_oauth.epic_account(
            epic, redirect_uri=site(request) + EPIC_CALLBACK, code=code
        )
        return await linked(request, who, member_id, GamePlatform.EPIC, account, name)

    return router
