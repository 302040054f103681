"""The matchmaking queue through its service: entering and leaving, every refusal (typed, and
nothing changed), lobbies formed with ``form_lobbies`` into popped scrims that then run as any
scrim, expiry by the sweep, a restart, and races on PostgreSQL. Doubles: four a lobby."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from sprocket.errors import DomainError
from sprocket.identity.access import Actor
from sprocket.jobs import build_runtime
from sprocket.league import service as league
from sprocket.league.models import GameMode
from sprocket.platform.outbox import OutboxMessage
from sprocket.runtime import Runtime
from sprocket.scrims import bans as queue_bans
from sprocket.scrims import lifecycle, matchmaking, service, timeouts
from sprocket.scrims import staff as scrim_staff
from sprocket.scrims.models import QueueBan, QueueTicket, Scrim, ScrimEntry
from tests.conftest import POSTGRES_URL
from tests.league_world import World
from tests.scrims.helpers import NOW, Person, new_person, premier_people, rate, snapshot

MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)


async def enter(
    platform: Runtime, world: World, person: Person, *, now: dt.datetime = NOW, **kwargs: Any
) -> QueueTicket:
    kwargs.setdefault("game_mode", "doubles")
    kwargs.setdefault("wait_until", now + 30 * MINUTE)
    async with platform.unit_of_work() as s:
        return await matchmaking.enter_queue(
            s, actor=person.actor, organization_id=world.organization_id, now=now, **kwargs
        )


async def leave(
    platform: Runtime, world: World, person: Person, *, now: dt.datetime = NOW
) -> QueueTicket:
    async with platform.unit_of_work() as s:
        return await matchmaking.leave_queue(
            s, actor=person.actor, organization_id=world.organization_id, now=now
        )


async def sweep(platform: Runtime, now: dt.datetime) -> timeouts.SweepResult:
    async with platform.unit_of_work() as s:
        return await timeouts.sweep(s, now=now)


async def tickets(platform: Runtime) -> list[QueueTicket]:
    async with platform.reading() as s:
        return list((await s.scalars(select(QueueTicket).order_by(QueueTicket.id))).all())


async def seats(platform: Runtime, scrim_id: int) -> list[ScrimEntry]:
    async with platform.reading() as s:
        return list(
            (
                await s.scalars(
                    select(ScrimEntry)
                    .where(ScrimEntry.scrim_id == scrim_id, ScrimEntry.active.is_(True))
                    .order_by(ScrimEntry.joined_at, ScrimEntry.id)
                )
            ).all()
        )


async def scrims(platform: Runtime) -> list[Scrim]:
    async with platform.reading() as s:
        return list((await s.scalars(select(Scrim).order_by(Scrim.id))).all())


async def set_setting(platform: Runtime, world: World, key: str, value: Any) -> None:
    async with platform.unit_of_work() as s:
        await league.set_organization_setting(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            key=key,
            value=value,
        )


async def everything(platform: Runtime) -> tuple[Any, ...]:
    """The scrims' state, every ticket and the number of outbox messages."""
    async with platform.reading() as s:
        outbox = await s.scalar(select(func.count()).select_from(OutboxMessage))
    rows = [
        (t.id, t.member_id, t.active, t.status, t.scrim_id, t.left_at, t.wait_until)
        for t in await tickets(platform)
    ]
    return await snapshot(platform), rows, outbox


async def refused(platform: Runtime, code: str, action: Any) -> DomainError:
    """``action`` fails with ``code`` and a sentence, and changes nothing."""
    before = await everything(platform)
    with pytest.raises(DomainError) as caught:
        await action
    assert caught.value.code == code, caught.value
    assert caught.value.message.strip()
    assert await everything(platform) == before
    return caught.value


async def channels(platform: Runtime) -> list[str]:
    async with platform.reading() as s:
        rows = await s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.job == "event.publish")
            .order_by(OutboxMessage.id)
        )
        return [r.payload["channel"] for r in rows]


async def doubles_id(platform: Runtime) -> int:
    async with platform.reading() as s:
        mode_id = await s.scalar(select(GameMode.id).where(GameMode.code == "doubles"))
    assert mode_id is not None
    return mode_id


