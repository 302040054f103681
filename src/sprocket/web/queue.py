"""``/queue``: the matchmaking queue of an organization: how many wait in each queue (counts,
no names), and for a signed-in member their place in line, entering and leaving;
``/queue/events``: that page's live part as server-sent events.

Entering and leaving call the services the GraphQL door calls (:mod:`sprocket.api.scrim_queue`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.errors import Conflict, InvalidInput, NotFound
from sprocket.identity.access import Actor, require_user
from sprocket.league import service as league
from sprocket.runtime import Runtime
from sprocket.scrims import matchmaking, overview
from sprocket.scrims.enums import TicketStatus
from sprocket.web.forms import field_for, read_form, see_other
from sprocket.web.live import render_part, stream
from sprocket.web.pages import WebRoute, render, status_of, viewer
from sprocket.web.params import form_int
from sprocket.web.scrims import (
    FIELDS,
    NO_ERROR,
    WAIT_MINUTES,
    chosen_organization,
    kind_of,
    organization_of,
    wait_of,
)


def queue_router(runtime: Runtime) -> APIRouter:
    """``/queue`` (``?organization=`` its id, the first by default), its two forms
    (``/queue/enter``, ``/queue/leave``) and ``/queue/events``."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def queue_values(actor: Actor, raw_org: str | None) -> dict[str, Any]:
        async with runtime.reading() as session:
            org, organizations = await chosen_organization(session, raw_org)
            if org is None:
                return {"organization": None, **NO_ERROR}
            lines = await overview.queue_lines(session, organization_id=org.id)
            state = await overview.player_state(session, actor=actor, organization_id=org.id)
        return {
            "organization": org,
            "organizations": organizations,
            "lines": lines,
            "state": state,
            "game_modes": league.GAME_MODES,
            "wait_minutes": WAIT_MINUTES,
            **NO_ERROR,
        }

    async def queue_page(
        request: Request, raw_org: str | None, status: int = 200, **extra: Any
    ) -> Response:
        values = await queue_values(viewer(request), raw_org)
        return render(request, "queue.html", status=status, **{**values, **extra})

    @router.get("/queue")
    async def queue(request: Request) -> Response:
        return await queue_page(request, request.query_params.get("organization"))

    @router.get("/queue/events")
    async def queue_events(request: Request) -> Response:
        raw_org = request.query_params.get("organization")
        async with runtime.reading() as session:
            org, _ = await chosen_organization(session, raw_org)  # an unknown one: 404
            if org is None:
                raise NotFound("There is no organization yet, so no queue.")
            state = await overview.player_state(
                session, actor=viewer(request), organization_id=org.id
            )
            channels = await overview.queue_channels(
                session,
                organization_id=org.id,
                member_id=state.member.id if state is not None else None,
            )

        async def part(actor: Actor) -> str:
            values = await queue_values(actor, raw_org)
            return render_part(request, "queue.html", "live", actor, **values)

        return stream(runtime, request, channels, part)

    @router.post("/queue/enter")
    async def enter(request: Request) -> Response:
        form = await read_form(request)
        who = viewer(request)
        try:
            try:
                org_id = organization_of(form)
                arguments = {
                    "game_mode": form.get("game_mode", ""),
                    "wait_until": wait_of(form),
                    "competitive": kind_of(form),
                    "skill_group_id": form_int(form.get("skill_group"), "skill group", minimum=1),
                }
            except InvalidInput:
                require_user(who)  # who may act is answered first
                raise
            async with runtime.unit_of_work() as session:
                ticket = await matchmaking.enter_queue(
                    session, actor=who, organization_id=org_id, **arguments
                )
        except (InvalidInput, Conflict) as error:
            return await queue_page(
                request,
                form.get("organization"),
                status=status_of(error),
                error=error,
                field=field_for(error, FIELDS),
                form=form,
            )
        if ticket.status == TicketStatus.PLACED and ticket.scrim_id is not None:
            return see_other(
                request,
                f"/scrims/{ticket.scrim_id}",
                "A lobby formed at once: check in before the window closes.",
            )
        return see_other(request, f"/queue?organization={org_id}", "You are waiting in the queue.")

    @router.post("/queue/leave")
    async def leave(request: Request) -> Response:
        form = await read_form(request)
        who = viewer(request)
        try:
            try:
                org_id = organization_of(form)
            except InvalidInput:
                require_user(who)
                raise
            async with runtime.unit_of_work() as session:
                await matchmaking.leave_queue(session, actor=who, organization_id=org_id)
        except (InvalidInput, Conflict) as error:
            return await queue_page(
                request, form.get("organization"), status=status_of(error), error=error
            )
        return see_other(request, f"/queue?organization={org_id}", "You left the queue.")

    return router
