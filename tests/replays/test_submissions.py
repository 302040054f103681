"""Submissions through the services on a real database: upload, the processing job,
ratification, staff overrides, account claims, bad input and workers dying half-way.

The match of most tests is the World's first: Team 1 (the captain and the player) at home
against Team 4, best of five. ``series.sweep`` is Team 1 winning three games 2-1.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.audit import AuditEntry
from sprocket.db import utcnow
from sprocket.errors import DomainError, PermissionDenied
from sprocket.flows import match_results, tasks
from sprocket.identity.access import Actor
from sprocket.league import service as league
from sprocket.league.models import PlatformAccount, RosterSpot
from sprocket.platform.outbox import OutboxMessage
from sprocket.replays import service as replays
from sprocket.replays.models import (
    Ratification,
    StoredReplay,
    Submission,
    SubmissionReplay,
    storage_key,
)
from sprocket.replays.parser import ReplayError
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Match, MatchGame
from sprocket.stats import service as stats
from sprocket.stats.models import PlayerGameStat, TeamGameStat
from tests.conftest import REPLAYS
from tests.helpers.database import fails_unchanged, snapshot
from tests.helpers.replay_writer import PlayerSpec
from tests.league_world import World
from tests.replays.series import Lineup, actor_of, game, lineup, sweep

MAX = 20 * 1024 * 1024
BAD = REPLAYS / "bad"


class WorkerDied(Exception):
    """Stands for a worker killed after its work but before the commit."""


# -- helpers -------------------------------------------------------------------------------------


async def submit(
    platform: Runtime, actor: Actor, match_id: int, files: list[Upload], *, max_size: int = MAX
) -> Submission:
    async with platform.unit_of_work() as session:
        return await match_results.submit_match_replays(
            session,
            actor=actor,
            storage=platform.storage,
            match_id=match_id,
            files=files,
            max_size=max_size,
        )


def submitting(
    platform: Runtime, actor: Actor, match_id: int, files: list[Upload], *, max_size: int = MAX
) -> Callable[[AsyncSession], Awaitable[object]]:
    """The upload as a call for ``fails_unchanged``."""
    return lambda session: match_results.submit_match_replays(
        session,
        actor=actor,
        storage=platform.storage,
        match_id=match_id,
        files=files,
        max_size=max_size,
    )


async def act(platform: Runtime, service: Callable[..., Awaitable[Any]], /, **kwargs: Any) -> Any:
    """One service call in its own unit of work."""
    async with platform.unit_of_work() as session:
        return await service(session, **kwargs)


async def run_jobs(platform: Runtime) -> None:
    """Relay the outbox to the in-memory broker until nothing is left to run."""
    for _ in range(10):
        sent = await platform.relay.relay_once()
        await platform.broker.wait_all()
        if not sent:
            return
    raise AssertionError("the outbox never drained")


async def load(platform: Runtime, submission_id: int) -> Submission:
    async with platform.reading() as session:
        return await session.get(Submission, submission_id)


async def count(platform: Runtime, model: Any, *where: Any) -> int:
    async with platform.reading() as session:
        query = select(func.count()).select_from(model)
        return await session.scalar(query.where(*where) if where else query) or 0


async def results(platform: Runtime, match_id: int) -> tuple[int, int, int]:
    """(games, player stat lines, team stat lines) recorded for a match."""
    games = select(MatchGame.id).where(MatchGame.match_id == match_id)
    return (
        await count(platform, MatchGame, MatchGame.match_id == match_id),
        await count(platform, PlayerGameStat, PlayerGameStat.match_game_id.in_(games)),
        await count(platform, TeamGameStat, TeamGameStat.match_game_id.in_(games)),
    )


async def match_status(platform: Runtime, match_id: int) -> str:
    async with platform.reading() as session:
        return (await session.get(Match, match_id)).status


async def standing(platform: Runtime, world: World, team_id: int) -> Any:
    async with platform.reading() as session:
        rows = await schedule.standings(session, season_id=world.season_id)
    return next(row for row in rows if row.team == team_id)


def objects(platform: Runtime) -> set[str]:
    """Every object in the (local) replay storage."""
    root = Path(platform.storage.root)  # type: ignore[attr-defined]
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


async def setting(platform: Runtime, world: World, key: str, value: object) -> None:
    await act(
        platform,
        league.set_organization_setting,
        actor=world.actors["organization_admin"],
        organization_id=world.organization_id,
        key=key,
        value=value,
    )


async def team_one_match(platform: Runtime, world: World, **options: Any) -> Lineup:
    """The first match, Team 1 at home, with every player's Steam account linked."""
    line = await lineup(platform, world.match_ids[0], **options)
    assert line.home_team_id == world.team_ids[0]
    return line


