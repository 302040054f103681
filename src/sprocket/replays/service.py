"""Replay submissions: upload, processing, validation, ratification, staff overrides, claims.

A submission proves the result of a scheduled league match or of a scrim (its *subject*, see
:mod:`sprocket.replays.subjects`); the flow is the same for both.

States: processing -> validating -> awaiting_ratification -> accepted, or rejected (for a
re-upload) at validation or by a player's rejection. Parsing and validation run in the
``submission.process`` job; accepting records the subject's result (for a match: games, stat
lines, the result, standings and ratings; for a scrim: its games and ratings) in the
transaction that records the deciding ratification.

Ratification: the other side confirms. ``ratification_mode`` ``count`` needs
``required_ratifications`` of them, ``majority`` more than half of them; either way never
more than there are players who may ratify (so a 1v1 scrim needs its one opponent).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.db import utcnow
from sprocket.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    found,
)
from sprocket.identity.access import Actor, require_user
from sprocket.league import access, accounts
from sprocket.league.enums import GamePlatform
from sprocket.league.models import Member, Player, RosterSpot
from sprocket.league.service import organization_config
from sprocket.logs import log
from sprocket.platform.outbox import enqueue
from sprocket.platform.storage import ObjectStorage
from sprocket.replays import notices, validation
from sprocket.replays.enums import (
    OPEN_SUBMISSION_STATUSES,
    ClaimStatus,
    RatificationDecision,
    SubmissionStatus,
)
from sprocket.replays.errors import ProblemCode, ReplayCode
from sprocket.replays.filenames import clean_filename
from sprocket.replays.models import (
    AccountClaim,
    Ratification,
    StoredReplay,
    Submission,
    SubmissionReplay,
    storage_key,
)
from sprocket.replays.parser import Replay, ReplayError, parse_replay
from sprocket.replays.subjects import ResultSubject, Side, subject_of
from sprocket.replays.summary import header_summary
from sprocket.replays.validation import CountedGame, GameKeys, duplicate_game
from sprocket.schedule.models import Fixture, Match
from sprocket.text import plural

MAX_FILES = 15


@dataclass(frozen=True)
class Upload:
    """A file as a door received it: the client's file name (any text; :func:`submit`
    cleans it, see :func:`~sprocket.replays.filenames.clean_filename`) and its bytes."""

    filename: str
    data: bytes


#: The uploads of a door that reads its files only when asked: the submission's permission
#: check answers before a file is read (a refused caller's files are never read), and the
#: reader's own refusals (not a file, over the size cap) come after it.
UploadReader = Callable[[], Awaitable[Sequence[Upload]]]


def _for(subject: ResultSubject) -> ColumnElement[bool]:
    """Submissions of this subject."""
    return getattr(Submission, subject.column) == subject.id


async def _member_id(
    session: AsyncSession, organization_id: int, user_id: int | None
) -> int | None:
    if user_id is None:
        return None
    return await session.scalar(
        select(Member.id).where(
            Member.organization_id == organization_id, Member.user_id == user_id
        )
    )


async def _side(session: AsyncSession, subject: ResultSubject, actor: Actor) -> Side | None:
    """The actor's side in the subject (None when they did not play in it)."""
    member_id = await _member_id(session, subject.organization_id, actor.user_id)
    return None if member_id is None else await subject.side_of(session, member_id)


async def _open_of(session: AsyncSession, subject: ResultSubject) -> int | None:
    """The subject's open submission (at most one), if any."""
    return await session.scalar(
        select(Submission.id).where(_for(subject), Submission.status.in_(OPEN_SUBMISSION_STATUSES))
    )


# -- upload ----------------------------------------------------------------------------------


async def submit_refusal(
    session: AsyncSession, *, actor: Actor, subject: ResultSubject
) -> DomainError | None:
    """The error :func:`submit` would refuse ``actor``'s replays for ``subject`` with now,
    the files aside, or None when it would take them (what a door asks before offering the
    upload): UNAUTHENTICATED, the subject's PERMISSION_DENIED or refusal when it is decided
    (MATCH_ALREADY_DECIDED, SCRIM_NOT_IN_PROGRESS), SUBMISSION_IN_PROGRESS. Returned, never
    raised."""
    try:
        require_user(actor)
        await subject.submitter_side(session, actor)
        subject.require_undecided()
    except (Unauthenticated, PermissionDenied, Conflict) as error:
        return error
    busy = await _open_of(session, subject)
    return None if busy is None else _still_open(subject, busy)


def _still_open(subject: ResultSubject, busy: int) -> Conflict:
    return Conflict(
        f"Submission {busy} for {subject.noun} is still open; wait for it or reject it first.",
        code=ReplayCode.SUBMISSION_IN_PROGRESS,
    )


