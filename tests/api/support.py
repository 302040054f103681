"""Helpers of the API tests: fresh rows made through the services, and reads of the database.

Everything here goes through the same service functions as the doors do, as the platform
administrator of a :class:`~tests.league_world.World`, so tests can set up exactly the rows
an attempt needs without colliding with earlier attempts (every name and number is fresh).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import func, select

from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import accounts, members, roles, rosters
from sprocket.league import service as league
from sprocket.league.enums import Role
from sprocket.league.models import Season
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from tests.league_world import World

UTC = dt.UTC
SEASON_START = dt.datetime(2030, 1, 7, tzinfo=UTC)

# Real-looking SteamID64s (individual account, public universe) and Epic account ids.
STEAM_BASE = 76561198000000000


def steam_id(n: int) -> str:
    return str(STEAM_BASE + n)


def epic_id(n: int) -> str:
    return f"{n:032x}"


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


class Fresh:
    """Makes fresh rows in a World's league, as its platform administrator."""

    def __init__(self, platform: Runtime, world: World) -> None:
        self.platform = platform
        self.world = world
        self.root: Actor = world.actors["superuser"]
        self._numbers = itertools.count(1)

    def n(self) -> int:
        return next(self._numbers)

    # -- reads --------------------------------------------------------------------------------

    async def count(self, model: Any, *where: Any) -> int:
        async with self.platform.reading() as session:
            return int(
                await session.scalar(select(func.count()).select_from(model).where(*where)) or 0
            )

    async def scalar(self, query: Any) -> Any:
        async with self.platform.reading() as session:
            return await session.scalar(query)

    async def get(self, model: Any, ident: Any) -> Any:
        async with self.platform.reading() as session:
            return await session.get(model, ident)

    # -- writes -------------------------------------------------------------------------------

    async def _new_user(self, session: Any) -> int:
        n = self.n()
        user = await identity.ensure_user(
            session, discord_id=str(930000000000000000 + n), display_name=f"Fresh User {n}"
        )
        return user.id

    async def _new_member(
        self, session: Any, user_id: int | None = None, organization_id: int | None = None
    ) -> int:
        member = await members.add_member(
            session,
            actor=self.root,
            organization_id=organization_id or self.world.organization_id,
            user_id=user_id or await self._new_user(session),
        )
        return member.id

    async def user(self) -> int:
        async with self.platform.unit_of_work() as s:
            return await self._new_user(s)

    async def token(self, user_id: int) -> tuple[int, str]:
        async with self.platform.unit_of_work() as s:
            row, secret = await identity.issue_token(
                s, actor=Actor(user_id=user_id), name=f"fresh {self.n()}", days=30
            )
        return row.id, secret

    async def member(self, user_id: int | None = None, organization_id: int | None = None) -> int:
        async with self.platform.unit_of_work() as s:
            return await self._new_member(s, user_id, organization_id)

    async def player(self, skill_group_id: int | None = None) -> int:
        async with self.platform.unit_of_work() as s:
            player = await members.register_player(
                s,
                actor=self.root,
                member_id=await self._new_member(s),
                league_id=self.world.league_id,
                skill_group_id=skill_group_id or self.world.skill_group_ids[0],
            )
        return player.id

    async def team(
        self, *, franchise: bool = False, skill_group_id: int | None = None, name: str = ""
    ) -> int:
        async with self.platform.unit_of_work() as s:
            team = await league.create_team(
                s,
                actor=self.root,
                league_id=self.world.league_id,
                name=name or f"Fresh Team {self.n()}",
                skill_group_id=skill_group_id or self.world.skill_group_ids[0],
                franchise_id=self.world.franchise_id if franchise else None,
            )
        return team.id

    async def sign(
        self,
        team_id: int,
        player_id: int,
        *,
        captain: bool = False,
        at: dt.datetime | None = None,
    ) -> None:
        """Sign a player onto a team for the World's season (``at``: dated in the past)."""
        async with self.platform.unit_of_work() as s:
            await rosters.add_to_roster(
                s,
                actor=self.root,
                team_id=team_id,
                player_id=player_id,
                season_id=self.world.season_id,
                captain=captain,
                at=at,
            )

    async def organization(self) -> int:
        n = self.n()
        async with self.platform.unit_of_work() as s:
            org = await league.create_organization(
                s, actor=self.root, slug=f"fresh-org-{n}", name=f"Fresh Org {n}"
            )
        return org.id

    async def grant(self, user_id: int) -> int:
        async with self.platform.unit_of_work() as s:
            grant = await roles.grant_role(
                s,
                actor=self.root,
                organization_id=self.world.organization_id,
                user_id=user_id,
                role=Role.LEAGUE_STAFF,
                league_id=self.world.league_id,
            )
        return grant.id

    async def account(self, member_id: int) -> int:
        async with self.platform.unit_of_work() as s:
            account = await accounts.link_platform_account(
                s,
                actor=self.root,
                member_id=member_id,
                platform="steam",
                account_id=steam_id(500_000 + self.n()),
            )
        return account.id

    async def skill_group(self) -> int:
        n = self.n()
        async with self.platform.unit_of_work() as s:
            group = await league.create_skill_group(
                s,
                actor=self.root,
                league_id=self.world.league_id,
                name=f"Fresh Tier {n}",
                code=f"F{n}",
                ordinal=500 + n,
            )
        return group.id

    async def _new_season(self, session: Any, *, weeks: int = 0) -> int:
        season = await league.create_season(
            session,
            actor=self.root,
            league_id=self.world.league_id,
            number=500 + self.n(),
            starts_at=SEASON_START,
            ends_at=SEASON_START + dt.timedelta(weeks=20),
        )
        if weeks:
            await schedule.create_match_weeks(
                session, actor=self.root, season_id=season.id, count=weeks
            )
        return season.id

    async def season(self, *, weeks: int = 0) -> int:
        async with self.platform.unit_of_work() as s:
            return await self._new_season(s, weeks=weeks)

    async def match(self) -> int:
        """A scheduled Team 1 (home) vs Team 2 (away) match in a fresh season."""
        async with self.platform.unit_of_work() as s:
            (match,) = await schedule.import_schedule_csv(
                s, actor=self.root, season_id=await self._new_season(s), text=fixture_csv()
            )
        return match.id


