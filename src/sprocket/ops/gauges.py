"""The gauges read from the database and the storage at each scrape of /metrics, so an
alert sees the state of now: the outbox backlog and its oldest message's age, submissions by
status and the age of those in flight, and the storage volume's free space.

Each collector reads what every process of the deployment shares (the database, the store),
so every API replica reports the same values: the alert rules take their ``max``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.logs import log
from sprocket.metrics import STORAGE_FREE, STORAGE_SIZE, SUBMISSIONS, SUBMISSIONS_OLDEST_AGE
from sprocket.platform.outbox import backlog
from sprocket.replays.enums import SubmissionStatus
from sprocket.replays.reads import status_counts
from sprocket.runtime import Runtime

#: The statuses a submission should leave within minutes (jobs move it on): the age of their
#: least recently changed submission is what the "stuck" alert watches.
IN_FLIGHT = (SubmissionStatus.PROCESSING, SubmissionStatus.VALIDATING)


async def _outbox(session: AsyncSession) -> None:
    await backlog(session)


async def _submissions(session: AsyncSession) -> None:
    counts = await status_counts(session)
    now = utcnow()
    for status in SubmissionStatus:
        found = counts.get(status)
        SUBMISSIONS.labels(status=status.value).set(found.count if found else 0)
        if status in IN_FLIGHT:
            age = (now - found.oldest_change).total_seconds() if found else 0.0
            SUBMISSIONS_OLDEST_AGE.labels(status=status.value).set(max(0.0, age))


async def _storage(runtime: Runtime) -> None:
    space = await runtime.storage.disk_space()
    if space is not None:
        store = runtime.storage.describe()
        STORAGE_FREE.labels(store=store).set(space.free)
        STORAGE_SIZE.labels(store=store).set(space.total)


#: The collectors reading the database, in order, by the name a failure is logged under.
DATABASE_COLLECTORS: dict[str, Callable[[AsyncSession], Awaitable[None]]] = {
    "outbox_backlog": _outbox,
    "submissions": _submissions,
}
#: The others (each given the runtime).
OTHER_COLLECTORS: dict[str, Callable[[Runtime], Awaitable[None]]] = {"storage_space": _storage}


async def refresh(runtime: Runtime) -> list[str]:
    """Run every collector on ``runtime``'s database and storage. A failing one is logged as
    ``metrics.collector_failed`` (naming it, with its error and trace) and leaves its gauges
    at their last values; the database collectors share one session and stop at the first
    failure (the database is likely down: one log line, not one per collector, and no wait
    for each), the others still run. Returns the names of those that failed; raises
    nothing."""
    failed: list[str] = []
    async with runtime.reading() as session:  # connects at the first statement
        for name, collect in DATABASE_COLLECTORS.items():
            try:
                await collect(session)
            except Exception as error:  # the database may be down: the rest still answers
                failed.append(name)
                _failed(name, error)
                break
    for name, other in OTHER_COLLECTORS.items():
        try:
            await other(runtime)
        except Exception as error:
            failed.append(name)
            _failed(name, error)
    return failed


def _failed(collector: str, error: Exception) -> None:
    log.warning("metrics.collector_failed", collector=collector, error=str(error), exc_info=True)
