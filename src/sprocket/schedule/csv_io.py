"""Schedule import and export as CSV with the columns ``week,home,away,start,end``.

Import is all-or-nothing: every problem in the file is collected with its physical line
number and reported at once, so an organizer can fix the whole file in one pass.

Export guards against CSV injection: a cell a spreadsheet would run as a formula (one that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, e.g. a team named
``=HYPERLINK(...)``) is written with a single quote in front, as OWASP's "CSV Injection"
page advises; import takes such a quote off again, so an exported file reads back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sprocket.errors import InvalidInput
from sprocket.schedule.errors import ScheduleCode
from sprocket.text import plural

COLUMNS: tuple[str, ...] = ("week", "home", "away", "start", "end")
MAX_ROWS = 5_000
MAX_LISTED_PROBLEMS = 10

_HEADER_TEXT = ",".join(COLUMNS)
_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]"
    r"(?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:?[0-9]{2})?"
)
_WEEK = re.compile(r"[0-9]{1,9}")
_AMBIGUOUS = object()
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One imported fixture; ``line`` is the physical line it started on, counting from 1."""

    line: int
    week: int
    home: str
    away: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    message: str


class ScheduleImportError(InvalidInput):
    """A rejected schedule file; ``details`` is every :class:`LineError`, sorted by line."""

    code = ScheduleCode.SCHEDULE_CSV_INVALID

    def __init__(self, problems: Iterable[LineError]) -> None:
        ordered = sorted(problems, key=lambda problem: problem.line)
        super().__init__(_summary(ordered), code=self.code, details=ordered)
        self.problems = ordered


def parse_schedule_csv(text: str, *, known_teams: Iterable[str]) -> list[ScheduleRow]:
    """Parse a schedule file, or raise :class:`ScheduleImportError` listing every problem.

    Team names match ``known_teams`` case-insensitively (surrounding spaces ignored) and
    come back in their known spelling. Times are ISO 8601; a time without an offset is
    UTC, and every returned time is timezone-aware UTC. Blank lines, including lines of
    empty cells, are skipped. The header names the five columns, in any order.
    """
    teams = _team_index(known_teams)
    problems: list[LineError] = []
    rows: list[ScheduleRow] = []
    columns: dict[str, int] | None = None
    header_line = 0
    data_rows = 0
    pairings: dict[tuple[int, frozenset[str]], int] = {}

    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    last_line = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(LineError(last_line + 1, f"the line is not valid CSV ({exc})."))
            break
        line, last_line = last_line + 1, reader.line_num
        if all(not field.strip() for field in fields):
            continue
        if columns is None:
            columns = _read_header(fields, line, problems)
            if columns is None:
                break
            header_line = line
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            problems.append(
                LineError(
                    line,
                    f"the file has more than {MAX_ROWS:,} schedule rows; "
                    "split it into smaller files.",
                )
            )
            break
        row = _read_row(fields, line, columns, teams, pairings, problems)
        if row is not None:
            rows.append(row)

    if columns is None and not problems:
        problems.append(
            LineError(
                1,
                f"the file is empty; it needs the header '{_HEADER_TEXT}' "
                "and at least one schedule row.",
            )
        )
    elif columns is not None and data_rows == 0 and not problems:
        problems.append(LineError(header_line, "there are no schedule rows after the header."))

    if problems:
        raise ScheduleImportError(problems)
    return rows


def export_schedule_csv(rows: Iterable[tuple[int, str, str, datetime, datetime]]) -> str:
    """Write ``(week, home, away, starts_at, ends_at)`` rows as CSV that
    :func:`parse_schedule_csv` reads back unchanged.

    Times are written in UTC with a ``Z`` suffix (naive times are taken to be UTC already).
    Lines end in CRLF as RFC 4180 asks; that also makes the writer quote any name holding a
    carriage return, which would otherwise split the row on the way back in. A cell that
    starts like a formula is neutralised with a leading single quote (:func:`safe_cell`).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for week, home, away, starts_at, ends_at in rows:
        cells = [str(week), home, away, _format_time(starts_at), _format_time(ends_at)]
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def safe_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula: a value starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote in front
    (OWASP, "CSV Injection"); any other value is written as it is."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _unquoted(value: str) -> str:
    """A cell of an exported file as it was before :func:`safe_cell` neutralised it."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _summary(problems: list[LineError]) -> str:
    count = len(problems)
    listed = " ".join(
        f"Line {problem.line}: {problem.message}" for problem in problems[:MAX_LISTED_PROBLEMS]
    )
    more = count - MAX_LISTED_PROBLEMS
    tail = f" ...and {more} more." if more > 0 else ""
    has = plural(count, "problem")
    return f"The schedule file has {has}; nothing was imported. {listed}{tail}".rstrip()


