"""The rules of the calendar: match weeks, generated and imported schedules, results, standings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput
from sprocket.identity import access
from sprocket.identity.access import Actor, found
from sprocket.league.models import League, Season, Team
from sprocket.league.service import organization_config, parse_match_format, skill_group_of
from sprocket.platform.outbox import enqueue
from sprocket.schedule import csv_io, generator
from sprocket.schedule.csv_io import LineError, ScheduleImportError
from sprocket.schedule.models import Fixture, Match, MatchGame, MatchWeek
from sprocket.schedule.results import check_games
from sprocket.schedule.standings import SeriesResult, StandingRow, compute_standings

SCHEDULED, COMPLETED, FORFEITED = "scheduled", "completed", "forfeited"
MAX_CSV_BYTES = 1_000_000


async def _season_and_league(session: AsyncSession, season_id: int) -> tuple[Season, League]:
    season = found(await session.get(Season, season_id), "season", season_id)
    league = found(await session.get(League, season.league_id), "league", season.league_id)
    return season, league


async def _require_staff(session: AsyncSession, actor: Actor, league: League, doing: str) -> None:
    await access.require_league_staff(session, actor, league.organization_id, league.id, doing)


def status_changed(session: AsyncSession, match: Match) -> None:
    """Tell subscribers (through the outbox) that a match's status or window changed."""
    enqueue(session, "match.status_changed", match_id=match.id, status=match.status)


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
    """Append ``count`` consecutive weeks of ``days`` days after the season's last week."""
    season, league = await _season_and_league(session, season_id)
    await _require_staff(session, actor, league, "create match weeks")
    if not 1 <= count <= 104 or not 1 <= days <= 31:
        raise InvalidInput(
            "Create 1 to 104 match weeks of 1 to 31 days.", code="INVALID_MATCH_WEEKS"
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
            f"New weeks must start after week {last.number} ends.", code="INVALID_MATCH_WEEKS"
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
    """A round robin for each skill group (or the one given), spread over the season's weeks."""
    season, league = await _season_and_league(session, season_id)
    await _require_staff(session, actor, league, "generate schedules")
    fmt = "".join(map(str, parse_match_format(match_format or league.match_format)))
    weeks = await match_weeks(session, season_id=season.id)
    if not weeks:
        raise InvalidInput(
            f"{season.name} has no match weeks yet; create them first.", code="NO_MATCH_WEEKS"
        )
    slots = [generator.WeekSlot(w.number, w.starts_at, w.ends_at) for w in weeks]
    week_ids = {w.number: w.id for w in weeks}
    groups = await _groups_of_teams(session, league, skill_group_id)
    if not groups:
        groups = {None: []}
    plans = []
    for group_id, teams in groups.items():
        rounds = generator.round_robin([t.id for t in teams], double=double)
        plans.append((group_id, generator.spread_over_weeks(rounds, slots)))
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
            code="SCHEDULE_EXISTS",
        )
    matches = []
    for group_id, placed in plans:
        for pairing in placed:
            fixture = Fixture(
                match_week_id=week_ids[pairing.week],
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
            status=SCHEDULED,
        )
        for fixture, group_id, pairing in matches
    ]
    session.add_all(created)
    await session.flush()
    return created


async def import_schedule_csv(
    session: AsyncSession, *, actor: Actor, season_id: int, text: str
) -> list[Match]:
    """Add a season's fixtures from CSV, all or nothing; missing match weeks are created."""
    season, league = await _season_and_league(session, season_id)
    await _require_staff(session, actor, league, "import schedules")
    if len(text.encode()) > MAX_CSV_BYTES:
        raise InvalidInput(
            f"A schedule file may be at most {MAX_CSV_BYTES // 1000} kB.", code="FILE_TOO_LARGE"
        )
    teams = (await session.scalars(select(Team).where(Team.league_id == league.id))).all()
    by_name = {t.name: t for t in teams}
    rows = csv_io.parse_schedule_csv(text, known_teams=by_name)
    weeks = {w.number: w for w in await match_weeks(session, season_id=season.id)}
    existing = await _existing_pairings(session, season.id)
    problems = [
        LineError(
            row.line,
            f"{row.home} and {row.away} already meet in week {row.week} of {season.name}.",
        )
        for row in rows
        if (row.week, frozenset((by_name[row.home].id, by_name[row.away].id))) in existing
    ]
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
            status=SCHEDULED,
        )
        for fixture, row, home in fixtures
    ]
    session.add_all(created)
    await session.flush()
    return created


