"""League health analytics through the service, on a fortnight built through the other
domains' services (tests/helpers/health.py tells what happens when): the exact figures of
every series in the organization's time zone and in another, the range's defaults and its
refusals, who may look, one organization's figures kept from another's, and the CSV files."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sprocket.analytics import service as health
from sprocket.analytics.health import Column, Period, Series
from sprocket.analytics.window import Window, percentile, report_window
from sprocket.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from sprocket.league import service as league
from sprocket.runtime import Runtime
from tests.helpers.health import FIRST, LAST, NOW, ZONE, Fortnight, build_fortnight, staff_of
from tests.league_world import World


@pytest.fixture
async def fortnight(platform: Runtime, world: World) -> Fortnight:
    return await build_fortnight(platform, world)


async def report(platform: Runtime, world: World, **options: Any) -> health.HealthReport:
    options.setdefault("actor", staff_of(world))
    options.setdefault("organization_id", world.organization_id)
    options.setdefault("first", FIRST)
    options.setdefault("last", LAST)
    async with platform.reading() as session:
        return await health.league_health(session, now=NOW, **options)


def figures(found: health.HealthReport, key: str) -> dict[str, tuple[Any, ...]]:
    """A series' rows by their first day, leaving out the rows of nothing but zeros."""
    series = next(s for s in found.series if s.key == key)
    return {
        day.isoformat(): values
        for day, values in series.rows
        if any(v not in (0, None) for v in values)
    }


async def test_every_series_in_the_organizations_time_zone(
    platform: Runtime, world: World, fortnight: Fortnight
) -> None:
    found = await report(platform, world)

    assert found.window == Window(FIRST, LAST, ZONE)
    assert [s.key for s in found.series] == [
        "active-players",
        "matches",
        "ratification",
        "scrims",
        "queue-waits",
        "no-shows",
    ]
    weekly = {s.key: [day.isoformat() for day, _ in s.rows] for s in found.series[:3]}
    assert set(map(tuple, weekly.values())) == {("2025-03-03", "2025-03-10")}
    assert all(len(s.rows) == 14 for s in found.series[3:])

    league_members = set().union(*fortnight.match_members.values())
    assert len(league_members) == 8  # matches 0 to 2 bring every team of the league
    assert figures(found, "active-players") == {"2025-03-03": (8,), "2025-03-10": (4,)}
    # On time, late, forfeited, overdue (by the week each match was due).
    assert figures(found, "matches") == {"2025-03-03": (1, 1, 0, 0), "2025-03-10": (2, 0, 1, 1)}
    # Accepted: 2 h, 30 h and 5 h (the last on Sunday 23:00 in New York): median 5, p90 30.
    assert figures(found, "ratification") == {"2025-03-03": (3, 5.0, 30.0)}
    assert figures(found, "scrims") == {
        "2025-03-11": (1, 1),
        "2025-03-12": (1, 0),
        "2025-03-15": (1, 0),
    }
    # Waits of 10, 8, 4 and 0 minutes: median 6.
    assert figures(found, "queue-waits") == {"2025-03-12": (4, 6.0)}
    assert figures(found, "no-shows") == {"2025-03-12": (1,), "2025-03-15": (2,)}
    assert len(fortnight.no_show) == 3


async def test_the_viewers_time_zone_moves_moments_between_days_and_weeks(
    platform: Runtime, world: World, fortnight: Fortnight
) -> None:
    found = await report(platform, world, zone="UTC")

    assert found.window.zone == "UTC"
    # Match 2 was accepted on Monday 10 March 03:00 UTC: in UTC, the second week's.
    assert figures(found, "ratification") == {
        "2025-03-03": (2, 16.0, 30.0),
        "2025-03-10": (1, 5.0, 5.0),
    }
    m2_members = fortnight.match_members[world.match_ids[2]]
    second_week = len(fortnight.scrim_members | m2_members)
    assert second_week == 6  # scrim A's four and match 2's four share two
    assert figures(found, "active-players") == {"2025-03-03": (8,), "2025-03-10": (second_week,)}
    assert figures(found, "queue-waits") == {"2025-03-12": (4, 6.0)}


async def test_a_narrower_range_counts_only_its_days(
    platform: Runtime, world: World, fortnight: Fortnight
) -> None:
    found = await report(platform, world, first="2025-03-12", last="2025-03-12")

    assert [day.isoformat() for day, _ in found.series[0].rows] == ["2025-03-10"]
    assert figures(found, "scrims") == {"2025-03-12": (1, 0)}
    assert figures(found, "no-shows") == {"2025-03-12": (1,)}
    # Matches 4 and 5 were due on 12 March at 23:00 UTC, 19:00 in New York.
    assert figures(found, "matches") == {"2025-03-10": (1, 0, 0, 1)}
    assert figures(found, "active-players") == {}


