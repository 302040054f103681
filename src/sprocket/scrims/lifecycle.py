"""The life of a scrim: create, join, leave, premade groups, pop, check-in and start.

States (the original's)::

    pending --(full: 2 x team size)--> popped --(all checked in)--> in_progress
       ^                                  |
       +--(check-in deadline passed: the missed are removed and banned, the rest wait on)
    pending/in_progress <--lock/unlock--> locked;   any unfinished --cancel--> cancelled

Staff actions are in :mod:`sprocket.scrims.staff`, time-outs in :mod:`sprocket.scrims.timeouts`;
a member holds a seat or a matchmaking ticket, never both (:mod:`sprocket.scrims.admission`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput
from sprocket.identity.access import Actor, require_user
from sprocket.league import service as league
from sprocket.league.configuration import OrganizationConfig
from sprocket.league.errors import LeagueCode
from sprocket.league.models import GameMode, Member, SkillGroup
from sprocket.ratings import service as ratings
from sprocket.ratings.balance import Entrant
from sprocket.scrims import notices, service
from sprocket.scrims.admission import (
    member_skill_group_ids,
    queue_skill_group,
    require_may_queue,
    wait_deadline,
)
from sprocket.scrims.enums import ScrimStatus, ScrimTeamMode
from sprocket.scrims.errors import ScrimCode
from sprocket.scrims.lineups import game_lineups
from sprocket.scrims.models import Scrim, ScrimEntry, ScrimGame, ScrimGroup
from sprocket.scrims.service import MAX_GAMES

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


# -- create, join, leave ---------------------------------------------------------------------


async def _entry_of(session: AsyncSession, scrim: Scrim, member: Member) -> ScrimEntry:
    entry = await session.scalar(
        select(ScrimEntry).where(
            ScrimEntry.scrim_id == scrim.id,
            ScrimEntry.member_id == member.id,
            ScrimEntry.active.is_(True),
        )
    )
    if entry is None:
        raise InvalidInput(f"You are not in scrim {scrim.id}.", code=ScrimCode.NOT_IN_SCRIM)
    return entry


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
    await service.add_once(
        session,
        row=entry,
        taken=Conflict(
            "You are already in a scrim; leave it before joining another.",
            code=ScrimCode.ALREADY_IN_SCRIM,
        ),
    )
    return entry


async def _team_size(session: AsyncSession, scrim: Scrim) -> int:
    mode = await session.get(GameMode, scrim.game_mode_id)
    assert mode is not None
    return mode.team_size


async def create_scrim(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    game_mode: str,
    wait_until: dt.datetime | dt.timedelta,
    competitive: bool = True,
    team_mode: ScrimTeamMode | str = ScrimTeamMode.FIXED,
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
    member, _ = await require_may_queue(
        session, actor=actor, organization_id=organization_id, now=now
    )
    mode = await league.game_mode_by_code(session, game_mode)
    if team_mode not in list(ScrimTeamMode):
        raise InvalidInput(
            f"'{team_mode}' is not a team mode: use fixed or round_robin.",
            code=ScrimCode.INVALID_TEAM_MODE,
        )
    if not 1 <= games <= MAX_GAMES:
        raise InvalidInput(f"A scrim has 1 to {MAX_GAMES} games.", code=ScrimCode.INVALID_GAMES)
    wait_until = wait_deadline(wait_until, now)
    group_id = await queue_skill_group(
        session, member=member, mode=mode, competitive=competitive, skill_group_id=skill_group_id
    )
    scrim = Scrim(
        organization_id=organization_id,
        game_mode_id=mode.id,
        skill_group_id=group_id,
        competitive=competitive,
        team_mode=ScrimTeamMode(team_mode),
        games=games,
        status=ScrimStatus.PENDING,
        created_by_member_id=member.id,
        created_at=now,
        version=0,
    )
    session.add(scrim)
    await session.flush()
    await _seat(session, scrim, member, wait_until=wait_until, group_id=None, now=now)
    await service.announce(session, scrim=scrim, now=now)
    await notices.scrim_created(session, scrim=scrim)
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
    """Take a seat in a pending scrim (with a group code: in that premade group, any case).
    The seat that fills the scrim (2 x team size) pops it. ``wait_until``: as for
    :func:`create_scrim`. Returns the scrim.

    Raises UNAUTHENTICATED, NOT_FOUND (scrim, organization), PERMISSION_DENIED (not a
    member), SCRIMS_DISABLED, QUEUE_BANNED, ALREADY_IN_SCRIM, ALREADY_QUEUED, INVALID_WAIT,
    SCRIM_LOCKED, SCRIM_NOT_OPEN, WRONG_SKILL_GROUP (a competitive scrim of another skill
    group), SCRIM_FULL, GROUP_NOT_FOUND, GROUP_FULL (the group holds a team, or growing it
    would leave the groups unplaceable in two teams).
    """
    now = now or utcnow()
    require_user(actor)
    scrim = await service.get_scrim(session, scrim_id=scrim_id)
    member, config = await require_may_queue(
        session, actor=actor, organization_id=scrim.organization_id, now=now
    )
    wait_until = wait_deadline(wait_until, now)
    await drop_expired_seats(session, scrim, now=now)  # seats held by expired waits are free
    if scrim.status == ScrimStatus.LOCKED:
        raise InvalidInput(
            "Staff have locked this scrim; it takes nobody new.", code=ScrimCode.SCRIM_LOCKED
        )
    if scrim.status != ScrimStatus.PENDING:
        raise InvalidInput(
            "This scrim is no longer taking players; join or create another.",
            code=ScrimCode.SCRIM_NOT_OPEN,
        )
    if scrim.competitive:
        mine = await member_skill_group_ids(session, member=member, game_mode_id=scrim.game_mode_id)
        if scrim.skill_group_id not in mine:
            group = await session.get(SkillGroup, scrim.skill_group_id)
            name = group.name if group else "another skill group"
            raise InvalidInput(
                f"This competitive scrim is for {name} players only.",
                code=LeagueCode.WRONG_SKILL_GROUP,
            )
    team_size = await _team_size(session, scrim)
    entries = await service.active_entries(session, scrim_id=scrim.id)
    if len(entries) >= 2 * team_size:
        raise InvalidInput("This scrim is full.", code=ScrimCode.SCRIM_FULL)
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
                code=ScrimCode.GROUP_NOT_FOUND,
            )
        sizes = _group_sizes(entries)
        if sizes.get(group.id, 0) >= team_size:
            raise InvalidInput(
                f"Group '{group.code}' is full: a team has {team_size} players.",
                code=ScrimCode.GROUP_FULL,
            )
        sizes[group.id] = sizes.get(group.id, 0) + 1
        if not _placeable(list(sizes.values()), team_size):
            raise InvalidInput(
                f"Group '{group.code}' cannot grow: the premade groups would no longer fit "
                "into two teams.",
                code=ScrimCode.GROUP_FULL,
            )
        group_id = group.id
    await _seat(session, scrim, member, wait_until=wait_until, group_id=group_id, now=now)
    if len(entries) + 1 == 2 * team_size:
        pop_scrim(scrim, config, now)
        await notices.scrim_popped(session, scrim=scrim)
    await service.announce(session, scrim=scrim, now=now)
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
    """Give up a seat in a scrim that has not popped; an emptied scrim is cancelled.
    Returns the scrim. Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED (not a member),
    NOT_IN_SCRIM, SCRIM_POPPED (check in or miss the window instead), SCRIM_STARTED."""
    now = now or utcnow()
    require_user(actor)
    scrim = await service.get_scrim(session, scrim_id=scrim_id)
    member = await service.member_of(session, actor=actor, organization_id=scrim.organization_id)
    entry = await _entry_of(session, scrim, member)
    if scrim.status == ScrimStatus.POPPED:
        raise InvalidInput(
            "This scrim has popped: check in, or the check-in window closes without you.",
            code=ScrimCode.SCRIM_POPPED,
        )
    if scrim.status == ScrimStatus.IN_PROGRESS or scrim.started_at is not None:
        raise InvalidInput(
            "This scrim has started; you cannot leave it now.", code=ScrimCode.SCRIM_STARTED
        )
    service.unseat(entry=entry, now=now)
    await session.flush()
    if not await service.active_entries(session, scrim_id=scrim.id):
        service.finish(scrim=scrim, status=ScrimStatus.CANCELLED, now=now)
    await service.announce(session, scrim=scrim, also=[member.id], now=now)
    return scrim


async def drop_expired_seats(session: AsyncSession, scrim: Scrim, *, now: dt.datetime) -> list[int]:
    """Remove the seats of a waiting (pending or locked, never started) scrim whose wait ran
    out by ``now`` (UTC); returns their members' ids, in seat order. No permission check and
    no event: the caller's."""
    if (
        scrim.status not in (ScrimStatus.PENDING, ScrimStatus.LOCKED)
        or scrim.started_at is not None
    ):
        return []
    gone = []
    for entry in await service.active_entries(session, scrim_id=scrim.id):
        if entry.wait_until <= now:
            service.unseat(entry=entry, now=now)
            gone.append(entry.member_id)
    if gone:
        await session.flush()
    return gone