async def awaiting(platform: Runtime, world: World, line: Lineup) -> Submission:
    """The captain submits a 3-0 series; after the job it awaits ratification."""
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, sweep(line))
    await run_jobs(platform)
    current = await load(platform, submitted.id)
    assert current.status == "awaiting_ratification", current.report
    return current


# -- the whole flow ------------------------------------------------------------------------------


async def test_a_captain_submits_and_the_other_side_ratifies(platform, world) -> None:
    line = await team_one_match(platform, world)
    captain, opponent = world.actors["team_captain"], await actor_of(platform, line.away[0][0])

    submitted = await submit(platform, captain, line.match_id, sweep(line))

    assert submitted.status == "processing"
    assert submitted.submitted_for_team_id == line.home_team_id
    await run_jobs(platform)
    current = await load(platform, submitted.id)
    assert current.status == "awaiting_ratification"
    report = current.report
    assert report["ok"] is True and report["problems"] == [] and report["unknown_accounts"] == []
    home_names = [name for _, name, _ in line.home]
    away_names = [name for _, name, _ in line.away]
    assert len(report["games"]) == 3
    for number, reported in enumerate(report["games"], start=1):
        assert reported["number"] == number and reported["filename"] == f"game{number}.replay"
        assert reported["expected_home"] == home_names
        assert reported["expected_away"] == away_names
        found = {
            p["name"]: (p["platform_id"], p["member_id"], p["team_id"]) for p in reported["found"]
        }
        assert found == {
            **{name: (steam, m, line.home_team_id) for m, name, steam in line.home},
            **{name: (steam, m, line.away_team_id) for m, name, steam in line.away},
        }
        assert (reported["home_index"], reported["home_goals"], reported["away_goals"]) == (0, 2, 1)

    # Only the other side ratifies.
    for who, code in (
        (captain, "SUBMITTING_SIDE"),
        (world.actors["player"], "SUBMITTING_SIDE"),  # the captain's teammate
        (world.actors["outsider"], "PERMISSION_DENIED"),
        (world.actors["franchise_manager"], "PERMISSION_DENIED"),  # not a player
    ):
        await fails_unchanged(
            platform,
            lambda s, who=who: replays.ratify(s, actor=who, submission_id=submitted.id),
            code=code,
            error=PermissionDenied,
        )
    await fails_unchanged(
        platform,
        lambda s: replays.ratify(s, actor=world.actors["spectator"], submission_id=submitted.id),
        code="UNAUTHENTICATED",
    )

    accepted = await act(platform, replays.ratify, actor=opponent, submission_id=submitted.id)

    assert accepted.status == "accepted"
    assert await match_status(platform, line.match_id) == "completed"
    async with platform.reading() as session:
        games = (
            await session.scalars(
                select(MatchGame)
                .where(MatchGame.match_id == line.match_id)
                .order_by(MatchGame.number)
            )
        ).all()
        stored = (
            await session.scalars(
                select(SubmissionReplay.stored_replay_id)
                .where(SubmissionReplay.submission_id == submitted.id)
                .order_by(SubmissionReplay.game_number)
            )
        ).all()
        lines = (
            await session.scalars(
                select(PlayerGameStat).where(
                    PlayerGameStat.match_game_id.in_([g.id for g in games])
                )
            )
        ).all()
        team_lines = (
            await session.scalars(
                select(TeamGameStat).where(TeamGameStat.match_game_id.in_([g.id for g in games]))
            )
        ).all()
    assert [(g.number, g.home_goals, g.away_goals) for g in games] == [
        (1, 2, 1),
        (2, 2, 1),
        (3, 2, 1),
    ]
    assert [g.stored_replay_id for g in games] == list(stored) and len(set(stored)) == 3
    assert len(lines) == 12
    for match_game in games:
        per_game = [p for p in lines if p.match_game_id == match_game.id]
        assert sorted(p.name for p in per_game) == sorted(home_names + away_names)
        assert all(p.player_id is not None for p in per_game)
        (mvp,) = [p for p in per_game if p.mvp]  # the best score of the winning side
        assert mvp.team_id == line.home_team_id and mvp.won and mvp.score == 200
        assert mvp.platform_account_id == line.home[1][2]
        assert {p.team_id for p in per_game if p.won} == {line.home_team_id}
    assert len(team_lines) == 6
    assert sorted((t.team_id, t.goals, t.goals_against, t.won) for t in team_lines) == sorted(
        [(line.home_team_id, 2, 1, True)] * 3 + [(line.away_team_id, 1, 2, False)] * 3
    )
    home_row = await standing(platform, world, line.home_team_id)
    away_row = await standing(platform, world, line.away_team_id)
    assert (home_row.played, home_row.series_won, home_row.games_won, home_row.points) == (
        1,
        1,
        3,
        1,
    )
    assert (away_row.played, away_row.series_lost, away_row.games_lost) == (1, 1, 3)

    # Ratifying again, processing again, accepting again: nothing more happens.
    before = await snapshot(platform)
    again = await act(platform, replays.ratify, actor=opponent, submission_id=submitted.id)
    second = await actor_of(platform, line.away[1][0])
    late = await act(platform, replays.ratify, actor=second, submission_id=submitted.id)
    async with platform.unit_of_work() as session:
        processed = await replays.process_submission(
            session, storage=platform.storage, submission_id=submitted.id, max_size=MAX
        )
    forced = await act(
        platform,
        replays.force_accept,
        actor=world.actors["league_staff"],
        submission_id=submitted.id,
    )
    assert again.status == late.status == processed.status == forced.status == "accepted"
    assert await snapshot(platform) == before
    assert await results(platform, line.match_id) == (3, 12, 6)


