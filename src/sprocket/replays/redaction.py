"""What a viewer may see of the game account ids that a submission's report and its
account claims hold.

A report names, per game, each player's platform id and the member it is linked to, so shown
as it is it would list members' linked accounts to anyone (see
:func:`sprocket.league.access.identity_view`); a claim names the account its claimant says
is theirs. Every door shows reports and claims through :func:`visible_reports` and
:func:`visible_claim_account_ids`; :func:`without_account_ids` is their pure core.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.identity.access import Actor
from sprocket.league.access import IdentityView, identity_views
from sprocket.league.accounts import platform_name
from sprocket.replays.models import AccountClaim, Submission

HIDDEN = "(hidden)"


def report_members(report: dict[str, Any] | None) -> set[int]:
    """The member ids a report (a ``Report.as_json()``, or None) links players to."""
    return {
        found["member_id"]
        for game in (report or {}).get("games", [])
        for found in game.get("found", [])
        if found.get("member_id") is not None
    }


def without_account_ids(report: dict[str, Any], hidden_members: Iterable[int]) -> dict[str, Any]:
    """``report`` (a ``Report.as_json()``) with the accounts of ``hidden_members`` left out:
    their players' ``platform_id`` is None, and every sentence that quotes such an account
    ("Steam 76561198...") says "Steam (hidden)" instead. Returns a new report; an unchanged one
    when nobody is hidden."""
    hidden = set(hidden_members)
    labels = {
        f"{platform_name(found['platform'])} {found['platform_id']}": platform_name(
            found["platform"]
        )
        for game in report.get("games", [])
        for found in game.get("found", [])
        if found.get("member_id") in hidden and found.get("platform_id")
    }
    if not labels:
        return report

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            hide = value.get("member_id") in hidden
            return {k: None if hide and k == "platform_id" else scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, str):
            for label, platform in labels.items():
                value = value.replace(label, f"{platform} {HIDDEN}")
            return value
        return value

    return scrub(report)


async def visible_reports(
    session: AsyncSession, *, actor: Actor, submission_ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """The report (a ``Report.as_json()``) of each submission of ``submission_ids`` as
    ``actor`` may see it, by submission id: the account ids of the members whose identity
    is hidden from them (:class:`~sprocket.league.access.IdentityView` NONE) are left out
    (:func:`without_account_ids`). Submissions without a report yet (and ids of none) are
    left out. Three statements whatever the number of submissions."""
    rows = (
        await session.execute(
            select(Submission.id, Submission.report).where(
                Submission.id.in_(set(submission_ids)), Submission.report.is_not(None)
            )
        )
    ).all()
    views = await identity_views(
        session, actor=actor, member_ids={m for r in rows for m in report_members(r.report)}
    )
    hidden = {m for m, view in views.items() if view is IdentityView.NONE}
    return {r.id: without_account_ids(r.report, hidden) for r in rows}


async def visible_claim_account_ids(
    session: AsyncSession, *, actor: Actor, claim_ids: Iterable[int]
) -> dict[int, str | None]:
    """The account id each account claim of ``claim_ids`` names, as ``actor`` may see it,
    by claim id: None when the claimant keeps their identity hidden from them
    (:class:`~sprocket.league.access.IdentityView` NONE). Ids of no claim are left out.
    Three statements whatever the number of claims."""
    rows = (
        await session.execute(
            select(AccountClaim.id, AccountClaim.member_id, AccountClaim.account_id).where(
                AccountClaim.id.in_(set(claim_ids))
            )
        )
    ).all()
    views = await identity_views(session, actor=actor, member_ids={r.member_id for r in rows})
    return {
        r.id: None
        if views.get(r.member_id, IdentityView.NONE) is IdentityView.NONE
        else r.account_id
        for r in rows
    }
