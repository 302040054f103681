"""Helpers of the staff pages' tests: the World's people signed in through the development
sign-in, forms posted with the page's CSRF token, and nothing-changed checks; for the league
staff's pages, a small league in the demo organization built through the services."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from sprocket.db import utcnow
from sprocket.league import members, rosters
from sprocket.league import service as league
from sprocket.league.models import Member
from sprocket.runtime import Runtime
from tests.helpers.database import snapshot
from tests.league_world import World
from tests.web.conftest import Demo, Web, csrf_of, signed_in

#: The World's people the tests sign in as.
SIGNING_IN = ("league_staff", "organization_admin", "player", "team_captain", "outsider")


async def let_sign_in(platform: Runtime, world: World, demo: Demo) -> None:
    """Make the World's people (:data:`SIGNING_IN`) members of the demo organization too,
    so that the development sign-in (which offers the demo organization's people) takes
    them; what they may do in the World's organization is unchanged."""
    async with platform.unit_of_work() as s:
        for role in SIGNING_IN:
            await members.add_member(
                s,
                actor=demo.admin,
                organization_id=demo.organization_id,
                user_id=world.user_ids[role],
            )


@asynccontextmanager
async def client_as(web: Web, user_id: int | None) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as ``user_id`` (the spectator for None)."""
    async with web(dev_sign_in=True) as client:
        if user_id is not None:
            answer = await signed_in(client, user_id)
            assert answer.status_code == 303, answer.text
        yield client


async def post_from(
    client: httpx.AsyncClient,
    page: str,
    action: str,
    data: dict[str, str] | None = None,
    *,
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    """Post ``data`` (and ``files``, as a file-upload form) to ``action`` with the CSRF token
    of a form of ``page`` (a page that has a form: the staff page itself, or the sign-in
    page for a spectator)."""
    shown = await client.get(page)
    assert 'name="csrftoken"' in shown.text, (page, shown.status_code)
    return await client.post(
        action, data={"csrftoken": csrf_of(shown.text), **(data or {})}, files=files
    )


async def refused_unchanged(
    platform: Runtime, client: httpx.AsyncClient, action: str, data: dict[str, str], status: int
) -> httpx.Response:
    """Post to ``action`` (with the sign-in page's valid CSRF token): answered with
    ``status`` and an error page or message, and no row of any table changed."""
    before = await snapshot(platform)
    answer = await post_from(client, "/sign-in", action, data)
    assert answer.status_code == status, (answer.status_code, answer.text[:2000])
    assert "Traceback" not in answer.text
    assert await snapshot(platform) == before
    return answer


def error_beside(page: str, field_id: str) -> str:
    """The error sentence shown beside the field ``field_id`` (its aria-describedby)."""
    assert f'id="{field_id}"' in page
    assert re.search(
        rf'id="{field_id}"[^>]*aria-invalid="true" aria-describedby="{field_id}-error"', page
    ), page
    found = re.search(
        rf'<span id="{field_id}-error" class="error" role="alert">([^<]*)</span>', page
    )
    assert found, page
    return found.group(1)


# -- the league staff's pages (configuration, league structure, schedules) -------------

#: Tables a request may touch without changing anything of the league (the web session's
#: last use).
BOOKKEEPING = {"web_sessions"}


@dataclass
class Little:
    """A doubles league of the demo organization: season 1 (running: from a whole minute 10
    days ago, for 70 days), skill group Premier, teams Blue Ants and Red Foxes (and, with
    ``teams=4``, Green Owls and Gold Bees), and Ada and Bruno registered as its players (Ada
    signed to Blue Ants 5 days ago)."""

    organization_id: int
    league_id: int
    season_id: int
    group_id: int
    team_ids: dict[str, int]
    player_ids: dict[str, int]
    season_start: dt.datetime
    extra: dict[str, Any] = field(default_factory=dict)


TEAM_NAMES = ("Blue Ants", "Red Foxes", "Green Owls", "Gold Bees")


async def little_league(platform: Runtime, demo: Demo, *, teams: int = 2) -> Little:
    """Build :class:`Little` through the services, as the demo's admin."""
    admin = demo.admin
    start = (utcnow() - dt.timedelta(days=10)).replace(second=0, microsecond=0)
    async with platform.unit_of_work() as s:
        lg = await league.create_league(
            s,
            actor=admin,
            organization_id=demo.organization_id,
            name="Doubles",
            game_mode="doubles",
        )
        season = await league.create_season(
            s,
            actor=admin,
            league_id=lg.id,
            number=1,
            starts_at=start,
            ends_at=start + dt.timedelta(days=70),
        )
        group = await league.create_skill_group(
            s, actor=admin, league_id=lg.id, name="Premier", code="PL", ordinal=1
        )
        team_ids = {}
        for name in TEAM_NAMES[:teams]:
            team = await league.create_team(
                s, actor=admin, league_id=lg.id, name=name, skill_group_id=group.id
            )
            team_ids[name] = team.id
        people = await members.current_members(s, organization_id=demo.organization_id, first=10)
        by_name = {m.name: m for m in people}
        player_ids = {}
        for name in ("Ada", "Bruno"):
            player = await members.register_player(
                s,
                actor=admin,
                member_id=by_name[name].id,
                league_id=lg.id,
                skill_group_id=group.id,
            )
            player_ids[name] = player.id
        await rosters.add_to_roster(
            s,
            actor=admin,
            team_id=team_ids["Blue Ants"],
            player_id=player_ids["Ada"],
            season_id=season.id,
            at=start + dt.timedelta(days=5),
        )
    return Little(demo.organization_id, lg.id, season.id, group.id, team_ids, player_ids, start)


async def member_id(platform: Runtime, organization_id: int, name: str) -> int:
    async with platform.reading() as s:
        people = await members.current_members(s, organization_id=organization_id, first=10)
    return next(m.id for m in people if isinstance(m, Member) and m.name == name)


def beside(page: str, name: str) -> str | None:
    """The error sentence shown beside the field ``name`` (None: none), its input marked
    invalid and pointing at it."""
    found = re.search(
        rf'<span id="f-{re.escape(name)}-error" class="error" role="alert">(.*?)</span>',
        page,
        re.S,
    )
    if found is None:
        return None
    assert f'aria-describedby="f-{name}-error"' in page
    return html.unescape(found.group(1))


def words(page: str) -> str:
    """The words of a page's main part, tags dropped, entities read, spaces collapsed."""
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main))).strip()


async def league_rows(platform: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but :data:`BOOKKEEPING`, to show a refused request changed nothing."""
    tables = await snapshot(platform)
    return {name: rows for name, rows in tables.items() if name not in BOOKKEEPING}