@pytest.mark.parametrize(
    ("key", "value"), [("ratification_mode", "majority"), ("required_ratifications", 2)]
)
async def test_two_ratifications_when_the_organization_asks_for_two(
    platform, world, key: str, value: object
) -> None:
    await setting(platform, world, key, value)
    line = await team_one_match(platform, world)
    submitted = await awaiting(platform, world, line)
    first, second = [await actor_of(platform, m) for m, _, _ in line.away]

    once = await act(platform, replays.ratify, actor=first, submission_id=submitted.id)

    assert once.status == "awaiting_ratification"
    assert await count(platform, Ratification, Ratification.submission_id == submitted.id) == 1
    assert await results(platform, line.match_id) == (0, 0, 0)
    again = await act(platform, replays.ratify, actor=first, submission_id=submitted.id)
    assert again.status == "awaiting_ratification"  # the same player twice counts once
    assert await count(platform, Ratification, Ratification.submission_id == submitted.id) == 1

    twice = await act(platform, replays.ratify, actor=second, submission_id=submitted.id)

    assert twice.status == "accepted"
    assert await results(platform, line.match_id) == (3, 12, 6)
    assert await match_status(platform, line.match_id) == "completed"


async def test_a_player_who_ratified_may_still_reject_before_acceptance(platform, world) -> None:
    await setting(platform, world, "required_ratifications", 2)
    line = await team_one_match(platform, world)
    submitted = await awaiting(platform, world, line)
    first = await actor_of(platform, line.away[0][0])
    await act(platform, replays.ratify, actor=first, submission_id=submitted.id)

    rejected = await act(
        platform, replays.reject, actor=first, submission_id=submitted.id, reason="Game 3 was 1-2."
    )

    assert rejected.status == "rejected" and rejected.rejection_reason == "Game 3 was 1-2."
    async with platform.reading() as session:
        answers = (
            await session.scalars(
                select(Ratification).where(Ratification.submission_id == submitted.id)
            )
        ).all()
    assert [(a.user_id, a.decision, a.reason) for a in answers] == [
        (first.user_id, "reject", "Game 3 was 1-2.")
    ]


async def test_no_ratification_needed_accepts_right_after_validation(platform, world) -> None:
    await setting(platform, world, "required_ratifications", 0)
    line = await team_one_match(platform, world)

    submitted = await submit(platform, world.actors["team_captain"], line.match_id, sweep(line))
    await run_jobs(platform)

    assert (await load(platform, submitted.id)).status == "accepted"
    assert await results(platform, line.match_id) == (3, 12, 6)
    assert await match_status(platform, line.match_id) == "completed"
    assert await count(platform, Ratification) == 0


@pytest.mark.parametrize("mode", ["count", "majority"])
async def test_an_other_side_with_nobody_left_to_ratify_is_not_a_free_pass(
    platform, world, mode: str
) -> None:
    """The opposing team's roster emptied after the match: nobody may ratify, so the result
    waits for staff instead of being accepted unasked."""
    await setting(platform, world, "ratification_mode", mode)
    line = await team_one_match(platform, world)
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, sweep(line))
    async with platform.unit_of_work() as session:
        spots = await session.scalars(
            select(RosterSpot).where(
                RosterSpot.team_id == line.away_team_id, RosterSpot.left_at.is_(None)
            )
        )
        for spot in spots.all():
            spot.left_at = utcnow()
    await run_jobs(platform)
    assert (await load(platform, submitted.id)).status == "awaiting_ratification"
    assert await match_status(platform, line.match_id) == "scheduled"
    await act(
        platform,
        replays.force_accept,
        actor=world.actors["league_staff"],
        submission_id=submitted.id,
    )
    assert await match_status(platform, line.match_id) == "completed"


# -- rejection -----------------------------------------------------------------------------------


