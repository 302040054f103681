"""Issue 3's "done when": a demo match is submitted, validated, ratified, and seen in the
standings and stats — on the demo organization itself, with its players' linked accounts."""

from __future__ import annotations

from sqlalchemy import select

from sprocket.db import utcnow
from sprocket.demo import build_demo
from sprocket.flows import match_results
from sprocket.identity.access import Actor
from sprocket.identity.models import User
from sprocket.replays import service as replays
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Fixture, Match, MatchGame
from sprocket.stats.models import PlayerGameStat
from tests.helpers.demo_series import home_sweep, roster_side


async def test_a_demo_match_goes_from_replays_to_standings_and_stats(platform) -> None:
    async with platform.unit_of_work() as session:
        result = await build_demo(session)
    now = utcnow()
    async with platform.reading() as session:
        match = await session.scalar(
            select(Match)
            .where(Match.status == "scheduled", Match.starts_at <= now, Match.ends_at > now)
            .order_by(Match.id)
            .limit(1)
        )
        assert match is not None, "the demo season has a match open this week"
        fixture = await session.get(Fixture, match.fixture_id)
        home = (await roster_side(session, fixture.home_team_id))[:2]
        away = (await roster_side(session, fixture.away_team_id))[:2]
        admin = await session.scalar(select(User).where(User.is_superuser.is_(True)))
        away_user = await session.get(User, away[0][0].user_id)
        before = await schedule.standings(
            session, season_id=match.season_id, skill_group_id=match.skill_group_id
        )
    team_size = len(home)
    files = home_sweep(match.id, home, away, now)  # a best of five 3-0

    async with platform.unit_of_work() as session:
        submission = await match_results.submit_match_replays(
            session,
            actor=Actor(user_id=admin.id, is_superuser=True),
            storage=platform.storage,
            match_id=match.id,
            files=files,
            max_size=platform.settings.replay_max_bytes,
        )
    for _ in range(5):
        await platform.relay.relay_once()
        await platform.broker.wait_all()
    async with platform.reading() as session:
        checked = await session.get(type(submission), submission.id)
        assert checked.status == "awaiting_ratification", checked.report
    async with platform.unit_of_work() as session:
        await replays.ratify(
            session, actor=Actor(user_id=away_user.id), submission_id=submission.id
        )
    async with platform.reading() as session:
        assert (await session.get(type(submission), submission.id)).status == "accepted"
        assert (await session.get(Match, match.id)).status == "completed"
        after = await schedule.standings(
            session, season_id=match.season_id, skill_group_id=match.skill_group_id
        )
        lines = (
            await session.scalars(
                select(PlayerGameStat)
                .join(MatchGame, MatchGame.id == PlayerGameStat.match_game_id)
                .where(MatchGame.match_id == match.id)
            )
        ).all()
    played = {row.team: row.played for row in before}
    now_played = {row.team: row.played for row in after}
    assert now_played[fixture.home_team_id] == played[fixture.home_team_id] + 1
    assert now_played[fixture.away_team_id] == played[fixture.away_team_id] + 1
    assert len(lines) == 3 * 2 * team_size
    assert sum(line.mvp for line in lines) == 3
    assert result.created
