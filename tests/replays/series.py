"""Builds replay series for a World match: linked accounts and header-only replays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from sprocket.identity.access import Actor
from sprocket.identity.models import User
from sprocket.league import accounts
from sprocket.league.models import Member, Player, RosterSpot
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from sprocket.schedule.models import Fixture, Match
from tests.helpers.replay_writer import PlayerSpec, build_replay

STEAM_BASE = 76561198000000000


@dataclass
class Lineup:
    match_id: int
    home_team_id: int
    away_team_id: int
    home: list[tuple[int, str, str]]  # (member id, name, steam id)
    away: list[tuple[int, str, str]]
    starts_at: dt.datetime


async def lineup(
    platform: Runtime, match_id: int, *, link: bool = True, unlinked: Collection[int] = ()
) -> Lineup:
    """The two rosters of a match, each player given a linked Steam account (except the
    members in ``unlinked``, whose account the replays show but nobody linked)."""
    async with platform.unit_of_work() as session:
        match = await session.get(Match, match_id)
        fixture = await session.get(Fixture, match.fixture_id)
        sides = []
        for team_id in (fixture.home_team_id, fixture.away_team_id):
            rows = await session.execute(
                select(Member.id, Member.name)
                .join(Player, Player.member_id == Member.id)
                .join(RosterSpot, RosterSpot.player_id == Player.id)
                .where(RosterSpot.team_id == team_id, RosterSpot.left_at.is_(None))
                .order_by(Member.id)
            )
            side = []
            for member_id, name in rows:
                steam = str(STEAM_BASE + member_id)
                if link and member_id not in unlinked:
                    await accounts.link_verified_account(
                        session,
                        member_id=member_id,
                        platform="steam",
                        account_id=steam,
                    )
                side.append((member_id, name, steam))
            sides.append(side)
        return Lineup(
            match.id,
            fixture.home_team_id,
            fixture.away_team_id,
            sides[0],
            sides[1],
            match.starts_at,
        )


def game(
    lineup: Lineup,
    number: int,
    *,
    home_goals: int,
    away_goals: int,
    home_blue: bool = True,
    **overrides: object,
) -> Upload:
    """One game of the series as a replay file; the home side plays blue unless told."""
    blue, orange = (lineup.home, lineup.away) if home_blue else (lineup.away, lineup.home)
    blue_goals, orange_goals = (home_goals, away_goals) if home_blue else (away_goals, home_goals)
    players = [
        PlayerSpec(
            name,
            team=t,
            platform="steam",
            platform_id=steam,
            score=100 * (i + 1),
            goals=1 if i == 0 else 0,
            shots=2,
            saves=1,
        )
        for t, side in ((0, blue), (1, orange))
        for i, (_, name, steam) in enumerate(side)
    ]
    options = {
        "players": players,
        "team0_score": blue_goals,
        "team1_score": orange_goals,
        "date": (lineup.starts_at + dt.timedelta(hours=2, minutes=number * 10)).replace(
            tzinfo=None
        ),
        "replay_id": f"{lineup.match_id:08X}{number:024X}",
        "team_size": 2,
        **overrides,
    }
    return Upload(f"game{number}.replay", build_replay(**options))


def sweep(lineup: Lineup, *, games: int = 3) -> list[Upload]:
    """The home side wins every game 2-1 (a best-of-five ends after three)."""
    return [game(lineup, n, home_goals=2, away_goals=1) for n in range(1, games + 1)]


async def actor_of(platform: Runtime, member_id: int) -> Actor:
    """The signed-in user behind a member (for the players the World gives no role)."""
    async with platform.reading() as session:
        member = await session.get(Member, member_id)
        user = await session.get(User, member.user_id)
        return Actor(user_id=user.id, is_superuser=user.is_superuser, name=user.display_name)