async def test_a_rejection_with_a_reason_frees_the_replays_for_a_new_upload(
    platform, world
) -> None:
    line = await team_one_match(platform, world)
    submitted = await awaiting(platform, world, line)
    opponent = await actor_of(platform, line.away[0][0])
    for who, reason, code in (
        (opponent, "   ", "REASON_REQUIRED"),
        (world.actors["outsider"], "I was not there.", "PERMISSION_DENIED"),
    ):
        await fails_unchanged(
            platform,
            lambda s, who=who, reason=reason: replays.reject(
                s, actor=who, submission_id=submitted.id, reason=reason
            ),
            code=code,
        )

    rejected = await act(
        platform,
        replays.reject,
        actor=opponent,
        submission_id=submitted.id,
        reason="  Game 2 was ours.  ",
    )

    assert rejected.status == "rejected"
    current = await load(platform, submitted.id)
    assert current.rejection_reason == "Game 2 was ours."
    async with platform.reading() as session:
        answer = await session.scalar(
            select(Ratification).where(Ratification.submission_id == submitted.id)
        )
    assert (answer.user_id, answer.decision, answer.reason) == (
        opponent.user_id,
        "reject",
        "Game 2 was ours.",
    )
    teammate = await actor_of(platform, line.away[1][0])
    await fails_unchanged(
        platform,
        lambda s: replays.ratify(s, actor=teammate, submission_id=submitted.id),
        code="NOT_AWAITING_RATIFICATION",
    )

    again = await submit(platform, world.actors["player"], line.match_id, sweep(line))
    await run_jobs(platform)

    assert (await load(platform, again.id)).status == "awaiting_ratification"
    assert await results(platform, line.match_id) == (0, 0, 0)


async def test_the_same_bytes_are_stored_once(platform, world) -> None:
    line = await team_one_match(platform, world)
    files = sweep(line)
    first = await awaiting(platform, world, line)
    stored_before = objects(platform)
    async with platform.reading() as session:
        rows = (await session.scalars(select(StoredReplay).order_by(StoredReplay.id))).all()
    assert len(rows) == 3
    assert stored_before == {storage_key(r.sha256) for r in rows}
    assert [await platform.storage.get(r.storage_key) for r in rows] == [f.data for f in files]
    await act(
        platform,
        replays.reject,
        actor=world.actors["team_captain"],
        submission_id=first.id,
        reason="Wrong files, uploading again.",
    )

    second = await submit(platform, world.actors["team_captain"], line.match_id, files)

    async with platform.reading() as session:
        again = (await session.scalars(select(StoredReplay).order_by(StoredReplay.id))).all()
        used = (
            await session.scalars(
                select(SubmissionReplay.stored_replay_id)
                .where(SubmissionReplay.submission_id == second.id)
                .order_by(SubmissionReplay.game_number)
            )
        ).all()
    assert [(r.id, r.sha256) for r in again] == [(r.id, r.sha256) for r in rows]
    assert list(used) == [r.id for r in rows]
    assert objects(platform) == stored_before


# -- staff ---------------------------------------------------------------------------------------


async def audit(platform: Runtime, submission_id: int) -> list[tuple[str, int, dict]]:
    async with platform.reading() as session:
        rows = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.subject == f"submission:{submission_id}")
                .order_by(AuditEntry.id)
            )
        ).all()
    return [(r.action, r.actor_user_id, r.details) for r in rows]


async def test_staff_overrides_are_staff_only(platform, world) -> None:
    line = await team_one_match(platform, world)
    submitted = await awaiting(platform, world, line)
    opponent = await actor_of(platform, line.away[0][0])
    calls = {
        "force_accept": lambda s, who: replays.force_accept(
            s, actor=who, submission_id=submitted.id
        ),
        "reset": lambda s, who: replays.reset(s, actor=who, submission_id=submitted.id),
        "invalidate": lambda s, who: replays.invalidate(
            s, actor=who, submission_id=submitted.id, reason="Cheating."
        ),
    }
    for call in calls.values():
        for role in ("team_captain", "player", "franchise_manager", "outsider"):
            who = world.actors[role]
            await fails_unchanged(
                platform, lambda s, call=call, who=who: call(s, who), code="PERMISSION_DENIED"
            )
        await fails_unchanged(
            platform, lambda s, call=call: call(s, opponent), code="PERMISSION_DENIED"
        )
        await fails_unchanged(
            platform,
            lambda s, call=call: call(s, world.actors["spectator"]),
            code="UNAUTHENTICATED",
        )
    assert await audit(platform, submitted.id) == []


async def test_staff_force_accept_an_awaiting_submission(platform, world) -> None:
    line = await team_one_match(platform, world)
    submitted = await awaiting(platform, world, line)
    staff = world.actors["league_staff"]

    forced = await act(platform, replays.force_accept, actor=staff, submission_id=submitted.id)

    assert forced.status == "accepted"
    assert await results(platform, line.match_id) == (3, 12, 6)
    assert await match_status(platform, line.match_id) == "completed"
    assert await audit(platform, submitted.id) == [
        ("submission.force_accept", staff.user_id, {"match_id": line.match_id})
    ]