# -- entering and leaving ----------------------------------------------------------------------


async def test_entering_and_leaving_the_queue(platform: Runtime, world: World) -> None:
    a, b = (await premier_people(platform, world))[:2]
    org = world.organization_id
    ticket = await enter(platform, world, a, wait_until=NOW + 20 * MINUTE)
    assert ticket.status == "queued" and ticket.active and ticket.scrim_id is None
    assert ticket.skill_group_id == world.skill_group_ids[0]  # competitive: their own group
    assert (ticket.joined_at, ticket.wait_until) == (NOW, NOW + 20 * MINUTE)
    casual = await enter(platform, world, b, competitive=False, now=NOW + MINUTE)
    assert casual.skill_group_id is None

    async with platform.reading() as s:
        mine = await matchmaking.my_ticket(s, actor=a.actor, organization_id=org)
        sizes = await matchmaking.queue_sizes(s, organization_id=org)
    assert mine is not None and mine.id == ticket.id
    mode = await doubles_id(platform)
    assert sizes == [
        matchmaking.QueueSize(mode, world.skill_group_ids[0], 1, 4),
        matchmaking.QueueSize(mode, None, 1, 4),  # casual last
    ]

    left = await leave(platform, world, a, now=NOW + 2 * MINUTE)
    assert (left.id, left.status, left.active) == (ticket.id, "left", False)
    assert left.left_at == NOW + 2 * MINUTE
    async with platform.reading() as s:
        assert await matchmaking.my_ticket(s, actor=a.actor, organization_id=org) is None
        sizes = await matchmaking.queue_sizes(s, organization_id=org, game_mode="doubles")
    assert sizes == [matchmaking.QueueSize(mode, None, 1, 4)]

    # Every change went to the game mode's queue channel and to the member's channel.
    sent = await channels(platform)
    assert sent.count(service.queue_channel(org, mode)) == 3
    assert sent.count(service.member_channel(a.member_id)) == 2
    assert sent.count(service.member_channel(b.member_id)) == 1

    # Out of the queue, a member may open a scrim again, or queue again.
    scrim = await _open(platform, world, a, now=NOW + 3 * MINUTE)
    assert scrim.status == "pending"
    async with platform.unit_of_work() as s:
        await lifecycle.leave_scrim(s, actor=a.actor, scrim_id=scrim.id, now=NOW + 4 * MINUTE)
    again = await enter(platform, world, a, now=NOW + 5 * MINUTE)
    assert again.status == "queued" and again.id != ticket.id


async def _join(platform: Runtime, person: Person, scrim_id: int) -> Scrim:
    async with platform.unit_of_work() as s:
        return await lifecycle.join_scrim(
            s, actor=person.actor, scrim_id=scrim_id, wait_until=NOW + 30 * MINUTE, now=NOW
        )


async def _open(platform: Runtime, world: World, person: Person, **kwargs: Any) -> Scrim:
    now = kwargs.pop("now", NOW)
    async with platform.unit_of_work() as s:
        return await lifecycle.create_scrim(
            s,
            actor=person.actor,
            organization_id=world.organization_id,
            game_mode="doubles",
            wait_until=now + 30 * MINUTE,
            now=now,
            **kwargs,
        )


