"""Replay submissions: upload, processing, validation, ratification, staff overrides, claims.

States: processing -> validating -> awaiting_ratification -> accepted, or rejected (for a
re-upload) at validation or by a player's rejection. Parsing and validation run in the
``submission.process`` job; accepting finalizes games, stat lines, the match result and the
players' ratings in the transaction that records the deciding ratification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from sprocket.identity import access
from sprocket.identity import service as identity
from sprocket.identity.access import Actor, found
from sprocket.identity.models import PlatformAccount
from sprocket.league.models import GameMode, League, Member, Player, RosterSpot, Team
from sprocket.league.service import organization_config
from sprocket.platform.outbox import enqueue
from sprocket.platform.storage import ObjectStorage
from sprocket.ratings import service as ratings
from sprocket.replays import validation
from sprocket.replays.models import (
    AccountClaim,
    AuditEntry,
    Ratification,
    StoredReplay,
    Submission,
    SubmissionReplay,
    storage_key,
)
from sprocket.replays.parser import Replay, ReplayError, parse_replay
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Fixture, Match
from sprocket.stats import service as stats

PROCESSING, VALIDATING, AWAITING = "processing", "validating", "awaiting_ratification"
ACCEPTED, REJECTED = "accepted", "rejected"
OPEN = (PROCESSING, VALIDATING, AWAITING)
MAX_FILES = 15


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


# -- who is who in a match -------------------------------------------------------------------


async def _team_of(
    session: AsyncSession, actor: Actor, team_ids: Sequence[int], season_id: int
) -> int | None:
    """The team (of ``team_ids``) the actor is rostered on this season, if any."""
    if actor.user_id is None:
        return None
    return await session.scalar(
        select(RosterSpot.team_id)
        .join(Player, Player.id == RosterSpot.player_id)
        .join(Member, Member.id == Player.member_id)
        .where(
            Member.user_id == actor.user_id,
            RosterSpot.team_id.in_(team_ids),
            RosterSpot.season_id == season_id,
            RosterSpot.left_at.is_(None),
        )
        .limit(1)
    )


async def _submitting_side(
    session: AsyncSession, actor: Actor, match: Match, fixture: Fixture, league: League
) -> int | None:
    """The side a submitter speaks for (None for staff and managers), or PermissionDenied."""
    access.require_user(actor)
    teams = (fixture.home_team_id, fixture.away_team_id)
    side = await _team_of(session, actor, teams, match.season_id)
    if side is not None:
        return side
    if await access.is_league_staff(session, actor, league.organization_id, league.id):
        return None
    managed = []
    for team_id in teams:
        team = await session.get(Team, team_id)
        try:
            await access.require_team_manager(
                session,
                actor,
                organization_id=league.organization_id,
                league_id=league.id,
                franchise_id=team.franchise_id if team else None,
                doing="submit",
            )
            managed.append(team_id)
        except PermissionDenied:
            continue
    if managed:  # a franchise manager speaks for the team they manage
        return managed[0] if len(managed) == 1 else None
    raise PermissionDenied(
        "Only players of the two teams, their franchise managers or league staff may submit "
        "this match's replays."
    )


# -- upload ----------------------------------------------------------------------------------


async def submit_replays(
    session: AsyncSession,
    *,
    actor: Actor,
    storage: ObjectStorage,
    match_id: int,
    files: Sequence[Upload],
    max_size: int,
) -> Submission:
    """Store a series' replays (once each, by SHA-256) and queue their processing.

    Each file is verified on the spot (CRCs and header, a few milliseconds), so a broken file
    is refused before anything is stored; the job parses again from storage.
    """
    match, fixture, league = await schedule.match_context(session, match_id)
    side = await _submitting_side(session, actor, match, fixture, league)
    if match.status != schedule.SCHEDULED:
        raise Conflict(f"Match {match.id} is already {match.status}.", code="MATCH_ALREADY_DECIDED")
    if not files:
        raise InvalidInput("Attach the series' replay files.", code="NO_FILES")
    if len(files) > MAX_FILES:
        raise InvalidInput(f"A series has at most {MAX_FILES} replays.", code="TOO_MANY_FILES")
    busy = await session.scalar(
        select(Submission.id).where(Submission.match_id == match.id, Submission.status.in_(OPEN))
    )
    if busy is not None:
        raise Conflict(
            f"Submission {busy} for this match is still open; wait for it or reject it first.",
            code="SUBMISSION_IN_PROGRESS",
        )
    digests: dict[str, int] = {}
    for number, upload in enumerate(files, start=1):
        _verify(number, upload, max_size)
        digest = hashlib.sha256(upload.data).hexdigest()
        if digest in digests:
            raise InvalidInput(
                f"Replay {number} ({upload.filename}) is the same file as replay "
                f"{digests[digest]}.",
                code="DUPLICATE_FILE",
            )
        digests[digest] = number
        used = await _used_by(session, digest)
        if used is not None:
            raise Conflict(
                f"Replay {number} ({upload.filename}) is already part of submission {used}.",
                code="REPLAY_ALREADY_USED",
            )
    submission = Submission(
        match_id=match.id,
        submitted_by_user_id=actor.user_id,
        submitted_for_team_id=side,
        status=PROCESSING,
    )
    session.add(submission)
    await session.flush()
    for number, (upload, digest) in enumerate(zip(files, digests, strict=True), start=1):
        stored = await _store(session, storage, upload, digest, actor)
        session.add(
            SubmissionReplay(
                submission_id=submission.id, stored_replay_id=stored.id, game_number=number
            )
        )
    enqueue(session, "submission.process", submission_id=submission.id)
    _changed(session, submission)
    await session.flush()
    return submission


def _verify(number: int, upload: Upload, max_size: int) -> Replay:
    try:
        return parse_replay(upload.data, max_size=max_size)
    except ReplayError as error:
        raise ReplayError(
            f"Replay {number} ({upload.filename}): {error.message}",
            code=error.code,  # type: ignore[arg-type]
        ) from None


async def _used_by(session: AsyncSession, digest: str, *, besides: int | None = None) -> int | None:
    """The open or accepted submission that already holds this replay."""
    query = (
        select(Submission.id)
        .join(SubmissionReplay, SubmissionReplay.submission_id == Submission.id)
        .join(StoredReplay, StoredReplay.id == SubmissionReplay.stored_replay_id)
        .where(StoredReplay.sha256 == digest, Submission.status != REJECTED)
    )
    if besides is not None:
        query = query.where(Submission.id != besides)
    return await session.scalar(query.limit(1))


async def _store(
    session: AsyncSession, storage: ObjectStorage, upload: Upload, digest: str, actor: Actor
) -> StoredReplay:
    stored = await session.scalar(select(StoredReplay).where(StoredReplay.sha256 == digest))
    if stored is None:
        stored = StoredReplay(
            sha256=digest,
            size=len(upload.data),
            filename=(upload.filename or "game.replay")[:255],
            uploaded_by_user_id=actor.user_id,
        )
        session.add(stored)
        await session.flush()
    if not await storage.exists(storage_key(digest)):
        await storage.put(storage_key(digest), upload.data, content_type="application/octet-stream")
    return stored


def _changed(session: AsyncSession, submission: Submission) -> None:
    submission.updated_at = utcnow()
    enqueue(
        session,
        "event.publish",
        channel=submission_channel(submission.id),
        event={
            "submission_id": submission.id,
            "status": submission.status,
            "at": submission.updated_at.isoformat(),
        },
    )


def submission_channel(submission_id: int) -> str:
    return f"submission:{submission_id}"


# -- processing (the job) --------------------------------------------------------------------


async def process_submission(
    session: AsyncSession, *, storage: ObjectStorage, submission_id: int, max_size: int
) -> Submission | None:
    """Parse and validate; safe to run twice (a finished submission is left as it is)."""
    submission = await session.get(Submission, submission_id)
    if submission is None or submission.status not in (PROCESSING, VALIDATING):
        return submission
    items = (
        await session.scalars(
            select(SubmissionReplay)
            .where(SubmissionReplay.submission_id == submission.id)
            .order_by(SubmissionReplay.game_number)
        )
    ).all()
    files = []
    for item in items:
        stored = found(await session.get(StoredReplay, item.stored_replay_id), "replay", item.id)
        replay, error = None, None
        try:
            replay = parse_replay(await storage.get(stored.storage_key), max_size=max_size)
        except ReplayError as problem:
            error = problem
        item.summary = _summary(replay, error)
        files.append(
            validation.GameFile(
                stored.filename,
                replay,
                error,
                await _used_by(session, stored.sha256, besides=submission.id),
            )
        )
    submission.status = VALIDATING
    report = validation.validate_series(await _expectation(session, submission), files)
    submission.report = report.as_json()
    if report.ok:
        submission.status = AWAITING
        submission.rejection_reason = None
        if await _ratifications_needed(session, submission) == 0:
            await _accept(session, submission)
            return submission
    else:
        submission.status = REJECTED
        submission.rejection_reason = report.summary()[:500]
    _changed(session, submission)
    return submission


def _summary(replay: Replay | None, error: ReplayError | None) -> dict:
    if replay is None:
        return {"error": {"code": error.code if error else "unknown", "message": str(error)}}
    return {
        "replay_id": replay.replay_id,
        "date": replay.date.isoformat() if replay.date else None,
        "match_type": replay.match_type,
        "map": replay.map,
        "team_size": replay.team_size,
        "team0_score": replay.team0_score,
        "team1_score": replay.team1_score,
    }


async def _expectation(session: AsyncSession, submission: Submission) -> validation.Expectation:
    match, fixture, league = await schedule.match_context(session, submission.match_id)
    config = await organization_config(session, league.organization_id)
    mode = found(await session.get(GameMode, league.game_mode_id), "game mode", league.game_mode_id)
    until = min(utcnow(), match.ends_at)
    sides = []
    for team_id in (fixture.home_team_id, fixture.away_team_id):
        team = found(await session.get(Team, team_id), "team", team_id)
        # Anyone on the roster at some point of the match window counts as that team's.
        rows = await session.execute(
            select(Member.id, Player.id, Member.name)
            .join(Player, Player.member_id == Member.id)
            .join(RosterSpot, RosterSpot.player_id == Player.id)
            .where(
                RosterSpot.team_id == team.id,
                RosterSpot.season_id == match.season_id,
                RosterSpot.joined_at <= until,
                RosterSpot.left_at.is_(None) | (RosterSpot.left_at > match.starts_at),
            )
            .distinct()
        )
        roster = tuple(validation.RosterPlayer(m, p, n) for m, p, n in rows)
        sides.append(validation.Side(team.id, team.name, roster))
    accounts = await session.execute(
        select(
            PlatformAccount.platform, PlatformAccount.account_id, PlatformAccount.member_id
        ).where(PlatformAccount.organization_id == league.organization_id)
    )
    names = await session.execute(
        select(Member.id, Member.name).where(Member.organization_id == league.organization_id)
    )
    return validation.Expectation(
        match_format=match.format,
        team_size=mode.team_size,
        home=sides[0],
        away=sides[1],
        window_start=match.starts_at,
        window_end=match.ends_at,
        date_tolerance=dt.timedelta(hours=config["replay_date_tolerance_hours"]),
        require_private=config["require_private_match"],
        substitutes_per_series=config["substitutes_per_series"],
        accounts={(p, a): m for p, a, m in accounts},
        member_names={member_id: name for member_id, name in names},
    )


# -- ratification ----------------------------------------------------------------------------


async def _open_submission(
    session: AsyncSession, submission_id: int
) -> tuple[Submission, Match, Fixture, League]:
    # Locked (on PostgreSQL) so that two deciding answers at once are taken one after the other.
    submission = found(
        await session.get(Submission, submission_id, with_for_update=True),
        "submission",
        submission_id,
    )
    match, fixture, league = await schedule.match_context(session, submission.match_id)
    return submission, match, fixture, league


async def _ratifications_needed(session: AsyncSession, submission: Submission) -> int:
    match, fixture, league = await schedule.match_context(session, submission.match_id)
    config = await organization_config(session, league.organization_id)
    if config["ratification_mode"] == "count":
        return config["required_ratifications"]
    opposing = [
        t
        for t in (fixture.home_team_id, fixture.away_team_id)
        if t != submission.submitted_for_team_id
    ]
    size = await session.scalar(
        select(func.count())
        .select_from(RosterSpot)
        .where(
            RosterSpot.team_id.in_(opposing),
            RosterSpot.season_id == match.season_id,
            RosterSpot.left_at.is_(None),
        )
    )
    return (size or 0) // 2 + 1


async def ratify(session: AsyncSession, *, actor: Actor, submission_id: int) -> Submission:
    """The opposing side confirms; enough confirmations accept the result, once."""
    submission, match, fixture, _ = await _open_submission(session, submission_id)
    access.require_user(actor)
    team = await _team_of(
        session, actor, (fixture.home_team_id, fixture.away_team_id), match.season_id
    )
    if team is None:
        raise PermissionDenied("Only players of the two teams ratify a result.")
    if team == submission.submitted_for_team_id:
        raise PermissionDenied(
            "Your side submitted this result; the other side ratifies it.", code="SUBMITTING_SIDE"
        )
    already = await session.scalar(
        select(Ratification).where(
            Ratification.submission_id == submission.id, Ratification.user_id == actor.user_id
        )
    )
    if already is not None or submission.status == ACCEPTED:
        return submission  # a repeated ratification changes nothing
    if submission.status != AWAITING:
        raise Conflict(
            f"Submission {submission.id} is {submission.status.replace('_', ' ')}, not awaiting "
            "ratification.",
            code="NOT_AWAITING_RATIFICATION",
        )
    session.add(
        Ratification(
            submission_id=submission.id, user_id=actor.user_id, team_id=team, decision="ratify"
        )
    )
    await session.flush()
    count = await session.scalar(
        select(func.count())
        .select_from(Ratification)
        .where(Ratification.submission_id == submission.id, Ratification.decision == "ratify")
    )
    if (count or 0) >= await _ratifications_needed(session, submission):
        await _accept(session, submission)
    return submission


async def reject(
    session: AsyncSession, *, actor: Actor, submission_id: int, reason: str
) -> Submission:
    """A player of either team (or staff) sends the submission back for a new upload."""
    submission, match, fixture, league = await _open_submission(session, submission_id)
    access.require_user(actor)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the result is wrong.", code="REASON_REQUIRED")
    team = await _team_of(
        session, actor, (fixture.home_team_id, fixture.away_team_id), match.season_id
    )
    if team is None and not await access.is_league_staff(
        session, actor, league.organization_id, league.id
    ):
        raise PermissionDenied("Only players of the two teams or league staff may reject it.")
    if submission.status not in OPEN:
        raise Conflict(
            f"Submission {submission.id} is already {submission.status}.", code="NOT_OPEN"
        )
    earlier = await session.scalar(
        select(Ratification).where(
            Ratification.submission_id == submission.id, Ratification.user_id == actor.user_id
        )
    )
    if earlier is not None:  # changed their mind after ratifying: one answer per player
        earlier.decision, earlier.reason = "reject", reason[:500]
    else:
        session.add(
            Ratification(
                submission_id=submission.id,
                user_id=actor.user_id,
                team_id=team,
                decision="reject",
                reason=reason[:500],
            )
        )
    submission.status = REJECTED
    submission.rejection_reason = reason[:500]
    _changed(session, submission)
    await session.flush()
    return submission


async def _accept(session: AsyncSession, submission: Submission) -> None:
    """Games, stat lines, the match result and (through it) the standings, in one go."""
    match, fixture, league = await schedule.match_context(session, submission.match_id)
    report = submission.report or {}
    games = report.get("games", [])
    if not games or any(g.get("home_goals") is None for g in games):
        raise Conflict(
            "This submission's games cannot be matched to the two teams; it cannot be accepted.",
            code="CANNOT_ACCEPT",
        )
    items = (
        await session.scalars(
            select(SubmissionReplay)
            .where(SubmissionReplay.submission_id == submission.id)
            .order_by(SubmissionReplay.game_number)
        )
    ).all()
    rows = await schedule.complete_match(
        session,
        match=match,
        games=[(g["home_goals"], g["away_goals"]) for g in games],
        replay_ids=[item.stored_replay_id for item in items],
    )
    await stats.record_series(
        session,
        league_id=league.id,
        games=rows,
        reports=games,
        home_team_id=fixture.home_team_id,
        away_team_id=fixture.away_team_id,
    )
    await ratings.rate_match_games(session, match_id=match.id)
    submission.status = ACCEPTED
    _changed(session, submission)
    await session.flush()


# -- staff -----------------------------------------------------------------------------------


async def _staff_only(session: AsyncSession, actor: Actor, league: League, doing: str) -> None:
    await access.require_league_staff(session, actor, league.organization_id, league.id, doing)


def _audit(
    session: AsyncSession,
    actor: Actor,
    league: League,
    action: str,
    submission: Submission,
    **details: object,
) -> None:
    session.add(
        AuditEntry(
            organization_id=league.organization_id,
            actor_user_id=actor.user_id,
            action=action,
            subject=f"submission:{submission.id}",
            details={"match_id": submission.match_id, **details},
        )
    )


async def force_accept(session: AsyncSession, *, actor: Actor, submission_id: int) -> Submission:
    submission, _, _, league = await _open_submission(session, submission_id)
    await _staff_only(session, actor, league, "force-accept results")
    if submission.status == ACCEPTED:
        return submission
    if submission.status not in (AWAITING, REJECTED):
        raise Conflict("This submission is still being processed.", code="NOT_PROCESSED")
    if submission.status == REJECTED and await _used_elsewhere(session, submission):
        raise Conflict(
            "Another submission of this match is open or accepted; settle that one instead.",
            code="SUBMISSION_IN_PROGRESS",
        )
    taken = await session.scalar(
        select(func.count())
        .select_from(SubmissionReplay)
        .join(StoredReplay, StoredReplay.id == SubmissionReplay.stored_replay_id)
        .where(SubmissionReplay.submission_id == submission.id)
        .where(
            StoredReplay.id.in_(
                select(SubmissionReplay.stored_replay_id)
                .join(Submission, Submission.id == SubmissionReplay.submission_id)
                .where(Submission.id != submission.id, Submission.status != REJECTED)
            )
        )
    )
    if taken:
        raise Conflict(
            "Some of these replays now belong to another submission.", code="REPLAY_ALREADY_USED"
        )
    await _accept(session, submission)
    _audit(session, actor, league, "submission.force_accept", submission)
    return submission


async def reset(session: AsyncSession, *, actor: Actor, submission_id: int) -> Submission:
    """Process the same replays again from the start (ratifications are dropped)."""
    submission, _, _, league = await _open_submission(session, submission_id)
    await _staff_only(session, actor, league, "reset submissions")
    if submission.status == ACCEPTED:
        raise Conflict("An accepted result is invalidated, not reset.", code="ALREADY_ACCEPTED")
    busy = await session.scalar(
        select(Submission.id).where(
            Submission.match_id == submission.match_id,
            Submission.status.in_(OPEN),
            Submission.id != submission.id,
        )
    )
    if busy is not None:
        raise Conflict(f"Submission {busy} for this match is open.", code="SUBMISSION_IN_PROGRESS")
    await _drop_ratifications(session, submission)
    _restart(session, submission, PROCESSING)
    _audit(session, actor, league, "submission.reset", submission)
    return submission


async def _drop_ratifications(session: AsyncSession, submission: Submission) -> None:
    rows = await session.scalars(
        select(Ratification).where(Ratification.submission_id == submission.id)
    )
    for row in rows.all():
        await session.delete(row)


def _restart(session: AsyncSession, submission: Submission, status: str) -> None:
    submission.status = status
    submission.report = None
    submission.rejection_reason = None
    enqueue(session, "submission.process", submission_id=submission.id)
    _changed(session, submission)


async def invalidate(
    session: AsyncSession, *, actor: Actor, submission_id: int, reason: str
) -> Submission:
    """Take back an accepted result: games and stat lines go, the match is open again."""
    submission, match, _, league = await _open_submission(session, submission_id)
    await _staff_only(session, actor, league, "invalidate results")
    if not reason.strip():
        raise InvalidInput("Say why the result is invalidated.", code="REASON_REQUIRED")
    if submission.status != ACCEPTED:
        raise Conflict("Only an accepted result can be invalidated.", code="NOT_ACCEPTED")
    await schedule.reopen_match(session, match=match)
    # Later games were rated from ratings that included this result: rebuild them without it.
    await ratings.recompute(
        session, organization_id=league.organization_id, game_mode_id=league.game_mode_id
    )
    submission.status = REJECTED
    submission.rejection_reason = f"Invalidated by staff: {reason.strip()}"[:500]
    _changed(session, submission)
    _audit(session, actor, league, "submission.invalidate", submission, reason=reason.strip())
    return submission


# -- account claims --------------------------------------------------------------------------


async def claim_account(
    session: AsyncSession, *, actor: Actor, submission_id: int, platform: str, account_id: str
) -> AccountClaim:
    """A member says an account the report calls unknown is theirs."""
    submission, _, _, league = await _open_submission(session, submission_id)
    me = access.require_user(actor)
    member = await session.scalar(
        select(Member).where(Member.organization_id == league.organization_id, Member.user_id == me)
    )
    if member is None:
        raise PermissionDenied("Join the organization before claiming an account.")
    listed = {
        (u["platform"], u["platform_id"]): u["name"]
        for u in (submission.report or {}).get("unknown_accounts", [])
    }
    kind = platform.strip().lower()
    key = (kind, account_id.strip().lower() if kind == "epic" else account_id.strip())
    if key not in listed:
        raise InvalidInput(
            "That account is not among the unknown accounts of this submission.",
            code="NOT_IN_REPORT",
        )
    pending = await session.scalar(
        select(AccountClaim).where(
            AccountClaim.submission_id == submission.id,
            AccountClaim.platform == key[0],
            AccountClaim.account_id == key[1],
            AccountClaim.status == "pending",
        )
    )
    if pending is not None:
        raise Conflict(
            "Someone already claimed this account; it awaits confirmation.", code="DUPLICATE_CLAIM"
        )
    claim = AccountClaim(
        organization_id=league.organization_id,
        member_id=member.id,
        submission_id=submission.id,
        platform=key[0],
        account_id=key[1],
        account_name=listed[key],
    )
    session.add(claim)
    await session.flush()
    return claim


async def confirm_claim(session: AsyncSession, *, actor: Actor, claim_id: int) -> AccountClaim:
    """Staff, or a player of the other team than the claimant's, confirm; the account is then
    linked and the submission validated again, without a new upload."""
    claim = found(await session.get(AccountClaim, claim_id), "account claim", claim_id)
    submission, match, fixture, league = await _open_submission(session, claim.submission_id)
    if claim.status != "pending":
        return claim
    access.require_user(actor)
    if not await access.is_league_staff(session, actor, league.organization_id, league.id):
        teams = (fixture.home_team_id, fixture.away_team_id)
        mine = await _team_of(session, actor, teams, match.season_id)
        claimant = await session.scalar(
            select(RosterSpot.team_id)
            .join(Player, Player.id == RosterSpot.player_id)
            .where(
                Player.member_id == claim.member_id,
                RosterSpot.team_id.in_(teams),
                RosterSpot.season_id == match.season_id,
            )
            .limit(1)
        )
        if mine is None or mine == claimant:
            raise PermissionDenied(
                "League staff or a player of the other team confirm an account claim."
            )
    await identity.attach_platform_account(
        session,
        organization_id=claim.organization_id,
        member_id=claim.member_id,
        platform=claim.platform,
        account_id=claim.account_id,
        display_name=claim.account_name,
    )
    claim.status = "confirmed"
    claim.decided_by_user_id = actor.user_id
    # Rejected by validation for unknown accounts: check it again with the account linked.
    blocked = submission.status == REJECTED and (submission.report or {}).get("unknown_accounts")
    if blocked and not await _used_elsewhere(session, submission):
        await _drop_ratifications(session, submission)
        _restart(session, submission, VALIDATING)
    await session.flush()
    return claim


async def _used_elsewhere(session: AsyncSession, submission: Submission) -> bool:
    """Another submission of the match opened meanwhile: this one stays as it is."""
    other = await session.scalar(
        select(Submission.id).where(
            Submission.match_id == submission.match_id,
            Submission.id != submission.id,
            Submission.status.in_((*OPEN, ACCEPTED)),
        )
    )
    return other is not None


async def replay_for_download(session: AsyncSession, *, sha256: str) -> StoredReplay:
    """A stored replay that belongs to a submission (public, like the matches they prove)."""
    stored = await session.scalar(select(StoredReplay).where(StoredReplay.sha256 == sha256))
    if stored is None:
        raise NotFound("There is no replay with that id.")
    return stored
