"""Dated rosters through the services: staff date signings and releases in the past (within
the season, audited); a player's spots never overlap; a roster never goes over its maximum or
its salary cap at any moment from a signing's date on.

The World's season started a day ago (``S``), when its eight players were signed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput
from sprocket.league import rosters
from sprocket.league import service as league
from sprocket.league.models import Player, RosterSpot, Season, SkillGroup
from sprocket.league.rosters import Span, busiest
from tests.helpers.database import fails_unchanged


async def _season_start(platform, world) -> dt.datetime:
    async with platform.reading() as s:
        season = await s.get(Season, world.season_id)
    return season.starts_at


def _sign(world, team, player, *, at=None, actor="league_staff"):
    return lambda s: rosters.add_to_roster(
        s,
        actor=world.actors[actor],
        team_id=team,
        player_id=player,
        season_id=world.season_id,
        at=at,
    )


def _release(world, team, player, *, at=None, actor="league_staff"):
    return lambda s: rosters.remove_from_roster(
        s,
        actor=world.actors[actor],
        team_id=team,
        player_id=player,
        season_id=world.season_id,
        at=at,
    )


async def _roster(platform, team, season, at=None) -> list[int]:
    async with platform.reading() as s:
        spots = await rosters.roster_at(s, team_id=team, season_id=season, at=at)
    return [spot.player_id for spot in spots]


async def _audit(platform) -> list[tuple[str, str, dict, int | None]]:
    async with platform.reading() as s:
        rows = await s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, r.subject, r.details, r.actor_user_id) for r in rows]


async def test_staff_date_a_signing_in_the_past_and_the_audit_log_says_so(platform, world):
    start = await _season_start(platform, world)
    team, newcomer = world.team_ids[1], world.free_player_ids[0]
    joined = start + dt.timedelta(hours=3)
    before = await _audit(platform)

    async with platform.unit_of_work() as s:
        spot = await _sign(world, team, newcomer, at=joined)(s)

    assert spot.joined_at == joined
    assert newcomer not in await _roster(
        platform, team, world.season_id, joined - dt.timedelta(minutes=1)
    )
    assert newcomer in await _roster(platform, team, world.season_id, joined)
    assert newcomer in await _roster(platform, team, world.season_id)
    added = (await _audit(platform))[len(before) :]
    assert added == [
        (
            "roster.join",
            f"roster_spot:{spot.id}",
            {
                "team_id": team,
                "player_id": newcomer,
                "season_id": world.season_id,
                "dated": joined.isoformat(),
            },
            world.user_ids["league_staff"],
        )
    ]


async def test_a_signing_now_is_not_audited(platform, world):
    before = await _audit(platform)
    async with platform.unit_of_work() as s:
        await _sign(world, world.team_ids[0], world.free_player_ids[0], actor="franchise_manager")(
            s
        )
    assert await _audit(platform) == before


async def test_only_staff_date_roster_changes(platform, world):
    start = await _season_start(platform, world)
    at = start + dt.timedelta(hours=1)
    franchise_team = world.team_ids[0]
    await fails_unchanged(
        platform,
        _sign(world, franchise_team, world.free_player_ids[0], at=at, actor="franchise_manager"),
        code="PERMISSION_DENIED",
    )
    await fails_unchanged(
        platform,
        _release(world, franchise_team, world.player_ids[1], at=at, actor="franchise_manager"),
        code="PERMISSION_DENIED",
    )
    await fails_unchanged(
        platform,
        _sign(world, franchise_team, world.free_player_ids[0], at=at, actor="spectator"),
        code="UNAUTHENTICATED",
    )


async def test_a_dated_change_lies_in_the_past_and_within_the_season(platform, world):
    start = await _season_start(platform, world)
    async with platform.unit_of_work() as s:
        await league.set_organization_time_zone(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            time_zone="America/New_York",
        )
    team, newcomer = world.team_ids[1], world.free_player_ids[0]
    future = await fails_unchanged(
        platform,
        _sign(world, team, newcomer, at=utcnow() + dt.timedelta(hours=1)),
        code="INVALID_ROSTER_DATE",
        error=InvalidInput,
    )
    assert "not in the future" in future.message
    early = start - dt.timedelta(days=2)
    error = await fails_unchanged(
        platform, _sign(world, team, newcomer, at=early), code="INVALID_ROSTER_DATE"
    )
    local = early.astimezone(ZoneInfo("America/New_York"))
    assert "Season 1" in error.message
    assert f"{local.day} {local:%b} {local.year} {local:%H:%M} {local.tzname()}" in error.message
    await fails_unchanged(
        platform,
        _release(world, world.team_ids[0], world.player_ids[0], at=early),
        code="INVALID_ROSTER_DATE",
    )


async def test_a_departure_comes_after_the_signing(platform, world):
    start = await _season_start(platform, world)
    team, player = world.team_ids[0], world.player_ids[1]
    error = await fails_unchanged(
        platform, _release(world, team, player, at=start), code="INVALID_ROSTER_DATE"
    )
    assert "they can only leave after that" in error.message
    left = start + dt.timedelta(hours=5)
    before = await _audit(platform)
    async with platform.unit_of_work() as s:
        spot = await _release(world, team, player, at=left)(s)
    assert (spot.left_at, spot.is_captain) == (left, False)
    a_minute_before = left - dt.timedelta(minutes=1)
    assert player in await _roster(platform, team, world.season_id, a_minute_before)
    assert player not in await _roster(platform, team, world.season_id, left)
    (entry,) = (await _audit(platform))[len(before) :]
    assert entry[0] == "roster.leave" and entry[2]["dated"] == left.isoformat()


async def test_a_players_spots_never_overlap(platform, world):
    start = await _season_start(platform, world)
    player, first, second = world.player_ids[1], world.team_ids[0], world.team_ids[1]
    left = start + dt.timedelta(hours=6)
    async with platform.unit_of_work() as s:
        await _release(world, first, player, at=left)(s)
    # Signed for the second team before leaving the first: refused, with both dates.
    error = await fails_unchanged(
        platform,
        _sign(world, second, player, at=left - dt.timedelta(hours=1)),
        code="ALREADY_ROSTERED",
        error=Conflict,
    )
    assert "was on Team 1 from" in error.message and "one team at a time" in error.message
    async with platform.unit_of_work() as s:
        spot = await _sign(world, second, player, at=left)(s)
    assert spot.joined_at == left
    # Back to the first team from a date the second spot covers: refused too.
    await fails_unchanged(
        platform,
        _sign(world, first, player, at=left + dt.timedelta(hours=1)),
        code="ALREADY_ROSTERED",
    )


async def test_a_roster_is_never_over_its_maximum_from_the_signing_on(platform, world):
    start = await _season_start(platform, world)
    team = world.team_ids[0]  # two players since the start; doubles allow four
    early, late, last = world.free_player_ids
    async with platform.unit_of_work() as s:
        await _sign(world, team, early, at=start + dt.timedelta(hours=2))(s)
        await _sign(world, team, late)(s)  # now: four
    # Three players stood on the roster at start + 1h, but four from start + 2h on.
    error = await fails_unchanged(
        platform,
        _sign(world, team, last, at=start + dt.timedelta(hours=1)),
        code="ROSTER_FULL",
        error=Conflict,
    )
    assert "at most 4" in error.message
    # Once someone has left, a spot dated after the departure fits.
    left = start + dt.timedelta(hours=10)
    async with platform.unit_of_work() as s:
        await _release(world, team, early, at=left)(s)
        spot = await _sign(world, team, last, at=left)(s)
    assert spot.joined_at == left


async def test_the_salary_cap_holds_from_the_signing_on(platform, world):
    start = await _season_start(platform, world)
    team = world.team_ids[1]  # Team 2: two players since the start
    first, second = world.player_ids[2:4]
    cheap_late, dear, cheap = world.free_player_ids
    salaries = {first: 10.0, second: 11.0, cheap_late: 12.0, dear: 13.0, cheap: 5.0}
    async with platform.unit_of_work() as s:
        (await s.get(SkillGroup, world.skill_group_ids[0])).salary_cap = 30.0
        for player, salary in salaries.items():
            (await s.get(Player, player)).salary = salary
    await fails_unchanged(  # now: 10 + 11 + 12 = 33
        platform, _sign(world, team, cheap_late), code="SALARY_CAP_EXCEEDED", error=Conflict
    )
    async with platform.unit_of_work() as s:
        await _release(world, team, second, at=start + dt.timedelta(hours=5))(s)
        await _sign(world, team, cheap_late, at=start + dt.timedelta(hours=6))(s)  # 10 + 12
    # At start + 5h the roster held 10 + 13, but from start + 6h on 10 + 12 + 13 = 35.
    error = await fails_unchanged(
        platform,
        _sign(world, team, dear, at=start + dt.timedelta(hours=5)),
        code="SALARY_CAP_EXCEEDED",
    )
    assert "at 35, over the Premier salary cap of 30" in error.message
    # 10 + 11 + 5 at start + 1h, and 10 + 12 + 5 from start + 6h: within the cap throughout.
    async with platform.unit_of_work() as s:
        spot = await _sign(world, team, cheap, at=start + dt.timedelta(hours=1))(s)
    assert spot.joined_at == start + dt.timedelta(hours=1)


def test_busiest_counts_every_moment_from_the_date_on() -> None:
    t = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    spans = [
        Span(t, t + 3 * hour, 10.0),  # leaves at t+3
        Span(t + 2 * hour, None, 20.0),  # joins at t+2
        Span(t + 4 * hour, None, 5.0),  # joins at t+4
    ]
    assert busiest(spans, t) == (2, 30.0)  # t+2 to t+3: both of the first two
    assert busiest(spans, t + 3 * hour) == (2, 25.0)  # from t+3: the second and third
    assert busiest(spans, t + 5 * hour) == (2, 25.0)
    assert busiest([], t) == (0, 0.0)


async def test_dated_spots_are_kept_for_the_record(platform, world):
    start = await _season_start(platform, world)
    team, player = world.team_ids[0], world.player_ids[1]
    async with platform.unit_of_work() as s:
        await _release(world, team, player, at=start + dt.timedelta(hours=2))(s)
        await _sign(world, team, player, at=start + dt.timedelta(hours=4))(s)
    async with platform.reading() as s:
        spots = (
            await s.scalars(
                select(RosterSpot)
                .where(RosterSpot.player_id == player)
                .order_by(RosterSpot.joined_at)
            )
        ).all()
    assert [(s.joined_at - start, s.left_at and s.left_at - start) for s in spots] == [
        (dt.timedelta(0), dt.timedelta(hours=2)),
        (dt.timedelta(hours=4), None),
    ]
    gap = start + dt.timedelta(hours=3)
    assert player not in await _roster(platform, team, world.season_id, gap)