async def test_staff_reset_processes_again_and_drops_ratifications(platform, world) -> None:
    await setting(platform, world, "required_ratifications", 2)
    line = await team_one_match(platform, world)
    submitted = await awaiting(platform, world, line)
    await act(
        platform,
        replays.ratify,
        actor=await actor_of(platform, line.away[0][0]),
        submission_id=submitted.id,
    )
    staff = world.actors["league_staff"]

    reset = await act(platform, replays.reset, actor=staff, submission_id=submitted.id)

    assert reset.status == "processing" and reset.report is None
    assert await count(platform, Ratification, Ratification.submission_id == submitted.id) == 0
    assert await audit(platform, submitted.id) == [
        ("submission.reset", staff.user_id, {"match_id": line.match_id})
    ]
    await run_jobs(platform)
    current = await load(platform, submitted.id)
    assert current.status == "awaiting_ratification" and current.report["ok"] is True
    assert await results(platform, line.match_id) == (0, 0, 0)


async def test_staff_invalidate_an_accepted_result(platform, world) -> None:
    line = await team_one_match(platform, world)
    submitted = await awaiting(platform, world, line)
    opponent = await actor_of(platform, line.away[0][0])
    await act(platform, replays.ratify, actor=opponent, submission_id=submitted.id)
    assert (await standing(platform, world, line.home_team_id)).series_won == 1
    staff = world.actors["league_staff"]
    await fails_unchanged(
        platform,
        lambda s: replays.invalidate(s, actor=staff, submission_id=submitted.id, reason=" "),
        code="REASON_REQUIRED",
    )

    invalidated = await act(
        platform,
        replays.invalidate,
        actor=staff,
        submission_id=submitted.id,
        reason="Team 4 played an unregistered substitute.",
    )

    assert invalidated.status == "rejected"
    assert invalidated.rejection_reason == (
        "Invalidated by staff: Team 4 played an unregistered substitute."
    )
    assert await results(platform, line.match_id) == (0, 0, 0)
    assert await count(platform, PlayerGameStat) == await count(platform, TeamGameStat) == 0
    assert await match_status(platform, line.match_id) == "scheduled"
    for team_id in (line.home_team_id, line.away_team_id):
        row = await standing(platform, world, team_id)
        assert (row.played, row.series_won, row.series_lost, row.games_won) == (0, 0, 0, 0)
    assert await audit(platform, submitted.id) == [
        (
            "submission.invalidate",
            staff.user_id,
            {"match_id": line.match_id, "reason": "Team 4 played an unregistered substitute."},
        )
    ]
    # The match is open again, and the replays free for a corrected upload.
    again = await submit(platform, world.actors["team_captain"], line.match_id, sweep(line))
    await run_jobs(platform)
    assert (await load(platform, again.id)).status == "awaiting_ratification"


# -- bad input: a typed error, and nothing changed -----------------------------------------------


async def refused(
    platform: Runtime,
    actor: Actor,
    match_id: int,
    files: list[Upload],
    *,
    code: str,
    error: type[DomainError] = DomainError,
    max_size: int = MAX,
) -> DomainError:
    """The upload fails with ``code``, changing no table and storing no object."""
    before = objects(platform)
    raised = await fails_unchanged(
        platform,
        submitting(platform, actor, match_id, files, max_size=max_size),
        code=code,
        error=error,
    )
    assert objects(platform) == before
    return raised


@pytest.mark.replays
@pytest.mark.skipif(not BAD.is_dir(), reason=f"the shared bad replays are absent ({BAD})")
async def test_every_fuzzed_replay_is_refused_as_corrupt(platform, world) -> None:
    line = await team_one_match(platform, world)
    captain = world.actors["team_captain"]
    bad_files = sorted(BAD.glob("*.replay"))
    assert len(bad_files) == 7
    for path in bad_files:
        files = [game(line, 1, home_goals=2, away_goals=1), Upload(path.name, path.read_bytes())]
        raised = await refused(
            platform, captain, line.match_id, files, code="CORRUPT_REPLAY", error=ReplayError
        )
        assert raised.message.startswith(f"Replay 2 ({path.name}): The replay is damaged"), path