async def submit(
    session: AsyncSession,
    *,
    actor: Actor,
    storage: ObjectStorage,
    subject: ResultSubject,
    files: Sequence[Upload] | UploadReader,
    max_size: int,
) -> Submission:
    """Store the replays (once each, by SHA-256) and queue their processing.

    ``files``: the uploads, or an :data:`UploadReader` called once the subject's permission
    check passed. Each file is verified on the spot (CRCs and header, a few milliseconds), so
    a broken file is refused before anything is stored; the job parses again from storage.
    File names are stored and shown cleaned (:func:`~sprocket.replays.filenames.clean_filename`).

    ``max_size``: the largest file accepted, in bytes. Returns the new submission
    (``processing``).

    Raises (after the subject's permission check): the reader's errors, ``NO_FILES``,
    ``WRONG_FILE_COUNT``, ``TOO_MANY_FILES``, ``SUBMISSION_IN_PROGRESS``, a
    :class:`ReplayError` for a file that is no intact replay, ``DUPLICATE_FILE`` (the same
    bytes twice), ``REPLAY_ALREADY_USED``
    (bytes another open or accepted submission holds), ``DUPLICATE_GAME`` (the same game
    twice, or a game another open or accepted submission counts: by replay id or match GUID,
    see :func:`~sprocket.replays.validation.duplicate_game`).
    """
    side = await subject.submitter_side(session, actor)
    subject.require_undecided()
    files = [
        Upload(clean_filename(upload.filename, number=number), upload.data)
        for number, upload in enumerate(await files() if callable(files) else files, start=1)
    ]
    if not files:
        raise InvalidInput("Attach the series' replay files.", code=ReplayCode.NO_FILES)
    if subject.files_expected is not None and len(files) != subject.files_expected:
        raise InvalidInput(
            f"{subject.noun.capitalize()} has {plural(subject.files_expected, 'game')}; attach "
            f"one replay for each, in order (got {len(files)}).",
            code=ReplayCode.WRONG_FILE_COUNT,
        )
    if len(files) > MAX_FILES:
        raise InvalidInput(
            f"A series has at most {MAX_FILES} replays.", code=ReplayCode.TOO_MANY_FILES
        )
    busy = await _open_of(session, subject)
    if busy is not None:
        raise _still_open(subject, busy)
    digests: dict[str, int] = {}
    games: list[tuple[int, GameKeys]] = []
    for number, upload in enumerate(files, start=1):
        keys = GameKeys.of(_verify(number, upload, max_size))
        digest = hashlib.sha256(upload.data).hexdigest()
        if digest in digests:
            raise InvalidInput(
                f"Replay {number} ({upload.filename}) is the same file as replay "
                f"{digests[digest]}.",
                code=ReplayCode.DUPLICATE_FILE,
            )
        digests[digest] = number
        used = await _used_by(session, digest)
        if used is not None:
            raise Conflict(
                f"Replay {number} ({upload.filename}) is already part of submission {used}.",
                code=ReplayCode.REPLAY_ALREADY_USED,
            )
        same = duplicate_game(number, keys, earlier=games, filename=upload.filename)
        if same is not None:
            raise InvalidInput(same, code=ProblemCode.DUPLICATE_GAME)
        counted = await _counted_elsewhere(session, keys, sha256=digest)
        same = duplicate_game(number, keys, counted=counted, filename=upload.filename)
        if same is not None:
            raise Conflict(same, code=ProblemCode.DUPLICATE_GAME)
        games.append((number, keys))
    submission = Submission(
        submitted_by_user_id=actor.user_id,
        submitted_for_team_id=side.team_id if side else None,
        status=SubmissionStatus.PROCESSING,
    )
    setattr(submission, subject.column, subject.id)
    session.add(submission)
    await session.flush()
    for number, (upload, digest, (_, keys)) in enumerate(
        zip(files, digests, games, strict=True), start=1
    ):
        stored = await _store(session, storage, upload, digest, keys, actor)
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
        .where(StoredReplay.sha256 == digest, Submission.status != SubmissionStatus.REJECTED)
    )
    if besides is not None:
        query = query.where(Submission.id != besides)
    return await session.scalar(query.limit(1))


async def _counted_elsewhere(
    session: AsyncSession, keys: GameKeys, *, sha256: str, besides: int | None = None
) -> tuple[CountedGame, ...]:
    """Replays of other open or accepted submissions (any subject: a league match or a
    scrim; not ``besides``) that share a key with ``keys``: the same replay id or match GUID
    in other bytes than ``sha256`` (the same bytes are :func:`_used_by`'s). A rejected
    submission (by a player, by the check, or invalidated by staff) holds no game; a reset
    one is open again and holds its games. By submission, oldest first."""
    shared = [
        column == value
        for column, value in (
            (StoredReplay.replay_id, keys.replay_id),
            (StoredReplay.match_guid, keys.match_guid),
        )
        if value
    ]
    if not shared:
        return ()
    query = (
        select(Submission.id, StoredReplay.replay_id, StoredReplay.match_guid)
        .join(SubmissionReplay, SubmissionReplay.submission_id == Submission.id)
        .join(StoredReplay, StoredReplay.id == SubmissionReplay.stored_replay_id)
        .where(
            or_(*shared),
            StoredReplay.sha256 != sha256,
            Submission.status != SubmissionStatus.REJECTED,
        )
        .order_by(Submission.id, SubmissionReplay.game_number)
    )
    if besides is not None:
        query = query.where(Submission.id != besides)
    rows = await session.execute(query)
    return tuple(CountedGame(held_by, GameKeys(rid, guid)) for held_by, rid, guid in rows)


