"""GraphQL types and operations of the calendar: weeks, matches, results, standings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Annotated

import strawberry

from sprocket.api.context import Context
from sprocket.api.ids import RawId, gid, maybe_int, to_int
from sprocket.api.lazy import above
from sprocket.api.league import SkillGroupNode, TeamNode
from sprocket.api.limits import ListSize
from sprocket.api.pagination import Connection, connection
from sprocket.api.stats import PlayerStatLineNode, TeamStatLineNode
from sprocket.flows import match_results
from sprocket.league.models import Team
from sprocket.replays.models import StoredReplay
from sprocket.schedule import service
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Fixture, Match, MatchGame, MatchWeek
from sprocket.schedule.standings import StandingRow
from sprocket.schedule.tasks import match_channel
from sprocket.stats.models import PlayerGameStat, TeamGameStat

if TYPE_CHECKING:
    from sprocket.api.replays import ReplayFileNode

Info = strawberry.Info[Context, None]
# The replays' types (lazily: that module imports this one).
_REPLAYS = "sprocket.api.replays"


@strawberry.type(name="MatchWeek")
class MatchWeekNode:
    id: strawberry.ID
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime

    @classmethod
    def of(cls, row: MatchWeek) -> MatchWeekNode:
        return cls(id=gid(row.id), number=row.number, starts_at=row.starts_at, ends_at=row.ends_at)


@strawberry.type(name="GameScore")
class GameScoreNode:
    number: int
    home_goals: int
    away_goals: int
    home_won: bool = strawberry.field(
        description="Whether the home side won: the goals, unless the game's replay records "
        "the winner (a forfeit is won at any score)."
    )
    played_at: dt.datetime | None = strawberry.field(
        description="When the game was played, from its replay (null for a result by hand)."
    )
    id: strawberry.Private[int]
    stored_replay_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: MatchGame) -> GameScoreNode:
        return cls(
            number=row.number,
            home_goals=row.home_goals,
            away_goals=row.away_goals,
            home_won=row.home_won,
            played_at=row.played_at,
            id=row.id,
            stored_replay_id=row.stored_replay_id,
        )

    @strawberry.field(description="The replay that proves this game, if it came by submission.")
    async def replay(
        self, info: Info
    ) -> Annotated[ReplayFileNode, strawberry.lazy(_REPLAYS)] | None:
        if self.stored_replay_id is None:
            return None
        return above(_REPLAYS, "ReplayFileNode").of(
            await info.context.by_id(StoredReplay).load(self.stored_replay_id)
        )

    @strawberry.field(
        description="The scoreboard: one line per player, best score first.",
        directives=[ListSize(assumed_size=8)],
    )
    async def players(self, info: Info) -> list[PlayerStatLineNode]:
        rows = await info.context.children(
            PlayerGameStat.match_game_id, PlayerGameStat.team_id, PlayerGameStat.score.desc()
        ).load(self.id)
        return [PlayerStatLineNode.of(r) for r in rows]

    @strawberry.field(directives=[ListSize(assumed_size=2)])
    async def teams(self, info: Info) -> list[TeamStatLineNode]:
        rows = await info.context.children(TeamGameStat.match_game_id, TeamGameStat.id).load(
            self.id
        )
        return [TeamStatLineNode.of(r) for r in rows]


MatchStatusEnum = strawberry.enum(
    MatchStatus,
    name="MatchStatus",
    description="SCHEDULED (no result yet), COMPLETED (played) or FORFEITED.",
)


@strawberry.type(name="Match")
class MatchNode:
    id: strawberry.ID
    format: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: MatchStatusEnum  # type: ignore[valid-type]
    completed_at: dt.datetime | None
    fixture_id: strawberry.Private[int]
    skill_group_id: strawberry.Private[int | None]
    forfeited_by_team_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: Match) -> MatchNode:
        return cls(
            id=gid(row.id),
            format=row.format,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=row.status,
            completed_at=row.completed_at,
            fixture_id=row.fixture_id,
            skill_group_id=row.skill_group_id,
            forfeited_by_team_id=row.forfeited_by_team_id,
        )

    async def _fixture(self, info: Info) -> Fixture:
        return await info.context.by_id(Fixture).load(self.fixture_id)

    @strawberry.field
    async def week(self, info: Info) -> MatchWeekNode:
        fixture = await self._fixture(info)
        return MatchWeekNode.of(await info.context.by_id(MatchWeek).load(fixture.match_week_id))

    @strawberry.field
    async def home_team(self, info: Info) -> TeamNode:
        fixture = await self._fixture(info)
        return TeamNode.of(await info.context.by_id(Team).load(fixture.home_team_id))

    @strawberry.field
    async def away_team(self, info: Info) -> TeamNode:
        fixture = await self._fixture(info)
        return TeamNode.of(await info.context.by_id(Team).load(fixture.away_team_id))

    @strawberry.field
    async def skill_group(self, info: Info) -> SkillGroupNode | None:
        return await SkillGroupNode.load(info, self.skill_group_id)

    @strawberry.field
    async def forfeited_by(self, info: Info) -> TeamNode | None:
        if self.forfeited_by_team_id is None:
            return None
        return TeamNode.of(await info.context.by_id(Team).load(self.forfeited_by_team_id))

    @strawberry.field(directives=[ListSize(assumed_size=7)])
    async def games(self, info: Info) -> list[GameScoreNode]:
        rows = await info.context.children(
            MatchGame.match_id, MatchGame.match_id, MatchGame.number
        ).load(int(self.id))
        return [GameScoreNode.of(g) for g in rows]


@strawberry.type(name="StandingRow")
class StandingRowNode:
    rank: int
    played: int
    series_won: int
    series_drawn: int
    series_lost: int
    forfeits: int
    games_won: int
    games_lost: int
    game_difference: int
    goals_for: int
    goals_against: int
    goal_difference: int
    points: int
    team_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: StandingRow[int]) -> StandingRowNode:
        return cls(
            rank=row.rank,
            played=row.played,
            series_won=row.series_won,
            series_drawn=row.series_drawn,
            series_lost=row.series_lost,
            forfeits=row.forfeits,
            games_won=row.games_won,
            games_lost=row.games_lost,
            game_difference=row.game_difference,
            goals_for=row.goals_for,
            goals_against=row.goals_against,
            goal_difference=row.goal_difference,
            points=row.points,
            team_id=row.team,
        )

    @strawberry.field
    async def team(self, info: Info) -> TeamNode:
        return TeamNode.of(await info.context.by_id(Team).load(self.team_id))


@strawberry.type
class MatchStatusEvent:
    match_id: strawberry.ID
    status: MatchStatusEnum  # type: ignore[valid-type]
    starts_at: dt.datetime
    ends_at: dt.datetime


@strawberry.input
class GameScoreInput:
    home_goals: int
    away_goals: int


@strawberry.type
class ScheduleQuery:
    @strawberry.field
    async def match(self, info: Info, id: strawberry.ID) -> MatchNode | None:
        row = await info.context.by_id(Match).load(to_int(id))
        return MatchNode.of(row) if row else None

    @strawberry.field(
        description="A season's matches, filtered by week, team, skill group, status."
    )
    async def matches(
        self,
        info: Info,
        season_id: strawberry.ID,
        week: int | None = None,
        team_id: strawberry.ID | None = None,
        skill_group_id: strawberry.ID | None = None,
        status: MatchStatusEnum | None = None,  # type: ignore[valid-type]
        first: int = 50,
        after: str | None = None,
    ) -> Connection[MatchNode]:
        reading = info.context.runtime.reading
        async with reading() as session:
            page = await service.matches(
                session,
                season_id=to_int(season_id),
                week=week,
                team_id=maybe_int(team_id),
                skill_group_id=maybe_int(skill_group_id),
                status=status,
                first=first,
                after=after,
            )
        return connection(page, convert=MatchNode.of, reading=reading)

    @strawberry.field
    async def match_weeks(self, info: Info, season_id: strawberry.ID) -> list[MatchWeekNode]:
        async with info.context.runtime.reading() as session:
            rows = await service.match_weeks(session, season_id=to_int(season_id))
        return [MatchWeekNode.of(r) for r in rows]

    @strawberry.field(description="A season's table, per skill group when one is given.")
    async def standings(
        self, info: Info, season_id: strawberry.ID, skill_group_id: strawberry.ID | None = None
    ) -> list[StandingRowNode]:
        async with info.context.runtime.reading() as session:
            rows = await service.standings(
                session, season_id=to_int(season_id), skill_group_id=maybe_int(skill_group_id)
            )
        return [StandingRowNode.of(r) for r in rows]

    @strawberry.field(description="A season's schedule as CSV (week,home,away,start,end).")
    async def schedule_csv(self, info: Info, season_id: strawberry.ID) -> str:
        async with info.context.runtime.reading() as session:
            return await service.export_schedule_csv(session, season_id=to_int(season_id))


@strawberry.type
class ScheduleMutation:
    @strawberry.mutation
    async def create_match_weeks(
        self,
        info: Info,
        season_id: strawberry.ID,
        count: int,
        first_starts_at: dt.datetime | None = None,
        days: int = 7,
    ) -> list[MatchWeekNode]:
        rows = await info.context.mutate(
            service.create_match_weeks,
            season_id=RawId(season_id),
            count=count,
            first_starts_at=first_starts_at,
            days=days,
        )
        return [MatchWeekNode.of(r) for r in rows]

    @strawberry.mutation
    async def generate_schedule(
        self,
        info: Info,
        season_id: strawberry.ID,
        skill_group_id: strawberry.ID | None = None,
        double_round_robin: bool = False,
        match_format: str | None = None,
    ) -> list[MatchNode]:
        rows = await info.context.mutate(
            service.generate_schedule,
            season_id=RawId(season_id),
            skill_group_id=RawId.maybe(skill_group_id),
            double=double_round_robin,
            match_format=match_format,
        )
        return [MatchNode.of(r) for r in rows]

    @strawberry.mutation(
        description="Add fixtures from CSV; a file with any bad line adds none. A team plays "
        "once a week unless `allowTwiceInWeek`."
    )
    async def import_schedule(
        self,
        info: Info,
        season_id: strawberry.ID,
        csv: str,
        allow_twice_in_week: bool = False,
    ) -> list[MatchNode]:
        rows = await info.context.mutate(
            service.import_schedule_csv,
            season_id=RawId(season_id),
            text=csv,
            allow_twice_in_week=allow_twice_in_week,
        )
        return [MatchNode.of(r) for r in rows]

    @strawberry.mutation
    async def reschedule_match(
        self, info: Info, match_id: strawberry.ID, starts_at: dt.datetime, ends_at: dt.datetime
    ) -> MatchNode:
        row = await info.context.mutate(
            service.reschedule_match,
            match_id=RawId(match_id),
            starts_at=starts_at,
            ends_at=ends_at,
        )
        return MatchNode.of(row)

    @strawberry.mutation
    async def record_forfeit(
        self, info: Info, match_id: strawberry.ID, team_id: strawberry.ID
    ) -> MatchNode:
        row = await info.context.mutate(
            service.record_forfeit, match_id=RawId(match_id), team_id=RawId(team_id)
        )
        return MatchNode.of(row)

    @strawberry.mutation(description="Enter a series result game by game (staff).")
    async def record_result(
        self, info: Info, match_id: strawberry.ID, games: list[GameScoreInput]
    ) -> MatchNode:
        row = await info.context.mutate(
            match_results.enter_match_result,
            match_id=RawId(match_id),
            games=[(g.home_goals, g.away_goals) for g in games],
        )
        return MatchNode.of(row)


@strawberry.type
class ScheduleSubscription:
    @strawberry.subscription(description="The match's status now, then each change.")
    async def match_status(
        self, info: Info, match_id: strawberry.ID
    ) -> AsyncGenerator[MatchStatusEvent, None]:
        ident = to_int(match_id)
        runtime = info.context.runtime
        async with runtime.cache.subscribe(match_channel(ident)) as messages:
            async with runtime.reading() as session:
                match = await service.match_by_id(session, match_id=ident)
            await info.context.recheck()  # the token still holds
            yield MatchStatusEvent(
                match_id=gid(match.id),
                status=match.status,
                starts_at=match.starts_at,
                ends_at=match.ends_at,
            )
            async for raw in messages:
                event = json.loads(raw)
                await info.context.recheck()  # the token still holds
                yield MatchStatusEvent(
                    match_id=gid(event["match_id"]),
                    status=MatchStatus(event["status"]),
                    starts_at=dt.datetime.fromisoformat(event["starts_at"]),
                    ends_at=dt.datetime.fromisoformat(event["ends_at"]),
                )