async def test_files_that_are_no_replay_are_refused(platform, world) -> None:
    line = await team_one_match(platform, world)
    captain = world.actors["team_captain"]
    good = game(line, 1, home_goals=2, away_goals=1)
    cases = [
        ("notes.bin", random.Random(7).randbytes(4096), "NOT_A_REPLAY", "is not a Rocket League"),
        ("half.replay", good.data[: len(good.data) // 2], "TRUNCATED_REPLAY", "is cut short"),
        ("empty.replay", b"", "NOT_A_REPLAY", "The file is empty"),
    ]
    for name, data, code, words in cases:
        raised = await refused(
            platform,
            captain,
            line.match_id,
            [good, Upload(name, data)],
            code=code,
            error=ReplayError,
        )
        assert raised.message.startswith(f"Replay 2 ({name}): "), raised.message
        assert words in raised.message

    too_large = await refused(
        platform,
        captain,
        line.match_id,
        [good],
        code="REPLAY_TOO_LARGE",
        error=ReplayError,
        max_size=len(good.data) - 1,
    )
    assert "over the" in too_large.message and "limit" in too_large.message
    assert await count(platform, Submission) == 0


async def test_uploads_that_break_the_submission_rules_are_refused(platform, world) -> None:
    line = await team_one_match(platform, world)
    captain = world.actors["team_captain"]
    files = sweep(line)

    duplicate = await refused(
        platform, captain, line.match_id, [files[0], files[1], files[0]], code="DUPLICATE_FILE"
    )
    assert duplicate.message == "Replay 3 (game1.replay) is the same file as replay 1."
    open_one = await submit(platform, captain, line.match_id, files)

    await refused(
        platform, world.actors["player"], line.match_id, files, code="SUBMISSION_IN_PROGRESS"
    )
    # The same replay, for another match of Team 1 (Team 1 against Team 2).
    other_match = world.match_ids[-1]
    other = await lineup(platform, other_match, link=False)
    assert world.team_ids[0] in (other.home_team_id, other.away_team_id)
    used = await refused(
        platform,
        captain,
        other_match,
        [game(other, 1, home_goals=2, away_goals=0), files[1]],
        code="REPLAY_ALREADY_USED",
    )
    assert used.message == f"Replay 2 (game2.replay) is already part of submission {open_one.id}."


async def test_the_job_flags_a_replay_taken_by_another_submission_meanwhile(
    platform, world
) -> None:
    """Rejected, the first submission freed its replays; one went into a submission of
    another match; staff then reset the first: its game 3 is no longer its own."""
    line = await team_one_match(platform, world)
    captain = world.actors["team_captain"]
    first = await awaiting(platform, world, line)
    await act(platform, replays.reject, actor=captain, submission_id=first.id, reason="Oops.")
    other = await lineup(platform, world.match_ids[-1], link=False)
    taken = [game(other, 1, home_goals=1, away_goals=0), sweep(line)[2]]
    second = await submit(platform, captain, other.match_id, taken)
    await act(platform, replays.reset, actor=world.actors["league_staff"], submission_id=first.id)

    async with platform.unit_of_work() as session:
        processed = await replays.process_submission(
            session, storage=platform.storage, submission_id=first.id, max_size=MAX
        )

    assert processed.status == "rejected"
    assert [(p["code"], p["game"], p["message"]) for p in processed.report["problems"]] == [
        (
            "REPLAY_ALREADY_USED",
            3,
            f"Replay 3: this replay is already part of submission {second.id}.",
        )
    ]


async def test_a_decided_match_takes_no_upload(platform, world) -> None:
    line = await team_one_match(platform, world)
    await act(
        platform,
        schedule.record_result,
        actor=world.actors["league_staff"],
        match_id=line.match_id,
        games=[(1, 0), (1, 0), (1, 0)],
    )

    raised = await refused(
        platform,
        world.actors["team_captain"],
        line.match_id,
        sweep(line),
        code="MATCH_ALREADY_DECIDED",
    )
    assert raised.message == f"Match {line.match_id} is already completed."


async def test_only_the_two_teams_their_managers_and_staff_may_upload(platform, world) -> None:
    line = await team_one_match(platform, world)
    third_team = await lineup(platform, world.match_ids[1], link=False)
    stranger = await actor_of(platform, third_team.home[0][0])  # a Team 2 player
    assert third_team.home_team_id not in (line.home_team_id, line.away_team_id)
    for who in (world.actors["outsider"], stranger):
        await refused(platform, who, line.match_id, sweep(line), code="PERMISSION_DENIED")
    await refused(
        platform, world.actors["spectator"], line.match_id, sweep(line), code="UNAUTHENTICATED"
    )

    opponent = await actor_of(platform, line.away[0][0])
    for who in (
        world.actors["player"],
        opponent,
        world.actors["franchise_manager"],
        world.actors["league_staff"],
    ):
        submitted = await submit(platform, who, line.match_id, sweep(line))
        assert submitted.status == "processing"
        await act(
            platform,
            replays.reject,
            actor=world.actors["league_staff"],
            submission_id=submitted.id,
            reason="Checking who may upload.",
        )
    assert await count(platform, Submission) == 4


async def test_replays_of_another_match_are_rejected_by_the_job(platform, world) -> None:
    line = await team_one_match(platform, world)
    others = await lineup(platform, world.match_ids[1])  # Team 2 against Team 3
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, sweep(others))

    await run_jobs(platform)

    current = await load(platform, submitted.id)
    assert current.status == "rejected"
    problems = current.report["problems"]
    assert {p["code"] for p in problems} == {"NOT_ON_ROSTER", "SIDES_UNKNOWN"}
    for number in (1, 2, 3):
        per_game = [p for p in problems if p["game"] == number]
        assert [p["code"] for p in per_game] == ["NOT_ON_ROSTER"] * 4 + ["SIDES_UNKNOWN"]
        named = " ".join(p["message"] for p in per_game)
        for _, name, steam in others.home + others.away:
            assert f"account '{name}' (Steam {steam})" in named
    assert current.rejection_reason.startswith("Replay 1: account ")
    assert await results(platform, line.match_id) == (0, 0, 0)
    assert await match_status(platform, line.match_id) == "scheduled"


async def test_a_three_a_side_replay_in_a_doubles_league_is_rejected(platform, world) -> None:
    line = await team_one_match(platform, world)
    files = sweep(line)
    files[1] = game(line, 2, home_goals=2, away_goals=1, team_size=3)
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, files)

    await run_jobs(platform)

    current = await load(platform, submitted.id)
    assert current.status == "rejected"
    assert [(p["code"], p["game"]) for p in current.report["problems"]] == [("WRONG_TEAM_SIZE", 2)]
    assert current.rejection_reason == "Replay 2: it is a 3v3 game; this league plays 2v2."
    assert await results(platform, line.match_id) == (0, 0, 0)


