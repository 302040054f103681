"""Scrims: their states, the reads every door needs, events, and the seat primitives the
concept modules share.

The rules live by concept:

* :mod:`sprocket.scrims.admission`: who may take a seat or a ticket, until when, in which
  skill group;
* :mod:`sprocket.scrims.lifecycle`: create, join, leave, premade groups, pop, check-in, start;
* :mod:`sprocket.scrims.bans`: queue bans;
* :mod:`sprocket.scrims.staff`: staff lock, unlock and cancel scrims;
* :mod:`sprocket.scrims.timeouts`: waits that run out, check-in windows that close, the sweep;
* :mod:`sprocket.scrims.matchmaking`: the matchmaking queue forming popped scrims;
* :mod:`sprocket.scrims.results`: a scrim's recorded games and their ratings.

Every state lives in the database, so a restart keeps each queue entry, pop and check-in.
Every action on a scrim first takes its row with ``SELECT ... FOR UPDATE`` (on PostgreSQL;
SQLite serializes writers anyway), so two players racing for the last seat are served one
after the other: the second finds the scrim popped. The partial unique index
``uq_scrim_entries_active_member`` keeps a member in one scrim at a time even when they join
two different scrims at the same moment.

Every change enqueues ``event.publish`` messages (outbox, after commit) to the queue's
channel and to each affected member's channel; subscribers re-read the state on each event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import for_people
from sprocket.db import grouped_by, rows_by_ids
from sprocket.errors import Conflict, NotFound, PermissionDenied, state_of
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league import service as league
from sprocket.league.models import GameMode, League, Member, Player, SkillGroup
from sprocket.platform.outbox import enqueue
from sprocket.scrims.enums import OPEN_SCRIM_STATUSES, ScrimStatus, ScrimTeamMode
from sprocket.scrims.models import QueueTicket, Scrim, ScrimEntry, ScrimGame

MIN_WAIT = dt.timedelta(minutes=1)
MAX_WAIT = dt.timedelta(hours=24)
MAX_GAMES = 15


def queue_channel(organization_id: int, game_mode_id: int) -> str:
    """Pub/sub channel of the scrims of one game mode in an organization."""
    return f"scrim-queue:{organization_id}:{game_mode_id}"


def member_channel(member_id: int) -> str:
    """Pub/sub channel of one member's current scrim."""
    return f"scrim-member:{member_id}"


async def organization_time(
    session: AsyncSession, *, organization_id: int, moment: dt.datetime
) -> str:
    """``moment`` (timezone-aware) as the organization's people read it, in its time zone: the
    text messages show. It is one of the scrims package's own steps, with no permission check:
    doors call the lifecycle, staff and bans functions, which check who may act first."""
    return for_people(moment, await league.organization_zone(session, organization_id))


# -- reading ---------------------------------------------------------------------------------


async def get_scrim(session: AsyncSession, *, scrim_id: int, lock: bool = True) -> Scrim:
    """The scrim, re-read and locked (``SELECT ... FOR UPDATE``) unless ``lock`` is False: every
    action on a scrim takes it this way first. Raises NOT_FOUND. It is one of the scrims
    package's own steps, with no permission check: doors call the lifecycle, staff and bans
    functions, which check who may act first."""
    scrim = await session.get(Scrim, scrim_id, with_for_update=lock, populate_existing=lock)
    if scrim is None:
        raise NotFound(f"There is no scrim with id {scrim_id}.")
    return scrim


async def member_of(session: AsyncSession, *, actor: Actor, organization_id: int) -> Member:
    """The caller's current membership of the organization. Raises UNAUTHENTICATED (no
    signed-in user) and PERMISSION_DENIED (not a member, or one who left)."""
    user_id = require_user(actor)
    member = await session.scalar(
        select(Member).where(
            Member.organization_id == organization_id,
            Member.user_id == user_id,
            Member.left_at.is_(None),
        )
    )
    if member is None:
        raise PermissionDenied("Only members of the organization take part in its scrims.")
    return member


async def seated_entries(
    session: AsyncSession, *, scrim_ids: Iterable[int]
) -> dict[int, list[ScrimEntry]]:
    """The players of each scrim of ``scrim_ids`` now: the entries that hold a seat (a member
    who left or was dropped, and every seat of a finished scrim, hold none), first joined
    first, by scrim id; a scrim nobody sits in is left out. One statement."""
    rows = await session.scalars(
        select(ScrimEntry)
        .where(ScrimEntry.scrim_id.in_(set(scrim_ids)), ScrimEntry.active.is_(True))
        .order_by(ScrimEntry.joined_at, ScrimEntry.id)
    )
    return grouped_by(rows, lambda entry: entry.scrim_id)


