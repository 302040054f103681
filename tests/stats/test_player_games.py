"""``stats.player_games`` and ``rosters.member_teams``: a member's games and teams as the
profile page shows them, on the demo organization."""

from __future__ import annotations

import pytest

from sprocket.db import children_of
from sprocket.errors import InvalidInput
from sprocket.league import rosters
from sprocket.league.models import Player
from sprocket.runtime import Runtime
from sprocket.stats import service as stats
from tests.web.test_player_page import top_doubles_member


async def test_a_members_games_newest_first_and_teams(platform: Runtime) -> None:
    member = await top_doubles_member(platform)
    async with platform.reading() as s:
        [player] = (await children_of(s, Player.member_id, [member.id]))[member.id]
        totals = (await stats.player_totals(s, player_ids=[player.id]))[player.id]
        games = await stats.player_games(s, player_ids=[player.id], first=100)
        three = await stats.player_games(s, player_ids=[player.id], first=3)
        teams = await rosters.member_teams(s, member_id=member.id)
        with pytest.raises(InvalidInput):
            await stats.player_games(s, player_ids=[player.id], first=0)
    assert len(games) == totals.games and three == games[:3]
    assert sum(g.goals for g in games) == totals.goals
    assert sum(g.won for g in games) == totals.wins
    assert [(g.starts_at, g.game) for g in games] == sorted(
        ((g.starts_at, g.game) for g in games), reverse=True
    )
    [team] = teams
    assert team.league == "Doubles League" and team.season == "Season 1"
    assert all(g.team == team.team and g.opponent != team.team for g in games)
    assert team.left_at is None
