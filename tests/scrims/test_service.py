"""The scrim queue through its service: join, pop, check in, start, time-outs, bans, staff,
and every refusal (a typed error that changes nothing). Doubles: four seats a scrim."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from sprocket.db import utcnow
from sprocket.errors import DomainError
from sprocket.jobs import build_runtime
from sprocket.league import service as league
from sprocket.platform.outbox import OutboxMessage
from sprocket.ratings.balance import Entrant
from sprocket.ratings.skill import Skill
from sprocket.runtime import Runtime
from sprocket.scrims import bans as queue_bans
from sprocket.scrims import lifecycle, service, timeouts
from sprocket.scrims import staff as scrim_staff
from sprocket.scrims.enums import ScrimStatus
from sprocket.scrims.lineups import game_lineups
from sprocket.scrims.models import Scrim, ScrimEntry, ScrimGame
from tests.conftest import POSTGRES_URL
from tests.league_world import World
from tests.scrims.helpers import NOW, Person, new_person, premier_people, rate, snapshot

WAIT = NOW + dt.timedelta(minutes=30)
MINUTE = dt.timedelta(minutes=1)


async def open_scrim(
    platform: Runtime, world: World, person: Person, *, now: dt.datetime = NOW, **kwargs: Any
) -> Scrim:
    kwargs.setdefault("game_mode", "doubles")
    kwargs.setdefault("wait_until", now + dt.timedelta(minutes=30))
    async with platform.unit_of_work() as s:
        return await lifecycle.create_scrim(
            s, actor=person.actor, organization_id=world.organization_id, now=now, **kwargs
        )


async def join(
    platform: Runtime, person: Person, scrim_id: int, *, now: dt.datetime = NOW, **kwargs: Any
) -> Scrim:
    kwargs.setdefault("wait_until", now + dt.timedelta(minutes=30))
    async with platform.unit_of_work() as s:
        return await lifecycle.join_scrim(
            s, actor=person.actor, scrim_id=scrim_id, now=now, **kwargs
        )


async def act(platform: Runtime, fn: Callable[..., Awaitable[Any]], /, **kwargs: Any) -> Any:
    async with platform.unit_of_work() as s:
        return await fn(s, **kwargs)


async def refused(platform: Runtime, code: str, action: Awaitable[Any]) -> DomainError:
    """``action`` fails with ``code`` and changes nothing."""
    before = await snapshot(platform)
    with pytest.raises(DomainError) as caught:
        await action
    assert caught.value.code == code, caught.value
    assert caught.value.message.strip()
    assert await snapshot(platform) == before
    return caught.value


async def state(platform: Runtime, scrim_id: int) -> tuple[Scrim, list[ScrimEntry]]:
    async with platform.reading() as s:
        scrim = await s.get(Scrim, scrim_id)
        entries = (
            await s.scalars(
                select(ScrimEntry)
                .where(ScrimEntry.scrim_id == scrim_id, ScrimEntry.active.is_(True))
                .order_by(ScrimEntry.id)
            )
        ).all()
        return scrim, list(entries)


async def full_scrim(platform: Runtime, world: World, people: list[Person], **kwargs: Any) -> int:
    scrim = await open_scrim(platform, world, people[0], **kwargs)
    for person in people[1:4]:
        await join(platform, person, scrim.id)
    return scrim.id


async def test_a_scrim_fills_pops_checks_in_and_starts_with_balanced_teams(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    a, b, c, d = people
    await rate(
        platform, world, {a.member_id: 40, b.member_id: 30, c.member_id: 20, d.member_id: 10}
    )
    scrim = await open_scrim(platform, world, a)
    assert scrim.status == "pending" and scrim.competitive
    assert scrim.skill_group_id == world.skill_group_ids[0]
    for person in (b, c):
        assert (await join(platform, person, scrim.id)).status == "pending"
    popped = await join(platform, d, scrim.id, now=NOW + MINUTE)
    assert popped.status == "popped"
    assert popped.check_in_deadline == NOW + MINUTE + dt.timedelta(seconds=300)

    for i, person in enumerate(people):
        row = await act(
            platform,
            lifecycle.check_in,
            actor=person.actor,
            scrim_id=scrim.id,
            now=NOW + 2 * MINUTE,
        )
        assert row.status == ("in_progress" if i == 3 else "popped")
    row, entries = await state(platform, scrim.id)
    assert row.started_at == NOW + 2 * MINUTE and row.check_in_deadline is None
    assert row.lobby_name and row.lobby_password and len(row.lobby_password) == 8
    teams = {e.member_id: e.team for e in entries}
    # 40 + 10 against 30 + 20: the only even split.
    assert teams[a.member_id] == teams[d.member_id] != teams[b.member_id] == teams[c.member_id]
    async with platform.reading() as s:
        games = (await s.scalars(select(ScrimGame).where(ScrimGame.scrim_id == scrim.id))).all()
    assert [g.number for g in games] == [1, 2, 3]
    assert {g.home_member_ids for g in games} == {f"{a.member_id},{d.member_id}"}


async def test_scrims_are_listed_by_status_and_a_word_that_is_none_is_refused(
    platform: Runtime, world: World
) -> None:
    """GraphQL types the status; a door that passes text (the CLI) has it checked here."""
    (person,) = (await premier_people(platform, world))[:1]
    scrim = await open_scrim(platform, world, person)
    org = world.organization_id
    for status in (None, "pending", ScrimStatus.PENDING):
        listed = await act(platform, service.list_scrims, organization_id=org, status=status)
        assert [row.id for row in listed] == [scrim.id], status
    assert await act(platform, service.list_scrims, organization_id=org, status="complete") == []
    await refused(
        platform,
        "INVALID_STATUS",
        act(platform, service.list_scrims, organization_id=org, status="lost"),
    )


async def test_round_robin_plays_a_different_balanced_split_each_game(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    await rate(platform, world, {p.member_id: 10 + 7 * i for i, p in enumerate(people)})
    scrim_id = await full_scrim(platform, world, people, team_mode="round_robin", games=3)
    for person in people:
        await act(platform, lifecycle.check_in, actor=person.actor, scrim_id=scrim_id, now=NOW)
    async with platform.reading() as s:
        games = (
            await s.scalars(
                select(ScrimGame).where(ScrimGame.scrim_id == scrim_id).order_by(ScrimGame.number)
            )
        ).all()
    homes = [frozenset(g.home_member_ids.split(",")) for g in games]
    aways = [frozenset(g.away_member_ids.split(",")) for g in games]
    splits = {frozenset((h, w)) for h, w in zip(homes, aways, strict=True)}
    assert len(splits) == 3  # doubles has exactly three splits of four players: all played
    # Game 1 is the most even split: 10 + 31 against 17 + 24.
    ids = [str(p.member_id) for p in people]
    assert {homes[0], aways[0]} == {frozenset({ids[0], ids[3]}), frozenset({ids[1], ids[2]})}


def test_round_robin_lineups_keep_groups_together_and_repeat_when_splits_run_out() -> None:
    skill = [Skill(25 + i, 3) for i in range(6)]
    players = [Entrant(k, skill[k]) for k in range(6)]
    splits = game_lineups(
        players, team_size=3, games=5, round_robin=True, groups=[frozenset({0, 1})]
    )
    for split in splits:
        home = {p.key for p in split.home}
        assert {0, 1} <= home or not {0, 1} & home
    assert len({frozenset(p.key for p in s.home) for s in splits}) == 4  # 4 splits keep 0+1
    assert splits[4] == splits[0]
    duel = game_lineups(players[:2], team_size=1, games=3, round_robin=True)
    assert len(duel) == 3 and duel[0] == duel[2]


async def test_premade_groups_join_by_code_and_play_together(
    platform: Runtime, world: World
) -> None:
    a, b, c, d, e = (await premier_people(platform, world))[:5]
    # Alone, the balancer would pair 40 with 10; the group of the two best stays together.
    await rate(
        platform, world, {a.member_id: 40, b.member_id: 30, c.member_id: 20, d.member_id: 10}
    )
    scrim = await open_scrim(platform, world, a)
    group = await act(platform, lifecycle.create_group, actor=a.actor, scrim_id=scrim.id)
    assert len(group.code) == 6
    await refused(
        platform,
        "GROUP_NOT_FOUND",
        join(platform, b, scrim.id, group_code="NOPE42"),
    )
    await join(platform, b, scrim.id, group_code=group.code.lower())
    await refused(platform, "GROUP_FULL", join(platform, e, scrim.id, group_code=group.code))
    await refused(
        platform,
        "ALREADY_IN_GROUP",
        act(platform, lifecycle.create_group, actor=b.actor, scrim_id=scrim.id),
    )
    for person in (c, d):
        await join(platform, person, scrim.id)
    for person in (a, b, c, d):
        await act(platform, lifecycle.check_in, actor=person.actor, scrim_id=scrim.id, now=NOW)
    _, entries = await state(platform, scrim.id)
    teams = {x.member_id: x.team for x in entries}
    assert teams[a.member_id] == teams[b.member_id] != teams[c.member_id] == teams[d.member_id]


async def test_the_scrim_shows_its_players_skill_groups(platform: Runtime, world: World) -> None:
    people = await premier_people(platform, world)
    master = await new_person(platform, world, 1, skill_group=world.skill_group_ids[1])
    casual = await open_scrim(platform, world, people[0], competitive=False)
    await join(platform, master, casual.id)
    async with platform.reading() as s:
        found = await service.skill_groups_of(
            s, [(people[0].member_id, casual.game_mode_id), (master.member_id, casual.game_mode_id)]
        )
    assert {g.id for g in found.values()} == set(world.skill_group_ids)
    # Shown once each, best first (Premier, ordinal 1, before Master), whoever joined first;
    # a player in no skill group (None) adds none.
    master_first = [found[(master.member_id, casual.game_mode_id)], None, *found.values()]
    shown = service.skill_groups_best_first(groups=master_first)
    assert [g.id for g in shown] == world.skill_group_ids


async def test_a_wait_that_runs_out_removes_the_player(platform: Runtime, world: World) -> None:
    a, b, c, d = (await premier_people(platform, world))[:4]
    scrim = await open_scrim(platform, world, a, wait_until=NOW + 10 * MINUTE)
    await join(platform, b, scrim.id, wait_until=NOW + 20 * MINUTE)
    async with platform.unit_of_work() as s:
        assert await timeouts.expire_waits(s, now=NOW + 10 * MINUTE) == 1
    row, entries = await state(platform, scrim.id)
    assert row.status == "pending" and [e.member_id for e in entries] == [b.member_id]
    # A seat held by an expired wait is free for a newcomer even before the sweep runs.
    later = NOW + 25 * MINUTE
    await join(platform, c, scrim.id, now=later)
    row, entries = await state(platform, scrim.id)
    assert [e.member_id for e in entries] == [c.member_id]
    async with platform.unit_of_work() as s:
        result = await timeouts.sweep(s, now=later + dt.timedelta(hours=1))
    assert result.expired_waits == 1
    row, entries = await state(platform, scrim.id)
    assert row.status == "cancelled" and entries == []
    # The gone player may queue again.
    assert (await open_scrim(platform, world, d)).status == "pending"


async def test_a_missed_check_in_cancels_the_pop_bans_the_missing_and_requeues_the_rest(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:6]
    a, b, c, d, e, f = people
    scrim_id = await full_scrim(platform, world, people[:4])
    deadline = NOW + dt.timedelta(seconds=300)
    for person in (a, b):
        await act(platform, lifecycle.check_in, actor=person.actor, scrim_id=scrim_id, now=NOW)
    async with platform.unit_of_work() as s:
        assert (
            await timeouts.sweep(s, now=deadline - dt.timedelta(seconds=1))
        ).missed_check_ins == []
    async with platform.unit_of_work() as s:
        result = await timeouts.sweep(s, now=deadline)
    assert {m.member_id for m in result.missed_check_ins} == {c.member_id, d.member_id}
    for missed in result.missed_check_ins:
        assert missed.ban is not None
        assert missed.ban.ends_at == deadline + dt.timedelta(minutes=30)
    row, entries = await state(platform, scrim_id)
    assert row.status == "pending" and row.check_in_deadline is None
    assert [x.member_id for x in entries] == [a.member_id, b.member_id]
    assert all(x.checked_in_at is None for x in entries)
    # The pop did not eat their wait: it is lengthened by the five minutes it took.
    assert all(x.wait_until == NOW + dt.timedelta(minutes=35) for x in entries)

    # Banned: refused with the end of the ban in the sentence.
    error = await refused(
        platform, "QUEUE_BANNED", join(platform, c, scrim_id, now=deadline + MINUTE)
    )
    assert "1 Mar 2031 18:35 UTC" in error.message
    # The scrim fills again with others and pops; c misses again later: a longer ban.
    await join(platform, e, scrim_id, now=deadline + MINUTE)
    await join(platform, f, scrim_id, now=deadline + MINUTE)
    row, _ = await state(platform, scrim_id)
    assert row.status == "popped"

    async with platform.unit_of_work() as s:
        ban = await queue_bans.ban_member(
            s,
            organization_id=world.organization_id,
            member_id=c.member_id,
            reason="missed another check-in",
            now=deadline + 2 * MINUTE,
        )
    # initial 30 + modifier 30 for the one earlier ban in the last 30 days
    assert ban is not None and ban.ends_at - ban.starts_at == dt.timedelta(minutes=60)


async def test_staff_lift_a_ban_and_the_player_may_queue_again(
    platform: Runtime, world: World
) -> None:
    a = (await premier_people(platform, world))[0]
    async with platform.unit_of_work() as s:
        ban = await queue_bans.ban_member(
            s,
            organization_id=world.organization_id,
            member_id=a.member_id,
            reason="testing",
            now=NOW,
        )
    assert ban is not None
    await refused(platform, "QUEUE_BANNED", open_scrim(platform, world, a))
    await refused(
        platform,
        "PERMISSION_DENIED",
        act(platform, queue_bans.lift_ban, actor=world.actors["player"], ban_id=ban.id, now=NOW),
    )
    lifted = await act(
        platform, queue_bans.lift_ban, actor=world.actors["league_staff"], ban_id=ban.id, now=NOW
    )
    assert lifted.lifted_at == NOW
    await refused(
        platform,
        "BAN_NOT_ACTIVE",
        act(platform, queue_bans.lift_ban, actor=world.actors["league_staff"], ban_id=ban.id),
    )
    assert (await open_scrim(platform, world, a)).status == "pending"


async def test_bad_input_is_refused_with_a_typed_error_and_changes_nothing(
    platform: Runtime, world: World
) -> None:
    people = await premier_people(platform, world)
    a, b, c, d, e = people[:5]
    stranger = await new_person(platform, world, 2)  # a member who plays in no league
    master = await new_person(platform, world, 3, skill_group=world.skill_group_ids[1])
    scrim = await open_scrim(platform, world, a)
    other = await open_scrim(platform, world, e, competitive=False)

    # joining two scrims at once (also: the same one twice)
    await refused(platform, "ALREADY_IN_SCRIM", join(platform, a, other.id))
    await refused(platform, "ALREADY_IN_SCRIM", join(platform, e, scrim.id))
    await refused(platform, "ALREADY_IN_SCRIM", open_scrim(platform, world, a))
    # the wrong skill group, or none, for a competitive scrim
    await refused(platform, "WRONG_SKILL_GROUP", join(platform, master, scrim.id))
    await refused(platform, "NO_SKILL_GROUP", open_scrim(platform, world, stranger))
    await refused(
        platform,
        "WRONG_SKILL_GROUP",
        open_scrim(platform, world, master, skill_group_id=world.skill_group_ids[0]),
    )
    # not a member of the organization at all
    await refused(
        platform,
        "PERMISSION_DENIED",
        join(platform, Person(world.actors["outsider"], 0, 0), scrim.id),
    )
    # a wait out of bounds
    await refused(
        platform, "INVALID_WAIT", join(platform, b, scrim.id, wait_until=NOW + dt.timedelta(days=2))
    )
    # checking in to a scrim you are not in, or before it pops
    await refused(
        platform,
        "NOT_IN_SCRIM",
        act(platform, lifecycle.check_in, actor=b.actor, scrim_id=scrim.id, now=NOW),
    )
    await refused(
        platform,
        "NOT_POPPED",
        act(platform, lifecycle.check_in, actor=a.actor, scrim_id=scrim.id, now=NOW),
    )
    for person in (b, c, d):
        await join(platform, person, scrim.id)
    # the scrim is full now
    await refused(platform, "SCRIM_NOT_OPEN", join(platform, stranger, scrim.id))
    # leaving a popped scrim
    await refused(
        platform,
        "SCRIM_POPPED",
        act(platform, lifecycle.leave_scrim, actor=a.actor, scrim_id=scrim.id),
    )
    await act(platform, lifecycle.check_in, actor=a.actor, scrim_id=scrim.id, now=NOW)
    # checking in twice
    await refused(
        platform,
        "ALREADY_CHECKED_IN",
        act(platform, lifecycle.check_in, actor=a.actor, scrim_id=scrim.id, now=NOW),
    )
    # checking in after the window closed (the sweep has not run yet)
    await refused(
        platform,
        "CHECK_IN_CLOSED",
        act(
            platform,
            lifecycle.check_in,
            actor=b.actor,
            scrim_id=scrim.id,
            now=NOW + dt.timedelta(hours=1),
        ),
    )
    for person in (b, c, d):
        await act(platform, lifecycle.check_in, actor=person.actor, scrim_id=scrim.id, now=NOW)
    # leaving a started scrim
    await refused(
        platform,
        "SCRIM_STARTED",
        act(platform, lifecycle.leave_scrim, actor=a.actor, scrim_id=scrim.id),
    )
    # scrims disabled by the organization
    async with platform.unit_of_work() as s:
        await league.set_organization_setting(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            key="scrims_enabled",
            value=False,
        )
    await refused(platform, "SCRIMS_DISABLED", join(platform, stranger, other.id))
    await refused(
        platform, "SCRIMS_DISABLED", open_scrim(platform, world, stranger, competitive=False)
    )


async def test_leaving_frees_the_seat_and_an_empty_scrim_is_cancelled(
    platform: Runtime, world: World
) -> None:
    a, b = (await premier_people(platform, world))[:2]
    scrim = await open_scrim(platform, world, a)
    await join(platform, b, scrim.id)
    await act(platform, lifecycle.leave_scrim, actor=b.actor, scrim_id=scrim.id, now=NOW)
    row, entries = await state(platform, scrim.id)
    assert row.status == "pending" and [e.member_id for e in entries] == [a.member_id]
    # The players now are those who hold a seat: whoever left is not among them.
    async with platform.reading() as s:
        seated = await service.seated_entries(s, scrim_ids=[scrim.id, scrim.id + 1000])
    assert {k: [e.member_id for e in v] for k, v in seated.items()} == {scrim.id: [a.member_id]}
    await refused(
        platform,
        "NOT_IN_SCRIM",
        act(platform, lifecycle.leave_scrim, actor=b.actor, scrim_id=scrim.id),
    )
    await act(platform, lifecycle.leave_scrim, actor=a.actor, scrim_id=scrim.id, now=NOW)
    row, entries = await state(platform, scrim.id)
    assert row.status == "cancelled" and entries == []


async def test_staff_lock_unlock_and_cancel(platform: Runtime, world: World) -> None:
    a, b, c = (await premier_people(platform, world))[:3]
    staff = world.actors["league_staff"]
    scrim = await open_scrim(platform, world, a)
    await refused(
        platform,
        "PERMISSION_DENIED",
        act(platform, scrim_staff.lock_scrim, actor=a.actor, scrim_id=scrim.id),
    )
    await act(platform, scrim_staff.lock_scrim, actor=staff, scrim_id=scrim.id)
    await refused(platform, "SCRIM_LOCKED", join(platform, b, scrim.id))
    await refused(
        platform,
        "SCRIM_NOT_LOCKABLE",
        act(platform, scrim_staff.lock_scrim, actor=staff, scrim_id=scrim.id),
    )
    await act(platform, scrim_staff.unlock_scrim, actor=staff, scrim_id=scrim.id)
    await join(platform, b, scrim.id)
    await refused(
        platform,
        "SCRIM_NOT_LOCKED",
        act(platform, scrim_staff.unlock_scrim, actor=staff, scrim_id=scrim.id),
    )
    cancelled = await act(platform, scrim_staff.cancel_scrim, actor=staff, scrim_id=scrim.id)
    assert cancelled.status == "cancelled"
    _, entries = await state(platform, scrim.id)
    assert entries == []
    await refused(
        platform,
        "SCRIM_FINISHED",
        act(platform, scrim_staff.cancel_scrim, actor=staff, scrim_id=scrim.id),
    )
    # Everyone is free to queue again.
    assert (await open_scrim(platform, world, b)).status == "pending"
    await join(platform, c, (await open_scrim(platform, world, a)).id)


async def test_every_change_is_announced_to_the_queue_and_its_players(
    platform: Runtime, world: World
) -> None:
    a, b = (await premier_people(platform, world))[:2]
    scrim = await open_scrim(platform, world, a)
    await join(platform, b, scrim.id)
    async with platform.reading() as s:
        rows = (
            await s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.job == "event.publish")
                .order_by(OutboxMessage.id)
            )
        ).all()
    channels = [r.payload["channel"] for r in rows]
    queue = service.queue_channel(world.organization_id, scrim.game_mode_id)
    assert channels.count(queue) == 2
    assert channels.count(service.member_channel(a.member_id)) == 2
    assert channels.count(service.member_channel(b.member_id)) == 1
    assert rows[-1].payload["event"]["scrim_id"] == scrim.id


async def test_a_restart_keeps_queue_entries_pops_and_check_ins(
    platform: Runtime, world: World, settings
) -> None:
    people = (await premier_people(platform, world))[:4]
    scrim_id = await full_scrim(platform, world, people)
    for person in people[:2]:
        await act(platform, lifecycle.check_in, actor=person.actor, scrim_id=scrim_id, now=NOW)

    restarted = build_runtime(settings)
    await restarted.start(relay=False)
    try:
        row, entries = await state(restarted, scrim_id)
        assert row.status == "popped"
        assert row.check_in_deadline == NOW + dt.timedelta(seconds=300)
        assert [e.checked_in_at is not None for e in entries] == [True, True, False, False]
        await refused(
            restarted,
            "ALREADY_CHECKED_IN",
            act(restarted, lifecycle.check_in, actor=people[0].actor, scrim_id=scrim_id, now=NOW),
        )
        for person in people[2:]:
            await act(restarted, lifecycle.check_in, actor=person.actor, scrim_id=scrim_id, now=NOW)
        row, _ = await state(restarted, scrim_id)
        assert row.status == "in_progress" and row.lobby_name
    finally:
        await restarted.stop()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs SPROCKET_TEST_POSTGRES_URL")
async def test_two_players_racing_for_the_last_seat_exactly_one_gets_it(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:5]
    for _round in range(3):  # a few rounds, so the race is really run more than once
        scrim = await open_scrim(platform, world, people[0])
        await join(platform, people[1], scrim.id)
        await join(platform, people[2], scrim.id)
        results = await asyncio.gather(
            join(platform, people[3], scrim.id),
            join(platform, people[4], scrim.id),
            return_exceptions=True,
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], DomainError) and errors[0].code == "SCRIM_NOT_OPEN"
        row, entries = await state(platform, scrim.id)
        assert row.status == "popped" and len(entries) == 4
        async with platform.unit_of_work() as s:
            await scrim_staff.cancel_scrim(s, actor=world.actors["superuser"], scrim_id=scrim.id)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs SPROCKET_TEST_POSTGRES_URL")
async def test_one_player_joining_two_scrims_at_once_gets_one_seat(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:3]
    first = await open_scrim(platform, world, people[0])
    second = await open_scrim(platform, world, people[1])
    results = await asyncio.gather(
        join(platform, people[2], first.id),
        join(platform, people[2], second.id),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], DomainError) and errors[0].code == "ALREADY_IN_SCRIM"
    async with platform.reading() as s:
        seats = (
            await s.scalars(
                select(ScrimEntry).where(
                    ScrimEntry.member_id == people[2].member_id, ScrimEntry.active.is_(True)
                )
            )
        ).all()
    assert len(seats) == 1


async def test_serve_sweeps_expired_waits_in_the_background(
    platform: Runtime, world: World, settings
) -> None:
    a = (await premier_people(platform, world))[0]
    long_ago = utcnow() - dt.timedelta(hours=2)
    scrim = await open_scrim(platform, world, a, now=long_ago)  # its wait ran out 90 min ago
    serving = build_runtime(settings.model_copy(update={"scrim_sweep_seconds": 0.05}))
    channel = service.queue_channel(world.organization_id, scrim.game_mode_id)
    statuses = []
    try:
        async with serving.cache.subscribe(channel) as messages:
            await serving.start()  # as `serve` does: the relay and the sweeper
            async with asyncio.timeout(10):
                async for raw in messages:
                    statuses.append(json.loads(raw)["status"])
                    if statuses[-1] == "cancelled":
                        break
    finally:
        await serving.stop()
    assert statuses[-1] == "cancelled"
    assert (await state(platform, scrim.id))[1] == []
