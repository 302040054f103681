"""Schedule services: match weeks, generated and imported schedules, results and standings."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from sprocket.db import utcnow
from sprocket.errors import InvalidInput
from sprocket.league import service as league
from sprocket.league.models import Season
from sprocket.platform.outbox import OutboxMessage
from sprocket.schedule import service as schedule
from sprocket.schedule.csv_io import ScheduleImportError
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Fixture, Match, MatchGame, MatchWeek
from tests.helpers.database import fails_unchanged, row_counts
from tests.league_world import build_world

# Tomorrow at 19:00: inside week 1 of a World's season (which starts a day before now).
T0 = (utcnow() + dt.timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)


def csv_time(days: float, *, iso: bool = True) -> str:
    """T0 plus ``days`` as a CSV cell: ISO 8601 with a Z, or a plain "date time" (UTC)."""
    moment = T0 + dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%MZ" if iso else "%Y-%m-%d %H:%M")


async def _season(platform, season_id: int) -> Season:
    async with platform.reading() as s:
        season = await s.get(Season, season_id)
    assert season is not None
    return season


async def _fixtures(platform, season_id: int) -> list[tuple[int, int, int, Match]]:
    """(week number, home team, away team, match) of every match of a season."""
    async with platform.reading() as s:
        rows = await s.execute(
            select(MatchWeek.number, Fixture.home_team_id, Fixture.away_team_id, Match)
            .join(Fixture, Fixture.match_week_id == MatchWeek.id)
            .join(Match, Match.fixture_id == Fixture.id)
            .where(MatchWeek.season_id == season_id)
            .order_by(Match.id)
        )
        return [tuple(row) for row in rows]


async def _outbox(platform) -> list[OutboxMessage]:
    async with platform.reading() as s:
        return list((await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


def _check_round_robin(fixtures, teams: list[int], *, double: bool) -> None:
    pairs = Counter(frozenset((home, away)) for _, home, away, _ in fixtures)
    expected = len(teams) * (len(teams) - 1) // 2
    assert len(pairs) == expected
    assert set(pairs.values()) == {2 if double else 1}  # every pair meets (twice if double)
    assert len(fixtures) == expected * (2 if double else 1)
    if double:  # each ordered pair once: home and away
        assert len({(home, away) for _, home, away, _ in fixtures}) == len(fixtures)
    by_week: dict[int, list[int]] = defaultdict(list)
    for week, home, away, _ in fixtures:
        by_week[week] += [home, away]
    for week, playing in by_week.items():
        assert len(playing) == len(set(playing)), f"a team plays twice in week {week}"
    home_games = Counter(home for _, home, _, _ in fixtures)
    away_games = Counter(away for _, _, away, _ in fixtures)
    for team in teams:
        assert home_games[team] + away_games[team] == (len(teams) - 1) * (2 if double else 1)
        if double:
            assert home_games[team] == away_games[team]
        else:
            assert abs(home_games[team] - away_games[team]) <= 1


# -- match weeks -------------------------------------------------------------------------------


async def test_create_match_weeks(platform):
    world = await build_world(platform, with_schedule=False)
    staff = world.actors["league_staff"]
    season = await _season(platform, world.season_id)
    async with platform.unit_of_work() as s:
        weeks = await schedule.create_match_weeks(s, actor=staff, season_id=season.id, count=3)
    assert [w.number for w in weeks] == [1, 2, 3]
    assert weeks[0].starts_at == season.starts_at
    for earlier, later in zip(weeks, weeks[1:], strict=False):
        assert later.starts_at == earlier.ends_at
    assert all(w.ends_at - w.starts_at == dt.timedelta(days=7) for w in weeks)

    async with platform.unit_of_work() as s:
        more = await schedule.create_match_weeks(
            s, actor=staff, season_id=season.id, count=2, days=3
        )
    assert [w.number for w in more] == [4, 5]
    assert more[0].starts_at == weeks[-1].ends_at
    assert more[1].ends_at - more[1].starts_at == dt.timedelta(days=3)
    async with platform.reading() as s:
        assert [w.number for w in await schedule.match_weeks(s, season_id=season.id)] == [
            1,
            2,
            3,
            4,
            5,
        ]


async def test_match_week_requests_are_bounded(platform):
    world = await build_world(platform, with_schedule=False)
    for kwargs in ({"count": 0}, {"count": 105}, {"count": 1, "days": 0}, {"count": 1, "days": 32}):
        await fails_unchanged(
            platform,
            lambda s, kwargs=kwargs: schedule.create_match_weeks(
                s, actor=world.actors["league_staff"], season_id=world.season_id, **kwargs
            ),
            code="INVALID_MATCH_WEEKS",
        )


async def test_match_weeks_do_not_overlap_and_need_staff(platform):
    world = await build_world(platform, with_schedule=False)
    staff = world.actors["league_staff"]
    async with platform.unit_of_work() as s:
        weeks = await schedule.create_match_weeks(
            s, actor=staff, season_id=world.season_id, count=2
        )
    await fails_unchanged(
        platform,
        lambda s: schedule.create_match_weeks(
            s,
            actor=staff,
            season_id=world.season_id,
            count=1,
            first_starts_at=weeks[-1].ends_at - dt.timedelta(hours=1),
        ),
        code="INVALID_MATCH_WEEKS",
    )
    await fails_unchanged(
        platform,
        lambda s: schedule.create_match_weeks(
            s, actor=world.actors["team_captain"], season_id=world.season_id, count=1
        ),
        code="PERMISSION_DENIED",
    )


# -- generated schedules -----------------------------------------------------------------------


async def test_generate_single_round_robin(platform):
    world = await build_world(platform, teams=4, with_schedule=False)
    staff = world.actors["league_staff"]
    async with platform.unit_of_work() as s:
        weeks = await schedule.create_match_weeks(
            s, actor=staff, season_id=world.season_id, count=6
        )
        created = await schedule.generate_schedule(s, actor=staff, season_id=world.season_id)
    assert len(created) == 6
    fixtures = await _fixtures(platform, world.season_id)
    assert [m.id for *_, m in fixtures] == sorted(m.id for m in created)
    _check_round_robin(fixtures, world.team_ids, double=False)
    windows = {w.number: (w.starts_at, w.ends_at) for w in weeks}
    assert {week for week, *_ in fixtures} == {1, 4, 6}  # three rounds spread over six weeks
    for week, _, _, match in fixtures:
        assert (match.starts_at, match.ends_at) == windows[week]
        assert match.format == "bo5"
        assert match.status == "scheduled"
        assert match.season_id == world.season_id
        assert match.skill_group_id == world.skill_group_ids[0]
    assert await _outbox(platform) == []  # creating matches is not a status change


async def test_generate_double_round_robin_with_a_bye(platform):
    world = await build_world(platform, teams=5, with_schedule=False)
    staff = world.actors["league_staff"]
    async with platform.unit_of_work() as s:
        await schedule.create_match_weeks(s, actor=staff, season_id=world.season_id, count=10)
        created = await schedule.generate_schedule(
            s, actor=staff, season_id=world.season_id, double=True, match_format="fixed2"
        )
    assert len(created) == 20
    fixtures = await _fixtures(platform, world.season_id)
    _check_round_robin(fixtures, world.team_ids, double=True)
    assert len({week for week, *_ in fixtures}) == 10  # ten rounds, one per week
    per_week = Counter(week for week, *_ in fixtures)
    assert set(per_week.values()) == {2}  # five teams: two games and a bye each week
    assert {m.format for *_, m in fixtures} == {"fixed2"}


async def test_each_skill_group_gets_its_own_round_robin(platform):
    world = await build_world(platform, teams=4, with_schedule=False)
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        masters = [
            (
                await league.create_team(
                    s,
                    actor=root,
                    league_id=world.league_id,
                    name=f"Master {i}",
                    skill_group_id=world.skill_group_ids[1],
                )
            ).id
            for i in range(3)
        ]
        await schedule.create_match_weeks(s, actor=root, season_id=world.season_id, count=3)
        await schedule.generate_schedule(s, actor=root, season_id=world.season_id)
    fixtures = await _fixtures(platform, world.season_id)
    premier = [f for f in fixtures if f[3].skill_group_id == world.skill_group_ids[0]]
    master = [f for f in fixtures if f[3].skill_group_id == world.skill_group_ids[1]]
    assert len(premier) + len(master) == len(fixtures)
    _check_round_robin(premier, world.team_ids, double=False)
    _check_round_robin(master, masters, double=False)


async def test_a_schedule_needs_two_teams(platform):
    world = await build_world(platform, teams=2, with_schedule=False)
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        await schedule.create_match_weeks(s, actor=root, season_id=world.season_id, count=4)

    def generate(s):
        return schedule.generate_schedule(
            s, actor=root, season_id=world.season_id, skill_group_id=world.skill_group_ids[1]
        )

    error = await fails_unchanged(platform, generate, code="SCHEDULE_TOO_FEW_TEAMS")
    assert "this group has 0." in error.message  # the empty group
    async with platform.unit_of_work() as s:
        await league.create_team(
            s,
            actor=root,
            league_id=world.league_id,
            name="Lonely",
            skill_group_id=world.skill_group_ids[1],
        )
    error = await fails_unchanged(platform, generate, code="SCHEDULE_TOO_FEW_TEAMS")
    assert "this group has 1." in error.message


async def test_a_schedule_needs_enough_weeks(platform):
    world = await build_world(platform, teams=4, with_schedule=False)
    staff = world.actors["league_staff"]

    def generate(s):
        return schedule.generate_schedule(s, actor=staff, season_id=world.season_id, double=True)

    await fails_unchanged(platform, generate, code="NO_MATCH_WEEKS")
    async with platform.unit_of_work() as s:
        await schedule.create_match_weeks(s, actor=staff, season_id=world.season_id, count=5)
    error = await fails_unchanged(platform, generate, code="SCHEDULE_NOT_ENOUGH_WEEKS")
    assert "6 match weeks" in error.message and "5" in error.message


async def test_a_schedule_is_generated_once(platform, world):
    error = await fails_unchanged(
        platform,
        lambda s: schedule.generate_schedule(
            s, actor=world.actors["league_staff"], season_id=world.season_id
        ),
        code="SCHEDULE_EXISTS",
    )
    assert "Season 1" in error.message


async def test_generation_checks_the_format_and_permission(platform):
    world = await build_world(platform, teams=4, with_schedule=False)
    async with platform.unit_of_work() as s:
        await schedule.create_match_weeks(
            s, actor=world.actors["superuser"], season_id=world.season_id, count=6
        )
    await fails_unchanged(
        platform,
        lambda s: schedule.generate_schedule(
            s, actor=world.actors["league_staff"], season_id=world.season_id, match_format="bo4"
        ),
        code="INVALID_MATCH_FORMAT",
    )
    await fails_unchanged(
        platform,
        lambda s: schedule.generate_schedule(
            s, actor=world.actors["franchise_manager"], season_id=world.season_id
        ),
        code="PERMISSION_DENIED",
    )


# -- CSV import and export ---------------------------------------------------------------------

GOOD_CSV = (
    "week,home,away,start,end\n"
    f"1,Team 1,Team 2,{csv_time(0)},{csv_time(1)}\n"
    f"1,Team 3,Team 4,{csv_time(2)},{csv_time(3)}\n"
    f"2,Team 2,Team 3,{csv_time(7, iso=False)},{csv_time(8, iso=False)}\n"
)


async def _import(platform, world, text: str, season_id: int | None = None):
    async with platform.unit_of_work() as s:
        return await schedule.import_schedule_csv(
            s, actor=world.actors["league_staff"], season_id=season_id or world.season_id, text=text
        )


async def test_csv_import_creates_weeks_fixtures_and_matches(platform):
    world = await build_world(platform, teams=4, with_schedule=False)
    created = await _import(platform, world, GOOD_CSV)
    assert len(created) == 3
    async with platform.reading() as s:
        weeks = await schedule.match_weeks(s, season_id=world.season_id)
    assert [(w.number, w.starts_at, w.ends_at) for w in weeks] == [
        (1, T0, T0 + dt.timedelta(days=3)),  # spans its two rows
        (2, T0 + dt.timedelta(days=7), T0 + dt.timedelta(days=8)),
    ]
    t1, t2, t3, t4 = world.team_ids
    fixtures = await _fixtures(platform, world.season_id)
    assert [(week, home, away) for week, home, away, _ in fixtures] == [
        (1, t1, t2),
        (1, t3, t4),
        (2, t2, t3),
    ]
    first = fixtures[0][3]
    assert (first.starts_at, first.ends_at) == (T0, T0 + dt.timedelta(days=1))
    assert {m.format for *_, m in fixtures} == {"bo5"}
    assert {m.skill_group_id for *_, m in fixtures} == {world.skill_group_ids[0]}
    assert {m.status for *_, m in fixtures} == {"scheduled"}


async def test_csv_import_adds_to_existing_weeks(platform, world):
    before = await row_counts(platform)
    text = f"week,home,away,start,end\n2,Team 4,Team 1,{csv_time(7)},{csv_time(8)}\n"
    await _import(platform, world, text)
    after = await row_counts(platform)
    assert after["match_weeks"] == before["match_weeks"]  # week 2 exists already
    assert after["fixtures"] == before["fixtures"] + 1
    assert after["matches"] == before["matches"] + 1


@pytest.mark.parametrize(
    ("body", "lines", "words"),
    [
        (
            "1,Team 1,Team 9,2026-01-05T19:00Z,2026-01-06T19:00Z\n",
            [3],
            "unknown team 'Team 9'",
        ),
        (
            "1,Team 2,Team 1,2026-01-05T20:00Z,2026-01-06T19:00Z\n",
            [3],
            "already scheduled in week 1 on line 2",
        ),
        (
            "1,Team 3,Team 4,2026-01-32T19:00Z,2026-01-06T19:00Z\n"
            "2,Team 3,Team 4,yesterday,2026-01-06T19:00Z\n",
            [3, 4],
            "not a valid date and time",
        ),
    ],
    ids=["unknown-team", "duplicate-pairing", "malformed-dates"],
)
async def test_bad_csv_is_rejected_whole_with_line_numbers(platform, body, lines, words):
    world = await build_world(platform, teams=4, with_schedule=False)
    text = "week,home,away,start,end\n1,Team 1,Team 2,2026-01-05T19:00Z,2026-01-06T19:00Z\n" + body
    error = await fails_unchanged(
        platform,
        lambda s: schedule.import_schedule_csv(
            s, actor=world.actors["league_staff"], season_id=world.season_id, text=text
        ),
        code="SCHEDULE_CSV_INVALID",
        error=ScheduleImportError,
    )
    assert [p.line for p in error.problems] == lines
    assert words in error.message
    assert "nothing was imported" in error.message
    assert f"Line {lines[0]}:" in error.message


async def test_csv_pairing_already_in_the_season_is_rejected(platform):
    world = await build_world(platform, teams=4, with_schedule=False)
    await _import(platform, world, GOOD_CSV)
    text = (
        "week,home,away,start,end\n"
        f"3,Team 1,Team 3,{csv_time(14)},{csv_time(15)}\n"
        f"1,Team 2,Team 1,{csv_time(0)},{csv_time(1)}\n"
    )
    error = await fails_unchanged(
        platform,
        lambda s: schedule.import_schedule_csv(
            s, actor=world.actors["league_staff"], season_id=world.season_id, text=text
        ),
        code="SCHEDULE_CSV_INVALID",
        error=ScheduleImportError,
    )
    assert [p.line for p in error.problems] == [3]
    assert "already meet in week 1" in error.message
    # the same pairing in another week (the return leg) is fine
    await _import(
        platform,
        world,
        f"week,home,away,start,end\n3,Team 2,Team 1,{csv_time(14)},{csv_time(15)}\n",
    )


async def test_csv_import_checks_permission_and_size(platform, world):
    await fails_unchanged(
        platform,
        lambda s: schedule.import_schedule_csv(
            s, actor=world.actors["player"], season_id=world.season_id, text=GOOD_CSV
        ),
        code="PERMISSION_DENIED",
    )
    await fails_unchanged(
        platform,
        lambda s: schedule.import_schedule_csv(
            s,
            actor=world.actors["league_staff"],
            season_id=world.season_id,
            text=GOOD_CSV + "\n" * schedule.MAX_CSV_BYTES,
        ),
        code="FILE_TOO_LARGE",
    )


async def test_export_then_import_into_another_season_round_trips(platform, world):
    first_season = await _season(platform, world.season_id)
    async with platform.unit_of_work() as s:
        season2 = await league.create_season(  # the same dates: every window fits again
            s,
            actor=world.actors["league_staff"],
            league_id=world.league_id,
            number=2,
            starts_at=first_season.starts_at,
            ends_at=first_season.ends_at,
        )
    async with platform.reading() as s:
        exported = await schedule.export_schedule_csv(s, season_id=world.season_id)
    assert exported.splitlines()[0] == "week,home,away,start,end"
    assert len(exported.splitlines()) == 1 + len(world.match_ids)
    created = await _import(platform, world, exported, season_id=season2.id)
    assert len(created) == len(world.match_ids)
    async with platform.reading() as s:
        again = await schedule.export_schedule_csv(s, season_id=season2.id)
    assert again == exported
    first = [
        (w, h, a, m.starts_at, m.ends_at)
        for w, h, a, m in await _fixtures(platform, world.season_id)
    ]
    second = [
        (w, h, a, m.starts_at, m.ends_at) for w, h, a, m in await _fixtures(platform, season2.id)
    ]
    assert first == second


# -- rescheduling, forfeits and results --------------------------------------------------------


async def _match(platform, match_id: int) -> tuple[Match, Fixture]:
    async with platform.reading() as s:
        match = await s.get(Match, match_id)
        fixture = await s.get(Fixture, match.fixture_id)
    return match, fixture


async def test_reschedule_moves_the_window_and_tells_subscribers(platform, world):
    match_id = world.match_ids[0]
    async with platform.unit_of_work() as s:
        moved = await schedule.reschedule_match(
            s,
            actor=world.actors["league_staff"],
            match_id=match_id,
            starts_at=T0,
            ends_at=T0 + dt.timedelta(hours=2),
        )
    assert (moved.starts_at, moved.ends_at, moved.status) == (
        T0,
        T0 + dt.timedelta(hours=2),
        "scheduled",
    )
    [message] = await _outbox(platform)
    assert message.job == "match.status_changed"
    assert message.payload == {"match_id": match_id, "status": "scheduled"}
    assert message.dispatched_at is None

    for start, end in ((T0, T0), (T0, T0 - dt.timedelta(hours=1))):
        await fails_unchanged(
            platform,
            lambda s, start=start, end=end: schedule.reschedule_match(
                s,
                actor=world.actors["league_staff"],
                match_id=match_id,
                starts_at=start,
                ends_at=end,
            ),
            code="INVALID_DATES",
        )


async def test_a_decided_match_cannot_change(platform, world):
    staff = world.actors["league_staff"]
    match, fixture = await _match(platform, world.match_ids[0])
    async with platform.unit_of_work() as s:
        await schedule.record_forfeit(
            s, actor=staff, match_id=match.id, team_id=fixture.home_team_id
        )
    calls = [
        lambda s: schedule.reschedule_match(
            s, actor=staff, match_id=match.id, starts_at=T0, ends_at=T0 + dt.timedelta(hours=1)
        ),
        lambda s: schedule.record_forfeit(
            s, actor=staff, match_id=match.id, team_id=fixture.away_team_id
        ),
        lambda s: schedule.record_result(s, actor=staff, match_id=match.id, games=[(1, 0)] * 3),
    ]
    for call in calls:
        error = await fails_unchanged(platform, call, code="MATCH_ALREADY_DECIDED")
        assert "forfeited" in error.message


async def test_forfeit(platform, world):
    staff = world.actors["league_staff"]
    match, fixture = await _match(platform, world.match_ids[0])
    outsider = next(
        t for t in world.team_ids if t not in (fixture.home_team_id, fixture.away_team_id)
    )
    await fails_unchanged(
        platform,
        lambda s: schedule.record_forfeit(s, actor=staff, match_id=match.id, team_id=outsider),
        code="WRONG_TEAM",
    )
    await fails_unchanged(
        platform,
        lambda s: schedule.record_forfeit(
            s, actor=world.actors["team_captain"], match_id=match.id, team_id=fixture.home_team_id
        ),
        code="PERMISSION_DENIED",
    )
    async with platform.unit_of_work() as s:
        done = await schedule.record_forfeit(
            s, actor=staff, match_id=match.id, team_id=fixture.away_team_id
        )
    assert done.status == "forfeited"
    assert done.forfeited_by_team_id == fixture.away_team_id
    assert done.completed_at is not None
    [message] = await _outbox(platform)
    assert message.payload == {"match_id": match.id, "status": "forfeited"}


async def test_matches_are_listed_by_status_and_a_word_that_is_none_is_refused(platform, world):
    """GraphQL types the status; a door that passes text has it checked here."""
    staff = world.actors["league_staff"]
    match, fixture = await _match(platform, world.match_ids[0])
    async with platform.unit_of_work() as s:
        await schedule.record_forfeit(
            s, actor=staff, match_id=match.id, team_id=fixture.away_team_id
        )

    async def listed(status):
        async with platform.reading() as s:
            found = await schedule.matches(s, season_id=world.season_id, status=status, first=100)
        return [row.id for row in found.rows]

    for status in ("forfeited", MatchStatus.FORFEITED):
        assert await listed(status) == [match.id], status
    assert match.id not in await listed("scheduled")
    for word in ("bogus", "FORFEITED", ""):
        with pytest.raises(InvalidInput) as caught:
            await listed(word)
        assert caught.value.code == "INVALID_STATUS", word
        assert "Use one of: scheduled, completed, forfeited." in caught.value.message


async def _games(platform, match_id: int) -> list[tuple[int, int]]:
    async with platform.reading() as s:
        rows = await s.execute(
            select(MatchGame.home_goals, MatchGame.away_goals)
            .where(MatchGame.match_id == match_id)
            .order_by(MatchGame.number)
        )
        return [tuple(row) for row in rows]


BAD_BEST_OF_FIVE = [
    ([(1, 0), (2, 0), (3, 0), (0, 1)], "WRONG_GAME_COUNT"),  # a game after the third win
    ([(1, 0), (0, 1), (1, 0), (0, 1)], "WRONG_GAME_COUNT"),  # 2-2: nobody has three wins
    ([(1, 0), (1, 0)], "WRONG_GAME_COUNT"),
    ([], "WRONG_GAME_COUNT"),
    ([(1, 0), (2, 2), (1, 0), (1, 0)], "INVALID_SCORE"),  # games have a winner
    ([(1, 0), (-1, 0), (1, 0), (1, 0)], "INVALID_SCORE"),
    ([(1, 0), (100, 0), (1, 0)], "INVALID_SCORE"),
]


async def test_best_of_five_results_are_checked(platform, world):
    for games, code in BAD_BEST_OF_FIVE:
        await fails_unchanged(
            platform,
            lambda s, games=games: schedule.record_result(
                s, actor=world.actors["league_staff"], match_id=world.match_ids[0], games=games
            ),
            code=code,
        )


@pytest.mark.parametrize(
    "games",
    [[(1, 0), (2, 0), (3, 1)], [(0, 1), (1, 0), (0, 2), (4, 3), (0, 1)], [(0, 1), (0, 1), (2, 3)]],
)
async def test_best_of_five_results_are_recorded(platform, world, games):
    match_id = world.match_ids[0]
    async with platform.unit_of_work() as s:
        match = await schedule.record_result(
            s, actor=world.actors["league_staff"], match_id=match_id, games=games
        )
    assert match.status == "completed" and match.completed_at is not None
    assert await _games(platform, match_id) == games
    [message] = await _outbox(platform)
    assert message.payload == {"match_id": match_id, "status": "completed"}


async def test_fixed_format_results(platform):
    world = await build_world(platform, teams=2, with_schedule=False)
    staff = world.actors["league_staff"]
    async with platform.unit_of_work() as s:
        await schedule.create_match_weeks(s, actor=staff, season_id=world.season_id, count=1)
        [match] = await schedule.generate_schedule(
            s, actor=staff, season_id=world.season_id, match_format="fixed2"
        )
    for games in ([(1, 0)], [(1, 0), (0, 1), (1, 0)], [(1, 0), (1, 1)]):
        await fails_unchanged(
            platform,
            lambda s, games=games: schedule.record_result(
                s, actor=staff, match_id=match.id, games=games
            ),
            code="INVALID_SCORE" if (1, 1) in games else "WRONG_GAME_COUNT",
        )
    async with platform.unit_of_work() as s:
        await schedule.record_result(s, actor=staff, match_id=match.id, games=[(3, 1), (0, 2)])
    assert await _games(platform, match.id) == [(3, 1), (0, 2)]  # a drawn series is a result
    async with platform.reading() as s:
        table = await schedule.standings(s, season_id=world.season_id)
    assert [(r.series_drawn, r.points) for r in table] == [(1, 0), (1, 0)]


def test_check_games_for_other_formats():
    schedule.check_games("bo1", [(0, 1)])
    schedule.check_games("bo7", [(1, 0)] * 4)
    schedule.check_games("fixed1", [(2, 1)])
    schedule.check_games("fixed3", [(1, 0), (0, 1), (1, 0)])
    with pytest.raises(InvalidInput) as raised:
        schedule.check_games("bo7", [(1, 0)] * 3)
    assert raised.value.code == "WRONG_GAME_COUNT"


def test_check_games_counts_the_recorded_winners():
    """A game's record (a replay's forfeit) names its winner, at a level score or against
    the goals; None leaves it to the goals."""
    games = [(1, 1), (3, 0), (2, 1)]
    assert schedule.check_games("bo3", games, [True, False, True]) == [True, False, True]
    assert schedule.check_games("bo3", [(1, 0), (0, 2), (2, 2)], [None, None, False]) == [
        True,
        False,
        False,
    ]
    with pytest.raises(InvalidInput) as raised:
        schedule.check_games("bo3", games, [None, None, None])
    assert raised.value.code == "INVALID_SCORE"
    assert raised.value.message == "Game 1 ended 1-1: Rocket League games have a winner."
    with pytest.raises(InvalidInput) as raised:  # two wins each way: the bo3 ended at game 2
        schedule.check_games("bo3", [(0, 1), (0, 1), (5, 5)], [True, True, True])
    assert raised.value.code == "WRONG_GAME_COUNT"


# -- standings ---------------------------------------------------------------------------------


async def test_standings_follow_the_organizations_rules(platform, world):
    """A beats C, B beats D and D forfeits to C; A-B, A-D and B-C are not played yet.

    With 3 points a win and -1 for a forfeit, A, B and C are level on 3 points. Head-to-head
    first: A beat C, so A leads, then B (game difference +3) before C (-3). With goals for
    first, B (27 goals) leads A (6).
    """
    admin, staff = world.actors["organization_admin"], world.actors["league_staff"]
    a, b, c, d = world.team_ids
    fixtures = {
        frozenset((home, away)): (home, m.id)
        for _, home, away, m in await _fixtures(platform, world.season_id)
    }

    def oriented(winner: int, loser: int, games: list[tuple[int, int]]) -> tuple[int, list]:
        home, match_id = fixtures[frozenset((winner, loser))]
        return match_id, games if home == winner else [(y, x) for x, y in games]

    async with platform.unit_of_work() as s:
        for key, value in (("points_win", 3), ("points_forfeit_loss", -1)):
            await league.set_organization_setting(
                s, actor=admin, organization_id=world.organization_id, key=key, value=value
            )
        for winner, loser, games in ((a, c, [(2, 0)] * 3), (b, d, [(9, 8)] * 3)):
            match_id, oriented_games = oriented(winner, loser, games)
            await schedule.record_result(s, actor=staff, match_id=match_id, games=oriented_games)
        await schedule.record_forfeit(
            s, actor=staff, match_id=fixtures[frozenset((c, d))][1], team_id=d
        )

    async with platform.reading() as s:
        table = await schedule.standings(s, season_id=world.season_id)
    rows = {r.team: r for r in table}
    assert [r.team for r in table] == [a, b, c, d]
    assert [r.rank for r in table] == [1, 2, 3, 4]
    assert [rows[t].points for t in (a, b, c, d)] == [3, 3, 3, -1]
    assert (rows[a].played, rows[a].series_won, rows[a].games_won, rows[a].goals_for) == (
        1,
        1,
        3,
        6,
    )
    assert (rows[b].goals_for, rows[b].goals_against, rows[b].goal_difference) == (27, 24, 3)
    assert (rows[c].played, rows[c].series_won, rows[c].series_lost, rows[c].forfeits) == (
        2,
        1,
        1,
        0,
    )
    assert (rows[d].played, rows[d].series_lost, rows[d].forfeits) == (2, 2, 1)

    async with platform.unit_of_work() as s:
        await league.set_organization_setting(
            s,
            actor=admin,
            organization_id=world.organization_id,
            key="tie_breaks",
            value=["goals_for", "goal_difference"],
        )
    async with platform.reading() as s:
        table = await schedule.standings(s, season_id=world.season_id)
        by_group = await schedule.standings(
            s, season_id=world.season_id, skill_group_id=world.skill_group_ids[0]
        )
        empty_group = await schedule.standings(
            s, season_id=world.season_id, skill_group_id=world.skill_group_ids[1]
        )
    assert [r.team for r in table] == [b, a, c, d]
    assert by_group == table
    assert empty_group == []


async def test_every_status_change_writes_an_outbox_row(platform, world):
    staff = world.actors["league_staff"]
    first, second, third = world.match_ids[:3]
    _, fixture = await _match(platform, second)
    async with platform.unit_of_work() as s:
        await schedule.reschedule_match(
            s, actor=staff, match_id=first, starts_at=T0, ends_at=T0 + dt.timedelta(hours=1)
        )
    async with platform.unit_of_work() as s:
        await schedule.record_forfeit(s, actor=staff, match_id=second, team_id=fixture.home_team_id)
    async with platform.unit_of_work() as s:
        await schedule.record_result(s, actor=staff, match_id=third, games=[(1, 0)] * 3)
    messages = await _outbox(platform)
    assert [(m.job, m.payload) for m in messages] == [
        ("match.status_changed", {"match_id": first, "status": "scheduled"}),
        ("match.status_changed", {"match_id": second, "status": "forfeited"}),
        ("match.status_changed", {"match_id": third, "status": "completed"}),
    ]
    assert all(m.dispatched_at is None and m.attempts == 0 for m in messages)