async def active_entries(session: AsyncSession, *, scrim_id: int) -> list[ScrimEntry]:
    """The scrim's occupied seats, in the order they were taken (:func:`seated_entries`). It is
    one of the scrims package's own steps, with no permission check: doors call the lifecycle,
    staff and bans functions, which check who may act first."""
    return (await seated_entries(session, scrim_ids=[scrim_id])).get(scrim_id, [])


async def current_entry(session: AsyncSession, *, member_id: int) -> ScrimEntry | None:
    """The member's active seat (in the queue or a scrim), if any."""
    return await session.scalar(
        select(ScrimEntry).where(ScrimEntry.member_id == member_id, ScrimEntry.active.is_(True))
    )


async def current_ticket(session: AsyncSession, *, member_id: int) -> QueueTicket | None:
    """The member's ticket in the matchmaking queue while they wait, if any."""
    return await session.scalar(
        select(QueueTicket).where(QueueTicket.member_id == member_id, QueueTicket.active.is_(True))
    )


async def my_scrim(session: AsyncSession, *, actor: Actor, organization_id: int) -> Scrim | None:
    """The caller's current scrim in the organization, if they are in one.
    Raises UNAUTHENTICATED, PERMISSION_DENIED (not a member)."""
    member = await member_of(session, actor=actor, organization_id=organization_id)
    entry = await current_entry(session, member_id=member.id)
    return None if entry is None else await session.get(Scrim, entry.scrim_id)


async def list_scrims(
    session: AsyncSession,
    *,
    organization_id: int,
    game_mode: str | None = None,
    status: ScrimStatus | str | None = None,
) -> list[Scrim]:
    """Scrims of an organization (optionally of one game mode, by code), oldest first;
    without a status, the unfinished ones (pending, popped, in progress, locked).
    Raises the game mode's NOT_FOUND, INVALID_STATUS."""
    query = select(Scrim).where(Scrim.organization_id == organization_id)
    if game_mode is not None:
        mode = await league.game_mode_by_code(session, game_mode)
        query = query.where(Scrim.game_mode_id == mode.id)
    if status is None:
        query = query.where(Scrim.status.in_(OPEN_SCRIM_STATUSES))
    else:
        wanted = state_of(ScrimStatus, status, what="scrim status")
        query = query.where(Scrim.status == wanted)
    return list((await session.scalars(query.order_by(Scrim.created_at, Scrim.id))).all())


async def skill_groups_of(
    session: AsyncSession, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], SkillGroup]:
    """Each (member, game mode)'s skill group: their Player's in a league of that game mode
    in the member's organization (the top group if they play in two such leagues)."""
    member_ids = {m for m, _ in keys}
    if not member_ids:
        return {}
    rows = await session.execute(
        select(Player.member_id, League.game_mode_id, SkillGroup)
        .join(League, League.id == Player.league_id)
        .join(Member, Member.id == Player.member_id)
        .join(SkillGroup, SkillGroup.id == Player.skill_group_id)
        .where(Player.member_id.in_(member_ids), League.organization_id == Member.organization_id)
        .order_by(SkillGroup.ordinal.desc(), League.id.desc())
    )
    wanted = set(keys)
    found: dict[tuple[int, int], SkillGroup] = {}
    for member_id, mode_id, group in rows:
        if (member_id, mode_id) in wanted:
            found[(member_id, mode_id)] = group  # the last written is the top group
    return found


def skill_groups_best_first(*, groups: Iterable[SkillGroup | None]) -> list[SkillGroup]:
    """The distinct skill groups among ``groups`` (e.g. each player's, from
    :func:`skill_groups_of`; None, a player in none, is skipped), best first: by ordinal
    (1 is the top group), then by name."""
    distinct = {group.id: group for group in groups if group is not None}
    return sorted(distinct.values(), key=lambda group: (group.ordinal, group.name))


@dataclass(frozen=True)
class ScrimSummary:
    """What anyone may know of a scrim: its settings, how many seats are taken of how
    many, and the skill groups of the players in it (best first); never the lobby's name
    and password nor who the players are."""

    id: int
    game_mode: str
    competitive: bool
    team_mode: ScrimTeamMode
    games: int
    status: ScrimStatus
    created_at: dt.datetime
    seats: int
    taken: int
    skill_group: SkillGroup | None
    skill_groups: list[SkillGroup]


async def public_scrims(
    session: AsyncSession, *, organization_id: int, game_mode: str | None = None
) -> list[ScrimSummary]:
    """The organization's unfinished scrims (optionally of one game mode, by code), oldest
    first, as :class:`ScrimSummary` lines a spectator may see. A fixed number of
    statements. Raises the game mode's NOT_FOUND."""
    scrims = await list_scrims(session, organization_id=organization_id, game_mode=game_mode)
    return await summarize(session, scrims=scrims)


