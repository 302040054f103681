"""What the staff's scrim page shows: the organization's unfinished scrims with who sits in
them, the queue bans in force, the members staff may ban, and the audit trail of staff
actions on scrims and the queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import rows_by_ids
from sprocket.identity.access import Actor
from sprocket.league import access, members
from sprocket.league.audit_trail import TrailEntry, trail
from sprocket.league.models import GameMode, Member, SkillGroup
from sprocket.scrims import bans, service
from sprocket.scrims.enums import ScrimStatus

#: The most members the ban form offers (by name).
BAN_CHOICES = 500


@dataclass(frozen=True)
class StaffScrimLine:
    """An unfinished scrim as staff see it: its settings, state, and the players seated
    (by name, first joined first)."""

    id: int
    game_mode: str
    competitive: bool
    skill_group: str | None
    status: ScrimStatus
    created_at: dt.datetime
    seats: int
    players: list[str]


@dataclass(frozen=True)
class BanLine:
    """A queue ban in force: whom, why, from when until when (UTC)."""

    id: int
    member_id: int
    member: str
    reason: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class ScrimAdministration:
    scrims: list[StaffScrimLine]
    bans: list[BanLine]
    #: The current members staff may ban, as (member id, name), by name.
    members: list[tuple[int, str]]
    trail: list[TrailEntry]


async def scrim_administration(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> ScrimAdministration:
    """The staff's scrim page of an organization (:class:`ScrimAdministration`): its
    unfinished scrims oldest first, the queue bans in force newest first, up to
    :data:`BAN_CHOICES` current members, and the latest 50 staff actions on scrims and
    bans. A fixed number of statements. Raises UNAUTHENTICATED, PERMISSION_DENIED (not
    staff of the organization)."""
    await access.require_staff_anywhere(session, actor, organization_id, "administer scrims")
    scrims = await service.list_scrims(session, organization_id=organization_id)
    seated = await service.seated_entries(session, scrim_ids=[s.id for s in scrims])
    in_force = await bans.list_bans(session, actor=actor, organization_id=organization_id)
    people = await rows_by_ids(
        session,
        Member,
        [e.member_id for entries in seated.values() for e in entries]
        + [b.member_id for b in in_force],
    )
    modes = await rows_by_ids(session, GameMode, list({s.game_mode_id for s in scrims}))
    groups = await rows_by_ids(
        session, SkillGroup, [s.skill_group_id for s in scrims if s.skill_group_id]
    )
    current = await members.current_members(
        session, organization_id=organization_id, first=BAN_CHOICES
    )
    return ScrimAdministration(
        scrims=[
            StaffScrimLine(
                id=s.id,
                game_mode=modes[s.game_mode_id].name,
                competitive=s.competitive,
                skill_group=groups[s.skill_group_id].name if s.skill_group_id in groups else None,
                status=s.status,
                created_at=s.created_at,
                seats=2 * modes[s.game_mode_id].team_size,
                players=[people[e.member_id].name for e in seated.get(s.id, [])],
            )
            for s in scrims
        ],
        bans=[
            BanLine(
                id=b.id,
                member_id=b.member_id,
                member=people[b.member_id].name,
                reason=b.reason,
                starts_at=b.starts_at,
                ends_at=b.ends_at,
            )
            for b in in_force
        ],
        members=[(m.id, m.name) for m in current],
        trail=await trail(
            session,
            actor=actor,
            organization_id=organization_id,
            action_prefixes=("scrim.", "queue_ban."),
        ),
    )
