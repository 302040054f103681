"""A scrim game's outcome and identity (issue 8): the winner its replay records (a forfeit at
a level score) is the scrim game's winner and its ratings'; an unfinished match is no result;
a game counted for a league match cannot also count for a scrim, nor the other way round."""

from __future__ import annotations

from sqlalchemy import select

from sprocket.errors import Conflict
from sprocket.flows import match_results, scrim_results
from sprocket.flows import ratings as rating_flow
from sprocket.ratings.models import RatingPoint
from sprocket.replays import service as replays
from sprocket.runtime import Runtime
from sprocket.scrims import service
from sprocket.scrims.models import ScrimGame
from tests.helpers.database import fails_unchanged
from tests.league_world import World
from tests.replays.series import game, lineup
from tests.scrims.test_results import (
    MAX,
    doubles_id,
    load,
    played,
    ratify,
    replay,
    submit,
    submitted,
)

GUID = "770019C011F0281C754B52B227B6CAA2"


async def test_a_scrim_game_forfeited_at_a_level_score_goes_to_the_recorded_winner(
    platform: Runtime, world: World, gql
) -> None:
    scrim = await played(platform, world)
    uploads = scrim.good()
    # Game 2: the home side plays orange; 2-2, and the header records orange's forfeit win.
    uploads[1] = replay(
        scrim.scrim_id,
        2,
        scrim.away,
        scrim.home,
        blue_goals=2,
        orange_goals=2,
        winning_team=1,
        forfeit=True,
    )

    row = await submitted(platform, scrim.uploader, scrim.scrim_id, uploads)
    assert row.status == "awaiting_ratification", row.report
    assert [(g["home_won"], g["forfeit"]) for g in row.report["games"]] == [
        (True, False),
        (True, True),
        (True, False),
    ]
    assert (await ratify(platform, scrim.opponent, row.id)).status == "accepted"

    async with platform.reading() as s:
        games = await service.game_lineups_of(s, scrim.scrim_id)
        points = (
            await s.scalars(
                select(RatingPoint).where(
                    RatingPoint.source == "scrim",
                    RatingPoint.source_game_id.in_([g.id for g in games]),
                )
            )
        ).all()
    assert [(g.home_goals, g.away_goals, g.home_won) for g in games] == [
        (3, 1, True),
        (2, 2, True),
        (3, 1, True),
    ]
    shown = await gql.ok(
        "query($s: ID!) { scrim(id: $s) { lineups { homeGoals awayGoals homeWon } } }",
        {"s": str(scrim.scrim_id)},
    )
    assert shown["scrim"]["lineups"][1] == {"homeGoals": 2, "awayGoals": 2, "homeWon": True}
    assert len(points) == 12
    assert {p.member_id for p in points if p.won} == set(scrim.home)
    assert {p.member_id for p in points if not p.won} == set(scrim.away)
    # A recompute reads the same winners back from the stored games.
    before = sorted((p.member_id, p.source_game_id, p.won, p.mu_after) for p in points)
    async with platform.unit_of_work() as s:
        await rating_flow.recompute(
            s, organization_id=world.organization_id, game_mode_id=await doubles_id(platform)
        )
    async with platform.reading() as s:
        again = (await s.scalars(select(RatingPoint).where(RatingPoint.source == "scrim"))).all()
    assert sorted((p.member_id, p.source_game_id, p.won, p.mu_after) for p in again) == before


async def test_an_unfinished_scrim_game_is_no_result(platform: Runtime, world: World) -> None:
    scrim = await played(platform, world)
    uploads = scrim.good()
    uploads[2] = replay(
        scrim.scrim_id, 3, scrim.home, scrim.away, blue_goals=1, orange_goals=0, seconds_played=9.0
    )

    row = await submitted(platform, scrim.uploader, scrim.scrim_id, uploads)

    assert row.status == "rejected"
    assert [(p["code"], p["game"]) for p in row.report["problems"]] == [("UNFINISHED_GAME", 3)]
    async with platform.reading() as s:
        kept = (await s.scalars(select(ScrimGame.home_won))).all()
    assert set(kept) == {None}


async def test_a_game_counts_for_a_league_match_or_a_scrim_not_both(
    platform: Runtime, world: World
) -> None:
    scrim = await played(platform, world)
    staff = world.actors["league_staff"]
    line = await lineup(platform, world.match_ids[0], link=False)
    league_copy = game(line, 1, home_goals=2, away_goals=1, match_guid=GUID, replay_id="D" * 32)
    async with platform.unit_of_work() as s:
        league_submission = await match_results.submit_match_replays(
            s,
            actor=staff,
            storage=platform.storage,
            match_id=line.match_id,
            files=[league_copy],
            max_size=MAX,
        )
    uploads = scrim.good()
    uploads[0] = replay(
        scrim.scrim_id, 1, scrim.home, scrim.away, blue_goals=3, orange_goals=1, match_guid=GUID
    )

    raised = await fails_unchanged(
        platform,
        lambda s: scrim_results.submit_scrim_replays(
            s,
            actor=scrim.uploader.actor,
            storage=platform.storage,
            scrim_id=scrim.scrim_id,
            files=uploads,
            max_size=MAX,
        ),
        code="DUPLICATE_GAME",
        error=Conflict,
    )
    assert raised.message == (
        f"Replay 1 (scrim{scrim.scrim_id}-game1.replay) is the same game as a replay of "
        f"submission {league_submission.id} (match GUID {GUID}), saved by another player."
    )

    # Rejected, the league submission holds nothing: the scrim takes the game, and then the
    # league match cannot have it back.
    async with platform.unit_of_work() as s:
        await replays.reject(s, actor=staff, submission_id=league_submission.id, reason="No.")
    scrim_submission = await submit(platform, scrim.uploader, scrim.scrim_id, uploads)
    assert (await load(platform, scrim_submission.id)).status == "processing"
    retry = await fails_unchanged(
        platform,
        lambda s: match_results.submit_match_replays(
            s,
            actor=staff,
            storage=platform.storage,
            match_id=line.match_id,
            files=[game(line, 1, home_goals=2, away_goals=1, match_guid=GUID, replay_id="E" * 32)],
            max_size=MAX,
        ),
        code="DUPLICATE_GAME",
        error=Conflict,
    )
    assert f"a replay of submission {scrim_submission.id} (match GUID {GUID})" in retry.message
