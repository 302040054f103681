"""Background work of notifications: the job ``notification.deliver``, which makes one
attempt at a delivery, and the loop that makes the attempts whose back-off is over.

Each delivery is sent once: a redelivered outbox message, or the loop and the job at the
same moment, find it sent or claimed (:mod:`sprocket.notifications.attempts`) and do
nothing; a crash between Discord's answer and the record is covered by Discord's nonce for
DMs and channel messages, while webhook messages are at least once (see
:mod:`sprocket.discord.sender`). With Discord off (no ``discord_bot_token``) a delivery
is marked ``skipped``, with no call anywhere: the in-app inbox alone carries it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from sprocket import runtime
from sprocket.db import database_now
from sprocket.errors import NotFound
from sprocket.logs import log
from sprocket.metrics import NOTIFICATION_DELIVERIES
from sprocket.notifications import attempts
from sprocket.notifications.attempts import Attempt, Outcome, Result
from sprocket.notifications.delivery import DELIVER_JOB, DeliveryStatus
from sprocket.notifications.sending import SENDER, Sender, SendFailure
from sprocket.platform.storage import StorageUnavailable


async def _sender(running: runtime.Runtime) -> Sender:
    sender: Sender = await running.resource(SENDER)
    return sender


async def _files(running: runtime.Runtime, attempt: Attempt) -> dict[str, bytes]:
    files = {}
    for attachment in attempt.message.attachments:
        data = attachment.data
        if data is None:
            assert attachment.storage_key is not None
            data = await running.storage.get(attachment.storage_key)
        files[attachment.name] = data
    return files


async def send(running: runtime.Runtime, attempt: Attempt) -> Result:
    """Send ``attempt``'s message through the process's :class:`Sender` (files kept in
    storage are read first) within :data:`~sprocket.notifications.attempts.SEND_SECONDS`;
    how it ended, never raised: a file gone from storage fails the delivery; storage
    unreachable, no answer in time or an unexpected fault (logged) asks for a retry."""
    try:
        files = await _files(running, attempt)
    except NotFound as exc:
        return Result(Outcome.FAILED, error=str(exc))
    except StorageUnavailable as exc:
        return Result(Outcome.RETRY, error=f"storage unavailable: {exc}")
    sender = await _sender(running)
    try:
        async with asyncio.timeout(attempts.SEND_SECONDS):
            made = await sender.send(
                attempt.target, attempt.message, nonce=attempt.nonce, files=files
            )
    except TimeoutError:
        return Result(Outcome.RETRY, error=f"no answer within {attempts.SEND_SECONDS:g} s")
    except SendFailure as failure:
        outcome = (
            Outcome.DMS_CLOSED
            if failure.dms_closed
            else Outcome.RETRY
            if failure.retry
            else Outcome.FAILED
        )
        return Result(outcome, error=failure.reason, retry_after=failure.retry_after)
    except Exception as exc:  # a fault of ours or of the client: logged, tried again later
        log.exception("notifications.send_crashed", delivery_id=attempt.delivery_id)
        return Result(Outcome.RETRY, error=f"{type(exc).__name__}: {exc}")
    return Result(Outcome.SENT, message_id=made)


async def deliver(
    running: runtime.Runtime, *, delivery_id: int, now: dt.datetime | None = None
) -> DeliveryStatus | None:
    """One attempt at the delivery ``delivery_id``, as of ``now`` (UTC; default: the
    database's clock): claim it, send it, record the result (three steps, no transaction
    open while Discord answers). Returns its status afterwards, or None when there was
    nothing to do (not pending, or not due). Counts the outcome in
    ``sprocket_notification_deliveries_total``."""
    if not running.settings.discord_bot_token:
        async with running.unit_of_work() as session:
            kind = await attempts.skip(session, delivery_id=delivery_id)
        if kind is None:
            return None
        NOTIFICATION_DELIVERIES.labels(kind=kind.value, outcome="skipped").inc()
        return DeliveryStatus.SKIPPED
    async with running.unit_of_work() as session:
        moment = now or await database_now(session)
        attempt = await attempts.claim(session, delivery_id=delivery_id, now=moment)
    if attempt is None:
        return None
    result = await send(running, attempt)
    settings = running.settings
    async with running.unit_of_work() as session:
        status = await attempts.record(
            session,
            attempt=attempt,
            result=result,
            now=now or await database_now(session),
            max_attempts=settings.notification_max_attempts,
            retry_seconds=settings.notification_retry_seconds,
        )
    if status is not None:
        outcome = "failed" if status is DeliveryStatus.FAILED else result.outcome.value
        NOTIFICATION_DELIVERIES.labels(kind=attempt.target.kind.value, outcome=outcome).inc()
    if result.error:
        log.warning(
            "notifications.attempt_failed",
            delivery_id=delivery_id,
            attempt=attempt.number,
            status=status,
            error=result.error,
        )
    return status


async def deliver_due(
    running: runtime.Runtime,
    *,
    now: dt.datetime | None = None,
    limit: int = 500,
    concurrency: int = 20,
) -> int:
    """Attempt the pending deliveries due at ``now`` (UTC; default: the database's clock),
    at most ``limit`` of them, ``concurrency`` at a time (all through the one client, whose
    buckets keep Discord's rate limits). Returns how many attempts were made. A delivery whose
    attempt raised (the database away) is logged and left due."""
    async with running.reading() as session:
        ids = await attempts.due(session, now=now or await database_now(session), limit=limit)
    gate = asyncio.Semaphore(concurrency)

    async def one(delivery_id: int) -> DeliveryStatus | None:
        async with gate:
            return await deliver(running, delivery_id=delivery_id, now=now)

    made = 0
    for delivery_id, done in zip(
        ids, await asyncio.gather(*map(one, ids), return_exceptions=True), strict=True
    ):
        if isinstance(done, BaseException):
            log.warning("notifications.deliver_failed", delivery_id=delivery_id, error=str(done))
        elif done is not None:
            made += 1
    return made


async def run_retries(running: runtime.Runtime, stop: asyncio.Event, *, every: float) -> None:
    """Every ``every`` seconds until ``stop`` is set, :func:`deliver_due` (the retries whose
    back-off is over, and any delivery whose job was lost). A failed pass is logged as a
    warning and tried again next time, never raised."""
    while not stop.is_set():
        try:
            await deliver_due(running)
        except Exception as exc:  # the database may be briefly away
            log.warning("notifications.retries_failed", error=str(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)


async def deliver_notification(*, message_id: int, delivery_id: int) -> None:
    """The job ``notification.deliver``: one attempt at ``delivery_id`` (:func:`deliver`).
    No receipt is kept for ``message_id``: the delivery's own state makes a redelivered
    message a no-op."""
    await deliver(runtime.current(), delivery_id=delivery_id)


JOBS = {DELIVER_JOB: deliver_notification}