async def summarize(session: AsyncSession, *, scrims: Sequence[Scrim]) -> list[ScrimSummary]:
    """Each scrim of ``scrims`` (rows, in any state) as the :class:`ScrimSummary` a spectator
    may see, in the same order. A fixed number of statements. Raises nothing."""
    ids = [scrim.id for scrim in scrims]
    seated = await seated_entries(session, scrim_ids=ids)
    modes = await rows_by_ids(session, GameMode, list({s.game_mode_id for s in scrims}))
    groups_of = await skill_groups_of(
        session,
        [(e.member_id, s.game_mode_id) for s in scrims for e in seated.get(s.id, [])],
    )
    named = await rows_by_ids(
        session, SkillGroup, [s.skill_group_id for s in scrims if s.skill_group_id]
    )
    lines = []
    for scrim in scrims:
        mode = modes[scrim.game_mode_id]
        here = seated.get(scrim.id, [])
        lines.append(
            ScrimSummary(
                id=scrim.id,
                game_mode=mode.name,
                competitive=scrim.competitive,
                team_mode=scrim.team_mode,
                games=scrim.games,
                status=scrim.status,
                created_at=scrim.created_at,
                seats=2 * mode.team_size,
                taken=len(here),
                skill_group=named.get(scrim.skill_group_id) if scrim.skill_group_id else None,
                skill_groups=skill_groups_best_first(
                    groups=(groups_of.get((e.member_id, scrim.game_mode_id)) for e in here)
                ),
            )
        )
    return lines


async def can_see_lobby(session: AsyncSession, *, actor: Actor, scrim: Scrim) -> bool:
    """Whether the actor may see the lobby's name and password: the scrim's seated players
    and the organization's staff (false for the spectator)."""
    if actor.user_id is None:
        return False
    if await access.is_staff_anywhere(session, actor, scrim.organization_id):
        return True
    seat = await session.scalar(
        select(ScrimEntry.id)
        .join(Member, Member.id == ScrimEntry.member_id)
        .where(
            ScrimEntry.scrim_id == scrim.id,
            ScrimEntry.active.is_(True),
            Member.user_id == actor.user_id,
        )
    )
    return seat is not None


async def game_lineups_of(session: AsyncSession, scrim_id: int) -> list[ScrimGame]:
    """The scrim's games (line-ups, and results once recorded), game 1 first; none before
    it starts."""
    return list(
        (
            await session.scalars(
                select(ScrimGame).where(ScrimGame.scrim_id == scrim_id).order_by(ScrimGame.number)
            )
        ).all()
    )


# -- events ----------------------------------------------------------------------------------


async def announce(
    session: AsyncSession, *, scrim: Scrim, also: Iterable[int] = (), now: dt.datetime
) -> None:
    """Tell the queue and every affected member that the scrim changed (after commit): bumps
    ``scrim.version`` and publishes ``{scrim_id, status, version, at}`` to the queue's channel
    and to the channel of every seated member and of ``also`` (member ids, e.g. one who just
    left). ``now``: the event's moment (UTC). It is one of the scrims package's own steps, with
    no permission check: doors call the lifecycle, staff and bans functions, which check who may
    act first."""
    scrim.version += 1
    await session.flush()
    seated = await active_entries(session, scrim_id=scrim.id)
    members = {e.member_id for e in seated} | set(also)
    event = {"scrim_id": scrim.id, "status": scrim.status, "version": scrim.version}
    event["at"] = now.isoformat()
    enqueue(
        session,
        "event.publish",
        channel=queue_channel(scrim.organization_id, scrim.game_mode_id),
        event=event,
    )
    for member_id in sorted(members):
        enqueue(session, "event.publish", channel=member_channel(member_id), event=event)


# -- seats -----------------------------------------------------------------------------------


async def add_once(session: AsyncSession, *, row: object, taken: Conflict) -> None:
    """Insert a row a partial unique index allows once (a member's one seat, one ticket);
    ``taken`` is raised, and nothing else undone, when another transaction got there first. It
    is one of the scrims package's own steps, with no permission check: doors call the
    lifecycle, staff and bans functions, which check who may act first."""
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise taken from None


def unseat(*, entry: ScrimEntry, now: dt.datetime) -> None:
    """Free a seat (the member leaves, is dropped, or the scrim ends) as of ``now``. It is one
    of the scrims package's own steps, with no permission check: doors call the lifecycle, staff
    and bans functions, which check who may act first."""
    entry.active = False
    entry.left_at = now


def finish(*, scrim: Scrim, status: ScrimStatus, now: dt.datetime) -> None:
    """End a scrim as ``status`` (COMPLETE or CANCELLED) at ``now``; its seats are the caller's
    to free. It is one of the scrims package's own steps, with no permission check: doors call
    the lifecycle, staff and bans functions, which check who may act first."""
    scrim.status = status
    scrim.finished_at = now
    scrim.check_in_deadline = None
