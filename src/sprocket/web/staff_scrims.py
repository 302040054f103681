"""``/staff/{slug}/scrims``: scrim administration. The organization's unfinished
scrims with lock, unlock and cancel (with a reason), the queue bans in force with lifting
them, and a form to ban a member from the queue (how long, why). Every action goes through
the scrims' services (:mod:`sprocket.scrims.staff`, :mod:`sprocket.scrims.bans`), which
check who may act first; each is written to the audit trail the page shows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.errors import NotFound
from sprocket.runtime import Runtime
from sprocket.scrims import administration, bans, staff
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import path_id
from sprocket.web.staff_forms import (
    NO_FAILURE,
    Action,
    chosen_id,
    organization_in_path,
    organization_of,
    staff_form,
)


def staff_scrims_router(runtime: Runtime) -> APIRouter:
    """The scrim administration page and its forms."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def scrims_page(
        request: Request, org_id: int, *, status: int = 200, **failure: Any
    ) -> Response:
        who = viewer(request)
        async with runtime.reading() as session:
            page = await administration.scrim_administration(
                session, actor=who, organization_id=org_id
            )
            org = await organization_of(session, org_id)
        return render(
            request,
            "staff/scrims.html",
            status=status,
            organization=org,
            page=page,
            when=when(org.time_zone),
            max_minutes=bans.MAX_BAN_MINUTES,
            **(NO_FAILURE | failure),
        )

    async def scrims_form(
        request: Request, slug: str, org_id: int, act: Action, failed: str, anchor: str
    ) -> Response:
        async def show(**failure: Any) -> Response:
            return await scrims_page(request, org_id, **failure)

        url = f"/staff/{slug}/scrims#{anchor}"
        return await staff_form(
            request, runtime, org_id, act=act, done=url, show=show, failed=failed
        )

    @router.get("/staff/{slug}/scrims")
    async def scrims(request: Request, slug: str) -> Response:
        return await scrims_page(request, await organization_in_path(runtime, request, slug))

    @router.post("/staff/{slug}/scrims/{scrim_id}/{change}")
    async def change_scrim(request: Request, slug: str, scrim_id: str, change: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        ident = path_id(scrim_id, "scrim")
        if change not in ("lock", "unlock", "cancel"):
            raise NotFound("There is no such page.")

        async def act(session: AsyncSession, form: dict[str, str]) -> str:
            who = viewer(request)
            if change == "lock":
                await staff.lock_scrim(session, actor=who, scrim_id=ident)
                return f"Scrim {ident} is locked: nobody joins, it neither pops nor finishes."
            if change == "unlock":
                await staff.unlock_scrim(session, actor=who, scrim_id=ident)
                return f"Scrim {ident} is unlocked."
            await staff.cancel_scrim(
                session, actor=who, scrim_id=ident, reason=form.get("reason", "")
            )
            return f"Scrim {ident} is cancelled; its players are free again."

        return await scrims_form(request, slug, org_id, act, f"{change}-{ident}", "scrims")

    @router.post("/staff/{slug}/queue-bans")
    async def ban(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def act(session: AsyncSession, form: dict[str, str]) -> str:
            row = await bans.ban_from_queue(
                session,
                actor=viewer(request),
                organization_id=org_id,
                member_id=chosen_id(form.get("member")),
                minutes=chosen_id(form.get("minutes")),
                reason=form.get("reason", ""),
            )
            minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
            return f"Banned from the scrim queue for {minutes} minutes."

        return await scrims_form(request, slug, org_id, act, "ban", "bans")

    @router.post("/staff/{slug}/queue-bans/{ban_id}/lift")
    async def lift(request: Request, slug: str, ban_id: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        ident = path_id(ban_id, "queue ban")

        async def act(session: AsyncSession, _form: dict[str, str]) -> str:
            await bans.lift_ban(session, actor=viewer(request), ban_id=ident)
            return "The queue ban is lifted."

        return await scrims_form(request, slug, org_id, act, f"lift-{ident}", "bans")

    return router