# -- premade groups --------------------------------------------------------------------------


async def create_group(session: AsyncSession, *, actor: Actor, scrim_id: int) -> ScrimGroup:
    """A player in a pending (or locked) scrim starts a premade group and is its first
    member; friends join it with its code (6 characters, returned on the group).
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED (not a member), NOT_IN_SCRIM,
    SCRIM_NOT_OPEN (popped already), ALREADY_IN_GROUP."""
    require_user(actor)
    scrim = await service.get_scrim(session, scrim_id=scrim_id)
    member = await service.member_of(session, actor=actor, organization_id=scrim.organization_id)
    entry = await _entry_of(session, scrim, member)
    if scrim.status not in (ScrimStatus.PENDING, ScrimStatus.LOCKED):
        raise InvalidInput(
            "Groups form before a scrim pops; this one already has.", code=ScrimCode.SCRIM_NOT_OPEN
        )
    if entry.group_id is not None:
        raise Conflict(
            "You are already in a premade group in this scrim.", code=ScrimCode.ALREADY_IN_GROUP
        )
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
    await service.announce(session, scrim=scrim, now=utcnow())
    return group


def _code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


# -- pop, check-in, start --------------------------------------------------------------------


def pop_scrim(scrim: Scrim, config: OrganizationConfig, now: dt.datetime) -> None:
    """A full scrim pops at ``now`` (UTC): its check-in window (the organization's
    ``scrim_check_in_seconds``, in seconds) opens. No event: the caller announces it."""
    scrim.status = ScrimStatus.POPPED
    scrim.popped_at = now
    scrim.check_in_deadline = now + dt.timedelta(seconds=config["scrim_check_in_seconds"])


