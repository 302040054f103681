"""The league staff's schedule pages, through the schedule domain's services (as the GraphQL
door uses them):

- ``/staff/{slug}/schedules``: every league's seasons;
- ``/staff/{slug}/seasons/{season}``: a season's match weeks (add more), a round
  robin to generate, a CSV file to import (all or nothing; every problem listed with its
  line number), the schedule as a CSV download, and its matches by week;

A match's own page is :mod:`sprocket.web.staff_matches`'.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
from itertools import groupby

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import children_of
from sprocket.errors import DomainError, NotFound
from sprocket.identity.access import Actor
from sprocket.league import service as league
from sprocket.league.errors import LeagueCode
from sprocket.league.models import League, Season
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.schedule.csv_io import ScheduleImportError
from sprocket.schedule.errors import ScheduleCode
from sprocket.text import plural
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import path_id
from sprocket.web.staff_forms import (
    Fields,
    Form,
    attempt,
    beside,
    choice,
    moment,
    organization_in_path,
    staff_organization,
    text,
    whole,
)

_UNSAFE = re.compile(r"[^a-z0-9]+")

#: A form of a season's page: acts on the season (its organization's time zone given, for
#: the dates of the form) through a service, and says what happened.
SeasonWork = Callable[[AsyncSession, Actor, Form, Season, str], Awaitable[str]]


async def season_of(session: AsyncSession, org_id: int, season_id: int) -> tuple[Season, League]:
    """The season ``season_id`` of the organization ``org_id``, with its league. Raises
    NOT_FOUND (none, or another organization's)."""
    season, lg = await league.season_by_id(session, season_id=season_id)
    if lg.organization_id != org_id:
        raise NotFound(f"There is no season with id {season_id}.")
    return season, lg


def file_name(lg: League, season: Season) -> str:
    """The download's file name: ``<league>-<season>-schedule.csv`` in lowercase letters,
    digits and dashes."""
    stem = _UNSAFE.sub("-", f"{lg.name} {season.name} schedule".lower()).strip("-")
    return f"{stem or 'schedule'}.csv"


async def uploaded_text(request: Request, name: str) -> str:
    """The text of the file posted in field ``name`` (UTF-8, up to the import's limit and a
    byte more, so that the service refuses a larger file). Raises INVALID_INPUT beside the
    field: no file chosen, not UTF-8 text."""
    upload = (await request.form()).get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise beside(name, "Choose a CSV file to import.")
    raw = await upload.read(schedule.MAX_CSV_BYTES + 1)
    if len(raw) > schedule.MAX_CSV_BYTES:
        return raw.decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise beside(name, "The file is not UTF-8 text; save it as CSV (UTF-8).") from None


def schedules_router(runtime: Runtime) -> APIRouter:
    """The schedules' index, a season's schedule page, a match's page and their forms."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/staff/{slug}/schedules")
    async def schedules_page(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        async with runtime.reading() as session:
            org = await staff_organization(session, viewer(request), org_id)
            leagues = (
                await children_of(session, League.organization_id, [org_id], League.name)
            ).get(org_id, [])
            seasons = await children_of(
                session, Season.league_id, [lg.id for lg in leagues], Season.number
            )
        return render(
            request,
            "staff/schedules.html",
            organization=org,
            leagues=[(lg, seasons.get(lg.id, [])) for lg in leagues],
            when=when(org.time_zone),
        )

    async def show_season(
        request: Request,
        org_id: int,
        season_id: int,
        *,
        status: int = 200,
        error: DomainError | None = None,
        field: str | None = None,
        form: Form | None = None,
        failed: str | None = None,
    ) -> Response:
        async with runtime.reading() as session:
            org = await staff_organization(session, viewer(request), org_id)
            season, lg = await season_of(session, org_id, season_id)
            weeks = await schedule.match_weeks(session, season_id=season.id)
            groups = await league.league_skill_groups(session, league_id=lg.id)
            lines = await overview.season_schedule(session, season_id=season.id)
        return render(
            request,
            "staff/season.html",
            status=status,
            organization=org,
            season=season,
            league=lg,
            weeks=weeks,
            group_options=[(g.id, g.name) for g in groups],
            schedule=[(week, list(matches)) for week, matches in groupby(lines, lambda m: m.week)],
            problems=error.problems if isinstance(error, ScheduleImportError) else [],
            when=when(org.time_zone),
            error=error,
            field=field,
            form=form or {},
            failed=failed,
        )

    @router.get("/staff/{slug}/seasons/{season_id}")
    async def season_page(request: Request, slug: str, season_id: str) -> Response:
        return await show_season(
            request,
            await organization_in_path(runtime, request, slug),
            path_id(season_id, "season"),
        )

    @router.get("/staff/{slug}/seasons/{season_id}/schedule.csv")
    async def export(request: Request, slug: str, season_id: str) -> Response:
        org_id, ident = (
            await organization_in_path(runtime, request, slug),
            path_id(season_id, "season"),
        )
        async with runtime.reading() as session:
            await staff_organization(session, viewer(request), org_id)
            season, lg = await season_of(session, org_id, ident)
            body = await schedule.export_schedule_csv(session, season_id=season.id)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{file_name(lg, season)}"',
                "Cache-Control": "private, no-store",
            },
        )

    async def on_season(
        request: Request,
        slug: str,
        season_id: str,
        work: SeasonWork,
        failed: str,
        fields: Fields,
    ) -> Response:
        """A form of a season's page: ``work`` acts on the season (of this organization)."""
        org_id, ident = (
            await organization_in_path(runtime, request, slug),
            path_id(season_id, "season"),
        )

        async def scoped(session: AsyncSession, who: Actor, form: Form) -> tuple[str, str]:
            season, lg = await season_of(session, org_id, ident)
            zone = await league.organization_zone(session, org_id)
            notice = await work(session, who, form, season, zone)
            return f"/staff/{slug}/seasons/{season.id}", notice

        return await attempt(
            runtime,
            request,
            org_id,
            scoped,
            again=partial(show_season, request, org_id, ident),
            failed=failed,
            fields=fields,
        )

    @router.post("/staff/{slug}/seasons/{season_id}/weeks")
    async def add_weeks(request: Request, slug: str, season_id: str) -> Response:
        async def work(
            session: AsyncSession, who: Actor, form: Form, season: Season, zone: str
        ) -> str:
            count = whole(form, "weeks_count", "number of weeks")
            if count is None:
                raise beside("weeks_count", "Give the number of weeks to add.")
            weeks = await schedule.create_match_weeks(
                session,
                actor=who,
                season_id=season.id,
                count=count,
                days=whole(form, "weeks_days", "length of a week") or 7,
                first_starts_at=moment(form, "weeks_first", "first week's start", zone),
            )
            return f"Added {plural(len(weeks), 'match week')} to {season.name}."

        return await on_season(
            request,
            slug,
            season_id,
            work,
            "weeks",
            {ScheduleCode.INVALID_MATCH_WEEKS: "weeks_count"},
        )

    @router.post("/staff/{slug}/seasons/{season_id}/generate")
    async def generate(request: Request, slug: str, season_id: str) -> Response:
        async def work(
            session: AsyncSession, who: Actor, form: Form, season: Season, zone: str
        ) -> str:
            created = await schedule.generate_schedule(
                session,
                actor=who,
                season_id=season.id,
                skill_group_id=choice(form, "generate_group", "skill group"),
                double=text(form, "generate_double") == "yes",
                match_format=text(form, "generate_format") or None,
            )
            return f"Generated a round robin of {plural(len(created), 'match', 'matches')}."

        return await on_season(
            request,
            slug,
            season_id,
            work,
            "generate",
            {
                LeagueCode.INVALID_MATCH_FORMAT: "generate_format",
                LeagueCode.WRONG_LEAGUE: "generate_group",
            },
        )

    @router.post("/staff/{slug}/seasons/{season_id}/import")
    async def import_csv(request: Request, slug: str, season_id: str) -> Response:
        async def work(
            session: AsyncSession, who: Actor, form: Form, season: Season, zone: str
        ) -> str:
            created = await schedule.import_schedule_csv(
                session,
                actor=who,
                season_id=season.id,
                text=await uploaded_text(request, "import_file"),
                allow_twice_in_week=text(form, "import_twice") == "yes",
            )
            return f"Imported {plural(len(created), 'match', 'matches')} into {season.name}."

        return await on_season(
            request,
            slug,
            season_id,
            work,
            "import",
            {
                ScheduleCode.SCHEDULE_CSV_INVALID: "import_file",
                ScheduleCode.FILE_TOO_LARGE: "import_file",
            },
        )

    return router
