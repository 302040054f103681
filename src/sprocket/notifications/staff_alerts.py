"""Staff hear of the direct messages Discord refused because the person's DMs are closed
(error 50007): a listener of :func:`sprocket.notifications.delivery.on_dms_closed`, posting
to the organization's staff alerts channel (:class:`ChannelPurpose.STAFF_ALERTS`) when one
is set. The person still has the notification in their web inbox (every notification lands
there)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.notifications.channels import Place, channel_for
from sprocket.notifications.delivery import Delivery, on_dms_closed, schedule_staff_notice
from sprocket.notifications.enums import ChannelPurpose


@on_dms_closed
async def tell_staff(session: AsyncSession, delivery: Delivery) -> None:
    """Post the staff notice of ``delivery`` (a DM refused: DMs closed) in its
    organization's staff alerts channel, once; nothing when no such channel (a channel,
    not a webhook) is set. Raises nothing."""
    if delivery.organization_id is None:
        return
    row = await channel_for(
        session,
        organization_id=delivery.organization_id,
        place=Place(ChannelPurpose.STAFF_ALERTS),
    )
    if row is not None and row.channel_id:
        await schedule_staff_notice(session, delivery=delivery, staff_channel_id=row.channel_id)
