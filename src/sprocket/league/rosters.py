"""Rosters: each player's dated time on a team in a season.

A roster spot runs from ``joined_at`` until ``left_at`` (open while the player is on the team);
ended spots are kept, so every past moment has the roster it really had, and a game is judged
against the roster of its own date (:mod:`sprocket.replays.validation`).

Rules
-----
- Franchise managers sign and release the players of their franchise's teams, now; league
  staff may also date a signing or a release in the past, within the season (a player who
  joined before anyone entered it), and every dated change is written to the audit log.
- A player is on at most one team per season at any moment: a new spot may not overlap any of
  their spots of the season.
- A roster never holds more than the league's ``roster_max`` players, nor more salary than its
  skill group's cap, at any moment from the date of a signing on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.dates import for_people
from sprocket.db import grouped_by, utcnow
from sprocket.errors import Conflict, InvalidInput, found
from sprocket.identity.access import Actor, require_user
from sprocket.league import access, discord_sync, transactions
from sprocket.league.errors import LeagueCode
from sprocket.league.models import League, Member, Player, RosterSpot, Season, SkillGroup, Team
from sprocket.league.service import insert_unique, league_by_id, organization_zone
from sprocket.league.transactions import RosterChange


@dataclass(frozen=True)
class Span:
    """A spot as the capacity rules see it: when it ran and the player's salary."""

    joined_at: dt.datetime
    left_at: dt.datetime | None
    salary: float

    def on(self, moment: dt.datetime) -> bool:
        return self.joined_at <= moment and (self.left_at is None or moment < self.left_at)


def busiest(spans: Sequence[Span], since: dt.datetime) -> tuple[int, float]:
    """The most players and the most salary a roster holds at any moment from ``since`` on
    (pure). The roster only grows when someone joins, so the moments to look at are
    ``since`` and every later signing."""
    moments = {since} | {s.joined_at for s in spans if s.joined_at > since}
    players, salary = 0, 0.0
    for moment in moments:
        on = [s for s in spans if s.on(moment)]
        players = max(players, len(on))
        salary = max(salary, sum(s.salary for s in on))
    return players, salary


def _active_at(at: dt.datetime) -> Sequence[Any]:
    return (
        RosterSpot.joined_at <= at,
        (RosterSpot.left_at.is_(None)) | (RosterSpot.left_at > at),
    )


async def roster_at(
    session: AsyncSession, *, team_id: int, season_id: int, at: dt.datetime | None = None
) -> list[RosterSpot]:
    """The team's roster in a season as it stood at ``at`` (timezone-aware; now by
    default), in signing order."""
    moment = at or utcnow()
    rows = await session.scalars(
        select(RosterSpot)
        .where(RosterSpot.team_id == team_id, RosterSpot.season_id == season_id)
        .where(*_active_at(moment))
        .order_by(RosterSpot.joined_at, RosterSpot.id)
    )
    return list(rows.all())


async def rosters_at(
    session: AsyncSession, *, team_ids: Sequence[int], season_id: int, at: dt.datetime
) -> dict[int, list[RosterSpot]]:
    """The rosters of many teams (ids) in a season as they stood at ``at`` (UTC), by team
    id, each in signing order; a team with nobody on it then is left out. One statement."""
    rows = await session.scalars(
        select(RosterSpot)
        .where(RosterSpot.team_id.in_(team_ids), RosterSpot.season_id == season_id)
        .where(*_active_at(at))
        .order_by(RosterSpot.joined_at, RosterSpot.id)
    )
    return grouped_by(rows, lambda row: row.team_id)


async def teams_now(session: AsyncSession, *, player_ids: Sequence[int]) -> dict[int, Team]:
    """The team each of the players (ids) is on now, in any season, by player id; a player
    on no team (a free agent) is left out, and one on two seasons' teams at once gets the
    later signing's. One statement."""
    if not player_ids:
        return {}
    rows = await session.execute(
        select(RosterSpot.player_id, Team)
        .join(Team, Team.id == RosterSpot.team_id)
        .where(RosterSpot.player_id.in_(set(player_ids)), *_active_at(utcnow()))
        .order_by(RosterSpot.joined_at, RosterSpot.id)
    )
    return {player_id: team for player_id, team in rows}


@dataclass(frozen=True)
class RosterLine:
    """One signing of a team's roster, with the player's member (id and name) and dates."""

    player_id: int
    member_id: int
    name: str
    is_captain: bool
    joined_at: dt.datetime
    left_at: dt.datetime | None


