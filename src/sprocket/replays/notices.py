"""What a submission tells its players (through
:func:`sprocket.notifications.service.notify`, in the transaction of the change): a result
waits for their side's answer (in their team's channel with its role, with the Ratify and
Reject buttons of the Discord door, ``ratify:<id>`` and ``reject:<id>``), their side's
result was rejected (upload again), and a result they played in was accepted (in the
results channel; its report card follows there once drawn, see
:func:`sprocket.media.service.post_match_card`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.notifications.channels import Place
from sprocket.notifications.enums import ChannelPurpose, NotificationKind
from sprocket.notifications.message import Button, ButtonStyle
from sprocket.notifications.service import Notice, notify
from sprocket.replays.models import Submission
from sprocket.replays.subjects import ResultSubject, Side


def _moment(submission: Submission) -> int:
    """The submission's last change, in milliseconds: a result that waits (or is rejected)
    again after a reset is a new event."""
    return int(submission.updated_at.timestamp() * 1000)


def _places(sides: Sequence[tuple[Side, list[int]]]) -> list[Place]:
    """The team channel of each side that is a league team, mentioning its own players."""
    return [
        Place(ChannelPurpose.TEAM, side.team_id, frozenset(users))
        for side, users in sides
        if side.team_id is not None
    ]


async def submission_waiting(
    session: AsyncSession, *, subject: ResultSubject, submission: Submission
) -> None:
    """Tell the side(s) that ratify ``submission`` (the other side than the submitter's;
    every side for one staff submitted) that it waits for their answer. No permission
    check: the caller's."""
    submitting = await subject.side_of_submission(session, submission)
    answering = [(s, users) for s, users in await subject.sides(session) if s != submitting]
    await notify(
        session,
        organization_id=subject.organization_id,
        kind=NotificationKind.SUBMISSION_WAITING,
        recipients=[user for _, users in answering for user in users],
        notice=Notice(
            f"Ratify the result of {subject.noun}",
            f"A result of {subject.noun} was submitted (submission {submission.id}): check "
            "its report, then ratify it or reject it with a reason.",
            link=f"/submissions/{submission.id}",
            buttons=(
                Button("Ratify", custom_id=f"ratify:{submission.id}", style=ButtonStyle.SUCCESS),
                Button("Reject", custom_id=f"reject:{submission.id}", style=ButtonStyle.DANGER),
            ),
        ),
        key=f"submission_waiting:{submission.id}:{_moment(submission)}",
        places=_places(answering),
    )


async def submission_rejected(
    session: AsyncSession, *, subject: ResultSubject, submission: Submission
) -> None:
    """Tell the submitting side (and the submitter) that ``submission`` was rejected, and
    why: they upload the replays again. No permission check: the caller's."""
    submitting = await subject.side_of_submission(session, submission)
    mine = [(s, users) for s, users in await subject.sides(session) if s == submitting]
    recipients = {user for _, users in mine for user in users}
    if submission.submitted_by_user_id is not None:
        recipients.add(submission.submitted_by_user_id)
    await notify(
        session,
        organization_id=subject.organization_id,
        kind=NotificationKind.SUBMISSION_REJECTED,
        recipients=recipients,
        notice=Notice(
            f"The result of {subject.noun} was rejected",
            f"Submission {submission.id} was rejected: "
            f"{submission.rejection_reason or 'no reason given'}. Upload the replays again.",
            link=f"/submissions/{submission.id}",
        ),
        key=f"submission_rejected:{submission.id}:{_moment(submission)}",
        places=_places(mine),
    )


async def result_accepted(
    session: AsyncSession, *, subject: ResultSubject, submission: Submission
) -> None:
    """Tell every player of ``subject`` that its result (``submission``) is accepted, and
    post it in the results channel. No permission check: the caller's."""
    await notify(
        session,
        organization_id=subject.organization_id,
        kind=NotificationKind.RESULT_ACCEPTED,
        recipients=[user for _, users in await subject.sides(session) for user in users],
        notice=Notice(
            f"Result of {subject.noun} accepted",
            f"The result of {subject.noun} is accepted (submission {submission.id}).",
            link=f"/submissions/{submission.id}",
        ),
        key=f"result_accepted:{submission.id}:{_moment(submission)}",
        places=[Place(ChannelPurpose.RESULTS)],
    )


async def result_entered(
    session: AsyncSession,
    *,
    subject: ResultSubject,
    games: Sequence[tuple[int, int]],
    entered_at_ms: int,
) -> None:
    """Tell every player of ``subject`` that league staff entered its result by hand
    (``games``: (home goals, away goals) per game, in play order; ``entered_at_ms``: when,
    in milliseconds, so a result entered again after a reopening is a new event), and post
    it in the results channel, as an accepted submission's. No permission check: the
    caller's."""
    scores = ", ".join(f"{home}-{away}" for home, away in games)
    await notify(
        session,
        organization_id=subject.organization_id,
        kind=NotificationKind.RESULT_ACCEPTED,
        recipients=[user for _, users in await subject.sides(session) for user in users],
        notice=Notice(
            f"Result of {subject.noun} entered",
            f"League staff entered the result of {subject.noun}: {scores}.",
            link=f"/matches/{subject.id}",
        ),
        key=f"result_entered:{subject.id}:{entered_at_ms}",
        places=[Place(ChannelPurpose.RESULTS)],
    )