# -- account claims ------------------------------------------------------------------------------


@pytest.mark.parametrize("confirmer", ["opponent", "league_staff"])
async def test_an_unknown_account_is_claimed_confirmed_and_revalidated(
    platform, world, confirmer: str
) -> None:
    player_member = world.member_ids["player"]
    line = await team_one_match(platform, world, unlinked={player_member})
    steam = next(s for m, _, s in line.home if m == player_member)
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, sweep(line))
    await run_jobs(platform)
    rejected = await load(platform, submitted.id)
    assert rejected.status == "rejected"
    assert [
        (u["game"], u["platform"], u["platform_id"]) for u in rejected.report["unknown_accounts"]
    ] == [(n, "steam", steam) for n in (1, 2, 3)]
    assert "is linked to nobody" in rejected.rejection_reason
    player = world.actors["player"]
    await fails_unchanged(
        platform,
        lambda s: replays.claim_account(
            s,
            actor=player,
            submission_id=submitted.id,
            platform="steam",
            account_id="76561198000000999",
        ),
        code="NOT_IN_REPORT",
    )

    claim = await act(
        platform,
        replays.claim_account,
        actor=player,
        submission_id=submitted.id,
        platform="Steam",
        account_id=f" {steam} ",
    )

    assert (claim.status, claim.member_id, claim.platform, claim.account_id) == (
        "pending",
        player_member,
        "steam",
        steam,
    )
    await fails_unchanged(
        platform,
        lambda s: replays.claim_account(
            s, actor=player, submission_id=submitted.id, platform="steam", account_id=steam
        ),
        code="DUPLICATE_CLAIM",
    )
    for who in (world.actors["team_captain"], world.actors["outsider"]):  # a teammate, nobody
        await fails_unchanged(
            platform,
            lambda s, who=who: replays.confirm_claim(s, actor=who, claim_id=claim.id),
            code="PERMISSION_DENIED",
        )
    uploads = await count(platform, SubmissionReplay), await count(platform, StoredReplay)
    who = (
        await actor_of(platform, line.away[0][0])
        if confirmer == "opponent"
        else world.actors["league_staff"]
    )

    confirmed = await act(platform, replays.confirm_claim, actor=who, claim_id=claim.id)

    assert confirmed.status == "confirmed" and confirmed.decided_by_user_id == who.user_id
    async with platform.reading() as session:
        linked = await session.scalar(
            select(PlatformAccount.member_id).where(
                PlatformAccount.platform == "steam", PlatformAccount.account_id == steam
            )
        )
    assert linked == player_member
    assert (await load(platform, submitted.id)).status == "validating"
    await run_jobs(platform)
    current = await load(platform, submitted.id)
    assert current.status == "awaiting_ratification"
    assert current.report["ok"] is True and current.report["unknown_accounts"] == []
    assert (await count(platform, SubmissionReplay), await count(platform, StoredReplay)) == uploads
    # Confirming again changes nothing.
    before = await snapshot(platform)
    await act(platform, replays.confirm_claim, actor=who, claim_id=claim.id)
    assert await snapshot(platform) == before