async def check_in(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    """Confirm a seat in a popped scrim before its check-in deadline; the last check-in
    starts it (balanced teams, the games' line-ups, the lobby's name and password).
    Returns the scrim. Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED (not a member),
    NOT_IN_SCRIM, ALREADY_CHECKED_IN, NOT_POPPED, CHECK_IN_CLOSED."""
    now = now or utcnow()
    require_user(actor)
    scrim = await service.get_scrim(session, scrim_id=scrim_id)
    member = await service.member_of(session, actor=actor, organization_id=scrim.organization_id)
    entry = await _entry_of(session, scrim, member)
    if entry.checked_in_at is not None:
        raise InvalidInput("You have already checked in.", code=ScrimCode.ALREADY_CHECKED_IN)
    if scrim.status != ScrimStatus.POPPED:
        raise InvalidInput(
            "This scrim has not popped yet; check in once it is full.", code=ScrimCode.NOT_POPPED
        )
    assert scrim.check_in_deadline is not None
    if now >= scrim.check_in_deadline:
        closed = await service.organization_time(
            session, organization_id=scrim.organization_id, moment=scrim.check_in_deadline
        )
        raise InvalidInput(
            f"The check-in window closed at {closed}.",
            code=ScrimCode.CHECK_IN_CLOSED,
        )
    entry.checked_in_at = now
    entries = await service.active_entries(session, scrim_id=scrim.id)
    if all(e.checked_in_at is not None for e in entries):
        await _start(session, scrim, entries, now)
        await notices.scrim_started(session, scrim=scrim)
    await service.announce(session, scrim=scrim, now=now)
    return scrim


async def _start(
    session: AsyncSession, scrim: Scrim, entries: Sequence[ScrimEntry], now: dt.datetime
) -> None:
    """Balanced teams (premade groups together), the games' line-ups, and the lobby."""
    team_size = await _team_size(session, scrim)
    member_ids = [e.member_id for e in entries]
    skills = await ratings.current_skills(
        session, member_ids=member_ids, game_mode_id=scrim.game_mode_id
    )
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
        round_robin=scrim.team_mode == ScrimTeamMode.ROUND_ROBIN,
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
    scrim.status = ScrimStatus.IN_PROGRESS
    scrim.started_at = now
    scrim.check_in_deadline = None
    scrim.lobby_name = f"sprocket{scrim.id}{secrets.choice(_CODE_ALPHABET)}".lower()[:32]
    scrim.lobby_password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(8))
