"""Background jobs of the schedule domain."""

from __future__ import annotations

import json

from sprocket import runtime
from sprocket.platform.outbox import first_delivery
from sprocket.schedule.models import Match


def match_channel(match_id: int) -> str:
    """The broadcast channel a match's status changes go out on (``match:<id>``)."""
    return f"match:{match_id}"


async def match_status_changed(*, message_id: int, match_id: int, status: str) -> None:
    """Stream a match's new status to its subscribers (GraphQL ``matchStatus``)."""
    running = runtime.current()
    async with running.unit_of_work() as session:
        if not await first_delivery(
            session, consumer="match.status_changed", message_id=message_id
        ):
            return
        match = await session.get(Match, match_id)
        if match is None:
            return
        event = {
            "match_id": match.id,
            "status": match.status,
            "starts_at": match.starts_at.isoformat(),
            "ends_at": match.ends_at.isoformat(),
        }
        # Published before the receipt commits: a crash here repeats the message, never loses it.
        await running.cache.publish(match_channel(match.id), json.dumps(event))


async def publish_event(*, message_id: int, channel: str, event: dict) -> None:
    """Hand an event, as it was at commit time, to the channel's subscribers (as JSON, once
    per outbox message: a redelivered ``message_id`` is skipped)."""
    running = runtime.current()
    async with running.unit_of_work() as session:
        if await first_delivery(session, consumer="event.publish", message_id=message_id):
            await running.cache.publish(channel, json.dumps(event))


JOBS = {"match.status_changed": match_status_changed, "event.publish": publish_event}
