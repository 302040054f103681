"""A fortnight of league life for the health analytics' tests, built through the services.

The organization reads dates in America/New_York (EST, UTC-5, until daylight saving time
starts on Sunday 9 March 2025 at 02:00; EDT, UTC-4, after). The report covers the weeks
starting Monday 3 and Monday 10 March 2025 (:data:`FIRST` to :data:`LAST`) at :data:`NOW`.

Services stamp league results with the real clock (the scrim services take ``now``); once
a result is recorded through them, :func:`stamp` moves its moments (the match's window and
completion, the submission's upload and acceptance) to the known ones below, so every
figure is exact whatever day the tests run.

What happens (UTC moments; local New York days in brackets):

- Match 0, replays ratified by the other side: uploaded 6 Mar 10:00, accepted 12:00 (2 h),
  due 7 Mar 23:00: on time, week of 3 Mar.
- Match 1, replays force-accepted by staff: uploaded 7 Mar 20:00, accepted 9 Mar 02:00
  (30 h; [8 Mar 21:00]), due 7 Mar 23:00: late, week of 3 Mar.
- Match 2, replays ratified: uploaded 9 Mar 22:00, accepted 10 Mar 03:00 (5 h; [Sunday
  9 Mar 23:00], so the week of 3 Mar in New York, of 10 Mar in UTC), due 14 Mar 23:00:
  on time, week of 10 Mar.
- Match 3 forfeited, due 14 Mar 23:00; match 4 without a result, due 12 Mar 23:00
  (overdue at NOW); match 5 entered by hand 12 Mar 20:00, due 12 Mar 23:00 (on time, and
  it makes nobody active: a hand result has no stat lines).
- Scrim A: created 11 Mar 18:00 by four players who all check in at 18:04 (started).
- The queue: four players enter 12 Mar 17:00, 17:02, 17:06 and 17:10; the fourth forms a
  lobby (waits 10, 8, 4 and 0 minutes); three check in, the fourth misses the check-in
  (a no-show on 12 Mar); the three go back to the queue.
- Scrim B: created 15 Mar 15:00 by four players; two check in, two miss it (two no-shows
  on 15 Mar).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sprocket.flows import match_results
from sprocket.identity.access import Actor
from sprocket.league import service as league
from sprocket.replays import service as replays
from sprocket.replays.models import Submission
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Match
from sprocket.scrims import lifecycle, matchmaking, timeouts
from sprocket.scrims.models import Scrim
from tests.league_world import World
from tests.replays.series import actor_of, lineup, sweep
from tests.scrims.helpers import Person, new_person, premier_people

ZONE = "America/New_York"
FIRST = dt.date(2025, 3, 3)
LAST = dt.date(2025, 3, 16)
NOW = dt.datetime(2025, 3, 16, 12, 0, tzinfo=dt.UTC)
MAX_SIZE = 20 * 1024 * 1024


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of March 2025, in UTC."""
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=dt.UTC)


@dataclass
class Fortnight:
    """Who played what: the members of each league match's two sides, and of scrim A."""

    match_members: dict[int, set[int]] = field(default_factory=dict)
    scrim_members: set[int] = field(default_factory=set)
    no_show: set[int] = field(default_factory=set)


async def stamp(platform: Runtime, model: Any, row_id: int, **moments: dt.datetime) -> None:
    """Move a row's recorded moments to the known ones (see the module docstring)."""
    async with platform.unit_of_work() as session:
        row = await session.get(model, row_id)
        for name, moment in moments.items():
            setattr(row, name, moment)


async def _run_jobs(platform: Runtime) -> None:
    for _ in range(10):
        sent = await platform.relay.relay_once()
        await platform.broker.wait_all()
        if not sent:
            return
    raise AssertionError("the outbox never drained")


async def _by_replays(
    platform: Runtime, world: World, match_id: int, *, staff: bool, linked: set[int]
) -> tuple[int, set[int]]:
    """The home side uploads a 3-0 series; the other side ratifies it (or staff force-accept
    it). Returns the submission's id and the members of both sides. ``linked``: the members
    whose Steam account is linked already (the others' are linked on the way)."""
    line = await lineup(platform, match_id, unlinked=linked)
    uploader = await actor_of(platform, line.home[0][0])
    async with platform.unit_of_work() as session:
        submitted = await match_results.submit_match_replays(
            session,
            actor=uploader,
            storage=platform.storage,
            match_id=match_id,
            files=sweep(line),
            max_size=MAX_SIZE,
        )
    await _run_jobs(platform)
    decider = world.actors["league_staff"] if staff else await actor_of(platform, line.away[0][0])
    async with platform.unit_of_work() as session:
        if staff:
            done = await replays.force_accept(session, actor=decider, submission_id=submitted.id)
        else:
            done = await replays.ratify(session, actor=decider, submission_id=submitted.id)
        assert done.status == "accepted", done.report
    await _run_jobs(platform)
    members = {m for m, _, _ in line.home + line.away}
    linked |= members
    return submitted.id, members


