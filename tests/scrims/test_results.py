"""Scrim results: replays uploaded by a player, ratified by the others, then rated; every bad
upload or ratification is refused with a typed error and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import func, select

from sprocket.errors import DomainError
from sprocket.identity import service as identity
from sprocket.identity.models import PlatformAccount
from sprocket.league import service as league
from sprocket.league.models import GameMode
from sprocket.ratings import service as ratings
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.replays.models import AuditEntry, StoredReplay
from sprocket.replays.service import Upload
from sprocket.runtime import Platform
from sprocket.scrims import results, service
from sprocket.scrims.models import Scrim, ScrimEntry, ScrimGame
from tests.helpers.replay_writer import PlayerSpec, build_replay
from tests.league_world import World
from tests.scrims.helpers import NOW, Person, premier_people, snapshot

STEAM = 76561198500000000
MAX = 4 * 1024 * 1024


def steam(member_id: int) -> str:
    return str(STEAM + member_id)


async def link(s: Any, world: World, person: Person) -> None:
    """Link the person's Steam account (once)."""
    linked = await s.scalar(
        select(PlatformAccount).where(PlatformAccount.account_id == steam(person.member_id))
    )
    if linked is None:
        await identity.attach_platform_account(
            s,
            organization_id=world.organization_id,
            member_id=person.member_id,
            platform="steam",
            account_id=steam(person.member_id),
        )


async def started_scrim(platform: Platform, world: World, people: Sequence[Person]) -> int:
    """A competitive doubles scrim with fixed teams and three games, joined by ``people``,
    checked in and started; every player's Steam account is linked."""
    wait = NOW + dt.timedelta(minutes=30)
    async with platform.unit_of_work() as s:
        scrim = await service.create_scrim(
            s,
            actor=people[0].actor,
            organization_id=world.organization_id,
            game_mode="doubles",
            wait_until=wait,
            now=NOW,
        )
        for person in people[1:]:
            await service.join_scrim(
                s, actor=person.actor, scrim_id=scrim.id, wait_until=wait, now=NOW
            )
        for person in people:
            await link(s, world, person)
    for person in people:
        async with platform.unit_of_work() as s:
            await service.check_in(s, actor=person.actor, scrim_id=scrim.id, now=NOW)
    async with platform.reading() as s:
        assert (await s.get(Scrim, scrim.id)).status == "in_progress"
    return scrim.id


async def lineups(platform: Platform, scrim_id: int) -> list[tuple[list[int], list[int]]]:
    async with platform.reading() as s:
        games = await service.game_lineups_of(s, scrim_id)
        return [
            (
                [int(m) for m in g.home_member_ids.split(",")],
                [int(m) for m in g.away_member_ids.split(",")],
            )
            for g in games
        ]


def replay(
    scrim_id: int,
    number: int,
    blue: Sequence[int],
    orange: Sequence[int],
    *,
    blue_goals: int,
    orange_goals: int,
    accounts: dict[int, str] | None = None,
) -> Upload:
    accounts = accounts or {}
    players = [
        PlayerSpec(
            f"P{member}",
            team=team,
            platform="steam",
            platform_id=accounts.get(member, steam(member)),
            goals=1,
        )
        for team, side in ((0, blue), (1, orange))
        for member in side
    ]
    data = build_replay(
        players=players,
        team0_score=blue_goals,
        team1_score=orange_goals,
        date=(NOW + dt.timedelta(minutes=10 * number)).replace(tzinfo=None),
        replay_id=f"{scrim_id:08X}{number:024X}",
    )
    return Upload(f"scrim{scrim_id}-game{number}.replay", data)


def home_wins(scrim_id: int, games: list[tuple[list[int], list[int]]]) -> list[Upload]:
    """Home wins every game 3-1; it plays orange in game 2 (sides are found by members)."""
    uploads = []
    for number, (home, away) in enumerate(games, start=1):
        if number == 2:
            uploads.append(replay(scrim_id, number, away, home, blue_goals=1, orange_goals=3))
        else:
            uploads.append(replay(scrim_id, number, home, away, blue_goals=3, orange_goals=1))
    return uploads


async def submit(platform: Platform, person: Person, scrim_id: int, files: list[Upload]) -> Scrim:
    async with platform.unit_of_work() as s:
        return await results.submit_scrim_replays(
            s,
            actor=person.actor,
            storage=platform.storage,
            scrim_id=scrim_id,
            files=files,
            max_size=MAX,
            now=NOW + dt.timedelta(hours=1),
        )


async def ratify(platform: Platform, person: Person, scrim_id: int) -> Scrim:
    async with platform.unit_of_work() as s:
        return await results.ratify_scrim(
            s, actor=person.actor, scrim_id=scrim_id, now=NOW + dt.timedelta(hours=2)
        )


