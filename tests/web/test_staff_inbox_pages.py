"""The staff's submissions inbox and submission pages: each section holds the submissions
in its state (set up through the services), force-accept, reset and invalidate act with a
reason that the audit trail shows, account claims and members' own links are confirmed or
refused, and every refusal (a player, the spectator, no CSRF token, an unknown id, a missing
reason) changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.db import utcnow
from sprocket.league import accounts
from sprocket.league.enums import AccountStatus
from sprocket.league.models import PlatformAccount
from sprocket.replays import service as replays
from sprocket.replays.models import AccountClaim, Submission
from sprocket.runtime import Runtime
from tests.helpers.database import snapshot
from tests.league_world import WORLD_SLUG, World
from tests.replays.series import Lineup, actor_of, lineup, sweep
from tests.replays.test_submissions import act, load, run_jobs, submit
from tests.web.conftest import Demo, Web, sent_to_sign_in
from tests.web.staff_support import (
    client_as,
    error_beside,
    let_sign_in,
    post_from,
    refused_unchanged,
)

EPIC_ID = "0123456789abcdef0123456789abcdef"


@dataclass
class Inbox:
    """A submission of the World's organization in each state of the inbox."""

    awaiting: int
    disputed: int
    rejected: int
    accepted: int
    stuck: int
    claim: int
    link: int
    claimant: str


def disjoint(a: Lineup, b: Lineup) -> bool:
    return not {a.home_team_id, a.away_team_id} & {b.home_team_id, b.away_team_id}


async def inbox_states(platform: Runtime, world: World) -> Inbox:
    """Through the services: a series awaiting ratification, one disputed by the other side,
    one rejected at validation (an account linked to nobody, which its owner then claims),
    one accepted, one stuck in processing, and a member's own (pending) account link."""
    lines = [await lineup(platform, m, link=False) for m in world.match_ids]
    first = lines[0]
    second = next(line for line in lines if disjoint(first, line))
    await lineup(platform, first.match_id)  # every Steam account linked...
    unlinked_id, claimant, steam = second.away[0]
    await lineup(platform, second.match_id, unlinked={unlinked_id})  # ...but one
    free = [
        line
        for line in lines
        if second.away_team_id not in (line.home_team_id, line.away_team_id)
        and line.match_id != first.match_id
    ]
    # Its job never runs, so a match with the unlinked account does for the stuck one.
    later = next(
        line
        for line in lines
        if line.match_id not in (first.match_id, second.match_id) and line not in free
    )
    assert len(free) == 2, "the World's schedule changed"

    async def awaiting(line: Lineup) -> int:
        uploader = await actor_of(platform, line.home[0][0])
        submitted = await submit(platform, uploader, line.match_id, sweep(line))
        await run_jobs(platform)
        assert (await load(platform, submitted.id)).status == "awaiting_ratification"
        return submitted.id

    waiting = await awaiting(first)
    disputed = await awaiting(free[0])
    await act(
        platform,
        replays.reject,
        actor=await actor_of(platform, free[0].away[0][0]),
        submission_id=disputed,
        reason="Game 2 was played on another server.",
    )
    accepted = await awaiting(free[1])
    await act(
        platform,
        replays.ratify,
        actor=await actor_of(platform, free[1].away[0][0]),
        submission_id=accepted,
    )
    rejected = await submit(
        platform, await actor_of(platform, second.home[0][0]), second.match_id, sweep(second)
    )
    await run_jobs(platform)
    assert (await load(platform, rejected.id)).status == "rejected"
    claim = await act(
        platform,
        replays.claim_account,
        actor=await actor_of(platform, unlinked_id),
        submission_id=rejected.id,
        platform="steam",
        account_id=steam,
    )
    link = await act(
        platform,
        accounts.link_platform_account,
        actor=world.actors["player"],
        member_id=world.member_ids["player"],
        platform="epic",
        account_id=EPIC_ID,
    )
    stuck = await submit(
        platform, await actor_of(platform, later.home[0][0]), later.match_id, sweep(later)
    )
    async with platform.unit_of_work() as s:  # its job never ran: an hour later, it is stuck
        (await s.get(Submission, stuck.id)).updated_at = utcnow() - dt.timedelta(hours=1)
    return Inbox(waiting, disputed, rejected.id, accepted, stuck.id, claim.id, link.id, claimant)


