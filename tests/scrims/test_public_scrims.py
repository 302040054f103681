"""``scrims.service.public_scrims``: what anyone may know of the open scrims."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from sprocket.db import utcnow
from sprocket.demo import build_demo
from sprocket.identity.access import Actor
from sprocket.league.models import League, Member, Player, SkillGroup
from sprocket.runtime import Runtime
from sprocket.scrims import lifecycle, service
from sprocket.scrims.enums import ScrimStatus


async def demo_doubles_people(platform: Runtime, count: int) -> tuple[int, list[Actor], list[str]]:
    """The demo organization's id, and ``count`` Doubles players (best skill group first) as
    actors with their skill group's name."""
    async with platform.unit_of_work() as s:
        org_id = (await build_demo(s)).organization_id
        rows = (
            await s.execute(
                select(Member, SkillGroup.name)
                .join(Player, Player.member_id == Member.id)
                .join(League, League.id == Player.league_id)
                .join(SkillGroup, SkillGroup.id == Player.skill_group_id)
                .where(League.name == "Doubles League")
                .order_by(SkillGroup.ordinal.desc(), Member.id)
                .limit(count)
            )
        ).all()
    actors = [Actor(user_id=m.user_id, name=m.name) for m, _ in rows]
    return org_id, actors, [g for _, g in rows]


async def open_casual_scrim(platform: Runtime, org_id: int, people: list[Actor]) -> int:
    """A casual Doubles scrim the first of ``people`` opens and the others join."""
    now = utcnow()
    async with platform.unit_of_work() as s:
        scrim = await lifecycle.create_scrim(
            s,
            actor=people[0],
            organization_id=org_id,
            game_mode="doubles",
            wait_until=dt.timedelta(minutes=30),
            competitive=False,
            now=now,
        )
    for actor in people[1:]:
        async with platform.unit_of_work() as s:
            await lifecycle.join_scrim(
                s, actor=actor, scrim_id=scrim.id, wait_until=dt.timedelta(minutes=30), now=now
            )
    return scrim.id


async def test_a_summary_counts_seats_and_names_skill_groups(platform: Runtime) -> None:
    org_id, people, groups = await demo_doubles_people(platform, 2)
    assert groups == ["Champion", "Champion"]
    scrim_id = await open_casual_scrim(platform, org_id, people)
    async with platform.reading() as s:
        lines = await service.public_scrims(s, organization_id=org_id)
        assert await service.public_scrims(s, organization_id=org_id, game_mode="standard") == []
    [line] = lines
    assert line.id == scrim_id and line.game_mode == "Doubles"
    assert (line.taken, line.seats, line.competitive, line.games) == (2, 4, False, 3)
    assert line.status is ScrimStatus.PENDING and line.skill_group is None
    assert [g.name for g in line.skill_groups] == ["Champion"]
    assert not hasattr(line, "lobby_name") and not hasattr(line, "lobby_password")


async def test_no_scrim_no_line(platform: Runtime) -> None:
    async with platform.unit_of_work() as s:
        org_id = (await build_demo(s)).organization_id
    async with platform.reading() as s:
        assert await service.public_scrims(s, organization_id=org_id) == []
