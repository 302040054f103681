"""``/scrims``: the organizations' open scrims as a spectator may see them: seats taken of
how many and the players' skill groups, never the lobby nor who is in it."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.errors import NotFound
from sprocket.league import service as league
from sprocket.runtime import Runtime
from sprocket.scrims import service as scrims
from sprocket.web.pages import WebRoute, render
from sprocket.web.params import form_int


def scrims_router(runtime: Runtime) -> APIRouter:
    """``/scrims``: one organization's unfinished scrims (``?organization=`` its id, the
    first organization by default; ``?mode=`` a game mode's code)."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/scrims")
    async def scrim_list(request: Request) -> Response:
        org_id = form_int(request.query_params.get("organization"), "organization", minimum=1)
        mode = request.query_params.get("mode") or None
        async with runtime.reading() as session:
            organizations = (await league.organizations(session, first=100)).rows
            if not organizations:
                return render(request, "scrims.html", organization=None)
            by_id = {org.id: org for org in organizations}
            org = by_id.get(org_id) if org_id is not None else organizations[0]
            if org is None:
                raise NotFound("There is no such organization.")
            lines = await scrims.public_scrims(session, organization_id=org.id, game_mode=mode)
            modes = sorted(set((await league.game_mode_codes(session)).values()))
        return render(
            request,
            "scrims.html",
            organization=org,
            organizations=organizations,
            scrims=lines,
            modes=modes,
            mode=mode,
            waiting=sum(line.taken for line in lines if line.status == "pending"),
        )

    return router