async def _existing_pairings(
    session: AsyncSession, season_id: int
) -> set[tuple[int, frozenset[int]]]:
    rows = await session.execute(
        select(MatchWeek.number, Fixture.home_team_id, Fixture.away_team_id)
        .join(MatchWeek, MatchWeek.id == Fixture.match_week_id)
        .where(MatchWeek.season_id == season_id)
    )
    return {(week, frozenset((home, away))) for week, home, away in rows}


async def export_schedule_csv(session: AsyncSession, *, season_id: int) -> str:
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


async def match_context(session: AsyncSession, match_id: int) -> tuple[Match, Fixture, League]:
    match = found(await session.get(Match, match_id), "match", match_id)
    fixture = found(await session.get(Fixture, match.fixture_id), "fixture", match.fixture_id)
    _, league = await _season_and_league(session, match.season_id)
    return match, fixture, league


def _require_open(match: Match) -> None:
    if match.status != SCHEDULED:
        raise Conflict(
            f"Match {match.id} is already {match.status}; it cannot change now.",
            code="MATCH_ALREADY_DECIDED",
        )


async def reschedule_match(
    session: AsyncSession,
    *,
    actor: Actor,
    match_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> Match:
    match, _, league = await match_context(session, match_id)
    await _require_staff(session, actor, league, "reschedule matches")
    _require_open(match)
    if starts_at >= ends_at:
        raise InvalidInput("A match window must end after it starts.", code="INVALID_DATES")
    match.starts_at, match.ends_at = starts_at, ends_at
    status_changed(session, match)
    return match


async def record_forfeit(
    session: AsyncSession, *, actor: Actor, match_id: int, team_id: int
) -> Match:
    match, fixture, league = await match_context(session, match_id)
    await _require_staff(session, actor, league, "record forfeits")
    _require_open(match)
    if team_id not in (fixture.home_team_id, fixture.away_team_id):
        raise InvalidInput("Only a team playing the match can forfeit it.", code="WRONG_TEAM")
    match.status = FORFEITED
    match.forfeited_by_team_id = team_id
    match.completed_at = utcnow()
    status_changed(session, match)
    return match


async def record_result(
    session: AsyncSession, *, actor: Actor, match_id: int, games: Sequence[tuple[int, int]]
) -> Match:
    """Staff enter a series' game scores (home goals, away goals) by hand."""
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
) -> list[MatchGame]:
    """Store a decided series and close the match (the caller has checked permission).

    ``games``: (home goals, away goals) per game; ``replay_ids``: the stored replay proving
    each game; ``winners``: whether the home side won each game when its replay records the
    winner (a forfeit), None where the goals decide. Raises what
    :func:`~sprocket.schedule.results.check_games` raises, and ``MATCH_ALREADY_DECIDED``.
    """
    _require_open(match)
    won = check_games(match.format, games, winners)
    replays = list(replay_ids or [None] * len(games))
    rows = [
        MatchGame(
            match_id=match.id,
            number=n,
            home_goals=h,
            away_goals=a,
            home_won=w,
            stored_replay_id=r,
        )
        for n, ((h, a), w, r) in enumerate(zip(games, won, replays, strict=True), start=1)
    ]
    session.add_all(rows)
    match.status = COMPLETED
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
    match.status = SCHEDULED
    match.completed_at = None
    match.forfeited_by_team_id = None
    status_changed(session, match)
    await session.flush()


# -- standings -------------------------------------------------------------------------------


async def standings(
    session: AsyncSession, *, season_id: int, skill_group_id: int | None = None
) -> list[StandingRow[int]]:
    """The table of a season (and skill group): team ids ranked by the league's rules."""
    season, league = await _season_and_league(session, season_id)
    teams_query = select(Team.id, Team.name).where(Team.league_id == league.id)
    decided = [Match.season_id == season.id, Match.status.in_((COMPLETED, FORFEITED))]
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
