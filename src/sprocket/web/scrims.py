"""``/scrims``: the organizations' open scrims as a spectator may see them (seats taken of
how many and the players' skill groups, never the lobby nor who is in it), and for a
signed-in member the forms to open one; ``/scrims/{id}``: one scrim, where its players join,
leave, form a premade group, check in and, once it starts, read the lobby's name and
password; ``/scrims/{id}/events``: that page's live part as server-sent events.

Every action calls the service the GraphQL door calls (:mod:`sprocket.api.scrims`); who may
see what is :mod:`sprocket.scrims.overview`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import MAX_ID
from sprocket.errors import Conflict, InvalidInput, NotFound
from sprocket.identity.access import Actor, require_user
from sprocket.league import service as league
from sprocket.league.errors import LeagueCode
from sprocket.league.models import Organization
from sprocket.media import service as report_cards
from sprocket.runtime import Runtime
from sprocket.scrims import lifecycle, overview, service
from sprocket.scrims.errors import ScrimCode
from sprocket.web.clocks import when
from sprocket.web.forms import beside, field_for, read_form, see_other
from sprocket.web.live import render_part, stream
from sprocket.web.pages import WebRoute, render, status_of, viewer
from sprocket.web.params import form_int, path_id

#: The minutes a form offers to wait when the player says nothing else.
WAIT_MINUTES = 30

#: A week of minutes: longer than any wait the scrim services take.
LONGEST_MINUTES = 7 * 24 * 60

#: A page's form as first shown: no error, nothing posted.
NO_ERROR: dict[str, Any] = {"error": None, "field": None, "form": None}

#: The form field each scrim error concerns (shown beside it).
FIELDS: dict[str, str] = {
    ScrimCode.INVALID_WAIT: "wait_minutes",
    ScrimCode.INVALID_GAMES: "games",
    ScrimCode.INVALID_TEAM_MODE: "team_mode",
    ScrimCode.NO_SKILL_GROUP: "kind",
    LeagueCode.WRONG_SKILL_GROUP: "skill_group",
    ScrimCode.GROUP_NOT_FOUND: "group_code",
    ScrimCode.GROUP_FULL: "group_code",
}


def number(form: dict[str, str], name: str, what: str, *, default: int | None = None) -> int:
    """The whole number (at least 1) of form field ``name``, ``default`` when it is empty.
    Raises INVALID_INPUT beside the field."""
    try:
        value = form_int(form.get(name), what, minimum=1)
    except InvalidInput as error:
        raise InvalidInput(error.message, code=error.code, details={"field": name}) from None
    if value is None:
        if default is None:
            raise beside(name, f"Say the {what}.")
        return default
    return value


def wait_of(form: dict[str, str]) -> dt.timedelta:
    """How long the form's player waits (``wait_minutes``), for the service to judge; a
    number of minutes past any wait it takes is passed as a week, which it refuses too.
    Raises INVALID_INPUT beside the field (not a whole number, or below 1)."""
    minutes = number(form, "wait_minutes", "wait")
    return dt.timedelta(minutes=min(minutes, LONGEST_MINUTES))


def organization_of(form: dict[str, str]) -> int:
    """The organization id a form carries (``organization``). Raises INVALID_INPUT,
    NOT_FOUND (past any id)."""
    org_id = number(form, "organization", "organization")
    if org_id > MAX_ID:
        raise NotFound(f"There is no organization with id {org_id}.")
    return org_id


def kind_of(form: dict[str, str]) -> bool:
    """Whether the form asks for a competitive scrim or ticket (``kind``: competitive or
    casual). Raises INVALID_INPUT beside the field."""
    kind = form.get("kind", "competitive")
    if kind not in ("competitive", "casual"):
        raise beside("kind", "Choose competitive or casual.")
    return kind == "competitive"


def scrim_id_of(raw: str) -> int:
    """The scrim id of a page's address. Raises NOT_FOUND."""
    return path_id(raw, "scrim")


async def chosen_organization(
    session: AsyncSession, raw: str | None
) -> tuple[Organization | None, list[Organization]]:
    """The organization a page's ``?organization=`` names (the first one by default) and
    every organization; (None, []) when there is none. Raises NOT_FOUND, INVALID_INPUT."""
    org_id = form_int(raw, "organization", minimum=1)
    if org_id is not None and org_id > MAX_ID:
        raise NotFound("There is no such organization.")
    organizations = (await league.organizations(session, first=100)).rows
    if not organizations:
        return None, []
    if org_id is None:
        return organizations[0], organizations
    org = await league.find_organization(session, organization_id=org_id)
    if org is None:
        raise NotFound("There is no such organization.")
    return org, organizations


