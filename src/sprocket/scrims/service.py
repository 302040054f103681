"""The rules of the scrim queue: create, join, leave, premade groups, pop, check-in, start,
queue bans and staff actions.

Lifecycle (the original's states)::

    pending --(full: 2 x team size)--> popped --(all checked in)--> in_progress
       ^                                  |
       +--(check-in deadline passed: the missed are removed and banned, the rest wait on)
    pending/in_progress <--lock/unlock--> locked;   any unfinished --cancel--> cancelled

Every state lives in the database, so a restart keeps each queue entry, pop and check-in.
Every action on a scrim first takes its row with ``SELECT ... FOR UPDATE`` (on PostgreSQL;
SQLite serializes writers anyway), so two players racing for the last seat are served one
after the other: the second finds the scrim popped. The partial unique index
``uq_scrim_entries_active_member`` keeps a member in one scrim at a time even when they join
two different scrims at the same moment.

Time-outs (a wait that runs out, a check-in window that closes) are applied by
:func:`sweep`, which the platform runs every ``SPROCKET_SCRIM_SWEEP_SECONDS`` in each API
process (see :mod:`sprocket.scrims.tasks`); joining a scrim also drops its expired waits
first, so a seat held by an expired wait is never refused to a newcomer.

Every change enqueues ``event.publish`` messages (outbox, after commit) to the queue's
channel and to each affected member's channel; subscribers re-read the state on each event.

The matchmaking queue (:mod:`sprocket.scrims.matchmaking`) forms popped scrims out of its
tickets and is swept with the rest; a member holds a seat or a ticket, never both.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import for_people
from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league import service as league
from sprocket.league.configuration import OrganizationConfig
from sprocket.league.models import GameMode, League, Member, Organization, Player, SkillGroup
from sprocket.platform.outbox import enqueue
from sprocket.ratings.balance import Entrant
from sprocket.ratings.models import Rating
from sprocket.ratings.skill import Skill, new_skill
from sprocket.replays import service as replays
from sprocket.scrims.lineups import game_lineups
from sprocket.scrims.models import (
    QueueBan,
    QueueTicket,
    Scrim,
    ScrimEntry,
    ScrimGame,
    ScrimGroup,
)

PENDING, POPPED, IN_PROGRESS = "pending", "popped", "in_progress"
COMPLETE, CANCELLED, LOCKED = "complete", "cancelled", "locked"
STATUSES = (PENDING, POPPED, IN_PROGRESS, COMPLETE, CANCELLED, LOCKED)
OPEN_STATUSES = (PENDING, POPPED, IN_PROGRESS, LOCKED)
TEAM_MODES = ("fixed", "round_robin")
MIN_WAIT = dt.timedelta(minutes=1)
MAX_WAIT = dt.timedelta(hours=24)
MAX_GAMES = 15
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def queue_channel(organization_id: int, game_mode_id: int) -> str:
    """Pub/sub channel of the scrims of one game mode in an organization."""
    return f"scrim-queue:{organization_id}:{game_mode_id}"


def member_channel(member_id: int) -> str:
    """Pub/sub channel of one member's current scrim."""
    return f"scrim-member:{member_id}"


async def _when(session: AsyncSession, organization_id: int, moment: dt.datetime) -> str:
    """``moment`` as the organization's people read it (in its time zone)."""
    return for_people(moment, await league.organization_zone(session, organization_id))


# -- reading ---------------------------------------------------------------------------------


async def _scrim(session: AsyncSession, scrim_id: int, *, lock: bool = True) -> Scrim:
    scrim = await session.get(Scrim, scrim_id, with_for_update=lock, populate_existing=lock)
    if scrim is None:
        raise NotFound(f"There is no scrim with id {scrim_id}.")
    return scrim


async def _member(session: AsyncSession, actor: Actor, organization_id: int) -> Member:
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


async def member_of(session: AsyncSession, *, actor: Actor, organization_id: int) -> Member:
    """The caller's membership of the organization (PermissionDenied if none)."""
    return await _member(session, actor, organization_id)


