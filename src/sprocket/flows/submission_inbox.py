"""The staff's submissions inbox: an organization's submissions that wait for someone
(league matches and scrims alike), its account claims, and one submission as staff see it.

The inbox's sections:

* waiting for ratification (``awaiting_ratification``);
* disputed: rejected by someone's answer (a player of the other side, or staff, with a
  reason), while it is still the latest submission of its match or scrim and that match
  still waits for its result (a forfeited match or a cancelled scrim has nothing to settle);
* rejected otherwise (by validation, or invalidated by staff), on the same condition;
* stuck: still processing or validating :data:`STUCK_AFTER` after its last change;
* unconfirmed account claims: claims of an unknown account from a replay report, and the
  account links members made themselves (pending until a proof, or staff, verify them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sprocket.db import rows_by_ids, utcnow
from sprocket.errors import NotFound
from sprocket.identity.access import Actor
from sprocket.identity.models import User
from sprocket.league import access
from sprocket.league.audit_trail import TrailEntry, trail
from sprocket.league.enums import AccountStatus
from sprocket.league.models import GameMode, League, Member, PlatformAccount, Season, Team
from sprocket.replays.enums import ClaimStatus, RatificationDecision, SubmissionStatus
from sprocket.replays.models import (
    AccountClaim,
    Ratification,
    StoredReplay,
    Submission,
    SubmissionReplay,
)
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Fixture, Match
from sprocket.scrims.enums import ScrimStatus
from sprocket.scrims.models import Scrim

#: A submission still processing or validating this long after its last change is stuck:
#: the processing job runs within seconds of the upload and retries a failure within a
#: minute or so (``job_retries`` times, the n-th after n × ``job_retry_delay_seconds``), so
#: a quarter of an hour means it was lost or keeps failing. Staff reset it.
STUCK_AFTER = dt.timedelta(minutes=15)

#: The most lines each section of the inbox shows.
INBOX_LINES = 50


def stuck_at(now: dt.datetime) -> ColumnElement[bool]:
    """The rule of a stuck submission at ``now`` (UTC), as a SQL predicate: still processing
    or validating :data:`STUCK_AFTER` after its last change."""
    return and_(
        Submission.status.in_((SubmissionStatus.PROCESSING, SubmissionStatus.VALIDATING)),
        Submission.updated_at < now - STUCK_AFTER,
    )


@dataclass(frozen=True)
class SubmissionLine:
    """A submission in the inbox: what it proves (``subject``: "Team 1 vs Team 4
    (Doubles)", "Scrim 4 (Doubles)"), who uploaded it, when (UTC), and why it was rejected."""

    id: int
    status: SubmissionStatus
    subject: str
    match_id: int | None
    scrim_id: int | None
    submitted_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    rejection_reason: str | None


@dataclass(frozen=True)
class ClaimLine:
    """A pending claim of an unknown account from a submission's replays."""

    id: int
    submission_id: int
    member_id: int
    member: str
    platform: str
    account_id: str
    account_name: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class LinkLine:
    """A game account a member linked themself, waiting for a proof or for staff."""

    id: int
    member_id: int
    member: str
    platform: str
    account_id: str
    display_name: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Inbox:
    awaiting: list[SubmissionLine]
    disputed: list[SubmissionLine]
    rejected: list[SubmissionLine]
    stuck: list[SubmissionLine]
    claims: list[ClaimLine]
    links: list[LinkLine]
    stuck_after: dt.timedelta = STUCK_AFTER


@dataclass(frozen=True)
class GameLine:
    """One game of a submission: its number, file name, and what its header says."""

    number: int
    filename: str
    summary: dict[str, Any] | None


@dataclass(frozen=True)
class RatificationLine:
    user: str | None
    decision: RatificationDecision
    reason: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class SubmissionDetail:
    """One submission as staff see it: its line, games, the players' answers, the report's
    problems and unknown accounts, its account claims (pending or confirmed), whether it is
    stuck, and its audit trail (newest first)."""

    line: SubmissionLine
    stuck: bool
    games: list[GameLine]
    ratifications: list[RatificationLine]
    problems: list[str]
    unknown_accounts: list[dict[str, Any]]
    claims: list[tuple[ClaimLine, ClaimStatus]]
    trail: list[TrailEntry]


def _of_organization(organization_id: int) -> ColumnElement[bool]:
    """Submissions of the organization's league matches or scrims."""
    matches = (
        select(Match.id)
        .join(Season, Season.id == Match.season_id)
        .join(League, League.id == Season.league_id)
        .where(League.organization_id == organization_id)
    )
    scrims = select(Scrim.id).where(Scrim.organization_id == organization_id)
    return or_(Submission.match_id.in_(matches), Submission.scrim_id.in_(scrims))


def _latest_and_unsettled() -> ColumnElement[bool]:
    """The subject's latest submission, of a match still waiting for its result (not
    forfeited meanwhile) or of a scrim that was not cancelled."""
    later = aliased(Submission)
    newer = exists().where(
        later.id > Submission.id,
        or_(
            and_(Submission.match_id.is_not(None), later.match_id == Submission.match_id),
            and_(Submission.scrim_id.is_not(None), later.scrim_id == Submission.scrim_id),
        ),
    )
    cancelled = select(Scrim.id).where(Scrim.status == ScrimStatus.CANCELLED)
    decided = select(Match.id).where(Match.status != MatchStatus.SCHEDULED)
    return and_(
        ~newer,
        or_(Submission.scrim_id.is_(None), Submission.scrim_id.not_in(cancelled)),
        or_(Submission.match_id.is_(None), Submission.match_id.not_in(decided)),
    )


def _disputed() -> ColumnElement[bool]:
    return exists().where(
        Ratification.submission_id == Submission.id,
        Ratification.decision == RatificationDecision.REJECT,
    )


async def _lines(session: AsyncSession, rows: Sequence[Submission]) -> list[SubmissionLine]:
    """The submissions as inbox lines, their subjects named in a fixed number of statements."""
    match_ids = [r.match_id for r in rows if r.match_id is not None]
    scrim_ids = [r.scrim_id for r in rows if r.scrim_id is not None]
    fixtures = (
        await session.execute(
            select(Match.id, Fixture.home_team_id, Fixture.away_team_id, League.name)
            .join(Fixture, Fixture.id == Match.fixture_id)
            .join(Season, Season.id == Match.season_id)
            .join(League, League.id == Season.league_id)
            .where(Match.id.in_(match_ids))
        )
    ).all()
    teams = await rows_by_ids(
        session, Team, [t for f in fixtures for t in (f.home_team_id, f.away_team_id)]
    )
    names = {
        f.id: f"{teams[f.home_team_id].name} vs {teams[f.away_team_id].name} ({f.name})"
        for f in fixtures
    }
    scrims = await rows_by_ids(session, Scrim, scrim_ids)
    modes = await rows_by_ids(session, GameMode, [s.game_mode_id for s in scrims.values()])
    users = await rows_by_ids(session, User, [r.submitted_by_user_id for r in rows])
    lines = []
    for row in rows:
        if row.match_id is not None:
            subject = names.get(row.match_id, f"Match {row.match_id}")
        else:
            scrim = scrims[row.scrim_id]  # type: ignore[index]
            subject = f"Scrim {scrim.id} ({modes[scrim.game_mode_id].name})"
        user = users.get(row.submitted_by_user_id)
        lines.append(
            SubmissionLine(
                id=row.id,
                status=row.status,
                subject=subject,
                match_id=row.match_id,
                scrim_id=row.scrim_id,
                submitted_by=user.display_name if user else None,
                created_at=row.created_at,
                updated_at=row.updated_at,
                rejection_reason=row.rejection_reason,
            )
        )
    return lines


async def _section(
    session: AsyncSession, organization_id: int, *where: ColumnElement[bool]
) -> list[SubmissionLine]:
    rows = await session.scalars(
        select(Submission)
        .where(_of_organization(organization_id), *where)
        .order_by(Submission.updated_at.desc(), Submission.id.desc())
        .limit(INBOX_LINES)
    )
    return await _lines(session, rows.all())


def _claim_line(claim: AccountClaim, member: Member) -> ClaimLine:
    return ClaimLine(
        id=claim.id,
        submission_id=claim.submission_id,
        member_id=member.id,
        member=member.name,
        platform=claim.platform,
        account_id=claim.account_id,
        account_name=claim.account_name,
        created_at=claim.created_at,
    )


async def submission_inbox(
    session: AsyncSession, *, actor: Actor, organization_id: int, now: dt.datetime | None = None
) -> Inbox:
    """The organization's inbox for its staff (organization admins, the staff of any of its
    leagues): each section (see the module) newest change first, at most
    :data:`INBOX_LINES` lines each; ``now`` (UTC, default the present) judges what is stuck.
    Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    await access.require_staff_anywhere(
        session, actor, organization_id, "open the submissions inbox"
    )
    now = now or utcnow()
    rejected = (Submission.status == SubmissionStatus.REJECTED, _latest_and_unsettled())
    claims = await session.execute(
        select(AccountClaim, Member)
        .join(Member, Member.id == AccountClaim.member_id)
        .where(
            AccountClaim.organization_id == organization_id,
            AccountClaim.status == ClaimStatus.PENDING,
        )
        .order_by(AccountClaim.id)
        .limit(INBOX_LINES)
    )
    links = await session.execute(
        select(PlatformAccount, Member)
        .join(Member, Member.id == PlatformAccount.member_id)
        .where(
            PlatformAccount.organization_id == organization_id,
            PlatformAccount.status == AccountStatus.PENDING,
            Member.left_at.is_(None),
        )
        .order_by(PlatformAccount.id)
        .limit(INBOX_LINES)
    )
    return Inbox(
        awaiting=await _section(
            session, organization_id, Submission.status == SubmissionStatus.AWAITING_RATIFICATION
        ),
        disputed=await _section(session, organization_id, *rejected, _disputed()),
        rejected=await _section(session, organization_id, *rejected, ~_disputed()),
        stuck=await _section(session, organization_id, stuck_at(now)),
        claims=[_claim_line(claim, member) for claim, member in claims],
        links=[
            LinkLine(
                id=link.id,
                member_id=member.id,
                member=member.name,
                platform=link.platform,
                account_id=link.account_id,
                display_name=link.display_name,
                created_at=link.created_at,
            )
            for link, member in links
        ],
    )


async def staff_submission(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    submission_id: int,
    now: dt.datetime | None = None,
) -> SubmissionDetail:
    """One submission of the organization as its staff see it (:class:`SubmissionDetail`);
    ``now`` (UTC) judges whether it is stuck. Raises UNAUTHENTICATED, PERMISSION_DENIED (not
    staff of the organization), NOT_FOUND (no such submission in the organization)."""
    await access.require_staff_anywhere(session, actor, organization_id, "open submissions")
    row = await session.scalar(
        select(Submission).where(Submission.id == submission_id, _of_organization(organization_id))
    )
    if row is None:
        raise NotFound(f"There is no submission {submission_id} in this organization.")
    (line,) = await _lines(session, [row])
    games = await session.execute(
        select(SubmissionReplay, StoredReplay.filename)
        .join(StoredReplay, StoredReplay.id == SubmissionReplay.stored_replay_id)
        .where(SubmissionReplay.submission_id == row.id)
        .order_by(SubmissionReplay.game_number)
    )
    answers = (
        await session.scalars(
            select(Ratification)
            .where(Ratification.submission_id == row.id)
            .order_by(Ratification.id)
        )
    ).all()
    users = await rows_by_ids(session, User, [a.user_id for a in answers])
    claims = await session.execute(
        select(AccountClaim, Member)
        .join(Member, Member.id == AccountClaim.member_id)
        .where(AccountClaim.submission_id == row.id)
        .order_by(AccountClaim.id)
    )
    report = row.report or {}
    waiting = row.status in (SubmissionStatus.PROCESSING, SubmissionStatus.VALIDATING)
    return SubmissionDetail(
        line=line,
        stuck=waiting and row.updated_at < (now or utcnow()) - STUCK_AFTER,
        games=[GameLine(item.game_number, filename, item.summary) for item, filename in games],
        ratifications=[
            RatificationLine(
                user=users[a.user_id].display_name if a.user_id in users else None,
                decision=a.decision,
                reason=a.reason,
                created_at=a.created_at,
            )
            for a in answers
        ],
        problems=[p["message"] for p in report.get("problems", []) if "message" in p],
        unknown_accounts=list(report.get("unknown_accounts", [])),
        claims=[(_claim_line(c, m), c.status) for c, m in claims],
        trail=await trail(
            session,
            actor=actor,
            organization_id=organization_id,
            subjects=[f"submission:{row.id}"],
        ),
    )