async def set_setting(platform: Platform, world: World, key: str, value: Any) -> None:
    async with platform.unit_of_work() as s:
        await league.set_organization_setting(
            s,
            actor=world.actors["superuser"],
            organization_id=world.organization_id,
            key=key,
            value=value,
        )


async def full_snapshot(platform: Platform) -> dict[str, Any]:
    state = await snapshot(platform)
    async with platform.reading() as s:
        games = (await s.scalars(select(ScrimGame).order_by(ScrimGame.id))).all()
        state["results"] = [
            (g.id, g.home_goals, g.away_goals, g.stored_replay_id, g.played_at) for g in games
        ]
        state["stored"] = await s.scalar(select(func.count()).select_from(StoredReplay))
        state["audit"] = await s.scalar(select(func.count()).select_from(AuditEntry))
        state["points"] = await s.scalar(select(func.count()).select_from(RatingPoint))
    return state


async def refused(platform: Platform, code: str, action: Any) -> DomainError:
    before = await full_snapshot(platform)
    with pytest.raises(DomainError) as caught:
        await action
    assert caught.value.code == code, caught.value
    assert caught.value.message.strip()
    assert await full_snapshot(platform) == before
    return caught.value


async def rating_state(platform: Platform, world: World) -> tuple[list, list]:
    async with platform.reading() as s:
        rows = (
            await s.scalars(
                select(Rating)
                .where(Rating.organization_id == world.organization_id)
                .order_by(Rating.member_id, Rating.game_mode_id)
            )
        ).all()
        points = (
            await s.scalars(
                select(RatingPoint)
                .where(RatingPoint.organization_id == world.organization_id)
                .order_by(RatingPoint.member_id, RatingPoint.source, RatingPoint.source_game_id)
            )
        ).all()
        return (
            [
                (r.member_id, r.game_mode_id, r.mu, r.sigma, r.displayed, r.games, r.wins)
                for r in rows
            ],
            [
                (
                    p.member_id,
                    p.source,
                    p.source_game_id,
                    p.won,
                    p.mu_before,
                    p.mu_after,
                    p.sigma_after,
                    p.played_at,
                )
                for p in points
            ],
        )


async def doubles_id(platform: Platform) -> int:
    async with platform.reading() as s:
        return await s.scalar(select(GameMode.id).where(GameMode.code == "doubles"))