async def _active_entries(session: AsyncSession, scrim_id: int) -> list[ScrimEntry]:
    return list(
        (
            await session.scalars(
                select(ScrimEntry)
                .where(ScrimEntry.scrim_id == scrim_id, ScrimEntry.active.is_(True))
                .order_by(ScrimEntry.joined_at, ScrimEntry.id)
            )
        ).all()
    )


async def _entry_of(session: AsyncSession, scrim: Scrim, member: Member) -> ScrimEntry:
    entry = await session.scalar(
        select(ScrimEntry).where(
            ScrimEntry.scrim_id == scrim.id,
            ScrimEntry.member_id == member.id,
            ScrimEntry.active.is_(True),
        )
    )
    if entry is None:
        raise InvalidInput(f"You are not in scrim {scrim.id}.", code="NOT_IN_SCRIM")
    return entry


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
    """The caller's current scrim in the organization, if they are in one."""
    member = await _member(session, actor, organization_id)
    entry = await current_entry(session, member_id=member.id)
    return None if entry is None else await session.get(Scrim, entry.scrim_id)


async def list_scrims(
    session: AsyncSession,
    *,
    organization_id: int,
    game_mode: str | None = None,
    status: str | None = None,
) -> list[Scrim]:
    """Scrims of an organization (optionally one game mode), oldest first; without a status,
    the unfinished ones (pending, popped, in progress, locked)."""
    query = select(Scrim).where(Scrim.organization_id == organization_id)
    if game_mode is not None:
        mode = await league.game_mode_by_code(session, game_mode)
        query = query.where(Scrim.game_mode_id == mode.id)
    if status is None:
        query = query.where(Scrim.status.in_(OPEN_STATUSES))
    else:
        if status not in STATUSES:
            raise InvalidInput(
                f"'{status}' is not a scrim status. Use one of: {', '.join(STATUSES)}.",
                code="INVALID_STATUS",
            )
        query = query.where(Scrim.status == status)
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


async def _skill_group_ids(session: AsyncSession, member: Member, game_mode_id: int) -> list[int]:
    rows = await session.scalars(
        select(Player.skill_group_id)
        .join(League, League.id == Player.league_id)
        .where(
            Player.member_id == member.id,
            League.game_mode_id == game_mode_id,
            League.organization_id == member.organization_id,
            Player.skill_group_id.is_not(None),
        )
        .order_by(League.id)
    )
    return [g for g in rows.all() if g is not None]


async def active_ban(
    session: AsyncSession, *, member_id: int, now: dt.datetime | None = None
) -> QueueBan | None:
    """The member's queue ban in force at ``now`` (the one ending last), if any."""
    now = now or utcnow()
    return await session.scalar(
        select(QueueBan)
        .where(
            QueueBan.member_id == member_id,
            QueueBan.lifted_at.is_(None),
            QueueBan.starts_at <= now,
            QueueBan.ends_at > now,
        )
        .order_by(QueueBan.ends_at.desc())
        .limit(1)
    )


async def list_bans(
    session: AsyncSession, *, actor: Actor, organization_id: int, active_only: bool = True
) -> list[QueueBan]:
    """Staff see every ban of the organization; a member sees their own."""
    require_user(actor)
    query = select(QueueBan).where(QueueBan.organization_id == organization_id)
    if not await access.is_staff_anywhere(session, actor, organization_id):
        member = await _member(session, actor, organization_id)
        query = query.where(QueueBan.member_id == member.id)
    if active_only:
        now = utcnow()
        query = query.where(QueueBan.lifted_at.is_(None), QueueBan.ends_at > now)
    return list((await session.scalars(query.order_by(QueueBan.starts_at.desc()))).all())


async def can_see_lobby(session: AsyncSession, *, actor: Actor, scrim: Scrim) -> bool:
    """The lobby's name and password are for the scrim's players and staff."""
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


# -- events ----------------------------------------------------------------------------------


async def _announce(
    session: AsyncSession, scrim: Scrim, *, also: Iterable[int] = (), now: dt.datetime
) -> None:
    """Tell the queue and every affected member that the scrim changed (after commit)."""
    scrim.version += 1
    await session.flush()
    members = {e.member_id for e in await _active_entries(session, scrim.id)} | set(also)
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


# -- checks shared by create and join -------------------------------------------------------


