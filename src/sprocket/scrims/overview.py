"""What a player's pages show: one scrim as its viewer may see it, where a member stands in
the organization's scrims, and their place in the matchmaking queue's line.

Anyone may see a scrim's summary (:class:`~sprocket.scrims.service.ScrimSummary`); who sits
in it, the check-ins, the line-ups and the lobby's name and password are for those
:func:`~sprocket.scrims.service.can_see_lobby` lets in: the scrim's seated players and the
organization's staff. These are reads only: every action goes through
:mod:`~sprocket.scrims.lifecycle` and :mod:`~sprocket.scrims.matchmaking`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import rows_by_ids
from sprocket.identity.access import Actor
from sprocket.league.models import GameMode, League, Member, Player, SkillGroup
from sprocket.scrims import matchmaking, service
from sprocket.scrims.models import QueueTicket, Scrim, ScrimGroup


@dataclass(frozen=True)
class Seat:
    """A taken seat, as the scrim's insiders see it: the member, their skill group in a
    league of the scrim's mode, whether they checked in, their team once drawn (0 home,
    1 away), whether they came in a premade group, and whether it is the viewer's."""

    member_id: int
    name: str
    skill_group: SkillGroup | None
    checked_in: bool
    team: int | None
    grouped: bool
    mine: bool


@dataclass(frozen=True)
class Lineup:
    """One game of a started scrim: its number and the members' names on each side."""

    number: int
    home: list[str]
    away: list[str]


@dataclass(frozen=True)
class ScrimView:
    """A scrim as one viewer may see it. ``insider``: the viewer may see who plays and the
    lobby; ``seats``, ``lineups`` and ``lobby`` (name, password: once started) are empty
    for everyone else. ``seated``, ``checked_in`` and ``group_code`` are the viewer's own
    seat's (their premade group's code, to share)."""

    scrim: Scrim
    summary: service.ScrimSummary
    insider: bool
    seated: bool
    checked_in: bool
    group_code: str | None
    seats: list[Seat]
    lineups: list[Lineup]
    lobby: tuple[str, str] | None


@dataclass(frozen=True)
class QueuePlace:
    """A waiting member's ticket and place in its queue's line: ``position`` 1 is the
    longest waiting; ``waiting`` counts the queue's tickets, ``lobby_size`` the players a
    lobby takes."""

    ticket: QueueTicket
    game_mode: GameMode
    skill_group: SkillGroup | None
    position: int
    waiting: int
    lobby_size: int


@dataclass(frozen=True)
class QueueLine:
    """How many wait in one queue (counts only, no names), with its game mode and skill
    group (casual: none)."""

    game_mode: GameMode
    skill_group: SkillGroup | None
    waiting: int
    lobby_size: int


@dataclass(frozen=True)
class ModeGroup:
    """A skill group a member plays in, and the game mode of its league."""

    game_mode: GameMode
    skill_group: SkillGroup


@dataclass(frozen=True)
class PlayerState:
    """Where a member stands in the organization's scrims: their current scrim, their place
    in the queue while they wait, and the skill groups they may open competitive scrims or
    queue in (best first within a mode)."""

    member: Member
    scrim: Scrim | None
    place: QueuePlace | None
    skill_groups: list[ModeGroup]


async def _viewer_member(
    session: AsyncSession, actor: Actor, organization_id: int
) -> Member | None:
    """The viewer's current membership of the organization, if they have one."""
    if actor.user_id is None:
        return None
    return await session.scalar(
        select(Member).where(
            Member.organization_id == organization_id,
            Member.user_id == actor.user_id,
            Member.left_at.is_(None),
        )
    )


async def scrim_view(session: AsyncSession, *, actor: Actor, scrim_id: int) -> ScrimView:
    """Scrim ``scrim_id`` as ``actor`` (anyone, the spectator too) may see it (see
    :class:`ScrimView`). A fixed number of statements. Raises NOT_FOUND."""
    scrim = await service.get_scrim(session, scrim_id=scrim_id, lock=False)
    [summary] = await service.summarize(session, scrims=[scrim])
    insider = await service.can_see_lobby(session, actor=actor, scrim=scrim)
    member = await _viewer_member(session, actor, scrim.organization_id)
    entries = await service.active_entries(session, scrim_id=scrim.id)
    mine = next((e for e in entries if member is not None and e.member_id == member.id), None)
    code = None
    if mine is not None and mine.group_id is not None:
        code = await session.scalar(select(ScrimGroup.code).where(ScrimGroup.id == mine.group_id))
    seats: list[Seat] = []
    lineups: list[Lineup] = []
    lobby = None
    if insider:
        people = await rows_by_ids(session, Member, [e.member_id for e in entries])
        groups = await service.skill_groups_of(
            session, [(e.member_id, scrim.game_mode_id) for e in entries]
        )
        seats = [
            Seat(
                member_id=e.member_id,
                name=people[e.member_id].name,
                skill_group=groups.get((e.member_id, scrim.game_mode_id)),
                checked_in=e.checked_in_at is not None,
                team=e.team,
                grouped=e.group_id is not None,
                mine=e is mine,
            )
            for e in entries
        ]
        lineups = await _lineups(session, scrim)
        if scrim.lobby_name is not None and scrim.lobby_password is not None:
            lobby = (scrim.lobby_name, scrim.lobby_password)
    return ScrimView(
        scrim=scrim,
        summary=summary,
        insider=insider,
        seated=mine is not None,
        checked_in=mine is not None and mine.checked_in_at is not None,
        group_code=code,
        seats=seats,
        lineups=lineups,
        lobby=lobby,
    )


