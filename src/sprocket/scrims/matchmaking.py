"""The matchmaking queue: members wait in the queue of a game mode and the league forms their
lobbies, players of similar skill together and the longest-waiting first.

Entering and leaving
--------------------
A member *enters the queue* of a game mode in an organization, saying until when they will
wait (1 minute to 24 hours, as for scrims). A competitive ticket is for their skill group in a
league of that mode (chosen as :func:`~sprocket.scrims.lifecycle.create_scrim` chooses it: the
given group if it is theirs, else their first); a casual ticket is open to everyone. A *queue*
is one (organization, game mode, skill group or casual). Entering asks what joining a scrim
asks (scrims enabled, a member, not banned, in no scrim) and a member holds one ticket at a
time (``ALREADY_QUEUED``); while they hold it they cannot take a scrim seat either. They may
leave the queue until they are placed.

Forming lobbies
---------------
Whenever a queue holds a lobby's worth of tickets (2 x team size),
:func:`~sprocket.ratings.balance.form_lobbies` groups them (its module docstring has the
policy): each player's rating in the mode (a newcomer: a new rating) and the moment they
entered as ``wait_since``. Formed at once, a queue never holds more than one lobby, so every
lobby is simply the next players in line; an organization that wants lobbies of closer skill
sets ``scrim_queue_gather_seconds``: the queue then gathers players until its longest waiter
has waited that long or it holds a full window of the lobby former (three lobbies' worth),
and forms from that larger pool. Each lobby becomes a scrim that has already *popped* (the
organization's check-in window), its players seated with the time they entered the queue and
their wait; fixed teams, ``scrim_queue_games`` games (an organization setting, 3 by default).
From then on it is an ordinary scrim: the last check-in starts it with balanced teams; a
missed check-in bans the missing, cancels the scrim and returns the others to the queue with
their first entry time, so they keep their place (:func:`requeue`). Tickets left over stay
queued. Lobbies are formed when someone enters a queue and on every
:func:`~sprocket.scrims.timeouts.sweep`, which also ends the tickets whose wait ran out. While
staff have turned scrims off, nothing is formed.

Tickets are rows (``scrim_queue_tickets``), so a restart keeps the queue.

Concurrency
-----------
Forming first takes the queue (a transaction-scoped advisory lock on PostgreSQL; SQLite
serializes writers anyway) and then its tickets with ``SELECT ... FOR UPDATE``. The queue
lock makes two players who fill the last places at the same moment form their lobby: the
second to get the lock sees the first's committed ticket. The ticket locks make a ticket
placed once, and never after its holder left. A member's own joins and entries wait for each
other (:func:`~sprocket.scrims.admission.require_may_queue` locks their member row), so nobody
takes a seat and a ticket at once; should a seat appear anyway, the unique index of active
seats refuses the second one and that ticket is ended instead of placed. The partial unique index
``uq_scrim_queue_tickets_active_member`` keeps a member's active tickets to one.

Every change publishes ``event.publish`` messages (outbox, after commit) on the game mode's
queue channel and the member's channel, like the scrims' own events; a formed scrim is
announced as any scrim change is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import advisory_lock, utcnow
from sprocket.errors import Conflict, InvalidInput, NotFound
from sprocket.identity.access import Actor
from sprocket.league import service as league
from sprocket.league.configuration import OrganizationConfig
from sprocket.league.models import GameMode, Organization, SkillGroup
from sprocket.platform.outbox import enqueue
from sprocket.ratings import service as ratings
from sprocket.ratings.balance import DEFAULT_WINDOW_LOBBIES, Entrant, form_lobbies
from sprocket.scrims import admission, lifecycle, notices, service
from sprocket.scrims.enums import ScrimStatus, ScrimTeamMode, TicketStatus
from sprocket.scrims.errors import ScrimCode
from sprocket.scrims.models import QueueTicket, Scrim, ScrimEntry


@dataclass(frozen=True)
class Queue:
    """One queue: a game mode of an organization, for one skill group or casual (None)."""

    organization_id: int
    game_mode_id: int
    skill_group_id: int | None

    @classmethod
    def of(cls, ticket: QueueTicket) -> Queue:
        return cls(ticket.organization_id, ticket.game_mode_id, ticket.skill_group_id)

    @property
    def lock_name(self) -> str:
        group = "casual" if self.skill_group_id is None else self.skill_group_id
        return f"sprocket:scrim-queue:{self.organization_id}:{self.game_mode_id}:{group}"


@dataclass(frozen=True)
class QueueSize:
    """How many wait in one queue (counts only: no names)."""

    game_mode_id: int
    skill_group_id: int | None
    waiting: int
    lobby_size: int


@dataclass(frozen=True)
class QueueSweep:
    """What a sweep of the queues did: tickets ended for a wait that ran out, and the ids of
    the scrims it formed."""

    expired_tickets: int
    formed_scrim_ids: list[int]


# -- reading ---------------------------------------------------------------------------------


async def my_ticket(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> QueueTicket | None:
    """The caller's ticket while they wait in the organization's queue, if they do.
    Raises UNAUTHENTICATED, PERMISSION_DENIED (not a member)."""
    member = await service.member_of(session, actor=actor, organization_id=organization_id)
    return await service.current_ticket(session, member_id=member.id)


async def queue_sizes(
    session: AsyncSession, *, organization_id: int, game_mode: str | None = None
) -> list[QueueSize]:
    """How many wait in each queue of the organization (optionally one game mode, by code)
    that holds anyone: by game mode id, competitive skill groups best first, casual last.
    Raises NOT_FOUND (organization, game mode)."""
    if await session.get(Organization, organization_id) is None:
        raise NotFound(f"There is no organization with id {organization_id}.")
    query = (
        select(
            QueueTicket.game_mode_id,
            QueueTicket.skill_group_id,
            func.count(),
            GameMode.team_size,
            SkillGroup.ordinal,
        )
        .join(GameMode, GameMode.id == QueueTicket.game_mode_id)
        .outerjoin(SkillGroup, SkillGroup.id == QueueTicket.skill_group_id)
        .where(QueueTicket.organization_id == organization_id, QueueTicket.active.is_(True))
        .group_by(
            QueueTicket.game_mode_id,
            QueueTicket.skill_group_id,
            GameMode.team_size,
            SkillGroup.ordinal,
        )
    )
    if game_mode is not None:
        mode = await league.game_mode_by_code(session, game_mode)
        query = query.where(QueueTicket.game_mode_id == mode.id)
    rows = sorted(
        (await session.execute(query)).all(),
        key=lambda r: (r[0], r[1] is None, r[4] or 0, r[1] or 0),
    )
    return [QueueSize(mode_id, group_id, n, 2 * size) for mode_id, group_id, n, size, _ in rows]


# -- events ----------------------------------------------------------------------------------


def _announce(session: AsyncSession, ticket: QueueTicket, now: dt.datetime) -> None:
    """Tell the queue's channel and the member that the ticket changed (after commit)."""
    event = {
        "ticket_id": ticket.id,
        "status": ticket.status,
        "skill_group_id": ticket.skill_group_id,
        "at": now.isoformat(),
    }
    for channel in (
        service.queue_channel(ticket.organization_id, ticket.game_mode_id),
        service.member_channel(ticket.member_id),
    ):
        enqueue(session, "event.publish", channel=channel, event=event)


