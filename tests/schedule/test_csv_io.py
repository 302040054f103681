from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sprocket.errors import InvalidInput
from sprocket.schedule.csv_io import (
    LineError,
    ScheduleImportError,
    ScheduleRow,
    export_schedule_csv,
    parse_schedule_csv,
)

TEAMS = ["Orion", "Lynx", "Hydra", "Pegasus"]
HEADER = "week,home,away,start,end\n"
MON = datetime(2026, 1, 5, 19, tzinfo=UTC)
TUE = datetime(2026, 1, 6, 19, tzinfo=UTC)


def parse(text: str) -> list[ScheduleRow]:
    return parse_schedule_csv(text, known_teams=TEAMS)


def problems(text: str) -> list[LineError]:
    with pytest.raises(ScheduleImportError) as caught:
        parse(text)
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert error.code == "SCHEDULE_CSV_INVALID"
    assert error.details == error.problems
    assert [p.line for p in error.details] == sorted(p.line for p in error.details)
    return error.details


def only_problem(text: str) -> LineError:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


# --- accepted files --------------------------------------------------------------------


def test_parses_rows() -> None:
    rows = parse(
        HEADER
        + "1,Orion,Lynx,2026-01-05T19:00:00+00:00,2026-01-06T19:00:00+00:00\n"
        + "1,Hydra,Pegasus,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
        + "2,Lynx,Hydra,2026-01-12 19:00,2026-01-13 19:00\n"
    )
    assert rows == [
        ScheduleRow(2, 1, "Orion", "Lynx", MON, TUE),
        ScheduleRow(3, 1, "Hydra", "Pegasus", MON, TUE),
        ScheduleRow(4, 2, "Lynx", "Hydra", MON + timedelta(weeks=1), TUE + timedelta(weeks=1)),
    ]
    for row in rows:
        assert row.starts_at.tzinfo is UTC and row.ends_at.tzinfo is UTC