async def _store(
    session: AsyncSession,
    storage: ObjectStorage,
    upload: Upload,
    digest: str,
    keys: GameKeys,
    actor: Actor,
) -> StoredReplay:
    stored = await session.scalar(select(StoredReplay).where(StoredReplay.sha256 == digest))
    if stored is None:
        stored = StoredReplay(
            sha256=digest,
            size=len(upload.data),
            filename=upload.filename,
            uploaded_by_user_id=actor.user_id,
        )
        session.add(stored)
    _remember_keys(stored, keys)
    await session.flush()
    if not await storage.exists(storage_key(digest)):
        await storage.put(storage_key(digest), upload.data, content_type="application/octet-stream")
    return stored


def _remember_keys(stored: StoredReplay, keys: GameKeys) -> None:
    """Keep the game's keys beside the file (stored before they were kept: set now)."""
    stored.replay_id, stored.match_guid = keys.replay_id, keys.match_guid


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
    """The broadcast channel a submission's status changes go out on (``submission:<id>``)."""
    return f"submission:{submission_id}"


# -- processing (the job) --------------------------------------------------------------------


async def process_submission(
    session: AsyncSession, *, storage: ObjectStorage, submission_id: int, max_size: int
) -> Submission | None:
    """Parse and validate; safe to run twice (a finished submission is left as it is).

    The submission is locked first (on PostgreSQL), as every answer to it does, so a
    rejection or a staff reset committed meanwhile is not overwritten. ``max_size``: the
    largest replay accepted, in bytes. A file's problems go into the report (the submission
    is then rejected), not raised; a valid series that needs no ratification is accepted at
    once. Returns the submission (None for an unknown id)."""
    submission = await session.get(
        Submission, submission_id, with_for_update=True, populate_existing=True
    )
    if submission is None or submission.status not in (
        SubmissionStatus.PROCESSING,
        SubmissionStatus.VALIDATING,
    ):
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
        replay, error, counted = None, None, ()
        try:
            replay = parse_replay(await storage.get(stored.storage_key), max_size=max_size)
        except ReplayError as problem:
            error = problem
        if replay is not None:
            keys = GameKeys.of(replay)
            _remember_keys(stored, keys)
            counted = await _counted_elsewhere(
                session, keys, sha256=stored.sha256, besides=submission.id
            )
        item.summary = _summary(replay, error)
        files.append(
            validation.GameFile(
                stored.filename,
                replay,
                error,
                await _used_by(session, stored.sha256, besides=submission.id),
                counted,
            )
        )
    submission.status = SubmissionStatus.VALIDATING
    subject = await subject_of(session, submission)
    report = await subject.check(session, files)
    submission.report = report.as_json()
    if report.ok:
        submission.status = SubmissionStatus.AWAITING_RATIFICATION
        submission.rejection_reason = None
        if await _ratifications_needed(session, subject, submission) == 0:
            try:
                async with session.begin_nested():
                    await _accept(session, subject, submission)
                return submission
            except Conflict:  # e.g. a scrim locked meanwhile: staff settle it later
                pass
    else:
        submission.status = SubmissionStatus.REJECTED
        submission.rejection_reason = report.summary()[:500]
    _changed(session, submission)
    if submission.status == SubmissionStatus.REJECTED:
        await notices.submission_rejected(session, subject=subject, submission=submission)
    else:
        await notices.submission_waiting(session, subject=subject, submission=submission)
    return submission


def _summary(replay: Replay | None, error: ReplayError | None) -> dict:
    if replay is None:
        return {"error": {"code": error.code if error else "unknown", "message": str(error)}}
    return header_summary(replay)


# -- ratification ----------------------------------------------------------------------------


async def _open_submission(
    session: AsyncSession, actor: Actor, submission_id: int
) -> tuple[Submission, ResultSubject]:
    """The submission and its subject, for a signed-in caller (UNAUTHENTICATED first): the
    scope every answer to a submission checks who may act against."""
    require_user(actor)
    # Locked (on PostgreSQL) so that two deciding answers at once are taken one after the other.
    submission = found(
        await session.get(Submission, submission_id, with_for_update=True),
        "submission",
        submission_id,
    )
    return submission, await subject_of(session, submission)


async def _ratifications_needed(
    session: AsyncSession, subject: ResultSubject, submission: Submission
) -> int:
    config = await organization_config(session, subject.organization_id)
    eligible = await subject.ratifiers(
        session, await subject.side_of_submission(session, submission)
    )
    if config["ratification_mode"] == "count":
        required = config["required_ratifications"]
    else:
        required = eligible // 2 + 1
    # Never more than can answer, but nobody to answer is not a free pass: staff decide.
    return min(required, max(eligible, 1))


async def _ratify_refusal(
    session: AsyncSession,
    actor: Actor,
    subject: ResultSubject,
    submission: Submission,
    side: Side | None,
) -> PermissionDenied | None:
    """Why ``actor`` (on ``side`` of the subject) may never ratify ``submission``, or None."""
    if side is None:
        return PermissionDenied(f"Only the players of {subject.noun} ratify its result.")
    if submission.submitted_by_user_id == actor.user_id or side == (
        await subject.side_of_submission(session, submission)
    ):
        return PermissionDenied(
            "Your side submitted this result; the other side ratifies it.",
            code=ReplayCode.SUBMITTING_SIDE,
        )
    return None


