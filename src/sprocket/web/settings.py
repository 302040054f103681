"""``/settings``: a signed-in player's own settings: their display name, the time zone they
read dates and times in (:mod:`sprocket.web.clocks`), the game accounts
linked to each of their memberships (proved at Steam or Epic: :mod:`sprocket.web.linking`;
other platforms entered and confirmed later), their personal API tokens (a new token's
secret is shown once, on the page answering its creation) and their signed-in browsers.

Every form posts, then redirects with a notice; an invalid value shows the form again with
the error's sentence beside its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.config import Settings
from sprocket.db import utcnow
from sprocket.errors import Conflict, DomainError, InvalidInput
from sprocket.http.sessions import SESSION_KEY
from sprocket.identity import service as identity
from sprocket.identity import sessions
from sprocket.identity.errors import IdentityCode
from sprocket.league import accounts, linking
from sprocket.league import service as league
from sprocket.league.enums import AccountProof, AccountStatus, GamePlatform
from sprocket.league.errors import LeagueCode
from sprocket.runtime import Runtime
from sprocket.web.avatars import avatar_src
from sprocket.web.clocks import when
from sprocket.web.forms import field_of, read_form, see_other
from sprocket.web.linking import epic_client
from sprocket.web.pages import WebRoute, render, status_of, viewer
from sprocket.web.params import form_int, path_id

#: The platforms entered by hand (Steam is proved by signing in there, and so is Epic where
#: the server has an Epic application).
ENTERED = (GamePlatform.XBOX, GamePlatform.PSN, GamePlatform.SWITCH)
#: What verified a link, in words.
PROOFS = {
    AccountProof.SIGN_IN: "signed in at the platform",
    AccountProof.STAFF: "linked by league staff",
    AccountProof.CLAIM: "claimed from a replay and confirmed",
    AccountProof.LEGACY: "linked before proofs were asked",
}


def settings_router(runtime: Runtime, settings: Settings) -> APIRouter:
    """``/settings`` and its forms."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def page(request: Request, status: int = 200, **values: Any) -> Response:
        """The settings page of the viewer, with ``values`` (an error and its field, the
        form sent, a token just created)."""
        who = viewer(request)
        async with runtime.reading() as session:
            user = await identity.me(session, actor=who)
            memberships = await linking.my_memberships(session, actor=who)
            tokens = await identity.list_tokens(session, actor=who)
            browsers = await sessions.my_sessions(
                session, actor=who, current_secret=request.scope.get(SESSION_KEY)
            )
            zone = await league.person_zone(session, user_id=user.id)
            # (the organization's, which the viewer's own choice overrides on every page)
        epic = epic_client(settings) is not None
        values.setdefault("error", None)
        values.setdefault("field", None)
        values.setdefault("form", {})
        return render(
            request,
            "settings.html",
            status=status,
            user=user,
            avatar=avatar_src(user.avatar_url),
            memberships=memberships,
            tokens=tokens,
            browsers=browsers,
            now=utcnow(),
            when=when(zone),
            organization_zone=zone,
            platform_name=accounts.platform_name,
            proofs=PROOFS,
            others=sum(1 for _, current in browsers if not current),
            entered=ENTERED if epic else (*ENTERED, GamePlatform.EPIC),
            epic=epic,
            token_days=settings.token_days,
            token_max_days=settings.token_max_days,
            **values,
        )

    async def again(
        request: Request, error: DomainError, form: dict[str, str], field: str
    ) -> Response:
        """The page again, showing ``error`` beside ``field`` (unless the error names its
        own) and the values sent."""
        return await page(
            request, status_of(error), error=error, field=field_of(error) or field, form=form
        )

    @router.get("/settings")
    async def settings_page(request: Request) -> Response:
        return await page(request)

    @router.post("/settings/name")
    async def set_name(request: Request) -> Response:
        form = await read_form(request)
        try:
            async with runtime.unit_of_work() as session:
                user = await identity.set_display_name(
                    session, actor=viewer(request), name=form.get("display_name", "")
                )
        except InvalidInput as error:
            return await again(request, error, form, "display_name")
        return see_other(request, "/settings", f"Your display name is now {user.display_name}.")

    @router.post("/settings/time-zone")
    async def set_time_zone(request: Request) -> Response:
        form = await read_form(request)
        try:
            async with runtime.unit_of_work() as session:
                user = await identity.set_time_zone(
                    session, actor=viewer(request), zone=form.get("time_zone", "")
                )
        except InvalidInput as error:
            return await again(request, error, form, "time_zone")
        if user.time_zone is None:
            done = "Dates and times now follow each organization's time zone."
        else:
            done = f"Dates and times are now written in {user.time_zone}."
        return see_other(request, "/settings", done)

    @router.post("/settings/tokens")
    async def create_token(request: Request) -> Response:
        form = await read_form(request)
        try:
            days = form_int(form.get("days"), "lifetime in days", minimum=1)
            async with runtime.unit_of_work() as session:
                row, secret = await identity.issue_token(
                    session,
                    actor=viewer(request),
                    name=form.get("token_name", ""),
                    days=settings.token_days if days is None else days,
                    max_days=settings.token_max_days,
                )
        except InvalidInput as error:
            field = "token_name" if error.code == IdentityCode.INVALID_NAME else "days"
            return await again(request, error, form, field)
        # The only time the secret is shown: this answer, never a page to come back to.
        return await page(request, created=row, secret=secret)

    @router.post("/settings/tokens/{token_id}/revoke")
    async def revoke_token(request: Request, token_id: str) -> Response:
        async with runtime.unit_of_work() as session:
            row = await identity.revoke_token(
                session, actor=viewer(request), token_id=path_id(token_id, "token")
            )
        return see_other(
            request,
            "/settings#tokens",
            f"The token {row.name} is revoked, with every token created with it.",
        )

    @router.post("/settings/accounts")
    async def enter_account(request: Request) -> Response:
        form = await read_form(request)
        member_id = path_id(form.get("member_id", ""), "membership")
        try:
            async with runtime.unit_of_work() as session:
                row = await accounts.link_platform_account(
                    session,
                    actor=viewer(request),
                    member_id=member_id,
                    platform=form.get("platform", ""),
                    account_id=form.get("account_id", ""),
                )
        except (InvalidInput, Conflict) as error:
            field = "platform" if error.code == LeagueCode.INVALID_PLATFORM else "account_id"
            return await again(request, error, form, field)
        state = "waits for a proof" if row.status == AccountStatus.PENDING else "is verified"
        name = accounts.platform_name(row.platform)
        return see_other(
            request, "/settings#accounts", f"Your {name} account {row.account_id} {state}."
        )

    @router.post("/settings/accounts/{account_id}/unlink")
    async def unlink_account(request: Request, account_id: str) -> Response:
        async with runtime.unit_of_work() as session:
            await accounts.unlink_platform_account(
                session, actor=viewer(request), account_id=path_id(account_id, "account")
            )
        return see_other(request, "/settings#accounts", "The account is no longer linked.")

    @router.post("/settings/sessions/end-others")
    async def end_others(request: Request) -> Response:
        async with runtime.unit_of_work() as session:
            ended = await sessions.end_other_sessions(
                session,
                actor=viewer(request),
                keep_secret=request.scope.get(SESSION_KEY) or "",
            )
        sentence = "1 other session" if ended == 1 else f"{ended} other sessions"
        return see_other(request, "/settings#sessions", f"Signed out: {sentence} ended.")

    return router
