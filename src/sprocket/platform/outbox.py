"""The transactional outbox (DESIGN.md property 4).

A service that must trigger work calls :func:`enqueue` inside its transaction; the row commits
or rolls back with the service's own changes. The :class:`OutboxRelay` hands committed rows to
the broker and marks them dispatched. Delivery is at least once, so consumers wrap their
work in :func:`first_delivery`, which records the message in the same transaction as the
consumer's effects and turns a redelivery into a no-op.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column
from taskiq import AsyncBroker

from sprocket.db import Base, UTCDateTime, after_commit, utcnow
from sprocket.logs import log
from sprocket.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index(
            "ix_outbox_messages_pending",
            "id",
            sqlite_where=text("dispatched_at IS NULL"),
            postgresql_where=text("dispatched_at IS NULL"),
        ),
    )

    readers_see = False  # not league data: writing it leaves cached answers valid

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


class ProcessedMessage(Base):
    """A consumer's receipt for an outbox message: the idempotency key of every job."""

    __tablename__ = "processed_messages"
    readers_see = False

    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), primary_key=True
    )
    processed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


_wakeups: set[asyncio.Event] = set()


def enqueue(session: AsyncSession, job: str, **payload: Any) -> OutboxMessage:
    """Ask for ``job`` to run with ``payload`` once (and only if) this transaction commits."""
    message = OutboxMessage(job=job, payload=payload)
    session.add(message)
    after_commit(session, _wake_relays)
    return message


async def _wake_relays() -> None:
    for event in _wakeups:
        event.set()


async def first_delivery(session: AsyncSession, *, consumer: str, message_id: int) -> bool:
    """Record that ``consumer`` handled ``message_id``; False if it already had.

    Call it inside the consumer's own transaction, before its effects: a crash before
    commit leaves no receipt, so the redelivered message is handled again.
    """
    done = await session.get(ProcessedMessage, (consumer, message_id))
    if done is not None:
        return False
    session.add(ProcessedMessage(consumer=consumer, message_id=message_id))
    try:
        await session.flush()
    except IntegrityError:  # a concurrent delivery won the race
        await session.rollback()
        return False
    return True


async def backlog(session: AsyncSession) -> int:
    """How many committed messages wait for the relay; sets the gauges ``OUTBOX_BACKLOG`` and
    ``OUTBOX_OLDEST_AGE`` (seconds the oldest has waited, 0 when none waits). One statement."""
    row = (
        await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.dispatched_at.is_(None)
            )
        )
    ).one()
    count, oldest = row[0] or 0, row[1]
    OUTBOX_BACKLOG.set(count)
    OUTBOX_OLDEST_AGE.set(0 if oldest is None else _age_seconds(oldest))
    return count


def _age_seconds(moment: dt.datetime) -> float:
    return max(0.0, (utcnow() - moment).total_seconds())


class OutboxRelay:
    """Moves committed outbox rows to the broker, oldest first.

    Several relays may run at once (one per API process): on PostgreSQL rows are claimed with
    ``FOR UPDATE SKIP LOCKED``. A row is marked dispatched only after the broker took it.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        broker: AsyncBroker,
        *,
        poll_seconds: float = 1.0,
        batch_size: int = 100,
    ) -> None:
        self.sessions = sessions
        self.broker = broker
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.wakeup = asyncio.Event()

    async def relay_once(self) -> int:
        """Dispatch one batch; returns how many messages went to the broker."""
        sent = 0
        async with self.sessions() as session, session.begin():
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.dispatched_at.is_(None))
                    .order_by(OutboxMessage.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                task = self.broker.find_task(row.job)
                if task is None:
                    row.attempts += 1
                    row.last_error = f"no job named {row.job!r} is registered"
                    continue
                try:
                    await task.kiq(message_id=row.id, **row.payload)
                except Exception as exc:  # broker down: keep the row, try again later
                    # taskiq wraps the broker's own error; keep both for the operator
                    reason = str(exc) if exc.__cause__ is None else f"{exc}: {exc.__cause__}"
                    row.attempts += 1
                    row.last_error = reason[:500]
                    log.warning("outbox.dispatch_failed", job=row.job, error=reason)
                    break
                row.dispatched_at = utcnow()
                sent += 1
        return sent

    async def run(self, stop: asyncio.Event) -> None:
        _wakeups.add(self.wakeup)
        try:
            while not stop.is_set():
                # Cleared before the pass, so a commit during the pass still wakes the next one.
                self.wakeup.clear()
                try:
                    while await self.relay_once() == self.batch_size:
                        pass
                except Exception as exc:
                    log.warning("outbox.relay_failed", error=str(exc))
                waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self.wakeup)]
                await asyncio.wait(
                    waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
                for waiter in waiters:
                    waiter.cancel()
        finally:
            _wakeups.discard(self.wakeup)
