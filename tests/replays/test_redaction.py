"""A submission's report and its account claims as each viewer may see them: the account
ids of members who keep their identity hidden are left out, for every door alike."""

from __future__ import annotations

from sprocket.db import StatementCounter
from sprocket.identity.access import SPECTATOR, Actor
from sprocket.league.access import IdentityView, identity_views
from sprocket.league.models import Member
from sprocket.replays import redaction
from sprocket.replays import service as replays
from sprocket.runtime import Runtime
from tests.api.support import steam_id
from tests.api.test_replay_api import (
    drain,
    linked_lineup,
    new_match,
    submit,
    with_unknown_account,
)
from tests.league_world import World
from tests.replays.series import sweep


async def test_reports_and_claims_hide_the_ids_of_members_who_keep_them(
    platform: Runtime, world: World
) -> None:
    match_id = await new_match(platform, world)
    found = await linked_lineup(platform, match_id)
    smurf = steam_id(900_321)
    uploads = sweep(with_unknown_account(found, away=True, account=smurf, name="Smurf"))
    submission_id = await submit(platform, world.actors["team_captain"], match_id, uploads)
    await drain(platform)
    claimant = found.away[1][0]
    async with platform.unit_of_work() as s:
        user_id = (await s.get_one(Member, claimant)).user_id
        claim = await replays.claim_account(
            s,
            actor=Actor(user_id=user_id),
            submission_id=submission_id,
            platform="steam",
            account_id=smurf,
        )
    home = [steam for _, _, steam in found.home]
    staff = world.actors["league_staff"]

    async with platform.reading() as s:
        with StatementCounter(platform.engine) as counter:
            public = await redaction.visible_reports(
                s, actor=SPECTATOR, submission_ids=[submission_id, 99_999]
            )
        # The reports, then the members (the spectator is staff nowhere: no third).
        assert counter.count == 2
        assert list(public) == [submission_id]  # an id of no submission is left out
        text = str(public[submission_id])
        assert all(steam not in text for steam in home)
        linked = [
            f
            for g in public[submission_id]["games"]
            for f in g["found"]
            if f["member_id"] is not None
        ]
        assert linked and all(f["platform_id"] is None for f in linked)
        # An account linked to nobody is not a member's: it stays, so its owner can claim it.
        assert {u["platform_id"] for u in public[submission_id]["unknown_accounts"]} == {smurf}

        seen = await redaction.visible_reports(s, actor=staff, submission_ids=[submission_id])
        assert all(steam in str(seen[submission_id]) for steam in home)

        claims = await redaction.visible_claim_account_ids(
            s, actor=SPECTATOR, claim_ids=[claim.id, 99_999]
        )
        assert claims == {claim.id: None}
        claims = await redaction.visible_claim_account_ids(s, actor=staff, claim_ids=[claim.id])
        assert claims == {claim.id: smurf}
        claims = await redaction.visible_claim_account_ids(
            s, actor=Actor(user_id=user_id), claim_ids=[claim.id]
        )
        assert claims == {claim.id: smurf}  # the claimant themself

        views = await identity_views(s, actor=SPECTATOR, member_ids=[claimant, 99_999])
        assert views == {claimant: IdentityView.NONE}
        assert await identity_views(s, actor=staff, member_ids=[]) == {}