async def test_bad_input_is_refused_with_a_typed_error_and_changes_nothing(
    platform: Runtime, world: World
) -> None:
    a, b, c, d = (await premier_people(platform, world))[:4]
    stranger = await new_person(platform, world, 2)  # a member who plays in no league
    master = await new_person(platform, world, 3, skill_group=world.skill_group_ids[1])
    scrim = await _open(platform, world, a)
    await enter(platform, world, b)

    # a seat and a ticket exclude each other; one ticket at a time
    await refused(platform, "ALREADY_IN_SCRIM", enter(platform, world, a))
    await refused(platform, "ALREADY_QUEUED", enter(platform, world, b))
    await refused(platform, "ALREADY_QUEUED", enter(platform, world, b, competitive=False))
    await refused(platform, "ALREADY_QUEUED", _open(platform, world, b))
    await refused(platform, "ALREADY_QUEUED", _join(platform, b, scrim.id))
    # the wrong skill group, or none, for a competitive queue
    await refused(platform, "NO_SKILL_GROUP", enter(platform, world, stranger))
    await refused(
        platform,
        "WRONG_SKILL_GROUP",
        enter(platform, world, master, skill_group_id=world.skill_group_ids[0]),
    )
    # not a member, not signed in, no such organization or game mode, a wait out of bounds
    outsider = Person(world.actors["outsider"], 0, 0)
    await refused(platform, "PERMISSION_DENIED", enter(platform, world, outsider))
    await refused(platform, "UNAUTHENTICATED", enter(platform, world, Person(Actor(), 0, 0)))
    elsewhere = World(**{**vars(world), "organization_id": world.organization_id + 100})
    await refused(platform, "NOT_FOUND", enter(platform, elsewhere, c))
    await refused(platform, "NOT_FOUND", enter(platform, world, c, game_mode="quidditch"))
    await refused(
        platform, "INVALID_WAIT", enter(platform, world, c, wait_until=NOW + dt.timedelta(days=2))
    )
    await refused(platform, "INVALID_WAIT", enter(platform, world, c, wait_until=NOW))
    # leaving a queue you are not in
    await refused(platform, "NOT_QUEUED", leave(platform, world, c))
    await refused(platform, "PERMISSION_DENIED", leave(platform, world, outsider))
    # banned from the queue
    async with platform.unit_of_work() as s:
        await queue_bans.ban_member(
            s, organization_id=world.organization_id, member_id=d.member_id, reason="r", now=NOW
        )
    error = await refused(platform, "QUEUE_BANNED", enter(platform, world, d))
    assert "1 Mar 2031 18:30 UTC" in error.message
    # scrims turned off by the organization
    await set_setting(platform, world, "scrims_enabled", False)
    await refused(platform, "SCRIMS_DISABLED", enter(platform, world, c, competitive=False))
    # and after all that, only b waits
    assert [(t.member_id, t.status) for t in await tickets(platform)] == [(b.member_id, "queued")]


# -- forming lobbies ---------------------------------------------------------------------------


async def test_a_full_lobby_pops_a_scrim_that_checks_in_and_starts(
    platform: Runtime, world: World
) -> None:
    a, b, c, d, e = (await premier_people(platform, world))[:5]
    await rate(
        platform, world, {a.member_id: 40, b.member_id: 30, c.member_id: 20, d.member_id: 10}
    )
    await set_setting(platform, world, "scrim_queue_games", 5)
    for i, person in enumerate((a, b, c)):
        assert (await enter(platform, world, person, now=NOW + i * MINUTE)).status == "queued"
    assert await scrims(platform) == []
    placed = await enter(platform, world, d, now=NOW + 3 * MINUTE, wait_until=NOW + 9 * MINUTE)
    assert placed.status == "placed" and not placed.active and placed.scrim_id is not None

    (scrim,) = await scrims(platform)
    assert scrim.id == placed.scrim_id
    assert (scrim.status, scrim.competitive, scrim.team_mode, scrim.games) == (
        "popped",
        True,
        "fixed",
        5,
    )
    assert scrim.skill_group_id == world.skill_group_ids[0]
    assert scrim.created_by_member_id == a.member_id  # the longest waiter anchors the lobby
    assert scrim.popped_at == NOW + 3 * MINUTE
    assert scrim.check_in_deadline == NOW + 3 * MINUTE + dt.timedelta(seconds=300)
    entries = await seats(platform, scrim.id)
    # Seated as they queued: their time of entry and their own wait.
    assert [(x.member_id, x.joined_at) for x in entries] == [
        (p.member_id, NOW + i * MINUTE) for i, p in enumerate((a, b, c, d))
    ]
    assert entries[3].wait_until == NOW + 9 * MINUTE
    assert {(t.status, t.scrim_id) for t in await tickets(platform)} == {("placed", scrim.id)}
    async with platform.reading() as s:
        mine = await service.my_scrim(s, actor=a.actor, organization_id=world.organization_id)
        ticket = await matchmaking.my_ticket(
            s, actor=a.actor, organization_id=world.organization_id
        )
    assert mine is not None and mine.id == scrim.id and ticket is None
    # Subscribers hear of the new scrim: on the queue's channel and each player's.
    sent = await channels(platform)
    for person in (a, b, c, d):
        assert service.member_channel(person.member_id) in sent[-5:]

    # Seated players may not queue; the fifth player waits alone.
    await refused(platform, "ALREADY_IN_SCRIM", enter(platform, world, a, now=NOW + 4 * MINUTE))
    assert (await enter(platform, world, e, now=NOW + 4 * MINUTE)).status == "queued"

    # From here the scrim is an ordinary one: the last check-in starts it, teams balanced.
    for i, person in enumerate((a, b, c, d)):
        async with platform.unit_of_work() as s:
            row = await lifecycle.check_in(
                s, actor=person.actor, scrim_id=scrim.id, now=NOW + 5 * MINUTE
            )
        assert row.status == ("in_progress" if i == 3 else "popped")
    teams = {x.member_id: x.team for x in await seats(platform, scrim.id)}
    # 40 + 10 against 30 + 20: the only even split.
    assert teams[a.member_id] == teams[d.member_id] != teams[b.member_id] == teams[c.member_id]
    async with platform.reading() as s:
        assert len(await service.game_lineups_of(s, scrim.id)) == 5