async def _answer_of(
    session: AsyncSession, submission: Submission, actor: Actor
) -> Ratification | None:
    """The actor's answer (ratification or rejection) to the submission, if they gave one."""
    return await session.scalar(
        select(Ratification).where(
            Ratification.submission_id == submission.id, Ratification.user_id == actor.user_id
        )
    )


async def ratify(session: AsyncSession, *, actor: Actor, submission_id: int) -> Submission:
    """A player of the other side than the submitter's confirms the result; enough
    confirmations (``ratification_mode``, ``required_ratifications``) accept it, once.
    Ratifying twice, or an accepted result, changes nothing. Returns the submission.

    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED (did not play in the subject),
    SUBMITTING_SIDE, the subject's refusal when it is decided (MATCH_ALREADY_DECIDED,
    SCRIM_NOT_IN_PROGRESS), NOT_AWAITING_RATIFICATION, and when accepting: CANNOT_ACCEPT.
    """
    submission, subject = await _open_submission(session, actor, submission_id)
    side = await _side(session, subject, actor)
    refusal = await _ratify_refusal(session, actor, subject, submission, side)
    if refusal is not None:
        raise refusal
    already = await _answer_of(session, submission, actor)
    if already is not None or submission.status == SubmissionStatus.ACCEPTED:
        return submission  # a repeated ratification changes nothing
    subject.require_undecided()
    if submission.status != SubmissionStatus.AWAITING_RATIFICATION:
        raise Conflict(
            f"Submission {submission.id} is {submission.status.replace('_', ' ')}, not awaiting "
            "ratification.",
            code=ReplayCode.NOT_AWAITING_RATIFICATION,
        )
    session.add(
        Ratification(
            submission_id=submission.id,
            user_id=actor.user_id,
            team_id=side.team_id,
            decision=RatificationDecision.RATIFY,
        )
    )
    await session.flush()
    count = await session.scalar(
        select(func.count())
        .select_from(Ratification)
        .where(
            Ratification.submission_id == submission.id,
            Ratification.decision == RatificationDecision.RATIFY,
        )
    )
    if (count or 0) >= await _ratifications_needed(session, subject, submission):
        await _accept(session, subject, submission)
    else:
        _changed(session, submission)
    return submission


async def _may_reject(
    session: AsyncSession, actor: Actor, subject: ResultSubject, side: Side | None
) -> bool:
    """A player of either side, or staff."""
    return side is not None or await subject.is_staff(session, actor)


async def _rejecter(
    session: AsyncSession, actor: Actor, submission_id: int
) -> tuple[Submission, Side | None]:
    """The submission and the caller's side in it, for a caller who may reject it."""
    submission, subject = await _open_submission(session, actor, submission_id)
    side = await _side(session, subject, actor)
    if not await _may_reject(session, actor, subject, side):
        raise PermissionDenied(f"Only the players of {subject.noun} or staff may reject it.")
    return submission, side


def _require_open(submission: Submission) -> None:
    if submission.status not in OPEN_SUBMISSION_STATUSES:
        raise Conflict(
            f"Submission {submission.id} is already {submission.status}.", code=ReplayCode.NOT_OPEN
        )


async def may_reject(session: AsyncSession, *, actor: Actor, submission_id: int) -> Submission:
    """Whether the caller may reject the submission now, asked before they are asked for
    a reason (a door's button): returns it when they may. Changes nothing.
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, then NOT_OPEN."""
    submission, _ = await _rejecter(session, actor, submission_id)
    _require_open(submission)
    return submission


async def reject(
    session: AsyncSession, *, actor: Actor, submission_id: int, reason: str
) -> Submission:
    """A player of either side (or staff) sends the submission back for a new upload.
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, then REASON_REQUIRED, NOT_OPEN."""
    submission, side = await _rejecter(session, actor, submission_id)
    reason = _reason(reason, "Say why the result is wrong.")
    _require_open(submission)
    earlier = await _answer_of(session, submission, actor)
    if earlier is not None:  # changed their mind after ratifying: one answer per player
        earlier.decision, earlier.reason = RatificationDecision.REJECT, reason[:500]
    else:
        session.add(
            Ratification(
                submission_id=submission.id,
                user_id=actor.user_id,
                team_id=side.team_id if side else None,
                decision=RatificationDecision.REJECT,
                reason=reason[:500],
            )
        )
    submission.status = SubmissionStatus.REJECTED
    submission.rejection_reason = reason[:500]
    _changed(session, submission)
    await session.flush()
    subject = await subject_of(session, submission)
    await notices.submission_rejected(session, subject=subject, submission=submission)
    return submission


async def _accept(session: AsyncSession, subject: ResultSubject, submission: Submission) -> None:
    await subject.accept(session, submission)
    submission.status = SubmissionStatus.ACCEPTED
    _changed(session, submission)
    await session.flush()
    await notices.result_accepted(session, subject=subject, submission=submission)


# -- staff -----------------------------------------------------------------------------------


