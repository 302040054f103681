"""Ratings and leaderboards through GraphQL: a player's rating, history and form, a member's
ratings, a team's record, the leaderboards with paging, win probability, typed errors for bad
input, and SQL statement counts that do not grow with the rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sprocket.api.context import Context
from sprocket.db import StatementCounter
from sprocket.league import service as league
from sprocket.league.models import Player
from sprocket.ratings.models import Rating, RatingPoint
from tests.api.test_statement_counts import SCHEMA
from tests.ratings.support import AWAY_SWEEP, HOME_WINS_3_1, accept_series

PLAYER = """
query($id: ID!, $s: ID!, $t: ID!) {
  player(id: $id) {
    rating { mu sigma displayed games wins provisional gameMode { code } }
    ratingHistory(first: 3) { source gameId won muBefore muAfter displayedAfter }
    recentForm(games: 5)
    member { ratings { displayed games gameMode { code } } }
  }
  team(id: $t) { record(seasonId: $s) { rank played seriesWon gamesWon gamesLost } }
}
"""

BOARD = """
query($o: ID!, $by: PlayerLeaderboardBy!, $first: Int!, $after: String, $min: Int! = 0) {
  playerLeaderboard(organizationId: $o, gameMode: "doubles", by: $by, first: $first,
                    after: $after, minGames: $min) {
    nodes { rank value games wins member { id name } rating { displayed provisional } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PLAYERS = """
query($l: ID!) {
  players(leagueId: $l, first: 100) {
    nodes {
      rating { displayed provisional gameMode { code } }
      ratingHistory(first: 5) { muAfter }
      recentForm(games: 5)
      member { ratings { displayed } }
    }
  }
}
"""

TEAMS = """
query($s: ID!) {
  teamLeaderboard(seasonId: $s) { rank points team { name record(seasonId: $s) { rank } } }
}
"""


async def _player_of(platform, world, member_id: int) -> int:
    async with platform.reading() as session:
        return await session.scalar(
            select(Player.id).where(
                Player.member_id == member_id, Player.league_id == world.league_id
            )
        )


async def test_a_players_rating_history_form_and_team_record(platform, world, gql) -> None:
    match_id, line, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    winner = line.home[0][0]
    async with platform.reading() as session:
        rating = await session.scalar(select(Rating).where(Rating.member_id == winner))
        points = (
            await session.scalars(
                select(RatingPoint)
                .where(RatingPoint.member_id == winner)
                .order_by(RatingPoint.id.desc())
            )
        ).all()
    variables = {
        "id": str(await _player_of(platform, world, winner)),
        "s": str(world.season_id),
        "t": str(world.team_ids[0]),
    }

    data = await gql.ok(PLAYER, variables)

    player = data["player"]
    assert player["rating"] == {
        "mu": rating.mu,
        "sigma": rating.sigma,
        "displayed": rating.displayed,
        "games": 4,
        "wins": 3,
        "provisional": True,  # fewer than the default 10 games
        "gameMode": {"code": "doubles"},
    }
    assert player["ratingHistory"] == [
        {
            "source": "MATCH",
            "gameId": str(p.source_game_id),
            "won": p.won,
            "muBefore": p.mu_before,
            "muAfter": p.mu_after,
            "displayedAfter": p.displayed_after,
        }
        for p in points[:3]
    ]
    # Newest first: the series went W, L, W, W.
    assert player["recentForm"] == ["W", "W", "L", "W"]
    assert player["member"]["ratings"] == [
        {"displayed": rating.displayed, "games": 4, "gameMode": {"code": "doubles"}}
    ]
    assert data["team"]["record"] == {
        "rank": 1,
        "played": 1,
        "seriesWon": 1,
        "gamesWon": 3,
        "gamesLost": 1,
    }

    # The provisional mark follows the organization's setting.
    async with platform.unit_of_work() as session:
        await league.set_organization_setting(
            session,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            key="rating_provisional_games",
            value=4,
        )
    data = await gql.ok(PLAYER, variables)
    assert data["player"]["rating"]["provisional"] is False

    # An unrated player has no rating, history or form.
    unrated = {**variables, "id": str(world.free_player_ids[0])}
    data = await gql.ok(PLAYER, unrated)
    assert data["player"]["rating"] is None
    assert data["player"]["ratingHistory"] == data["player"]["recentForm"] == []


async def test_leaderboards_and_win_probability(platform, world, gql) -> None:
    await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    _, line, _ = await accept_series(platform, world, 2, 3, AWAY_SWEEP)
    async with platform.reading() as session:
        ratings = {
            r.member_id: r
            for r in await session.scalars(select(Rating).order_by(Rating.displayed.desc()))
        }
    org = str(world.organization_id)

    seen, after = [], None
    for _ in range(3):
        data = await gql.ok(BOARD, {"o": org, "by": "RATING", "first": 3, "after": after})
        board = data["playerLeaderboard"]
        seen += board["nodes"]
        after = board["pageInfo"]["endCursor"]
        if not board["pageInfo"]["hasNextPage"]:
            break
    assert [n["rank"] for n in seen] == list(range(1, 9))
    assert [int(n["member"]["id"]) for n in seen] == sorted(
        ratings, key=lambda m: (-ratings[m].displayed, -ratings[m].mu, m)
    )
    for node in seen:
        rating = ratings[int(node["member"]["id"])]
        assert node["value"] == rating.displayed == node["rating"]["displayed"]
        assert (node["games"], node["wins"]) == (rating.games, rating.wins)
        assert node["rating"]["provisional"] is True

    wins = await gql.ok(BOARD, {"o": org, "by": "WIN_RATE", "first": 10, "min": 4})
    rows = wins["playerLeaderboard"]["nodes"]
    assert [(n["value"], n["games"]) for n in rows] == [(0.75, 4)] * 2 + [(0.25, 4)] * 2

    teams = await gql.ok(TEAMS, {"s": str(world.season_id)})
    assert [row["rank"] for row in teams["teamLeaderboard"]] == [1, 2, 3, 4]
    # Two series winners; the sweep (3-0) ranks above the 3-1 on game difference.
    assert [row["team"]["name"] for row in teams["teamLeaderboard"][:2]] == ["Team 4", "Team 1"]
    assert all(row["team"]["record"]["rank"] == row["rank"] for row in teams["teamLeaderboard"])

    home = [str(m) for m, _, _ in line.away]  # the winners of the sweep
    away = [str(m) for m, _, _ in line.home]
    query = """query($o: ID!, $h: [ID!]!, $a: [ID!]!) {
      winProbability(gameMode: "doubles", organizationId: $o, home: $h, away: $a) }"""
    chance = (await gql.ok(query, {"o": org, "h": home, "a": away}))["winProbability"]
    reverse = (await gql.ok(query, {"o": org, "h": away, "a": home}))["winProbability"]
    assert chance > 0.5 > reverse
    assert abs(chance + reverse - 1) < 1e-12


async def test_bad_input_gets_typed_errors(platform, world, gql) -> None:
    org = str(world.organization_id)
    cases = [
        (
            'query($o: ID!) { playerLeaderboard(organizationId: $o, gameMode: "hoops-9") '
            "{ nodes { rank } } }",
            {"o": org},
            "UNKNOWN_GAME_MODE",
        ),
        (BOARD, {"o": org, "by": "GOALS", "first": 10, "min": -1}, "INVALID_MIN_GAMES"),
        (BOARD, {"o": org, "by": "RATING", "first": 101}, "INVALID_PAGE_SIZE"),
        (BOARD, {"o": org, "by": "RATING", "first": 10, "after": "nonsense"}, "INVALID_CURSOR"),
        (
            'query($o: ID!) { playerLeaderboard(organizationId: $o, gameMode: "doubles", '
            'since: "2030-01-02T00:00:00Z", until: "2030-01-01T00:00:00Z") { nodes { rank } } }',
            {"o": org},
            "INVALID_TIME_WINDOW",
        ),
        (
            "query($p: ID!) { player(id: $p) { ratingHistory(first: 500) { muAfter } } }",
            {"p": str(world.player_ids[0])},
            "INVALID_PAGE_SIZE",
        ),
        (
            "query($p: ID!) { player(id: $p) { recentForm(games: 0) } }",
            {"p": str(world.player_ids[0])},
            "INVALID_PAGE_SIZE",
        ),
        (
            'query($o: ID!) { winProbability(gameMode: "doubles", organizationId: $o, '
            'home: ["1"], away: ["1"]) }',
            {"o": org},
            "PLAYER_TWICE_IN_GAME",
        ),
        (
            'query($o: ID!) { winProbability(gameMode: "doubles", organizationId: $o, '
            'home: ["999999"], away: []) }',
            {"o": org},
            "EMPTY_LINEUP",
        ),
        (
            'query($o: ID!) { winProbability(gameMode: "doubles", organizationId: $o, '
            'home: ["999999"], away: ["999998"]) }',
            {"o": org},
            "UNKNOWN_MEMBER",
        ),
    ]
    for query, variables, code in cases:
        error = await gql.error(query, variables)
        assert error["extensions"]["code"] == code, (query, error)
        assert error["message"]


async def _count(platform, query: str, variables: dict[str, Any]) -> tuple[int, Any]:
    warm = await SCHEMA.execute(query, variables, context_value=Context(platform, None))
    assert warm.errors is None, warm.errors
    with StatementCounter(platform.engine) as counter:
        result = await SCHEMA.execute(query, variables, context_value=Context(platform, None))
    assert result.errors is None, result.errors
    return counter.count, result.data


async def test_statements_do_not_grow_with_rows(platform, world) -> None:
    cases = [
        (BOARD, {"o": str(world.organization_id), "by": "RATING", "first": 100}),
        (BOARD, {"o": str(world.organization_id), "by": "GOALS", "first": 100}),
        (PLAYERS, {"l": str(world.league_id)}),
        (TEAMS, {"s": str(world.season_id)}),
    ]
    await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    small = [await _count(platform, q, v) for q, v in cases]
    await accept_series(platform, world, 2, 3, AWAY_SWEEP)
    await accept_series(platform, world, 0, 2, AWAY_SWEEP)
    large = [await _count(platform, q, v) for q, v in cases]

    assert len(large[0][1]["playerLeaderboard"]["nodes"]) == 8
    assert len(small[0][1]["playerLeaderboard"]["nodes"]) == 4
    rated = [p for p in large[2][1]["players"]["nodes"] if p["rating"]]
    assert len(rated) == 8 and all(p["recentForm"] for p in rated)
    assert [count for count, _ in large] == [count for count, _ in small]
