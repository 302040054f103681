"""Members' Discord identities and game account ids are hidden from the public by default.

The member themself and the organization's staff always see them; everyone else sees them
only once the member chose to show them (``setIdentitiesPublic``), and then only verified
accounts. The split is made by the resolvers for each caller, so the response cache, which
keys public answers apart from each token's, never hands a hidden id to the public.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sprocket.identity.models import User
from sprocket.league import accounts
from sprocket.league.models import Member
from tests.api.support import epic_id, steam_id
from tests.api.test_replay_api import (
    CLAIM,
    SUBMISSION,
    drain,
    linked_lineup,
    new_match,
    submit,
    token_for,
    with_unknown_account,
)
from tests.league_world import World
from tests.replays.series import sweep

TEAM = """
query($t: ID!, $s: ID!) {
  team(id: $t) {
    roster(seasonId: $s) {
      player {
        member {
          id identitiesPublic
          user { discordId discordName }
          accounts { platform accountId status proof }
        }
      }
    }
  }
}
"""
SHOW = """
mutation($o: ID!, $p: Boolean!) {
  setIdentitiesPublic(organizationId: $o, public: $p) { id identitiesPublic }
}
"""
VERIFIED = steam_id(31_337)
PENDING = epic_id(31_337)


async def _members(http, world: World, token: str | None) -> tuple[dict[str, Any], str, str]:
    """The Team 1 members by id, the raw answer and its cache state."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    variables = {"t": str(world.team_ids[0]), "s": str(world.season_id)}
    response = await http.post(
        "/graphql", json={"query": TEAM, "variables": variables}, headers=headers
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    roster = response.json()["data"]["team"]["roster"]
    members = {e["player"]["member"]["id"]: e["player"]["member"] for e in roster}
    return members, response.text, response.headers.get("x-sprocket-cache", "")


async def _setup(platform, world: World) -> str:
    """The player's Steam account linked by staff (verified) and an Epic one by themself
    (pending); returns the player's Discord id."""
    player = world.member_ids["player"]
    async with platform.unit_of_work() as s:
        await accounts.link_platform_account(
            s,
            actor=world.actors["league_staff"],
            member_id=player,
            platform="steam",
            account_id=VERIFIED,
        )
        await accounts.link_platform_account(
            s, actor=world.actors["player"], member_id=player, platform="epic", account_id=PENDING
        )
        discord_id = await s.scalar(
            select(User.discord_id).where(User.id == world.user_ids["player"])
        )
    assert discord_id
    return discord_id


async def test_identities_are_hidden_from_the_public_and_shown_to_self_and_staff(
    platform, world, http
) -> None:
    discord_id = await _setup(platform, world)
    player = str(world.member_ids["player"])
    captain = str(world.member_ids["team_captain"])

    for viewer in (None, "outsider", "franchise_manager", "team_captain"):
        members, raw, _ = await _members(http, world, world.tokens.get(viewer))
        assert members[player]["user"] == {"discordId": None, "discordName": None}, viewer
        assert members[player]["accounts"] is None, viewer
        assert members[player]["identitiesPublic"] is False
        assert discord_id not in raw and VERIFIED not in raw and PENDING not in raw, viewer

    for viewer in ("player", "league_staff", "organization_admin", "superuser"):
        members, _, _ = await _members(http, world, world.tokens[viewer])
        assert members[player]["user"]["discordId"] == discord_id, viewer
        assert {(a["accountId"], a["status"], a["proof"]) for a in members[player]["accounts"]} == {
            (VERIFIED, "VERIFIED", "STAFF"),
            (PENDING, "PENDING", None),
        }, viewer
    # The player sees their own identity, not their captain's.
    members, _, _ = await _members(http, world, world.tokens["player"])
    assert members[captain]["user"]["discordId"] is None and members[captain]["accounts"] is None


async def test_a_member_who_shows_their_identity_shows_verified_accounts_only(
    platform, world, http, gql
) -> None:
    discord_id = await _setup(platform, world)
    player = str(world.member_ids["player"])
    shown = await gql.ok(
        SHOW, {"o": str(world.organization_id), "p": True}, token=world.tokens["player"]
    )
    assert shown["setIdentitiesPublic"] == {"id": player, "identitiesPublic": True}
    members, raw, _ = await _members(http, world, None)
    assert members[player]["identitiesPublic"] is True
    assert members[player]["user"]["discordId"] == discord_id
    assert [a["accountId"] for a in members[player]["accounts"]] == [VERIFIED]
    assert PENDING not in raw  # an unproven claim is not shown to the public
    # And hidden again.
    await gql.ok(SHOW, {"o": str(world.organization_id), "p": False}, token=world.tokens["player"])
    members, raw, _ = await _members(http, world, None)
    assert members[player]["accounts"] is None and VERIFIED not in raw


async def test_only_a_member_sets_what_the_public_sees_of_them(platform, world, gql) -> None:
    for role, code in (("outsider", "PERMISSION_DENIED"), ("superuser", "PERMISSION_DENIED")):
        error = await gql.error(
            SHOW, {"o": str(world.organization_id), "p": True}, token=world.tokens[role]
        )
        assert error["extensions"]["code"] == code
    error = await gql.error(SHOW, {"o": "99999", "p": True}, token=world.tokens["player"])
    assert error["extensions"]["code"] == "PERMISSION_DENIED"  # no member there: nothing told
    error = await gql.error(SHOW, {"o": str(world.organization_id), "p": True})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_response_cache_never_gives_the_public_a_privileged_answer(
    platform, world, http
) -> None:
    discord_id = await _setup(platform, world)
    player = str(world.member_ids["player"])
    # Staff first: their answer (with the ids) is cached for their token only.
    members, _, state = await _members(http, world, world.tokens["league_staff"])
    assert state == "miss" and members[player]["user"]["discordId"] == discord_id
    members, _, state = await _members(http, world, world.tokens["league_staff"])
    assert state == "hit" and members[player]["user"]["discordId"] == discord_id
    # The public, right after, with no write in between: its own answer, without the ids.
    for expected_state in ("miss", "hit"):
        members, raw, state = await _members(http, world, None)
        assert state == expected_state
        assert members[player]["user"]["discordId"] is None
        assert discord_id not in raw and VERIFIED not in raw


async def test_a_report_hides_the_account_ids_of_members_who_keep_them(
    platform, world: World, http, gql
) -> None:
    match_id = await new_match(platform, world)
    found = await linked_lineup(platform, match_id)
    smurf = steam_id(900_123)
    uploads = sweep(with_unknown_account(found, away=True, account=smurf, name="Smurf"))
    submission_id = await submit(platform, world.actors["team_captain"], match_id, uploads)
    await drain(platform)
    hidden = [steam for _, _, steam in found.home]

    public = (await gql.ok(SUBMISSION, {"s": str(submission_id)}))["submission"]["report"]
    text = str(public)
    assert all(steam not in text for steam in hidden), "a member's account id leaked"
    linked = [f for g in public["games"] for f in g["found"] if f["member_id"] is not None]
    assert linked and all(f["platform_id"] is None for f in linked)
    # An account linked to nobody is not a member's: it stays, so its owner can claim it.
    assert {u["platform_id"] for u in public["unknown_accounts"]} == {smurf}

    staff = await gql.ok(SUBMISSION, {"s": str(submission_id)}, token=world.tokens["league_staff"])
    text = str(staff["submission"]["report"])
    assert all(steam in text for steam in hidden)

    # A claim's account id is the claimant's: hidden from the public too.
    async with platform.reading() as s:
        away_user = (await s.get_one(Member, found.away[1][0])).user_id
    claim = await gql.ok(
        CLAIM,
        {"s": str(submission_id), "p": "steam", "a": smurf},
        token=await token_for(platform, away_user),
    )
    claim_id = claim["claimAccount"]["id"]
    query = "query($s: ID!) { submission(id: $s) { claims { id accountId accountName } } }"
    (seen,) = (await gql.ok(query, {"s": str(submission_id)}))["submission"]["claims"]
    assert (seen["id"], seen["accountId"], seen["accountName"]) == (claim_id, None, "Smurf")
    (seen,) = (await gql.ok(query, {"s": str(submission_id)}, token=world.tokens["superuser"]))[
        "submission"
    ]["claims"]
    assert seen["accountId"] == smurf
