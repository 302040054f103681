"""Match reminders: a match whose window closes within its organization's
``match_reminder_minutes`` while no result is submitted (none open, none accepted) reminds
both teams once (the event key ``match_reminder:<match id>``), in their team channels with
their roles. :func:`run_reminders` checks every ``SPROCKET_MATCH_REMINDER_SECONDS`` in each
process that relays the outbox; the event key makes a second check (or a second process)
add nothing."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import for_people
from sprocket.db import utcnow
from sprocket.flows.match_results import MatchSubject
from sprocket.league import service as league
from sprocket.league.configuration import KEYS
from sprocket.league.models import League, Season
from sprocket.logs import log
from sprocket.notifications.channels import Place
from sprocket.notifications.enums import ChannelPurpose, NotificationKind
from sprocket.notifications.models import Notification
from sprocket.notifications.service import Notice, notify
from sprocket.replays.enums import OPEN_SUBMISSION_STATUSES, SubmissionStatus
from sprocket.replays.models import Submission
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Match

#: The longest reminder time an organization may set, in minutes.
LONGEST = KEYS["match_reminder_minutes"].maximum or 0


def reminder_key(match_id: int) -> str:
    """The event key of a match's reminder (one per match)."""
    return f"match_reminder:{match_id}"


async def remind_matches(session: AsyncSession, *, now: dt.datetime | None = None) -> list[int]:
    """Remind the teams of every scheduled match whose window closes after ``now`` (UTC) and
    within its organization's ``match_reminder_minutes``, with no submission open or
    accepted, and not reminded before. Returns the ids of the matches reminded now. Raises
    nothing (no permission check: the platform's own work)."""
    now = now or utcnow()
    submitted = select(Submission.match_id).where(
        Submission.match_id.is_not(None),
        Submission.status.in_((*OPEN_SUBMISSION_STATUSES, SubmissionStatus.ACCEPTED)),
    )
    reminded = select(Notification.key).where(Notification.key.like("match_reminder:%"))
    rows = (
        await session.execute(
            select(Match, League.organization_id)
            .join(Season, Season.id == Match.season_id)
            .join(League, League.id == Season.league_id)
            .where(
                Match.status == MatchStatus.SCHEDULED,
                Match.ends_at > now,
                Match.ends_at <= now + dt.timedelta(minutes=LONGEST),
                Match.id.not_in(submitted),
            )
            .order_by(Match.ends_at, Match.id)
        )
    ).all()
    done = set(await session.scalars(reminded.distinct()))
    sent = []
    for match, organization_id in rows:
        if reminder_key(match.id) in done:
            continue
        config = await league.organization_config(session, organization_id)
        minutes = config["match_reminder_minutes"]
        if not minutes or match.ends_at > now + dt.timedelta(minutes=minutes):
            continue
        subject = await MatchSubject.load(session, match.id)
        sides = await subject.sides(session)
        zone = await league.organization_zone(session, organization_id)
        closes = for_people(match.ends_at, zone)
        await notify(
            session,
            organization_id=organization_id,
            kind=NotificationKind.MATCH_REMINDER,
            recipients=[user for _, users in sides for user in users],
            notice=Notice(
                f"Match {match.id}: no result yet",
                f"The window of match {match.id} closes {closes} and no result is submitted. "
                "Play it and upload the replays, or tell league staff.",
                link=f"/matches/{match.id}",
            ),
            key=reminder_key(match.id),
            places=[
                Place(ChannelPurpose.TEAM, side.team_id, frozenset(users))
                for side, users in sides
                if side.team_id is not None
            ],
        )
        sent.append(match.id)
    return sent


async def run_reminders(runtime: object, stop: asyncio.Event, *, every: float) -> None:
    """Check for reminders every ``every`` seconds until ``stop`` is set, each check in its
    own background transaction of ``runtime``. A check that reminded is logged
    (``matches.reminded``); a failed one is logged as a warning and tried again next time,
    never raised."""
    while not stop.is_set():
        try:
            async with runtime.background_unit_of_work() as session:  # type: ignore[attr-defined]
                reminded = await remind_matches(session)
            if reminded:
                log.info("matches.reminded", matches=len(reminded))
        except Exception as exc:  # the database may be briefly away; try again next time
            log.warning("matches.remind_failed", error=str(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