async def _lineups(session: AsyncSession, scrim: Scrim) -> list[Lineup]:
    games = await service.game_lineups_of(session, scrim.id)

    def ids(text: str) -> list[int]:
        return [int(v) for v in text.split(",") if v]

    everyone = {m for g in games for m in ids(g.home_member_ids) + ids(g.away_member_ids)}
    names = {m.id: m.name for m in (await rows_by_ids(session, Member, list(everyone))).values()}
    return [
        Lineup(
            number=g.number,
            home=[names.get(m, "?") for m in ids(g.home_member_ids)],
            away=[names.get(m, "?") for m in ids(g.away_member_ids)],
        )
        for g in games
    ]


async def _place(session: AsyncSession, ticket: QueueTicket) -> QueuePlace:
    """The ticket's place in its queue's line (longest wait first, as lobbies form)."""
    group = (
        QueueTicket.skill_group_id.is_(None)
        if ticket.skill_group_id is None
        else QueueTicket.skill_group_id == ticket.skill_group_id
    )
    same_queue = (
        QueueTicket.organization_id == ticket.organization_id,
        QueueTicket.game_mode_id == ticket.game_mode_id,
        group,
        QueueTicket.active.is_(True),
    )
    waiting = await session.scalar(select(func.count()).where(*same_queue)) or 0
    ahead = await session.scalar(
        select(func.count()).where(
            *same_queue,
            tuple_(QueueTicket.joined_at, QueueTicket.id) < tuple_(ticket.joined_at, ticket.id),
        )
    )
    mode = await session.get(GameMode, ticket.game_mode_id)
    assert mode is not None
    skill_group = (
        await session.get(SkillGroup, ticket.skill_group_id) if ticket.skill_group_id else None
    )
    return QueuePlace(
        ticket=ticket,
        game_mode=mode,
        skill_group=skill_group,
        position=(ahead or 0) + 1,
        waiting=waiting,
        lobby_size=2 * mode.team_size,
    )


async def my_queue_place(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> QueuePlace | None:
    """The caller's ticket and place in line while they wait in the organization's queue
    (see :class:`QueuePlace`), else None. Raises UNAUTHENTICATED, PERMISSION_DENIED (not a
    member)."""
    ticket = await matchmaking.my_ticket(session, actor=actor, organization_id=organization_id)
    return None if ticket is None else await _place(session, ticket)


async def player_state(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> PlayerState | None:
    """Where ``actor`` stands in the organization's scrims (see :class:`PlayerState`); None
    for the spectator and for a user who is no member of it (they take part in nothing).
    Raises nothing."""
    member = await _viewer_member(session, actor, organization_id)
    if member is None:
        return None
    entry = await service.current_entry(session, member_id=member.id)
    scrim = None if entry is None else await session.get(Scrim, entry.scrim_id)
    ticket = await service.current_ticket(session, member_id=member.id)
    place = None if ticket is None else await _place(session, ticket)
    rows = await session.execute(
        select(GameMode, SkillGroup)
        .join(League, League.game_mode_id == GameMode.id)
        .join(Player, Player.league_id == League.id)
        .join(SkillGroup, SkillGroup.id == Player.skill_group_id)
        .where(Player.member_id == member.id, League.organization_id == organization_id)
        .order_by(GameMode.team_size, SkillGroup.ordinal, League.id)
    )
    groups = [ModeGroup(mode, group) for mode, group in rows.all()]
    return PlayerState(member=member, scrim=scrim, place=place, skill_groups=groups)


async def queue_lines(session: AsyncSession, *, organization_id: int) -> list[QueueLine]:
    """How many wait in each queue of the organization that holds anyone, as
    :func:`~sprocket.scrims.matchmaking.queue_sizes` orders them, with the game modes and
    skill groups themselves. Raises NOT_FOUND (organization)."""
    sizes = await matchmaking.queue_sizes(session, organization_id=organization_id)
    modes = await rows_by_ids(session, GameMode, list({s.game_mode_id for s in sizes}))
    groups = await rows_by_ids(
        session, SkillGroup, [s.skill_group_id for s in sizes if s.skill_group_id]
    )
    return [
        QueueLine(
            game_mode=modes[s.game_mode_id],
            skill_group=groups.get(s.skill_group_id) if s.skill_group_id else None,
            waiting=s.waiting,
            lobby_size=s.lobby_size,
        )
        for s in sizes
    ]


async def queue_channels(
    session: AsyncSession, *, organization_id: int, member_id: int | None = None
) -> list[str]:
    """The pub/sub channels a page of the organization's queues listens to: each game mode's
    queue channel (as the ``scrimQueue`` subscription's), and the member's own channel
    (``member_id``; as ``myScrimUpdates``'), which also hears of a mode the catalog gains
    later. Raises nothing."""
    mode_ids = await session.scalars(select(GameMode.id).order_by(GameMode.id))
    channels = [service.queue_channel(organization_id, mode_id) for mode_id in mode_ids]
    if member_id is not None:
        channels.append(service.member_channel(member_id))
    return channels