def _wait_until(wait_until: dt.datetime | dt.timedelta, now: dt.datetime) -> dt.datetime:
    """When a member stops waiting: ``wait_until`` is that moment (timezone-aware), or how
    long from ``now`` they wait (as a door passes the minutes its caller gave); from 1
    minute to 24 hours after ``now``. Raises InvalidInput ``INVALID_WAIT``."""
    if isinstance(wait_until, dt.timedelta):
        if not MIN_WAIT <= wait_until <= MAX_WAIT:
            raise InvalidInput(
                "You can wait for a scrim from 1 minute to 24 hours.", code="INVALID_WAIT"
            )
        return now + wait_until
    if wait_until.tzinfo is None:
        raise InvalidInput("Say when you stop waiting with a time zone.", code="INVALID_WAIT")
    if wait_until < now + MIN_WAIT or wait_until > now + MAX_WAIT:
        raise InvalidInput(
            "You can wait for a scrim from 1 minute to 24 hours.", code="INVALID_WAIT"
        )
    return wait_until


async def _config(session: AsyncSession, organization_id: int) -> OrganizationConfig:
    return await league.organization_config(session, organization_id)


async def _may_queue(
    session: AsyncSession, *, actor: Actor, organization_id: int, now: dt.datetime
) -> tuple[Member, OrganizationConfig]:
    """The member may queue: a member (who may act, answered first), scrims enabled, not
    banned, not in another scrim and not waiting in the matchmaking queue. The member's row
    is locked first, so one member's joins and queue entries are served one after the other."""
    require_user(actor)
    if await session.get(Organization, organization_id) is None:
        raise NotFound(f"There is no organization with id {organization_id}.")
    member = await _member(session, actor, organization_id)
    config = await _config(session, organization_id)
    if not config["scrims_enabled"]:
        raise InvalidInput(
            "Scrims are turned off in this organization for now.", code="SCRIMS_DISABLED"
        )
    await session.get(Member, member.id, with_for_update=True, populate_existing=True)
    ban = await active_ban(session, member_id=member.id, now=now)
    if ban is not None:
        raise InvalidInput(
            f"You are banned from the scrim queue until "
            f"{await _when(session, organization_id, ban.ends_at)} ({ban.reason}).",
            code="QUEUE_BANNED",
            details={"ends_at": ban.ends_at.isoformat()},
        )
    if await current_entry(session, member_id=member.id) is not None:
        raise Conflict(
            "You are already in a scrim; leave it before joining another.",
            code="ALREADY_IN_SCRIM",
        )
    if await current_ticket(session, member_id=member.id) is not None:
        raise Conflict(
            "You are already waiting in the scrim queue; leave it first.", code="ALREADY_QUEUED"
        )
    return member, config


async def _queue_group(
    session: AsyncSession,
    member: Member,
    mode: GameMode,
    *,
    competitive: bool,
    skill_group_id: int | None,
) -> int | None:
    """The skill group a member queues in: for a competitive scrim their own in a league of
    the mode (the given one, or their first); a casual scrim has none."""
    if not competitive:
        return None
    mine = await _skill_group_ids(session, member, mode.id)
    if not mine:
        raise InvalidInput(
            f"You play in no {mode.name} league here, so you can only join casual scrims.",
            code="NO_SKILL_GROUP",
        )
    if skill_group_id is None:
        return mine[0]
    if skill_group_id in mine:
        return skill_group_id
    raise InvalidInput(
        "You can only open competitive scrims for your own skill group.",
        code="WRONG_SKILL_GROUP",
    )


async def _seat(
    session: AsyncSession,
    scrim: Scrim,
    member: Member,
    *,
    wait_until: dt.datetime,
    group_id: int | None,
    now: dt.datetime,
) -> ScrimEntry:
    entry = ScrimEntry(
        scrim_id=scrim.id,
        member_id=member.id,
        group_id=group_id,
        joined_at=now,
        wait_until=wait_until,
        active=True,
    )
    # The unique index of active seats: a concurrent join elsewhere won.
    await add_once(
        session,
        entry,
        Conflict(
            "You are already in a scrim; leave it before joining another.",
            code="ALREADY_IN_SCRIM",
        ),
    )
    return entry


