"""An organization's notification channels: for each purpose (announcements, results,
transactions, staff alerts, the scrims of each skill group, each team's or franchise's
channel) a Discord channel the bot posts in, or a webhook, and the role its posts mention.
League staff set them (each change written to the audit log); the notifier reads them.

A webhook posts without the bot (a team may own one in its own server), but Discord gives
webhooks no nonce, so a webhook post can repeat after a crash (at least once), where a
channel post is sent once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.db import utcnow
from sprocket.errors import InvalidInput, NotFound
from sprocket.identity.access import Actor
from sprocket.league import access
from sprocket.league.models import Franchise, League, SkillGroup, Team
from sprocket.notifications.enums import ChannelPurpose
from sprocket.notifications.errors import NotificationCode
from sprocket.notifications.message import ChannelTarget, Target, WebhookTarget
from sprocket.notifications.models import NotificationChannel


def snowflake_of(raw: str | None, *, what: str, field: str) -> str | None:
    """``raw`` (spaces and a ``<#...>``/``<@&...>`` wrapper removed) as a Discord id of 1 to
    20 digits; empty: None. ``what`` names it in the sentence, ``field`` in the details.
    Raises InvalidInput ``INVALID_SNOWFLAKE``."""
    value = (raw or "").strip().removeprefix("<#").removeprefix("<@&").removesuffix(">")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 20 or int(value) == 0:
        raise InvalidInput(
            f"'{value[:40]}' is not a Discord {what} id (up to 20 digits; Discord shows it "
            "with developer mode on: Copy ID).",
            code=NotificationCode.INVALID_SNOWFLAKE,
            details={"field": field},
        )
    return value


def webhook_of(raw: str | None) -> str | None:
    """``raw`` (spaces removed) as a Discord webhook's address
    (:class:`~sprocket.notifications.message.WebhookTarget`); empty: None. Raises
    InvalidInput ``INVALID_WEBHOOK``."""
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return WebhookTarget(value).url
    except InvalidInput:
        raise InvalidInput(
            "That is not a Discord webhook's address (https://discord.com/api/webhooks/<id>/"
            "<token>: Discord shows it under the channel's Integrations, Copy Webhook URL).",
            code=NotificationCode.INVALID_WEBHOOK,
            details={"field": "webhook_url"},
        ) from None


def target_of_channel(row: NotificationChannel) -> Target:
    """Where a post to the notification channel ``row`` goes: its Discord channel, else its
    webhook. Raises nothing (the row was checked when set)."""
    if row.channel_id:
        return ChannelTarget(row.channel_id)
    return WebhookTarget(row.webhook_url or "")


def purpose_of(value: ChannelPurpose | str) -> ChannelPurpose:
    """``value`` (a purpose or its text) as the purpose. Raises InvalidInput
    ``INVALID_PURPOSE``."""
    if value not in list(ChannelPurpose):
        raise InvalidInput(
            f"'{str(value)[:40]}' is no purpose of a channel. Use one of: "
            f"{', '.join(ChannelPurpose)}.",
            code=NotificationCode.INVALID_PURPOSE,
            details={"field": "purpose"},
        )
    return ChannelPurpose(value)


async def _check_scope(
    session: AsyncSession, organization_id: int, purpose: ChannelPurpose, scope_id: int
) -> None:
    """Refuse a scope the purpose does not take, or one of another organization."""
    owner: int | None = None
    if purpose == ChannelPurpose.SCRIMS and scope_id:
        owner = await session.scalar(
            select(League.organization_id)
            .join(SkillGroup, SkillGroup.league_id == League.id)
            .where(SkillGroup.id == scope_id)
        )
    elif purpose == ChannelPurpose.TEAM:
        owner = await session.scalar(
            select(League.organization_id)
            .join(Team, Team.league_id == League.id)
            .where(Team.id == scope_id)
        )
    elif purpose == ChannelPurpose.FRANCHISE:
        owner = await session.scalar(
            select(Franchise.organization_id).where(Franchise.id == scope_id)
        )
    elif not scope_id:  # an organization-wide purpose, or casual scrims
        return
    if owner != organization_id:
        wants = {
            ChannelPurpose.SCRIMS: "a skill group of this organization (or none: casual scrims)",
            ChannelPurpose.TEAM: "a team of this organization",
            ChannelPurpose.FRANCHISE: "a franchise of this organization",
        }.get(purpose, "no skill group, team or franchise")
        raise InvalidInput(
            f"A {purpose.replace('_', ' ')} channel is set for {wants}.",
            code=NotificationCode.WRONG_SCOPE,
            details={"field": "scope_id"},
        )


async def set_channel(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    purpose: ChannelPurpose | str,
    scope_id: int | None = None,
    channel_id: str | None = None,
    webhook_url: str | None = None,
    role_id: str | None = None,
) -> NotificationChannel:
    """Set where the organization's notifications of ``purpose`` go: the channel
    ``channel_id`` or the webhook ``webhook_url`` (exactly one), mentioning the role
    ``role_id`` (optional). ``scope_id``: the skill group of a scrims channel (None or 0:
    casual scrims), the team of a team channel, the franchise of a franchise channel; none
    for the other purposes. Replaces what was set for the same purpose and scope; league
    staff's act, written to the audit log. Returns the channel.
    Raises UNAUTHENTICATED, PERMISSION_DENIED, then INVALID_PURPOSE, WRONG_SCOPE,
    INVALID_SNOWFLAKE, INVALID_WEBHOOK, CHANNEL_OR_WEBHOOK (each naming its field)."""
    await access.require_staff_anywhere(
        session, actor, organization_id, "set the organization's notification channels"
    )
    chosen = purpose_of(purpose)
    scope = scope_id or 0
    await _check_scope(session, organization_id, chosen, scope)
    channel = snowflake_of(channel_id, what="channel", field="channel_id")
    webhook = webhook_of(webhook_url)
    role = snowflake_of(role_id, what="role", field="role_id")
    if (channel is None) == (webhook is None):
        raise InvalidInput(
            "Give a channel id or a webhook address, one of the two.",
            code=NotificationCode.CHANNEL_OR_WEBHOOK,
            details={"field": "channel_id"},
        )
    row = await _row(session, organization_id, chosen, scope)
    if row is None:
        row = NotificationChannel(organization_id=organization_id, purpose=chosen, scope_id=scope)
        session.add(row)
    row.channel_id, row.webhook_url, row.role_id = channel, webhook, role
    row.updated_at = utcnow()
    await session.flush()
    audit.record(
        session,
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action="notification_channel.set",
        subject=f"notification_channel:{row.id}",
        details={
            "purpose": chosen.value,
            "scope_id": scope,
            "channel_id": channel,
            "webhook": webhook is not None,  # the address is a secret: never in the log
            "role_id": role,
        },
    )
    return row


async def remove_channel(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    purpose: ChannelPurpose | str,
    scope_id: int | None = None,
) -> None:
    """Stop posting the organization's notifications of ``purpose`` (and ``scope_id``, as
    for :func:`set_channel`) on Discord; league staff's act, written to the audit log.
    Raises UNAUTHENTICATED, PERMISSION_DENIED, then INVALID_PURPOSE, CHANNEL_NOT_SET."""
    await access.require_staff_anywhere(
        session, actor, organization_id, "set the organization's notification channels"
    )
    chosen = purpose_of(purpose)
    row = await _row(session, organization_id, chosen, scope_id or 0)
    if row is None:
        raise NotFound(
            "No channel is set for that purpose here.", code=NotificationCode.CHANNEL_NOT_SET
        )
    audit.record(
        session,
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action="notification_channel.remove",
        subject=f"notification_channel:{row.id}",
        details={"purpose": chosen.value, "scope_id": row.scope_id},
    )
    await session.delete(row)
    await session.flush()


async def _row(
    session: AsyncSession, organization_id: int, purpose: ChannelPurpose, scope_id: int
) -> NotificationChannel | None:
    return await session.scalar(
        select(NotificationChannel).where(
            NotificationChannel.organization_id == organization_id,
            NotificationChannel.purpose == purpose,
            NotificationChannel.scope_id == scope_id,
        )
    )


async def organization_channels(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> list[NotificationChannel]:
    """The organization's notification channels, by purpose and scope, for its staff.
    Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    await access.require_staff_anywhere(
        session, actor, organization_id, "see the organization's notification channels"
    )
    rows = await session.scalars(
        select(NotificationChannel)
        .where(NotificationChannel.organization_id == organization_id)
        .order_by(NotificationChannel.purpose, NotificationChannel.scope_id)
    )
    return list(rows.all())