def _format_time(moment: datetime) -> str:
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    spec = "microseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _team_index(known_teams: Iterable[str]) -> dict[str, object]:
    """Map a folded name to its known spelling, or to ``_AMBIGUOUS`` if two names fold alike."""
    index: dict[str, object] = {}
    for team in known_teams:
        key = _fold(team)
        index[key] = _AMBIGUOUS if key in index and index[key] != team else team
    return index


def _fold(name: str) -> str:
    return name.strip().casefold()


def _quote(value: str, limit: int = 60) -> str:
    """Quote a value from the file for a message: shortened, control characters as '?'."""
    shown = value if len(value) <= limit else value[: limit - 3] + "..."
    return "'" + "".join(char if char.isprintable() else "?" for char in shown) + "'"


def _read_header(fields: list[str], line: int, problems: list[LineError]) -> dict[str, int] | None:
    names = [_fold(field) for field in fields]
    if sorted(names) == sorted(COLUMNS):
        return {name: index for index, name in enumerate(names)}
    found = _quote(",".join(field.strip() for field in fields))
    if names and _WEEK.fullmatch(names[0]):
        message = f"the first line must be the header '{_HEADER_TEXT}'; found {found}."
    else:
        message = f"the header must name exactly the columns {', '.join(COLUMNS)}; found {found}."
    problems.append(LineError(line, message))
    return None


def _read_row(
    fields: list[str],
    line: int,
    columns: dict[str, int],
    teams: dict[str, object],
    pairings: dict[tuple[int, frozenset[str]], int],
    problems: list[LineError],
) -> ScheduleRow | None:
    if len(fields) != len(COLUMNS):
        problems.append(
            LineError(
                line,
                f"expected {len(COLUMNS)} columns ({', '.join(COLUMNS)}) but found {len(fields)}.",
            )
        )
        return None
    found_before = len(problems)
    cell = {name: fields[index].strip() for name, index in columns.items()}

    week: int | None = None
    if _WEEK.fullmatch(cell["week"]) and int(cell["week"]) > 0:
        week = int(cell["week"])
    else:
        problems.append(
            LineError(
                line, f"the week must be a positive whole number; found {_quote(cell['week'])}."
            )
        )

    home = _resolve_team(cell["home"], "home", line, teams, problems)
    away = _resolve_team(cell["away"], "away", line, teams, problems)
    if home is not None and home == away:
        problems.append(LineError(line, f"{_quote(home)} cannot play itself."))

    starts_at = _parse_time(cell["start"], "start", line, problems)
    ends_at = _parse_time(cell["end"], "end", line, problems)
    if starts_at is not None and ends_at is not None and starts_at >= ends_at:
        problems.append(
            LineError(
                line,
                f"the start ({cell['start']}) must be before the end ({cell['end']}).",
            )
        )

    if week is not None and home is not None and away is not None and home != away:
        key = (week, frozenset((home, away)))
        earlier = pairings.setdefault(key, line)
        if earlier != line:
            problems.append(
                LineError(
                    line,
                    f"{_quote(home)} vs {_quote(away)} is already scheduled in week {week} "
                    f"on line {earlier}.",
                )
            )

    if (
        len(problems) > found_before
        or week is None
        or home is None
        or away is None
        or starts_at is None
        or ends_at is None
    ):
        return None
    return ScheduleRow(line, week, home, away, starts_at, ends_at)


def _resolve_team(
    raw: str, side: str, line: int, teams: dict[str, object], problems: list[LineError]
) -> str | None:
    if not raw:
        problems.append(LineError(line, f"the {side} team is missing."))
        return None
    match = teams.get(_fold(raw))
    if match is None and _unquoted(raw) != raw:
        match = teams.get(_fold(_unquoted(raw)))
    if match is None:
        problems.append(LineError(line, f"unknown team {_quote(raw)}."))
        return None
    if match is _AMBIGUOUS:
        problems.append(LineError(line, f"the team name {_quote(raw)} matches more than one team."))
        return None
    return str(match)


def _parse_time(raw: str, column: str, line: int, problems: list[LineError]) -> datetime | None:
    if not raw:
        problems.append(LineError(line, f"the {column} time is missing."))
        return None
    parsed = _DATETIME.fullmatch(raw)
    moment: datetime | None = None
    if parsed is not None:
        offset = parsed["offset"] or ""
        if offset in ("Z", "z"):
            offset = "+00:00"
        elif offset and ":" not in offset:
            offset = f"{offset[:3]}:{offset[3:]}"
        try:
            moment = datetime.fromisoformat(f"{parsed['date']}T{parsed['time']}{offset}")
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except (ValueError, OverflowError):
            moment = None
    if moment is None:
        problems.append(
            LineError(
                line,
                f"the {column} time {_quote(raw)} is not a valid date and time; "
                "use ISO 8601, for example 2026-01-05T19:00Z.",
            )
        )
        return None
    return moment
