"""Members through the services: nobody is added unnamed; staff remove members, whose history
stays; a member who left takes part in nothing until added again. Display names and time
zones too."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from sprocket.audit import AuditEntry
from sprocket.dates import for_people, time_zone
from sprocket.db import utcnow
from sprocket.errors import InvalidInput
from sprocket.identity import service as identity
from sprocket.identity.models import User
from sprocket.league import members, rosters
from sprocket.league import service as league
from sprocket.league.models import Member, Organization, Player, RosterSpot
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.scrims import service as scrims
from sprocket.stats.models import PlayerGameStat
from tests.helpers.database import fails_unchanged
from tests.ratings.support import HOME_WINS_3_1, accept_series


async def _new_user(platform, discord_id: str, name: str = "Newcomer") -> User:
    async with platform.unit_of_work() as s:
        return await identity.ensure_user(s, discord_id=discord_id, display_name=name)


# -- adding ------------------------------------------------------------------------------------


async def test_staff_name_whom_they_add_by_user_or_discord_id(platform, world):
    staff = world.actors["league_staff"]
    org = world.organization_id
    by_id = await _new_user(platform, "800000000000000001", "By Id")
    by_discord = await _new_user(platform, "800000000000000002", "By Discord")
    for ids in ({}, {"user_id": by_id.id, "discord_id": by_discord.discord_id}):
        error = await fails_unchanged(
            platform,
            lambda s, ids=ids: members.add_member(s, actor=staff, organization_id=org, **ids),
            code="MISSING_USER",
            error=InvalidInput,
        )
        assert "user id or by Discord id" in error.message
    async with platform.unit_of_work() as s:
        first = await members.add_member(s, actor=staff, organization_id=org, user_id=by_id.id)
        second = await members.add_member(
            s, actor=staff, organization_id=org, discord_id=" 800000000000000002 "
        )
    assert (first.user_id, first.name) == (by_id.id, "By Id")
    assert (second.user_id, second.name) == (by_discord.id, "By Discord")
    unknown = await fails_unchanged(
        platform,
        lambda s: members.add_member(
            s, actor=staff, organization_id=org, discord_id="800000000000000099"
        ),
        code="NOT_FOUND",
    )
    assert "800000000000000099" in unknown.message


async def test_people_join_only_by_naming_themselves(platform, world):
    outsider = world.actors["outsider"]
    me = await _new_user(platform, "800000000000000003")
    org = world.organization_id
    # Not named, or naming someone else: not theirs to do (told before anything is looked up).
    for ids in ({}, {"user_id": me.id}, {"discord_id": me.discord_id}):
        await fails_unchanged(
            platform,
            lambda s, ids=ids: members.add_member(s, actor=outsider, organization_id=org, **ids),
            code="PERMISSION_DENIED",
        )
    await fails_unchanged(  # an organization that does not exist: the same answer
        platform,
        lambda s: members.add_member(s, actor=outsider, organization_id=999, user_id=me.id),
        code="PERMISSION_DENIED",
    )
    async with platform.unit_of_work() as s:
        outsider_user = await s.get(User, world.user_ids["outsider"])
        joined = await members.add_member(
            s, actor=outsider, organization_id=org, discord_id=outsider_user.discord_id
        )
    assert joined.user_id == world.user_ids["outsider"]
    await fails_unchanged(
        platform,
        lambda s: members.add_member(s, actor=world.actors["spectator"], organization_id=org),
        code="UNAUTHENTICATED",
    )


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Tab\there", "Bell\x07", "Evil\u202egnp"])
async def test_member_names_are_bounded_and_readable(platform, world, name):
    user = await _new_user(platform, "800000000000000004")
    await fails_unchanged(
        platform,
        lambda s: members.add_member(
            s,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            user_id=user.id,
            name=name,
        ),
        code="INVALID_NAME",
    )


# -- removing ----------------------------------------------------------------------------------


async def test_staff_remove_a_member_whose_history_stays(platform, world):
    await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    player_id = world.player_ids[1]  # "player", on Team 1, who played the series
    member_id = world.member_ids["player"]
    async with platform.reading() as s:
        lines = await s.scalar(select(func.count()).where(PlayerGameStat.player_id == player_id))
        points = await s.scalar(select(func.count()).where(RatingPoint.member_id == member_id))
    assert lines == 4 and points == 4
    before = utcnow()

    async with platform.unit_of_work() as s:
        removed = await members.remove_member(
            s,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            member_id=member_id,
        )

    assert removed.left_at is not None and removed.left_at >= before
    async with platform.reading() as s:
        spots = (await s.scalars(select(RosterSpot).where(RosterSpot.player_id == player_id))).all()
        assert [(spot.left_at == removed.left_at, spot.is_captain) for spot in spots] == [
            (True, False)
        ]
        assert await s.get(Player, player_id) is not None
        assert (
            await s.scalar(select(func.count()).where(PlayerGameStat.player_id == player_id))
            == lines
        )
        assert (
            await s.scalar(select(func.count()).where(RatingPoint.member_id == member_id)) == points
        )
        assert await s.scalar(select(func.count()).where(Rating.member_id == member_id)) == 1
        audit = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "member.remove"))
        ).all()
    assert [(a.subject, a.actor_user_id) for a in audit] == [
        (f"member:{member_id}", world.user_ids["league_staff"])
    ]
    # The roster of the past still holds them; today's does not.
    async with platform.reading() as s:
        now = await rosters.roster_at(s, team_id=world.team_ids[0], season_id=world.season_id)
        past = await rosters.roster_at(
            s, team_id=world.team_ids[0], season_id=world.season_id, at=before
        )
    assert player_id not in [spot.player_id for spot in now]
    assert player_id in [spot.player_id for spot in past]


async def test_removing_members_is_for_staff_and_happens_once(platform, world):
    member_id = world.member_ids["player"]
    org = world.organization_id

    def remove(role: str, organization_id: int = org, member: int = member_id):
        return lambda s: members.remove_member(
            s, actor=world.actors[role], organization_id=organization_id, member_id=member
        )

    for role in ("team_captain", "player", "franchise_manager", "outsider"):
        await fails_unchanged(platform, remove(role), code="PERMISSION_DENIED")
    await fails_unchanged(platform, remove("spectator"), code="UNAUTHENTICATED")
    await fails_unchanged(platform, remove("player", member=999_999), code="PERMISSION_DENIED")
    await fails_unchanged(platform, remove("league_staff", member=999_999), code="NOT_FOUND")
    async with platform.unit_of_work() as s:
        other = await league.create_organization(
            s, actor=world.actors["superuser"], slug="other-org", name="Other"
        )
    await fails_unchanged(  # a member, but of another organization
        platform, remove("superuser", organization_id=other.id), code="NOT_FOUND"
    )
    async with platform.unit_of_work() as s:
        await remove("organization_admin")(s)
    await fails_unchanged(platform, remove("league_staff"), code="MEMBER_ALREADY_LEFT")


async def test_a_member_who_left_takes_part_in_nothing_until_added_again(platform, world):
    member_id = world.member_ids["player"]
    staff = world.actors["league_staff"]
    async with platform.unit_of_work() as s:
        await members.remove_member(
            s, actor=staff, organization_id=world.organization_id, member_id=member_id
        )
    await fails_unchanged(  # no scrims
        platform,
        lambda s: scrims.member_of(
            s, actor=world.actors["player"], organization_id=world.organization_id
        ),
        code="PERMISSION_DENIED",
    )
    await fails_unchanged(  # no roster
        platform,
        lambda s: rosters.add_to_roster(
            s,
            actor=staff,
            team_id=world.team_ids[1],
            player_id=world.player_ids[1],
            season_id=world.season_id,
        ),
        code="MEMBER_LEFT",
    )
    async with platform.unit_of_work() as s:
        league2 = await league.create_league(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            name="Standard",
            game_mode="standard",
        )
    await fails_unchanged(  # no new league
        platform,
        lambda s: members.register_player(
            s, actor=world.actors["organization_admin"], member_id=member_id, league_id=league2.id
        ),
        code="MEMBER_LEFT",
    )
    # Added again: the same member, current again, their players and history theirs.
    async with platform.unit_of_work() as s:
        back = await members.add_member(
            s,
            actor=staff,
            organization_id=world.organization_id,
            user_id=world.user_ids["player"],
            name="Player Returns",
        )
    assert (back.id, back.left_at, back.name) == (member_id, None, "Player Returns")
    async with platform.reading() as s:
        assert (
            await scrims.member_of(
                s, actor=world.actors["player"], organization_id=world.organization_id
            )
        ).id == member_id


# -- display names -----------------------------------------------------------------------------


async def test_users_choose_their_display_name(platform, world):
    actor = world.actors["player"]
    async with platform.unit_of_work() as s:
        user = await identity.set_display_name(s, actor=actor, name="  Zen Player  ")
    assert user.display_name == "Zen Player" and user.display_name_changed_at is not None
    # A later Discord sign-in no longer replaces the chosen name (it still refreshes others).
    async with platform.unit_of_work() as s:
        same = await identity.ensure_user(
            s,
            discord_id=user.discord_id,
            display_name="From Discord",
            discord_name="zen#0001",
        )
    assert (same.display_name, same.discord_name) == ("Zen Player", "zen#0001")


@pytest.mark.parametrize(
    "name", ["", " ", "x" * 33, "new\nline", "nul\x00", "rtl\u202eoverride", "zero\u200bwidth"]
)
async def test_display_names_are_bounded_and_hold_no_control_characters(platform, world, name):
    await fails_unchanged(
        platform,
        lambda s: identity.set_display_name(s, actor=world.actors["player"], name=name),
        code="INVALID_NAME",
    )


async def test_a_display_name_is_the_callers_own(platform, world):
    await fails_unchanged(
        platform,
        lambda s: identity.set_display_name(s, actor=world.actors["spectator"], name="Ghost"),
        code="UNAUTHENTICATED",
    )
    async with platform.unit_of_work() as s:
        user = await identity.set_display_name(
            s, actor=world.actors["outsider"], name="Ünïcødé ✓ 32 chars are fine here!"[:32]
        )
    assert len(user.display_name) == 32


# -- time zones --------------------------------------------------------------------------------


async def test_an_organization_reads_dates_in_its_time_zone(platform, world):
    async with platform.unit_of_work() as s:
        org = await league.create_organization(
            s,
            actor=world.actors["superuser"],
            slug="euro-org",
            name="Euro",
            time_zone=" Europe/Berlin ",
        )
    assert org.time_zone == "Europe/Berlin"
    async with platform.reading() as s:
        assert await league.organization_zone(s, world.organization_id) == "UTC"  # the default
    async with platform.unit_of_work() as s:
        changed = await league.set_organization_time_zone(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            time_zone="Asia/Tokyo",
        )
    assert changed.time_zone == "Asia/Tokyo"


async def test_a_persons_own_times_read_in_the_zone_of_the_organization_they_joined_first(
    platform, world
):
    admin = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        user = await identity.ensure_user(s, discord_id="555000000000000001", display_name="Zed")
        assert await league.person_zone(s, user_id=user.id) == "UTC"  # a member of none
        zones = {}
        for slug, zone, days_ago in (
            ("tokyo-org", "Asia/Tokyo", 20),
            ("berlin", "Europe/Berlin", 10),
        ):
            org = await league.create_organization(
                s, actor=admin, slug=slug, name=slug, time_zone=zone
            )
            zones[org.id] = zone
            joined = await members.add_member(
                s, actor=admin, organization_id=org.id, user_id=user.id
            )
            joined.joined_at = utcnow() - dt.timedelta(days=days_ago)
        assert await league.person_zone(s, user_id=user.id) == "Asia/Tokyo"  # joined first
        assert await league.organization_zones(s, [*zones, 999999]) == zones  # unknown: left out
        assert await league.organization_zones(s, []) == {}
        tokyo = next(org for org, zone in zones.items() if zone == "Asia/Tokyo")
        (membership,) = [
            m
            for m in await members.memberships_of(s, user_id=user.id)
            if m.organization_id == tokyo
        ]
        await members.remove_member(s, actor=admin, organization_id=tokyo, member_id=membership.id)
        assert await league.person_zone(s, user_id=user.id) == "Europe/Berlin"  # left Tokyo


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "+02:00", "../etc/passwd", "", "Europe/", "localtime", "posix/UTC"]
)
async def test_a_bad_time_zone_is_a_typed_error(platform, world, zone):
    error = await fails_unchanged(
        platform,
        lambda s: league.set_organization_time_zone(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            time_zone=zone,
        ),
        code="INVALID_TIME_ZONE",
        error=InvalidInput,
    )
    assert "IANA" in error.message
    await fails_unchanged(
        platform,
        lambda s: league.create_organization(
            s, actor=world.actors["superuser"], slug="zoned", name="Zoned", time_zone=zone
        ),
        code="INVALID_TIME_ZONE",
    )


async def test_only_organization_admins_set_the_time_zone_asked_first(platform, world):
    for role in ("league_staff", "franchise_manager", "player", "outsider"):
        await fails_unchanged(  # refused before the bad zone is even looked at
            platform,
            lambda s, role=role: league.set_organization_time_zone(
                s,
                actor=world.actors[role],
                organization_id=world.organization_id,
                time_zone="Not/AZone",
            ),
            code="PERMISSION_DENIED",
        )
    await fails_unchanged(  # nor does an outsider learn whether an organization exists
        platform,
        lambda s: league.set_organization_time_zone(
            s, actor=world.actors["outsider"], organization_id=999, time_zone="UTC"
        ),
        code="PERMISSION_DENIED",
    )
    async with platform.reading() as s:
        assert (await s.get(Organization, world.organization_id)).time_zone == "UTC"


def test_one_helper_writes_dates_for_people() -> None:
    winter = dt.datetime(2025, 1, 15, 18, 30, tzinfo=dt.UTC)
    summer = dt.datetime(2025, 7, 15, 18, 30, tzinfo=dt.UTC)
    assert for_people(winter, "UTC") == "15 Jan 2025 18:30 UTC"
    assert for_people(winter, "Europe/London") == "15 Jan 2025 18:30 GMT"
    assert for_people(summer, "Europe/London") == "15 Jul 2025 19:30 BST"
    assert for_people(summer, "America/Los_Angeles", year=False) == "15 Jul 11:30 PDT"
    assert for_people(winter, "Asia/Tokyo", time=False) == "16 Jan 2025"  # the next day there
    assert for_people(winter, "Asia/Tokyo", time=False, year=False) == "16 Jan"
    assert time_zone("UTC") is dt.UTC
    with pytest.raises(InvalidInput) as raised:
        time_zone("Nowhere/Land")
    assert raised.value.code == "INVALID_TIME_ZONE"


async def test_members_of_a_user(platform, world):
    async with platform.reading() as s:
        memberships = await members.memberships_of(s, user_id=world.user_ids["team_captain"])
        players = await members.players_of(s, user_id=world.user_ids["team_captain"])
        teams = await members.teams_of(s, user_id=world.user_ids["team_captain"], at=utcnow())
        nothing = await members.memberships_of(s, user_id=world.user_ids["outsider"])
    assert [m.id for m in memberships] == [world.member_ids["team_captain"]]
    assert [p.id for p in players] == [world.player_ids[0]]
    assert [(t.team_id, t.is_captain) for t in teams] == [(world.team_ids[0], True)]
    assert nothing == []
    assert isinstance(memberships[0], Member)