def test_team_names_case_insensitive_and_canonical() -> None:
    (row,) = parse(HEADER + "1,  orION , LYNX,2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert (row.home, row.away) == ("Orion", "Lynx")


def test_header_case_spaces_and_order() -> None:
    text = " Week ,HOME, Away,Start ,END\n1,Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
    assert parse(text)[0].home == "Orion"
    reordered = "home,away,week,end,start\nOrion,Lynx,3,2026-01-06T19:00Z,2026-01-05T19:00Z\n"
    (row,) = parse(reordered)
    assert (row.week, row.starts_at, row.ends_at) == (3, MON, TUE)


def test_offsets_are_converted_to_utc() -> None:
    (row,) = parse(HEADER + "1,Orion,Lynx,2026-01-05T21:00:00+02:00,2026-01-06T14:00-0500\n")
    assert row.starts_at == MON and row.starts_at.tzinfo is UTC
    assert row.ends_at == TUE and row.ends_at.tzinfo is UTC


def test_seconds_and_fractions() -> None:
    (row,) = parse(HEADER + "1,Orion,Lynx,2026-01-05T19:00:30.25Z,2026-01-06T19:00:00\n")
    assert row.starts_at == MON.replace(second=30, microsecond=250000)


def test_blank_lines_bom_and_crlf() -> None:
    text = (
        "\ufeff\r\nweek,home,away,start,end\r\n\r\n   \r\n,,,,\r\n"
        "1,Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\r\n\r\n"
    )
    (row,) = parse(text)
    assert row.line == 6


def test_quoted_names_and_multiline_fields_keep_physical_line_numbers() -> None:
    known = ["Team, Inc.", 'The "Best"', "Two\nLines"]
    text = (
        HEADER
        + '1,"Team, Inc.","The ""Best""",2026-01-05T19:00Z,2026-01-06T19:00Z\n'
        + '1,"Two\nLines","Team, Inc.",2026-01-07T19:00Z,2026-01-08T19:00Z\n'
        + "2,Nobody,Team; Inc.,2026-01-07T19:00Z,2026-01-08T19:00Z\n"
    )
    with pytest.raises(ScheduleImportError) as caught:
        parse_schedule_csv(text, known_teams=known)
    assert [(p.line, p.message) for p in caught.value.details] == [
        (5, "unknown team 'Nobody'."),
        (5, "unknown team 'Team; Inc.'."),
    ]
    rows = parse_schedule_csv(text.rsplit("2,Nobody", 1)[0], known_teams=known)
    assert [(r.line, r.home, r.away) for r in rows] == [
        (2, "Team, Inc.", 'The "Best"'),
        (3, "Two\nLines", "Team, Inc."),
    ]


def test_same_pair_in_different_weeks_is_fine() -> None:
    rows = parse(
        HEADER
        + "1,Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
        + "2,Lynx,Orion,2026-01-12T19:00Z,2026-01-13T19:00Z\n"
    )
    assert len(rows) == 2


def test_exactly_5000_rows_is_allowed() -> None:
    line = "{},Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
    text = HEADER + "".join(line.format(week) for week in range(1, 5001))
    assert len(parse(text)) == 5000


# --- each problem ----------------------------------------------------------------------


def test_empty_file() -> None:
    for text in ("", "\n\n  \n", "\ufeff"):
        problem = only_problem(text)
        assert problem.line == 1
        assert "empty" in problem.message


def test_header_only() -> None:
    problem = only_problem("\n" + HEADER + "\n")
    assert problem == LineError(2, "there are no schedule rows after the header.")


def test_missing_header() -> None:
    problem = only_problem("1,Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert problem.line == 1
    assert problem.message.startswith(
        "the first line must be the header 'week,home,away,start,end'"
    )


@pytest.mark.parametrize(
    "header",
    [
        "week,home,away,start",
        "week,home,away,start,end,notes",
        "week,home,visitor,start,end",
        "week,home,home,start,end",
    ],
)
def test_wrong_header(header: str) -> None:
    problem = only_problem(f"{header}\n1,Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert problem.line == 1
    assert problem.message.startswith("the header must name exactly the columns")


@pytest.mark.parametrize("cells", ["1,Orion,Lynx,2026-01-05T19:00Z", "1,Orion,Lynx,a,b,c"])
def test_wrong_number_of_columns(cells: str) -> None:
    problem = only_problem(HEADER + cells + "\n")
    assert problem.line == 2
    assert problem.message.startswith("expected 5 columns")


@pytest.mark.parametrize("week", ["0", "-1", "1.5", "two", "", "+3", "1e3", "1234567890"])
def test_week_not_a_positive_integer(week: str) -> None:
    problem = only_problem(HEADER + f"{week},Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert problem.line == 2
    assert problem.message == f"the week must be a positive whole number; found '{week}'."


def test_unknown_team() -> None:
    problem = only_problem(HEADER + "1,Orion,Foo,2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert problem == LineError(2, "unknown team 'Foo'.")


def test_missing_team() -> None:
    problem = only_problem(HEADER + "1, ,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert problem == LineError(2, "the home team is missing.")


def test_ambiguous_known_team() -> None:
    with pytest.raises(ScheduleImportError) as caught:
        parse_schedule_csv(
            HEADER + "1,orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n",
            known_teams=["Orion", "ORION", "Lynx"],
        )
    assert caught.value.details == [
        LineError(2, "the team name 'orion' matches more than one team.")
    ]


def test_team_playing_itself() -> None:
    problem = only_problem(HEADER + "1,Orion,orion,2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert problem == LineError(2, "'Orion' cannot play itself.")


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-05",
        "05/01/2026 19:00",
        "2026-13-05T19:00Z",
        "2026-01-05T25:00Z",
        "2026-01-05T19:00+25:00",
        "2026-01-05T19:00 +00:00",
        "tomorrow",
        "2026-01-05T19",
        "２０２６-01-05T19:00Z",
    ],
)
def test_malformed_date(value: str) -> None:
    problem = only_problem(HEADER + f"1,Orion,Lynx,{value},2026-01-06T19:00Z\n")
    assert problem.line == 2
    assert problem.message.startswith(f"the start time '{value}' is not a valid date and time")


def test_missing_date() -> None:
    problem = only_problem(HEADER + "1,Orion,Lynx,2026-01-05T19:00Z,\n")
    assert problem == LineError(2, "the end time is missing.")


@pytest.mark.parametrize(
    "end", ["2026-01-05T19:00Z", "2026-01-05T18:59Z", "2026-01-05T20:00+01:00"]
)
def test_start_not_before_end(end: str) -> None:
    problem = only_problem(HEADER + f"1,Orion,Lynx,2026-01-05T19:00Z,{end}\n")
    assert problem.line == 2
    assert problem.message == f"the start (2026-01-05T19:00Z) must be before the end ({end})."


@pytest.mark.parametrize("second", ["Orion,Lynx", "Lynx,Orion", "lynx,ORION"])
def test_duplicate_pairing_in_a_week(second: str) -> None:
    text = (
        HEADER
        + "3,Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
        + "3,Hydra,Pegasus,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
        + f"3,{second},2026-01-07T19:00Z,2026-01-08T19:00Z\n"
    )
    problem = only_problem(text)
    assert problem.line == 4
    assert "already scheduled in week 3 on line 2" in problem.message


def test_too_many_rows() -> None:
    line = "{},Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
    text = HEADER + "".join(line.format(week) for week in range(1, 5002))
    problem = only_problem(text)
    assert problem.line == 5002
    assert "more than 5,000" in problem.message


def test_unreadable_csv_stops_with_its_line() -> None:
    huge = '"' + "A" * 200_000 + '"'
    text = HEADER + "\n" + f"1,{huge},Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
    problem = only_problem(text)
    assert problem.line == 3
    assert problem.message.startswith("the line is not valid CSV")


# --- reporting -------------------------------------------------------------------------


def test_several_problems_all_reported_with_line_numbers() -> None:
    text = (
        HEADER  # line 1
        + "1,Orion,Lynx,2026-01-05T19:00Z,2026-01-06T19:00Z\n"  # 2 ok
        + "\n"  # 3 blank
        + "1,Orion,Foo,2026-01-05T19:00Z,2026-01-06T19:00Z\n"  # 4 unknown team
        + "x,Hydra,Hydra,soon,2026-01-06T19:00Z\n"  # 5 week, self, date
        + "2,Hydra,Lynx\n"  # 6 columns
        + "1,Lynx,Orion,2026-01-05T19:00Z,2026-01-06T19:00Z\n"  # 7 duplicate of line 2
        + "2,Pegasus,Orion,2026-01-06T19:00Z,2026-01-05T19:00Z\n"  # 8 start after end
    )
    with pytest.raises(ScheduleImportError) as caught:
        parse(text)
    error = caught.value
    assert [p.line for p in error.details] == [4, 5, 5, 5, 6, 7, 8]
    assert error.details[0] == LineError(4, "unknown team 'Foo'.")
    assert error.message.startswith(
        "The schedule file has 7 problems; nothing was imported. Line 4: unknown team 'Foo'. "
        "Line 5: the week must be a positive whole number; found 'x'. "
        "Line 5: 'Hydra' cannot play itself. "
    )
    assert "Line 7: 'Lynx' vs 'Orion' is already scheduled in week 1 on line 2." in error.message
    assert error.message.endswith(
        "Line 8: the start (2026-01-06T19:00Z) must be before the end (2026-01-05T19:00Z)."
    )


def test_single_problem_wording() -> None:
    with pytest.raises(ScheduleImportError) as caught:
        parse(HEADER + "1,Orion,Foo,2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert caught.value.message == (
        "The schedule file has 1 problem; nothing was imported. Line 2: unknown team 'Foo'."
    )


def test_long_problem_lists_are_cut_short_in_the_sentence() -> None:
    line = "{},Orion,Nobody,2026-01-05T19:00Z,2026-01-06T19:00Z\n"
    text = HEADER + "".join(line.format(week) for week in range(1, 14))
    with pytest.raises(ScheduleImportError) as caught:
        parse(text)
    error = caught.value
    assert len(error.details) == 13
    assert error.message.count("unknown team 'Nobody'") == 10
    assert "Line 11:" in error.message and "Line 12:" not in error.message
    assert error.message.endswith("...and 3 more.")


def test_long_values_are_shortened_in_messages() -> None:
    name = "X" * 500
    problem = only_problem(HEADER + f"1,Orion,{name},2026-01-05T19:00Z,2026-01-06T19:00Z\n")
    assert len(problem.message) < 100


def test_problems_sorted_by_line() -> None:
    error = ScheduleImportError([LineError(9, "b."), LineError(2, "a."), LineError(9, "c.")])
    assert error.details == [LineError(2, "a."), LineError(9, "b."), LineError(9, "c.")]
    assert error.code == "SCHEDULE_CSV_INVALID"


# --- export ----------------------------------------------------------------------------


def test_export_format() -> None:
    text = export_schedule_csv(
        [
            (1, "Orion", "Lynx", MON, TUE),
            (2, "Team, Inc.", "Hydra", datetime(2026, 1, 12, 20, 30), MON.replace(microsecond=5)),
        ]
    )
    assert text == (
        "week,home,away,start,end\r\n"
        "1,Orion,Lynx,2026-01-05T19:00:00Z,2026-01-06T19:00:00Z\r\n"
        '2,"Team, Inc.",Hydra,2026-01-12T20:30:00Z,2026-01-05T19:00:00.000005Z\r\n'
    )


def test_export_converts_offsets_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    text = export_schedule_csv([(1, "A", "B", datetime(2026, 1, 5, 21, tzinfo=plus_two), TUE)])
    assert "2026-01-05T19:00:00Z" in text


def test_export_of_nothing_is_just_the_header() -> None:
    assert export_schedule_csv([]) == "week,home,away,start,end\r\n"
    problem = only_problem(export_schedule_csv([]))
    assert problem.message == "there are no schedule rows after the header."


# --- round trip ------------------------------------------------------------------------

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from([",", '"', "\n", "\r", " "]),
    min_size=1,
    max_size=16,
).filter(lambda name: name.strip() != "")

times = st.one_of(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(9000, 1, 1),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
        ),
    ),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9000, 1, 1)),
)


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[str], list[tuple[int, str, str, datetime, datetime]]]:
    teams = draw(
        st.lists(names, min_size=2, max_size=8, unique_by=lambda name: name.strip().casefold())
    )
    rows: list[tuple[int, str, str, datetime, datetime]] = []
    used: set[tuple[int, frozenset[str]]] = set()
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        week = draw(st.integers(min_value=1, max_value=999_999_999))
        home, away = draw(st.lists(st.sampled_from(teams), min_size=2, max_size=2, unique=True))
        key = (week, frozenset((home, away)))
        if key in used:
            continue
        used.add(key)
        start = draw(times)
        length = draw(
            st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=30))
        )
        rows.append((week, home, away, start, as_utc(start) + length))
    return teams, rows


@settings(max_examples=60, deadline=None)
@given(schedule=schedules())
def test_export_then_parse_round_trips(
    schedule: tuple[list[str], list[tuple[int, str, str, datetime, datetime]]],
) -> None:
    teams, rows = schedule
    parsed = parse_schedule_csv(export_schedule_csv(rows), known_teams=teams)
    assert [(r.week, r.home, r.away, r.starts_at, r.ends_at) for r in parsed] == [
        (week, home, away, as_utc(start), as_utc(end)) for week, home, away, start, end in rows
    ]
    for row in parsed:
        assert row.starts_at.tzinfo is UTC and row.ends_at.tzinfo is UTC
    # And exporting what was parsed gives the same file again.
    again = [(r.week, r.home, r.away, r.starts_at, r.ends_at) for r in parsed]
    assert export_schedule_csv(again) == export_schedule_csv(rows)
