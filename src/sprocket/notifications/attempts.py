"""The attempts at a delivery, each in two short transactions around the call to Discord
(which holds no transaction open): :func:`claim` takes a due delivery and counts the attempt,
:func:`record` writes how it ended.

A claim pushes the delivery's ``next_attempt_at`` on by :data:`CLAIM_SECONDS`, so no other
worker takes it meanwhile; if the process dies before :func:`record`, the delivery falls due
again after that and is sent again, with the same nonce (see
:mod:`sprocket.discord.sender`). A record applies only to the latest attempt, so a
late, stale one changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.notifications.delivery import (
    Delivery,
    DeliveryStatus,
    dms_closed,
    message_of_delivery,
)
from sprocket.notifications.message import Message, Target, TargetKind

#: How long a claimed delivery is left to its attempt, in seconds: more than an attempt may
#: take (:data:`SEND_SECONDS`), less than the few minutes Discord keeps a nonce.
CLAIM_SECONDS = 150.0
#: The longest an attempt may take, in seconds (rate-limit waits included).
SEND_SECONDS = 60.0
#: The longest wait between two attempts, in seconds.
MAX_BACKOFF_SECONDS = 3600.0


class Outcome(StrEnum):
    """How an attempt ended (the metric's ``outcome``, with ``skipped``)."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    DMS_CLOSED = "dms_closed"


@dataclass(frozen=True)
class Attempt:
    """A claimed delivery: its id, the attempt's number (1 for the first), where it goes,
    what it says, and its nonce."""

    delivery_id: int
    number: int
    target: Target
    message: Message
    nonce: str


@dataclass(frozen=True)
class Result:
    """How an attempt ended: Discord's message id when sent, else the reason; for a retry,
    ``retry_after``: the least wait Discord asked for, in seconds."""

    outcome: Outcome
    message_id: str | None = None
    error: str | None = None
    retry_after: float | None = None


def _due(now: dt.datetime) -> object:
    return or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now)


async def claim(session: AsyncSession, *, delivery_id: int, now: dt.datetime) -> Attempt | None:
    """Take the delivery ``delivery_id`` for an attempt at ``now`` (UTC) if it is pending and
    due: count the attempt and hold it for :data:`CLAIM_SECONDS`. None when it is not (sent
    already, held by another attempt, waiting for its back-off, or no such delivery)."""
    taken = await session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == DeliveryStatus.PENDING,
            _due(now),
        )
        .values(
            attempts=Delivery.attempts + 1,
            next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS),
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    delivery = await session.scalar(
        select(Delivery).where(Delivery.id == delivery_id).execution_options(populate_existing=True)
    )
    assert delivery is not None
    return Attempt(
        delivery_id=delivery.id,
        number=delivery.attempts,
        target=delivery.destination(),
        message=await message_of_delivery(session, delivery),
        nonce=delivery.nonce,
    )


def backoff(attempts: int, *, first: float) -> float:
    """Seconds to wait after ``attempts`` failed attempts: ``first`` doubled after each one
    (``first``, ``2 * first``, ``4 * first``...), at most :data:`MAX_BACKOFF_SECONDS`."""
    return min(first * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


async def record(
    session: AsyncSession,
    *,
    attempt: Attempt,
    result: Result,
    now: dt.datetime,
    max_attempts: int,
    retry_seconds: float,
) -> DeliveryStatus | None:
    """Write how ``attempt`` ended at ``now`` (UTC): ``sent`` with Discord's message id,
    ``dms_closed`` (and run the :func:`~sprocket.notifications.delivery.on_dms_closed`
    hooks), ``failed``; a retry waits :func:`backoff` (``retry_seconds`` the first time, or
    longer when Discord asked) unless it was the ``max_attempts``-th attempt, which fails.
    Returns the delivery's status, or None when a later attempt owns the delivery (or it is
    gone), which this record leaves alone."""
    delivery = await session.get(Delivery, attempt.delivery_id, populate_existing=True)
    if (
        delivery is None
        or delivery.status is not DeliveryStatus.PENDING
        or delivery.attempts != attempt.number
    ):
        return None
    delivery.last_error = None if result.error is None else result.error[:500]
    delivery.next_attempt_at = None
    if result.outcome is Outcome.SENT:
        delivery.status = DeliveryStatus.SENT
        delivery.discord_message_id = result.message_id
        delivery.sent_at = now
    elif result.outcome is Outcome.DMS_CLOSED:
        delivery.status = DeliveryStatus.DMS_CLOSED
        await dms_closed(session, delivery)
    elif result.outcome is Outcome.RETRY and attempt.number < max_attempts:
        wait = max(backoff(attempt.number, first=retry_seconds), result.retry_after or 0.0)
        delivery.next_attempt_at = now + dt.timedelta(seconds=wait)
    else:
        delivery.status = DeliveryStatus.FAILED
    return delivery.status


async def skip(session: AsyncSession, *, delivery_id: int) -> TargetKind | None:
    """Mark the pending delivery ``delivery_id`` ``skipped`` (Discord is off: the in-app
    inbox alone carries it); returns its target's kind, or None when it is not pending."""
    pending = (Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
    kind = await session.scalar(select(Delivery.target_kind).where(*pending))
    if kind is None:
        return None
    done = await session.execute(
        update(Delivery)
        .where(*pending)
        .values(status=DeliveryStatus.SKIPPED, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return kind if done.rowcount == 1 else None  # type: ignore[attr-defined]


async def due(session: AsyncSession, *, now: dt.datetime, limit: int) -> list[int]:
    """The ids of pending deliveries due at ``now`` (UTC), longest waiting first, at most
    ``limit``."""
    rows = await session.scalars(
        select(Delivery.id)
        .where(Delivery.status == DeliveryStatus.PENDING, _due(now))
        .order_by(Delivery.next_attempt_at.is_not(None), Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    return list(rows)
