"""``/staff/{slug}/submissions``: the staff's submissions inbox (waiting for
ratification, disputed, rejected, stuck in processing, unconfirmed account claims), one
submission's staff view with force-accept, reset and invalidate (each with a reason), and
the answers to account claims and to members' own account links. Every action goes through
the replays' and the league's services, which check who may act first; each is written to
the audit trail the pages show."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.errors import NotFound
from sprocket.flows import submission_inbox as inbox
from sprocket.league import accounts
from sprocket.league.audit_trail import trail
from sprocket.league.enums import GamePlatform
from sprocket.replays import service as replays
from sprocket.runtime import Runtime
from sprocket.web.clocks import when
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.params import path_id
from sprocket.web.staff_forms import (
    NO_FAILURE,
    Action,
    organization_in_path,
    organization_of,
    staff_form,
)

#: The staff overrides of a submission: the path's word -> (service, what the notice says).
OVERRIDES = {
    "force-accept": (replays.force_accept, "accepted"),
    "reset": (replays.reset, "sent back to processing"),
    "invalidate": (replays.invalidate, "invalidated"),
}
#: The actions the inbox's trail shows.
INBOX_ACTIONS = ("submission.", "account_claim.", "account.")


def staff_submissions_router(runtime: Runtime) -> APIRouter:
    """The inbox, one submission's staff view, and their forms."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    async def inbox_page(
        request: Request, org_id: int, *, status: int = 200, **failure: Any
    ) -> Response:
        who = viewer(request)
        async with runtime.reading() as session:
            box = await inbox.submission_inbox(session, actor=who, organization_id=org_id)
            recent = await trail(
                session, actor=who, organization_id=org_id, action_prefixes=INBOX_ACTIONS
            )
            org = await organization_of(session, org_id)
        return render(
            request,
            "staff/submissions.html",
            status=status,
            organization=org,
            inbox=box,
            trail=recent,
            when=when(org.time_zone),
            platform_name=platform_label,
            stuck_minutes=int(box.stuck_after.total_seconds() // 60),
            **(NO_FAILURE | failure),
        )

    async def submission_page(
        request: Request, org_id: int, submission_id: int, *, status: int = 200, **failure: Any
    ) -> Response:
        who = viewer(request)
        async with runtime.reading() as session:
            detail = await inbox.staff_submission(
                session, actor=who, organization_id=org_id, submission_id=submission_id
            )
            org = await organization_of(session, org_id)
        return render(
            request,
            "staff/submission.html",
            status=status,
            organization=org,
            detail=detail,
            when=when(org.time_zone),
            platform_name=platform_label,
            **(NO_FAILURE | failure),
        )

    @router.get("/staff/{slug}/submissions")
    async def submissions(request: Request, slug: str) -> Response:
        return await inbox_page(request, await organization_in_path(runtime, request, slug))

    @router.get("/staff/{slug}/submissions/{submission_id}")
    async def submission(request: Request, slug: str, submission_id: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        return await submission_page(request, org_id, path_id(submission_id, "submission"))

    @router.post("/staff/{slug}/submissions/{submission_id}/{override}")
    async def override_submission(
        request: Request, slug: str, submission_id: str, override: str
    ) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        ident = path_id(submission_id, "submission")
        if override not in OVERRIDES:
            raise NotFound("There is no such page.")
        service, done = OVERRIDES[override]

        async def act(session: AsyncSession, form: dict[str, str]) -> str:
            await service(
                session, actor=viewer(request), submission_id=ident, reason=form.get("reason", "")
            )
            return f"Submission {ident} {done}; the audit trail records why."

        async def show(**failure: Any) -> Response:
            return await submission_page(request, org_id, ident, **failure)

        url = f"/staff/{slug}/submissions/{ident}"
        return await staff_form(
            request, runtime, org_id, act=act, done=url, show=show, failed=override
        )

    @router.post("/staff/{slug}/claims/{claim_id}/{answer}")
    async def answer_claim(request: Request, slug: str, claim_id: str, answer: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        ident = path_id(claim_id, "account claim")
        confirm = _answer(answer)

        async def act(session: AsyncSession, _form: dict[str, str]) -> str:
            if confirm:
                claim = await replays.confirm_claim(session, actor=viewer(request), claim_id=ident)
                return (
                    "Claim confirmed: the account is linked, and submission "
                    f"{claim.submission_id} is checked again if it was rejected for it."
                )
            await replays.refuse_claim(session, actor=viewer(request), claim_id=ident)
            return "Claim refused: the account stays unknown."

        return await inbox_form(request, slug, org_id, act, f"claim-{ident}")

    @router.post("/staff/{slug}/account-links/{account_id}/{answer}")
    async def answer_link(request: Request, slug: str, account_id: str, answer: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        ident = path_id(account_id, "account link")
        confirm = _answer(answer)

        async def act(session: AsyncSession, _form: dict[str, str]) -> str:
            if confirm:
                await accounts.confirm_link(session, actor=viewer(request), account_id=ident)
                return "Account link confirmed: it counts from now on."
            await accounts.refuse_link(session, actor=viewer(request), account_id=ident)
            return "Account link refused and removed."

        return await inbox_form(request, slug, org_id, act, f"link-{ident}")

    async def inbox_form(
        request: Request, slug: str, org_id: int, act: Action, failed: str
    ) -> Response:
        async def show(**failure: Any) -> Response:
            return await inbox_page(request, org_id, **failure)

        url = f"/staff/{slug}/submissions#claims"
        return await staff_form(
            request, runtime, org_id, act=act, done=url, show=show, failed=failed
        )

    return router


def _answer(word: str) -> bool:
    """Whether the path's answer confirms ("confirm") or refuses ("refuse"); any other word
    names no page (NOT_FOUND)."""
    if word not in ("confirm", "refuse"):
        raise NotFound("There is no such page.")
    return word == "confirm"


def platform_label(platform: str) -> str:
    """A platform's name as players know it ("Steam"); an unknown one as it is written."""
    known = {p.value for p in GamePlatform}
    return accounts.platform_name(platform) if platform in known else platform
