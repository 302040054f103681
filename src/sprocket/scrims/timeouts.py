"""Time-outs of scrims: waits that run out and check-in windows that close, applied by
:func:`sweep`, which the platform runs every ``SPROCKET_SCRIM_SWEEP_SECONDS`` in each API
process (see :mod:`sprocket.scrims.tasks`); joining a scrim also drops its expired waits
first, so a seat held by an expired wait is never refused to a newcomer. The matchmaking
queue (:mod:`sprocket.scrims.matchmaking`) is swept with the rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.league import service as league
from sprocket.scrims import matchmaking, service
from sprocket.scrims.bans import ban_member
from sprocket.scrims.enums import ScrimStatus
from sprocket.scrims.lifecycle import drop_expired_seats
from sprocket.scrims.models import QueueBan, Scrim, ScrimEntry


async def expire_waits(session: AsyncSession, *, now: dt.datetime) -> int:
    """Remove every seat whose wait ran out in a scrim that has not popped; a scrim left
    empty is cancelled. Returns how many seats were removed."""
    scrim_ids = (
        await session.scalars(
            select(ScrimEntry.scrim_id)
            .join(Scrim, Scrim.id == ScrimEntry.scrim_id)
            .where(
                ScrimEntry.active.is_(True),
                ScrimEntry.wait_until <= now,
                Scrim.status.in_((ScrimStatus.PENDING, ScrimStatus.LOCKED)),
                Scrim.started_at.is_(None),
            )
            .distinct()
        )
    ).all()
    removed = 0
    for scrim_id in sorted(scrim_ids):
        scrim = await session.scalar(
            select(Scrim)
            .where(Scrim.id == scrim_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if scrim is None:  # another sweeper or a join holds it; it will drop them itself
            continue
        gone = await drop_expired_seats(session, scrim, now=now)
        if not gone:
            continue
        removed += len(gone)
        if not await service.active_entries(session, scrim_id=scrim.id):
            service.finish(scrim=scrim, status=ScrimStatus.CANCELLED, now=now)
        await service.announce(session, scrim=scrim, also=gone, now=now)
    return removed


@dataclass(frozen=True)
class MissedCheckIn:
    scrim_id: int
    member_id: int
    ban: QueueBan | None


async def expire_check_ins(session: AsyncSession, *, now: dt.datetime) -> list[MissedCheckIn]:
    """Cancel every pop whose check-in window closed before everyone checked in: those who
    missed it lose their seat and get a queue ban; the rest return to the queue, their waits
    lengthened by the time the pop took: in the same scrim (pending again), or, for a scrim
    the matchmaking queue formed, to that queue with their place in it (the scrim is then
    cancelled)."""

    scrims = (
        await session.scalars(
            select(Scrim)
            .where(Scrim.status == ScrimStatus.POPPED, Scrim.check_in_deadline <= now)
            .order_by(Scrim.id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    ).all()
    missed: list[MissedCheckIn] = []
    for scrim in scrims:
        config = await league.organization_config(session, scrim.organization_id)
        assert scrim.popped_at is not None
        held = now - scrim.popped_at
        gone = []
        for entry in await service.active_entries(session, scrim_id=scrim.id):
            if entry.checked_in_at is None:
                service.unseat(entry=entry, now=now)
                gone.append(entry.member_id)
                ban = await ban_member(
                    session,
                    organization_id=scrim.organization_id,
                    member_id=entry.member_id,
                    reason=f"missed the check-in of scrim {scrim.id}",
                    now=now,
                    config=config,
                )
                missed.append(MissedCheckIn(scrim.id, entry.member_id, ban))
            else:
                entry.checked_in_at = None
                entry.wait_until = max(entry.wait_until, now) + held
        await session.flush()
        scrim.popped_at = None
        scrim.check_in_deadline = None
        rest = await service.active_entries(session, scrim_id=scrim.id)
        if rest and await matchmaking.requeue(session, scrim, rest, now=now):
            for entry in rest:
                service.unseat(entry=entry, now=now)
            gone += [e.member_id for e in rest]
            rest = []
        if rest:
            scrim.status = ScrimStatus.PENDING
        else:
            service.finish(scrim=scrim, status=ScrimStatus.CANCELLED, now=now)
        await service.announce(session, scrim=scrim, also=gone, now=now)
    return missed


@dataclass(frozen=True)
class SweepResult:
    expired_waits: int
    missed_check_ins: list[MissedCheckIn]
    expired_tickets: int = 0
    formed_scrim_ids: list[int] = field(default_factory=list)


async def sweep(session: AsyncSession, *, now: dt.datetime | None = None) -> SweepResult:
    """Apply every time-out due at ``now``: closed check-in windows first, then waits; then
    the matchmaking queue ends its expired tickets and forms the lobbies it can."""

    now = now or utcnow()
    missed = await expire_check_ins(session, now=now)
    expired = await expire_waits(session, now=now)
    queued = await matchmaking.sweep_queues(session, now=now)
    return SweepResult(expired, missed, queued.expired_tickets, queued.formed_scrim_ids)
