"""``/submissions/{id}``: a submission's state, its per-game report in sentences (whom we
expected, which accounts each replay shows, every problem), its answers and account claims;
and the answers a player may give from it: ratify, reject with a reason, claim an unknown
account, confirm an opponent's claim. The services decide who may (the buttons follow
:func:`sprocket.replays.service.answers_open`) and each action decides again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import children_of, rows_by_ids
from sprocket.errors import Conflict, DomainError, InvalidInput
from sprocket.flows.submission_report import submission_report
from sprocket.identity.access import Actor
from sprocket.identity.models import User
from sprocket.league.accounts import platform_name
from sprocket.league.models import Member
from sprocket.replays import redaction
from sprocket.replays import service as replays
from sprocket.replays.enums import ClaimStatus, SubmissionStatus
from sprocket.replays.errors import ReplayCode
from sprocket.replays.models import (
    AccountClaim,
    Ratification,
    StoredReplay,
    Submission,
    SubmissionReplay,
)
from sprocket.runtime import Runtime
from sprocket.web.clocks import when
from sprocket.web.forms import read_form, see_other
from sprocket.web.pages import WebRoute, render, signed_in_viewer, status_of, viewer
from sprocket.web.params import path_id

#: Each state in a sentence.
STATUS_WORDS = {
    SubmissionStatus.PROCESSING: "The replays are being read. Reload this page in a moment.",
    SubmissionStatus.VALIDATING: "The replays are being checked. Reload this page in a moment.",
    SubmissionStatus.AWAITING_RATIFICATION: "Checked: the other side ratifies the result, or "
    "rejects it saying why.",
    SubmissionStatus.ACCEPTED: "Accepted: this result stands.",
    SubmissionStatus.REJECTED: "Rejected: a new upload is needed.",
}
REASON_FIELD = "reason"


async def submission_values(session: AsyncSession, who: Actor, ident: int) -> dict[str, Any]:
    """Everything the submission page shows, as ``who`` may see it. Raises NOT_FOUND."""
    shown = await submission_report(session, actor=who, submission_id=ident)
    submission = shown.submission
    if submission.match_id is not None:
        subject = (f"/matches/{submission.match_id}", shown.title, "match")
    else:
        subject = ("/scrims", shown.title, "scrim")
    files = (
        await children_of(
            session, SubmissionReplay.submission_id, [ident], SubmissionReplay.game_number
        )
    ).get(ident, [])
    stored = await rows_by_ids(session, StoredReplay, [f.stored_replay_id for f in files])
    answers = (
        await children_of(session, Ratification.submission_id, [ident], Ratification.id)
    ).get(ident, [])
    claims = (await children_of(session, AccountClaim.submission_id, [ident], AccountClaim.id)).get(
        ident, []
    )
    claim_ids = await redaction.visible_claim_account_ids(
        session, actor=who, claim_ids=[c.id for c in claims]
    )
    users = await rows_by_ids(
        session, User, [submission.submitted_by_user_id, *[a.user_id for a in answers]]
    )
    claimants = await rows_by_ids(
        session, Member, [c.member_id for c in claims if c.member_id not in shown.names]
    )
    names = {**shown.names, **{m.id: m.name for m in claimants.values()}}
    may = await replays.answers_open(session, actor=who, submission_id=ident)
    moment = when(shown.zone)
    return {
        "submission": submission,
        "status_words": STATUS_WORDS[submission.status],
        "subject": subject,
        "files": [(f.game_number, stored[f.stored_replay_id]) for f in files],
        "words": shown.words(moment),
        "answers": answers,
        "users": users,
        "claims": [
            (c, names.get(c.member_id, "a member"), claim_ids.get(c.id), platform_name(c.platform))
            for c in claims
        ],
        "claimed": {(c.platform, c.account_id) for c in claims if c.status == ClaimStatus.PENDING},
        "may": may,
        "when": moment,
    }


def ratified(submission: Submission) -> str:
    """The notice after a ratification."""
    if submission.status == SubmissionStatus.ACCEPTED:
        return "You ratified the result: it is accepted."
    return "You ratified the result; it waits for more ratifications."


def submission_router(runtime: Runtime) -> APIRouter:
    """``/submissions/{id}`` and its answers: ``/ratify``, ``/reject``, ``/claim`` and
    ``/claims/{claim id}/confirm`` (POST, each back to the page with a notice)."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def page(
        request: Request,
        ident: int,
        *,
        error: DomainError | None = None,
        field: str | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        async with runtime.reading() as session:
            values = await submission_values(session, viewer(request), ident)
        return render(
            request,
            "submission.html",
            status=status_of(error) if error is not None else 200,
            error=error,
            field=field,
            form=form or {},
            reason_field=REASON_FIELD,
            **values,
        )

    async def answer(
        request: Request, ident: int, service: Any, done: Callable[[Any], str], **arguments: Any
    ) -> Response:
        """Run an answer's service, then back to the submission's page with ``done(result)``
        as the notice; its InvalidInput or Conflict shows on the page again (a missing reason
        beside its field), nothing changed."""
        who = signed_in_viewer(request, "answer a submission")
        try:
            async with runtime.unit_of_work() as session:
                result = await service(session, actor=who, **arguments)
        except (InvalidInput, Conflict) as error:
            field = REASON_FIELD if error.code == ReplayCode.REASON_REQUIRED else None
            return await page(request, ident, error=error, field=field, form=arguments)
        # A confirmed claim leads to its own submission's page.
        target = getattr(result, "submission_id", ident)
        return see_other(request, f"/submissions/{target}", done(result))

    @router.get("/submissions/{raw_id}")
    async def submission_page(request: Request, raw_id: str) -> Response:
        return await page(request, path_id(raw_id, "submission"))

    @router.post("/submissions/{raw_id}/ratify")
    async def ratify(request: Request, raw_id: str) -> Response:
        ident = path_id(raw_id, "submission")
        return await answer(request, ident, replays.ratify, ratified, submission_id=ident)

    @router.post("/submissions/{raw_id}/reject")
    async def reject(request: Request, raw_id: str) -> Response:
        ident = path_id(raw_id, "submission")
        form = await read_form(request)
        return await answer(
            request,
            ident,
            replays.reject,
            lambda _: "You rejected the result; a new upload is needed.",
            submission_id=ident,
            reason=form.get(REASON_FIELD, ""),
        )

    @router.post("/submissions/{raw_id}/claim")
    async def claim(request: Request, raw_id: str) -> Response:
        ident = path_id(raw_id, "submission")
        form = await read_form(request)
        return await answer(
            request,
            ident,
            replays.claim_account,
            lambda _: "Your claim is recorded: the other side or staff confirm it.",
            submission_id=ident,
            platform=form.get("platform", ""),
            account_id=form.get("account_id", ""),
        )

    @router.post("/submissions/{raw_id}/claims/{raw_claim}/confirm")
    async def confirm(request: Request, raw_id: str, raw_claim: str) -> Response:
        ident = path_id(raw_id, "submission")
        claim_id = path_id(raw_claim, "account claim")
        return await answer(
            request,
            ident,
            replays.confirm_claim,
            lambda _: "Claim confirmed: the account is linked and the replays checked again.",
            claim_id=claim_id,
        )

    return router
