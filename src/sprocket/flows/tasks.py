"""Background jobs of submissions: processing one checks it against its subject, a match or a
scrim, so the job lives where both subjects are registered (see :mod:`sprocket.flows`)."""

from __future__ import annotations

from sprocket import runtime
from sprocket.platform.outbox import first_delivery
from sprocket.replays import service


async def process_submission(*, message_id: int, submission_id: int) -> None:
    """Parse and validate a submission. A worker killed half-way leaves the transaction
    uncommitted and the message unacknowledged, so the next worker does it all again."""
    running = runtime.current()
    async with running.unit_of_work() as session:
        if not await first_delivery(session, consumer="submission.process", message_id=message_id):
            return
        await service.process_submission(
            session,
            storage=running.storage,
            submission_id=submission_id,
            max_size=running.settings.replay_max_bytes,
        )


JOBS = {"submission.process": process_submission}
