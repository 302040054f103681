"""Stats services: the stat lines of an accepted series, and the totals read from them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from sprocket.league import members
from sprocket.league import service as league
from sprocket.league.models import Player
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Fixture, Match
from sprocket.stats import service as stats
from sprocket.stats.models import PlayerGameStat, TeamGameStat
from sprocket.stats.service import Totals

RINGER = "R" * 120  # a substitute who is no player of the league, with a name too long to keep

# A best-of-five won 3-1 by the away side: (home goals, away goals, winner the replay recorded).
GAMES = [(3, 1, None), (0, 2, None), (1, 1, False), (0, 1, None)]
# Per game, each line: who, score, goals, assists, saves, shots. "h0"/"h1" play for the home
# team, "a0"/"a1" for the away team; the ringer plays game 2 for the away team; the spectator
# (no team) is in game 1's replay too.
LINES = [
    [
        ("h0", 500, 2, 1, 0, 4),
        ("h1", 350, 1, 1, 2, 2),
        ("a0", 400, 1, 0, 3, 3),
        ("a1", 200, 0, 0, 1, 1),
        ("spectator", 0, 0, 0, 0, 0),
    ],
    [
        ("h0", 150, 0, 0, 2, 1),
        ("h1", 250, 0, 0, 3, 2),
        ("a0", 300, 1, 1, 1, 3),
        ("ringer", 450, 1, 0, 0, 2),
    ],
    [
        ("h0", 100, 1, 0, 0, 1),
        ("h1", 120, 0, 1, 1, 1),
        ("a0", 90, 1, 0, 2, 2),
        ("a1", 80, 0, 1, 0, 1),
    ],
    [
        ("h0", 60, 0, 0, 1, 1),
        ("h1", 70, 0, 0, 2, 0),
        ("a0", 110, 0, 1, 1, 2),
        ("a1", 130, 1, 0, 0, 2),
    ],
]


@dataclass
class Series:
    home_team_id: int
    away_team_id: int
    player_ids: dict[str, int]  # "h0", "h1", "a0", "a1"
    match_id: int


async def _record(platform, world) -> Series:
    """World's first match decided by GAMES, its stat lines written from LINES."""
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        match = await s.get(Match, world.match_ids[0])
        fixture = await s.get(Fixture, match.fixture_id)
        home, away = fixture.home_team_id, fixture.away_team_id
        # the world's players, two per team, in team order
        player_ids = {}
        for side, team_id in (("h", home), ("a", away)):
            index = world.team_ids.index(team_id)
            for n in range(2):
                player_ids[f"{side}{n}"] = world.player_ids[2 * index + n]
        member_of = {
            player.id: player.member_id
            for player in (
                await s.scalars(select(Player).where(Player.id.in_(player_ids.values())))
            ).all()
        }
        # h0 also plays in another league: the lines must name the player of this one
        other = await league.create_league(
            s,
            actor=root,
            organization_id=world.organization_id,
            name="Standard",
            game_mode="standard",
        )
        await members.register_player(
            s, actor=root, member_id=member_of[player_ids["h0"]], league_id=other.id
        )
        games = await schedule.complete_match(
            s,
            match=match,
            games=[(h, a) for h, a, _ in GAMES],
            winners=[winner for _, _, winner in GAMES],
        )
        teams = {"h": home, "a": away, "ringer": away, "spectator": None}
        reports = [
            {
                "found": [
                    {
                        "member_id": member_of.get(player_ids.get(who, 0)),
                        "team_id": teams[who[0] if who in player_ids else who],
                        "name": RINGER if who == "ringer" else who.title(),
                        "platform": "steam",
                        "platform_id": f"7656119{number}{who}",
                        "score": score,
                        "goals": goals,
                        "assists": assists,
                        "saves": saves,
                        "shots": shots,
                    }
                    for who, score, goals, assists, saves, shots in lines
                ]
            }
            for number, lines in enumerate(LINES, start=1)
        ]
        await stats.record_series(
            s,
            league_id=world.league_id,
            games=games,
            reports=reports,
            home_team_id=home,
            away_team_id=away,
        )
    return Series(home, away, player_ids, match.id)


