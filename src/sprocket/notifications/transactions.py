"""Player transactions told to the player and posted in the organization's transactions
channel: a listener of :func:`sprocket.league.transactions.on_transaction` (the league lives
below the notifications, so it calls them through that registry), registered when the
notifications are imported. Both kinds are the ``roster_changed`` notification ("your team
or skill group changed")."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.league.transactions import (
    RosterChange,
    SkillGroupChange,
    Transaction,
    on_transaction,
)
from sprocket.notifications.channels import Place
from sprocket.notifications.enums import ChannelPurpose, NotificationKind
from sprocket.notifications.service import Notice, notify


@on_transaction
async def transaction_made(session: AsyncSession, change: Transaction) -> None:
    """Tell the player of ``change`` what changed (the team they joined or left, the skill
    group they moved to, without the staff's reason), and post it in the transactions
    channel. No permission check:
    the league's service checked who acts."""
    match change:
        case RosterChange(spot=spot, team=team, league=league, member=member, joined=joined):
            verb = "joined" if joined else "left"
            title = f"{member.name} {verb} {team.name}"
            notice = Notice(title, f"{title} ({league.name}).", link=f"/teams/{team.id}")
            key = f"roster_changed:{spot.id}:{'join' if joined else 'leave'}"
        case SkillGroupChange(league=league, member=member, before=before, after=after):
            title = f"{member.name} moved to {after.name}"
            start = f" from {before.name}" if before is not None else ""
            # (the reason stays in the audit log: the channel is public)
            notice = Notice(
                title,
                f"{member.name} moved{start} to {after.name} ({league.name}).",
                link=f"/players/{member.id}",
            )
            key = f"skill_group_changed:{change.audit_id}"
    await notify(
        session,
        organization_id=league.organization_id,
        kind=NotificationKind.ROSTER_CHANGED,
        recipients=[member.user_id],
        notice=notice,
        key=key,
        places=[Place(ChannelPurpose.TRANSACTIONS)],
    )
