"""Scrim results through the submission flow: replays uploaded by a player, checked in the
background job, ratified (or rejected) by the other side, staff overrides, then rated; every
bad upload or answer is refused with a typed error and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from sprocket.audit import AuditEntry
from sprocket.errors import DomainError
from sprocket.flows import ratings as rating_flow
from sprocket.flows import scrim_results
from sprocket.league import accounts
from sprocket.league import service as league
from sprocket.league.models import GameMode, PlatformAccount
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.replays import service as replays
from sprocket.replays.models import Ratification, StoredReplay, Submission
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from sprocket.scrims import lifecycle, service
from sprocket.scrims import staff as scrim_staff
from sprocket.scrims.models import Scrim, ScrimEntry, ScrimGame
from tests.helpers.database import fails_unchanged
from tests.helpers.replay_writer import PlayerSpec, build_replay
from tests.league_world import World
from tests.replays.test_submissions import run_jobs
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
        await accounts.link_verified_account(
            s,
            member_id=person.member_id,
            platform="steam",
            account_id=steam(person.member_id),
        )


async def started_scrim(
    platform: Runtime,
    world: World,
    people: Sequence[Person],
    *,
    team_mode: str = "fixed",
    competitive: bool = True,
) -> int:
    """A doubles scrim (competitive, fixed teams unless told) of three games, joined by
    ``people``, checked in and started; every player's Steam account is linked."""
    wait = NOW + dt.timedelta(minutes=30)
    async with platform.unit_of_work() as s:
        scrim = await lifecycle.create_scrim(
            s,
            actor=people[0].actor,
            organization_id=world.organization_id,
            game_mode="doubles",
            wait_until=wait,
            team_mode=team_mode,
            competitive=competitive,
            now=NOW,
        )
        for person in people[1:]:
            await lifecycle.join_scrim(
                s, actor=person.actor, scrim_id=scrim.id, wait_until=wait, now=NOW
            )
        for person in people:
            await link(s, world, person)
    for person in people:
        async with platform.unit_of_work() as s:
            await lifecycle.check_in(s, actor=person.actor, scrim_id=scrim.id, now=NOW)
    async with platform.reading() as s:
        assert (await s.get(Scrim, scrim.id)).status == "in_progress"
    return scrim.id


async def lineups(platform: Runtime, scrim_id: int) -> list[tuple[list[int], list[int]]]:
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
    **header: Any,
) -> Upload:
    """Game ``number`` of a scrim; ``header``: more of the writer's options (the outcome)."""
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
        replay_id=f"5C{scrim_id:06X}{number:024X}",  # never a league game's (tests.replays.series)
        **header,
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


async def submit(
    platform: Runtime, person: Person, scrim_id: int, files: list[Upload]
) -> Submission:
    async with platform.unit_of_work() as s:
        return await scrim_results.submit_scrim_replays(
            s,
            actor=person.actor,
            storage=platform.storage,
            scrim_id=scrim_id,
            files=files,
            max_size=MAX,
        )


async def submitted(
    platform: Runtime, person: Person, scrim_id: int, files: list[Upload]
) -> Submission:
    """Upload, then let the background job check it; the submission as it ends up."""
    row = await submit(platform, person, scrim_id, files)
    assert row.status == "processing"
    await run_jobs(platform)
    return await load(platform, row.id)


async def load(platform: Runtime, submission_id: int) -> Submission:
    async with platform.reading() as s:
        return await s.get(Submission, submission_id)


async def answer(platform: Runtime, call: Any, person: Person, submission_id: int, **kw: Any):
    async with platform.unit_of_work() as s:
        return await call(s, actor=person.actor, submission_id=submission_id, **kw)


def ratify(platform: Runtime, person: Person, submission_id: int) -> Any:
    return answer(platform, replays.ratify, person, submission_id)


async def scrim_state(platform: Runtime, scrim_id: int) -> tuple[str, list[tuple]]:
    async with platform.reading() as s:
        scrim = await s.get(Scrim, scrim_id)
        games = await service.game_lineups_of(s, scrim_id)
        return scrim.status, [
            (g.home_goals, g.away_goals, g.stored_replay_id is not None) for g in games
        ]