async def add_once(session: AsyncSession, row: object, taken: Conflict) -> None:
    """Insert a row a partial unique index allows once (a member's one seat, one ticket);
    ``taken`` is raised, and nothing else undone, when another transaction got there first."""
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise taken from None


async def _team_size(session: AsyncSession, scrim: Scrim) -> int:
    mode = await session.get(GameMode, scrim.game_mode_id)
    assert mode is not None
    return mode.team_size


# -- create, join, leave ---------------------------------------------------------------------


async def create_scrim(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    game_mode: str,
    wait_until: dt.datetime | dt.timedelta,
    competitive: bool = True,
    team_mode: str = "fixed",
    games: int = 3,
    skill_group_id: int | None = None,
    now: dt.datetime | None = None,
) -> Scrim:
    """A member opens a scrim and takes its first seat. A competitive scrim is for the
    creator's skill group in a league of that game mode; a casual one is open to everyone.
    ``wait_until``: when the member stops waiting, or how long from now they wait (1 minute
    to 24 hours). Raises, after UNAUTHENTICATED, NOT_FOUND and PERMISSION_DENIED (not a
    member): SCRIMS_DISABLED, QUEUE_BANNED, ALREADY_IN_SCRIM, ALREADY_QUEUED, the game
    mode's NOT_FOUND, INVALID_TEAM_MODE, INVALID_GAMES, INVALID_WAIT, NO_SKILL_GROUP,
    WRONG_SKILL_GROUP."""
    now = now or utcnow()
    member, _ = await _may_queue(session, actor=actor, organization_id=organization_id, now=now)
    mode = await league.game_mode_by_code(session, game_mode)
    if team_mode not in TEAM_MODES:
        raise InvalidInput(
            f"'{team_mode}' is not a team mode: use fixed or round_robin.", code="INVALID_TEAM_MODE"
        )
    if not 1 <= games <= MAX_GAMES:
        raise InvalidInput(f"A scrim has 1 to {MAX_GAMES} games.", code="INVALID_GAMES")
    wait_until = _wait_until(wait_until, now)
    group_id = await _queue_group(
        session, member, mode, competitive=competitive, skill_group_id=skill_group_id
    )
    scrim = Scrim(
        organization_id=organization_id,
        game_mode_id=mode.id,
        skill_group_id=group_id,
        competitive=competitive,
        team_mode=team_mode,
        games=games,
        status=PENDING,
        created_by_member_id=member.id,
        created_at=now,
        version=0,
    )
    session.add(scrim)
    await session.flush()
    await _seat(session, scrim, member, wait_until=wait_until, group_id=None, now=now)
    await _announce(session, scrim, now=now)
    return scrim


async def join_scrim(
    session: AsyncSession,
    *,
    actor: Actor,
    scrim_id: int,
    wait_until: dt.datetime | dt.timedelta,
    group_code: str | None = None,
    now: dt.datetime | None = None,
) -> Scrim:
    """Take a seat in a pending scrim (with a group code: in that premade group). The seat
    that fills the scrim pops it. ``wait_until``: as for :func:`create_scrim`."""
    now = now or utcnow()
    require_user(actor)
    scrim = await _scrim(session, scrim_id)
    member, config = await _may_queue(
        session, actor=actor, organization_id=scrim.organization_id, now=now
    )
    wait_until = _wait_until(wait_until, now)
    await _drop_expired(session, scrim, now=now)  # seats held by expired waits are free
    if scrim.status == LOCKED:
        raise InvalidInput(
            "Staff have locked this scrim; it takes nobody new.", code="SCRIM_LOCKED"
        )
    if scrim.status != PENDING:
        raise InvalidInput(
            "This scrim is no longer taking players; join or create another.",
            code="SCRIM_NOT_OPEN",
        )
    if scrim.competitive:
        mine = await _skill_group_ids(session, member, scrim.game_mode_id)
        if scrim.skill_group_id not in mine:
            group = await session.get(SkillGroup, scrim.skill_group_id)
            name = group.name if group else "another skill group"
            raise InvalidInput(
                f"This competitive scrim is for {name} players only.", code="WRONG_SKILL_GROUP"
            )
    team_size = await _team_size(session, scrim)
    entries = await _active_entries(session, scrim.id)
    if len(entries) >= 2 * team_size:
        raise InvalidInput("This scrim is full.", code="SCRIM_FULL")
    group_id = None
    if group_code is not None:
        group = await session.scalar(
            select(ScrimGroup).where(
                ScrimGroup.scrim_id == scrim.id,
                ScrimGroup.code == group_code.strip().upper(),
            )
        )
        if group is None:
            raise InvalidInput(
                f"There is no group '{group_code.strip()}' in this scrim; check the code.",
                code="GROUP_NOT_FOUND",
            )
        sizes = _group_sizes(entries)
        if sizes.get(group.id, 0) >= team_size:
            raise InvalidInput(
                f"Group '{group.code}' is full: a team has {team_size} players.",
                code="GROUP_FULL",
            )
        sizes[group.id] = sizes.get(group.id, 0) + 1
        if not _placeable(list(sizes.values()), team_size):
            raise InvalidInput(
                f"Group '{group.code}' cannot grow: the premade groups would no longer fit "
                "into two teams.",
                code="GROUP_FULL",
            )
        group_id = group.id
    await _seat(session, scrim, member, wait_until=wait_until, group_id=group_id, now=now)
    if len(entries) + 1 == 2 * team_size:
        _pop(scrim, config, now)
    await _announce(session, scrim, now=now)
    return scrim


