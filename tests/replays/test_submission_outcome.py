"""A game's outcome and identity through the submission flow, on a real database (issue 8):
the winner a replay records (a forfeit at a level score) reaching games, stat lines,
standings and ratings; unfinished matches refused; the same game counted once, within a
submission and across open or accepted ones; hostile upload file names cleaned.

The match is the World's first (Team 1 at home against Team 4, best of five), as in
``test_submissions``; ``series.game`` writes each game, the home side on blue.
"""

from __future__ import annotations

from sqlalchemy import select, update

from sprocket.errors import Conflict, InvalidInput
from sprocket.flows import match_results
from sprocket.ratings.models import RatingPoint
from sprocket.replays import service as replays
from sprocket.replays.models import StoredReplay, Submission, SubmissionReplay
from sprocket.replays.parser import ReplayError
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from sprocket.schedule.models import MatchGame
from sprocket.stats.models import PlayerGameStat, TeamGameStat
from tests.helpers.database import fails_unchanged
from tests.league_world import World
from tests.replays.series import Lineup, actor_of, game, lineup
from tests.replays.test_submissions import (
    act,
    load,
    objects,
    refused,
    run_jobs,
    standing,
    submit,
    team_one_match,
)


def guid(number: int) -> str:
    """The match GUID of game ``number`` (32 hex digits, like the game's)."""
    return f"{number:08X}11F1651138B732B293F5F544"


def series(line: Lineup, *, games: int = 3) -> list[Upload]:
    """Home wins every game 2-1; each game has its own match GUID, as newer replays do."""
    return [
        game(line, n, home_goals=2, away_goals=1, match_guid=guid(n)) for n in range(1, games + 1)
    ]


def other_copy(line: Lineup, number: int, *, filename: str = "theirs.replay") -> Upload:
    """Game ``number`` of :func:`series` as another player saved it: the same match GUID, its
    own replay id (so other bytes)."""
    copy = game(
        line, number, home_goals=2, away_goals=1, match_guid=guid(number), replay_id="F" * 32
    )
    return Upload(filename, copy.data)


async def awaiting_with(platform: Runtime, world: World, files: list[Upload]) -> Submission:
    """The captain submits ``files`` for the first match; checked, it awaits ratification."""
    submitted = await submit(platform, world.actors["team_captain"], world.match_ids[0], files)
    await run_jobs(platform)
    current = await load(platform, submitted.id)
    assert current.status == "awaiting_ratification", current.report
    return current


# -- the recorded winner, everywhere a result shows ----------------------------------------------


async def test_a_forfeit_counts_for_the_winner_the_replay_records(platform, world) -> None:
    """Game 2: 1-1, the away side forfeited. Game 3: the away side led 3-0 and forfeited. The
    home side wins both by the record, so the series is 3-0, and every view says so."""
    line = await team_one_match(platform, world)
    files = [
        game(line, 1, home_goals=2, away_goals=1),
        game(line, 2, home_goals=1, away_goals=1, winning_team=0, forfeit=True),
        game(line, 3, home_goals=0, away_goals=3, winning_team=0, forfeit=True),
    ]
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, files)
    await run_jobs(platform)
    current = await load(platform, submitted.id)
    assert current.status == "awaiting_ratification", current.report
    reported = current.report["games"]
    assert [(g["home_goals"], g["away_goals"], g["home_won"], g["forfeit"]) for g in reported] == [
        (2, 1, True, False),
        (1, 1, True, True),
        (0, 3, True, True),
    ]
    async with platform.reading() as s:
        summaries = (
            await s.scalars(
                select(SubmissionReplay.summary)
                .where(SubmissionReplay.submission_id == submitted.id)
                .order_by(SubmissionReplay.game_number)
            )
        ).all()
    assert [(x["winner"], x["forfeit"], x["unfinished"]) for x in summaries] == [
        (0, False, False),
        (0, True, False),
        (0, True, False),
    ]

    accepted = await act(
        platform,
        replays.ratify,
        actor=await actor_of(platform, line.away[0][0]),
        submission_id=submitted.id,
    )

    assert accepted.status == "accepted"
    async with platform.reading() as s:
        games = (
            await s.scalars(
                select(MatchGame)
                .where(MatchGame.match_id == line.match_id)
                .order_by(MatchGame.number)
            )
        ).all()
        ids = [g.id for g in games]
        team_lines = (
            await s.scalars(select(TeamGameStat).where(TeamGameStat.match_game_id.in_(ids)))
        ).all()
        player_lines = (
            await s.scalars(select(PlayerGameStat).where(PlayerGameStat.match_game_id.in_(ids)))
        ).all()
        points = (
            await s.scalars(
                select(RatingPoint).where(
                    RatingPoint.source == "match", RatingPoint.source_game_id.in_(ids)
                )
            )
        ).all()
    assert [(g.number, g.home_goals, g.away_goals, g.home_won) for g in games] == [
        (1, 2, 1, True),
        (2, 1, 1, True),
        (3, 0, 3, True),
    ]
    assert sorted((t.match_game_id, t.team_id, t.goals, t.won) for t in team_lines) == sorted(
        [(ids[0], line.home_team_id, 2, True), (ids[0], line.away_team_id, 1, False)]
        + [(ids[1], line.home_team_id, 1, True), (ids[1], line.away_team_id, 1, False)]
        + [(ids[2], line.home_team_id, 0, True), (ids[2], line.away_team_id, 3, False)]
    )
    for game_id in ids:
        lines = [p for p in player_lines if p.match_game_id == game_id]
        assert {p.team_id for p in lines if p.won} == {line.home_team_id}
        (mvp,) = [p for p in lines if p.mvp]  # the best score of the side that won
        assert mvp.team_id == line.home_team_id
    home_members = {m for m, _, _ in line.home}
    assert len(points) == 12  # four players, three games
    assert {(p.member_id in home_members) for p in points if p.won} == {True}
    assert {(p.member_id in home_members) for p in points if not p.won} == {False}
    row = await standing(platform, world, line.home_team_id)
    assert (row.series_won, row.games_won, row.games_lost) == (1, 3, 0)
    assert (row.goals_for, row.goals_against) == (3, 5)


