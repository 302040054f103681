"""The rules of the calendar: match weeks, generated and imported schedules, results, standings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.dates import for_people
from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, found, state_of
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league.errors import LeagueCode
from sprocket.league.match_format import MatchFormat
from sprocket.league.models import League, Season, Team
from sprocket.league.service import (
    organization_config,
    organization_zone,
    skill_group_of,
)
from sprocket.paging import Page, page
from sprocket.platform.outbox import enqueue
from sprocket.schedule import csv_io, generator
from sprocket.schedule.csv_io import LineError, ScheduleImportError
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.errors import ScheduleCode
from sprocket.schedule.models import Fixture, Match, MatchGame, MatchWeek
from sprocket.schedule.results import check_games
from sprocket.schedule.standings import SeriesResult, StandingRow, compute_standings

MAX_CSV_BYTES = 1_000_000


async def _season_and_league(session: AsyncSession, season_id: int) -> tuple[Season, League]:
    season = found(await session.get(Season, season_id), "season", season_id)
    league = found(await session.get(League, season.league_id), "league", season.league_id)
    return season, league


async def _require_staff(session: AsyncSession, actor: Actor, league: League, doing: str) -> None:
    await access.require_league_staff(session, actor, league.organization_id, league.id, doing)


def status_changed(session: AsyncSession, match: Match) -> None:
    """Tell subscribers (through the outbox, on commit) that a match's status or window
    changed."""
    enqueue(session, "match.status_changed", match_id=match.id, status=match.status)


def window_problem(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    week: MatchWeek | None,
    season: Season,
    zone: str,
) -> tuple[str, str] | None:
    """Why a match window does not fit: it must lie within its match week (when the week
    exists already) and within its season. Returns (code, sentence with the dates in the
    organization's ``zone``) or None when it fits.

    Codes: WINDOW_OUTSIDE_WEEK, WINDOW_OUTSIDE_SEASON.
    """

    def span(start: dt.datetime, end: dt.datetime) -> str:
        return f"{for_people(start, zone)} to {for_people(end, zone)}"

    window = span(starts_at, ends_at)
    if week is not None and not (week.starts_at <= starts_at and ends_at <= week.ends_at):
        return (
            ScheduleCode.WINDOW_OUTSIDE_WEEK,
            f"the match window {window} lies outside week {week.number} "
            f"({span(week.starts_at, week.ends_at)}).",
        )
    if not (season.starts_at <= starts_at and ends_at <= season.ends_at):
        return (
            ScheduleCode.WINDOW_OUTSIDE_SEASON,
            f"the match window {window} lies outside {season.name} "
            f"({span(season.starts_at, season.ends_at)}).",
        )
    return None


def _require_window(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    week: MatchWeek | None,
    season: Season,
    zone: str,
) -> None:
    problem = window_problem(starts_at, ends_at, week=week, season=season, zone=zone)
    if problem is not None:
        code, sentence = problem
        raise InvalidInput(sentence[0].upper() + sentence[1:], code=code)


# -- match weeks -----------------------------------------------------------------------------


async def create_match_weeks(
    session: AsyncSession,
    *,
    actor: Actor,
    season_id: int,
    count: int,
    first_starts_at: dt.datetime | None = None,
    days: int = 7,
) -> list[MatchWeek]:
    """League staff append ``count`` (1 to 104) consecutive weeks of ``days`` (1 to 31) days
    each, numbered on from the season's last week; the first starts at ``first_starts_at``
    (timezone-aware, not before the last week ends), by default where the last week ends or,
    for the first weeks, at the season's start. Returns the new weeks in number order.
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, INVALID_MATCH_WEEKS."""
    require_user(actor)
    season, league = await _season_and_league(session, season_id)
    await _require_staff(session, actor, league, "create match weeks")
    if not 1 <= count <= 104 or not 1 <= days <= 31:
        raise InvalidInput(
            "Create 1 to 104 match weeks of 1 to 31 days.", code=ScheduleCode.INVALID_MATCH_WEEKS
        )
    last = await session.scalar(
        select(MatchWeek)
        .where(MatchWeek.season_id == season.id)
        .order_by(MatchWeek.number.desc())
        .limit(1)
    )
    start = first_starts_at or (last.ends_at if last else season.starts_at)
    if last is not None and start < last.ends_at:
        raise InvalidInput(
            f"New weeks must start after week {last.number} ends.",
            code=ScheduleCode.INVALID_MATCH_WEEKS,
        )
    number = last.number if last else 0
    weeks = []
    for i in range(count):
        begins = start + dt.timedelta(days=days * i)
        weeks.append(
            MatchWeek(
                season_id=season.id,
                number=number + i + 1,
                starts_at=begins,
                ends_at=begins + dt.timedelta(days=days),
            )
        )
    session.add_all(weeks)
    await session.flush()
    return weeks


async def match_weeks(session: AsyncSession, *, season_id: int) -> list[MatchWeek]:
    """The season's match weeks by number (none for an unknown season)."""
    rows = await session.scalars(
        select(MatchWeek).where(MatchWeek.season_id == season_id).order_by(MatchWeek.number)
    )
    return list(rows.all())


# -- generated and imported schedules ---------------------------------------------------------


async def _groups_of_teams(
    session: AsyncSession, league: League, skill_group_id: int | None
) -> dict[int | None, list[Team]]:
    query = select(Team).where(Team.league_id == league.id).order_by(Team.name)
    if skill_group_id is not None:
        await skill_group_of(session, league=league, skill_group_id=skill_group_id)
        query = query.where(Team.skill_group_id == skill_group_id)
    groups: dict[int | None, list[Team]] = defaultdict(list)
    for team in (await session.scalars(query)).all():
        groups[team.skill_group_id].append(team)
    if skill_group_id is not None and not groups:
        groups[skill_group_id] = []
    return groups


async def generate_schedule(
    session: AsyncSession,
    *,
    actor: Actor,
    season_id: int,
    skill_group_id: int | None = None,
    double: bool = False,
    match_format: str | None = None,
) -> list[Match]:
    """A round robin for each skill group (or the one given), spread over the season's weeks;
    each match's window is its week.

    ``match_format``: ``boN`` or ``fixedN``, by default the league's. Returns the new matches,
    group by group in round order. Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND,
    INVALID_MATCH_FORMAT, NO_MATCH_WEEKS, WRONG_LEAGUE, the generator's
    SCHEDULE_TOO_FEW_TEAMS, SCHEDULE_DUPLICATE_TEAM, SCHEDULE_NOT_ENOUGH_WEEKS,
    WINDOW_OUTSIDE_SEASON (a week that reaches outside the season), SCHEDULE_EXISTS.
    """
    require_user(actor)
    season, league = await _season_and_league(session, season_id)
    await _require_staff(session, actor, league, "generate schedules")
    fmt = str(MatchFormat.parse(match_format or league.match_format))
    weeks = await match_weeks(session, season_id=season.id)
    if not weeks:
        raise InvalidInput(
            f"{season.name} has no match weeks yet; create them first.",
            code=ScheduleCode.NO_MATCH_WEEKS,
        )
    slots = [generator.WeekSlot(w.number, w.starts_at, w.ends_at) for w in weeks]
    by_number = {w.number: w for w in weeks}
    groups = await _groups_of_teams(session, league, skill_group_id)
    if not groups:
        groups = {None: []}
    plans = []
    for group_id, teams in groups.items():
        rounds = generator.round_robin([t.id for t in teams], double=double)
        plans.append((group_id, generator.spread_over_weeks(rounds, slots)))
    zone = await organization_zone(session, league.organization_id)
    for _, placed in plans:
        for pairing in placed:
            _require_window(
                pairing.starts_at,
                pairing.ends_at,
                week=by_number[pairing.week],
                season=season,
                zone=zone,
            )
    team_ids = [t.id for teams in groups.values() for t in teams]
    already = await session.scalar(
        select(func.count())
        .select_from(Fixture)
        .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
        .where(MatchWeek.season_id == season.id, Fixture.home_team_id.in_(team_ids))
    )
    if already:
        raise Conflict(
            f"These teams already have fixtures in {season.name}; a schedule is generated once.",
            code=ScheduleCode.SCHEDULE_EXISTS,
        )
    matches = []
    for group_id, placed in plans:
        for pairing in placed:
            fixture = Fixture(
                match_week_id=by_number[pairing.week].id,
                home_team_id=pairing.home,
                away_team_id=pairing.away,
            )
            session.add(fixture)
            matches.append((fixture, group_id, pairing))
    await session.flush()
    created = [
        Match(
            fixture_id=fixture.id,
            season_id=season.id,
            skill_group_id=group_id,
            format=fmt,
            starts_at=pairing.starts_at,
            ends_at=pairing.ends_at,
            status=MatchStatus.SCHEDULED,
        )
        for fixture, group_id, pairing in matches
    ]
    session.add_all(created)
    await session.flush()
    return created


async def import_schedule_csv(
    session: AsyncSession,
    *,
    actor: Actor,
    season_id: int,
    text: str,
    allow_twice_in_week: bool = False,
) -> list[Match]:
    """Add a season's fixtures from CSV (``week,home,away,start,end``), all or nothing;
    missing match weeks are created around their rows.

    Every line is checked, and every problem reported with its line number: the columns
    (:func:`csv_io.parse_schedule_csv`), a pairing already met that week, a match window
    outside its (existing) week or outside the season, and a team playing twice in one week
    (in the file or with the fixtures already there) unless ``allow_twice_in_week``.
    Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, FILE_TOO_LARGE,
    SCHEDULE_CSV_INVALID (``details``: the line errors).
    """
    require_user(actor)
    season, league = await _season_and_league(session, season_id)
    await _require_staff(session, actor, league, "import schedules")
    if len(text.encode()) > MAX_CSV_BYTES:
        raise InvalidInput(
            f"A schedule file may be at most {MAX_CSV_BYTES // 1000} kB.",
            code=ScheduleCode.FILE_TOO_LARGE,
        )
    teams = (await session.scalars(select(Team).where(Team.league_id == league.id))).all()
    by_name = {t.name: t for t in teams}
    rows = csv_io.parse_schedule_csv(text, known_teams=by_name)
    weeks = {w.number: w for w in await match_weeks(session, season_id=season.id)}
    existing = await _existing_fixtures(session, season.id)
    zone = await organization_zone(session, league.organization_id)
    problems = _pairings_met(rows, by_name, existing, season)
    met = {problem.line for problem in problems}
    for row in rows:
        problem = window_problem(
            row.starts_at, row.ends_at, week=weeks.get(row.week), season=season, zone=zone
        )
        if problem is not None:
            problems.append(LineError(row.line, problem[1]))
    if not allow_twice_in_week:
        problems.extend(_twice_in_a_week([r for r in rows if r.line not in met], by_name, existing))
    if problems:
        raise ScheduleImportError(problems)
    fmt = league.match_format
    created_weeks: dict[int, MatchWeek] = {}
    for row in rows:
        if row.week in weeks:
            continue
        week = created_weeks.get(row.week)
        if week is None:
            created_weeks[row.week] = MatchWeek(
                season_id=season.id, number=row.week, starts_at=row.starts_at, ends_at=row.ends_at
            )
        else:
            week.starts_at = min(week.starts_at, row.starts_at)
            week.ends_at = max(week.ends_at, row.ends_at)
    session.add_all(created_weeks.values())
    await session.flush()
    weeks.update(created_weeks)
    fixtures = []
    for row in rows:
        home, away = by_name[row.home], by_name[row.away]
        fixture = Fixture(
            match_week_id=weeks[row.week].id, home_team_id=home.id, away_team_id=away.id
        )
        session.add(fixture)
        fixtures.append((fixture, row, home))
    await session.flush()
    created = [
        Match(
            fixture_id=fixture.id,
            season_id=season.id,
            skill_group_id=home.skill_group_id,
            format=fmt,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=MatchStatus.SCHEDULED,
        )
        for fixture, row, home in fixtures
    ]
    session.add_all(created)
    await session.flush()
    return created


async def _existing_fixtures(session: AsyncSession, season_id: int) -> list[tuple[int, int, int]]:
    """(week number, home team, away team) of every fixture of the season."""
    rows = await session.execute(
        select(MatchWeek.number, Fixture.home_team_id, Fixture.away_team_id)
        .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
        .where(MatchWeek.season_id == season_id)
        .order_by(MatchWeek.number, Fixture.id)
    )
    return [(week, home, away) for week, home, away in rows]


def _pairings_met(
    rows: Sequence[csv_io.ScheduleRow],
    by_name: dict[str, Team],
    existing: Sequence[tuple[int, int, int]],
    season: Season,
) -> list[LineError]:
    """Rows whose two teams already meet in that week."""
    met = {(week, frozenset((home, away))) for week, home, away in existing}
    return [
        LineError(
            row.line,
            f"{row.home} and {row.away} already meet in week {row.week} of {season.name}.",
        )
        for row in rows
        if (row.week, frozenset((by_name[row.home].id, by_name[row.away].id))) in met
    ]


def _twice_in_a_week(
    rows: Sequence[csv_io.ScheduleRow],
    by_name: dict[str, Team],
    existing: Sequence[tuple[int, int, int]],
) -> list[LineError]:
    """Rows that give a team a second match in one week (after an earlier line of the file
    or a fixture already scheduled)."""
    names = {team.id: name for name, team in by_name.items()}
    playing: dict[tuple[int, int], str] = {}
    for week, home, away in existing:
        for team, other in ((home, away), (away, home)):
            playing.setdefault((week, team), f"against {names.get(other, 'another team')}")
    problems = []
    for row in rows:
        for name in (row.home, row.away):
            key = (row.week, by_name[name].id)
            if key in playing:
                problems.append(
                    LineError(
                        row.line,
                        f"{name} already plays in week {row.week} ({playing[key]}); a team "
                        "plays once a week unless the import is told to allow two.",
                    )
                )
            else:
                playing[key] = f"on line {row.line}"
    return problems


async def export_schedule_csv(session: AsyncSession, *, season_id: int) -> str:
    """The season's matches as CSV in the import's columns (``week,home,away,start,end``,
    team names, ISO 8601 UTC moments), by week then match id. Raises NOT_FOUND."""
    found(await session.get(Season, season_id), "season", season_id)
    home, away = Team.__table__.alias("home"), Team.__table__.alias("away")
    rows = await session.execute(
        select(MatchWeek.number, home.c.name, away.c.name, Match.starts_at, Match.ends_at)
        .join(Fixture, Fixture.id == Match.fixture_id)
        .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
        .join(home, home.c.id == Fixture.home_team_id)
        .join(away, away.c.id == Fixture.away_team_id)
        .where(Match.season_id == season_id)
        .order_by(MatchWeek.number, Match.id)
    )
    return csv_io.export_schedule_csv((week, h, a, start, end) for week, h, a, start, end in rows)


# -- matches and results ---------------------------------------------------------------------


async def match_by_id(session: AsyncSession, *, match_id: int) -> Match:
    """The match with this id; raises NotFound (``NOT_FOUND``) when there is none."""
    return found(await session.get(Match, match_id), "match", match_id)


async def matches(
    session: AsyncSession,
    *,
    season_id: int,
    week: int | None = None,
    team_id: int | None = None,
    skill_group_id: int | None = None,
    status: MatchStatus | str | None = None,
    first: int,
    after: str | None = None,
) -> Page[Match]:
    """A page of a season's matches by id, optionally only those of week number ``week``,
    of a team (home or away), of a skill group, in a status (a :class:`MatchStatus`, or its
    stored text): ``first`` (1 to 100) after the cursor ``after``. Raises InvalidInput:
    ``INVALID_STATUS`` (text that is no match status), ``INVALID_PAGE_SIZE``,
    ``INVALID_CURSOR``."""
    if status is not None:
        status = state_of(MatchStatus, status, what="match status")
    query = select(Match).where(Match.season_id == season_id)
    if week is not None or team_id is not None:
        query = query.join(Fixture, Fixture.id == Match.fixture_id)
    if week is not None:
        query = query.join(MatchWeek, MatchWeek.id == Fixture.match_week_id).where(
            MatchWeek.number == week
        )
    if team_id is not None:
        query = query.where(or_(Fixture.home_team_id == team_id, Fixture.away_team_id == team_id))
    if skill_group_id is not None:
        query = query.where(Match.skill_group_id == skill_group_id)
    if status is not None:
        query = query.where(Match.status == status)
    return await page(session, query, Match.id, first=first, after=after)


async def match_games(session: AsyncSession, *, match_id: int) -> list[MatchGame]:
    """The match's recorded games by number (none before a result or for an unknown match).
    One statement."""
    rows = await session.scalars(
        select(MatchGame).where(MatchGame.match_id == match_id).order_by(MatchGame.number)
    )
    return list(rows.all())


async def match_context(session: AsyncSession, match_id: int) -> tuple[Match, Fixture, League]:
    """The match, its fixture (home and away team) and its league. Raises NOT_FOUND."""
    match = found(await session.get(Match, match_id), "match", match_id)
    fixture = found(await session.get(Fixture, match.fixture_id), "fixture", match.fixture_id)
    _, league = await _season_and_league(session, match.season_id)
    return match, fixture, league


def _require_open(match: Match) -> None:
    if match.status != MatchStatus.SCHEDULED:
        raise Conflict(
            f"Match {match.id} is already {match.status}; it cannot change now.",
            code=ScheduleCode.MATCH_ALREADY_DECIDED,
        )


async def reschedule_match(
    session: AsyncSession,
    *,
    actor: Actor,
    match_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> Match:
    """Staff move a scheduled match's window (timezone-aware moments), within its week and
    its season.

    Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, MATCH_ALREADY_DECIDED,
    INVALID_DATES, WINDOW_OUTSIDE_WEEK, WINDOW_OUTSIDE_SEASON.
    """
    require_user(actor)
    match, fixture, league = await match_context(session, match_id)
    await _require_staff(session, actor, league, "reschedule matches")
    _require_open(match)
    if starts_at >= ends_at:
        raise InvalidInput(
            "A match window must end after it starts.", code=LeagueCode.INVALID_DATES
        )
    _require_window(
        starts_at,
        ends_at,
        week=await session.get(MatchWeek, fixture.match_week_id),
        season=found(await session.get(Season, match.season_id), "season", match.season_id),
        zone=await organization_zone(session, league.organization_id),
    )
    match.starts_at, match.ends_at = starts_at, ends_at
    status_changed(session, match)
    return match


async def record_forfeit(
    session: AsyncSession,
    *,
    actor: Actor,
    match_id: int,
    team_id: int,
    reason: str | None = None,
) -> Match:
    """Staff record that ``team_id`` (home or away) forfeits a scheduled match: the match is
    decided now, without games, and the forfeit goes to the audit log ("match.forfeit") with
    the team (id and name) and ``reason``: why, in the staff's words (its first 500
    characters, spaces around it trimmed; None: no reason given, as from the API; given, it
    must not be blank).
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, MATCH_ALREADY_DECIDED, WRONG_TEAM,
    FORFEIT_REASON_REQUIRED."""
    require_user(actor)
    match, fixture, league = await match_context(session, match_id)
    await _require_staff(session, actor, league, "record forfeits")
    _require_open(match)
    if team_id not in (fixture.home_team_id, fixture.away_team_id):
        raise InvalidInput(
            "Only a team playing the match can forfeit it.", code=ScheduleCode.WRONG_TEAM
        )
    if reason is not None and not reason.strip():
        raise InvalidInput("Say why the team forfeits.", code=ScheduleCode.FORFEIT_REASON_REQUIRED)
    match.status = MatchStatus.FORFEITED
    match.forfeited_by_team_id = team_id
    match.completed_at = utcnow()
    audit.record(
        session,
        organization_id=league.organization_id,
        actor_user_id=actor.user_id,
        action="match.forfeit",
        subject=f"match:{match.id}",
        details={
            "team_id": team_id,
            "team": found(await session.get(Team, team_id), "team", team_id).name,
            "reason": reason.strip()[:500] if reason else None,
        },
    )
    status_changed(session, match)
    return match


async def record_result(
    session: AsyncSession, *, actor: Actor, match_id: int, games: Sequence[tuple[int, int]]
) -> Match:
    """Staff enter a series' game scores by hand: (home goals, away goals) per game, in
    play order. Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, and what
    :func:`complete_match` raises (MATCH_ALREADY_DECIDED, INVALID_SCORE, WRONG_GAME_COUNT...)."""
    require_user(actor)
    match, _, league = await match_context(session, match_id)
    await _require_staff(session, actor, league, "record results")
    await complete_match(session, match=match, games=games)
    return match


async def complete_match(
    session: AsyncSession,
    *,
    match: Match,
    games: Sequence[tuple[int, int]],
    replay_ids: Sequence[int | None] | None = None,
    winners: Sequence[bool | None] | None = None,
    played_at: Sequence[dt.datetime | None] | None = None,
) -> list[MatchGame]:
    """Store a decided series and close the match (the caller has checked permission).

    ``games``: (home goals, away goals) per game; ``replay_ids`` and ``played_at`` (the date
    each replay recorded), when the result came by submission, one per game; ``winners``:
    whether the home side won each game when its replay records the winner (a forfeit), None
    where the goals decide. Raises what :func:`~sprocket.schedule.results.check_games` raises
    (INVALID_SCORE, WRONG_GAME_COUNT...), and MATCH_ALREADY_DECIDED.
    """
    _require_open(match)
    won = check_games(match.format, games, winners)
    replays = list(replay_ids or [None] * len(games))
    dates = list(played_at or [None] * len(games))
    rows = [
        MatchGame(
            match_id=match.id,
            number=n,
            home_goals=h,
            away_goals=a,
            home_won=w,
            stored_replay_id=r,
            played_at=when,
        )
        for n, ((h, a), w, r, when) in enumerate(
            zip(games, won, replays, dates, strict=True), start=1
        )
    ]
    session.add_all(rows)
    match.status = MatchStatus.COMPLETED
    match.completed_at = utcnow()
    status_changed(session, match)
    await session.flush()
    return rows


async def reopen_match(session: AsyncSession, *, match: Match) -> None:
    """Take a result back (an invalidated submission): its games go, the match is open again."""
    for game in (
        await session.scalars(select(MatchGame).where(MatchGame.match_id == match.id))
    ).all():
        await session.delete(game)
    match.status = MatchStatus.SCHEDULED
    match.completed_at = None
    match.forfeited_by_team_id = None
    status_changed(session, match)
    await session.flush()


# -- standings -------------------------------------------------------------------------------


async def standings(
    session: AsyncSession, *, season_id: int, skill_group_id: int | None = None
) -> list[StandingRow[int]]:
    """The table of a season (and skill group): one row per team of the league (of the
    group), keyed by team id, best first, ranked by the organization's points and
    tie-breaks over completed and forfeited matches. Raises NOT_FOUND (season)."""
    season, league = await _season_and_league(session, season_id)
    teams_query = select(Team.id, Team.name).where(Team.league_id == league.id)
    decided = [
        Match.season_id == season.id,
        Match.status.in_((MatchStatus.COMPLETED, MatchStatus.FORFEITED)),
    ]
    if skill_group_id is not None:
        teams_query = teams_query.where(Team.skill_group_id == skill_group_id)
        decided.append(Match.skill_group_id == skill_group_id)
    names = {team_id: name for team_id, name in await session.execute(teams_query)}
    played = list(
        await session.execute(
            select(Match.id, Fixture.home_team_id, Fixture.away_team_id, Match.forfeited_by_team_id)
            .join(Fixture, Fixture.id == Match.fixture_id)
            .where(*decided)
        )
    )
    games: dict[int, list[tuple[int, int]]] = defaultdict(list)
    winners: dict[int, list[bool]] = defaultdict(list)
    rows = await session.execute(
        select(MatchGame.match_id, MatchGame.home_goals, MatchGame.away_goals, MatchGame.home_won)
        .join(Match, Match.id == MatchGame.match_id)
        .where(*decided)
        .order_by(MatchGame.match_id, MatchGame.number)
    )
    for match_id, home, away, won in rows:
        games[match_id].append((home, away))
        winners[match_id].append(won)
    config = await organization_config(session, league.organization_id)
    results = [
        SeriesResult(home, away, tuple(games[match_id]), forfeited_by, tuple(winners[match_id]))
        for match_id, home, away, forfeited_by in played
        if home in names and away in names
    ]
    return compute_standings(
        list(names),
        results,
        points=config.points,
        tie_breaks=config.tie_breaks,
        name=lambda team_id: names[team_id],
    )