async def test_a_large_queue_forms_lobbies_of_similar_skill_longest_waiters_first(
    platform: Runtime, world: World
) -> None:
    """Gathering for ten minutes, eleven players queue one second apart; the sweep then forms
    two lobbies: the longest waiter's with the three nearest to their skill, then the next
    longest waiter's likewise; the three left over wait on."""
    people = await premier_people(platform, world)
    assert len(people) == 11
    late = await new_person(platform, world, 4, skill_group=world.skill_group_ids[0])
    mus = [10, 40, 11, 41, 12, 42, 13, 43, 30, 31]  # by order of entry; the 11th is new
    await rate(platform, world, {p.member_id: mu for p, mu in zip(people, mus, strict=False)})
    await rate(platform, world, {late.member_id: 26})
    await set_setting(platform, world, "scrim_queue_gather_seconds", 600)

    for i, person in enumerate(people):
        await enter(platform, world, person, now=NOW + i * SECOND)
    assert await scrims(platform) == []  # still gathering: eleven, the longest for ten seconds
    result = await sweep(platform, NOW + 9 * MINUTE)
    assert result.formed_scrim_ids == [] and await scrims(platform) == []

    result = await sweep(platform, NOW + 10 * MINUTE)
    first, second = await scrims(platform)
    assert result.formed_scrim_ids == [first.id, second.id]

    def members(*indexes: int) -> set[int]:
        return {people[i].member_id for i in indexes}

    # Lobby 1: the longest waiter (10) and the three nearest (11, 12, 13), not the next in
    # line; lobby 2: the longest waiter left (40) with 41, 42, 43.
    assert {x.member_id for x in await seats(platform, first.id)} == members(0, 2, 4, 6)
    assert {x.member_id for x in await seats(platform, second.id)} == members(1, 3, 5, 7)
    assert first.created_by_member_id == people[0].member_id
    assert second.created_by_member_id == people[1].member_id
    assert first.status == second.status == "popped"
    # The leftovers (30, 31 and the unrated newcomer) stay queued, in order.
    queued = [t for t in await tickets(platform) if t.active]
    assert [t.member_id for t in queued] == [p.member_id for p in people[8:]]
    assert all(t.status == "queued" for t in queued)

    # They have waited past the gathering time, so the next player completes a lobby at once.
    ticket = await enter(platform, world, late, now=NOW + 11 * MINUTE)
    assert ticket.status == "placed"
    assert {x.member_id for x in await seats(platform, ticket.scrim_id)} == members(8, 9, 10) | {
        late.member_id
    }
    assert [t for t in await tickets(platform) if t.active] == []