async def test_one_organization_never_sees_anothers_figures(
    platform: Runtime, world: World, fortnight: Fortnight
) -> None:
    root = world.actors["superuser"]
    async with platform.unit_of_work() as session:
        other = await league.create_organization(session, actor=root, slug="other", name="Other")
    found = await report(platform, world, actor=root, organization_id=other.id, zone=ZONE)

    assert all(figures(found, s.key) == {} for s in found.series)


async def test_only_staff_may_look_and_permission_comes_first(
    platform: Runtime, world: World
) -> None:
    for role in ("organization_admin", "league_staff", "superuser"):
        assert (await report(platform, world, actor=world.actors[role])).series
    for role in ("player", "team_captain", "franchise_manager", "outsider"):
        with pytest.raises(PermissionDenied):
            await report(platform, world, actor=world.actors[role], zone="Mars/Olympus")
    with pytest.raises(Unauthenticated):
        await report(platform, world, actor=world.actors["spectator"], first="nonsense")
    with pytest.raises(NotFound):
        await report(platform, world, actor=world.actors["superuser"], organization_id=99999)
    with pytest.raises(NotFound):
        await report(platform, world, series=["matches", "nope"])


@pytest.mark.parametrize(
    "options,code,field",
    [
        ({"zone": "Mars/Olympus"}, "INVALID_TIME_ZONE", "tz"),
        ({"zone": "+02:00"}, "INVALID_TIME_ZONE", "tz"),
        ({"first": "2025-02-30"}, "INVALID_INPUT", "from"),
        ({"last": "16/03/2025"}, "INVALID_INPUT", "to"),
        ({"first": "2025-03-16", "last": "2025-03-15"}, "INVALID_DATES", "to"),
        ({"first": "2025-03-17", "last": None}, "INVALID_DATES", "from"),
        ({"first": "2024-03-15", "last": "2025-03-16"}, "INVALID_INPUT", "from"),
    ],
)
async def test_a_bad_range_is_refused_naming_its_field(
    platform: Runtime, world: World, options: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        await report(platform, world, **options)
    assert refused.value.code == code
    assert refused.value.details == {"field": field}
    assert refused.value.message.strip()


def test_the_default_range_is_twelve_weeks_to_today_in_the_zone() -> None:
    # 16 March 2025 00:30 UTC is still Saturday 15 March in New York.
    window = report_window(
        first=None, last="", zone=ZONE, now=dt.datetime(2025, 3, 16, 0, 30, tzinfo=dt.UTC)
    )
    assert (window.first, window.last) == (dt.date(2024, 12, 23), dt.date(2025, 3, 15))
    assert len(window.weeks()) == 12 and window.weeks()[0].weekday() == 0
    # Local midnights: EST before 9 March, EDT after.
    assert window.start == dt.datetime(2024, 12, 23, 5, tzinfo=dt.UTC)
    assert window.end == dt.datetime(2025, 3, 16, 4, tzinfo=dt.UTC)
    last_only = report_window(first=None, last=dt.date(2025, 1, 1), zone="UTC", now=NOW)
    assert (last_only.first, len(last_only.weeks())) == (dt.date(2024, 10, 14), 12)


def test_the_90th_percentile_is_the_nearest_rank() -> None:
    assert percentile([], 0.9) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile(list(map(float, range(1, 11))), 0.9) == 9.0
    assert percentile(list(map(float, range(1, 12))), 0.9) == 10.0


async def test_each_series_as_a_csv_file(
    platform: Runtime, world: World, fortnight: Fortnight
) -> None:
    found = await report(platform, world, series=["matches", "queue-waits", "ratification"])
    matches, waits, ratification = found.series

    assert health.series_csv(matches) == (
        "week_starting,on_time,late,forfeited,overdue\r\n"
        "2025-03-03,1,1,0,0\r\n"
        "2025-03-10,2,0,1,1\r\n"
    )
    lines = health.series_csv(waits).split("\r\n")
    assert lines[0] == "day,placed,median_minutes"
    assert lines[1:4] == ["2025-03-03,0,", "2025-03-04,0,", "2025-03-05,0,"]
    assert lines[10] == "2025-03-12,4,6" and lines[-1] == "" and len(lines) == 16
    assert health.series_csv(ratification) == (
        "week_starting,accepted,median_hours,p90_hours\r\n2025-03-03,3,5,30\r\n2025-03-10,0,,\r\n"
    )
    assert health.csv_filename(found, matches) == (
        "test-org-matches-2025-03-03-2025-03-16-America-New_York.csv"
    )


def test_a_csv_cell_that_starts_like_a_formula_is_neutralised() -> None:
    series = Series(
        key="x",
        title="x",
        about="x",
        period=Period.DAY,
        unit="x",
        columns=(Column("=HYPERLINK(1)", "x"), Column("ok", "y")),
        rows=((dt.date(2025, 3, 3), (-2, 1.256)),),
    )
    assert health.series_csv(series) == "day,'=HYPERLINK(1),ok\r\n2025-03-03,'-2,1.26\r\n"