def _end(
    session: AsyncSession, ticket: QueueTicket, status: TicketStatus, now: dt.datetime
) -> None:
    ticket.active = False
    ticket.status = status
    ticket.left_at = now
    if status != TicketStatus.PLACED:  # a placed ticket is announced with its scrim
        _announce(session, ticket, now)


# -- entering and leaving --------------------------------------------------------------------


async def enter_queue(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    game_mode: str,
    wait_until: dt.datetime | dt.timedelta,
    competitive: bool = True,
    skill_group_id: int | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """A member enters the queue of a game mode (competitive: their skill group's; casual:
    everyone's) until ``wait_until`` (a moment, or how long from now: 1 minute to 24 hours);
    a queue that now holds a lobby's worth forms lobbies at once, so the ticket returned may
    already be placed in a popped scrim. Who may act is checked first (a member of the
    organization), then the rest as for :func:`~sprocket.scrims.lifecycle.create_scrim`.

    Raises UNAUTHENTICATED, NOT_FOUND (organization, game mode), PERMISSION_DENIED (not a
    member), SCRIMS_DISABLED, QUEUE_BANNED, ALREADY_IN_SCRIM, ALREADY_QUEUED, INVALID_WAIT,
    NO_SKILL_GROUP, WRONG_SKILL_GROUP.
    """
    now = now or utcnow()
    member, config = await admission.require_may_queue(
        session, actor=actor, organization_id=organization_id, now=now
    )
    mode = await league.game_mode_by_code(session, game_mode)
    wait_until = admission.wait_deadline(wait_until, now)
    group_id = await admission.queue_skill_group(
        session, member=member, mode=mode, competitive=competitive, skill_group_id=skill_group_id
    )
    ticket = QueueTicket(
        organization_id=organization_id,
        game_mode_id=mode.id,
        skill_group_id=group_id,
        member_id=member.id,
        joined_at=now,
        wait_until=wait_until,
        active=True,
        status=TicketStatus.QUEUED,
    )
    # The unique index of active tickets: the same member entered a moment ago.
    await service.add_once(
        session,
        row=ticket,
        taken=Conflict(
            "You are already waiting in the scrim queue; leave it first.",
            code=ScrimCode.ALREADY_QUEUED,
        ),
    )
    _announce(session, ticket, now)
    await form_queue_lobbies(session, queue=Queue.of(ticket), now=now, config=config)
    return ticket


async def leave_queue(
    session: AsyncSession, *, actor: Actor, organization_id: int, now: dt.datetime | None = None
) -> QueueTicket:
    """The caller stops waiting in the organization's queue (before they are placed).
    Returns the ended ticket. Raises UNAUTHENTICATED, PERMISSION_DENIED (not a member),
    NOT_QUEUED."""
    now = now or utcnow()
    member = await service.member_of(session, actor=actor, organization_id=organization_id)
    ticket = await session.scalar(
        select(QueueTicket)
        .where(QueueTicket.member_id == member.id, QueueTicket.active.is_(True))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if ticket is None:
        raise InvalidInput("You are not waiting in the scrim queue.", code=ScrimCode.NOT_QUEUED)
    _end(session, ticket, TicketStatus.LEFT, now)
    await session.flush()
    return ticket


# -- forming lobbies -------------------------------------------------------------------------


async def _queued(session: AsyncSession, queue: Queue) -> list[QueueTicket]:
    """The queue's active tickets, locked, longest wait first."""
    group = (
        QueueTicket.skill_group_id.is_(None)
        if queue.skill_group_id is None
        else QueueTicket.skill_group_id == queue.skill_group_id
    )
    rows = await session.scalars(
        select(QueueTicket)
        .where(
            QueueTicket.organization_id == queue.organization_id,
            QueueTicket.game_mode_id == queue.game_mode_id,
            group,
            QueueTicket.active.is_(True),
        )
        .order_by(QueueTicket.joined_at, QueueTicket.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def _drop_seated(
    session: AsyncSession, tickets: list[QueueTicket], now: dt.datetime
) -> list[QueueTicket]:
    """End the tickets of members who hold a scrim seat; the rest, in order."""
    if not tickets:
        return tickets
    seated = set(
        await session.scalars(
            select(ScrimEntry.member_id).where(
                ScrimEntry.member_id.in_([t.member_id for t in tickets]),
                ScrimEntry.active.is_(True),
            )
        )
    )
    for ticket in tickets:
        if ticket.member_id in seated:
            _end(session, ticket, TicketStatus.LEFT, now)
    return [t for t in tickets if t.active]


async def _open(
    session: AsyncSession,
    queue: Queue,
    anchor: QueueTicket,
    tickets: list[QueueTicket],
    config: OrganizationConfig,
    now: dt.datetime,
) -> Scrim:
    """A popped scrim with the lobby's players seated as they entered the queue."""
    scrim = Scrim(
        organization_id=queue.organization_id,
        game_mode_id=queue.game_mode_id,
        skill_group_id=queue.skill_group_id,
        competitive=queue.skill_group_id is not None,
        team_mode=ScrimTeamMode.FIXED,
        games=config["scrim_queue_games"],
        status=ScrimStatus.PENDING,
        created_by_member_id=anchor.member_id,
        created_at=now,
        version=0,
    )
    session.add(scrim)
    await session.flush()
    for ticket in tickets:
        session.add(
            ScrimEntry(
                scrim_id=scrim.id,
                member_id=ticket.member_id,
                joined_at=ticket.joined_at,
                wait_until=ticket.wait_until,
                active=True,
            )
        )
    lifecycle.pop_scrim(scrim, config, now)
    await session.flush()
    return scrim


def _ready(
    waiting: list[QueueTicket], lobby_size: int, config: OrganizationConfig, now: dt.datetime
) -> bool:
    """A lobby's worth waits, and the queue is done gathering (if it gathers at all)."""
    if len(waiting) < lobby_size:
        return False
    gather = dt.timedelta(seconds=config["scrim_queue_gather_seconds"])
    full_window = len(waiting) >= DEFAULT_WINDOW_LOBBIES * lobby_size
    return full_window or now - waiting[0].joined_at >= gather


async def form_queue_lobbies(
    session: AsyncSession,
    *,
    queue: Queue,
    now: dt.datetime,
    config: OrganizationConfig | None = None,
    wait: bool = True,
) -> list[Scrim]:
    """Form every lobby the queue holds (see the module docstring) and return their scrims
    (popped), in the order formed. ``now``: UTC; ``config``: the organization's, read when
    not given. Expired tickets found on the way are ended; without ``wait``, a queue another
    transaction is forming is left to it; nothing is formed while scrims are turned off.
    Raises CONFLICT only if the queue changed in a way it cannot tell (not expected)."""
    config = config or await league.organization_config(session, queue.organization_id)
    if not config["scrims_enabled"]:
        return []
    if not await advisory_lock(session, queue.lock_name, wait=wait):
        return []
    waiting = []
    for ticket in await _queued(session, queue):
        if ticket.wait_until <= now:
            _end(session, ticket, TicketStatus.EXPIRED, now)
        else:
            waiting.append(ticket)
    mode = await session.get(GameMode, queue.game_mode_id)
    assert mode is not None
    formed: list[Scrim] = []
    if _ready(waiting, 2 * mode.team_size, config, now):
        waiting = await _drop_seated(session, waiting, now)
        skills = await ratings.current_skills(
            session, member_ids=[t.member_id for t in waiting], game_mode_id=mode.id
        )
        while len(waiting) >= 2 * mode.team_size:
            by_id = {t.id: t for t in waiting}
            entrants = [
                Entrant(t.id, skills[t.member_id], t.joined_at.timestamp()) for t in waiting
            ]
            refused = False
            for lobby in form_lobbies(entrants, team_size=mode.team_size):
                tickets = sorted(
                    (by_id[p.key] for p in lobby.players), key=lambda t: (t.joined_at, t.id)
                )
                try:
                    async with session.begin_nested():
                        scrim = await _open(
                            session, queue, by_id[lobby.anchor.key], tickets, config, now
                        )
                except IntegrityError:  # a member took a seat elsewhere after we looked
                    refused = True
                    break
                formed.append(scrim)
                for ticket in tickets:
                    _end(session, ticket, TicketStatus.PLACED, now)
                    ticket.scrim_id = scrim.id
            waiting = [t for t in waiting if t.active]
            if not refused:
                break
            still = len(waiting)
            waiting = await _drop_seated(session, waiting, now)
            if len(waiting) == still:  # pragma: no cover - the index refused nobody we know
                raise Conflict("The queue changed while forming lobbies; try again.")
    await session.flush()
    for scrim in formed:
        await service.announce(session, scrim=scrim, now=now)
        await notices.scrim_popped(session, scrim=scrim)
    return formed


async def requeue(
    session: AsyncSession, scrim: Scrim, entries: Sequence[ScrimEntry], *, now: dt.datetime
) -> bool:
    """A scrim this queue formed did not fill its check-in: the players still seated (who
    checked in) enter its queue again with their first entry time, so they keep their place,
    and the waits their seats now hold. False when the scrim did not come from the queue."""
    placed = {
        t.member_id: t
        for t in await session.scalars(select(QueueTicket).where(QueueTicket.scrim_id == scrim.id))
    }
    if not placed:
        return False
    for entry in entries:
        first = placed.get(entry.member_id)
        ticket = QueueTicket(
            organization_id=scrim.organization_id,
            game_mode_id=scrim.game_mode_id,
            skill_group_id=scrim.skill_group_id,
            member_id=entry.member_id,
            joined_at=first.joined_at if first else entry.joined_at,
            wait_until=entry.wait_until,
            active=True,
            status=TicketStatus.QUEUED,
        )
        session.add(ticket)
        await session.flush()
        _announce(session, ticket, now)
    return True


# -- time-outs -------------------------------------------------------------------------------


async def expire_tickets(session: AsyncSession, *, now: dt.datetime) -> int:
    """End every ticket whose wait ran out (one held by another transaction is left to it);
    returns how many."""
    tickets = (
        await session.scalars(
            select(QueueTicket)
            .where(QueueTicket.active.is_(True), QueueTicket.wait_until <= now)
            .order_by(QueueTicket.id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    ).all()
    for ticket in tickets:
        _end(session, ticket, TicketStatus.EXPIRED, now)
    await session.flush()
    return len(tickets)


async def sweep_queues(session: AsyncSession, *, now: dt.datetime) -> QueueSweep:
    """End expired tickets, then form lobbies in every queue holding a lobby's worth (a queue
    another transaction is forming is skipped)."""
    expired = await expire_tickets(session, now=now)
    rows = await session.execute(
        select(QueueTicket.organization_id, QueueTicket.game_mode_id, QueueTicket.skill_group_id)
        .join(GameMode, GameMode.id == QueueTicket.game_mode_id)
        .where(QueueTicket.active.is_(True))
        .group_by(
            QueueTicket.organization_id,
            QueueTicket.game_mode_id,
            QueueTicket.skill_group_id,
            GameMode.team_size,
        )
        .having(func.count() >= 2 * GameMode.team_size)
    )
    queues = sorted(
        (Queue(*row) for row in rows),
        key=lambda q: (q.organization_id, q.game_mode_id, q.skill_group_id or 0),
    )
    formed: list[int] = []
    for queue in queues:
        scrims = await form_queue_lobbies(session, queue=queue, now=now, wait=False)
        formed += [s.id for s in scrims]
    return QueueSweep(expired, formed)