def fixture_csv(
    *pairs: tuple[int, str, str], start: dt.datetime = SEASON_START, days: int = 7
) -> str:
    """A schedule file: ``(week, home, away)`` rows, each week ``days`` long."""
    rows = pairs or ((1, "Team 1", "Team 2"),)
    lines = ["week,home,away,start,end"]
    for week, home, away in rows:
        begins = start + dt.timedelta(days=days * (week - 1))
        ends = begins + dt.timedelta(days=days)
        lines.append(f"{week},{home},{away},{iso(begins)},{iso(ends)}")
    return "\n".join(lines) + "\n"


async def world_fixture_csv(platform: Runtime, world: World, *pairs: tuple[int, str, str]) -> str:
    """:func:`fixture_csv` for the World's season: each row's window an hour inside its
    match week (the World's weeks are seven days from the season's start)."""
    async with platform.reading() as session:
        season = await session.get(Season, world.season_id)
        assert season is not None
    start = season.starts_at + dt.timedelta(hours=1)
    lines = ["week,home,away,start,end"]
    for week, home, away in pairs:
        begins = start + dt.timedelta(days=7 * (week - 1))
        lines.append(f"{week},{home},{away},{iso(begins)},{iso(begins + dt.timedelta(days=6))}")
    return "\n".join(lines) + "\n"


def alias_bomb(count: int, season_id: int | str) -> str:
    """The reported attack: ``count`` aliases of a season's standings with each team's roster
    (20,000 of them make 2.3 MB; 3,000 about 350 KB)."""
    field = (
        f'standings(seasonId: "{season_id}") {{ rank points played team {{ name '
        f'roster(seasonId: "{season_id}") {{ player {{ name }} }} }} }}'
    )
    return "{ " + " ".join(f"a{n}: {field}" for n in range(count)) + " }"