@dataclass(frozen=True)
class Place:
    """Where a notification's channel copy goes: a purpose, and the skill group, team or
    franchise of a scoped one (0: none, or casual scrims). ``mention``: the recipients (user
    ids) this copy may mention, such as a team's players in its own channel (None: every
    recipient)."""

    purpose: ChannelPurpose
    scope_id: int = 0
    mention: frozenset[int] | None = field(default=None, compare=False)


async def channel_for(
    session: AsyncSession, *, organization_id: int, place: Place
) -> NotificationChannel | None:
    """The channel set for ``place`` in the organization, if any; a team without a channel
    of its own posts in its franchise's. No permission check: the notifier's read (and the
    delivery's, for staff alerts). Raises nothing."""
    row = await _row(session, organization_id, place.purpose, place.scope_id)
    if row is None and place.purpose == ChannelPurpose.TEAM:
        franchise_id = await session.scalar(
            select(Team.franchise_id).where(Team.id == place.scope_id)
        )
        if franchise_id is not None:
            row = await _row(session, organization_id, ChannelPurpose.FRANCHISE, franchise_id)
    return row


#: The organization-wide purposes, in the order the staff page lists them, with their names.
ORGANIZATION_WIDE = (
    (ChannelPurpose.ANNOUNCEMENTS, "Announcements"),
    (ChannelPurpose.RESULTS, "Results"),
    (ChannelPurpose.TRANSACTIONS, "Roster transactions"),
    (ChannelPurpose.STAFF_ALERTS, "Staff alerts"),
)


