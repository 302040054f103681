"""What the scrims tell their players (through :func:`sprocket.notifications.service.notify`,
in the transaction of the change): a scrim opened in their skill group, their scrim popped
(check in: the button ``checkin:<scrim id>`` of the Discord door), it started (the lobby's
name and password, never posted in a channel), and a queue ban (why, until when)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import for_people
from sprocket.league import service as league
from sprocket.league.models import GameMode, League, Member, Player
from sprocket.notifications.channels import Place
from sprocket.notifications.enums import ChannelPurpose, NotificationKind
from sprocket.notifications.message import Button, ButtonStyle
from sprocket.notifications.service import Notice, notify
from sprocket.scrims import service
from sprocket.scrims.models import QueueBan, Scrim


def _place(scrim: Scrim) -> Place:
    """The scrims channel of the scrim's skill group (0: casual scrims)."""
    return Place(ChannelPurpose.SCRIMS, scrim.skill_group_id or 0)


async def _mode(session: AsyncSession, scrim: Scrim) -> str:
    mode = await session.get(GameMode, scrim.game_mode_id)
    return mode.name if mode else "scrim"


async def _seated_users(session: AsyncSession, scrim: Scrim) -> list[int]:
    entries = await service.active_entries(session, scrim_id=scrim.id)
    rows = await session.scalars(
        select(Member.user_id).where(Member.id.in_([e.member_id for e in entries]))
    )
    return list(rows.all())


async def scrim_created(session: AsyncSession, *, scrim: Scrim) -> None:
    """Tell the players of a competitive scrim's skill group (its creator aside) that it
    opened, and post it in the skill group's scrims channel with its role (a casual scrim:
    the casual scrims channel only). No permission check: the caller's."""
    recipients: list[int] = []
    if scrim.skill_group_id is not None:
        rows = await session.scalars(
            select(Member.user_id)
            .join(Player, Player.member_id == Member.id)
            .join(League, League.id == Player.league_id)
            .where(
                Player.skill_group_id == scrim.skill_group_id,
                League.game_mode_id == scrim.game_mode_id,
                Member.left_at.is_(None),
                Member.id != scrim.created_by_member_id,
            )
        )
        recipients = list(set(rows.all()))
    mode = await _mode(session, scrim)
    kind = "competitive" if scrim.competitive else "casual"
    await notify(
        session,
        organization_id=scrim.organization_id,
        kind=NotificationKind.SCRIM_CREATED,
        recipients=recipients,
        notice=Notice(
            f"A {kind} {mode} scrim opened",
            f"Scrim {scrim.id} ({scrim.games} games) waits for players: join it.",
            link=f"/scrims/{scrim.id}",
        ),
        key=f"scrim_created:{scrim.id}",
        places=[_place(scrim)],
    )


async def scrim_popped(session: AsyncSession, *, scrim: Scrim) -> None:
    """Tell each seated player that the scrim popped, with its check-in deadline and a
    Check in button (once per pop: a scrim that pops again after a missed check-in tells
    them again). No permission check: the caller's."""
    assert scrim.popped_at is not None and scrim.check_in_deadline is not None
    deadline = await service.organization_time(
        session, organization_id=scrim.organization_id, moment=scrim.check_in_deadline
    )
    await notify(
        session,
        organization_id=scrim.organization_id,
        kind=NotificationKind.SCRIM_POPPED,
        recipients=await _seated_users(session, scrim),
        notice=Notice(
            f"Scrim {scrim.id} popped: check in",
            f"Your {await _mode(session, scrim)} scrim is full. Check in by {deadline}, or "
            "you lose your seat and are banned from the queue for a while.",
            link=f"/scrims/{scrim.id}",
            buttons=(
                Button("Check in", custom_id=f"checkin:{scrim.id}", style=ButtonStyle.SUCCESS),
            ),
        ),
        key=f"scrim_popped:{scrim.id}:{int(scrim.popped_at.timestamp())}",
        places=[_place(scrim)],
    )


async def scrim_started(session: AsyncSession, *, scrim: Scrim) -> None:
    """Tell each player of the scrim that it started, with the lobby's name and password
    (by direct message and in the inbox only: never in a channel). No permission check:
    the caller's."""
    await notify(
        session,
        organization_id=scrim.organization_id,
        kind=NotificationKind.SCRIM_STARTED,
        recipients=await _seated_users(session, scrim),
        notice=Notice(
            f"Scrim {scrim.id} started",
            f"Everyone checked in. Lobby name: {scrim.lobby_name}; password: "
            f"{scrim.lobby_password}. Your teams are on the scrim's page.",
            link=f"/scrims/{scrim.id}",
        ),
        key=f"scrim_started:{scrim.id}",
    )


async def queue_banned(session: AsyncSession, *, ban: QueueBan) -> None:
    """Tell the banned member why and until when they are kept out of the scrim queue.
    No permission check: the caller's."""
    user_id = await session.scalar(select(Member.user_id).where(Member.id == ban.member_id))
    zone = await league.organization_zone(session, ban.organization_id)
    await notify(
        session,
        organization_id=ban.organization_id,
        kind=NotificationKind.QUEUE_BAN,
        recipients=[user_id] if user_id is not None else [],
        notice=Notice(
            "You are banned from the scrim queue",
            f"Until {for_people(ban.ends_at, zone)}: {ban.reason}.",
            link="/scrims",
        ),
        key=f"queue_ban:{ban.id}",
    )