async def test_a_missed_check_in_bans_and_the_rest_return_to_the_queue_in_their_place(
    platform: Runtime, world: World
) -> None:
    a, b, c, d, e = (await premier_people(platform, world))[:5]
    for n, person in enumerate((a, b, c, d)):
        last = await enter(platform, world, person, now=NOW + n * MINUTE)
    assert last.scrim_id is not None
    for person in (a, b, c):
        async with platform.unit_of_work() as s:
            await lifecycle.check_in(s, actor=person.actor, scrim_id=last.scrim_id, now=NOW)
    popped = NOW + 3 * MINUTE
    result = await sweep(platform, popped + dt.timedelta(seconds=300))
    assert [m.member_id for m in result.missed_check_ins] == [d.member_id]
    (scrim,) = await scrims(platform)
    assert scrim.status == "cancelled" and await seats(platform, scrim.id) == []
    async with platform.reading() as s:
        bans = (await s.scalars(select(QueueBan.member_id))).all()
    assert bans == [d.member_id]
    await refused(platform, "QUEUE_BANNED", enter(platform, world, d, now=NOW + 9 * MINUTE))
    # a, b and c wait again in the queue, in the order they first entered.
    queued = [t for t in await tickets(platform) if t.active]
    assert [(t.member_id, t.joined_at) for t in queued] == [
        (a.member_id, NOW),
        (b.member_id, NOW + MINUTE),
        (c.member_id, NOW + 2 * MINUTE),
    ]
    assert all(t.wait_until > popped + dt.timedelta(seconds=300) for t in queued)
    placed = await enter(platform, world, e, now=NOW + 9 * MINUTE)
    assert placed.status == "placed"
    assert {x.member_id for x in await seats(platform, placed.scrim_id)} == {
        a.member_id,
        b.member_id,
        c.member_id,
        e.member_id,
    }


async def test_a_wait_that_runs_out_ends_the_ticket(platform: Runtime, world: World) -> None:
    a, b, c, d, e = (await premier_people(platform, world))[:5]
    await enter(platform, world, a, wait_until=NOW + 5 * MINUTE)
    assert (await sweep(platform, NOW + 4 * MINUTE)).expired_tickets == 0
    result = await sweep(platform, NOW + 5 * MINUTE)
    assert result.expired_tickets == 1
    (ticket,) = await tickets(platform)
    assert (ticket.status, ticket.active, ticket.left_at) == ("expired", False, NOW + 5 * MINUTE)
    sent = await channels(platform)
    assert sent[-1] == service.member_channel(a.member_id)

    # An expired ticket nobody swept yet is never placed: b's wait ran out before d came.
    await enter(platform, world, b, now=NOW + 6 * MINUTE, wait_until=NOW + 8 * MINUTE)
    await enter(platform, world, c, now=NOW + 7 * MINUTE)
    await enter(platform, world, a, now=NOW + 7 * MINUTE)
    assert (await enter(platform, world, d, now=NOW + 9 * MINUTE)).status == "queued"
    statuses = {t.member_id: t.status for t in (await tickets(platform))[1:]}
    assert statuses == {
        b.member_id: "expired",
        c.member_id: "queued",
        a.member_id: "queued",
        d.member_id: "queued",
    }
    placed = await enter(platform, world, e, now=NOW + 10 * MINUTE)
    assert {x.member_id for x in await seats(platform, placed.scrim_id)} == {
        a.member_id,
        c.member_id,
        d.member_id,
        e.member_id,
    }


async def test_a_member_seated_elsewhere_is_dropped_not_seated_twice(
    platform: Runtime, world: World
) -> None:
    """A seat taken beside a ticket (as a race past every check would leave it): forming a
    lobby ends that ticket instead of seating the member a second time."""
    a, b, c, d, e, f = (await premier_people(platform, world))[:6]
    await enter(platform, world, a)
    scrim = await _open(platform, world, b)
    async with platform.unit_of_work() as s:
        s.add(
            ScrimEntry(
                scrim_id=scrim.id,
                member_id=a.member_id,
                joined_at=NOW,
                wait_until=NOW + 30 * MINUTE,
                active=True,
            )
        )
    for person in (c, d, e):
        assert (await enter(platform, world, person, now=NOW + MINUTE)).status == "queued"
    assert [t.status for t in await tickets(platform)] == ["left", "queued", "queued", "queued"]
    placed = await enter(platform, world, f, now=NOW + 2 * MINUTE)
    assert placed.status == "placed"
    async with platform.reading() as s:
        held = (
            await s.scalars(
                select(ScrimEntry.scrim_id).where(
                    ScrimEntry.member_id == a.member_id, ScrimEntry.active.is_(True)
                )
            )
        ).all()
    assert held == [scrim.id]


