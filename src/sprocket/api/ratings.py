"""GraphQL types and queries of ratings and leaderboards.

The fields this domain adds to other types (``Player.rating``, ``Player.ratingHistory``,
``Player.recentForm``, ``Member.ratings``, ``Team.record``) are declared on those types and
resolved by the functions here, each through a dataloader.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import strawberry

from sprocket.api.context import Context
from sprocket.api.ids import gid, maybe_int, to_int
from sprocket.api.league import GameModeNode, MemberNode
from sprocket.api.pagination import Connection, PageInfo, counter
from sprocket.api.schedule import StandingRowNode
from sprocket.league.models import League, Member
from sprocket.paging import decode_cursor, encode_cursor
from sprocket.ratings import leaderboards, reads, service
from sprocket.ratings.enums import RatingSource
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.ratings.skill import display_rating

Info = strawberry.Info[Context, None]
RatingSourceEnum = strawberry.enum(
    RatingSource, name="RatingSource", description="Where the game was played."
)


@strawberry.enum(name="PlayerLeaderboardBy")
class PlayerLeaderboardBy(enum.Enum):
    RATING = "rating"
    GOALS = "goals"
    SAVES = "saves"
    SHOTS = "shots"
    ASSISTS = "assists"
    WIN_RATE = "win_rate"


@strawberry.enum(name="GameOutcome")
class GameOutcome(enum.Enum):
    W = "W"
    L = "L"


@strawberry.type(
    name="Rating",
    description=(
        "A member's skill rating in one game mode (Weng-Lin, openskill's Plackett-Luce). "
        "`displayed` = max(0, round(1000 + 20 * (mu - 3 * sigma))): a new player shows 1000. "
        "`provisional` until the organization's `rating_provisional_games`."
    ),
)
class RatingNode:
    mu: float
    sigma: float
    displayed: int
    games: int
    wins: int
    provisional: bool
    updated_at: dt.datetime
    game_mode_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: Rating, threshold: int) -> RatingNode:
        return cls(
            mu=row.mu,
            sigma=row.sigma,
            displayed=row.displayed,
            games=row.games,
            wins=row.wins,
            provisional=row.games < threshold,
            updated_at=row.updated_at,
            game_mode_id=row.game_mode_id,
        )

    @strawberry.field
    async def game_mode(self, info: Info) -> GameModeNode:
        return await GameModeNode.load(info, self.game_mode_id)


@strawberry.type(name="RatingPoint", description="A member's rating before and after one game.")
class RatingPointNode:
    source: RatingSourceEnum  # type: ignore[valid-type]
    game_id: strawberry.ID
    played_at: dt.datetime
    won: bool
    mu_before: float
    sigma_before: float
    mu_after: float
    sigma_after: float
    displayed_before: int
    displayed_after: int

    @classmethod
    def of(cls, row: RatingPoint) -> RatingPointNode:
        return cls(
            source=row.source,
            game_id=gid(row.source_game_id),
            played_at=row.played_at,
            won=row.won,
            mu_before=row.mu_before,
            sigma_before=row.sigma_before,
            mu_after=row.mu_after,
            sigma_after=row.sigma_after,
            displayed_before=display_rating(row.mu_before, row.sigma_before),
            displayed_after=row.displayed_after,
        )


@strawberry.type(name="PlayerLeaderboardEntry")
class PlayerLeaderboardEntryNode:
    rank: int
    value: float = strawberry.field(
        description="The rating (displayed), per-game average or win rate (0 to 1) ranked by."
    )
    games: int
    wins: int
    member_id: strawberry.Private[int]
    game_mode_id: strawberry.Private[int]

    @strawberry.field
    async def member(self, info: Info) -> MemberNode:
        return MemberNode.of(await info.context.by_id(Member).load(self.member_id))

    @strawberry.field
    async def rating(self, info: Info) -> RatingNode | None:
        return await _rating_loader(info.context, self.game_mode_id).load(self.member_id)


# -- loaders ---------------------------------------------------------------------------------


async def _nodes(session: Any, rows: Sequence[Rating]) -> list[RatingNode]:
    thresholds = await service.provisional_thresholds(
        session, list({r.organization_id for r in rows})
    )
    return [RatingNode.of(r, thresholds[r.organization_id]) for r in rows]


def _rating_loader(context: Context, game_mode_id: int):  # noqa: ANN202
    async def fetch(session: Any, member_ids: Sequence[int]) -> dict[int, RatingNode]:
        found = await service.ratings_of(session, member_ids=member_ids, game_mode_id=game_mode_id)
        rows = list(found.values())
        return {r.member_id: n for r, n in zip(rows, await _nodes(session, rows), strict=True)}

    return context.batch(f"rating:{game_mode_id}", fetch)


def _points_loader(context: Context, game_mode_id: int, limit: int):  # noqa: ANN202
    """The newest ``limit`` rating points of each member in a game mode, newest first."""

    async def fetch(session: Any, member_ids: Sequence[int]) -> dict[int, list[RatingPoint]]:
        return await reads.recent_points(
            session, member_ids=member_ids, game_mode_id=game_mode_id, limit=limit
        )

    return context.batch(f"rating_points:{game_mode_id}:{limit}", fetch)


async def _mode_of_league(info: Info, league_id: int) -> int:
    return (await info.context.by_id(League).load(league_id)).game_mode_id


# -- fields other types declare --------------------------------------------------------------


async def player_rating(info: Info, *, member_id: int, league_id: int) -> RatingNode | None:
    mode = await _mode_of_league(info, league_id)
    return await _rating_loader(info.context, mode).load(member_id)


async def player_history(
    info: Info, *, member_id: int, league_id: int, first: int
) -> list[RatingPointNode]:
    reads.check_history_length(first, unit="points at a time")
    mode = await _mode_of_league(info, league_id)
    rows = await _points_loader(info.context, mode, first).load(member_id)
    return [RatingPointNode.of(r) for r in rows or []]


async def player_form(
    info: Info, *, member_id: int, league_id: int, games: int
) -> list[GameOutcome]:
    reads.check_history_length(games, unit="games")
    mode = await _mode_of_league(info, league_id)
    rows = await _points_loader(info.context, mode, games).load(member_id)
    return [GameOutcome.W if r.won else GameOutcome.L for r in rows or []]


async def member_ratings(info: Info, *, member_id: int) -> list[RatingNode]:
    async def fetch(session: Any, member_ids: Sequence[int]) -> dict[int, list[RatingNode]]:
        found = await reads.ratings_by_member(session, member_ids=member_ids)
        rows = [row for ratings in found.values() for row in ratings]
        grouped: dict[int, list[RatingNode]] = defaultdict(list)
        for row, node in zip(rows, await _nodes(session, rows), strict=True):
            grouped[row.member_id].append(node)
        return grouped

    return await info.context.batch("member_ratings", fetch).load(member_id) or []


async def team_record(info: Info, *, team_id: int, season_id: int) -> StandingRowNode | None:
    async def fetch(session: Any, keys: Sequence[tuple[int, int]]) -> dict:
        return await leaderboards.team_records(session, keys=keys)

    row = await info.context.batch("team_record", fetch).load((season_id, team_id))
    return StandingRowNode.of(row) if row else None


# -- queries ---------------------------------------------------------------------------------


@strawberry.type
class RatingsQuery:
    @strawberry.field(
        description="Players ranked by rating or by a per-game stat; `after` is a cursor."
    )
    async def player_leaderboard(
        self,
        info: Info,
        organization_id: strawberry.ID,
        game_mode: str,
        by: PlayerLeaderboardBy = PlayerLeaderboardBy.RATING,
        skill_group_id: strawberry.ID | None = None,
        season_id: strawberry.ID | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        min_games: int = 0,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[PlayerLeaderboardEntryNode]:
        offset = decode_cursor(after) if after is not None else 0
        board = leaderboards.PlayerBoard(by.value)
        async with info.context.runtime.reading() as session:
            mode = await service.game_mode_id(session, game_mode)
            filters = leaderboards.Filters(
                organization_id=to_int(organization_id),
                game_mode_id=mode,
                skill_group_id=maybe_int(skill_group_id),
                season_id=maybe_int(season_id),
                since=since,
                until=until,
                min_games=min_games,
            )
            page = await leaderboards.player_leaderboard(
                session, by=board, filters=filters, first=first, offset=offset
            )
        nodes = [
            PlayerLeaderboardEntryNode(
                rank=e.rank,
                value=e.value,
                games=e.games,
                wins=e.wins,
                member_id=e.member_id,
                game_mode_id=mode,
            )
            for e in page.entries
        ]
        return Connection(
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=page.has_next,
                end_cursor=encode_cursor(nodes[-1].rank) if nodes else None,
            ),
            counter=counter(
                info.context.runtime.reading,
                lambda session: leaderboards.count_players(session, by=board, filters=filters),
            ),
        )

    @strawberry.field(description="Teams by standings in a season (and skill group).")
    async def team_leaderboard(
        self, info: Info, season_id: strawberry.ID, skill_group_id: strawberry.ID | None = None
    ) -> list[StandingRowNode]:
        async with info.context.runtime.reading() as session:
            rows = await leaderboards.team_leaderboard(
                session, season_id=to_int(season_id), skill_group_id=maybe_int(skill_group_id)
            )
        return [StandingRowNode.of(r) for r in rows]

    @strawberry.field(
        description="The home line-up's chance to beat the away line-up (member ids), from "
        "their current ratings in the game mode."
    )
    async def win_probability(
        self,
        info: Info,
        game_mode: str,
        organization_id: strawberry.ID,
        home: list[strawberry.ID],
        away: list[strawberry.ID],
    ) -> float:
        async with info.context.runtime.reading() as session:
            return await service.win_probability_for(
                session,
                home_member_ids=[to_int(m) for m in home],
                away_member_ids=[to_int(m) for m in away],
                game_mode_id=await service.game_mode_id(session, game_mode),
                organization_id=to_int(organization_id),
            )
