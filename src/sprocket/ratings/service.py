"""Skill ratings with storage: rate accepted games, rebuild from the history, predict games.

The rules live in the pure :mod:`sprocket.ratings.skill`; this module reads games from the
database, feeds them to it and stores :class:`~sprocket.ratings.models.Rating` (one current
rating per member and game mode) and :class:`~sprocket.ratings.models.RatingPoint` (one point
per member per rated game).

Which games count
-----------------
A game is rated when it has stat lines on both sides that belong to players (a line without a
player, e.g. an account linked to nobody, is skipped; a game left with an empty side is not
rated). League matches always count, from the moment their result is accepted
(:func:`rate_match_games`, called when a match's submission is accepted). Games of completed
competitive scrims count while the organization setting ``ratings_from_competitive_scrims`` is
on (:func:`sprocket.scrims.results.rate_scrim_games`, called when a scrim's result is
ratified; their order is the scrim's ``finished_at``, source ``scrim``, then the game's id).
Every source is a :data:`GameSource`, a loader that returns its accepted games as
:class:`RatedGame`: this module reads league matches (:func:`league_match_games`); the sources
of a full history are gathered above it (:func:`sprocket.flows.ratings.recompute`), so the
ratings know nothing of the domains built on them.

Order of games
--------------
Ratings are path dependent, so "recompute gives exactly the incremental result" needs one order
that both follow: the order in which results were accepted. A game's ``order`` is its result's
acceptance time (``Match.completed_at``), then its source, then its id (``MatchGame`` ids grow
in acceptance order and in game number within a series). Incremental updates happen at
acceptance, so they run in this order; :func:`recompute` sorts the whole history by it and
replays it with the pure :func:`~sprocket.ratings.skill.replay`. Two results for the same
players accepted at once are applied one after the other (the second waits for the first's
locked rating rows), so :func:`rate_match_games` and
:func:`~sprocket.scrims.results.rate_scrim_games` stamp the acceptance time (``completed_at``,
``finished_at``) again, from the database's clock, once they hold the rows: the result applied
second is also the later one, whichever API process applied it. A point's ``played_at`` is the
game's date for people and time windows: the date its replay recorded
(``MatchGame.played_at``), or the start of its match's window for a result entered by hand.

Taking a result back
--------------------
An invalidated result changes the past, and every later game of its players was rated from a
rating that included it. :func:`recompute` therefore rebuilds the organization's game mode from
the remaining history (the match and scrim results flows call it after reopening a result).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import advisory_lock, database_now, utcnow
from sprocket.errors import InvalidInput, NotFound
from sprocket.league.configuration import KEYS
from sprocket.league.models import (
    GameMode,
    League,
    Member,
    OrganizationSetting,
    Player,
    Season,
)
from sprocket.ratings import discord_bands
from sprocket.ratings.balance import MAX_TEAM_SIZE
from sprocket.ratings.enums import RatingSource
from sprocket.ratings.errors import RatingCode
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.ratings.skill import (
    GameRecord,
    Skill,
    new_skill,
    rate_game,
    replay,
    win_probability,
)
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Fixture, Match, MatchGame
from sprocket.stats.models import PlayerGameStat

PROVISIONAL_KEY = "rating_provisional_games"
#: Rank of each source in the order of games accepted at the same instant.
SOURCE_RANK = {RatingSource.MATCH: 0, RatingSource.SCRIM: 1}


@dataclass(frozen=True, slots=True)
class RatedGame:
    """One accepted game as the ratings see it: who played for each side and who won
    (``home_won``: the game's stored winner, its replay's outcome)."""

    source: RatingSource
    game_id: int
    organization_id: int
    game_mode_id: int
    accepted_at: dt.datetime
    played_at: dt.datetime
    home: tuple[int, ...]  # member ids
    away: tuple[int, ...]
    home_won: bool

    @property
    def order(self) -> tuple[dt.datetime, int, int]:
        return (self.accepted_at, SOURCE_RANK.get(self.source, 9), self.game_id)

    @property
    def key(self) -> tuple[RatingSource, int]:
        return (self.source, self.game_id)

    def record(self) -> GameRecord[int]:
        return GameRecord(self.key, self.home, self.away, self.home_won)


@dataclass(frozen=True)
class RecomputeResult:
    organization_id: int
    game_mode_id: int
    games: int
    players: int
    points: int


# -- reading games ---------------------------------------------------------------------------


def _match_games_query():  # noqa: ANN202 - a SQLAlchemy select of many columns
    return (
        select(
            MatchGame.id,
            MatchGame.home_won,
            func.coalesce(MatchGame.played_at, Match.starts_at),
            Match.completed_at,
            Fixture.home_team_id,
            Fixture.away_team_id,
            League.organization_id,
            League.game_mode_id,
            PlayerGameStat.team_id,
            Player.member_id,
        )
        .join(Match, Match.id == MatchGame.match_id)
        .join(Fixture, Fixture.id == Match.fixture_id)
        .join(Season, Season.id == Match.season_id)
        .join(League, League.id == Season.league_id)
        .join(PlayerGameStat, PlayerGameStat.match_game_id == MatchGame.id)
        .join(Player, Player.id == PlayerGameStat.player_id)
        .order_by(MatchGame.id, PlayerGameStat.id)
    )


def _assemble(rows: Iterable[Sequence[object]]) -> list[RatedGame]:
    """Rows of :func:`_match_games_query` (one per player line) grouped into games."""
    by_game: dict[int, dict] = {}
    for game_id, home_won, played, completed, home_team, away_team, org, mode, team, member in rows:
        game = by_game.get(game_id)  # type: ignore[arg-type]
        if game is None:
            game = by_game[game_id] = {  # type: ignore[index]
                "head": (game_id, home_won, played, completed, org, mode),
                "home": [],
                "away": [],
            }
        side = "home" if team == home_team else "away" if team == away_team else None
        if side is not None and member not in game["home"] and member not in game["away"]:
            game[side].append(member)
    games = []
    for game in by_game.values():
        game_id, home_won, played, completed, org, mode = game["head"]
        if not game["home"] or not game["away"]:
            continue  # one side has no known player: nothing to rate
        games.append(
            RatedGame(
                source=RatingSource.MATCH,
                game_id=game_id,
                organization_id=org,
                game_mode_id=mode,
                accepted_at=completed or played,
                played_at=played,
                home=tuple(game["home"]),
                away=tuple(game["away"]),
                home_won=home_won,
            )
        )
    return games


async def league_match_games(
    session: AsyncSession, organization_id: int, game_mode_id: int
) -> list[RatedGame]:
    """Every rated game of the organization's completed league matches in the game mode (a
    :data:`GameSource`)."""
    rows = await session.execute(
        _match_games_query().where(
            League.organization_id == organization_id,
            League.game_mode_id == game_mode_id,
            Match.status == MatchStatus.COMPLETED,
        )
    )
    return _assemble(rows)


#: A source of rated games: ``(session, organization_id, game_mode_id)`` -> the accepted
#: games it holds of that organization's game mode.
GameSource = Callable[[AsyncSession, int, int], Awaitable[list[RatedGame]]]


async def rated_history(
    session: AsyncSession,
    *,
    organization_id: int,
    game_mode_id: int,
    sources: Sequence[GameSource],
) -> list[RatedGame]:
    """Every rated game of an organization's game mode that ``sources`` hold, in acceptance
    order."""
    games: list[RatedGame] = []
    for source in sources:
        games.extend(await source(session, organization_id, game_mode_id))
    games.sort(key=lambda g: g.order)
    return games


# -- incremental updates ---------------------------------------------------------------------


async def _ensure_ratings(session: AsyncSession, games: Sequence[RatedGame]) -> None:
    """Create missing ratings as new players' before locking them: two results accepted at
    once for the same newcomer then wait on one row instead of colliding on the insert."""
    start = new_skill()
    rows = {
        (member, game.game_mode_id): {
            "organization_id": game.organization_id,
            "member_id": member,
            "game_mode_id": game.game_mode_id,
            "mu": start.mu,
            "sigma": start.sigma,
            "displayed": start.displayed,
            "games": 0,
            "wins": 0,
            "updated_at": utcnow(),
        }
        for game in games
        for member in (*game.home, *game.away)
    }
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        upsert(Rating)
        .values(list(rows.values()))
        .on_conflict_do_nothing(index_elements=["member_id", "game_mode_id"])
    )


async def rate_match_games(session: AsyncSession, *, match_id: int) -> list[RatingPoint]:
    """Rate the games of a just-accepted match (safe to run again: rated games are skipped).

    The match's ``completed_at`` is stamped again once its players' ratings are held: another
    result for one of them accepted at the same moment (and stamped a moment earlier) waits
    for those rows, is applied after this one and is then stamped after it too, so the order
    :func:`recompute` reads stays the order in which the results were applied. Returns the
    new rating points (none when every game was rated already).
    """
    await session.flush()
    rows = await session.execute(_match_games_query().where(MatchGame.match_id == match_id))
    points = await rate_games(session, games=_assemble(rows))
    if points:
        match = await session.get(Match, match_id)
        assert match is not None
        match.completed_at = await database_now(session)
        await session.flush()
    return points


async def _hold_scope(session: AsyncSession, organization_id: int, game_mode_id: int) -> None:
    """One writer of an organization's game mode's ratings at a time (PostgreSQL), so a
    recompute never interleaves with a result being rated."""
    await advisory_lock(session, f"sprocket:ratings:{organization_id}:{game_mode_id}")


async def rate_games(session: AsyncSession, *, games: Sequence[RatedGame]) -> list[RatingPoint]:
    """Apply accepted games, in order, to the stored ratings: one point per player per game.

    A game that already has points is skipped, so running it twice changes nothing.
    Returns the new points, in game order.
    """
    games = sorted(games, key=lambda g: g.order)
    if not games:
        return []
    for organization_id, mode_id in sorted({(g.organization_id, g.game_mode_id) for g in games}):
        await _hold_scope(session, organization_id, mode_id)
    done = await _already_rated(session, games)
    todo = [g for g in games if g.key not in done]
    members = {m for g in todo for m in (*g.home, *g.away)}
    await _ensure_ratings(session, todo)
    ratings: dict[tuple[int, int], Rating] = {}
    for mode in {g.game_mode_id for g in todo}:
        rows = await session.scalars(
            select(Rating)
            .where(Rating.game_mode_id == mode, Rating.member_id.in_(members))
            .with_for_update()
        )
        ratings.update({(r.member_id, mode): r for r in rows})
    points: list[RatingPoint] = []
    now = utcnow()
    for game in todo:

        def current(member: int, game: RatedGame = game) -> Skill:
            row = ratings.get((member, game.game_mode_id))
            return Skill(row.mu, row.sigma, row.games) if row else new_skill()

        home = [current(m) for m in game.home]
        away = [current(m) for m in game.away]
        new_home, new_away = rate_game(home, away, home_won=game.home_won)
        for members_, before, after, won in (
            (game.home, home, new_home, game.home_won),
            (game.away, away, new_away, not game.home_won),
        ):
            for member, old, new in zip(members_, before, after, strict=True):
                row = ratings.get((member, game.game_mode_id))
                if row is None:
                    row = Rating(
                        organization_id=game.organization_id,
                        member_id=member,
                        game_mode_id=game.game_mode_id,
                        games=0,
                        wins=0,
                    )
                    session.add(row)
                    ratings[(member, game.game_mode_id)] = row
                row.mu, row.sigma, row.games = new.mu, new.sigma, new.games
                row.displayed = new.displayed
                row.wins = (row.wins or 0) + int(won)
                row.updated_at = now
                point = _point(game, member, won, old, new)
                session.add(point)
                points.append(point)
    await session.flush()
    await discord_bands.sync_band_crossings(session, points=points)
    return points


async def _already_rated(session: AsyncSession, games: Sequence[RatedGame]) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    by_source: dict[RatingSource, list[int]] = defaultdict(list)
    for game in games:
        by_source[game.source].append(game.game_id)
    for source, ids in by_source.items():
        rows = await session.scalars(
            select(RatingPoint.source_game_id)
            .where(RatingPoint.source == source, RatingPoint.source_game_id.in_(ids))
            .distinct()
        )
        found.update((source, i) for i in rows)
    return found


def _point(game: RatedGame, member: int, won: bool, before: Skill, after: Skill) -> RatingPoint:
    return RatingPoint(**_point_values(game, member, won, before, after))


def _point_values(game: RatedGame, member: int, won: bool, before: Skill, after: Skill) -> dict:
    return {
        "organization_id": game.organization_id,
        "member_id": member,
        "game_mode_id": game.game_mode_id,
        "source": game.source,
        "source_game_id": game.game_id,
        "played_at": game.played_at,
        "won": won,
        "mu_before": before.mu,
        "sigma_before": before.sigma,
        "mu_after": after.mu,
        "sigma_after": after.sigma,
        "displayed_after": after.displayed,
    }


# -- recompute -------------------------------------------------------------------------------


async def recompute(
    session: AsyncSession,
    *,
    organization_id: int,
    game_mode_id: int,
    sources: Sequence[GameSource],
) -> RecomputeResult:
    """Rebuild every rating and rating point of an organization's game mode from its history,
    the games every one of ``sources`` holds (every source of rated games: see
    :func:`sprocket.flows.ratings.recompute`, which passes them all).

    Gives exactly (bit for bit) the ratings the incremental updates gave for the same games in
    the same order; games taken back since (invalidated results) are simply not in the history.
    """
    await session.flush()
    await _hold_scope(session, organization_id, game_mode_id)
    games = await rated_history(
        session, organization_id=organization_id, game_mode_id=game_mode_id, sources=sources
    )
    replayed = replay(g.record() for g in games)
    by_key = {g.key: g for g in games}
    scope = (
        RatingPoint.organization_id == organization_id,
        RatingPoint.game_mode_id == game_mode_id,
    )
    await session.execute(delete(RatingPoint).where(*scope))
    await session.execute(
        delete(Rating).where(
            Rating.organization_id == organization_id, Rating.game_mode_id == game_mode_id
        )
    )
    wins: dict[int, int] = defaultdict(int)
    values = []
    for point in replayed.history:
        wins[point.player] += int(point.won)
        values.append(
            _point_values(by_key[point.game_id], point.player, point.won, point.before, point.after)
        )
    for start in range(0, len(values), 2000):
        await session.execute(insert(RatingPoint), values[start : start + 2000])
    now = utcnow()
    ratings = [
        {
            "organization_id": organization_id,
            "member_id": member,
            "game_mode_id": game_mode_id,
            "mu": skill.mu,
            "sigma": skill.sigma,
            "displayed": skill.displayed,
            "games": skill.games,
            "wins": wins[member],
            "updated_at": now,
        }
        for member, skill in replayed.ratings.items()
    ]
    for start in range(0, len(ratings), 2000):
        await session.execute(insert(Rating), ratings[start : start + 2000])
    return RecomputeResult(
        organization_id, game_mode_id, len(games), len(replayed.ratings), len(values)
    )


async def rated_scopes(
    session: AsyncSession, *, organization_id: int | None = None, game_mode_id: int | None = None
) -> list[tuple[int, int]]:
    """(organization, game mode) pairs that have a league or a rating: what to recompute."""
    scopes: set[tuple[int, int]] = set()
    for org_col, mode_col in (
        (League.organization_id, League.game_mode_id),
        (Rating.organization_id, Rating.game_mode_id),
    ):
        query = select(org_col, mode_col).distinct()
        if organization_id is not None:
            query = query.where(org_col == organization_id)
        if game_mode_id is not None:
            query = query.where(mode_col == game_mode_id)
        scopes.update((o, m) for o, m in await session.execute(query))
    return sorted(scopes)


# -- reading ratings -------------------------------------------------------------------------


async def game_mode_id(session: AsyncSession, code: str) -> int:
    """The id of a game mode by its code (``duel``, ``doubles``, ``standard``; any case,
    spaces trimmed). Raises UNKNOWN_GAME_MODE, its message naming the known codes."""
    mode = await session.scalar(select(GameMode.id).where(GameMode.code == code.strip().lower()))
    if mode is None:
        known = ", ".join(await session.scalars(select(GameMode.code).order_by(GameMode.code)))
        raise InvalidInput(
            f"There is no game mode '{code}'. Known modes: {known}.",
            code=RatingCode.UNKNOWN_GAME_MODE,
        )
    return mode


async def provisional_thresholds(
    session: AsyncSession, organization_ids: Sequence[int]
) -> dict[int, int]:
    """Each organization's ``rating_provisional_games`` setting (rated games before a
    rating stops being provisional), by organization id; the default where not set."""
    stored = dict(
        (
            await session.execute(
                select(OrganizationSetting.organization_id, OrganizationSetting.value).where(
                    OrganizationSetting.organization_id.in_(organization_ids),
                    OrganizationSetting.key == PROVISIONAL_KEY,
                )
            )
        ).all()
    )
    default = KEYS[PROVISIONAL_KEY].default
    return {org: int(stored.get(org, default)) for org in organization_ids}


async def ratings_of(
    session: AsyncSession, *, member_ids: Sequence[int], game_mode_id: int
) -> dict[int, Rating]:
    """The stored ratings of many members (ids) in one game mode, by member id; a member
    not yet rated in it is left out. One statement."""
    rows = await session.scalars(
        select(Rating).where(Rating.game_mode_id == game_mode_id, Rating.member_id.in_(member_ids))
    )
    return {r.member_id: r for r in rows}


async def current_skills(
    session: AsyncSession, *, member_ids: Sequence[int], game_mode_id: int
) -> dict[int, Skill]:
    """Each member's current skill in the game mode (a member without a rating: a new
    player's), for balancing teams and forming lobbies."""
    rows = await session.scalars(
        select(Rating).where(Rating.member_id.in_(member_ids), Rating.game_mode_id == game_mode_id)
    )
    skills = {r.member_id: Skill(r.mu, r.sigma, r.games) for r in rows}
    return {m: skills.get(m) or new_skill() for m in member_ids}


