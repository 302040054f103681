"""The measures of league health: each reads one organization's rows of a :class:`Window`
with SQL, then groups their moments into the window's local days or weeks (grouping by a
time zone's days is done here, the same on SQLite and PostgreSQL).

Each measure is one of this package's own steps, with no permission check: doors call
:mod:`sprocket.analytics.service`, which checks who may look first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from sprocket.analytics.window import Window, median, percentile
from sprocket.league.models import League, Player, Season
from sprocket.replays.enums import SubmissionStatus
from sprocket.replays.models import Submission
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Match, MatchGame
from sprocket.scrims.enums import TicketStatus
from sprocket.scrims.models import QueueBan, QueueTicket, Scrim, ScrimEntry
from sprocket.stats.models import PlayerGameStat

#: How the queue ban of a missed check-in starts its reason (written by the scrim sweep,
#: :func:`sprocket.scrims.timeouts.expire_check_ins`).
MISSED_CHECK_IN = "missed the check-in of scrim "

Value = int | float | None


class Period(StrEnum):
    """How a series groups its moments: by local week (named by its Monday) or day."""

    WEEK = "week"
    DAY = "day"


@dataclass(frozen=True)
class Column:
    """One figure of a series' rows: ``key`` names it in the CSV file, ``label`` on the
    page; ``charted`` figures are drawn (counts beside a median are only listed)."""

    key: str
    label: str
    charted: bool = True


@dataclass(frozen=True)
class Series:
    """A measure over a window: a row per week or day (``rows``: the period's first day and
    one value per column; None where there was nothing to measure)."""

    key: str
    title: str
    about: str
    period: Period
    unit: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[dt.date, tuple[Value, ...]], ...]


def _periods(window: Window, period: Period) -> list[dt.date]:
    return window.weeks() if period == Period.WEEK else window.days()


def _bucket(window: Window, period: Period, moment: dt.datetime) -> dt.date:
    return window.week_of(moment) if period == Period.WEEK else window.day_of(moment)


def _counts(
    window: Window, period: Period, groups: Iterable[tuple[int, dt.datetime]], width: int
) -> tuple[tuple[dt.date, tuple[Value, ...]], ...]:
    """Rows counting ``(column index, moment)`` pairs per period, ``width`` columns."""
    counts: Counter[tuple[dt.date, int]] = Counter(
        (_bucket(window, period, moment), column) for column, moment in groups
    )
    return tuple(
        (day, tuple(counts[(day, column)] for column in range(width)))
        for day in _periods(window, period)
    )


def _in(column: InstrumentedAttribute[Any], window: Window) -> ColumnElement[bool]:
    """``column`` (a moment) falls within the window."""
    return and_(column >= window.start, column < window.end)


async def active_players(
    session: AsyncSession, *, organization_id: int, window: Window, now: dt.datetime
) -> Series:
    """Active players per week: the distinct members of the organization who, that week,
    either played in a league match whose result was recorded (a stat line of a game of a
    completed match, counted in the week of the match's ``completed_at``, and linked to a
    player: an account linked to nobody counts no one) or held a seat in a scrim when it
    started (counted in the week of its ``started_at``). A result entered by hand has no
    stat lines, so it makes no one active. ``now`` is unused (the past does not change)."""
    league_rows = await session.execute(
        select(Player.member_id, Match.completed_at)
        .join(PlayerGameStat, PlayerGameStat.player_id == Player.id)
        .join(MatchGame, MatchGame.id == PlayerGameStat.match_game_id)
        .join(Match, Match.id == MatchGame.match_id)
        .join(League, League.id == Player.league_id)
        .where(
            League.organization_id == organization_id,
            Match.status == MatchStatus.COMPLETED,
            _in(Match.completed_at, window),
        )
        .distinct()
    )
    scrim_rows = await session.execute(
        select(ScrimEntry.member_id, Scrim.started_at)
        .join(Scrim, Scrim.id == ScrimEntry.scrim_id)
        .where(
            Scrim.organization_id == organization_id,
            ScrimEntry.team.is_not(None),  # drawn into a team: seated when it started
            _in(Scrim.started_at, window),
        )
    )
    members: defaultdict[dt.date, set[int]] = defaultdict(set)
    for member_id, moment in [*league_rows.all(), *scrim_rows.all()]:
        members[window.week_of(moment)].add(member_id)
    return Series(
        key="active-players",
        title="Active players per week",
        about="Members who played a league match (recorded that week) or a scrim "
        "(started that week).",
        period=Period.WEEK,
        unit="players",
        columns=(Column("active_players", "Active players"),),
        rows=tuple((week, (len(members[week]),)) for week in window.weeks()),
    )


async def match_punctuality(
    session: AsyncSession, *, organization_id: int, window: Window, now: dt.datetime
) -> Series:
    """Matches per week, by the week their window ends (``ends_at``): of the matches due
    that week, how many were completed on time (the result recorded, ``completed_at``, at or
    before the end of the match's window; by replays this is the moment the result was
    ratified or force-accepted), late (recorded after it), forfeited (a forfeit recorded by
    staff, whenever), and overdue (no result, and the window ended before ``now``). A match
    whose window is still open without a result is not counted."""
    rows = await session.execute(
        select(Match.ends_at, Match.status, Match.completed_at)
        .join(Season, Season.id == Match.season_id)
        .join(League, League.id == Season.league_id)
        .where(League.organization_id == organization_id, _in(Match.ends_at, window))
    )
    ON_TIME, LATE, FORFEITED, OVERDUE = range(4)
    groups = []
    for ends_at, status, completed_at in rows.all():
        if status == MatchStatus.FORFEITED:
            groups.append((FORFEITED, ends_at))
        elif status == MatchStatus.COMPLETED and completed_at is not None:
            groups.append((ON_TIME if completed_at <= ends_at else LATE, ends_at))
        elif ends_at <= now:
            groups.append((OVERDUE, ends_at))
    return Series(
        key="matches",
        title="Matches due per week",
        about="Matches by the week their window ends: result recorded within the window, "
        "after it, forfeited, or still without a result.",
        period=Period.WEEK,
        unit="matches",
        columns=(
            Column("on_time", "On time"),
            Column("late", "Late"),
            Column("forfeited", "Forfeited"),
            Column("overdue", "Overdue"),
        ),
        rows=_counts(window, Period.WEEK, groups, 4),
    )


async def ratification_time(
    session: AsyncSession, *, organization_id: int, window: Window, now: dt.datetime
) -> Series:
    """Time from upload to ratification per week, in hours: for every accepted submission
    (a league match's or a scrim's) accepted in the week, from its upload (``created_at``)
    to its acceptance (its last change, ``updated_at``: ratified by enough players or
    force-accepted by staff; nothing changes an accepted submission but its invalidation,
    which rejects it). Per week: how many were accepted, the median (the mean of the middle
    two for an even count) and the 90th percentile (nearest rank: the smallest time at
    least 90% of them do not exceed). A submission rejected or invalidated is not counted.
    ``now`` is unused."""
    of_organization = or_(
        Submission.match_id.in_(
            select(Match.id)
            .join(Season, Season.id == Match.season_id)
            .join(League, League.id == Season.league_id)
            .where(League.organization_id == organization_id)
        ),
        Submission.scrim_id.in_(select(Scrim.id).where(Scrim.organization_id == organization_id)),
    )
    rows = await session.execute(
        select(Submission.created_at, Submission.updated_at).where(
            Submission.status == SubmissionStatus.ACCEPTED,
            of_organization,
            _in(Submission.updated_at, window),
        )
    )
    hours: defaultdict[dt.date, list[float]] = defaultdict(list)
    for uploaded, accepted in rows.all():
        hours[window.week_of(accepted)].append((accepted - uploaded).total_seconds() / 3600)
    return Series(
        key="ratification",
        title="Hours from upload to ratification",
        about="Accepted results by the week they were accepted: how many, and the hours "
        "from upload to acceptance (median and 90th percentile).",
        period=Period.WEEK,
        unit="hours",
        columns=(
            Column("accepted", "Accepted", charted=False),
            Column("median_hours", "Median (hours)"),
            Column("p90_hours", "90th percentile (hours)"),
        ),
        rows=tuple(
            (week, (len(hours[week]), median(hours[week]), percentile(hours[week], 0.9)))
            for week in window.weeks()
        ),
    )


async def scrims_per_day(
    session: AsyncSession, *, organization_id: int, window: Window, now: dt.datetime
) -> Series:
    """Scrims per day: how many scrims were created (opened by a member, or formed by the
    matchmaking queue; ``created_at``) and how many started (everyone checked in;
    ``started_at``) that day. ``now`` is unused."""
    rows = await session.execute(
        select(Scrim.created_at, Scrim.started_at).where(
            Scrim.organization_id == organization_id,
            or_(_in(Scrim.created_at, window), _in(Scrim.started_at, window)),
        )
    )
    groups = []
    for created_at, started_at in rows.all():
        groups.append((0, created_at))
        if started_at is not None:
            groups.append((1, started_at))
    inside = [(c, m) for c, m in groups if window.start <= m < window.end]
    return Series(
        key="scrims",
        title="Scrims per day",
        about="Scrims created, and scrims started (everyone checked in), each day.",
        period=Period.DAY,
        unit="scrims",
        columns=(Column("created", "Created"), Column("started", "Started")),
        rows=_counts(window, Period.DAY, inside, 2),
    )


async def queue_waits(
    session: AsyncSession, *, organization_id: int, window: Window, now: dt.datetime
) -> Series:
    """Matchmaking queue waits per day, in minutes: for every queue ticket placed in a
    lobby that day (its ``left_at``, the moment the lobby formed and popped), the time since
    its member entered the queue (``joined_at``; a member returned to the queue after
    another's missed check-in keeps their first entry time, so their second placement
    counts their whole wait). Per day: how many tickets were placed and the median wait.
    Tickets that left or expired waited for nothing and are not counted; neither are seats
    taken in a scrim from the scrim list (no queue ticket). ``now`` is unused."""
    rows = await session.execute(
        select(QueueTicket.joined_at, QueueTicket.left_at).where(
            QueueTicket.organization_id == organization_id,
            QueueTicket.status == TicketStatus.PLACED,
            _in(QueueTicket.left_at, window),
        )
    )
    minutes: defaultdict[dt.date, list[float]] = defaultdict(list)
    for joined_at, placed_at in rows.all():
        minutes[window.day_of(placed_at)].append((placed_at - joined_at).total_seconds() / 60)
    return Series(
        key="queue-waits",
        title="Queue waits per day",
        about="Queue tickets placed in a lobby each day, and the median minutes they waited "
        "from entering the queue.",
        period=Period.DAY,
        unit="minutes",
        columns=(
            Column("placed", "Placed", charted=False),
            Column("median_minutes", "Median wait (minutes)"),
        ),
        rows=tuple((day, (len(minutes[day]), median(minutes[day]))) for day in window.days()),
    )


async def check_in_no_shows(
    session: AsyncSession, *, organization_id: int, window: Window, now: dt.datetime
) -> Series:
    """Check-in no-shows per day: the seats lost for missing a popped scrim's check-in, by
    the day the check-in closed. Each is recorded as the queue ban the scrim sweep gives
    (reason "missed the check-in of scrim N"), counted even when staff lifted it later;
    while the organization's queue bans add up to no time (``queue_ban_initial_minutes``
    0), a missed check-in leaves no record and cannot be counted. ``now`` is unused."""
    rows = await session.scalars(
        select(QueueBan.starts_at).where(
            QueueBan.organization_id == organization_id,
            QueueBan.reason.startswith(MISSED_CHECK_IN, autoescape=True),
            _in(QueueBan.starts_at, window),
        )
    )
    return Series(
        key="no-shows",
        title="Check-in no-shows per day",
        about="Players who missed the check-in of a popped scrim, each day.",
        period=Period.DAY,
        unit="no-shows",
        columns=(Column("no_shows", "No-shows"),),
        rows=_counts(window, Period.DAY, ((0, moment) for moment in rows.all()), 1),
    )


Measure = Callable[..., Awaitable[Series]]

#: Every measure by its series' key, in the order a report shows them.
MEASURES: dict[str, Measure] = {
    "active-players": active_players,
    "matches": match_punctuality,
    "ratification": ratification_time,
    "scrims": scrims_per_day,
    "queue-waits": queue_waits,
    "no-shows": check_in_no_shows,
}