async def roster_history(
    session: AsyncSession, *, team_id: int, season_id: int
) -> list[RosterLine]:
    """Every signing of the team in a season, current and ended, in signing order, each with
    the member's id and name. One statement."""
    rows = await session.execute(
        select(RosterSpot, Member.id, Member.name)
        .join(Player, Player.id == RosterSpot.player_id)
        .join(Member, Member.id == Player.member_id)
        .where(RosterSpot.team_id == team_id, RosterSpot.season_id == season_id)
        .order_by(RosterSpot.joined_at, RosterSpot.id)
    )
    return [
        RosterLine(
            player_id=spot.player_id,
            member_id=member_id,
            name=name,
            is_captain=spot.is_captain,
            joined_at=spot.joined_at,
            left_at=spot.left_at,
        )
        for spot, member_id, name in rows
    ]


@dataclass(frozen=True)
class TeamSpan:
    """A member's time on a team: the team, its league and season, and the dates."""

    team_id: int
    team: str
    league: str
    season: str
    is_captain: bool
    joined_at: dt.datetime
    left_at: dt.datetime | None


async def member_teams(session: AsyncSession, *, member_id: int) -> list[TeamSpan]:
    """Every team the member was signed to (through any of their players), newest signing
    first, ended ones too. One statement."""
    rows = await session.execute(
        select(RosterSpot, Team.name, League.name, Season.name)
        .join(Player, Player.id == RosterSpot.player_id)
        .join(Team, Team.id == RosterSpot.team_id)
        .join(League, League.id == Team.league_id)
        .join(Season, Season.id == RosterSpot.season_id)
        .where(Player.member_id == member_id)
        .order_by(RosterSpot.joined_at.desc(), RosterSpot.id.desc())
    )
    return [
        TeamSpan(
            team_id=spot.team_id,
            team=team,
            league=league,
            season=season,
            is_captain=spot.is_captain,
            joined_at=spot.joined_at,
            left_at=spot.left_at,
        )
        for spot, team, league, season in rows
    ]


# -- who may change a roster, and when -------------------------------------------------------


async def _team_scope(
    session: AsyncSession, actor: Actor, team_id: int, *, doing: str, dated: bool
) -> tuple[Team, League]:
    """The team and its league, once the actor may change its roster (dated: staff only)."""
    require_user(actor)
    team = found(await session.get(Team, team_id), "team", team_id)
    league = await league_by_id(session, team.league_id)
    if dated:
        await access.require_league_staff(
            session, actor, league.organization_id, league.id, "date roster changes in the past"
        )
    else:
        await access.require_team_manager(
            session,
            actor,
            organization_id=league.organization_id,
            league_id=league.id,
            franchise_id=team.franchise_id,
            doing=doing,
        )
    return team, league


async def _season_of(session: AsyncSession, league: League, team: Team, season_id: int) -> Season:
    season = found(await session.get(Season, season_id), "season", season_id)
    if season.league_id != league.id:
        raise InvalidInput(
            f"Season '{season.name}' belongs to another league than '{team.name}'.",
            code=LeagueCode.WRONG_LEAGUE,
        )
    return season


def _dated(at: dt.datetime | None, season: Season, zone: str, now: dt.datetime) -> dt.datetime:
    """The moment of a roster change: now, or the past moment staff gave, within the season."""
    if at is None:
        return now
    if at > now:
        raise InvalidInput(
            "A roster change happens now or is dated in the past, not in the future.",
            code=LeagueCode.INVALID_ROSTER_DATE,
        )
    if not season.starts_at <= at <= season.ends_at:
        raise InvalidInput(
            f"A roster change must be dated within {season.name}, "
            f"{for_people(season.starts_at, zone)} to {for_people(season.ends_at, zone)}; "
            f"{for_people(at, zone)} is outside it.",
            code=LeagueCode.INVALID_ROSTER_DATE,
        )
    return at


def _audit(
    session: AsyncSession, actor: Actor, league: League, action: str, spot: RosterSpot
) -> None:
    """Write a dated change to the audit log: what, on which spot, dated when, by whom."""
    dated = spot.joined_at if action == "roster.join" else spot.left_at
    assert dated is not None
    audit.record(
        session,
        organization_id=league.organization_id,
        actor_user_id=actor.user_id,
        action=action,
        subject=f"roster_spot:{spot.id}",
        details={
            "team_id": spot.team_id,
            "player_id": spot.player_id,
            "season_id": spot.season_id,
            "dated": dated.isoformat(),
        },
    )


