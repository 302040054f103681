"""Signing in and out: the development sign-in (a demo user, when the settings allow it),
Discord's OAuth2 (authorization code with ``state`` and PKCE, scope ``identify``, through
Authlib) and sign-out. A sign-in starts a server-side session
(:mod:`sprocket.identity.sessions`) whose secret the browser keeps in a signed cookie; a
Discord sign-in also copies the person's avatar into our storage
(:mod:`sprocket.identity.avatars`).

A sign-in started with ``?next=<address on this site>`` (``/sign-in``, ``/sign-in/discord``,
the development form's ``next`` field) ends there instead of the home page: every page that
needs a signed-in viewer (``/me``, ``/inbox``, the staff pages, a game account link started
from Discord's ``/link``...) sends a stranger's browser to :func:`sign_in_start` with
``next`` set (:func:`sprocket.web.pages.sign_in_first`), and so back. Any other ``next``
ends on the home page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Form, Query
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sprocket import demo
from sprocket.config import Settings
from sprocket.errors import DomainError, InvalidInput, PermissionDenied
from sprocket.http.sessions import SESSION_KEY, SessionCookies
from sprocket.identity import avatars, sessions
from sprocket.identity.errors import IdentityCode
from sprocket.identity.oauth_client import AsyncOAuth2Client
from sprocket.runtime import Runtime
from sprocket.web.pages import WebRoute, render
from sprocket.web.params import local_path

#: The cookie tying Discord's answer to the browser that started the sign-in, and how long
#: a started sign-in may take.
STATE_COOKIE = "sprocket_oauth_state"
STATE_SECONDS = 600
CALLBACK = "/sign-in/discord/callback"


class SignInRefused(DomainError):
    code = IdentityCode.SIGN_IN_REFUSED


def _refused(message: str) -> SignInRefused:
    return SignInRefused(message)


def sign_in_start(settings: Settings) -> str:
    """Where a stranger opening a page that needs a signed-in viewer is sent (with
    ``?next=``): Discord's sign-in when it is this server's only way in (configured, and no
    development sign-in), else ``/sign-in``, the page offering each way."""
    if settings.discord_sign_in and not settings.dev_sign_in_active:
        return "/sign-in/discord"
    return "/sign-in"


def auth_router(runtime: Runtime, settings: Settings, cookies: SessionCookies) -> APIRouter:
    """``/sign-in`` (the ways to sign in), ``/sign-in/dev``, ``/sign-in/discord`` and its
    callback, ``/sign-out``."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    lifetime = dt.timedelta(hours=settings.session_hours)
    states = URLSafeSerializer(settings.resolved_secret_key, salt="sprocket-oauth-state")
    api = settings.discord_api_url.rstrip("/")

    def signed_in(secret: str, next_path: str) -> Response:
        response = RedirectResponse(local_path(next_path), status_code=303)
        cookies.give(response, secret)
        return response

    def oauth_client(request: Request) -> AsyncOAuth2Client:
        base = (settings.public_url or str(request.base_url)).rstrip("/")
        return AsyncOAuth2Client(
            client_id=settings.discord_client_id,
            client_secret=settings.discord_client_secret,
            scope="identify",
            redirect_uri=base + CALLBACK,
            code_challenge_method="S256",
            timeout=10,
        )

    @router.get("/sign-in")
    async def sign_in(request: Request, next_path: str = Query("/", alias="next")) -> Response:
        back = local_path(next_path)
        choices: list[tuple[int, str]] = []
        if settings.dev_sign_in_active:
            async with runtime.reading() as session:
                choices = await demo.sign_in_choices(session)
        return render(
            request,
            "sign_in.html",
            discord=settings.discord_sign_in,
            dev=settings.dev_sign_in_active,
            choices=choices,
            offered=demo.SIGN_IN_CHOICES,
            next=back,
            discord_href="/sign-in/discord"
            + ("" if back == "/" else "?" + urlencode({"next": back})),
        )

    @router.post("/sign-in/dev")
    async def dev_sign_in(
        user_id: int = Form(), next_path: str = Form("/", alias="next")
    ) -> Response:
        if not settings.dev_sign_in_active:
            raise PermissionDenied(
                "The development sign-in is off on this server.", code=IdentityCode.SIGN_IN_REFUSED
            )
        async with runtime.unit_of_work() as session:
            if user_id not in {uid for uid, _ in await demo.sign_in_choices(session)}:
                raise InvalidInput("Pick one of the demo organization's users.")
            _, secret = await sessions.start_session(session, user_id=user_id, lifetime=lifetime)
        return signed_in(secret, next_path)

    @router.get("/sign-in/discord")
    async def discord_start(
        request: Request, next_path: str = Query("/", alias="next")
    ) -> Response:
        if not settings.discord_sign_in:
            raise _refused("Signing in with Discord is not configured on this server.")
        verifier = generate_token(48)
        async with oauth_client(request) as client:
            url, state = client.create_authorization_url(
                f"{api}/oauth2/authorize", code_verifier=verifier
            )
        started = {"verifier": verifier, "next": local_path(next_path)}
        await runtime.cache.set(
            f"oauth-state:{state}", json.dumps(started).encode(), ttl=STATE_SECONDS
        )
        response = RedirectResponse(url, status_code=303)
        response.set_cookie(
            STATE_COOKIE,
            states.dumps(state),
            max_age=STATE_SECONDS,
            path="/sign-in/discord",
            httponly=True,
            samesite="lax",
            secure=settings.https,
        )
        return response

    @router.get(CALLBACK)
    async def discord_callback(request: Request) -> Response:
        if not settings.discord_sign_in:
            raise _refused("Signing in with Discord is not configured on this server.")
        state = request.query_params.get("state", "")
        code = request.query_params.get("code", "")
        started = _started_state(states, request.cookies.get(STATE_COOKIE))
        if not state or started is None or state != started:
            raise _refused(
                "This answer from Discord does not belong to a sign-in this browser started; "
                "nothing was changed. Sign in again."
            )
        key = f"oauth-state:{state}"
        remembered = await runtime.cache.get(key)
        await runtime.cache.delete(key)  # an answer counts once
        if remembered is None:
            raise _refused(
                "This sign-in was already used, or took longer than ten minutes; sign in again."
            )
        if not code:
            reason = request.query_params.get("error_description") or "no code was given"
            raise _refused(f"Discord did not sign you in ({reason}).")
        begun = json.loads(remembered)
        identity = await _discord_identity(oauth_client(request), api, code, begun["verifier"])
        discord_id = str(identity.get("id", ""))
        avatar = identity.get("avatar")
        image = None
        if isinstance(avatar, str) and avatar:
            image = await avatars.fetch_discord_avatar(
                cdn_url=settings.discord_cdn_url,
                discord_id=discord_id,
                avatar=avatar,
                max_bytes=settings.avatar_max_bytes,
            )
        async with runtime.unit_of_work() as session:
            user, secret = await sessions.sign_in_with_discord(
                session,
                discord_id=discord_id,
                username=str(identity.get("username") or "discord user"),
                global_name=identity.get("global_name"),
                lifetime=lifetime,
            )
            if image is not None:
                await avatars.store_avatar(
                    session,
                    runtime.storage,
                    user=user,
                    image=image,
                    max_bytes=settings.avatar_max_bytes,
                )
            elif not avatar:  # their Discord account has no avatar (any more)
                await avatars.remove_avatar(session, runtime.storage, user=user)
        response = signed_in(secret, begun["next"])
        response.delete_cookie(STATE_COOKIE, path="/sign-in/discord")
        return response

    @router.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        secret = request.scope.get(SESSION_KEY)
        if secret:
            async with runtime.unit_of_work() as session:
                await sessions.end_session(session, secret=secret)
        response = RedirectResponse("/", status_code=303)
        cookies.take_back(response)
        return response

    return router


def _started_state(states: URLSafeSerializer, cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        value = states.loads(cookie)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


async def _discord_identity(
    client: AsyncOAuth2Client, api: str, code: str, verifier: str
) -> dict[str, Any]:
    """Trade the code for a token, then read who signed in (``/users/@me``)."""
    try:
        async with client:
            await client.fetch_token(f"{api}/oauth2/token", code=code, code_verifier=verifier)
            answer = await client.get(f"{api}/users/@me")
            answer.raise_for_status()
            identity = answer.json()
    except OAuthError as error:
        raise _refused(f"Discord refused the sign-in ({error.error}).") from error
    except (httpx.HTTPError, ValueError) as error:
        raise _refused("Discord did not answer as expected; try again in a moment.") from error
    if not isinstance(identity, dict) or not identity.get("id"):
        raise _refused("Discord did not say who signed in; try again in a moment.")
    return identity