@pytest.fixture
async def inbox(platform: Runtime, world: World, demo_org: Demo) -> Inbox:
    await let_sign_in(platform, world, demo_org)
    return await inbox_states(platform, world)


def section(page: str, name: str) -> str:
    """The part of the page in the section ``name`` (its id)."""
    start = page.index(f'<section id="{name}"')
    return page[start : page.index("</section>", start)]


def linked(page: str) -> set[int]:
    """The submissions a part of a page links to."""
    return {int(n) for n in re.findall(rf'href="/staff/{WORLD_SLUG}/submissions/(\d+)"', page)}


async def trail_of(platform: Runtime, submission_id: int) -> list[tuple[str, dict]]:
    async with platform.reading() as s:
        rows = await s.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject == f"submission:{submission_id}")
            .order_by(AuditEntry.id)
        )
        return [(r.action, r.details) for r in rows]


async def status(platform: Runtime, submission_id: int) -> str:
    return (await load(platform, submission_id)).status


async def test_the_inbox_sorts_submissions_by_what_they_wait_for(
    web: Web, platform: Runtime, world: World, inbox: Inbox
) -> None:
    async with client_as(web, world.user_ids["league_staff"]) as client:
        page = await client.get(f"/staff/{WORLD_SLUG}/submissions")
    assert page.status_code == 200, page.text
    text = page.text
    assert linked(section(text, "awaiting")) == {inbox.awaiting}
    assert linked(section(text, "disputed")) == {inbox.disputed}
    assert "Game 2 was played on another server." in section(text, "disputed")
    assert linked(section(text, "rejected")) == {inbox.rejected}
    assert "linked to nobody" in section(text, "rejected")
    assert linked(section(text, "stuck")) == {inbox.stuck}
    claims = section(text, "claims")
    assert linked(claims) == {inbox.rejected}
    assert f"/staff/{WORLD_SLUG}/claims/{inbox.claim}/confirm" in claims
    assert f"/staff/{WORLD_SLUG}/claims/{inbox.claim}/refuse" in claims
    assert f"/staff/{WORLD_SLUG}/account-links/{inbox.link}/confirm" in claims
    assert EPIC_ID in claims
    assert page.headers["cache-control"] == "private, no-store"
    assert "<strong>Player</strong> linked the Epic account" in claims
    assert 'class="error"' not in text  # no form failed