def _reason(reason: str, missing: str) -> str:
    """``reason`` trimmed, or InvalidInput ``REASON_REQUIRED`` saying ``missing`` (its
    details name the ``reason`` argument, so a form shows it beside that field)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(missing, code=ReplayCode.REASON_REQUIRED, details={"field": "reason"})
    return reason


def _given(reason: str | None, missing: str) -> dict[str, str]:
    """The audit details of an optional staff reason: none when ``reason`` is None (the API
    asks none), else the trimmed reason (kept to 500 characters); REASON_REQUIRED when blank."""
    return {} if reason is None else {"reason": _reason(reason, missing)[:500]}


async def _staff_only(
    session: AsyncSession, actor: Actor, subject: ResultSubject, doing: str
) -> None:
    if not await subject.is_staff(session, actor):
        raise PermissionDenied(f"Only staff may {doing}.")


def _audit(
    session: AsyncSession,
    actor: Actor,
    subject: ResultSubject,
    action: str,
    submission: Submission,
    **details: object,
) -> None:
    audit.record(
        session,
        organization_id=subject.organization_id,
        actor_user_id=actor.user_id,
        action=action,
        subject=f"submission:{submission.id}",
        details={subject.column: subject.id, **details},
    )


async def force_accept(
    session: AsyncSession, *, actor: Actor, submission_id: int, reason: str | None = None
) -> Submission:
    """Staff accept a submission awaiting ratification or rejected (by a player or by
    validation) as it stands, and the audit log records it with ``reason`` (why, kept to 500
    characters; None records none: the API asks none); an accepted one is returned unchanged.

    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, REASON_REQUIRED (a blank
    ``reason``), NOT_PROCESSED (still processing),
    SUBMISSION_IN_PROGRESS (a rejected one, while another submission of the subject is open
    or accepted), REPLAY_ALREADY_USED, DUPLICATE_GAME (a game another submission now counts),
    the subject's refusal when it is decided (MATCH_ALREADY_DECIDED, SCRIM_NOT_IN_PROGRESS),
    CANNOT_ACCEPT.
    """
    submission, subject = await _open_submission(session, actor, submission_id)
    await _staff_only(session, actor, subject, "force-accept results")
    why = _given(reason, "Say why the result is accepted without its ratifications.")
    if submission.status == SubmissionStatus.ACCEPTED:
        return submission
    if submission.status not in (SubmissionStatus.AWAITING_RATIFICATION, SubmissionStatus.REJECTED):
        raise Conflict("This submission is still being processed.", code=ReplayCode.NOT_PROCESSED)
    if submission.status == SubmissionStatus.REJECTED and await _used_elsewhere(
        session, subject, submission
    ):
        raise Conflict(
            f"Another submission of {subject.noun} is open or accepted; settle that one instead.",
            code=ReplayCode.SUBMISSION_IN_PROGRESS,
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
                .where(
                    Submission.id != submission.id, Submission.status != SubmissionStatus.REJECTED
                )
            )
        )
    )
    if taken:
        raise Conflict(
            "Some of these replays now belong to another submission.",
            code=ReplayCode.REPLAY_ALREADY_USED,
        )
    await _refuse_games_counted_elsewhere(session, submission)
    subject.require_undecided()
    await _accept(session, subject, submission)
    _audit(session, actor, subject, "submission.force_accept", submission, **why)
    return submission


async def _refuse_games_counted_elsewhere(session: AsyncSession, submission: Submission) -> None:
    """Conflict ``DUPLICATE_GAME`` when another open or accepted submission now counts one
    of this submission's games (keys as the processing job kept them)."""
    rows = await session.execute(
        select(SubmissionReplay.game_number, StoredReplay)
        .join(StoredReplay, StoredReplay.id == SubmissionReplay.stored_replay_id)
        .where(SubmissionReplay.submission_id == submission.id)
        .order_by(SubmissionReplay.game_number)
    )
    for number, stored in rows:
        keys = GameKeys(stored.replay_id, stored.match_guid)
        counted = await _counted_elsewhere(
            session, keys, sha256=stored.sha256, besides=submission.id
        )
        same = duplicate_game(number, keys, counted=counted)
        if same is not None:
            raise Conflict(same, code=ProblemCode.DUPLICATE_GAME)


async def reset(
    session: AsyncSession, *, actor: Actor, submission_id: int, reason: str | None = None
) -> Submission:
    """Staff process the same replays again from the start: ratifications are dropped,
    the report cleared, the job queued, and the audit log records it with ``reason`` (as
    :func:`force_accept`'s). Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED,
    REASON_REQUIRED (a blank ``reason``), ALREADY_ACCEPTED (invalidate that instead),
    SUBMISSION_IN_PROGRESS (another submission of the subject is open)."""
    submission, subject = await _open_submission(session, actor, submission_id)
    await _staff_only(session, actor, subject, "reset submissions")
    why = _given(reason, "Say why the replays are processed again.")
    if submission.status == SubmissionStatus.ACCEPTED:
        raise Conflict(
            "An accepted result is invalidated, not reset.", code=ReplayCode.ALREADY_ACCEPTED
        )
    busy = await session.scalar(
        select(Submission.id).where(
            _for(subject),
            Submission.status.in_(OPEN_SUBMISSION_STATUSES),
            Submission.id != submission.id,
        )
    )
    if busy is not None:
        raise Conflict(
            f"Submission {busy} for {subject.noun} is open.", code=ReplayCode.SUBMISSION_IN_PROGRESS
        )
    await _drop_ratifications(session, submission)
    _restart(session, submission, SubmissionStatus.PROCESSING)
    _audit(session, actor, subject, "submission.reset", submission, **why)
    return submission


