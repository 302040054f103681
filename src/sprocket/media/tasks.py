"""Background jobs of report cards."""

from __future__ import annotations

from sprocket import runtime
from sprocket.errors import DomainError
from sprocket.logs import log
from sprocket.media.service import (
    CARD_JOB,
    Subject,
    make_card,
    post_match_card,
    post_scrim_card,
)
from sprocket.platform.outbox import first_delivery


async def make_report_card(*, message_id: int, subject: Subject, subject_id: int) -> None:
    """Make and store the card of a just-accepted result (once per outbox message), and post
    it: a match's to its organization's results channel, a scrim's to its players. A result
    taken back before the job ran has no card to make: logged, and done."""
    running = runtime.current()
    async with running.unit_of_work() as session:
        if not await first_delivery(session, consumer=CARD_JOB, message_id=message_id):
            return
        try:
            await make_card(session, running.storage, subject=subject, subject_id=subject_id)
            if subject == "match":
                await post_match_card(session, match_id=subject_id)
            else:  # a scrim's card is for its players only
                await post_scrim_card(session, scrim_id=subject_id)
        except DomainError as error:
            log.info("report_card.not_made", subject=subject, id=subject_id, code=str(error.code))


JOBS = {CARD_JOB: make_report_card}