def scrims_router(runtime: Runtime) -> APIRouter:
    """``/scrims`` (``?organization=`` its id, the first by default; ``?mode=`` a game
    mode's code) and its forms, ``/scrims/{id}``, its forms and its live events."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def list_page(
        request: Request, raw_org: str | None, mode: str | None, status: int = 200, **extra: Any
    ) -> Response:
        who = viewer(request)
        async with runtime.reading() as session:
            org, organizations = await chosen_organization(session, raw_org)
            if org is None:
                return render(request, "scrims.html", status=status, organization=None)
            lines = await service.public_scrims(session, organization_id=org.id, game_mode=mode)
            modes = sorted(set((await league.game_mode_codes(session)).values()))
            state = await overview.player_state(session, actor=who, organization_id=org.id)
        return render(
            request,
            "scrims.html",
            status=status,
            organization=org,
            organizations=organizations,
            scrims=lines,
            modes=modes,
            mode=mode,
            waiting=sum(line.taken for line in lines if line.status == "pending"),
            state=state,
            game_modes=league.GAME_MODES,
            wait_minutes=WAIT_MINUTES,
            **{**NO_ERROR, **extra},
        )

    @router.get("/scrims")
    async def scrim_list(request: Request) -> Response:
        params = request.query_params
        return await list_page(request, params.get("organization"), params.get("mode") or None)

    @router.post("/scrims")
    async def create(request: Request) -> Response:
        form = await read_form(request)
        who = viewer(request)
        try:
            try:
                org_id = organization_of(form)
                arguments = {
                    "game_mode": form.get("game_mode", ""),
                    "wait_until": wait_of(form),
                    "competitive": kind_of(form),
                    "team_mode": form.get("team_mode", "fixed"),
                    "games": number(form, "games", "number of games", default=3),
                    "skill_group_id": form_int(form.get("skill_group"), "skill group", minimum=1),
                }
            except InvalidInput:
                require_user(who)  # who may act is answered first
                raise
            async with runtime.unit_of_work() as session:
                scrim = await lifecycle.create_scrim(
                    session, actor=who, organization_id=org_id, **arguments
                )
        except (InvalidInput, Conflict) as error:
            return await list_page(
                request,
                form.get("organization"),
                None,
                status=status_of(error),
                error=error,
                field=field_for(error, FIELDS),
                form=form,
            )
        return see_other(
            request, f"/scrims/{scrim.id}", "You opened a scrim and took its first seat."
        )

    async def scrim_values(actor: Actor, scrim_id: int) -> dict[str, Any]:
        async with runtime.reading() as session:
            view = await overview.scrim_view(session, actor=actor, scrim_id=scrim_id)
            org = await league.find_organization(
                session, organization_id=view.scrim.organization_id
            )
            assert org is not None
            state = await overview.player_state(session, actor=actor, organization_id=org.id)
            card = await report_cards.has_card(
                session, subject="scrim", subject_id=scrim_id
            ) and await report_cards.may_see_scrim_card(session, actor=actor, scrim=view.scrim)
        return {
            "view": view,
            "card": card,
            "organization": org,
            "state": state,
            "when": when(org.time_zone),
            "wait_minutes": WAIT_MINUTES,
            **NO_ERROR,
        }

    async def scrim_page(
        request: Request, scrim_id: int, status: int = 200, **extra: Any
    ) -> Response:
        values = await scrim_values(viewer(request), scrim_id)
        return render(request, "scrim.html", status=status, **{**values, **extra})

    @router.get("/scrims/{raw_id}")
    async def scrim(request: Request, raw_id: str) -> Response:
        return await scrim_page(request, scrim_id_of(raw_id))

    @router.get("/scrims/{raw_id}/events")
    async def scrim_events(request: Request, raw_id: str) -> Response:
        scrim_id = scrim_id_of(raw_id)
        async with runtime.reading() as session:
            row = await service.get_scrim(session, scrim_id=scrim_id, lock=False)
            channel = service.queue_channel(row.organization_id, row.game_mode_id)

        async def part(actor: Actor) -> str:
            values = await scrim_values(actor, scrim_id)
            return render_part(request, "scrim.html", "live", actor, **values)

        return stream(runtime, request, [channel], part)

    async def act(
        request: Request,
        raw_id: str,
        action: Callable[..., Any],
        done: Callable[[Any], str],
        *,
        parse: Callable[[dict[str, str]], dict[str, Any]] = lambda _form: {},
        then: Callable[[Any], str] | None = None,
    ) -> Response:
        """Run ``action`` (a lifecycle function taking the scrim's id) as the viewer, then
        go to the scrim's page (or to ``then(result)``) with the notice ``done(result)``; a
        refusal shows the scrim's page with its sentence beside the field it concerns."""
        scrim_id = scrim_id_of(raw_id)
        form = await read_form(request)
        who = viewer(request)
        try:
            try:
                arguments = parse(form)
            except InvalidInput:
                require_user(who)  # who may act is answered first
                raise
            async with runtime.unit_of_work() as session:
                result = await action(session, actor=who, scrim_id=scrim_id, **arguments)
        except (InvalidInput, Conflict) as error:
            return await scrim_page(
                request,
                scrim_id,
                status=status_of(error),
                error=error,
                field=field_for(error, FIELDS),
                form=form,
            )
        url = then(result) if then is not None else f"/scrims/{scrim_id}"
        return see_other(request, url, done(result))

    def join_arguments(form: dict[str, str]) -> dict[str, Any]:
        return {
            "wait_until": wait_of(form),
            "group_code": form.get("group_code") or None,
        }

    @router.post("/scrims/{raw_id}/join")
    async def join(request: Request, raw_id: str) -> Response:
        return await act(
            request,
            raw_id,
            lifecycle.join_scrim,
            lambda _scrim: "You took a seat.",
            parse=join_arguments,
        )

    @router.post("/scrims/{raw_id}/leave")
    async def leave(request: Request, raw_id: str) -> Response:
        return await act(
            request,
            raw_id,
            lifecycle.leave_scrim,
            lambda _scrim: "You left the scrim.",
            then=lambda scrim: f"/scrims?organization={scrim.organization_id}",
        )

    @router.post("/scrims/{raw_id}/group")
    async def group(request: Request, raw_id: str) -> Response:
        return await act(
            request,
            raw_id,
            lifecycle.create_group,
            lambda group: f"Your premade group's code is {group.code}: friends join with it.",
        )

    @router.post("/scrims/{raw_id}/check-in")
    async def check_in(request: Request, raw_id: str) -> Response:
        return await act(request, raw_id, lifecycle.check_in, lambda _scrim: "You checked in.")

    return router
