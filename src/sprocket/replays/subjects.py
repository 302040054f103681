"""What a submission proves: a scheduled league match or a scrim.

The submission flow (:mod:`sprocket.replays.service`) is the same for both: upload, processing
and validation in a job, ratification by the other side, rejection, staff overrides and
account claims. What differs is asked of the submission's *subject*:

* who may submit, and for which side;
* what the games are checked against (:meth:`ResultSubject.check`);
* who the sides are (a league team; a scrim's fixed team, or every player for themselves in a
  round robin), so that the other side ratifies;
* who counts as staff;
* what accepting records (the match result, standings, stats and ratings; the scrim's games
  and ratings) and what invalidating takes back.

The subjects are built above the replays, where their domains meet
(:mod:`sprocket.flows.match_results`, :mod:`sprocket.flows.scrim_results`): each registers its
loader here (:func:`register_subject`) when imported, and :func:`subject_of` asks the registry.
Importing :mod:`sprocket.flows` registers them all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.identity.access import Actor
from sprocket.league.enums import AccountStatus
from sprocket.league.models import Member, PlatformAccount
from sprocket.replays.models import Submission, SubmissionReplay
from sprocket.replays.validation import GameFile, Report


@dataclass(frozen=True)
class Side:
    """One side of a result: the players who submit or ratify together."""

    key: Hashable
    team_id: int | None = None  # the league team, when the side is one


class ResultSubject(Protocol):
    organization_id: int
    id: int
    noun: str  # "match 12", "scrim 4": for messages
    column: str  # the Submission column naming it: "match_id" or "scrim_id"
    files_expected: int | None  # an exact count of replays, or None for "a series"

    async def submitter_side(self, session: AsyncSession, actor: Actor) -> Side | None:
        """The side the actor submits for (None: staff, for nobody), or PermissionDenied."""
        ...

    def require_undecided(self) -> None:
        """Conflict when the subject takes no (more) results."""
        ...

    async def check(self, session: AsyncSession, files: Sequence[GameFile]) -> Report: ...

    async def side_of(self, session: AsyncSession, member_id: int) -> Side | None:
        """The member's side, or None when they did not play in it."""
        ...

    async def side_of_submission(
        self, session: AsyncSession, submission: Submission
    ) -> Side | None: ...

    async def ratifiers(self, session: AsyncSession, against: Side | None) -> int:
        """How many players may ratify a result submitted by ``against``."""
        ...

    async def sides(self, session: AsyncSession) -> list[tuple[Side, list[int]]]:
        """Every side with its players' user ids (whom its notifications reach)."""
        ...

    async def is_staff(self, session: AsyncSession, actor: Actor) -> bool: ...

    async def accept(self, session: AsyncSession, submission: Submission) -> None: ...

    async def take_back(self, session: AsyncSession, submission: Submission) -> None: ...


#: Loads a subject by its id: ``(session, id)`` -> the subject.
SubjectLoader = Callable[[AsyncSession, int], Awaitable[ResultSubject]]

_loaders: dict[str, SubjectLoader] = {}


def register_subject(column: str, load: SubjectLoader) -> None:
    """Make ``load`` the loader of the submissions whose ``column`` (a :class:`Submission`
    column naming a subject: ``"match_id"``, ``"scrim_id"``) is set."""
    _loaders[column] = load


async def subject_of(session: AsyncSession, submission: Submission) -> ResultSubject:
    """The match or scrim the submission is for, loaded by the loader registered for it.
    A LookupError (a programming error, not a domain one) when none is: the process has not
    imported :mod:`sprocket.flows`."""
    for column, load in _loaders.items():
        subject_id = getattr(submission, column)
        if subject_id is not None:
            return await load(session, subject_id)
    raise LookupError(
        f"No subject is registered for submission {submission.id}; import sprocket.flows."
    )


async def organization_accounts(
    session: AsyncSession, organization_id: int
) -> tuple[dict[tuple[str, str], int], dict[int, str]]:
    """Every verified (platform, account id) -> member, and every member's name. A pending
    link (a member's unproven word) counts for nothing: its account stays unknown."""
    accounts = await session.execute(
        select(
            PlatformAccount.platform, PlatformAccount.account_id, PlatformAccount.member_id
        ).where(
            PlatformAccount.organization_id == organization_id,
            PlatformAccount.status == AccountStatus.VERIFIED,
        )
    )
    names = await session.execute(
        select(Member.id, Member.name).where(Member.organization_id == organization_id)
    )
    return {(p, a): m for p, a, m in accounts}, {m: n for m, n in names}


async def replay_ids(session: AsyncSession, submission: Submission) -> list[int]:
    """The submission's stored replays, in game order."""
    return list(
        (
            await session.scalars(
                select(SubmissionReplay.stored_replay_id)
                .where(SubmissionReplay.submission_id == submission.id)
                .order_by(SubmissionReplay.game_number)
            )
        ).all()
    )
