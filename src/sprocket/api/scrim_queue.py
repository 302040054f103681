"""GraphQL door of the matchmaking queue (:mod:`sprocket.scrims.matchmaking`): enter and
leave the queue, the caller's ticket, and how many wait in each queue (counts, no names).

A ticket placed in a lobby points at its scrim, which then goes on as any scrim does
(``checkIn``, ``myScrim``, the scrim subscriptions)."""

from __future__ import annotations

import datetime as dt

import strawberry

from sprocket.api.ids import RawId, gid, to_int
from sprocket.api.league import GameModeNode, SkillGroupNode
from sprocket.api.scrims import Info, ScrimNode, TicketStatusEnum
from sprocket.scrims import matchmaking
from sprocket.scrims.models import QueueTicket, Scrim


@strawberry.type(name="ScrimQueueTicket")
class ScrimQueueTicketNode:
    id: strawberry.ID
    organization_id: strawberry.ID
    status: TicketStatusEnum  # type: ignore[valid-type]
    competitive: bool
    joined_at: dt.datetime
    wait_until: dt.datetime
    left_at: dt.datetime | None
    game_mode_id: strawberry.Private[int]
    skill_group_id: strawberry.Private[int | None]
    scrim_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: QueueTicket) -> ScrimQueueTicketNode:
        return cls(
            id=gid(row.id),
            organization_id=gid(row.organization_id),
            status=row.status,
            competitive=row.skill_group_id is not None,
            joined_at=row.joined_at,
            wait_until=row.wait_until,
            left_at=row.left_at,
            game_mode_id=row.game_mode_id,
            skill_group_id=row.skill_group_id,
            scrim_id=row.scrim_id,
        )

    @strawberry.field
    async def game_mode(self, info: Info) -> GameModeNode:
        return await GameModeNode.load(info, self.game_mode_id)

    @strawberry.field(description="A competitive ticket's skill group (casual: none).")
    async def skill_group(self, info: Info) -> SkillGroupNode | None:
        return await SkillGroupNode.load(info, self.skill_group_id)

    @strawberry.field(description="The popped scrim the ticket was placed in, once it is.")
    async def scrim(self, info: Info) -> ScrimNode | None:
        if self.scrim_id is None:
            return None
        row = await info.context.by_id(Scrim).load(self.scrim_id)
        return ScrimNode.of(row) if row else None


@strawberry.type(name="ScrimQueueSize")
class ScrimQueueSizeNode:
    competitive: bool
    waiting: int = strawberry.field(description="Players waiting in this queue now.")
    lobby_size: int = strawberry.field(description="Players a lobby takes: twice the team size.")
    game_mode_id: strawberry.Private[int]
    skill_group_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: matchmaking.QueueSize) -> ScrimQueueSizeNode:
        return cls(
            competitive=row.skill_group_id is not None,
            waiting=row.waiting,
            lobby_size=row.lobby_size,
            game_mode_id=row.game_mode_id,
            skill_group_id=row.skill_group_id,
        )

    @strawberry.field
    async def game_mode(self, info: Info) -> GameModeNode:
        return await GameModeNode.load(info, self.game_mode_id)

    @strawberry.field(description="A competitive queue's skill group (casual: none).")
    async def skill_group(self, info: Info) -> SkillGroupNode | None:
        return await SkillGroupNode.load(info, self.skill_group_id)


@strawberry.type
class ScrimQueueQuery:
    @strawberry.field(description="The caller's ticket while they wait in the scrim queue.")
    async def my_scrim_queue_ticket(
        self, info: Info, organization_id: strawberry.ID
    ) -> ScrimQueueTicketNode | None:
        actor = await info.context.actor()
        async with info.context.runtime.reading() as session:
            row = await matchmaking.my_ticket(
                session, actor=actor, organization_id=to_int(organization_id)
            )
        return ScrimQueueTicketNode.of(row) if row else None

    @strawberry.field(
        description="How many wait in each scrim queue of the organization (optionally one "
        "game mode): competitive skill groups best first, casual last; counts only."
    )
    async def scrim_queue_sizes(
        self, info: Info, organization_id: strawberry.ID, game_mode: str | None = None
    ) -> list[ScrimQueueSizeNode]:
        async with info.context.runtime.reading() as session:
            rows = await matchmaking.queue_sizes(
                session, organization_id=to_int(organization_id), game_mode=game_mode
            )
        return [ScrimQueueSizeNode.of(r) for r in rows]


@strawberry.type
class ScrimQueueMutation:
    @strawberry.mutation(
        description="Wait in the scrim queue of a game mode (competitive: your skill group's); "
        "a full lobby pops a scrim at once."
    )
    async def enter_scrim_queue(
        self,
        info: Info,
        organization_id: strawberry.ID,
        game_mode: str,
        wait_minutes: int,
        competitive: bool = True,
        skill_group_id: strawberry.ID | None = None,
    ) -> ScrimQueueTicketNode:
        row = await info.context.mutate(
            matchmaking.enter_queue,
            organization_id=RawId(organization_id),
            game_mode=game_mode,
            wait_until=dt.timedelta(minutes=wait_minutes),
            competitive=competitive,
            skill_group_id=RawId.maybe(skill_group_id),
        )
        return ScrimQueueTicketNode.of(row)

    @strawberry.mutation(description="Stop waiting in the scrim queue.")
    async def leave_scrim_queue(
        self, info: Info, organization_id: strawberry.ID
    ) -> ScrimQueueTicketNode:
        row = await info.context.mutate(
            matchmaking.leave_queue, organization_id=RawId(organization_id)
        )
        return ScrimQueueTicketNode.of(row)
