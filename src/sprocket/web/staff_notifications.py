"""``/staff/{slug}/notifications``: where the organization's notifications go on
Discord (a channel or a webhook, and the role mentioned, for each purpose: announcements,
results, transactions, staff alerts, each skill group's scrims, each team and franchise),
and the staff's announcements (written once: posted to the announcements channel and shown
on the home page). Every change goes through the notifications' services, which check who
may act first and write the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.notifications import announcements, channels
from sprocket.runtime import Runtime
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.staff_forms import (
    NO_FAILURE,
    Action,
    organization_in_path,
    organization_of,
    staff_form,
)


def place_of(value: str) -> tuple[str, int | None]:
    """The purpose and scope a "where" option holds (``team:5``, ``results:0``): the
    service judges them."""
    purpose, _, scope = value.partition(":")
    return purpose, int(scope) if scope.isascii() and scope.isdigit() and len(scope) < 10 else None


def shown_webhook(url: str | None) -> str:
    """A webhook's address as the page shows it: its id, never its token (a secret)."""
    if not url:
        return ""
    head, _, _token = url.rpartition("/")
    return f"{head}/…"


def staff_notifications_router(runtime: Runtime) -> APIRouter:
    """The notification channels and announcements page, and its forms."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def page(request: Request, org_id: int, *, status: int = 200, **failure: Any) -> Response:
        who = viewer(request)
        async with runtime.reading() as session:
            rows = await channels.organization_channels(session, actor=who, organization_id=org_id)
            places = await channels.channel_places(session, actor=who, organization_id=org_id)
            org = await organization_of(session, org_id)
            latest = await announcements.recent_announcements(
                session, organization_ids=[org_id], per_organization=10
            )
        names = {(p.purpose, p.scope_id): name for p, name in places}
        return render(
            request,
            "staff/notifications.html",
            status=status,
            organization=org,
            channels=[(row, names.get((row.purpose, row.scope_id), row.purpose)) for row in rows],
            places=[(f"{p.purpose}:{p.scope_id}", name) for p, name in places],
            announcements=latest.get(org_id, []),
            shown_webhook=shown_webhook,
            when=when(org.time_zone),
            **(NO_FAILURE | failure),
        )

    async def form(request: Request, slug: str, org_id: int, act: Action, failed: str) -> Response:
        async def show(**failure: Any) -> Response:
            return await page(request, org_id, **failure)

        return await staff_form(
            request,
            runtime,
            org_id,
            act=act,
            done=f"/staff/{slug}/notifications#{failed}",
            show=show,
            failed=failed,
        )

    @router.get("/staff/{slug}/notifications")
    async def notifications(request: Request, slug: str) -> Response:
        return await page(request, await organization_in_path(runtime, request, slug))

    @router.post("/staff/{slug}/notifications/channels")
    async def set_channel(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def act(session: AsyncSession, posted: dict[str, str]) -> str:
            purpose, scope = place_of(posted.get("place", ""))
            await channels.set_channel(
                session,
                actor=viewer(request),
                organization_id=org_id,
                purpose=purpose,
                scope_id=scope,
                channel_id=posted.get("channel_id"),
                webhook_url=posted.get("webhook_url"),
                role_id=posted.get("role_id"),
            )
            return "The channel is set."

        return await form(request, slug, org_id, act, "channels")

    @router.post("/staff/{slug}/notifications/channels/remove")
    async def remove_channel(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def act(session: AsyncSession, posted: dict[str, str]) -> str:
            purpose, scope = place_of(posted.get("place", ""))
            await channels.remove_channel(
                session,
                actor=viewer(request),
                organization_id=org_id,
                purpose=purpose,
                scope_id=scope,
            )
            return "The channel is removed: those notifications stay in the inboxes."

        return await form(request, slug, org_id, act, "channels")

    @router.post("/staff/{slug}/notifications/announcements")
    async def announce(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)

        async def act(session: AsyncSession, posted: dict[str, str]) -> str:
            row = await announcements.announce(
                session,
                actor=viewer(request),
                organization_id=org_id,
                title=posted.get("title", ""),
                body=posted.get("body", ""),
            )
            return f"Announced: {row.title}."

        return await form(request, slug, org_id, act, "announcements")

    return router
