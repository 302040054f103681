"""What the tests of the league staff's pages share: a small league in the demo organization
(built through the services), posting a page's form with its CSRF token, and reading the
error beside a field."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from sprocket.db import utcnow
from sprocket.league import members, rosters
from sprocket.league import service as league
from sprocket.league.models import Member
from sprocket.runtime import Runtime
from tests.helpers.database import snapshot
from tests.web.conftest import Demo, csrf_of

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


async def post_form(
    client: httpx.AsyncClient,
    page: str,
    action: str,
    data: dict[str, str],
    *,
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    """Open ``page`` (for its CSRF token, from any of its forms) and post ``data`` to
    ``action`` as its form would."""
    opened = await client.get(page)
    return await client.post(action, data={"csrftoken": csrf_of(opened.text), **data}, files=files)


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
