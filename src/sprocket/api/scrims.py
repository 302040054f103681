"""GraphQL door of the scrim queue: queries, mutations and subscriptions over the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator

import strawberry
from strawberry.file_uploads import Upload

from sprocket.api.context import Context
from sprocket.api.ids import RawId, gid, to_int
from sprocket.api.league import GameModeNode, MemberNode, SkillGroupNode
from sprocket.api.limits import ListSize
from sprocket.api.replays import SubmissionNode, read_uploads
from sprocket.flows import scrim_results
from sprocket.league import service as league
from sprocket.league.models import GameMode, Member
from sprocket.replays.models import Submission
from sprocket.scrims import bans, lifecycle, service, staff
from sprocket.scrims.enums import ScrimStatus, ScrimTeamMode, TicketStatus
from sprocket.scrims.models import QueueBan, Scrim, ScrimEntry, ScrimGame, ScrimGroup

Info = strawberry.Info[Context, None]


ScrimStatusEnum = strawberry.enum(
    ScrimStatus,
    name="ScrimStatus",
    description="PENDING (waiting for players), POPPED (full: check-in), IN_PROGRESS, "
    "COMPLETE, CANCELLED, or LOCKED (held by staff).",
)
ScrimTeamModeEnum = strawberry.enum(
    ScrimTeamMode,
    name="ScrimTeamMode",
    description="Fixed teams for the whole scrim, or a new balanced split per game.",
)
TicketStatusEnum = strawberry.enum(
    TicketStatus,
    name="ScrimQueueTicketStatus",
    description="QUEUED (waiting), or how the ticket ended: PLACED (in a scrim), LEFT or EXPIRED.",
)


@strawberry.type(name="ScrimLobby")
class ScrimLobbyNode:
    name: str
    password: str


@strawberry.type(name="ScrimGame")
class ScrimGameNode:
    number: int
    home_member_ids: list[strawberry.ID]
    away_member_ids: list[strawberry.ID]
    home_goals: int | None = None
    away_goals: int | None = None
    home_won: bool | None = strawberry.field(
        default=None,
        description="Whether the home line-up won, as the game's replay says (none until "
        "the result is accepted).",
    )
    played_at: dt.datetime | None = None

    @classmethod
    def of(cls, row: ScrimGame) -> ScrimGameNode:
        def ids(text: str) -> list[strawberry.ID]:
            return [gid(int(v)) for v in text.split(",") if v]

        return cls(
            number=row.number,
            home_member_ids=ids(row.home_member_ids),
            away_member_ids=ids(row.away_member_ids),
            home_goals=row.home_goals,
            away_goals=row.away_goals,
            home_won=row.home_won,
            played_at=row.played_at,
        )


async def _skill_group(info: Info, member_id: int, game_mode_id: int) -> SkillGroupNode | None:
    loader = info.context.batch("scrim.skill_group", service.skill_groups_of)
    row = await loader.load((member_id, game_mode_id))
    return SkillGroupNode.of(row) if row else None


@strawberry.type(name="ScrimPlayer")
class ScrimPlayerNode:
    member_id: strawberry.ID
    team: int | None = strawberry.field(description="0 (home) or 1 (away) once teams are drawn.")
    premade_group_id: strawberry.ID | None
    joined_at: dt.datetime
    wait_until: dt.datetime
    checked_in: bool
    game_mode_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: ScrimEntry, game_mode_id: int) -> ScrimPlayerNode:
        return cls(
            member_id=gid(row.member_id),
            team=row.team,
            premade_group_id=gid(row.group_id) if row.group_id else None,
            joined_at=row.joined_at,
            wait_until=row.wait_until,
            checked_in=row.checked_in_at is not None,
            game_mode_id=game_mode_id,
        )

    @strawberry.field
    async def member(self, info: Info) -> MemberNode:
        return MemberNode.of(await info.context.by_id(Member).load(int(self.member_id)))

    @strawberry.field(description="The player's skill group in a league of the scrim's mode.")
    async def skill_group(self, info: Info) -> SkillGroupNode | None:
        return await _skill_group(info, int(self.member_id), self.game_mode_id)


@strawberry.type(name="Scrim")
class ScrimNode:
    id: strawberry.ID
    organization_id: strawberry.ID
    competitive: bool
    team_mode: ScrimTeamModeEnum  # type: ignore[valid-type]
    games: int
    status: ScrimStatusEnum  # type: ignore[valid-type]
    created_at: dt.datetime
    popped_at: dt.datetime | None
    check_in_deadline: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    game_mode_id: strawberry.Private[int]
    skill_group_id: strawberry.Private[int | None]
    row: strawberry.Private[Scrim]

    @classmethod
    def of(cls, row: Scrim) -> ScrimNode:
        return cls(
            id=gid(row.id),
            organization_id=gid(row.organization_id),
            competitive=row.competitive,
            team_mode=row.team_mode,
            games=row.games,
            status=row.status,
            created_at=row.created_at,
            popped_at=row.popped_at,
            check_in_deadline=row.check_in_deadline,
            started_at=row.started_at,
            finished_at=row.finished_at,
            game_mode_id=row.game_mode_id,
            skill_group_id=row.skill_group_id,
            row=row,
        )

    @strawberry.field
    async def game_mode(self, info: Info) -> GameModeNode:
        return await GameModeNode.load(info, self.game_mode_id)

    @strawberry.field(description="Seats in all: twice the game mode's team size.")
    async def seats(self, info: Info) -> int:
        return 2 * (await info.context.by_id(GameMode).load(self.game_mode_id)).team_size

    @strawberry.field(description="A competitive scrim's skill group (casual: none).")
    async def skill_group(self, info: Info) -> SkillGroupNode | None:
        return await SkillGroupNode.load(info, self.skill_group_id)

    async def _entries(self, info: Info) -> list[ScrimEntry]:
        return await info.context.grouped(
            "scrim.seated", lambda s, ids: service.seated_entries(s, scrim_ids=ids)
        ).load(int(self.id))

    @strawberry.field(
        description="Who holds a seat now, first joined first.",
        directives=[ListSize(assumed_size=8)],
    )
    async def players(self, info: Info) -> list[ScrimPlayerNode]:
        return [ScrimPlayerNode.of(r, self.game_mode_id) for r in await self._entries(info)]

    @strawberry.field(
        description="The distinct skill groups of the players already in, best first: "
        "visible before anyone joins."
    )
    async def skill_groups(self, info: Info) -> list[SkillGroupNode]:
        loader = info.context.batch("scrim.skill_group", service.skill_groups_of)
        keys = [(e.member_id, self.game_mode_id) for e in await self._entries(info)]
        groups = service.skill_groups_best_first(groups=await loader.load_many(keys))
        return [SkillGroupNode.of(row) for row in groups]

    @strawberry.field(
        description="Each game's line-ups, once the scrim has started.",
        directives=[ListSize(assumed_size=7)],
    )
    async def lineups(self, info: Info) -> list[ScrimGameNode]:
        rows = await info.context.children(ScrimGame.scrim_id, ScrimGame.number).load(int(self.id))
        return [ScrimGameNode.of(r) for r in rows]

    @strawberry.field(description="The result's submissions, newest first.")
    async def submissions(self, info: Info) -> list[SubmissionNode]:
        rows = await info.context.children(Submission.scrim_id, Submission.id).load(int(self.id))
        return [SubmissionNode.of(r) for r in reversed(rows)]

    @strawberry.field(description="Lobby name and password: for the scrim's players and staff.")
    async def lobby(self, info: Info) -> ScrimLobbyNode | None:
        if self.row.lobby_name is None or self.row.lobby_password is None:
            return None
        actor = await info.context.actor()
        async with info.context.runtime.reading() as session:
            if not await service.can_see_lobby(session, actor=actor, scrim=self.row):
                return None
        return ScrimLobbyNode(name=self.row.lobby_name, password=self.row.lobby_password)


@strawberry.type(name="ScrimGroup")
class ScrimGroupNode:
    id: strawberry.ID
    scrim_id: strawberry.ID
    code: str = strawberry.field(description="Friends join the group with this code.")

    @classmethod
    def of(cls, row: ScrimGroup) -> ScrimGroupNode:
        return cls(id=gid(row.id), scrim_id=gid(row.scrim_id), code=row.code)


@strawberry.type(name="QueueBan")
class QueueBanNode:
    id: strawberry.ID
    organization_id: strawberry.ID
    reason: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    lifted_at: dt.datetime | None
    member_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: QueueBan) -> QueueBanNode:
        return cls(
            id=gid(row.id),
            organization_id=gid(row.organization_id),
            reason=row.reason,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            lifted_at=row.lifted_at,
            member_id=row.member_id,
        )

    @strawberry.field
    async def member(self, info: Info) -> MemberNode:
        return MemberNode.of(await info.context.by_id(Member).load(self.member_id))


@strawberry.type
class ScrimQuery:
    @strawberry.field(
        description="Scrims of an organization, oldest first (optionally one game mode); "
        "without a status, the unfinished ones."
    )
    async def scrims(
        self,
        info: Info,
        organization_id: strawberry.ID,
        game_mode: str | None = None,
        status: ScrimStatusEnum | None = None,  # type: ignore[valid-type]
    ) -> list[ScrimNode]:
        async with info.context.runtime.reading() as session:
            rows = await service.list_scrims(
                session,
                organization_id=to_int(organization_id),
                game_mode=game_mode,
                status=status,
            )
        return [ScrimNode.of(r) for r in rows]

    @strawberry.field
    async def scrim(self, info: Info, id: strawberry.ID) -> ScrimNode | None:
        row = await info.context.by_id(Scrim).load(to_int(id))
        return ScrimNode.of(row) if row else None

    @strawberry.field(description="The caller's current scrim in the organization, if any.")
    async def my_scrim(self, info: Info, organization_id: strawberry.ID) -> ScrimNode | None:
        actor = await info.context.actor()
        async with info.context.runtime.reading() as session:
            row = await service.my_scrim(
                session, actor=actor, organization_id=to_int(organization_id)
            )
        return ScrimNode.of(row) if row else None

    @strawberry.field(description="Queue bans: staff see everyone's, a member their own.")
    async def queue_bans(
        self, info: Info, organization_id: strawberry.ID, active_only: bool = True
    ) -> list[QueueBanNode]:
        actor = await info.context.actor()
        async with info.context.runtime.reading() as session:
            rows = await bans.list_bans(
                session,
                actor=actor,
                organization_id=to_int(organization_id),
                active_only=active_only,
            )
        return [QueueBanNode.of(r) for r in rows]


@strawberry.type
class ScrimMutation:
    @strawberry.mutation(description="Open a scrim and take its first seat.")
    async def create_scrim(
        self,
        info: Info,
        organization_id: strawberry.ID,
        game_mode: str,
        wait_minutes: int,
        competitive: bool = True,
        team_mode: ScrimTeamModeEnum = ScrimTeamMode.FIXED,  # type: ignore[valid-type]
        games: int = 3,
        skill_group_id: strawberry.ID | None = None,
    ) -> ScrimNode:
        row = await info.context.mutate(
            lifecycle.create_scrim,
            organization_id=RawId(organization_id),
            game_mode=game_mode,
            wait_until=dt.timedelta(minutes=wait_minutes),
            competitive=competitive,
            team_mode=team_mode,
            games=games,
            skill_group_id=RawId.maybe(skill_group_id),
        )
        return ScrimNode.of(row)

    @strawberry.mutation(
        description="Take a seat in a pending scrim, in a premade group with its code."
    )
    async def join_scrim(
        self,
        info: Info,
        scrim_id: strawberry.ID,
        wait_minutes: int,
        group_code: str | None = None,
    ) -> ScrimNode:
        row = await info.context.mutate(
            lifecycle.join_scrim,
            scrim_id=RawId(scrim_id),
            wait_until=dt.timedelta(minutes=wait_minutes),
            group_code=group_code,
        )
        return ScrimNode.of(row)

    @strawberry.mutation(description="Give up your seat in a scrim that has not popped.")
    async def leave_scrim(self, info: Info, scrim_id: strawberry.ID) -> ScrimNode:
        return ScrimNode.of(
            await info.context.mutate(lifecycle.leave_scrim, scrim_id=RawId(scrim_id))
        )

    @strawberry.mutation(description="Start a premade group in your scrim; share its code.")
    async def create_scrim_group(self, info: Info, scrim_id: strawberry.ID) -> ScrimGroupNode:
        row = await info.context.mutate(lifecycle.create_group, scrim_id=RawId(scrim_id))
        return ScrimGroupNode.of(row)

    @strawberry.mutation(description="Confirm your seat in a popped scrim.")
    async def check_in(self, info: Info, scrim_id: strawberry.ID) -> ScrimNode:
        return ScrimNode.of(await info.context.mutate(lifecycle.check_in, scrim_id=RawId(scrim_id)))

    @strawberry.mutation(
        description="A player of a scrim in progress uploads its games' replays, one per game "
        "in order; they are checked in the background, then the other side ratifies "
        "(ratifySubmission) or rejects them, as for a league match."
    )
    async def submit_scrim_replays(
        self, info: Info, scrim_id: strawberry.ID, files: list[Upload]
    ) -> SubmissionNode:
        runtime = info.context.runtime
        max_size = runtime.settings.replay_max_bytes
        row = await info.context.mutate(
            scrim_results.submit_scrim_replays,
            storage=runtime.storage,
            scrim_id=RawId(scrim_id),
            files=lambda: read_uploads(files, max_size),  # read once the caller may submit
            max_size=max_size,
        )
        return SubmissionNode.of(row)

    @strawberry.mutation(description="Staff freeze a pending or running scrim.")
    async def lock_scrim(self, info: Info, scrim_id: strawberry.ID) -> ScrimNode:
        return ScrimNode.of(await info.context.mutate(staff.lock_scrim, scrim_id=RawId(scrim_id)))

    @strawberry.mutation(description="Staff release a locked scrim.")
    async def unlock_scrim(self, info: Info, scrim_id: strawberry.ID) -> ScrimNode:
        row = await info.context.mutate(staff.unlock_scrim, scrim_id=RawId(scrim_id))
        return ScrimNode.of(row)

    @strawberry.mutation(description="Staff call off a scrim; every seat is freed.")
    async def cancel_scrim(self, info: Info, scrim_id: strawberry.ID) -> ScrimNode:
        row = await info.context.mutate(staff.cancel_scrim, scrim_id=RawId(scrim_id))
        return ScrimNode.of(row)

    @strawberry.mutation(description="Staff end a queue ban early.")
    async def lift_queue_ban(self, info: Info, ban_id: strawberry.ID) -> QueueBanNode:
        return QueueBanNode.of(await info.context.mutate(bans.lift_ban, ban_id=RawId(ban_id)))


@strawberry.type
class ScrimQueueEvent:
    organization_id: strawberry.ID
    game_mode: str
    scrims: list[ScrimNode]


@strawberry.type
class MyScrimEvent:
    scrim: ScrimNode | None


@strawberry.type
class ScrimSubscription:
    @strawberry.subscription(
        description="The unfinished scrims of a game mode now, then again after each change."
    )
    async def scrim_queue(
        self, info: Info, organization_id: strawberry.ID, game_mode: str
    ) -> AsyncGenerator[ScrimQueueEvent, None]:
        org = to_int(organization_id)
        runtime = info.context.runtime
        async with runtime.reading() as session:
            mode = await league.game_mode_by_code(session, game_mode)
        async with runtime.cache.subscribe(service.queue_channel(org, mode.id)) as messages:
            while True:
                info.context.forget()
                async with runtime.reading() as session:
                    rows = await service.list_scrims(
                        session, organization_id=org, game_mode=mode.code
                    )
                await info.context.recheck()  # the token still holds
                yield ScrimQueueEvent(
                    organization_id=gid(org),
                    game_mode=mode.code,
                    scrims=[ScrimNode.of(r) for r in rows],
                )
                await anext(messages)

    @strawberry.subscription(description="Your current scrim now, then again after each change.")
    async def my_scrim_updates(
        self, info: Info, organization_id: strawberry.ID
    ) -> AsyncGenerator[MyScrimEvent, None]:
        org = to_int(organization_id)
        actor = await info.context.actor()
        runtime = info.context.runtime
        async with runtime.reading() as session:
            member = await service.member_of(session, actor=actor, organization_id=org)
        async with runtime.cache.subscribe(service.member_channel(member.id)) as messages:
            sent: list[tuple[int, int] | None] = []
            while True:
                info.context.forget()
                await info.context.recheck()  # on every event: the token still holds
                async with runtime.reading() as session:
                    row = await service.my_scrim(session, actor=actor, organization_id=org)
                state = None if row is None else (row.id, row.version)
                if not sent or sent[-1] != state:  # events only nudge: the state is read again
                    sent.append(state)
                    yield MyScrimEvent(scrim=ScrimNode.of(row) if row else None)
                await anext(messages)