async def test_an_unfinished_match_is_not_a_decided_game(platform, world) -> None:
    line = await team_one_match(platform, world)
    files = series(line)
    files[1] = game(
        line, 2, home_goals=1, away_goals=0, unfinished=True, winning_team=-1, seconds_played=19.0
    )
    submitted = await submit(platform, world.actors["team_captain"], line.match_id, files)
    await run_jobs(platform)

    current = await load(platform, submitted.id)
    assert current.status == "rejected"
    assert [(p["code"], p["game"]) for p in current.report["problems"]] == [("UNFINISHED_GAME", 2)]
    assert current.rejection_reason == (
        "Replay 2: it is the replay of an unfinished match (1-0 after 19 s of play), not a "
        "decided game; upload the replay of the whole game."
    )
    assert current.report["games"][1]["home_won"] is None


# -- one game counts once ------------------------------------------------------------------------


async def test_two_players_copies_in_one_upload_are_refused(platform, world) -> None:
    line = await team_one_match(platform, world)
    files = series(line)
    files[2] = other_copy(line, 1, filename="game3.replay")

    raised = await refused(
        platform,
        world.actors["team_captain"],
        line.match_id,
        files,
        code="DUPLICATE_GAME",
        error=InvalidInput,
    )

    assert raised.message == (
        f"Replay 3 (game3.replay) is the same game as replay 1 (match GUID {guid(1)}), saved "
        "by another player."
    )


async def test_a_game_another_open_submission_counts_is_refused_until_it_is_rejected(
    platform, world
) -> None:
    line = await team_one_match(platform, world)
    captain, staff = world.actors["team_captain"], world.actors["league_staff"]
    first = await awaiting_with(platform, world, series(line))
    other = await lineup(platform, world.match_ids[-1], link=False)
    mixed = [game(other, 1, home_goals=1, away_goals=0), other_copy(line, 2)]

    raised = await refused(
        platform, staff, other.match_id, mixed, code="DUPLICATE_GAME", error=Conflict
    )

    assert raised.message == (
        f"Replay 2 (theirs.replay) is the same game as a replay of submission {first.id} "
        f"(match GUID {guid(2)}), saved by another player."
    )
    # Rejected, the first submission no longer holds its games: the copy is taken now.
    await act(platform, replays.reject, actor=captain, submission_id=first.id, reason="Redo.")
    second = await submit(platform, staff, other.match_id, mixed)
    # Reset, the first is checked again: its game 2 is now the second's.
    await act(platform, replays.reset, actor=staff, submission_id=first.id)
    async with platform.unit_of_work() as session:
        processed = await replays.process_submission(
            session, storage=platform.storage, submission_id=first.id, max_size=2**24
        )
    assert processed.status == "rejected"
    assert [(p["code"], p["game"], p["message"]) for p in processed.report["problems"]] == [
        (
            "DUPLICATE_GAME",
            2,
            f"Replay 2 is the same game as a replay of submission {second.id} "
            f"(match GUID {guid(2)}), saved by another player.",
        )
    ]
    # Staff cannot force it in while the other holds the game.
    await fails_unchanged(
        platform,
        lambda s: replays.force_accept(s, actor=staff, submission_id=first.id),
        code="DUPLICATE_GAME",
        error=Conflict,
    )


async def test_an_accepted_game_stays_counted(platform, world) -> None:
    line = await team_one_match(platform, world)
    first = await awaiting_with(platform, world, series(line))
    await act(
        platform,
        replays.ratify,
        actor=await actor_of(platform, line.away[0][0]),
        submission_id=first.id,
    )
    assert (await load(platform, first.id)).status == "accepted"
    other = await lineup(platform, world.match_ids[-1], link=False)

    raised = await refused(
        platform,
        world.actors["league_staff"],
        other.match_id,
        [other_copy(line, 3)],
        code="DUPLICATE_GAME",
        error=Conflict,
    )

    assert f"a replay of submission {first.id} (match GUID {guid(3)})" in raised.message