# -- signing and releasing -------------------------------------------------------------------


async def add_to_roster(
    session: AsyncSession,
    *,
    actor: Actor,
    team_id: int,
    player_id: int,
    season_id: int,
    captain: bool = False,
    at: dt.datetime | None = None,
) -> RosterSpot:
    """Sign a player onto a team for a season (as its captain when ``captain``).

    ``at`` (timezone-aware) dates the signing in the past, within the season: league staff
    only, written to the audit log. Without it the player joins now.
    Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, WRONG_LEAGUE, WRONG_SKILL_GROUP,
    MEMBER_LEFT, INVALID_ROSTER_DATE, ALREADY_ROSTERED, ROSTER_FULL, SALARY_CAP_EXCEEDED.
    """
    team, league = await _team_scope(
        session, actor, team_id, doing="change rosters", dated=at is not None
    )
    season = await _season_of(session, league, team, season_id)
    player = found(await session.get(Player, player_id), "player", player_id)
    member = found(await session.get(Member, player.member_id), "member", player.member_id)
    if player.league_id != league.id:
        raise InvalidInput(f"{member.name} plays in another league.", code=LeagueCode.WRONG_LEAGUE)
    if team.skill_group_id is not None and player.skill_group_id not in (None, team.skill_group_id):
        raise InvalidInput(
            f"{member.name} is in another skill group than {team.name}.",
            code=LeagueCode.WRONG_SKILL_GROUP,
        )
    if member.left_at is not None:
        raise InvalidInput(
            f"{member.name} has left the organization; add them as a member again first.",
            code=LeagueCode.MEMBER_LEFT,
        )
    now = utcnow()
    zone = await organization_zone(session, league.organization_id)
    since = _dated(at, season, zone, now)
    await _check_one_team(session, player, member, season, since, zone)
    await _check_room(session, team, league, season, player, member, since)
    if captain:
        for spot in await roster_at(session, team_id=team.id, season_id=season.id, at=now):
            spot.is_captain = False
    spot = RosterSpot(
        team_id=team.id,
        player_id=player.id,
        season_id=season.id,
        is_captain=captain,
        joined_at=since,
    )
    await insert_unique(session, spot, f"{member.name} is already on a team this season.")
    if at is not None:
        _audit(session, actor, league, "roster.join", spot)
    await discord_sync.sync_later(session, member_id=member.id)
    await transactions.tell(session, RosterChange(spot, team, league, member, joined=True))
    return spot


async def _check_one_team(
    session: AsyncSession,
    player: Player,
    member: Member,
    season: Season,
    since: dt.datetime,
    zone: str,
) -> None:
    """A player's spots of a season never overlap: none may still run at ``since``."""
    clash = await session.scalar(
        select(RosterSpot)
        .where(
            RosterSpot.player_id == player.id,
            RosterSpot.season_id == season.id,
            RosterSpot.left_at.is_(None) | (RosterSpot.left_at > since),
        )
        .order_by(RosterSpot.joined_at)
        .limit(1)
    )
    if clash is None:
        return
    other = await session.get(Team, clash.team_id)
    name = other.name if other else "a team"
    if clash.left_at is None and clash.joined_at <= since:
        message = f"{member.name} is already on {name} this season; release them first."
    else:
        until = for_people(clash.left_at, zone) if clash.left_at else "now"
        message = (
            f"{member.name} was on {name} from {for_people(clash.joined_at, zone)} to {until}; "
            f"a player is on one team at a time, so {for_people(since, zone)} does not fit."
        )
    raise Conflict(message, code=LeagueCode.ALREADY_ROSTERED)


async def _check_room(
    session: AsyncSession,
    team: Team,
    league: League,
    season: Season,
    player: Player,
    member: Member,
    since: dt.datetime,
) -> None:
    """The roster with the new player fits the league's maximum and the salary cap at every
    moment from ``since`` on."""
    rows = await session.execute(
        select(RosterSpot.joined_at, RosterSpot.left_at, Player.salary)
        .join(Player, Player.id == RosterSpot.player_id)
        .where(
            RosterSpot.team_id == team.id,
            RosterSpot.season_id == season.id,
            RosterSpot.left_at.is_(None) | (RosterSpot.left_at > since),
        )
    )
    spans = [Span(joined, left, float(salary or 0)) for joined, left, salary in rows]
    spans.append(Span(since, None, float(player.salary or 0)))
    players, salary = busiest(spans, since)
    if players > league.roster_max:
        raise Conflict(
            f"{team.name}'s roster is full: {league.name} allows at most {league.roster_max}.",
            code=LeagueCode.ROSTER_FULL,
        )
    group = await session.get(SkillGroup, team.skill_group_id) if team.skill_group_id else None
    if group is not None and group.salary_cap is not None and salary > group.salary_cap:
        raise Conflict(
            f"Adding {member.name} puts {team.name} at {salary:g}, over the {group.name} "
            f"salary cap of {group.salary_cap:g}.",
            code=LeagueCode.SALARY_CAP_EXCEEDED,
        )