async def test_an_epic_account_is_claimed_whatever_the_case_of_its_id(platform, world) -> None:
    line = await team_one_match(platform, world)
    epic_id = "724b831736dc4b9e96668d4410655857"
    files = sweep(line)
    captain_name = line.home[0][1]
    players = [
        PlayerSpec(captain_name, team=0, platform="epic", platform_id=epic_id.upper(), score=100),
        *[
            PlayerSpec(name, team=t, platform="steam", platform_id=steam, score=100)
            for t, side in ((0, line.home[1:]), (1, line.away))
            for _, name, steam in side
        ],
    ]
    files[0] = game(line, 1, home_goals=2, away_goals=1, players=players)
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, files)
    await run_jobs(platform)
    assert [
        (u["platform"], u["platform_id"])
        for u in (await load(platform, submitted.id)).report["unknown_accounts"]
    ] == [("epic", epic_id)]

    claim = await act(
        platform,
        replays.claim_account,
        actor=world.actors["team_captain"],
        submission_id=submitted.id,
        platform="epic",
        account_id=epic_id.upper(),
    )

    assert (claim.platform, claim.account_id, claim.account_name) == ("epic", epic_id, captain_name)


# -- workers dying half-way ----------------------------------------------------------------------


async def test_a_worker_dying_while_processing_or_finalizing_leaves_one_result(
    platform, world, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no ratification needed, processing also finalizes the result."""
    await setting(platform, world, "required_ratifications", 0)
    line = await team_one_match(platform, world)
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, sweep(line))
    async with platform.reading() as session:
        message_id = await session.scalar(
            select(func.max(OutboxMessage.id)).where(OutboxMessage.job == "submission.process")
        )
    before = await snapshot(platform)

    # Killed after processing, before the commit.
    with pytest.raises(WorkerDied):
        async with platform.unit_of_work() as session:
            done = await replays.process_submission(
                session, storage=platform.storage, submission_id=submitted.id, max_size=MAX
            )
            assert done.status == "accepted"
            raise WorkerDied
    assert await snapshot(platform) == before

    # Killed by the job in the middle of finalizing: games written, stat lines being written.
    record_series = stats.record_series

    async def dies_half_way(session: AsyncSession, **kwargs: Any) -> None:
        await record_series(session, **kwargs)
        raise WorkerDied

    monkeypatch.setattr(stats, "record_series", dies_half_way)
    with pytest.raises(WorkerDied):
        await tasks.process_submission(message_id=message_id, submission_id=submitted.id)
    monkeypatch.undo()
    assert await snapshot(platform) == before

    # The message is delivered again: the next worker does it all, once.
    await run_jobs(platform)

    assert (await load(platform, submitted.id)).status == "accepted"
    assert await results(platform, line.match_id) == (3, 12, 6)
    after = await snapshot(platform)
    await tasks.process_submission(message_id=message_id, submission_id=submitted.id)
    assert await snapshot(platform) == after
    assert await results(platform, line.match_id) == (3, 12, 6)


async def test_a_worker_dying_while_the_ratification_accepts_leaves_one_result(
    platform, world
) -> None:
    line = await team_one_match(platform, world)
    submitted = await awaiting(platform, world, line)
    opponent = await actor_of(platform, line.away[0][0])
    before = await snapshot(platform)

    with pytest.raises(WorkerDied):
        async with platform.unit_of_work() as session:
            done = await replays.ratify(session, actor=opponent, submission_id=submitted.id)
            assert done.status == "accepted"
            raise WorkerDied

    assert await snapshot(platform) == before
    accepted = await act(platform, replays.ratify, actor=opponent, submission_id=submitted.id)
    assert accepted.status == "accepted"
    assert await results(platform, line.match_id) == (3, 12, 6)
    assert await count(platform, Ratification, Ratification.submission_id == submitted.id) == 1


async def test_a_processing_job_that_fails_is_retried_until_it_succeeds(
    platform: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A storage hiccup must not leave the submission stuck in processing."""
    line = await lineup(platform, world.match_ids[0])
    submission = await submit(platform, world.actors["team_captain"], line.match_id, sweep(line))
    real_get = platform.storage.get
    failures = {"left": 2}

    async def flaky_get(key: str) -> bytes:
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("storage went away for a moment")
        return await real_get(key)

    monkeypatch.setattr(platform.storage, "get", flaky_get)
    for _ in range(50):  # the retries come back by themselves, after a short delay
        await run_jobs(platform)
        if (await load(platform, submission.id)).status != "processing":
            break
        await asyncio.sleep(0.1)
    assert failures["left"] == 0
    assert (await load(platform, submission.id)).status == "awaiting_ratification"