async def channel_places(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> list[tuple[Place, str]]:
    """Every place of the organization a channel may be set for, with its name for people
    ("Scrims: Premier", "Team: Blue Ants"): the organization-wide purposes, casual scrims,
    each skill group's scrims, each team and each franchise. For its staff. Raises
    UNAUTHENTICATED, PERMISSION_DENIED."""
    await access.require_staff_anywhere(
        session, actor, organization_id, "see the organization's notification channels"
    )
    places = [(Place(purpose), name) for purpose, name in ORGANIZATION_WIDE]
    places.append((Place(ChannelPurpose.SCRIMS), "Scrims: casual"))
    groups = await session.execute(
        select(SkillGroup.id, SkillGroup.name, League.name)
        .join(League, League.id == SkillGroup.league_id)
        .where(League.organization_id == organization_id)
        .order_by(League.name, SkillGroup.ordinal)
    )
    places += [
        (Place(ChannelPurpose.SCRIMS, gid), f"Scrims: {league} {group}")
        for gid, group, league in groups
    ]
    teams = await session.execute(
        select(Team.id, Team.name, League.name)
        .join(League, League.id == Team.league_id)
        .where(League.organization_id == organization_id)
        .order_by(League.name, Team.name)
    )
    places += [(Place(ChannelPurpose.TEAM, tid), f"Team: {name} ({lg})") for tid, name, lg in teams]
    franchises = await session.execute(
        select(Franchise.id, Franchise.name)
        .where(Franchise.organization_id == organization_id)
        .order_by(Franchise.name)
    )
    places += [
        (Place(ChannelPurpose.FRANCHISE, fid), f"Franchise: {name}") for fid, name in franchises
    ]
    return places