async def remove_from_roster(
    session: AsyncSession,
    *,
    actor: Actor,
    team_id: int,
    player_id: int,
    season_id: int,
    at: dt.datetime | None = None,
) -> RosterSpot:
    """Release a player from a team; the spot is kept, ended.

    ``at`` (timezone-aware) dates the departure in the past, within the season and after the
    player joined: league staff only, written to the audit log. Without it the player leaves
    now. Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, WRONG_LEAGUE, NOT_ON_ROSTER,
    INVALID_ROSTER_DATE.
    """
    team, league = await _team_scope(
        session, actor, team_id, doing="change rosters", dated=at is not None
    )
    season = await _season_of(session, league, team, season_id)
    spot = await session.scalar(
        select(RosterSpot).where(
            RosterSpot.team_id == team.id,
            RosterSpot.player_id == player_id,
            RosterSpot.season_id == season.id,
            RosterSpot.left_at.is_(None),
        )
    )
    if spot is None:
        raise InvalidInput(
            "That player is not on this team's roster.", code=LeagueCode.NOT_ON_ROSTER
        )
    zone = await organization_zone(session, league.organization_id)
    until = _dated(at, season, zone, utcnow())
    if until <= spot.joined_at:
        raise InvalidInput(
            f"They joined {team.name} on {for_people(spot.joined_at, zone)}; they can only "
            "leave after that.",
            code=LeagueCode.INVALID_ROSTER_DATE,
        )
    spot.left_at = until
    spot.is_captain = False
    if at is not None:
        _audit(session, actor, league, "roster.leave", spot)
    await discord_sync.sync_later(session, player_id=player_id)
    player = found(await session.get(Player, player_id), "player", player_id)
    member = found(await session.get(Member, player.member_id), "member", player.member_id)
    await transactions.tell(session, RosterChange(spot, team, league, member, joined=False))
    return spot


async def release_member(session: AsyncSession, *, member_id: int, at: dt.datetime) -> None:
    """End every open spot of a member's players at ``at`` (a member who leaves the
    organization; the caller has checked permission)."""
    await session.execute(
        update(RosterSpot)
        .where(
            RosterSpot.left_at.is_(None),
            RosterSpot.player_id.in_(select(Player.id).where(Player.member_id == member_id)),
        )
        .values(left_at=at, is_captain=False)
        .execution_options(synchronize_session="fetch")
    )


async def set_captain(
    session: AsyncSession, *, actor: Actor, team_id: int, player_id: int, season_id: int
) -> RosterSpot:
    """Name a player on the team's current roster its captain (the others stop being it).

    Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, WRONG_LEAGUE, NOT_ON_ROSTER.
    """
    team, league = await _team_scope(session, actor, team_id, doing="name captains", dated=False)
    season = await _season_of(session, league, team, season_id)
    roster = await roster_at(session, team_id=team.id, season_id=season.id)
    chosen = next((s for s in roster if s.player_id == player_id), None)
    if chosen is None:
        raise InvalidInput("A captain must be on the team's roster.", code=LeagueCode.NOT_ON_ROSTER)
    for spot in roster:
        spot.is_captain = spot is chosen
    return chosen


async def is_captain_of(session: AsyncSession, *, actor: Actor, team_id: int) -> bool:
    """Whether the actor captains ``team_id`` right now (the captain role comes from rosters)."""
    if actor.user_id is None:
        return False
    spot = await session.scalar(
        select(RosterSpot.id)
        .join(Player, Player.id == RosterSpot.player_id)
        .join(Member, Member.id == Player.member_id)
        .where(
            Member.user_id == actor.user_id,
            RosterSpot.team_id == team_id,
            RosterSpot.is_captain.is_(True),
            RosterSpot.left_at.is_(None),
        )
    )
    return spot is not None
