"""Member names are unique within an organization, compared without case, width or spacing."""

from __future__ import annotations

import pytest

from sprocket.identity import service as identity
from sprocket.league import members as league
from sprocket.league.models import Member
from sprocket.league.names import member_name_key
from tests.api.support import Fresh
from tests.helpers.database import fails_unchanged


@pytest.mark.parametrize(
    ("first", "second"),
    [("Deevo", "deevo"), ("Deevo", "DEEVO"), ("Deevo", "Ｄｅｅｖｏ"), ("Big  Deevo", "big deevo")],
)
def test_the_same_name(first: str, second: str) -> None:
    assert member_name_key(first) == member_name_key(second)


def test_different_names() -> None:
    assert member_name_key("Deevo") != member_name_key("Deevo2")
    assert member_name_key("Big Deevo") != member_name_key("BigDeevo")


async def _user(platform, discord_id: str, name: str) -> int:
    async with platform.unit_of_work() as s:
        return (await identity.ensure_user(s, discord_id=discord_id, display_name=name)).id


async def test_a_taken_name_is_a_conflict_that_changes_nothing(platform, world) -> None:
    root = world.actors["superuser"]
    first = await _user(platform, "700001", "Deevo")
    second = await _user(platform, "700002", "DEEVO")
    async with platform.unit_of_work() as s:
        await league.add_member(s, actor=root, organization_id=world.organization_id, user_id=first)
    for name in (None, "deevo", " Ｄｅｅｖｏ "):
        error = await fails_unchanged(
            platform,
            lambda s, name=name: league.add_member(
                s, actor=root, organization_id=world.organization_id, user_id=second, name=name
            ),
            code="MEMBER_NAME_TAKEN",
        )
        assert "'Deevo'" in error.message and "choose another" in error.message
    # Another name is fine, and the same name in another organization too.
    async with platform.unit_of_work() as s:
        member = await league.add_member(
            s, actor=root, organization_id=world.organization_id, user_id=second, name="Deevo II"
        )
    assert (member.name, member.name_key) == ("Deevo II", "deevo ii")
    other_org = await Fresh(platform, world).organization()
    async with platform.unit_of_work() as s:
        elsewhere = await league.add_member(
            s, actor=root, organization_id=other_org, user_id=second
        )
    assert elsewhere.name == "DEEVO"


async def test_joining_twice_is_still_a_duplicate(platform, world) -> None:
    await fails_unchanged(
        platform,
        lambda s: league.add_member(
            s,
            actor=world.actors["player"],
            organization_id=world.organization_id,
            user_id=world.user_ids["player"],
        ),
        code="DUPLICATE",
    )


async def test_a_taken_name_through_the_api(platform, world, gql) -> None:
    user_id = await _user(platform, "700003", "player")  # the World's player is "Player"
    mutation = "mutation($o: ID!, $u: ID) { addMember(organizationId: $o, userId: $u) { id } }"
    error = await gql.error(
        mutation,
        {"o": str(world.organization_id), "u": str(user_id)},
        token=world.tokens["league_staff"],
    )
    assert error["extensions"]["code"] == "MEMBER_NAME_TAKEN"
    assert await Fresh(platform, world).count(Member, Member.user_id == user_id) == 0