async def _league(platform: Runtime, world: World, found: Fortnight) -> None:
    staff = world.actors["league_staff"]
    m0, m1, m2, m3, m4, m5 = world.match_ids
    linked: set[int] = set()
    for match_id, staff_accepts, uploaded, accepted, due in (
        (m0, False, utc(6, 10), utc(6, 12), utc(7, 23)),
        (m1, True, utc(7, 20), utc(9, 2), utc(7, 23)),
        (m2, False, utc(9, 22), utc(10, 3), utc(14, 23)),
    ):
        submission_id, members = await _by_replays(
            platform, world, match_id, staff=staff_accepts, linked=linked
        )
        found.match_members[match_id] = members
        await stamp(platform, Submission, submission_id, created_at=uploaded, updated_at=accepted)
        await stamp(platform, Match, match_id, completed_at=accepted, ends_at=due)
    line = await lineup(platform, m3, link=False)
    async with platform.unit_of_work() as session:
        await schedule.record_forfeit(session, actor=staff, match_id=m3, team_id=line.away_team_id)
        await schedule.record_result(session, actor=staff, match_id=m5, games=[(1, 0)] * 3)
    await stamp(platform, Match, m3, ends_at=utc(14, 23), completed_at=utc(13, 9))
    await stamp(platform, Match, m4, ends_at=utc(12, 23))
    await stamp(platform, Match, m5, ends_at=utc(12, 23), completed_at=utc(12, 20))


async def _scrim(platform: Runtime, world: World, people: list[Person], *, at: dt.datetime) -> int:
    """``people`` create and fill a doubles scrim at ``at``; it pops at once."""
    wait = dt.timedelta(hours=2)
    async with platform.unit_of_work() as session:
        scrim = await lifecycle.create_scrim(
            session,
            actor=people[0].actor,
            organization_id=world.organization_id,
            game_mode="doubles",
            wait_until=wait,
            now=at,
        )
        for person in people[1:]:
            await lifecycle.join_scrim(
                session, actor=person.actor, scrim_id=scrim.id, wait_until=wait, now=at
            )
        return scrim.id


async def _check_in(
    platform: Runtime, people: list[Person], scrim_id: int, at: dt.datetime
) -> None:
    async with platform.unit_of_work() as session:
        for person in people:
            await lifecycle.check_in(session, actor=person.actor, scrim_id=scrim_id, now=at)


async def _sweep_at_deadline(platform: Runtime, scrim_id: int) -> None:
    async with platform.unit_of_work() as session:
        deadline = (await session.get(Scrim, scrim_id)).check_in_deadline
        missed = await timeouts.sweep(session, now=deadline)
        assert missed.missed_check_ins


async def _scrims(platform: Runtime, world: World, found: Fortnight) -> None:
    people = await premier_people(platform, world)
    extra = await new_person(platform, world, 1, skill_group=world.skill_group_ids[0])
    a, queued, b = people[:4], people[4:8], [*people[8:11], extra]

    scrim_a = await _scrim(platform, world, a, at=utc(11, 18))
    await _check_in(platform, a, scrim_a, utc(11, 18, 4))
    found.scrim_members = {p.member_id for p in a}

    formed = None
    for person, minute in zip(queued, (0, 2, 6, 10), strict=True):
        async with platform.unit_of_work() as session:
            ticket = await matchmaking.enter_queue(
                session,
                actor=person.actor,
                organization_id=world.organization_id,
                game_mode="doubles",
                wait_until=dt.timedelta(hours=3),
                now=utc(12, 17, minute),
            )
            formed = ticket.scrim_id
    assert formed is not None
    await _check_in(platform, queued[:3], formed, utc(12, 17, 11))
    await _sweep_at_deadline(platform, formed)

    scrim_b = await _scrim(platform, world, b, at=utc(15, 15))
    await _check_in(platform, b[:2], scrim_b, utc(15, 15, 1))
    await _sweep_at_deadline(platform, scrim_b)
    found.no_show = {queued[3].member_id, *(p.member_id for p in b[2:])}


async def build_fortnight(platform: Runtime, world: World) -> Fortnight:
    """The fortnight of the module docstring, in ``world``'s organization (set to New York
    time)."""
    async with platform.unit_of_work() as session:
        await league.set_organization_time_zone(
            session,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            time_zone=ZONE,
        )
    found = Fortnight()
    await _league(platform, world, found)
    await _scrims(platform, world, found)
    return found


def staff_of(world: World) -> Actor:
    """A league's staff member: enough to read the organization's health."""
    return world.actors["league_staff"]
