"""People of a World for scrim tests: members with actors, ratings, and state snapshots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import members
from sprocket.league.models import GameMode, Member, Player
from sprocket.ratings.models import Rating
from sprocket.runtime import Runtime
from sprocket.scrims.models import QueueBan, Scrim, ScrimEntry, ScrimGame, ScrimGroup
from tests.league_world import World

NOW = dt.datetime(2031, 3, 1, 18, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Person:
    actor: Actor
    member_id: int
    user_id: int


async def premier_people(platform: Runtime, world: World) -> list[Person]:
    """Every member with a Player in the World's first skill group (11: 8 rostered, 3 free)."""
    async with platform.reading() as s:
        rows = await s.execute(
            select(Member.id, Member.user_id)
            .join(Player, Player.member_id == Member.id)
            .where(Player.skill_group_id == world.skill_group_ids[0])
            .order_by(Member.id)
        )
        return [Person(Actor(user_id=u), m, u) for m, u in rows]


async def new_person(
    platform: Runtime, world: World, n: int, *, skill_group: int | None = None
) -> Person:
    """A fresh member (a player in ``skill_group`` when given, else no league at all)."""
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        user = await identity.ensure_user(
            s, discord_id=str(940000000000000000 + n), display_name=f"Scrimmer {n}"
        )
        member = await members.add_member(
            s, actor=root, organization_id=world.organization_id, user_id=user.id
        )
        if skill_group is not None:
            await members.register_player(
                s,
                actor=root,
                member_id=member.id,
                league_id=world.league_id,
                skill_group_id=skill_group,
            )
    return Person(Actor(user_id=user.id), member.id, user.id)


async def rate(platform: Runtime, world: World, mus: dict[int, float]) -> None:
    """Give members a doubles rating of the given mu (sigma 2)."""
    async with platform.unit_of_work() as s:
        mode = await s.scalar(select(GameMode).where(GameMode.code == "doubles"))
        for member_id, mu in mus.items():
            s.add(
                Rating(
                    organization_id=world.organization_id,
                    member_id=member_id,
                    game_mode_id=mode.id,
                    mu=mu,
                    sigma=2.0,
                    displayed=1000,
                    games=20,
                )
            )


async def snapshot(platform: Runtime) -> dict[str, Any]:
    """Everything a scrim action may change, to check that a refusal changed nothing."""
    async with platform.reading() as s:
        scrims = (await s.execute(select(Scrim).order_by(Scrim.id))).scalars().all()
        entries = (await s.execute(select(ScrimEntry).order_by(ScrimEntry.id))).scalars().all()
        return {
            "scrims": [
                (x.id, x.status, x.popped_at, x.check_in_deadline, x.started_at, x.version)
                for x in scrims
            ],
            "entries": [
                (e.id, e.scrim_id, e.member_id, e.active, e.checked_in_at, e.group_id, e.team)
                for e in entries
            ],
            "groups": await s.scalar(select(func.count()).select_from(ScrimGroup)),
            "games": await s.scalar(select(func.count()).select_from(ScrimGame)),
            "bans": [
                (b.id, b.lifted_at)
                for b in (await s.execute(select(QueueBan).order_by(QueueBan.id))).scalars()
            ],
        }
