"""``/staff``: the league staff's area. ``/staff`` lists the organizations the viewer is
staff of; ``/staff/{slug}`` is one organization's hub (named by its slug, as every staff
page's address is: :func:`~sprocket.web.staff_forms.organization_in_path`), linking each
staff page (configuration, league structure, schedules, submissions, scrims, analytics,
people).
Every staff page checks who may act through the domain's access rules before anything else."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.identity.access import require_user
from sprocket.league import access
from sprocket.league import service as league
from sprocket.runtime import Runtime
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.staff_forms import organization_in_path, staff_organization

#: The staff pages of one organization: (path under /staff/{slug}, title, what it is for).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("configuration", "Configuration", "The organization's settings and time zone."),
    (
        "league",
        "Leagues and rosters",
        "Leagues, seasons, skill groups, franchises, teams, rosters.",
    ),
    ("schedules", "Schedules", "Generate, import and export schedules; reschedule; forfeit."),
    ("submissions", "Submissions", "Waiting, rejected, disputed, stuck; account claims."),
    ("scrims", "Scrims and queue", "Lock, unlock and cancel scrims; queue bans."),
    ("analytics", "League health", "Activity, punctuality and waiting times, as charts."),
    ("people", "People", "Members, their sign-in sessions."),
    ("notifications", "Notifications", "Discord channels and roles per purpose; announcements."),
)


def staff_router(runtime: Runtime) -> APIRouter:
    """``/staff`` and ``/staff/{organization's slug}`` (its old number moves there)."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/staff")
    async def staff_home(request: Request) -> Response:
        who = viewer(request)
        require_user(who)
        async with runtime.reading() as session:
            organizations = (await league.organizations(session, first=100)).rows
            mine = await access.staff_organizations(session, who, [o.id for o in organizations])
        return render(
            request,
            "staff/index.html",
            organizations=[org for org in organizations if org.id in mine],
        )

    @router.get("/staff/{slug}")
    async def staff_hub(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        async with runtime.reading() as session:
            org = await staff_organization(session, viewer(request), org_id)
        return render(request, "staff/hub.html", organization=org, sections=SECTIONS)

    return router
