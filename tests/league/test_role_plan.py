"""The pure plan of Discord role and nickname sync: desired against current, the changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sprocket.league.role_plan import (
    NICKNAME_LIMIT,
    Band,
    Holding,
    MemberPlan,
    RoleMap,
    Standing,
    band_crossed,
    band_role,
    plan_member,
    untagged,
    wanted_roles,
)

DOUBLES = 2
BANDS = (Band(900, "b900"), Band(1100, "b1100"), Band(1300, "b1300"))
ROLES = RoleMap(
    skill_groups={1: "pl", 2: "ml"},
    teams={10: "t10", 11: "t11"},
    franchises={5: "haw"},
    bands={DOUBLES: BANDS},
    nickname_prefix=True,
    tags=frozenset({"HAW", "ACE"}),
)
CHIOMA = Standing(
    member_id=7,
    name="Chioma",
    skill_groups=frozenset({1}),
    teams=frozenset({10}),
    franchises=frozenset({5}),
    tag="HAW",
    ratings={DOUBLES: 1150},
)


def test_band_is_the_highest_minimum_reached() -> None:
    assert band_role(BANDS, None) is None
    assert band_role(BANDS, 899) is None
    assert band_role(BANDS, 900) == "b900"
    assert band_role(BANDS, 1099) == "b900"
    assert band_role(BANDS, 1100) == "b1100"
    assert band_role(reversed(BANDS), 5000) == "b1300"  # the order given does not matter
    assert band_crossed(BANDS, 1000, 1099) is False
    assert band_crossed(BANDS, 1099, 1100) is True
    assert band_crossed(BANDS, 950, 850) is True


def test_wanted_roles_of_a_member_and_of_a_stranger() -> None:
    assert wanted_roles(ROLES, CHIOMA) == {"pl", "t10", "haw", "b1100"}
    assert wanted_roles(ROLES, None) == frozenset()
    unrated = Standing(member_id=8, name="Ada", skill_groups=frozenset({3}))
    assert wanted_roles(ROLES, unrated) == frozenset()  # skill group 3 has no role


def test_plan_adds_and_removes_only_managed_roles() -> None:
    holding = Holding(frozenset({"t11", "b900", "moderator", "nitro"}), "[HAW] Chioma")
    plan = plan_member(ROLES, CHIOMA, holding)
    assert plan == MemberPlan(add=("b1100", "haw", "pl", "t10"), remove=("b900", "t11"))


def test_a_stranger_loses_every_managed_role_and_a_sprocket_prefix() -> None:
    holding = Holding(frozenset({"pl", "haw", "moderator"}), "[ACE] Deevo")
    plan = plan_member(ROLES, None, holding)
    assert plan == MemberPlan(remove=("haw", "pl"), nickname="Deevo")


def test_nicknames() -> None:
    # tag added to a plain nickname, or to no nickname at all
    assert plan_member(ROLES, CHIOMA, Holding(frozenset(), None)).nickname == "[HAW] Chioma"
    assert plan_member(ROLES, CHIOMA, Holding(frozenset(), "chi")).nickname == "[HAW] Chioma"
    # a new franchise's tag replaces the old one
    moved = Standing(member_id=7, name="Chioma", tag="ACE")
    assert plan_member(ROLES, moved, Holding(frozenset(), "[HAW] Chioma")).nickname == (
        "[ACE] Chioma"
    )
    # on no franchise: a prefix of the organization's tags comes off, anything else stays
    free = Standing(member_id=7, name="Chioma")
    assert plan_member(ROLES, free, Holding(frozenset(), "[HAW] Chioma")).nickname == "Chioma"
    assert plan_member(ROLES, free, Holding(frozenset(), "[RSC] Chioma")).nickname is None
    assert plan_member(ROLES, free, Holding(frozenset(), None)).nickname is None
    assert untagged("[HAW] ", ROLES.tags) is None  # nothing would be left
    # prefix switched off: nicknames are left alone
    off = RoleMap(teams={10: "t10"}, tags=frozenset({"HAW"}))
    assert plan_member(off, CHIOMA, Holding(frozenset(), "[ACE] x")).nickname is None


def test_a_nickname_over_32_characters_is_reported_not_set() -> None:
    name = "N" * (NICKNAME_LIMIT - len("[HAW] ") + 1)
    long = Standing(member_id=9, name=name, tag="HAW", teams=frozenset({10}))
    plan = plan_member(ROLES, long, Holding(frozenset(), None))
    assert plan.nickname is None
    assert plan.too_long == f"[HAW] {name}" and len(plan.too_long) == NICKNAME_LIMIT + 1
    assert plan.add == ("t10",)  # the roles are still synced
    fits = Standing(member_id=9, name=name[:-1], tag="HAW")
    assert len(plan_member(ROLES, fits, Holding(frozenset(), None)).nickname or "") == 32


def test_an_up_to_date_member_changes_nothing() -> None:
    holding = Holding(frozenset({"pl", "t10", "haw", "b1100", "other"}), "[HAW] Chioma")
    assert plan_member(ROLES, CHIOMA, holding).changes_nothing


ROLE_IDS = st.sampled_from(["pl", "ml", "t10", "t11", "haw", "b900", "b1100", "b1300", "x", "y"])
STANDINGS = st.none() | st.builds(
    Standing,
    member_id=st.just(1),
    name=st.text(min_size=1, max_size=40),
    skill_groups=st.frozensets(st.sampled_from([1, 2, 3])),
    teams=st.frozensets(st.sampled_from([10, 11, 12])),
    franchises=st.frozensets(st.sampled_from([5, 6])),
    tag=st.none() | st.sampled_from(["HAW", "ACE"]),
    ratings=st.dictionaries(st.sampled_from([DOUBLES, 3]), st.integers(0, 2000)),
)


@given(
    STANDINGS,
    st.frozensets(ROLE_IDS),
    st.none() | st.sampled_from(["[HAW] Chioma", "[ACE] x", "plain", "[RSC] y"]),
)
def test_applying_a_plan_leaves_nothing_to_do(
    standing: Standing | None, roles: frozenset[str], nickname: str | None
) -> None:
    """Applying the plan gives the wanted roles, keeps every unmanaged role, and planning
    again changes nothing (only an over-long nickname is reported each time)."""
    plan = plan_member(ROLES, standing, Holding(roles, nickname))
    held = (roles | set(plan.add)) - set(plan.remove)
    assert held - ROLES.managed == roles - ROLES.managed
    assert held & ROLES.managed == wanted_roles(ROLES, standing)
    assert not set(plan.add) & set(plan.remove)
    after = plan.nickname if plan.nickname is not None else nickname
    again = plan_member(ROLES, standing, Holding(frozenset(held), after))
    assert again == MemberPlan(too_long=plan.too_long)
