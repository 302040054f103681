"""GraphQL door of replay submissions: upload, ratify, reject, staff overrides, claims."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from sprocket.api.codes import GraphQLCode
from sprocket.api.context import Context
from sprocket.api.ids import RawId, gid, to_int
from sprocket.api.lazy import above
from sprocket.api.limits import ListSize
from sprocket.api.schedule import MatchNode
from sprocket.errors import InvalidInput
from sprocket.flows import match_results
from sprocket.identity.access import Actor
from sprocket.replays import reads, redaction, service
from sprocket.replays.enums import ClaimStatus, RatificationDecision, SubmissionStatus
from sprocket.replays.errors import ReplayCode
from sprocket.replays.filenames import clean_filename
from sprocket.replays.models import (
    AccountClaim,
    Ratification,
    StoredReplay,
    Submission,
    SubmissionReplay,
)
from sprocket.replays.parser import ReplayError
from sprocket.schedule.models import Match
from sprocket.scrims.models import Scrim
from sprocket.text import size_text

SubmissionStatusEnum = strawberry.enum(
    SubmissionStatus,
    name="SubmissionStatus",
    description="PROCESSING (reading the replays), VALIDATING (checking them against the "
    "match or scrim), AWAITING_RATIFICATION, then ACCEPTED or REJECTED.",
)
RatificationDecisionEnum = strawberry.enum(
    RatificationDecision, name="RatificationDecision", description="A player's answer."
)
ClaimStatusEnum = strawberry.enum(
    ClaimStatus,
    name="AccountClaimStatus",
    description="PENDING until staff or the other side confirm it, then CONFIRMED.",
)

if TYPE_CHECKING:
    from sprocket.api.scrims import ScrimNode

Info = strawberry.Info[Context, None]
# The scrims' types (lazily: that module imports this one).
_SCRIMS = "sprocket.api.scrims"


def download_path(sha256: str) -> str:
    return f"/replays/{sha256}.replay"


@strawberry.type(name="ReplayFile")
class ReplayFileNode:
    sha256: str
    size: int
    filename: str
    download_url: str

    @classmethod
    def of(cls, row: StoredReplay) -> ReplayFileNode:
        return cls(
            sha256=row.sha256,
            size=row.size,
            filename=row.filename,
            download_url=download_path(row.sha256),
        )


@strawberry.type(name="SubmissionGame")
class SubmissionGameNode:
    game_number: int
    summary: JSON | None
    stored_replay_id: strawberry.Private[int]

    @strawberry.field
    async def replay(self, info: Info) -> ReplayFileNode:
        return ReplayFileNode.of(await info.context.by_id(StoredReplay).load(self.stored_replay_id))


@strawberry.type(name="Ratification")
class RatificationNode:
    user_id: strawberry.ID
    team_id: strawberry.ID | None
    decision: RatificationDecisionEnum  # type: ignore[valid-type]
    reason: str | None
    created_at: dt.datetime


_Redaction = Callable[[AsyncSession, Actor, list[int]], Awaitable[Mapping[int, Any]]]


async def _visible(info: Info, name: str, read: _Redaction, key: int) -> Any:
    """The value for ``key`` of a read of :mod:`sprocket.replays.redaction` as the caller
    may see it, one read per batch of keys in the request."""
    actor = await info.context.actor()

    async def fetch(session: AsyncSession, ids: list[int]) -> Mapping[int, Any]:
        return await read(session, actor, ids)

    return await info.context.batch(name, fetch).load(key)


@strawberry.type(name="AccountClaim")
class AccountClaimNode:
    id: strawberry.ID
    member_id: strawberry.ID
    submission_id: strawberry.ID
    platform: str
    account_name: str | None
    status: ClaimStatusEnum  # type: ignore[valid-type]

    @classmethod
    def of(cls, row: AccountClaim) -> AccountClaimNode:
        return cls(
            id=gid(row.id),
            member_id=gid(row.member_id),
            submission_id=gid(row.submission_id),
            platform=row.platform,
            account_name=row.account_name,
            status=row.status,
        )

    @strawberry.field(description="Null when the claimant keeps their game accounts hidden.")
    async def account_id(self, info: Info) -> str | None:
        return await _visible(
            info,
            "claim_account_id",
            lambda s, actor, ids: redaction.visible_claim_account_ids(
                s, actor=actor, claim_ids=ids
            ),
            int(self.id),
        )


@strawberry.type(name="Submission")
class SubmissionNode:
    id: strawberry.ID
    status: SubmissionStatusEnum  # type: ignore[valid-type]
    rejection_reason: str | None
    has_report: strawberry.Private[bool]
    created_at: dt.datetime
    updated_at: dt.datetime
    match_id: strawberry.Private[int | None]
    scrim_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: Submission) -> SubmissionNode:
        return cls(
            id=gid(row.id),
            status=row.status,
            rejection_reason=row.rejection_reason,
            has_report=row.report is not None,
            created_at=row.created_at,
            updated_at=row.updated_at,
            match_id=row.match_id,
            scrim_id=row.scrim_id,
        )

    @strawberry.field(
        description="Per game: the expected players, the accounts found, and every problem. "
        "The account ids of members who keep them hidden from you read as hidden."
    )
    async def report(self, info: Info) -> JSON | None:
        if not self.has_report:
            return None
        return await _visible(
            info,
            "report",
            lambda s, actor, ids: redaction.visible_reports(s, actor=actor, submission_ids=ids),
            int(self.id),
        )

    @strawberry.field(description="The league match it proves (or none: a scrim).")
    async def match(self, info: Info) -> MatchNode | None:
        if self.match_id is None:
            return None
        return MatchNode.of(await info.context.by_id(Match).load(self.match_id))

    @strawberry.field(description="The scrim it proves (or none: a league match).")
    async def scrim(self, info: Info) -> Annotated[ScrimNode, strawberry.lazy(_SCRIMS)] | None:
        if self.scrim_id is None:
            return None
        return above(_SCRIMS, "ScrimNode").of(await info.context.by_id(Scrim).load(self.scrim_id))

    @strawberry.field(directives=[ListSize(assumed_size=service.MAX_FILES)])
    async def games(self, info: Info) -> list[SubmissionGameNode]:
        rows = await info.context.children(
            SubmissionReplay.submission_id, SubmissionReplay.game_number
        ).load(int(self.id))
        return [
            SubmissionGameNode(
                game_number=r.game_number, summary=r.summary, stored_replay_id=r.stored_replay_id
            )
            for r in rows
        ]

    @strawberry.field
    async def ratifications(self, info: Info) -> list[RatificationNode]:
        rows = await info.context.children(Ratification.submission_id, Ratification.id).load(
            int(self.id)
        )
        return [
            RatificationNode(
                user_id=gid(r.user_id),
                team_id=gid(r.team_id) if r.team_id else None,
                decision=r.decision,
                reason=r.reason,
                created_at=r.created_at,
            )
            for r in rows
        ]

    @strawberry.field
    async def claims(self, info: Info) -> list[AccountClaimNode]:
        rows = await info.context.children(AccountClaim.submission_id, AccountClaim.id).load(
            int(self.id)
        )
        return [AccountClaimNode.of(r) for r in rows]


@strawberry.type
class SubmissionEvent:
    submission_id: strawberry.ID
    status: SubmissionStatusEnum  # type: ignore[valid-type]


@strawberry.type
class ReplayQuery:
    @strawberry.field
    async def submission(self, info: Info, id: strawberry.ID) -> SubmissionNode | None:
        row = await info.context.by_id(Submission).load(to_int(id))
        return SubmissionNode.of(row) if row else None

    @strawberry.field(description="Every submission of a match, newest first.")
    async def submissions(self, info: Info, match_id: strawberry.ID) -> list[SubmissionNode]:
        async with info.context.runtime.reading() as session:
            rows = await reads.submissions_of_match(session, match_id=to_int(match_id))
        return [SubmissionNode.of(r) for r in rows]


async def read_uploads(files: list[Upload], max_size: int) -> list[service.Upload]:
    """Read each upload, never more than the size cap plus one byte. Raises InvalidInput
    (``NOT_A_FILE``) for a variable that holds text or a number instead of a file, and
    ReplayError (``REPLAY_TOO_LARGE``) for a file over ``max_size`` bytes."""
    uploads = []
    for number, file in enumerate(files, start=1):
        if not callable(getattr(file, "read", None)):  # a JSON value where a file belongs
            raise InvalidInput(
                f"Upload {number} is not a file: send the replays as a multipart request "
                "(the GraphQL multipart request specification), one file per game.",
                code=GraphQLCode.NOT_A_FILE,
            )
        data = await file.read(max_size + 1)
        name = clean_filename(getattr(file, "filename", None), number=number)
        if len(data) > max_size:
            raise ReplayError(
                f"Replay {number} ({name}) is larger than the {size_text(max_size)} limit for "
                "a replay.",
                code=ReplayCode.REPLAY_TOO_LARGE,
                details={"max_size": max_size},
            )
        uploads.append(service.Upload(name, data))
    return uploads


@strawberry.type
class ReplayMutation:
    @strawberry.mutation(description="Upload a series' replays for a scheduled match.")
    async def submit_replays(
        self, info: Info, match_id: strawberry.ID, files: list[Upload]
    ) -> SubmissionNode:
        runtime = info.context.runtime
        max_size = runtime.settings.replay_max_bytes
        row = await info.context.mutate(
            match_results.submit_match_replays,
            storage=runtime.storage,
            match_id=RawId(match_id),
            files=lambda: read_uploads(files, max_size),  # read once the caller may submit
            max_size=max_size,
        )
        return SubmissionNode.of(row)

    @strawberry.mutation(
        description="The other side (of a match or a scrim) confirms the submitted result."
    )
    async def ratify_submission(self, info: Info, submission_id: strawberry.ID) -> SubmissionNode:
        row = await info.context.mutate(service.ratify, submission_id=RawId(submission_id))
        return SubmissionNode.of(row)

    @strawberry.mutation(description="Send a submission back for a new upload, saying why.")
    async def reject_submission(
        self, info: Info, submission_id: strawberry.ID, reason: str
    ) -> SubmissionNode:
        row = await info.context.mutate(
            service.reject, submission_id=RawId(submission_id), reason=reason
        )
        return SubmissionNode.of(row)

    @strawberry.mutation(description="Staff accept a result without (more) ratifications.")
    async def force_accept_submission(
        self, info: Info, submission_id: strawberry.ID
    ) -> SubmissionNode:
        row = await info.context.mutate(service.force_accept, submission_id=RawId(submission_id))
        return SubmissionNode.of(row)

    @strawberry.mutation(description="Staff process the same replays again from the start.")
    async def reset_submission(self, info: Info, submission_id: strawberry.ID) -> SubmissionNode:
        row = await info.context.mutate(service.reset, submission_id=RawId(submission_id))
        return SubmissionNode.of(row)

    @strawberry.mutation(description="Staff take back an accepted result.")
    async def invalidate_submission(
        self, info: Info, submission_id: strawberry.ID, reason: str
    ) -> SubmissionNode:
        row = await info.context.mutate(
            service.invalidate, submission_id=RawId(submission_id), reason=reason
        )
        return SubmissionNode.of(row)

    @strawberry.mutation(description="Say an unknown account in a submission's report is yours.")
    async def claim_account(
        self, info: Info, submission_id: strawberry.ID, platform: str, account_id: str
    ) -> AccountClaimNode:
        row = await info.context.mutate(
            service.claim_account,
            submission_id=RawId(submission_id),
            platform=platform,
            account_id=account_id,
        )
        return AccountClaimNode.of(row)

    @strawberry.mutation(
        description="Staff or the other team confirm a claim: linked, revalidated."
    )
    async def confirm_account_claim(self, info: Info, claim_id: strawberry.ID) -> AccountClaimNode:
        row = await info.context.mutate(service.confirm_claim, claim_id=RawId(claim_id))
        return AccountClaimNode.of(row)


@strawberry.type
class ReplaySubscription:
    @strawberry.subscription(description="The submission's status now, then each change.")
    async def submission_status(
        self, info: Info, submission_id: strawberry.ID
    ) -> AsyncGenerator[SubmissionEvent, None]:
        ident = to_int(submission_id)
        runtime = info.context.runtime
        async with runtime.cache.subscribe(service.submission_channel(ident)) as messages:
            async with runtime.reading() as session:
                row = await reads.submission_by_id(session, submission_id=ident)
            status, seen = row.status, row.updated_at
            await info.context.recheck()  # the token still holds
            yield SubmissionEvent(submission_id=gid(row.id), status=status)
            async for raw in messages:
                event = json.loads(raw)
                at = dt.datetime.fromisoformat(event["at"])
                if at <= seen or event["status"] == status:
                    continue  # committed before what was already sent, relayed after it
                status, seen = SubmissionStatus(event["status"]), at
                await info.context.recheck()  # the token still holds
                yield SubmissionEvent(submission_id=gid(event["submission_id"]), status=status)
