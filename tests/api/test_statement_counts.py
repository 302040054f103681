"""The SQL statements of the standings, schedule and roster queries do not grow with rows.

Each query runs on a small league, then the same league grown four times over (more teams,
players, accounts and played matches); the number of statements must stay the same. The
queries execute on the schema directly (no HTTP, so the response cache is not in the way),
each with a fresh context (fresh dataloaders), after one warm-up run.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select

from sprocket.api.context import Context
from sprocket.api.schema import build_schema
from sprocket.db import StatementCounter
from sprocket.identity.access import Actor
from sprocket.league import accounts
from sprocket.league import service as league
from sprocket.league.models import Player
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Fixture, Match, MatchWeek
from tests.api.support import Fresh, epic_id, steam_id, world_fixture_csv
from tests.league_world import World, build_world

STANDINGS = """
query($s: ID!) {
  standings(seasonId: $s) {
    rank points played gamesWon goalDifference
    team { name franchise { name } skillGroup { name } }
  }
}
"""

SCHEDULE = """
query($s: ID!, $w: Int!) {
  matches(seasonId: $s, week: $w, first: 100) {
    nodes {
      status homeTeam { name } awayTeam { name } week { number startsAt }
      games { number homeGoals awayGoals }
    }
  }
}
"""

ROSTER = """
query($t: ID!, $s: ID!) {
  team(id: $t) {
    name
    roster(seasonId: $s) {
      isCaptain player { name member { accounts { platform accountId } } }
    }
  }
}
"""

ALL_ROSTERS = """
query($l: ID!, $s: ID!) {
  teams(leagueId: $l, first: 100) {
    nodes {
      name
      roster(seasonId: $s) { player { name member { accounts { platform accountId } } } }
    }
  }
}
"""

SCHEMA: strawberry.Schema = build_schema()


async def _measure(
    platform: Runtime, query: str, variables: dict[str, Any], viewer: Actor
) -> tuple[int, Any]:
    warm = await SCHEMA.execute(
        query, variables, context_value=Context(platform, None, actor=viewer)
    )
    assert warm.errors is None, warm.errors
    with StatementCounter(platform.engine) as counter:
        result = await SCHEMA.execute(
            query, variables, context_value=Context(platform, None, actor=viewer)
        )
    assert result.errors is None, result.errors
    assert counter.count > 0
    return counter.count, result.data


async def _measure_all(platform: Runtime, world: World) -> dict[str, tuple[int, Any]]:
    season = str(world.season_id)
    # Seen by league staff, who see every member's accounts (the public sees them only where
    # a member made them public): whether the viewer is staff is asked once, whatever the rows.
    staff = world.actors["league_staff"]
    return {
        "standings": await _measure(platform, STANDINGS, {"s": season}, staff),
        "schedule": await _measure(platform, SCHEDULE, {"s": season, "w": 1}, staff),
        "roster": await _measure(
            platform, ROSTER, {"t": str(world.team_ids[0]), "s": season}, staff
        ),
        "all rosters": await _measure(
            platform, ALL_ROSTERS, {"l": str(world.league_id), "s": season}, staff
        ),
    }


async def _link_accounts(fresh: Fresh, member_ids: list[int], per_member: int) -> None:
    async with fresh.platform.unit_of_work() as s:
        for member_id in member_ids:
            for k in range(per_member):
                n = fresh.n()
                await accounts.link_platform_account(
                    s,
                    actor=fresh.root,
                    member_id=member_id,
                    platform="steam" if k % 2 == 0 else "epic",
                    account_id=steam_id(n) if k % 2 == 0 else epic_id(n),
                )


async def _members_of(platform: Runtime, player_ids: list[int]) -> list[int]:
    async with platform.reading() as s:
        return [(await s.get(Player, p)).member_id for p in player_ids]


async def test_statements_do_not_grow_with_rows(platform) -> None:
    world = await build_world(platform, teams=4)
    fresh = Fresh(platform, world)
    root = world.actors["superuser"]
    await _link_accounts(fresh, await _members_of(platform, world.player_ids), 1)
    await _record_week_one(platform, world)

    small = await _measure_all(platform, world)
    assert len(small["standings"][1]["standings"]) == 4
    assert len(small["schedule"][1]["matches"]["nodes"]) == 2
    assert len(small["roster"][1]["team"]["roster"]) == 2

    # Grow the league: 12 more teams (half in new franchises), three players each with two
    # accounts, two more players on Team 1, six more matches in week 1, all played.
    new_teams: list[str] = []
    async with platform.unit_of_work() as s:
        franchises = [
            (
                await league.create_franchise(
                    s, actor=root, organization_id=world.organization_id, name=f"F{i}", code=f"F{i}"
                )
            ).id
            for i in range(3)
        ]
    for i in range(12):
        name = f"Grown {i:02d}"
        async with platform.unit_of_work() as s:
            team_id = (
                await league.create_team(
                    s,
                    actor=root,
                    league_id=world.league_id,
                    name=name,
                    skill_group_id=world.skill_group_ids[0],
                    franchise_id=franchises[i % 3] if i % 2 == 0 else None,
                )
            ).id
        new_teams.append(name)
        players = [await fresh.player() for _ in range(3)]
        for k, player in enumerate(players):
            await fresh.sign(team_id, player, captain=k == 0)
        await _link_accounts(fresh, await _members_of(platform, players), 2)
    extra = [await fresh.player() for _ in range(2)]
    for player in extra:
        await fresh.sign(world.team_ids[0], player)
    await _link_accounts(fresh, await _members_of(platform, extra + world.player_ids[:2]), 3)
    pairs = [(1, new_teams[i], new_teams[i + 1]) for i in range(0, 12, 2)]
    text = await world_fixture_csv(platform, world, *pairs)
    async with platform.unit_of_work() as s:
        await schedule.import_schedule_csv(s, actor=root, season_id=world.season_id, text=text)
    await _record_week_one(platform, world)

    large = await _measure_all(platform, world)
    assert len(large["standings"][1]["standings"]) == 16
    assert len(large["schedule"][1]["matches"]["nodes"]) == 8
    roster = large["roster"][1]["team"]["roster"]
    assert len(roster) == 4
    assert sum(len(e["player"]["member"]["accounts"]) for e in roster) == 2 * 4 + 2 * 3
    assert len(large["all rosters"][1]["teams"]["nodes"]) == 16

    counts = {name: (small[name][0], large[name][0]) for name in small}
    print(f"statements per query (small league, large league): {counts}")
    assert all(before == after for before, after in counts.values()), (
        f"statements per query (small league, large league): {counts}"
    )


async def _record_week_one(platform: Runtime, world: World) -> None:
    async with platform.reading() as s:
        match_ids = (
            await s.scalars(
                select(Match.id)
                .join(Fixture, Fixture.id == Match.fixture_id)
                .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
                .where(
                    Match.season_id == world.season_id,
                    MatchWeek.number == 1,
                    Match.status == "scheduled",
                )
            )
        ).all()
    assert match_ids
    async with platform.unit_of_work() as s:
        for match_id in match_ids:
            await schedule.record_result(
                s,
                actor=world.actors["superuser"],
                match_id=match_id,
                games=[(2, 1), (0, 3), (4, 2), (1, 0)],
            )


CONNECTIONS = """
query($l: ID!, $s: ID!, $o: ID!, $count: Boolean!) {
  organizations(first: 100) { nodes { slug } totalCount @include(if: $count) }
  teams(leagueId: $l, first: 100) { nodes { name } totalCount @include(if: $count) }
  players(leagueId: $l, first: 100) { nodes { id } totalCount @include(if: $count) }
  matches(seasonId: $s, week: 1, first: 100) { nodes { id } totalCount @include(if: $count) }
  playerLeaderboard(organizationId: $o, gameMode: "doubles", first: 100) {
    nodes { rank } totalCount @include(if: $count)
  }
}
"""


async def test_total_count_costs_one_statement_per_connection(platform) -> None:
    """Asking every connection for ``totalCount`` adds one count statement per connection,
    not per node: the same five on a small league and on one four times its size."""
    world = await build_world(platform, teams=4)
    fresh = Fresh(platform, world)
    variables = {
        "l": str(world.league_id),
        "s": str(world.season_id),
        "o": str(world.organization_id),
    }

    async def costs() -> tuple[int, int, dict[str, Any]]:
        staff = world.actors["league_staff"]
        plain, _ = await _measure(platform, CONNECTIONS, {**variables, "count": False}, staff)
        counted, data = await _measure(platform, CONNECTIONS, {**variables, "count": True}, staff)
        return plain, counted, data

    small_plain, small_counted, small = await costs()
    assert small_counted - small_plain == 5
    assert small["teams"]["totalCount"] == len(small["teams"]["nodes"]) == 4
    for i in range(12):
        team_id = await fresh.team(name=f"Grown {i:02d}")
        for _ in range(2):
            await fresh.sign(team_id, await fresh.player())
    large_plain, large_counted, large = await costs()
    assert (large_plain, large_counted) == (small_plain, small_counted)
    assert large["teams"]["totalCount"] == len(large["teams"]["nodes"]) == 16
    assert large["players"]["totalCount"] == len(large["players"]["nodes"]) == 11 + 24
    assert large["matches"]["totalCount"] == len(large["matches"]["nodes"]) == 2
