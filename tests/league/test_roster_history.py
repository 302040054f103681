"""``rosters.roster_history`` and ``overview.team_matches``: a team's season as its page
shows it, on the demo organization."""

from __future__ import annotations

from sprocket.identity.access import Actor
from sprocket.league import rosters
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from tests.web.test_team_page import demo_team


async def test_roster_history_keeps_ended_signings(platform: Runtime) -> None:
    team, season = await demo_team(platform)
    async with platform.unit_of_work() as s:
        before = await rosters.roster_history(s, team_id=team.id, season_id=season.id)
        assert len(before) == 3 and all(line.left_at is None for line in before)
        assert [line.is_captain for line in before] == [True, False, False]
        admin = Actor(user_id=1, is_superuser=True, name="Demo Admin")
        await rosters.remove_from_roster(
            s, actor=admin, team_id=team.id, player_id=before[2].player_id, season_id=season.id
        )
    async with platform.reading() as s:
        after = await rosters.roster_history(s, team_id=team.id, season_id=season.id)
        matches = await overview.team_matches(s, team_id=team.id, season_id=season.id)
    assert [line.name for line in after] == [line.name for line in before]
    assert after[2].left_at is not None and after[0].left_at is None
    assert len(matches) == 14  # a double round robin of eight teams
    assert all(team.name in (m.home, m.away) for m in matches)
    assert [m.starts_at for m in matches] == sorted(m.starts_at for m in matches)
