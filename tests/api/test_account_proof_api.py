"""A member's own link through the API is pending, and a replay's account on a pending link
is still unknown: it does not make the replay count that member."""

from __future__ import annotations

from tests.api.support import steam_id
from tests.api.test_replay_api import (
    SUBMISSION,
    drain,
    linked_lineup,
    new_match,
    submit,
    with_unknown_account,
)
from tests.replays.series import sweep

LINK = """
mutation($m: ID!, $a: String!) {
  linkPlatformAccount(memberId: $m, platform: "steam", accountId: $a) { accountId status proof }
}
"""


async def test_a_pending_link_does_not_make_a_replays_account_count(platform, world, gql) -> None:
    match_id = await new_match(platform, world)
    found = await linked_lineup(platform, match_id)
    ringer = steam_id(880_088)
    # The player links the ringer's account to themself: pending, no proof.
    linked = await gql.ok(
        LINK, {"m": str(world.member_ids["player"]), "a": ringer}, token=world.tokens["player"]
    )
    assert linked["linkPlatformAccount"] == {
        "accountId": ringer,
        "status": "PENDING",
        "proof": None,
    }
    # The ringer plays in the player's place (Team 1's second member).
    uploads = sweep(with_unknown_account(found, away=False, account=ringer, name="Ringer"))
    submission_id = await submit(platform, world.actors["team_captain"], match_id, uploads)
    await drain(platform)
    submission = (
        await gql.ok(SUBMISSION, {"s": str(submission_id)}, token=world.tokens["league_staff"])
    )["submission"]
    assert submission["status"] == "REJECTED"
    assert {u["platform_id"] for u in submission["report"]["unknown_accounts"]} == {ringer}
    ringers = [
        f for g in submission["report"]["games"] for f in g["found"] if f["platform_id"] == ringer
    ]
    assert len(ringers) == 3 and all(f["member_id"] is None for f in ringers)
