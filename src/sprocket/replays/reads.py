"""Reads of submissions for the doors."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import found
from sprocket.replays.enums import RatificationDecision, SubmissionStatus
from sprocket.replays.models import Ratification, Submission


async def submission_by_id(session: AsyncSession, *, submission_id: int) -> Submission:
    """The submission with this id; raises NotFound (``NOT_FOUND``) when there is none."""
    return found(await session.get(Submission, submission_id), "submission", submission_id)


async def submissions_of_match(session: AsyncSession, *, match_id: int) -> list[Submission]:
    """Every submission of a league match (its id), newest first."""
    rows = await session.scalars(
        select(Submission).where(Submission.match_id == match_id).order_by(Submission.id.desc())
    )
    return list(rows.all())


async def accepted_submission(
    session: AsyncSession, *, match_id: int | None = None, scrim_id: int | None = None
) -> Submission | None:
    """The accepted submission of a league match (its id) or of a scrim (its id): the one
    whose games stand, None while none is. One statement."""
    column = Submission.match_id if match_id is not None else Submission.scrim_id
    return await session.scalar(
        select(Submission)
        .where(column == (match_id if match_id is not None else scrim_id))
        .where(Submission.status == SubmissionStatus.ACCEPTED)
        .order_by(Submission.id.desc())
        .limit(1)
    )


async def answer_of(
    session: AsyncSession, *, submission_id: int, user_id: int
) -> RatificationDecision | None:
    """The user's answer to a submission (ratified or rejected), None when they gave none.
    One statement. Raises nothing."""
    return await session.scalar(
        select(Ratification.decision).where(
            Ratification.submission_id == submission_id, Ratification.user_id == user_id
        )
    )


class StatusCount(NamedTuple):
    """Submissions in one status: how many, and the least recent moment one last changed."""

    count: int
    oldest_change: dt.datetime


async def status_counts(session: AsyncSession) -> dict[SubmissionStatus, StatusCount]:
    """Every organization's submissions by status (statuses no submission has are left out),
    for the operators' gauges. One statement, no permission check: nothing names a league."""
    rows = await session.execute(
        select(Submission.status, func.count(), func.min(Submission.updated_at)).group_by(
            Submission.status
        )
    )
    return {SubmissionStatus(status): StatusCount(count, oldest) for status, count, oldest in rows}