def _group_sizes(entries: Sequence[ScrimEntry]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for entry in entries:
        if entry.group_id is not None:
            sizes[entry.group_id] = sizes.get(entry.group_id, 0) + 1
    return sizes


def _placeable(sizes: Sequence[int], team_size: int) -> bool:
    """Can groups of these sizes (solos fill the rest) be split into two teams?"""
    total = sum(sizes)
    if total > 2 * team_size:
        return False
    reachable = {0}
    for size in sizes:
        reachable |= {r + size for r in reachable if r + size <= team_size}
    return any(total - r <= team_size for r in reachable)


async def leave_scrim(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    """Give up a seat in a scrim that has not popped; an emptied scrim is cancelled."""
    now = now or utcnow()
    require_user(actor)
    scrim = await _scrim(session, scrim_id)
    member = await _member(session, actor, scrim.organization_id)
    entry = await _entry_of(session, scrim, member)
    if scrim.status == POPPED:
        raise InvalidInput(
            "This scrim has popped: check in, or the check-in window closes without you.",
            code="SCRIM_POPPED",
        )
    if scrim.status == IN_PROGRESS or scrim.started_at is not None:
        raise InvalidInput("This scrim has started; you cannot leave it now.", code="SCRIM_STARTED")
    _unseat(entry, now)
    await session.flush()
    if not await _active_entries(session, scrim.id):
        _finish(scrim, CANCELLED, now)
    await _announce(session, scrim, also=[member.id], now=now)
    return scrim


def _unseat(entry: ScrimEntry, now: dt.datetime) -> None:
    entry.active = False
    entry.left_at = now


def _finish(scrim: Scrim, status: str, now: dt.datetime) -> None:
    scrim.status = status
    scrim.finished_at = now
    scrim.check_in_deadline = None


# -- premade groups --------------------------------------------------------------------------


async def create_group(session: AsyncSession, *, actor: Actor, scrim_id: int) -> ScrimGroup:
    """A player in a pending scrim starts a premade group; friends join it with the code."""
    require_user(actor)
    scrim = await _scrim(session, scrim_id)
    member = await _member(session, actor, scrim.organization_id)
    entry = await _entry_of(session, scrim, member)
    if scrim.status not in (PENDING, LOCKED):
        raise InvalidInput(
            "Groups form before a scrim pops; this one already has.", code="SCRIM_NOT_OPEN"
        )
    if entry.group_id is not None:
        raise Conflict("You are already in a premade group in this scrim.", code="ALREADY_IN_GROUP")
    taken = set(
        await session.scalars(select(ScrimGroup.code).where(ScrimGroup.scrim_id == scrim.id))
    )
    code = _code()
    while code in taken:
        code = _code()
    group = ScrimGroup(scrim_id=scrim.id, code=code, created_by_member_id=member.id)
    session.add(group)
    await session.flush()
    entry.group_id = group.id
    await _announce(session, scrim, now=utcnow())
    return group


def _code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


# -- pop, check-in, start --------------------------------------------------------------------


def _pop(scrim: Scrim, config: OrganizationConfig, now: dt.datetime) -> None:
    scrim.status = POPPED
    scrim.popped_at = now
    scrim.check_in_deadline = now + dt.timedelta(seconds=config["scrim_check_in_seconds"])


async def check_in(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    """Confirm a seat in a popped scrim; the last check-in starts it."""
    now = now or utcnow()
    require_user(actor)
    scrim = await _scrim(session, scrim_id)
    member = await _member(session, actor, scrim.organization_id)
    entry = await _entry_of(session, scrim, member)
    if entry.checked_in_at is not None:
        raise InvalidInput("You have already checked in.", code="ALREADY_CHECKED_IN")
    if scrim.status != POPPED:
        raise InvalidInput(
            "This scrim has not popped yet; check in once it is full.", code="NOT_POPPED"
        )
    assert scrim.check_in_deadline is not None
    if now >= scrim.check_in_deadline:
        raise InvalidInput(
            "The check-in window closed at "
            f"{await _when(session, scrim.organization_id, scrim.check_in_deadline)}.",
            code="CHECK_IN_CLOSED",
        )
    entry.checked_in_at = now
    entries = await _active_entries(session, scrim.id)
    if all(e.checked_in_at is not None for e in entries):
        await _start(session, scrim, entries, now)
    await _announce(session, scrim, now=now)
    return scrim


async def _skills(
    session: AsyncSession, member_ids: Sequence[int], game_mode_id: int
) -> dict[int, Skill]:
    rows = await session.scalars(
        select(Rating).where(Rating.member_id.in_(member_ids), Rating.game_mode_id == game_mode_id)
    )
    skills = {r.member_id: Skill(r.mu, r.sigma, r.games) for r in rows}
    return {m: skills.get(m) or new_skill() for m in member_ids}


async def _start(
    session: AsyncSession, scrim: Scrim, entries: Sequence[ScrimEntry], now: dt.datetime
) -> None:
    """Balanced teams (premade groups together), the games' line-ups, and the lobby."""
    team_size = await _team_size(session, scrim)
    member_ids = [e.member_id for e in entries]
    skills = await _skills(session, member_ids, scrim.game_mode_id)
    wait_since = {e.member_id: e.joined_at.timestamp() for e in entries}
    players = [Entrant(m, skills[m], wait_since[m]) for m in member_ids]
    groups: dict[int, set[int]] = {}
    for entry in entries:
        if entry.group_id is not None:
            groups.setdefault(entry.group_id, set()).add(entry.member_id)
    splits = game_lineups(
        players,
        team_size=team_size,
        games=scrim.games,
        round_robin=scrim.team_mode == "round_robin",
        groups=[frozenset(g) for g in groups.values()],
    )
    home = {p.key for p in splits[0].home}
    for entry in entries:
        entry.team = 0 if entry.member_id in home else 1
    for number, split in enumerate(splits, start=1):
        session.add(
            ScrimGame(
                scrim_id=scrim.id,
                number=number,
                home_member_ids=",".join(str(p.key) for p in split.home),
                away_member_ids=",".join(str(p.key) for p in split.away),
            )
        )
    scrim.status = IN_PROGRESS
    scrim.started_at = now
    scrim.check_in_deadline = None
    scrim.lobby_name = f"sprocket{scrim.id}{secrets.choice(_CODE_ALPHABET)}".lower()[:32]
    scrim.lobby_password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(8))


# -- queue bans ------------------------------------------------------------------------------


async def ban_member(
    session: AsyncSession,
    *,
    organization_id: int,
    member_id: int,
    reason: str,
    now: dt.datetime,
    config: OrganizationConfig | None = None,
) -> QueueBan | None:
    """A queue ban of the initial length plus the modifier for each ban (not lifted) in the
    look-back window; None when the organization's lengths add up to no time at all."""
    config = config or await _config(session, organization_id)
    since = now - dt.timedelta(days=config["queue_ban_lookback_days"])
    earlier = await session.scalar(
        select(func.count())
        .select_from(QueueBan)
        .where(
            QueueBan.member_id == member_id,
            QueueBan.organization_id == organization_id,
            QueueBan.lifted_at.is_(None),
            QueueBan.starts_at >= since,
        )
    )
    minutes = config["queue_ban_initial_minutes"] + config["queue_ban_modifier_minutes"] * (
        earlier or 0
    )
    if minutes <= 0:
        return None
    ban = QueueBan(
        organization_id=organization_id,
        member_id=member_id,
        reason=reason[:200],
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=minutes),
    )
    session.add(ban)
    await session.flush()
    return ban


async def lift_ban(
    session: AsyncSession, *, actor: Actor, ban_id: int, now: dt.datetime | None = None
) -> QueueBan:
    now = now or utcnow()
    require_user(actor)
    ban = await session.get(QueueBan, ban_id, with_for_update=True)
    if ban is None:
        raise NotFound(f"There is no queue ban with id {ban_id}.")
    if not await access.is_staff_anywhere(session, actor, ban.organization_id):
        raise PermissionDenied("Only league staff may lift queue bans.")
    if ban.lifted_at is not None or ban.ends_at <= now:
        raise InvalidInput("This ban is no longer in force.", code="BAN_NOT_ACTIVE")
    ban.lifted_at = now
    ban.lifted_by_user_id = actor.user_id
    await session.flush()
    return ban


# -- staff -----------------------------------------------------------------------------------


async def _staff_scrim(session: AsyncSession, actor: Actor, scrim_id: int, doing: str) -> Scrim:
    require_user(actor)
    scrim = await _scrim(session, scrim_id)
    if not await access.is_staff_anywhere(session, actor, scrim.organization_id):
        raise PermissionDenied(f"Only league staff may {doing}.")
    return scrim


async def lock_scrim(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    """Staff freeze a pending or running scrim: nobody joins, it does not pop or finish."""
    now = now or utcnow()
    scrim = await _staff_scrim(session, actor, scrim_id, "lock scrims")
    if scrim.status not in (PENDING, IN_PROGRESS):
        raise InvalidInput(
            f"Only a pending or running scrim can be locked; this one is {scrim.status}.",
            code="SCRIM_NOT_LOCKABLE",
        )
    scrim.status = LOCKED
    await _announce(session, scrim, now=now)
    return scrim


async def unlock_scrim(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    now = now or utcnow()
    scrim = await _staff_scrim(session, actor, scrim_id, "unlock scrims")
    if scrim.status != LOCKED:
        raise InvalidInput("This scrim is not locked.", code="SCRIM_NOT_LOCKED")
    scrim.status = IN_PROGRESS if scrim.started_at is not None else PENDING
    await _announce(session, scrim, now=now)
    return scrim


async def cancel_scrim(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    """Staff call off an unfinished scrim; every seat is freed."""
    now = now or utcnow()
    scrim = await _staff_scrim(session, actor, scrim_id, "cancel scrims")
    if scrim.status in (COMPLETE, CANCELLED):
        raise InvalidInput(f"This scrim is already {scrim.status}.", code="SCRIM_FINISHED")
    entries = await _active_entries(session, scrim.id)
    for entry in entries:
        _unseat(entry, now)
    _finish(scrim, CANCELLED, now)
    await replays.close_open_of_scrim(
        session, scrim_id=scrim.id, reason="The scrim was cancelled by staff."
    )
    await _announce(session, scrim, also=[e.member_id for e in entries], now=now)
    return scrim


# -- time-outs -------------------------------------------------------------------------------


async def _drop_expired(session: AsyncSession, scrim: Scrim, *, now: dt.datetime) -> list[int]:
    """Remove the seats of a waiting scrim whose wait ran out; returns their members."""
    if scrim.status not in (PENDING, LOCKED) or scrim.started_at is not None:
        return []
    gone = []
    for entry in await _active_entries(session, scrim.id):
        if entry.wait_until <= now:
            _unseat(entry, now)
            gone.append(entry.member_id)
    if gone:
        await session.flush()
    return gone


async def expire_waits(session: AsyncSession, *, now: dt.datetime) -> int:
    """Remove every seat whose wait ran out in a scrim that has not popped; a scrim left
    empty is cancelled. Returns how many seats were removed."""
    scrim_ids = (
        await session.scalars(
            select(ScrimEntry.scrim_id)
            .join(Scrim, Scrim.id == ScrimEntry.scrim_id)
            .where(
                ScrimEntry.active.is_(True),
                ScrimEntry.wait_until <= now,
                Scrim.status.in_((PENDING, LOCKED)),
                Scrim.started_at.is_(None),
            )
            .distinct()
        )
    ).all()
    removed = 0
    for scrim_id in sorted(scrim_ids):
        scrim = await session.scalar(
            select(Scrim)
            .where(Scrim.id == scrim_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if scrim is None:  # another sweeper or a join holds it; it will drop them itself
            continue
        gone = await _drop_expired(session, scrim, now=now)
        if not gone:
            continue
        removed += len(gone)
        if not await _active_entries(session, scrim.id):
            _finish(scrim, CANCELLED, now)
        await _announce(session, scrim, also=gone, now=now)
    return removed


@dataclass(frozen=True)
class MissedCheckIn:
    scrim_id: int
    member_id: int
    ban: QueueBan | None


async def expire_check_ins(session: AsyncSession, *, now: dt.datetime) -> list[MissedCheckIn]:
    """Cancel every pop whose check-in window closed before everyone checked in: those who
    missed it lose their seat and get a queue ban; the rest return to the queue, their waits
    lengthened by the time the pop took: in the same scrim (pending again), or, for a scrim
    the matchmaking queue formed, to that queue with their place in it (the scrim is then
    cancelled)."""
    from sprocket.scrims import matchmaking  # built on this module, so imported late

    scrims = (
        await session.scalars(
            select(Scrim)
            .where(Scrim.status == POPPED, Scrim.check_in_deadline <= now)
            .order_by(Scrim.id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    ).all()
    missed: list[MissedCheckIn] = []
    for scrim in scrims:
        config = await _config(session, scrim.organization_id)
        assert scrim.popped_at is not None
        held = now - scrim.popped_at
        gone = []
        for entry in await _active_entries(session, scrim.id):
            if entry.checked_in_at is None:
                _unseat(entry, now)
                gone.append(entry.member_id)
                ban = await ban_member(
                    session,
                    organization_id=scrim.organization_id,
                    member_id=entry.member_id,
                    reason=f"missed the check-in of scrim {scrim.id}",
                    now=now,
                    config=config,
                )
                missed.append(MissedCheckIn(scrim.id, entry.member_id, ban))
            else:
                entry.checked_in_at = None
                entry.wait_until = max(entry.wait_until, now) + held
        await session.flush()
        scrim.popped_at = None
        scrim.check_in_deadline = None
        rest = await _active_entries(session, scrim.id)
        if rest and await matchmaking.requeue(session, scrim, rest, now=now):
            for entry in rest:
                _unseat(entry, now)
            gone += [e.member_id for e in rest]
            rest = []
        if rest:
            scrim.status = PENDING
        else:
            _finish(scrim, CANCELLED, now)
        await _announce(session, scrim, also=gone, now=now)
    return missed


@dataclass(frozen=True)
class SweepResult:
    expired_waits: int
    missed_check_ins: list[MissedCheckIn]
    expired_tickets: int = 0
    formed_scrim_ids: list[int] = field(default_factory=list)


async def sweep(session: AsyncSession, *, now: dt.datetime | None = None) -> SweepResult:
    """Apply every time-out due at ``now``: closed check-in windows first, then waits; then
    the matchmaking queue ends its expired tickets and forms the lobbies it can."""
    from sprocket.scrims import matchmaking  # built on this module, so imported late

    now = now or utcnow()
    missed = await expire_check_ins(session, now=now)
    expired = await expire_waits(session, now=now)
    queued = await matchmaking.sweep_queues(session, now=now)
    return SweepResult(expired, missed, queued.expired_tickets, queued.formed_scrim_ids)


async def game_lineups_of(session: AsyncSession, scrim_id: int) -> list[ScrimGame]:
    return list(
        (
            await session.scalars(
                select(ScrimGame).where(ScrimGame.scrim_id == scrim_id).order_by(ScrimGame.number)
            )
        ).all()
    )