@dataclass
class Played:
    """A started 2v2 scrim with fixed teams, its line-ups and the replays of home winning."""

    everyone: list[Person]
    scrim_id: int
    games: list[tuple[list[int], list[int]]]
    by_member: dict[int, Person]

    @property
    def home(self) -> list[int]:
        return self.games[0][0]

    @property
    def away(self) -> list[int]:
        return self.games[0][1]

    @property
    def uploader(self) -> Person:
        return self.by_member[self.home[0]]

    @property
    def opponent(self) -> Person:
        return self.by_member[self.away[0]]

    @property
    def outsider(self) -> Person:
        return self.everyone[4]

    def good(self) -> list[Upload]:
        return home_wins(self.scrim_id, self.games)


async def played(platform: Runtime, world: World) -> Played:
    everyone = await premier_people(platform, world)
    scrim_id = await started_scrim(platform, world, everyone[:4])
    return Played(
        everyone, scrim_id, await lineups(platform, scrim_id), {p.member_id: p for p in everyone}
    )


async def set_setting(platform: Runtime, world: World, key: str, value: Any) -> None:
    async with platform.unit_of_work() as s:
        await league.set_organization_setting(
            s,
            actor=world.actors["superuser"],
            organization_id=world.organization_id,
            key=key,
            value=value,
        )


async def full_snapshot(platform: Runtime) -> dict[str, Any]:
    state = await snapshot(platform)
    async with platform.reading() as s:
        games = (await s.scalars(select(ScrimGame).order_by(ScrimGame.id))).all()
        state["results"] = [
            (g.id, g.home_goals, g.away_goals, g.stored_replay_id, g.played_at) for g in games
        ]
        state["stored"] = await s.scalar(select(func.count()).select_from(StoredReplay))
        state["audit"] = await s.scalar(select(func.count()).select_from(AuditEntry))
        state["submissions"] = [
            (x.id, x.status, x.rejection_reason)
            for x in (await s.scalars(select(Submission).order_by(Submission.id))).all()
        ]
        state["ratifications"] = await s.scalar(select(func.count()).select_from(Ratification))
        state["points"] = await s.scalar(select(func.count()).select_from(RatingPoint))
    return state


async def refused(platform: Runtime, code: str, action: Any) -> DomainError:
    before = await full_snapshot(platform)
    with pytest.raises(DomainError) as caught:
        await action
    assert caught.value.code == code, caught.value
    assert caught.value.message.strip()
    assert await full_snapshot(platform) == before
    return caught.value


async def rating_state(platform: Runtime, world: World) -> tuple[list, list]:
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


async def doubles_id(platform: Runtime) -> int:
    async with platform.reading() as s:
        return await s.scalar(select(GameMode.id).where(GameMode.code == "doubles"))