async def test_a_2v2_scrim_goes_from_queue_to_complete_and_moves_ratings(
    platform: Platform, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    await set_setting(platform, world, "required_ratifications", 2)
    scrim_id = await started_scrim(platform, world, people)
    games = await lineups(platform, scrim_id)
    assert len(games) == 3 and len({(tuple(h), tuple(a)) for h, a in games}) == 1  # fixed teams
    home, away = games[0]
    by_member = {p.member_id: p for p in people}
    uploader = by_member[home[0]]

    row = await submit(platform, uploader, scrim_id, home_wins(scrim_id, games))
    assert row.status == "in_progress"
    async with platform.reading() as s:
        scored = await service.game_lineups_of(s, scrim_id)
        assert [(g.home_goals, g.away_goals) for g in scored] == [(3, 1)] * 3
        assert all(g.stored_replay_id is not None for g in scored)
        assert scored[1].played_at == NOW + dt.timedelta(minutes=20)
        assert await s.scalar(select(func.count()).select_from(RatingPoint)) == 0

    # The uploader does not ratify their own upload; a non-participant may not at all.
    await refused(platform, "SUBMITTING_SIDE", ratify(platform, uploader, scrim_id))
    outsider = (await premier_people(platform, world))[4]
    await refused(platform, "PERMISSION_DENIED", ratify(platform, outsider, scrim_id))

    assert (await ratify(platform, by_member[away[0]], scrim_id)).status == "in_progress"
    # Ratifying twice counts once.
    assert (await ratify(platform, by_member[away[0]], scrim_id)).status == "in_progress"
    done = await ratify(platform, by_member[home[1]], scrim_id)
    assert done.status == "complete" and done.finished_at == NOW + dt.timedelta(hours=2)
    async with platform.reading() as s:
        assert await results.ratifiers(s, scrim_id=scrim_id) == [
            by_member[away[0]].user_id,
            by_member[home[1]].user_id,
        ]
        seats = await s.scalar(
            select(func.count())
            .select_from(ScrimEntry)
            .where(ScrimEntry.scrim_id == scrim_id, ScrimEntry.active.is_(True))
        )
        assert seats == 0  # everyone may queue again
    # A repeat after completion changes nothing.
    assert (await ratify(platform, by_member[away[0]], scrim_id)).status == "complete"

    rated, points = await rating_state(platform, world)
    mode = await doubles_id(platform)
    by_rating = {r[0]: r for r in rated if r[1] == mode}
    assert set(by_rating) == set(home) | set(away)
    for member in home:
        assert by_rating[member][5] == 3 and by_rating[member][6] == 3
    for member in away:
        assert by_rating[member][5] == 3 and by_rating[member][6] == 0
    assert min(by_rating[m][2] for m in home) > max(by_rating[m][2] for m in away)
    assert len(points) == 12 and {p[1] for p in points} == {"scrim"}

    # A full recompute gives exactly what the incremental updates gave.
    async with platform.unit_of_work() as s:
        result = await ratings.recompute(
            s, organization_id=world.organization_id, game_mode_id=mode
        )
    assert result.games == 3
    assert await rating_state(platform, world) == (rated, points)

    # Turned off, a recompute takes the scrim games back out.
    await set_setting(platform, world, "ratings_from_competitive_scrims", False)
    async with platform.unit_of_work() as s:
        await ratings.recompute(s, organization_id=world.organization_id, game_mode_id=mode)
    assert await rating_state(platform, world) == ([], [])


async def test_no_ratification_needed_and_casual_or_disabled_scrims_do_not_rate(
    platform: Platform, world: World
) -> None:
    people = await premier_people(platform, world)
    await set_setting(platform, world, "required_ratifications", 0)
    await set_setting(platform, world, "ratings_from_competitive_scrims", False)
    scrim_id = await started_scrim(platform, world, people[:4])
    row = await submit(
        platform, people[0], scrim_id, home_wins(scrim_id, await lineups(platform, scrim_id))
    )
    assert row.status == "complete"
    assert await rating_state(platform, world) == ([], [])


async def test_bad_uploads_and_ratifications_are_refused_and_change_nothing(
    platform: Platform, world: World
) -> None:
    everyone = await premier_people(platform, world)
    people, outsider = everyone[:4], everyone[4]
    scrim_id = await started_scrim(platform, world, people)
    games = await lineups(platform, scrim_id)
    home, away = games[0]
    by_member = {p.member_id: p for p in people}
    uploader = by_member[home[0]]
    good = home_wins(scrim_id, games)

    await refused(
        platform, "NOT_AWAITING_RATIFICATION", ratify(platform, by_member[away[0]], scrim_id)
    )
    await refused(platform, "PERMISSION_DENIED", submit(platform, outsider, scrim_id, good))
    await refused(platform, "WRONG_FILE_COUNT", submit(platform, uploader, scrim_id, good[:2]))
    await refused(
        platform, "WRONG_FILE_COUNT", submit(platform, uploader, scrim_id, [*good, good[0]])
    )
    corrupt = Upload("broken.replay", good[0].data[:200])
    with pytest.raises(DomainError):
        await submit(platform, uploader, scrim_id, [corrupt, *good[1:]])
    await refused(
        platform,
        "DUPLICATE_FILE",
        submit(platform, uploader, scrim_id, [good[0], good[0], good[2]]),
    )
    unknown = replay(
        scrim_id,
        1,
        home,
        away,
        blue_goals=3,
        orange_goals=1,
        accounts={home[1]: "76561190000000001"},
    )
    await refused(
        platform, "UNKNOWN_ACCOUNT", submit(platform, uploader, scrim_id, [unknown, *good[1:]])
    )
    # The outsider's linked account in place of an away player: not in the line-up.
    async with platform.unit_of_work() as s:
        await link(s, world, outsider)
    stranger = replay(
        scrim_id, 1, home, [away[0], outsider.member_id], blue_goals=3, orange_goals=1
    )
    await refused(
        platform, "NOT_IN_LINEUP", submit(platform, uploader, scrim_id, [stranger, *good[1:]])
    )
    mixed = replay(
        scrim_id, 1, [home[0], away[0]], [home[1], away[1]], blue_goals=3, orange_goals=1
    )
    await refused(
        platform, "SIDES_DO_NOT_MATCH", submit(platform, uploader, scrim_id, [mixed, *good[1:]])
    )
    tied = replay(scrim_id, 1, home, away, blue_goals=2, orange_goals=2)
    await refused(
        platform, "UNDECIDED_GAME", submit(platform, uploader, scrim_id, [tied, *good[1:]])
    )

    await submit(platform, uploader, scrim_id, good)
    await refused(platform, "SCRIM_ALREADY_SUBMITTED", submit(platform, uploader, scrim_id, good))

    # Another scrim cannot reuse these replays.
    others = everyone[4:8]
    assert len(others) == 4
    await ratify(platform, by_member[away[0]], scrim_id)  # completes (one required): seats free
    other_id = await started_scrim(platform, world, others)
    await refused(platform, "REPLAY_ALREADY_USED", submit(platform, others[0], other_id, good))
    # A scrim that is not in progress takes no replays.
    await refused(platform, "SCRIM_NOT_IN_PROGRESS", submit(platform, uploader, scrim_id, good))
