"""Background work of the scrim queue: the periodic sweep of time-outs.

Every API process that runs the outbox relay (``serve``) also runs :func:`run_sweeper`,
which applies :func:`sprocket.scrims.timeouts.sweep` every ``SPROCKET_SCRIM_SWEEP_SECONDS``:
waits that ran out and check-in windows that closed, then the matchmaking queue's expired
tickets and the lobbies it can form. The state it reads and writes is in the
database, so a restart loses nothing: the first sweep after it applies whatever came due
while the process was down. Several processes may sweep at once: each scrim is taken with
``FOR UPDATE SKIP LOCKED``, and a scrim another sweeper holds is left to it (likewise a
queue another transaction is forming lobbies in: see :mod:`sprocket.scrims.matchmaking`).
"""

from __future__ import annotations

import asyncio
import contextlib

from sprocket.logs import log
from sprocket.scrims import timeouts


async def sweep_once(runtime: object) -> timeouts.SweepResult:
    """One :func:`~sprocket.scrims.timeouts.sweep` in its own background transaction of
    ``runtime`` (the runtime), committed; returns what it did."""
    async with runtime.background_unit_of_work() as session:  # type: ignore[attr-defined]
        return await timeouts.sweep(session)


async def run_sweeper(runtime: object, stop: asyncio.Event, *, every: float) -> None:
    """Sweep every ``every`` seconds until ``stop`` is set. A sweep that did something is
    logged (``scrims.swept``); a failed one is logged as a warning and tried again next
    time, never raised."""
    while not stop.is_set():
        try:
            result = await sweep_once(runtime)
            if (
                result.expired_waits
                or result.missed_check_ins
                or result.expired_tickets
                or result.formed_scrim_ids
            ):
                log.info(
                    "scrims.swept",
                    expired_waits=result.expired_waits,
                    missed_check_ins=len(result.missed_check_ins),
                    expired_tickets=result.expired_tickets,
                    formed_scrims=len(result.formed_scrim_ids),
                )
        except Exception as exc:  # the database may be briefly away; try again next time
            log.warning("scrims.sweep_failed", error=str(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
