"""A demo match's line-ups and a home win of header-only replays for them (the demo's
players have linked accounts, so the replays check out against the match)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.league.models import Member, PlatformAccount, Player, RosterSpot
from sprocket.replays.service import Upload
from tests.helpers.replay_writer import PlayerSpec, build_replay

Side = list[tuple[Member, PlatformAccount]]


async def roster_side(session: AsyncSession, team_id: int) -> Side:
    """The team's current players with their linked accounts, by member id."""
    rows = await session.execute(
        select(Member, PlatformAccount)
        .join(Player, Player.member_id == Member.id)
        .join(RosterSpot, RosterSpot.player_id == Player.id)
        .join(PlatformAccount, PlatformAccount.member_id == Member.id)
        .where(RosterSpot.team_id == team_id, RosterSpot.left_at.is_(None))
        .order_by(Member.id)
    )
    return [(member, account) for member, account in rows]


def home_sweep(
    match_id: int, home: Side, away: Side, now: dt.datetime, *, prefix: str = ""
) -> list[Upload]:
    """Three games the home side wins 2-1 each (a best of five 3-0), played in the half hour
    before ``now``, named ``<prefix>game<n>.replay``."""
    files = []
    for number in range(1, 4):
        players = [
            PlayerSpec(
                member.name,
                team=team,
                platform=account.platform,
                platform_id=account.account_id,
                score=300 - 50 * i,
                goals=1 - team,
            )
            for team, side in ((0, home), (1, away))
            for i, (member, account) in enumerate(side)
        ]
        data = build_replay(
            players=players,
            team0_score=2,
            team1_score=1,
            team_size=len(home),
            date=(now - dt.timedelta(minutes=30 - number)).replace(tzinfo=None),
            replay_id=f"{match_id:016X}{number:016X}",
        )
        files.append(Upload(f"{prefix}game{number}.replay", data))
    return files