async def test_nothing_is_formed_while_scrims_are_turned_off(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    await set_setting(platform, world, "scrim_queue_gather_seconds", 600)
    for person in people:
        assert (await enter(platform, world, person)).status == "queued"  # gathering
    await set_setting(platform, world, "scrims_enabled", False)
    assert (await sweep(platform, NOW + 11 * MINUTE)).formed_scrim_ids == []
    await set_setting(platform, world, "scrims_enabled", True)
    assert len((await sweep(platform, NOW + 12 * MINUTE)).formed_scrim_ids) == 1


async def test_a_restart_keeps_the_queue(platform: Runtime, world: World, settings) -> None:
    people = (await premier_people(platform, world))[:4]
    for person in people[:3]:
        await enter(platform, world, person)
    restarted = build_runtime(settings)
    await restarted.start(relay=False)
    try:
        async with restarted.reading() as s:
            mine = await matchmaking.my_ticket(
                s, actor=people[0].actor, organization_id=world.organization_id
            )
        assert mine is not None and mine.status == "queued"
        placed = await enter(restarted, world, people[3], now=NOW + MINUTE)
        assert placed.status == "placed"
        assert {x.member_id for x in await seats(restarted, placed.scrim_id)} == {
            p.member_id for p in people
        }
    finally:
        await restarted.stop()


# -- races (PostgreSQL) ------------------------------------------------------------------------


async def _active_seats(platform: Runtime) -> list[tuple[int, int]]:
    async with platform.reading() as s:
        rows = await s.execute(
            select(ScrimEntry.member_id, ScrimEntry.scrim_id).where(ScrimEntry.active.is_(True))
        )
        return [(m, x) for m, x in rows]


@pytest.mark.skipif(not POSTGRES_URL, reason="needs SPROCKET_TEST_POSTGRES_URL")
async def test_two_players_filling_the_last_places_at_once_form_one_lobby(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    for round_ in range(3):  # a few rounds, so the race is really run more than once
        now = NOW + round_ * dt.timedelta(hours=1)
        await enter(platform, world, people[0], now=now)
        await enter(platform, world, people[1], now=now)
        results = await asyncio.gather(
            enter(platform, world, people[2], now=now + SECOND),
            enter(platform, world, people[3], now=now + SECOND),
        )
        assert {r.status for r in results} <= {"queued", "placed"}
        formed = [x for x in await scrims(platform) if x.status == "popped"]
        assert len(formed) == 1, results
        seated = await _active_seats(platform)
        assert sorted(m for m, _ in seated) == sorted(p.member_id for p in people)
        assert {x for _, x in seated} == {formed[0].id}
        assert [t for t in await tickets(platform) if t.active] == []
        async with platform.unit_of_work() as s:
            await scrim_staff.cancel_scrim(
                s, actor=world.actors["superuser"], scrim_id=formed[0].id
            )


@pytest.mark.skipif(not POSTGRES_URL, reason="needs SPROCKET_TEST_POSTGRES_URL")
async def test_one_member_queueing_and_joining_at_once_gets_one_of_them(
    platform: Runtime, world: World
) -> None:
    a, b = (await premier_people(platform, world))[:2]
    scrim = await _open(platform, world, a)

    results = await asyncio.gather(
        enter(platform, world, b),
        _join(platform, b, scrim.id),
        enter(platform, world, b),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 2, results
    assert all(isinstance(e, DomainError) for e in errors), errors
    assert {e.code for e in errors} <= {"ALREADY_QUEUED", "ALREADY_IN_SCRIM"}
    held_seats = [m for m, _ in await _active_seats(platform) if m == b.member_id]
    held_tickets = [t for t in await tickets(platform) if t.active]
    assert len(held_seats) + len(held_tickets) == 1
