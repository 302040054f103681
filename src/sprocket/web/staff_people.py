"""``/staff/{slug}/people``: the organization's members as staff see them, with
their running sign-in sessions and a button to end them (signing the member out of every
browser), through :mod:`sprocket.league.people`, which checks who may act first and writes
the audit trail the page shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.league import people
from sprocket.runtime import Runtime
from sprocket.text import plural
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import path_id
from sprocket.web.staff_forms import NO_FAILURE, organization_in_path, organization_of, staff_form


def _next_page(search: str, cursor: str | None) -> str | None:
    """The query string of the people page after ``cursor`` for the same search (None:
    there is no next page)."""
    if cursor is None:
        return None
    return "?" + urlencode({"q": search, "after": cursor} if search else {"after": cursor})


def staff_people_router(runtime: Runtime) -> APIRouter:
    """The people page and its form."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def people_page(
        request: Request, org_id: int, *, status: int = 200, **failure: Any
    ) -> Response:
        who = viewer(request)
        search = request.query_params.get("q", "").strip()[:50]
        after = request.query_params.get("after") or None
        async with runtime.reading() as session:
            page = await people.organization_people(
                session, actor=who, organization_id=org_id, name_contains=search, after=after
            )
            org = await organization_of(session, org_id)
        return render(
            request,
            "staff/people.html",
            status=status,
            organization=org,
            page=page,
            search=search,
            paged=after is not None,
            next_page=_next_page(search, page.next_cursor),
            when=when(org.time_zone),
            **(NO_FAILURE | failure),
        )

    @router.get("/staff/{slug}/people")
    async def people_list(request: Request, slug: str) -> Response:
        return await people_page(request, await organization_in_path(runtime, request, slug))

    @router.post("/staff/{slug}/people/{member_id}/end-sessions")
    async def end_sessions(request: Request, slug: str, member_id: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        ident = path_id(member_id, "member")

        async def act(session: AsyncSession, _form: dict[str, str]) -> str:
            ended = await people.end_member_sessions(
                session, actor=viewer(request), organization_id=org_id, member_id=ident
            )
            return f"Signed out everywhere: {plural(ended, 'session')} ended."

        async def show(**failure: Any) -> Response:
            return await people_page(request, org_id, **failure)

        url = f"/staff/{slug}/people"
        return await staff_form(
            request, runtime, org_id, act=act, done=url, show=show, failed=f"end-{ident}"
        )

    return router