async def _drop_ratifications(session: AsyncSession, submission: Submission) -> None:
    rows = await session.scalars(
        select(Ratification).where(Ratification.submission_id == submission.id)
    )
    for row in rows.all():
        await session.delete(row)


def _restart(session: AsyncSession, submission: Submission, status: SubmissionStatus) -> None:
    submission.status = status
    submission.report = None
    submission.rejection_reason = None
    enqueue(session, "submission.process", submission_id=submission.id)
    _changed(session, submission)


async def invalidate(
    session: AsyncSession, *, actor: Actor, submission_id: int, reason: str
) -> Submission:
    """Staff take back an accepted result, saying why (``reason``, kept to 500 characters):
    what accepting recorded goes, the subject is open again, the ratings are rebuilt
    without it, the submission is rejected and the audit log records it.
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, REASON_REQUIRED, NOT_ACCEPTED."""
    submission, subject = await _open_submission(session, actor, submission_id)
    await _staff_only(session, actor, subject, "invalidate results")
    reason = _reason(reason, "Say why the result is invalidated.")
    if submission.status != SubmissionStatus.ACCEPTED:
        raise Conflict("Only an accepted result can be invalidated.", code=ReplayCode.NOT_ACCEPTED)
    await subject.take_back(session, submission)
    submission.status = SubmissionStatus.REJECTED
    submission.rejection_reason = f"Invalidated by staff: {reason}"[:500]
    _changed(session, submission)
    _audit(session, actor, subject, "submission.invalidate", submission, reason=reason[:500])
    return submission


# -- account claims --------------------------------------------------------------------------


async def claim_account(
    session: AsyncSession, *, actor: Actor, submission_id: int, platform: str, account_id: str
) -> AccountClaim:
    """A player of the submission's match or scrim says an account its report calls unknown
    is theirs. Only its players may: anyone else could claim a ringer's account. Raises
    UNAUTHENTICATED, NOT_FOUND (submission), PERMISSION_DENIED, NOT_IN_REPORT,
    DUPLICATE_CLAIM."""
    me = require_user(actor)
    submission, subject = await _open_submission(session, actor, submission_id)
    member_id = await _member_id(session, subject.organization_id, me)
    if member_id is None or await subject.side_of(session, member_id) is None:
        raise PermissionDenied(f"Only the players of {subject.noun} claim accounts in it.")
    listed = {
        (u["platform"], u["platform_id"]): u["name"]
        for u in (submission.report or {}).get("unknown_accounts", [])
    }
    kind = platform.strip().lower()
    key = (kind, account_id.strip().lower() if kind == GamePlatform.EPIC else account_id.strip())
    if key not in listed:
        raise InvalidInput(
            "That account is not among the unknown accounts of this submission.",
            code=ReplayCode.NOT_IN_REPORT,
        )
    pending = await session.scalar(
        select(AccountClaim).where(
            AccountClaim.submission_id == submission.id,
            AccountClaim.platform == key[0],
            AccountClaim.account_id == key[1],
            AccountClaim.status == ClaimStatus.PENDING,
        )
    )
    if pending is not None:
        raise Conflict(
            "Someone already claimed this account; it awaits confirmation.",
            code=ReplayCode.DUPLICATE_CLAIM,
        )
    claim = AccountClaim(
        organization_id=subject.organization_id,
        member_id=member_id,
        submission_id=submission.id,
        platform=key[0],
        account_id=key[1],
        account_name=listed[key],
    )
    session.add(claim)
    await session.flush()
    return claim


async def _may_confirm(
    session: AsyncSession, actor: Actor, subject: ResultSubject, claim: AccountClaim
) -> bool:
    """Staff, or a player of another side than the claimant's (:func:`_vouches`)."""
    return await subject.is_staff(session, actor) or await _vouches(session, actor, subject, claim)


async def _vouches(
    session: AsyncSession, actor: Actor, subject: ResultSubject, claim: AccountClaim
) -> bool:
    """Whether the actor plays on another side than the claimant's: players vouch for an
    opponent they played against; anyone else's claim is staff's."""
    mine = await _side(session, subject, actor)
    claimant = await subject.side_of(session, claim.member_id)
    return mine is not None and claimant is not None and mine != claimant