async def test_overrides_ask_a_reason_and_the_audit_trail_shows_it(
    web: Web, platform: Runtime, world: World, inbox: Inbox
) -> None:
    async with client_as(web, world.user_ids["league_staff"]) as client:
        detail = f"/staff/{WORLD_SLUG}/submissions/{inbox.disputed}"
        shown = await client.get(detail)
        assert shown.status_code == 200
        assert "Game 2 was played on another server." in shown.text
        assert "No staff action recorded yet." in shown.text

        # No reason: the error beside the field, and nothing changed.
        before = await snapshot(platform)
        answer = await post_from(client, detail, f"{detail}/force-accept", {"reason": "  "})
        assert answer.status_code == 400
        assert error_beside(answer.text, "f-force-accept-reason").startswith("Say why")
        assert 'id="f-reset-reason"' in answer.text and "f-reset-reason-error" not in answer.text
        assert await snapshot(platform) == before

        answer = await post_from(
            client, detail, f"{detail}/force-accept", {"reason": "The replays prove it."}
        )
        assert answer.status_code == 303 and answer.headers["location"] == detail
        assert await status(platform, inbox.disputed) == "accepted"
        shown = await client.get(detail)
        assert f"Submission {inbox.disputed} accepted" in shown.text  # the notice
        assert "force-accepted a submission" in shown.text
        assert "The replays prove it." in shown.text
        assert await trail_of(platform, inbox.disputed) == [
            (
                "submission.force_accept",
                {"match_id": shown_match(shown.text), "reason": "The replays prove it."},
            )
        ]

        # Reset the stuck one: processed again.
        stuck = f"/staff/{WORLD_SLUG}/submissions/{inbox.stuck}"
        assert "stuck" in (await client.get(stuck)).text
        answer = await post_from(client, stuck, f"{stuck}/reset", {"reason": "The job was lost."})
        assert answer.status_code == 303
        assert await status(platform, inbox.stuck) == "processing"
        await run_jobs(platform)
        # Processed at last: rejected for the account linked to nobody in its match.
        assert await status(platform, inbox.stuck) == "rejected"
        inbox_page = (await client.get(f"/staff/{WORLD_SLUG}/submissions")).text
        assert inbox.stuck not in linked(section(inbox_page, "stuck"))
        assert inbox.stuck in linked(section(inbox_page, "rejected"))
        assert "The job was lost." in section(inbox_page, "trail")

        # Invalidate the accepted one.
        done = f"/staff/{WORLD_SLUG}/submissions/{inbox.accepted}"
        answer = await post_from(client, done, f"{done}/invalidate", {"reason": ""})
        assert answer.status_code == 400
        assert error_beside(answer.text, "f-invalidate-reason") == (
            "Say why the result is invalidated."
        )
        assert await status(platform, inbox.accepted) == "accepted"
        answer = await post_from(
            client, done, f"{done}/invalidate", {"reason": "An unregistered substitute played."}
        )
        assert answer.status_code == 303
        row = await load(platform, inbox.accepted)
        assert row.status == "rejected"
        assert row.rejection_reason == "Invalidated by staff: An unregistered substitute played."
        page = (await client.get(done)).text
        assert "invalidated a result" in page and "An unregistered substitute played." in page

        # An override the state does not allow: the service's sentence above that form.
        before = await snapshot(platform)
        answer = await post_from(client, done, f"{done}/invalidate", {"reason": "Again."})
        assert answer.status_code == 409
        assert "Only an accepted result can be invalidated." in answer.text
        assert await snapshot(platform) == before


def shown_match(page: str) -> int:
    """The match a submission page links to."""
    found = re.search(r'href="/matches/(\d+)"', page)
    assert found, page
    return int(found.group(1))


async def test_claims_and_own_links_are_confirmed_or_refused(
    web: Web, platform: Runtime, world: World, inbox: Inbox
) -> None:
    home = f"/staff/{WORLD_SLUG}/submissions"
    async with client_as(web, world.user_ids["league_staff"]) as client:
        answer = await post_from(client, home, f"/staff/{WORLD_SLUG}/claims/{inbox.claim}/confirm")
        assert answer.status_code == 303
        async with platform.reading() as s:
            claim = await s.get(AccountClaim, inbox.claim)
            assert claim.status == "confirmed"
            linked_now = await s.scalar(
                select(PlatformAccount).where(
                    PlatformAccount.member_id == claim.member_id,
                    PlatformAccount.account_id == claim.account_id,
                )
            )
        assert linked_now.status == AccountStatus.VERIFIED and linked_now.proof == "claim"
        assert await status(platform, inbox.rejected) == "validating"  # checked again
        await run_jobs(platform)
        assert await status(platform, inbox.rejected) == "awaiting_ratification"
        assert [a for a, _ in await trail_of(platform, inbox.rejected)] == ["account_claim.confirm"]

        # Answering it twice: refusing a confirmed claim is refused, and nothing changes.
        before = await snapshot(platform)
        answer = await post_from(client, home, f"/staff/{WORLD_SLUG}/claims/{inbox.claim}/refuse")
        assert answer.status_code == 409 and "confirmed already" in answer.text
        assert await snapshot(platform) == before

        answer = await post_from(
            client, home, f"/staff/{WORLD_SLUG}/account-links/{inbox.link}/refuse"
        )
        assert answer.status_code == 303
        async with platform.reading() as s:
            assert await s.get(PlatformAccount, inbox.link) is None
        page = (await client.get(home)).text
        assert "Account link refused and removed." in page
        assert "refused an account link" in section(page, "trail")
        assert "confirmed an account claim" in section(page, "trail")
        assert "No claim waits." in page and "No account link waits." in page