async def win_probability_for(
    session: AsyncSession,
    *,
    home_member_ids: Sequence[int],
    away_member_ids: Sequence[int],
    game_mode_id: int,
    organization_id: int | None = None,
) -> float:
    """The home line-up's chance to beat the away line-up, from the members' current ratings
    (a member without a rating counts as a new player). Raises INVALID_TEAM_SIZE (a line-up
    of more than ``MAX_TEAM_SIZE`` players: no game has one), PLAYER_TWICE_IN_GAME,
    EMPTY_LINEUP, UNKNOWN_MEMBER."""
    if max(len(home_member_ids), len(away_member_ids)) > MAX_TEAM_SIZE:
        raise InvalidInput(
            f"A line-up has at most {MAX_TEAM_SIZE} players.", code=RatingCode.INVALID_TEAM_SIZE
        )
    home, away = list(dict.fromkeys(home_member_ids)), list(dict.fromkeys(away_member_ids))
    if len(home) != len(home_member_ids) or len(away) != len(away_member_ids):
        raise InvalidInput("A line-up lists a player twice.", code=RatingCode.PLAYER_TWICE_IN_GAME)
    if set(home) & set(away):
        raise InvalidInput(
            "A player cannot play for both sides.", code=RatingCode.PLAYER_TWICE_IN_GAME
        )
    if not home or not away:
        raise InvalidInput("Both line-ups need at least one player.", code=RatingCode.EMPTY_LINEUP)
    everyone = home + away
    query = select(Member.id, Member.organization_id).where(Member.id.in_(everyone))
    members = dict((await session.execute(query)).all())
    missing = [m for m in everyone if m not in members]
    if missing or (
        organization_id is not None and any(o != organization_id for o in members.values())
    ):
        raise NotFound(
            f"Member {(missing or everyone)[0]} is not a member of this organization.",
            code=RatingCode.UNKNOWN_MEMBER,
        )
    rows = await ratings_of(session, member_ids=everyone, game_mode_id=game_mode_id)

    def skill(member: int) -> Skill:
        row = rows.get(member)
        return Skill(row.mu, row.sigma, row.games) if row else new_skill()

    return win_probability([skill(m) for m in home], [skill(m) for m in away])
