"""GraphQL types of stat lines and aggregates (attached to games, players and teams)."""

from __future__ import annotations

import strawberry

from sprocket.api.ids import gid
from sprocket.stats.models import PlayerGameStat, TeamGameStat
from sprocket.stats.service import Totals


@strawberry.type(name="PlayerStatLine")
class PlayerStatLineNode:
    name: str
    platform: str
    platform_account_id: str
    team_id: strawberry.ID
    player_id: strawberry.ID | None
    score: int
    goals: int
    assists: int
    saves: int
    shots: int
    mvp: bool
    won: bool

    @classmethod
    def of(cls, row: PlayerGameStat) -> PlayerStatLineNode:
        return cls(
            name=row.name,
            platform=row.platform,
            platform_account_id=row.platform_account_id,
            team_id=gid(row.team_id),
            player_id=gid(row.player_id) if row.player_id else None,
            score=row.score,
            goals=row.goals,
            assists=row.assists,
            saves=row.saves,
            shots=row.shots,
            mvp=row.mvp,
            won=row.won,
        )


@strawberry.type(name="TeamStatLine")
class TeamStatLineNode:
    team_id: strawberry.ID
    goals: int
    goals_against: int
    assists: int
    saves: int
    shots: int
    score: int
    won: bool

    @classmethod
    def of(cls, row: TeamGameStat) -> TeamStatLineNode:
        return cls(
            team_id=gid(row.team_id),
            goals=row.goals,
            goals_against=row.goals_against,
            assists=row.assists,
            saves=row.saves,
            shots=row.shots,
            score=row.score,
            won=row.won,
        )


@strawberry.type(name="StatTotals")
class TotalsNode:
    games: int
    wins: int
    mvps: int
    score: int
    goals: int
    assists: int
    saves: int
    shots: int
    goals_per_game: float
    assists_per_game: float
    saves_per_game: float
    shots_per_game: float
    score_per_game: float
    win_rate: float

    @classmethod
    def of(cls, totals: Totals | None) -> TotalsNode:
        t = totals or Totals(0, 0, 0, 0, 0, 0, 0, 0)
        return cls(
            games=t.games,
            wins=t.wins,
            mvps=t.mvps,
            score=t.score,
            goals=t.goals,
            assists=t.assists,
            saves=t.saves,
            shots=t.shots,
            goals_per_game=t.per_game(t.goals),
            assists_per_game=t.per_game(t.assists),
            saves_per_game=t.per_game(t.saves),
            shots_per_game=t.per_game(t.shots),
            score_per_game=t.per_game(t.score),
            win_rate=t.per_game(t.wins),
        )
