"""Background jobs of the flows: processing a submission checks it against its subject, a
match or a scrim, so the job lives where both subjects are registered; syncing a member's
Discord roles reads the league and the ratings (see :mod:`sprocket.flows`)."""

from __future__ import annotations

from sprocket import runtime
from sprocket.flows import role_sync
from sprocket.league.discord_sync import SYNC_MEMBER_JOB
from sprocket.logs import log
from sprocket.platform.discord_rest import guild_members
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


async def sync_discord_member(*, message_id: int, member_id: int) -> None:
    """Sync one member's Discord roles and nickname (:func:`role_sync.sync_member`), asked
    for by :func:`sprocket.league.discord_sync.sync_later`. A reconciliation, so a
    redelivered message simply finds nothing left to change (no receipt is kept). With
    Discord off (no bot token) nothing is called; problems are logged, never retried."""
    settings = runtime.current().settings
    if not settings.discord_bot_token:
        log.info("discord.sync_member.off", member_id=member_id, message_id=message_id)
        return
    async with guild_members(
        api_url=settings.discord_api_url, bot_token=settings.discord_bot_token
    ) as members:
        report = await role_sync.sync_member(
            reading=runtime.current().reading, members=members, member_id=member_id
        )
    for line in report.lines:
        event = "discord.sync_member.changed"
        if line.outcome is not role_sync.SyncOutcome.DONE:
            event = "discord.sync_member.problem"
        log.info(event, member_id=member_id, **line.as_json())


JOBS = {"submission.process": process_submission, SYNC_MEMBER_JOB: sync_discord_member}