async def test_a_2v2_scrim_result_is_submitted_checked_ratified_and_moves_ratings(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    await set_setting(platform, world, "required_ratifications", 2)
    scrim_id = await started_scrim(platform, world, people)
    games = await lineups(platform, scrim_id)
    assert len(games) == 3 and len({(tuple(h), tuple(a)) for h, a in games}) == 1  # fixed teams
    home, away = games[0]
    by_member = {p.member_id: p for p in people}
    uploader = by_member[home[0]]

    row = await submitted(platform, uploader, scrim_id, home_wins(scrim_id, games))
    assert row.status == "awaiting_ratification", row.rejection_reason
    assert row.scrim_id == scrim_id and row.match_id is None
    report = row.report
    assert (
        report["ok"]
        and [(g["home_goals"], g["away_goals"]) for g in report["games"]] == [(3, 1)] * 3
    )
    assert [g["home_index"] for g in report["games"]] == [0, 1, 0]  # home played orange in 2
    assert {p["member_id"] for p in report["games"][0]["found"]} == set(home) | set(away)
    # Nothing is recorded before the other side ratifies.
    assert await scrim_state(platform, scrim_id) == ("in_progress", [(None, None, False)] * 3)

    # The uploader and their teammate are the submitting side; an outsider is nobody's.
    await refused(platform, "SUBMITTING_SIDE", ratify(platform, uploader, row.id))
    await refused(platform, "SUBMITTING_SIDE", ratify(platform, by_member[home[1]], row.id))
    outsider = (await premier_people(platform, world))[4]
    await refused(platform, "PERMISSION_DENIED", ratify(platform, outsider, row.id))

    assert (await ratify(platform, by_member[away[0]], row.id)).status == "awaiting_ratification"
    # Ratifying twice counts once.
    assert (await ratify(platform, by_member[away[0]], row.id)).status == "awaiting_ratification"
    assert (await ratify(platform, by_member[away[1]], row.id)).status == "accepted"
    status, scored = await scrim_state(platform, scrim_id)
    assert status == "complete" and scored == [(3, 1, True)] * 3
    async with platform.reading() as s:
        played = [g.played_at for g in await service.game_lineups_of(s, scrim_id)]
        assert played[1] == NOW + dt.timedelta(minutes=20)  # from the replay
        seats = await s.scalar(
            select(func.count())
            .select_from(ScrimEntry)
            .where(ScrimEntry.scrim_id == scrim_id, ScrimEntry.active.is_(True))
        )
        assert seats == 0  # everyone may queue again
        voters = await s.scalars(
            select(Ratification.user_id).where(Ratification.submission_id == row.id)
        )
        assert set(voters) == {by_member[away[0]].user_id, by_member[away[1]].user_id}
    # A repeat after acceptance changes nothing.
    assert (await ratify(platform, by_member[away[0]], row.id)).status == "accepted"

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
        result = await rating_flow.recompute(
            s, organization_id=world.organization_id, game_mode_id=mode
        )
    assert result.games == 3
    assert await rating_state(platform, world) == (rated, points)

    # Turned off, a recompute takes the scrim games back out.
    await set_setting(platform, world, "ratings_from_competitive_scrims", False)
    async with platform.unit_of_work() as s:
        await rating_flow.recompute(s, organization_id=world.organization_id, game_mode_id=mode)
    assert await rating_state(platform, world) == ([], [])


async def test_in_a_round_robin_every_other_player_ratifies_and_majority_counts_them(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    await set_setting(platform, world, "ratification_mode", "majority")
    scrim_id = await started_scrim(platform, world, people, team_mode="round_robin")
    games = await lineups(platform, scrim_id)
    assert len({frozenset(h) for h, _ in games}) > 1  # the teams change between games
    by_member = {p.member_id: p for p in people}
    uploader = by_member[games[0][0][0]]
    teammate = by_member[games[0][0][1]]  # on the uploader's team in game 1 only
    row = await submitted(platform, uploader, scrim_id, home_wins(scrim_id, games))
    assert row.status == "awaiting_ratification", row.rejection_reason
    # Three players may ratify (everyone but the uploader): a majority is two.
    assert (await ratify(platform, teammate, row.id)).status == "awaiting_ratification"
    other = next(p for p in people if p not in (uploader, teammate))
    assert (await ratify(platform, other, row.id)).status == "accepted"
    assert (await scrim_state(platform, scrim_id))[0] == "complete"


async def test_no_ratification_needed_and_casual_or_disabled_scrims_do_not_rate(
    platform: Runtime, world: World
) -> None:
    people = await premier_people(platform, world)
    await set_setting(platform, world, "required_ratifications", 0)
    scrim_id = await started_scrim(platform, world, people[:4], competitive=False)
    row = await submitted(
        platform, people[0], scrim_id, home_wins(scrim_id, await lineups(platform, scrim_id))
    )
    assert row.status == "accepted"  # accepted by the job itself
    assert (await scrim_state(platform, scrim_id))[0] == "complete"
    assert await rating_state(platform, world) == ([], [])  # casual: not rated

    await set_setting(platform, world, "ratings_from_competitive_scrims", False)
    scrim_id = await started_scrim(platform, world, people[4:8])
    row = await submitted(
        platform, people[4], scrim_id, home_wins(scrim_id, await lineups(platform, scrim_id))
    )
    assert row.status == "accepted"
    assert await rating_state(platform, world) == ([], [])  # the organization rates no scrims


async def test_bad_uploads_are_refused_on_the_spot_and_change_nothing(
    platform: Runtime, world: World
) -> None:
    x = await played(platform, world)
    scrim_id, games, uploader, good = x.scrim_id, x.games, x.uploader, x.good()

    await refused(platform, "PERMISSION_DENIED", submit(platform, x.outsider, scrim_id, good))
    await refused(platform, "WRONG_FILE_COUNT", submit(platform, uploader, scrim_id, good[:2]))
    await refused(
        platform, "WRONG_FILE_COUNT", submit(platform, uploader, scrim_id, [*good, good[0]])
    )
    corrupt = Upload("broken.replay", good[0].data[:200])
    error = await refused(
        platform, "TRUNCATED_REPLAY", submit(platform, uploader, scrim_id, [corrupt, *good[1:]])
    )
    assert "Replay 1 (broken.replay)" in error.message
    await refused(
        platform,
        "DUPLICATE_FILE",
        submit(platform, uploader, scrim_id, [good[0], good[0], good[2]]),
    )
    missing = 999_999
    await refused(platform, "NOT_FOUND", submit(platform, uploader, missing, good))

    first = await submit(platform, uploader, scrim_id, good)
    await refused(
        platform,
        "SUBMISSION_IN_PROGRESS",
        submit(platform, x.opponent, scrim_id, home_wins(scrim_id, games)),
    )
    await run_jobs(platform)
    assert (await ratify(platform, x.opponent, first.id)).status == "accepted"

    # Another scrim cannot reuse these replays; a finished scrim takes no more.
    others = x.everyone[4:8]
    other_id = await started_scrim(platform, world, others)
    await refused(platform, "REPLAY_ALREADY_USED", submit(platform, others[0], other_id, good))
    await refused(platform, "SCRIM_NOT_IN_PROGRESS", submit(platform, uploader, scrim_id, good))


async def test_replays_that_do_not_show_the_scrim_are_rejected_with_a_report(
    platform: Runtime, world: World
) -> None:
    x = await played(platform, world)
    scrim_id, games, home, away = x.scrim_id, x.games, x.home, x.away
    uploader, good, outsider, by_member = x.uploader, x.good(), x.outsider, x.by_member
    async with platform.unit_of_work() as s:
        await link(s, world, outsider)

    cases = {
        "NOT_IN_LINEUP": replay(
            scrim_id, 1, home, [away[0], outsider.member_id], blue_goals=3, orange_goals=1
        ),
        "MIXED_SIDE": replay(
            scrim_id, 1, [home[0], away[0]], [home[1], away[1]], blue_goals=3, orange_goals=1
        ),
        "UNDECIDED_GAME": replay(scrim_id, 1, home, away, blue_goals=2, orange_goals=2),
    }
    for code, bad in cases.items():
        row = await submitted(platform, uploader, scrim_id, [bad, *good[1:]])
        assert row.status == "rejected", code
        assert code in {p["code"] for p in row.report["problems"]}, row.report["problems"]
        assert all(p["game"] == 1 for p in row.report["problems"]), row.report["problems"]
        assert row.rejection_reason.startswith("Replay 1: ")
        assert await scrim_state(platform, scrim_id) == ("in_progress", [(None, None, False)] * 3)

    # An unlinked account: its owner claims it, the other side confirms, the same upload is
    # checked again and awaits ratification.
    unknown = "76561198999000001"
    async with platform.unit_of_work() as s:
        await s.execute(
            PlatformAccount.__table__.delete().where(PlatformAccount.account_id == steam(home[1]))
        )
    files = [
        replay(scrim_id, n, h, a, blue_goals=3, orange_goals=1, accounts={home[1]: unknown})
        for n, (h, a) in enumerate(games, start=1)
    ]
    row = await submitted(platform, uploader, scrim_id, files)
    assert row.status == "rejected"
    assert {u["platform_id"] for u in row.report["unknown_accounts"]} == {unknown}
    async with platform.unit_of_work() as s:
        claim = await replays.claim_account(
            s,
            actor=by_member[home[1]].actor,
            submission_id=row.id,
            platform="steam",
            account_id=unknown,
        )
    # The claimant's own side does not confirm it; the other side does.
    async with platform.unit_of_work() as s:
        with pytest.raises(DomainError) as caught:
            await replays.confirm_claim(s, actor=uploader.actor, claim_id=claim.id)
        assert caught.value.code == "PERMISSION_DENIED"
    async with platform.unit_of_work() as s:
        await replays.confirm_claim(s, actor=by_member[away[0]].actor, claim_id=claim.id)
    await run_jobs(platform)
    assert (await load(platform, row.id)).status == "awaiting_ratification"


async def test_rejection_staff_overrides_and_invalidation(platform: Runtime, world: World) -> None:
    staff = Person(world.actors["league_staff"], 0, world.actors["league_staff"].user_id)
    x = await played(platform, world)
    scrim_id, games, away = x.scrim_id, x.games, x.away
    uploader, outsider, by_member = x.uploader, x.outsider, x.by_member

    row = await submitted(platform, uploader, scrim_id, home_wins(scrim_id, games))
    reject = replays.reject
    await refused(
        platform, "PERMISSION_DENIED", answer(platform, reject, outsider, row.id, reason="no")
    )
    await refused(
        platform,
        "REASON_REQUIRED",
        answer(platform, reject, by_member[away[0]], row.id, reason=" "),
    )
    gone = await answer(platform, reject, by_member[away[0]], row.id, reason="game 2 was 1-3")
    assert gone.status == "rejected" and gone.rejection_reason == "game 2 was 1-3"
    await refused(
        platform, "NOT_AWAITING_RATIFICATION", ratify(platform, by_member[away[1]], row.id)
    )

    # Players may not override; staff may: force-accept the rejected result.
    force = replays.force_accept
    await refused(platform, "PERMISSION_DENIED", answer(platform, force, uploader, row.id))
    assert (await answer(platform, force, staff, row.id)).status == "accepted"
    assert await scrim_state(platform, scrim_id) == ("complete", [(3, 1, True)] * 3)
    assert (await rating_state(platform, world))[0]

    # Invalidated: the games are cleared, the scrim is back in progress for a new upload, and
    # the ratings are rebuilt without it.
    invalidate = replays.invalidate
    await refused(
        platform,
        "PERMISSION_DENIED",
        answer(platform, invalidate, by_member[away[0]], row.id, reason="smurf"),
    )
    out = await answer(platform, invalidate, staff, row.id, reason="smurf account")
    assert out.status == "rejected" and "smurf account" in out.rejection_reason
    assert await scrim_state(platform, scrim_id) == ("in_progress", [(None, None, False)] * 3)
    assert await rating_state(platform, world) == ([], [])
    async with platform.reading() as s:
        audit = (
            await s.scalars(
                select(AuditEntry.action).where(AuditEntry.subject == f"submission:{row.id}")
            )
        ).all()
    assert audit == ["submission.force_accept", "submission.invalidate"]

    # Staff reset a fresh upload: processed again from the start, its answers dropped.
    await set_setting(platform, world, "required_ratifications", 2)
    again = await submitted(platform, uploader, scrim_id, home_wins(scrim_id, games))
    assert again.status == "awaiting_ratification"
    await ratify(platform, by_member[away[0]], again.id)
    await refused(
        platform, "PERMISSION_DENIED", answer(platform, replays.reset, uploader, again.id)
    )
    assert (await answer(platform, replays.reset, staff, again.id)).status == "processing"
    await run_jobs(platform)
    assert (await load(platform, again.id)).status == "awaiting_ratification"
    async with platform.reading() as s:
        left = await s.scalar(
            select(func.count())
            .select_from(Ratification)
            .where(Ratification.submission_id == again.id)
        )
    assert left == 0


async def test_a_locked_scrim_does_not_take_its_result_until_unlocked(
    platform: Runtime, world: World
) -> None:
    x = await played(platform, world)
    staff = world.actors["league_staff"]
    row = await submitted(platform, x.uploader, x.scrim_id, x.good())
    async with platform.unit_of_work() as s:
        await scrim_staff.lock_scrim(s, actor=staff, scrim_id=x.scrim_id)
    await refused(platform, "SCRIM_NOT_IN_PROGRESS", ratify(platform, x.opponent, row.id))
    async with platform.unit_of_work() as s:
        await scrim_staff.unlock_scrim(s, actor=staff, scrim_id=x.scrim_id)
    assert (await ratify(platform, x.opponent, row.id)).status == "accepted"


async def test_locked_before_its_check_a_result_needing_nobody_waits_for_staff(
    platform: Runtime, world: World
) -> None:
    await set_setting(platform, world, "required_ratifications", 0)
    x = await played(platform, world)
    staff = Person(world.actors["league_staff"], 0, world.actors["league_staff"].user_id)
    row = await submit(platform, x.uploader, x.scrim_id, x.good())
    async with platform.unit_of_work() as s:
        await scrim_staff.lock_scrim(s, actor=staff.actor, scrim_id=x.scrim_id)
    await run_jobs(platform)  # checked, but not accepted into a locked scrim
    assert (await load(platform, row.id)).status == "awaiting_ratification"
    assert await scrim_state(platform, x.scrim_id) == ("locked", [(None, None, False)] * 3)
    async with platform.unit_of_work() as s:
        await scrim_staff.unlock_scrim(s, actor=staff.actor, scrim_id=x.scrim_id)
    assert (await answer(platform, replays.force_accept, staff, row.id)).status == "accepted"
    assert (await scrim_state(platform, x.scrim_id))[0] == "complete"


async def test_cancelling_a_scrim_rejects_its_open_submission(
    platform: Runtime, world: World
) -> None:
    x = await played(platform, world)
    row = await submitted(platform, x.uploader, x.scrim_id, x.good())
    async with platform.unit_of_work() as s:
        await scrim_staff.cancel_scrim(s, actor=world.actors["league_staff"], scrim_id=x.scrim_id)
    closed = await load(platform, row.id)
    assert closed.status == "rejected"
    assert closed.rejection_reason == "The scrim was cancelled by staff."
    await refused(platform, "SCRIM_NOT_IN_PROGRESS", ratify(platform, x.opponent, row.id))
    # Its replays are free again (the submission holding them is rejected).
    other_id = await started_scrim(platform, world, x.everyone[4:8])
    assert (await submit(platform, x.everyone[4], other_id, x.good())).status == "processing"


async def test_only_a_player_of_the_scrim_claims_an_account_in_it(
    platform: Runtime, world: World
) -> None:
    """A member who did not play may not claim an unknown account of the scrim (they could
    claim a ringer's); the player whose account it is may, and staff confirm it."""
    x = await played(platform, world)
    unknown = "76561198999000002"
    away_player = x.away[1]
    async with platform.unit_of_work() as s:
        await s.execute(
            PlatformAccount.__table__.delete().where(
                PlatformAccount.account_id == steam(away_player)
            )
        )
    files = [
        replay(x.scrim_id, n, h, a, blue_goals=3, orange_goals=1, accounts={away_player: unknown})
        for n, (h, a) in enumerate(x.games, start=1)
    ]
    row = await submitted(platform, x.uploader, x.scrim_id, files)
    assert row.status == "rejected" and row.report["unknown_accounts"]
    error = await fails_unchanged(
        platform,
        lambda s: replays.claim_account(
            s, actor=x.outsider.actor, submission_id=row.id, platform="steam", account_id=unknown
        ),
        code="PERMISSION_DENIED",
    )
    assert "players of scrim" in error.message
    async with platform.unit_of_work() as s:
        claim = await replays.claim_account(
            s,
            actor=x.by_member[away_player].actor,
            submission_id=row.id,
            platform="steam",
            account_id=unknown,
        )
    async with platform.unit_of_work() as s:
        confirmed = await replays.confirm_claim(
            s, actor=world.actors["league_staff"], claim_id=claim.id
        )
    assert confirmed.status == "confirmed"