async def confirm_claim(session: AsyncSession, *, actor: Actor, claim_id: int) -> AccountClaim:
    """Staff, or a player of another side than the claimant's, confirm; the account is then
    linked (verified, proof ``claim``) and the submission validated again, without a new
    upload; the audit log records staff's confirmations. Raises UNAUTHENTICATED, NOT_FOUND,
    PERMISSION_DENIED, DUPLICATE_PLATFORM_ACCOUNT."""
    require_user(actor)
    claim = found(await session.get(AccountClaim, claim_id), "account claim", claim_id)
    submission, subject = await _open_submission(session, actor, claim.submission_id)
    staff = await subject.is_staff(session, actor)
    if not staff and not await _vouches(session, actor, subject, claim):
        raise PermissionDenied(
            "Staff, or a player of the other side of the claimant's, confirm an account claim."
        )
    if claim.status != ClaimStatus.PENDING:
        return claim
    await accounts.link_claimed_account(
        session,
        member_id=claim.member_id,
        platform=claim.platform,
        account_id=claim.account_id,
        display_name=claim.account_name,
    )
    claim.status = ClaimStatus.CONFIRMED
    claim.decided_by_user_id = actor.user_id
    if staff:
        _audit_claim(session, actor, subject, "account_claim.confirm", claim)
    # Rejected by validation for unknown accounts: check it again with the account linked.
    blocked = submission.status == SubmissionStatus.REJECTED and (submission.report or {}).get(
        "unknown_accounts"
    )
    if blocked and not await _used_elsewhere(session, subject, submission):
        await _drop_ratifications(session, submission)
        _restart(session, submission, SubmissionStatus.VALIDATING)
    await session.flush()
    return claim


async def refuse_claim(session: AsyncSession, *, actor: Actor, claim_id: int) -> None:
    """Staff refuse a pending account claim: it is removed (the account stays unknown, the
    submission as it is) and the audit log records it. Raises UNAUTHENTICATED, NOT_FOUND,
    PERMISSION_DENIED, CLAIM_DECIDED (confirmed already: unlink the account instead)."""
    require_user(actor)
    claim = found(await session.get(AccountClaim, claim_id), "account claim", claim_id)
    _, subject = await _open_submission(session, actor, claim.submission_id)
    await _staff_only(session, actor, subject, "refuse account claims")
    if claim.status != ClaimStatus.PENDING:
        raise Conflict(
            "This claim was confirmed already; unlink the account from the member instead.",
            code=ReplayCode.CLAIM_DECIDED,
        )
    _audit_claim(session, actor, subject, "account_claim.refuse", claim)
    await session.delete(claim)
    await session.flush()


def _audit_claim(
    session: AsyncSession, actor: Actor, subject: ResultSubject, action: str, claim: AccountClaim
) -> None:
    audit.record(
        session,
        organization_id=subject.organization_id,
        actor_user_id=actor.user_id,
        action=action,
        subject=f"submission:{claim.submission_id}",
        details={
            "member_id": claim.member_id,
            "platform": claim.platform,
            "account_id": claim.account_id,
            "account_name": claim.account_name,
        },
    )


async def _used_elsewhere(
    session: AsyncSession, subject: ResultSubject, submission: Submission
) -> bool:
    """Another submission of the subject opened meanwhile: this one stays as it is."""
    other = await session.scalar(
        select(Submission.id).where(
            _for(subject),
            Submission.id != submission.id,
            Submission.status.in_((*OPEN_SUBMISSION_STATUSES, SubmissionStatus.ACCEPTED)),
        )
    )
    return other is not None


# -- what a caller may answer (the doors ask before offering an action) -----------------------


@dataclass(frozen=True)
class Answers:
    """What a caller may answer to a submission now, as :func:`ratify`, :func:`reject`,
    :func:`claim_account` and :func:`confirm_claim` decide: ratify it, reject it, claim one of
    its report's unknown accounts, confirm the pending account claims of ``confirm`` (ids)."""

    ratify: bool = False
    reject: bool = False
    claim: bool = False
    confirm: frozenset[int] = frozenset()


async def answers_open(session: AsyncSession, *, actor: Actor, submission_id: int) -> Answers:
    """What ``actor`` may answer to the submission now (nothing for the spectator); a
    door shows its buttons from it, and each action still decides on its own. Locks nothing.
    Raises NOT_FOUND."""
    submission = found(await session.get(Submission, submission_id), "submission", submission_id)
    if not actor.authenticated:
        return Answers()
    subject = await subject_of(session, submission)
    side = await _side(session, subject, actor)
    status = submission.status
    ratify = (
        status == SubmissionStatus.AWAITING_RATIFICATION
        and await _ratify_refusal(session, actor, subject, submission, side) is None
        and await _answer_of(session, submission, actor) is None
        and _undecided(subject)
    )
    pending = await session.scalars(
        select(AccountClaim).where(
            AccountClaim.submission_id == submission.id,
            AccountClaim.status == ClaimStatus.PENDING,
        )
    )
    return Answers(
        ratify=ratify,
        reject=status in OPEN_SUBMISSION_STATUSES
        and await _may_reject(session, actor, subject, side),
        claim=side is not None and bool((submission.report or {}).get("unknown_accounts")),
        confirm=frozenset(
            [c.id for c in pending.all() if await _may_confirm(session, actor, subject, c)]
        ),
    )


def _undecided(subject: ResultSubject) -> bool:
    try:
        subject.require_undecided()
    except Conflict:
        return False
    return True