async def test_record_series_writes_a_line_per_player_and_per_team(platform, world):
    series = await _record(platform, world)
    h0, h1, a0, a1 = (series.player_ids[who] for who in ("h0", "h1", "a0", "a1"))
    home, away = series.home_team_id, series.away_team_id
    async with platform.reading() as s:
        players = (
            await s.execute(
                select(
                    PlayerGameStat.player_id,
                    PlayerGameStat.team_id,
                    PlayerGameStat.name,
                    PlayerGameStat.platform,
                    PlayerGameStat.platform_account_id,
                    PlayerGameStat.score,
                    PlayerGameStat.goals,
                    PlayerGameStat.assists,
                    PlayerGameStat.saves,
                    PlayerGameStat.shots,
                    PlayerGameStat.mvp,
                    PlayerGameStat.won,
                ).order_by(PlayerGameStat.id)
            )
        ).all()
        teams = (
            await s.execute(
                select(
                    TeamGameStat.team_id,
                    TeamGameStat.goals,
                    TeamGameStat.goals_against,
                    TeamGameStat.score,
                    TeamGameStat.assists,
                    TeamGameStat.saves,
                    TeamGameStat.shots,
                    TeamGameStat.won,
                ).order_by(TeamGameStat.id)
            )
        ).all()
    # The spectator has no line; the ringer's has no player; the MVP is the best score of the
    # winning side (game 3: the away side won a level game on its replay's record, so a0's 90
    # beats the home side's 100 and 120).
    assert [tuple(row) for row in players] == [
        (h0, home, "H0", "steam", "76561191h0", 500, 2, 1, 0, 4, True, True),
        (h1, home, "H1", "steam", "76561191h1", 350, 1, 1, 2, 2, False, True),
        (a0, away, "A0", "steam", "76561191a0", 400, 1, 0, 3, 3, False, False),
        (a1, away, "A1", "steam", "76561191a1", 200, 0, 0, 1, 1, False, False),
        (h0, home, "H0", "steam", "76561192h0", 150, 0, 0, 2, 1, False, False),
        (h1, home, "H1", "steam", "76561192h1", 250, 0, 0, 3, 2, False, False),
        (a0, away, "A0", "steam", "76561192a0", 300, 1, 1, 1, 3, False, True),
        (None, away, "R" * 100, "steam", "76561192ringer", 450, 1, 0, 0, 2, True, True),
        (h0, home, "H0", "steam", "76561193h0", 100, 1, 0, 0, 1, False, False),
        (h1, home, "H1", "steam", "76561193h1", 120, 0, 1, 1, 1, False, False),
        (a0, away, "A0", "steam", "76561193a0", 90, 1, 0, 2, 2, True, True),
        (a1, away, "A1", "steam", "76561193a1", 80, 0, 1, 0, 1, False, True),
        (h0, home, "H0", "steam", "76561194h0", 60, 0, 0, 1, 1, False, False),
        (h1, home, "H1", "steam", "76561194h1", 70, 0, 0, 2, 0, False, False),
        (a0, away, "A0", "steam", "76561194a0", 110, 0, 1, 1, 2, False, True),
        (a1, away, "A1", "steam", "76561194a1", 130, 1, 0, 0, 2, True, True),
    ]
    # A team's goals are the game's (its replay's score), the rest its players' sums.
    assert [tuple(row) for row in teams] == [
        (home, 3, 1, 850, 2, 2, 6, True),
        (away, 1, 3, 600, 0, 4, 4, False),
        (home, 0, 2, 400, 0, 5, 3, False),
        (away, 2, 0, 750, 1, 1, 5, True),
        (home, 1, 1, 220, 1, 1, 2, False),
        (away, 1, 1, 170, 1, 2, 3, True),
        (home, 0, 1, 130, 0, 3, 1, False),
        (away, 1, 0, 240, 1, 1, 4, True),
    ]


async def test_player_totals_add_up_every_line(platform, world):
    series = await _record(platform, world)
    ids = series.player_ids
    async with platform.reading() as s:
        totals = await stats.player_totals(s, player_ids=[*ids.values(), world.free_player_ids[0]])
        only_one = await stats.player_totals(s, player_ids=[ids["a1"]])
        none = await stats.player_totals(s, player_ids=[])
    # games, wins, mvps, score, goals, assists, saves, shots; no line, no entry
    assert totals == {
        ids["h0"]: Totals(4, 1, 1, 810, 3, 1, 3, 7),
        ids["h1"]: Totals(4, 1, 0, 790, 1, 2, 8, 5),
        ids["a0"]: Totals(4, 3, 1, 900, 3, 2, 7, 10),
        ids["a1"]: Totals(3, 2, 1, 410, 1, 1, 1, 4),
    }
    assert only_one == {ids["a1"]: Totals(3, 2, 1, 410, 1, 1, 1, 4)}
    assert none == {}


async def test_team_totals_add_up_every_line(platform, world):
    series = await _record(platform, world)
    home, away = series.home_team_id, series.away_team_id
    idle = next(t for t in world.team_ids if t not in (home, away))
    async with platform.reading() as s:
        totals = await stats.team_totals(s, team_ids=[home, away, idle])
    # games, wins, mvps (not counted for teams), score, goals, assists, saves, shots
    assert totals == {
        home: Totals(4, 1, 0, 1600, 4, 3, 11, 12),
        away: Totals(4, 3, 0, 1760, 5, 3, 8, 16),
    }


async def test_totals_before_any_game(platform, world):
    async with platform.reading() as s:
        assert await stats.player_totals(s, player_ids=world.player_ids) == {}
        assert await stats.team_totals(s, team_ids=world.team_ids) == {}


@pytest.mark.parametrize(
    ("totals", "value", "expected"),
    [
        (Totals(4, 3, 1, 900, 3, 2, 7, 10), 900, 225.0),
        (Totals(3, 2, 1, 410, 1, 1, 1, 4), 410, 136.67),
        (Totals(3, 2, 1, 410, 1, 1, 1, 4), 4, 1.33),
        (Totals(3, 2, 1, 410, 1, 1, 1, 4), 2, 0.67),
        (Totals(0, 0, 0, 0, 0, 0, 0, 0), 5, 0.0),
    ],
)
def test_per_game_is_rounded_to_two_places(totals: Totals, value: int, expected: float):
    assert totals.per_game(value) == expected