async def test_a_member_s_own_link_is_confirmed_by_staff(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    await let_sign_in(platform, world, demo_org)
    link = await act(
        platform,
        accounts.link_platform_account,
        actor=world.actors["player"],
        member_id=world.member_ids["player"],
        platform="epic",
        account_id=EPIC_ID,
    )
    action = f"/staff/{WORLD_SLUG}/account-links/{link.id}/confirm"
    async with client_as(web, world.user_ids["player"]) as client:  # not their own to vouch for
        await refused_unchanged(platform, client, action, {}, 403)
    async with client_as(web, world.user_ids["organization_admin"]) as client:
        answer = await post_from(client, f"/staff/{WORLD_SLUG}/submissions", action)
        assert answer.status_code == 303
    async with platform.reading() as s:
        row = await s.get(PlatformAccount, link.id)
        assert (row.status, row.proof) == (AccountStatus.VERIFIED, "staff")
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "account.link"))
        assert entry.details == {"platform": "epic", "account_id": EPIC_ID}


async def test_players_spectators_forged_forms_and_unknown_ids_change_nothing(
    web: Web, platform: Runtime, world: World, inbox: Inbox
) -> None:
    posts = {
        f"/staff/{WORLD_SLUG}/submissions/{inbox.disputed}/force-accept": {"reason": "Because."},
        f"/staff/{WORLD_SLUG}/submissions/{inbox.stuck}/reset": {"reason": "Because."},
        f"/staff/{WORLD_SLUG}/submissions/{inbox.accepted}/invalidate": {"reason": "Because."},
        f"/staff/{WORLD_SLUG}/claims/{inbox.claim}/confirm": {},
        f"/staff/{WORLD_SLUG}/claims/{inbox.claim}/refuse": {},
        f"/staff/{WORLD_SLUG}/account-links/{inbox.link}/confirm": {},
        f"/staff/{WORLD_SLUG}/account-links/{inbox.link}/refuse": {},
    }
    pages = [
        f"/staff/{WORLD_SLUG}/submissions",
        f"/staff/{WORLD_SLUG}/submissions/{inbox.disputed}",
    ]
    # A player of the disputed match (and captain of a team) is no staff.
    async with client_as(web, world.user_ids["team_captain"]) as client:
        for path in pages:
            answer = await client.get(path)
            assert answer.status_code == 403 and "PERMISSION_DENIED" in answer.text, path
        for path, data in posts.items():
            await refused_unchanged(platform, client, path, data, 403)
        # A player's missing reason is still a refusal: permission comes first.
        await refused_unchanged(
            platform, client, f"/staff/{WORLD_SLUG}/submissions/{inbox.disputed}/reset", {}, 403
        )
    async with client_as(web, None) as client:
        for path in pages:
            assert sent_to_sign_in(await client.get(path), path), path
        for path, data in posts.items():
            await refused_unchanged(platform, client, path, data, 401)
    async with client_as(web, world.user_ids["league_staff"]) as client:
        # No CSRF token: refused before the page runs.
        before = await snapshot(platform)
        for path, data in posts.items():
            answer = await client.post(path, data=data)
            assert answer.status_code == 403 and "nothing was changed" in answer.text, path
        assert await snapshot(platform) == before
        # Unknown or foreign ids: the 404 page.
        for path in (
            f"/staff/{WORLD_SLUG}/submissions/999999",
            f"/staff/{WORLD_SLUG}/submissions/abc",
            f"/staff/no-such-org/submissions/{inbox.disputed}",
        ):
            answer = await client.get(path)
            assert answer.status_code in (403, 404) and "Traceback" not in answer.text, path
        assert (await client.get(f"/staff/{WORLD_SLUG}/submissions/999999")).status_code == 404
        for path in (
            f"/staff/{WORLD_SLUG}/submissions/999999/reset",
            f"/staff/{WORLD_SLUG}/submissions/{inbox.disputed}/approve",
            f"/staff/{WORLD_SLUG}/claims/999999/confirm",
            f"/staff/{WORLD_SLUG}/claims/{inbox.claim}/maybe",
        ):
            await refused_unchanged(platform, client, path, {"reason": "x"}, 404)
