"""Roster transactions told to the player and posted in the organization's transactions
channel: a listener of :func:`sprocket.league.rosters.on_roster_change` (the league lives
below the notifications, so it calls them through this registry), registered when the
notifications are imported."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.league.rosters import RosterChange, on_roster_change
from sprocket.notifications.channels import Place
from sprocket.notifications.enums import ChannelPurpose, NotificationKind
from sprocket.notifications.service import Notice, notify


@on_roster_change
async def roster_changed(session: AsyncSession, change: RosterChange) -> None:
    """Tell the player of ``change`` that they joined or left the team, and post it in the
    transactions channel. No permission check: the roster service checked who acts."""
    member, team = change.member, change.team
    verb = "joined" if change.joined else "left"
    await notify(
        session,
        organization_id=change.league.organization_id,
        kind=NotificationKind.ROSTER_CHANGED,
        recipients=[member.user_id],
        notice=Notice(
            f"{member.name} {verb} {team.name}",
            f"{member.name} {verb} {team.name} ({change.league.name}).",
            link=f"/teams/{team.id}",
        ),
        key=f"roster_changed:{change.spot.id}:{'join' if change.joined else 'leave'}",
        places=[Place(ChannelPurpose.TRANSACTIONS)],
    )