async def awaiting_answer(
    session: AsyncSession, *, actor: Actor, scrim_ids: Sequence[int] = (), first: int = 20
) -> list[Submission]:
    """The submissions waiting for ``actor`` to ratify them (:attr:`Answers.ratify`), oldest
    first, at most ``first``: of the league matches of the teams they play for now, and of
    ``scrim_ids`` (the scrims they play in: the scrims domain knows them). None for the
    spectator. Raises nothing."""
    if not actor.authenticated:
        return []
    teams = (
        select(RosterSpot.team_id)
        .join(Player, Player.id == RosterSpot.player_id)
        .join(Member, Member.id == Player.member_id)
        .where(Member.user_id == actor.user_id, RosterSpot.left_at.is_(None))
    )
    answered = select(Ratification.submission_id).where(Ratification.user_id == actor.user_id)
    rows = await session.scalars(
        select(Submission)
        .outerjoin(Match, Match.id == Submission.match_id)
        .outerjoin(Fixture, Fixture.id == Match.fixture_id)
        .where(
            Submission.status == SubmissionStatus.AWAITING_RATIFICATION,
            Submission.submitted_by_user_id != actor.user_id,
            Submission.id.not_in(answered),
            or_(
                Fixture.home_team_id.in_(teams),
                Fixture.away_team_id.in_(teams),
                Submission.scrim_id.in_(set(scrim_ids)),
            ),
        )
        .order_by(Submission.id)
        .limit(first)
    )
    return [
        row
        for row in rows.all()
        if (await answers_open(session, actor=actor, submission_id=row.id)).ratify
    ]


async def close_open_of_scrim(session: AsyncSession, *, scrim_id: int, reason: str) -> None:
    """A cancelled scrim takes no result: its open submissions are rejected with ``reason``
    (kept to 500 characters). No permission check: the caller's."""
    rows = await session.scalars(
        select(Submission)
        .where(Submission.scrim_id == scrim_id, Submission.status.in_(OPEN_SUBMISSION_STATUSES))
        .with_for_update()
    )
    for submission in rows.all():
        submission.status = SubmissionStatus.REJECTED
        submission.rejection_reason = reason[:500]
        _changed(session, submission)


async def replay_download(
    session: AsyncSession, *, actor: Actor, storage: ObjectStorage, sha256: str
) -> tuple[StoredReplay, bytes]:
    """A stored replay and its bytes, for the download route.

    Replays are public, like the results they prove, unless an organization whose submission
    holds the replay sets ``replay_downloads`` to ``members`` (a replay file carries every
    player's platform ids): then only its members and staff (and platform admins) may download
    it. ``sha256``: 64 lowercase hex digits. Raises NOT_FOUND, UNAUTHENTICATED,
    PERMISSION_DENIED, REPLAY_FILE_MISSING (the row exists but storage lost the object: a
    fault, logged as a warning).
    """
    stored = await session.scalar(select(StoredReplay).where(StoredReplay.sha256 == sha256))
    if stored is None:
        raise NotFound("There is no replay with that id.")
    await _require_download_access(
        session, actor, await _members_only_organizations(session, stored)
    )
    try:
        data = await storage.get(stored.storage_key)
    except NotFound:
        log.warning("replay.file_missing", sha256=stored.sha256, key=stored.storage_key)
        raise NotFound(
            "This replay's file is missing from storage; the operators have been told.",
            code=ReplayCode.REPLAY_FILE_MISSING,
        ) from None
    return stored, data


async def may_download_replays(
    session: AsyncSession, *, actor: Actor, organization_id: int
) -> bool:
    """Whether ``actor`` may download the replays of the organization's matches (as
    :func:`replay_download` decides): anyone where replays are public, else only its
    members and staff (and platform admins), signed in. Raises nothing."""
    if (await organization_config(session, organization_id))["replay_downloads"] != "members":
        return True
    try:
        await _require_download_access(session, actor, {organization_id})
    except (Unauthenticated, PermissionDenied):
        return False
    return True


async def _require_download_access(
    session: AsyncSession, actor: Actor, restricted: set[int]
) -> None:
    """Raises UNAUTHENTICATED or PERMISSION_DENIED unless ``actor`` is a member or staff of
    every organization of ``restricted`` (or a platform admin)."""
    if not restricted:
        return
    me = require_user(actor)
    allowed = await access.staff_organizations(session, actor, restricted)
    allowed |= set(
        (
            await session.scalars(
                select(Member.organization_id).where(
                    Member.user_id == me, Member.organization_id.in_(restricted)
                )
            )
        ).all()
    )
    if restricted - allowed:
        raise PermissionDenied("Only members of the organization may download this replay.")


async def _members_only_organizations(session: AsyncSession, stored: StoredReplay) -> set[int]:
    """The organizations, among those whose submissions hold the replay, that keep replay
    downloads to their members."""
    submissions = await session.scalars(
        select(Submission)
        .join(SubmissionReplay, SubmissionReplay.submission_id == Submission.id)
        .where(SubmissionReplay.stored_replay_id == stored.id)
    )
    organizations = {(await subject_of(session, s)).organization_id for s in submissions.all()}
    return {
        org
        for org in organizations
        if (await organization_config(session, org))["replay_downloads"] == "members"
    }