async def test_a_reset_or_a_re_upload_does_not_count_a_game_against_itself(platform, world) -> None:
    line = await team_one_match(platform, world)
    files = series(line)
    first = await awaiting_with(platform, world, files)
    staff, captain = world.actors["league_staff"], world.actors["team_captain"]

    await act(platform, replays.reset, actor=staff, submission_id=first.id)
    await run_jobs(platform)
    assert (await load(platform, first.id)).status == "awaiting_ratification"

    await act(platform, replays.reject, actor=captain, submission_id=first.id, reason="Again.")
    again = await submit(platform, captain, line.match_id, files)
    await run_jobs(platform)
    assert (await load(platform, again.id)).status == "awaiting_ratification"
    # A copy saved by another player is fine too, once nothing else holds the game.
    await act(platform, replays.reject, actor=captain, submission_id=again.id, reason="Copy.")
    copies = [
        Upload(
            f"copy{n}.replay",
            game(
                line, n, home_goals=2, away_goals=1, match_guid=guid(n), replay_id=f"{n:032X}"
            ).data,
        )
        for n in (1, 2, 3)
    ]
    third = await submit(platform, captain, line.match_id, copies)
    await run_jobs(platform)
    assert (await load(platform, third.id)).status == "awaiting_ratification"


async def test_the_keys_of_a_game_are_kept_beside_its_file(platform, world) -> None:
    """Stored when uploaded; a replay stored before the keys were kept gets them when the job
    parses it again."""
    line = await team_one_match(platform, world)
    first = await awaiting_with(platform, world, series(line))
    async with platform.reading() as s:
        rows = (await s.scalars(select(StoredReplay).order_by(StoredReplay.id))).all()
    assert [(r.replay_id, r.match_guid) for r in rows] == [
        (f"{line.match_id:08X}{n:024X}", guid(n)) for n in (1, 2, 3)
    ]
    async with platform.unit_of_work() as s:
        await s.execute(update(StoredReplay).values(replay_id=None, match_guid=None))
    await act(platform, replays.reset, actor=world.actors["league_staff"], submission_id=first.id)
    await run_jobs(platform)
    async with platform.reading() as s:
        again = (await s.scalars(select(StoredReplay).order_by(StoredReplay.id))).all()
    assert [(r.replay_id, r.match_guid) for r in again] == [
        (r.replay_id, r.match_guid) for r in rows
    ]


# -- hostile file names --------------------------------------------------------------------------

HOSTILE = {
    "../../../etc/passwd.replay": "passwd.replay",
    "C:\\Users\\me\\Documents\\My Games\\..\\game2.replay": "game2.replay",
    "nul\x00byte.replay": "nulbyte.replay",
    "line\r\nbreak\tand\x1b[31mred.replay": "linebreakand[31mred.replay",
    "evil\u202eyalper.exe": "evilyalper.exe",
    "/": "game3.replay",  # the third file of its submission
    "\x00\x01": "game4.replay",
    "Ω" * 300 + ".replay": "Ω" * 247 + "\u2026.replay",
}


async def test_hostile_file_names_are_stored_and_shown_clean(platform, world) -> None:
    line = await team_one_match(platform, world)
    names = list(HOSTILE)
    # Eight files over two submissions of two matches (the second by staff).
    files = [
        Upload(name, game(line, n, home_goals=2, away_goals=1).data)
        for n, name in enumerate(names[:3], start=1)
    ]
    first = await submit(platform, world.actors["team_captain"], line.match_id, files)
    other = await lineup(platform, world.match_ids[-1], link=False)
    more = [
        Upload(name, game(other, n, home_goals=1, away_goals=0).data)
        for n, name in enumerate(names[3:], start=4)
    ]
    second = await submit(platform, world.actors["league_staff"], other.match_id, more)
    await run_jobs(platform)

    async with platform.reading() as s:
        stored = (await s.scalars(select(StoredReplay).order_by(StoredReplay.id))).all()
    assert [r.filename for r in stored] == list(HOSTILE.values())
    reported = (await load(platform, first.id)).report["games"]
    assert [g["filename"] for g in reported] == list(HOSTILE.values())[:3]
    reported = (await load(platform, second.id)).report["games"]
    assert [g["filename"] for g in reported] == list(HOSTILE.values())[3:]
    assert all(len(r.filename) <= 255 for r in stored)


async def test_an_error_names_the_file_by_its_clean_name(platform, world) -> None:
    line = await team_one_match(platform, world)
    broken = bytearray(series(line)[0].data)
    broken[-1] ^= 0xFF
    before = objects(platform)

    raised = await fails_unchanged(
        platform,
        lambda s: match_results.submit_match_replays(
            s,
            actor=world.actors["team_captain"],
            storage=platform.storage,
            match_id=line.match_id,
            files=[Upload("..\\..\\x\x00\n.replay", bytes(broken))],
            max_size=2**24,
        ),
        code="CORRUPT_REPLAY",
        error=ReplayError,
    )

    assert raised.message.startswith("Replay 1 (x.replay): The replay is damaged")
    assert objects(platform) == before
