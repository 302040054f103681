"""The demo league: what `sprocket demo` builds, and that building it twice adds nothing."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select

from sprocket.demo import ADMIN_DISCORD_ID, build_demo
from sprocket.identity import service as identity
from sprocket.identity.models import User
from sprocket.league.models import (
    Franchise,
    GameMode,
    League,
    Member,
    Organization,
    PlatformAccount,
    Player,
    RosterSpot,
    Season,
    SkillGroup,
    Team,
)
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Fixture, Match, MatchGame, MatchWeek
from tests.helpers.database import row_counts


async def test_demo_league(platform):
    async with platform.unit_of_work() as s:
        result = await build_demo(s)
    assert result.created and result.admin_token

    counts = await row_counts(platform)
    assert counts["organizations"] == 1
    assert counts["leagues"] == 2
    assert counts["skill_groups"] == 6
    assert counts["franchises"] == 8
    assert counts["teams"] == 48
    assert counts["seasons"] == 2
    assert 140 <= counts["members"] <= 160  # about 150 players
    assert result.players == counts["members"]

    async with platform.reading() as s:
        org = await s.scalar(select(Organization))
        modes = {
            league: mode
            for league, mode in await s.execute(
                select(League, GameMode.code).join(GameMode, GameMode.id == League.game_mode_id)
            )
        }
        assert sorted(modes.values()) == ["doubles", "standard"]
        for league in modes:
            assert league.organization_id == org.id
            groups = (
                await s.scalars(select(SkillGroup).where(SkillGroup.league_id == league.id))
            ).all()
            assert sorted(g.ordinal for g in groups) == [1, 2, 3]
            teams = (await s.scalars(select(Team).where(Team.league_id == league.id))).all()
            per_group = Counter(t.skill_group_id for t in teams)
            assert per_group == dict.fromkeys((g.id for g in groups), 8)
            # eight franchises, each with a team in every skill group
            per_franchise = Counter(t.franchise_id for t in teams)
            assert len(per_franchise) == 8 and set(per_franchise.values()) == {3}
        franchises = (await s.scalars(select(Franchise))).all()
        assert {f.organization_id for f in franchises} == {org.id}

        # every member has a linked platform account
        accounts = Counter(
            member_id for (member_id,) in await s.execute(select(PlatformAccount.member_id))
        )
        members = (await s.scalars(select(Member.id))).all()
        assert set(accounts) == set(members)
        platforms = set((await s.scalars(select(PlatformAccount.platform))).all())
        assert len(platforms) >= 3

        # rosters within the league limits, every player on one team per season
        spots = (await s.scalars(select(RosterSpot))).all()
        roster_sizes = Counter(spot.team_id for spot in spots)
        assert len(roster_sizes) == 48
        for league in modes:
            teams = (await s.scalars(select(Team.id).where(Team.league_id == league.id))).all()
            for team in teams:
                assert league.roster_min <= roster_sizes[team] <= league.roster_max
        assert len({(spot.player_id, spot.season_id) for spot in spots}) == len(spots)
        assert sum(spot.is_captain for spot in spots) == 48
        assert await s.scalar(select(func.count()).select_from(Player)) == len(spots)

    await _check_schedule_and_results(platform, result)
    async with platform.reading() as s:
        admin = await identity.authenticate(s, result.admin_token)
        assert admin.is_superuser
        assert (await s.get(User, admin.user_id)).discord_id == ADMIN_DISCORD_ID

    # a second run finds the organization and adds nothing at all
    before = await row_counts(platform)
    async with platform.unit_of_work() as s:
        again = await build_demo(s)
    assert not again.created and again.organization_id == result.organization_id
    assert again.admin_token is None
    assert await row_counts(platform) == before


async def _check_schedule_and_results(platform, result) -> None:
    async with platform.reading() as s:
        seasons = (await s.scalars(select(Season))).all()
        matches = (await s.scalars(select(Match))).all()
        assert len(matches) == result.matches
        status = Counter(m.status for m in matches)
        assert set(status) <= {"scheduled", "completed", "forfeited"}
        assert status["completed"] > 0 and status["scheduled"] > 0  # partly played
        assert status["completed"] + status["forfeited"] == result.played
        for match in matches:
            if match.status == "forfeited":
                assert match.forfeited_by_team_id is not None
        games = defaultdict(list)
        for game in (await s.scalars(select(MatchGame).order_by(MatchGame.number))).all():
            games[game.match_id].append((game.home_goals, game.away_goals))
        for match in matches:
            if match.status == "completed":
                schedule.check_games(match.format, games[match.id])  # a valid best of five
            else:
                assert games[match.id] == []

        for season in seasons:
            weeks = (
                await s.scalars(select(MatchWeek).where(MatchWeek.season_id == season.id))
            ).all()
            assert len(weeks) == 14
            groups = (
                await s.scalars(select(SkillGroup).where(SkillGroup.league_id == season.league_id))
            ).all()
            fixtures = (
                await s.execute(
                    select(Match.skill_group_id, MatchWeek.number, Fixture)
                    .join(Fixture, Fixture.id == Match.fixture_id)
                    .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
                    .where(Match.season_id == season.id)
                )
            ).all()
            for group in groups:
                mine = [(week, f) for group_id, week, f in fixtures if group_id == group.id]
                ordered = {(f.home_team_id, f.away_team_id) for _, f in mine}
                assert len(mine) == len(ordered) == 8 * 7  # double round robin of 8 teams
                teams_in_week = Counter(
                    (week, team) for week, f in mine for team in (f.home_team_id, f.away_team_id)
                )
                assert set(teams_in_week.values()) == {1}
                table = await schedule.standings(s, season_id=season.id, skill_group_id=group.id)
                assert len(table) == 8
                assert [row.rank for row in table] == list(range(1, 9))
                assert sum(row.played for row in table) > 0
                assert sum(row.series_won for row in table) == sum(row.series_lost for row in table)
