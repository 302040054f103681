"""League services: organizations, settings, leagues, seasons, teams, members and rosters."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from sprocket.db import utcnow
from sprocket.errors import Conflict, InvalidInput
from sprocket.identity import service as identity
from sprocket.identity.access import SPECTATOR
from sprocket.league import members, roles, rosters
from sprocket.league import service as league
from sprocket.league.configuration import KEYS
from sprocket.league.enums import Role, TieBreak
from sprocket.league.match_format import MatchFormat
from sprocket.league.models import OrganizationSetting, RoleGrant, RosterSpot
from sprocket.league.rules import PointsRule
from tests.helpers.database import fails_unchanged

NOW = dt.datetime(2026, 1, 5, 19, 0, tzinfo=dt.UTC)

# -- organizations -----------------------------------------------------------------------------


async def _root(platform):
    from sprocket.identity.access import Actor

    async with platform.unit_of_work() as s:
        user = await identity.ensure_user(s, discord_id="1", display_name="Root", is_superuser=True)
    return Actor(user_id=user.id, is_superuser=True)


async def test_create_organization_makes_the_creator_its_admin(platform):
    root = await _root(platform)
    async with platform.unit_of_work() as s:
        org = await league.create_organization(s, actor=root, slug=" My-Org ", name=" My Org ")
    assert (org.slug, org.name) == ("my-org", "My Org")
    async with platform.reading() as s:
        grants = (await s.scalars(select(RoleGrant))).all()
    assert [(g.user_id, g.organization_id, g.role) for g in grants] == [
        (root.user_id, org.id, Role.ORGANIZATION_ADMIN.value)
    ]


@pytest.mark.parametrize("slug", ["a", "-org", "my org", "my_org", "org!", "x" * 64, ""])
async def test_organization_slugs_follow_the_rules(platform, slug):
    root = await _root(platform)
    await fails_unchanged(
        platform,
        lambda s: league.create_organization(s, actor=root, slug=slug, name="Org"),
        code="INVALID_SLUG",
    )


async def test_organization_slugs_are_unique_and_names_required(platform):
    root = await _root(platform)
    async with platform.unit_of_work() as s:
        await league.create_organization(s, actor=root, slug="rl-org", name="One")
    await fails_unchanged(
        platform,
        lambda s: league.create_organization(s, actor=root, slug="RL-Org", name="Two"),
        code="DUPLICATE",
        error=Conflict,
    )
    await fails_unchanged(
        platform,
        lambda s: league.create_organization(s, actor=root, slug="rl-org-2", name="   "),
        code="INVALID_NAME",
    )


async def test_only_platform_admins_create_organizations(platform, world):
    for role in ("organization_admin", "player"):
        await fails_unchanged(
            platform,
            lambda s, role=role: league.create_organization(
                s, actor=world.actors[role], slug="mine", name="Mine"
            ),
            code="PERMISSION_DENIED",
        )
    await fails_unchanged(
        platform,
        lambda s: league.create_organization(s, actor=SPECTATOR, slug="mine", name="Mine"),
        code="UNAUTHENTICATED",
    )


# -- settings ----------------------------------------------------------------------------------


async def test_effective_configuration_starts_from_the_defaults(platform, world):
    async with platform.reading() as s:
        config = await league.organization_config(s, world.organization_id)
    assert config.values == {key: spec.default for key, spec in KEYS.items()}
    assert config["required_ratifications"] == 1
    assert config["queue_ban_initial_minutes"] == 30
    assert config.points == PointsRule(win=1, draw=0, loss=0, forfeit_loss=0)
    assert config.tie_breaks == tuple(TieBreak)


async def test_settings_are_typed_and_stored(platform, world):
    admin = world.actors["organization_admin"]
    async with platform.unit_of_work() as s:
        await league.set_organization_setting(
            s, actor=admin, organization_id=world.organization_id, key="points_win", value=3
        )
        await league.set_organization_setting(
            s,
            actor=admin,
            organization_id=world.organization_id,
            key="tie_breaks",
            value=["goal_difference", "head_to_head"],
        )
        await league.set_organization_setting(
            s,
            actor=admin,
            organization_id=world.organization_id,
            key="require_private_match",
            value=False,
        )
        config = await league.set_organization_setting(
            s, actor=admin, organization_id=world.organization_id, key="points_win", value=2
        )
    assert config["points_win"] == 2
    assert config.tie_breaks == (TieBreak.GOAL_DIFFERENCE, TieBreak.HEAD_TO_HEAD)
    assert config["require_private_match"] is False
    assert config["points_loss"] == 0  # untouched keys keep their default
    async with platform.reading() as s:
        stored = {
            row.key: row.value
            for row in await s.scalars(
                select(OrganizationSetting).where(
                    OrganizationSetting.organization_id == world.organization_id
                )
            )
        }
        reread = await league.organization_config(s, world.organization_id)
    assert stored == {
        "points_win": 2,
        "tie_breaks": ["goal_difference", "head_to_head"],
        "require_private_match": False,
    }
    assert reread == config


BAD_SETTINGS = [
    ("points_win", "3", "INVALID_SETTING"),  # wrong type
    ("points_win", 2.5, "INVALID_SETTING"),
    ("points_win", True, "INVALID_SETTING"),  # a bool is not a number here
    ("points_win", 11, "INVALID_SETTING"),  # above the bound
    ("roster_substitutes", -1, "INVALID_SETTING"),  # below the bound
    ("scrim_check_in_seconds", 5, "INVALID_SETTING"),
    ("require_private_match", 1, "INVALID_SETTING"),
    ("ratification_mode", "unanimous", "INVALID_SETTING"),
    ("tie_breaks", ["coin_toss"], "INVALID_SETTING"),
    ("tie_breaks", ["goals_for", "goals_for"], "INVALID_SETTING"),
    ("tie_breaks", "goals_for", "INVALID_SETTING"),
    ("primary_colour", "navy", "INVALID_SETTING"),  # a colour is #RRGGBB
    ("primary_colour", "#12345", "INVALID_SETTING"),
    ("secondary_colour", "#12345g", "INVALID_SETTING"),
    ("secondary_colour", "#1234567", "INVALID_SETTING"),
    ("secondary_colour", 0xE07A1F, "INVALID_SETTING"),
    ("no_such_key", 1, "UNKNOWN_SETTING"),
]


async def test_bad_settings_are_rejected(platform, world):
    for key, value, code in BAD_SETTINGS:
        error = await fails_unchanged(
            platform,
            lambda s, key=key, value=value: league.set_organization_setting(
                s,
                actor=world.actors["organization_admin"],
                organization_id=world.organization_id,
                key=key,
                value=value,
            ),
            code=code,
            error=InvalidInput,
        )
        assert key in error.message


async def test_only_organization_admins_change_settings(platform, world):
    await fails_unchanged(
        platform,
        lambda s: league.set_organization_setting(
            s,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            key="points_win",
            value=3,
        ),
        code="PERMISSION_DENIED",
    )


# -- leagues -----------------------------------------------------------------------------------


def _create_league(world, **kwargs):
    args = {"name": "Standard", "game_mode": "standard"} | kwargs
    return lambda s: league.create_league(
        s,
        actor=world.actors["organization_admin"],
        organization_id=world.organization_id,
        **args,
    )


async def test_league_roster_limits_default_from_team_size_and_substitutes(platform, world):
    async with platform.unit_of_work() as s:
        standard = await _create_league(world)(s)
        await league.set_organization_setting(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            key="roster_substitutes",
            value=1,
        )
        duel = await _create_league(world, name="Duel", game_mode="duel")(s)
    assert (standard.roster_min, standard.roster_max, standard.match_format) == (3, 5, "bo5")
    assert (duel.roster_min, duel.roster_max) == (1, 2)


async def test_league_roster_limits_are_validated(platform, world):
    # below the team size, minimum over maximum, too big, nothing
    for low, high in ((2, 5), (4, 3), (3, 51), (0, 0)):
        error = await fails_unchanged(
            platform,
            _create_league(world, roster_min=low, roster_max=high),
            code="INVALID_ROSTER_LIMITS",
        )
        assert "3 (the team size)" in error.message


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("bo5", ("bo", 5)), ("BO7", ("bo", 7)), (" bo1 ", ("bo", 1)), ("fixed2", ("fixed", 2))],
)
def test_match_formats_parse(text, parsed):
    assert MatchFormat.parse(text) == MatchFormat(*parsed)


@pytest.mark.parametrize("text", ["bo4", "bo0", "fixed0", "fixed20", "best of 5", "", "bo"])
def test_bad_match_formats_are_rejected(text):
    with pytest.raises(InvalidInput) as raised:
        MatchFormat.parse(text)
    assert raised.value.code == "INVALID_MATCH_FORMAT"


async def test_league_match_formats(platform, world):
    async with platform.unit_of_work() as s:
        fixed = await _create_league(world, name="Fixed", match_format="FIXED2")(s)
    assert fixed.match_format == "fixed2"
    await fails_unchanged(
        platform, _create_league(world, match_format="bo4"), code="INVALID_MATCH_FORMAT"
    )


async def test_league_names_modes_and_permissions(platform, world):
    await fails_unchanged(platform, _create_league(world, name="Doubles"), code="DUPLICATE")
    await fails_unchanged(platform, _create_league(world, game_mode="hoops"), code="NOT_FOUND")
    await fails_unchanged(
        platform,
        lambda s: league.create_league(
            s,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            name="Mine",
            game_mode="duel",
        ),
        code="PERMISSION_DENIED",
    )


# -- seasons, skill groups, franchises, teams ---------------------------------------------------


def _season(world, number=2, starts_at=NOW, ends_at=NOW + dt.timedelta(weeks=10), actor=None):
    return lambda s: league.create_season(
        s,
        actor=actor or world.actors["league_staff"],
        league_id=world.league_id,
        number=number,
        starts_at=starts_at,
        ends_at=ends_at,
    )


async def test_seasons(platform, world):
    async with platform.unit_of_work() as s:
        season = await _season(world)(s)
    assert (season.number, season.name, season.starts_at) == (2, "Season 2", NOW)
    await fails_unchanged(platform, _season(world, number=1), code="DUPLICATE")
    await fails_unchanged(platform, _season(world, number=0), code="INVALID_SEASON")
    await fails_unchanged(platform, _season(world, number=3, ends_at=NOW), code="INVALID_DATES")
    await fails_unchanged(
        platform,
        _season(world, number=3, ends_at=NOW - dt.timedelta(days=1)),
        code="INVALID_DATES",
    )
    await fails_unchanged(
        platform, _season(world, number=3, actor=world.actors["player"]), code="PERMISSION_DENIED"
    )


async def test_skill_groups(platform, world):
    def create(**kwargs):
        args = {"name": "Champion", "code": "cl", "ordinal": 3} | kwargs
        return lambda s: league.create_skill_group(
            s, actor=world.actors["league_staff"], league_id=world.league_id, **args
        )

    async with platform.unit_of_work() as s:
        group = await create(salary_cap=500.5)(s)
    assert (group.code, group.ordinal, group.salary_cap) == ("CL", 3, 500.5)
    await fails_unchanged(platform, create(name="Other", ordinal=3), code="DUPLICATE")
    await fails_unchanged(platform, create(name="Premier", ordinal=9), code="DUPLICATE")
    await fails_unchanged(platform, create(name="Zero", ordinal=0), code="INVALID_ORDER")
    await fails_unchanged(
        platform, create(name="Free", ordinal=4, salary_cap=0), code="INVALID_SALARY_CAP"
    )


async def test_franchises(platform, world):
    admin = world.actors["organization_admin"]
    async with platform.unit_of_work() as s:
        franchise = await league.create_franchise(
            s, actor=admin, organization_id=world.organization_id, name="Bandits", code="bnd"
        )
    assert franchise.code == "BND"
    await fails_unchanged(
        platform,
        lambda s: league.create_franchise(
            s, actor=admin, organization_id=world.organization_id, name="Aces", code="AC2"
        ),
        code="DUPLICATE",
    )
    await fails_unchanged(
        platform,
        lambda s: league.create_franchise(
            s, actor=admin, organization_id=world.organization_id, name="Long", code="TOOLONGCODE"
        ),
        code="INVALID_NAME",
    )
    await fails_unchanged(
        platform,
        lambda s: league.create_franchise(
            s,
            actor=world.actors["franchise_manager"],
            organization_id=world.organization_id,
            name="Mine",
            code="MIN",
        ),
        code="PERMISSION_DENIED",
    )


async def test_teams_check_their_skill_group_and_franchise(platform, world):
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        other_league = await league.create_league(
            s, actor=root, organization_id=world.organization_id, name="3s", game_mode="standard"
        )
        other_group = await league.create_skill_group(
            s, actor=root, league_id=other_league.id, name="Premier", code="PL", ordinal=1
        )
        other_org = await league.create_organization(s, actor=root, slug="other", name="Other")
        other_franchise = await league.create_franchise(
            s, actor=root, organization_id=other_org.id, name="Theirs", code="THR"
        )

    def create(**kwargs):
        args = {"name": "Team 9"} | kwargs
        return lambda s: league.create_team(
            s, actor=world.actors["league_staff"], league_id=world.league_id, **args
        )

    async with platform.unit_of_work() as s:
        team = await create(
            skill_group_id=world.skill_group_ids[1], franchise_id=world.franchise_id
        )(s)
    assert (team.skill_group_id, team.franchise_id) == (
        world.skill_group_ids[1],
        world.franchise_id,
    )
    await fails_unchanged(
        platform, create(name="Team 10", skill_group_id=other_group.id), code="WRONG_LEAGUE"
    )
    await fails_unchanged(
        platform,
        create(name="Team 10", franchise_id=other_franchise.id),
        code="WRONG_ORGANIZATION",
    )
    await fails_unchanged(platform, create(name="Team 1"), code="DUPLICATE")
    await fails_unchanged(platform, create(name="Team 10", skill_group_id=10**6), code="NOT_FOUND")


# -- members and players -----------------------------------------------------------------------


async def test_members_join_themselves_or_are_added_by_staff(platform, world):
    outsider = world.actors["outsider"]
    me = world.user_ids["outsider"]
    # Nobody is enrolled without being named, not even the caller.
    await fails_unchanged(
        platform,
        lambda s: members.add_member(s, actor=outsider, organization_id=world.organization_id),
        code="PERMISSION_DENIED",
    )
    async with platform.unit_of_work() as s:
        member = await members.add_member(
            s, actor=outsider, organization_id=world.organization_id, user_id=me
        )
    assert member.user_id == me
    assert member.name == "Outsider"
    await fails_unchanged(
        platform,
        lambda s: members.add_member(
            s, actor=outsider, organization_id=world.organization_id, user_id=me
        ),
        code="DUPLICATE",
    )
    await fails_unchanged(
        platform,
        lambda s: members.add_member(
            s,
            actor=world.actors["player"],
            organization_id=world.organization_id,
            user_id=world.user_ids["superuser"],
        ),
        code="PERMISSION_DENIED",
    )
    async with platform.unit_of_work() as s:
        staffed = await members.add_member(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            user_id=world.user_ids["superuser"],
            name="The Boss",
        )
    assert staffed.name == "The Boss"


async def test_players_must_be_members_of_the_leagues_organization(platform, world):
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        other = await league.create_organization(s, actor=root, slug="other", name="Other")
        foreign = await members.add_member(
            s, actor=root, organization_id=other.id, user_id=world.user_ids["outsider"]
        )
        other_league = await league.create_league(
            s, actor=root, organization_id=world.organization_id, name="3s", game_mode="standard"
        )
        other_group = await league.create_skill_group(
            s, actor=root, league_id=other_league.id, name="Premier", code="PL", ordinal=1
        )
        local = await members.add_member(
            s,
            actor=root,
            organization_id=world.organization_id,
            user_id=world.user_ids["outsider"],
        )

    def register(member_id, **kwargs):
        return lambda s: members.register_player(
            s,
            actor=world.actors["league_staff"],
            member_id=member_id,
            league_id=world.league_id,
            **kwargs,
        )

    await fails_unchanged(platform, register(foreign.id), code="WRONG_ORGANIZATION")
    await fails_unchanged(
        platform, register(local.id, skill_group_id=other_group.id), code="WRONG_LEAGUE"
    )
    await fails_unchanged(platform, register(local.id, salary=-1), code="INVALID_SALARY")
    await fails_unchanged(
        platform, register(world.member_ids["player"]), code="DUPLICATE", error=Conflict
    )
    async with platform.unit_of_work() as s:
        player = await register(local.id, skill_group_id=world.skill_group_ids[1], salary=12.5)(s)
        # one player per league: the same member may also play in another league
        await members.register_player(s, actor=root, member_id=local.id, league_id=other_league.id)
    assert (player.league_id, player.skill_group_id, player.salary) == (
        world.league_id,
        world.skill_group_ids[1],
        12.5,
    )


# -- rosters -----------------------------------------------------------------------------------


async def _roster(platform, team_id, season_id, at=None):
    async with platform.reading() as s:
        spots = await rosters.roster_at(s, team_id=team_id, season_id=season_id, at=at)
    return [spot.player_id for spot in spots]


def _sign(world, team, player, *, actor="league_staff", season=None, captain=False):
    return lambda s: rosters.add_to_roster(
        s,
        actor=world.actors[actor],
        team_id=team,
        player_id=player,
        season_id=season or world.season_id,
        captain=captain,
    )


def _release(world, team, player, *, actor="league_staff"):
    return lambda s: rosters.remove_from_roster(
        s, actor=world.actors[actor], team_id=team, player_id=player, season_id=world.season_id
    )


async def test_a_roster_cannot_go_over_the_league_maximum(platform, world):
    team = world.team_ids[0]
    async with platform.unit_of_work() as s:
        await _sign(world, team, world.free_player_ids[0])(s)
        await _sign(world, team, world.free_player_ids[1])(s)
    assert len(await _roster(platform, team, world.season_id)) == 4  # the doubles maximum
    error = await fails_unchanged(
        platform, _sign(world, team, world.free_player_ids[2]), code="ROSTER_FULL", error=Conflict
    )
    assert "at most 4" in error.message


async def test_a_player_is_on_one_team_per_season(platform, world):
    first, second = world.team_ids[0], world.team_ids[1]
    player = world.player_ids[1]  # on the first team
    error = await fails_unchanged(
        platform, _sign(world, second, player), code="ALREADY_ROSTERED", error=Conflict
    )
    assert "Team 1" in error.message
    async with platform.unit_of_work() as s:
        await _release(world, first, player)(s)
    async with platform.unit_of_work() as s:
        spot = await _sign(world, second, player)(s)
    assert spot.team_id == second
    assert player in await _roster(platform, second, world.season_id)
    assert player not in await _roster(platform, first, world.season_id)
    # back again is refused too, while on the second team
    await fails_unchanged(platform, _sign(world, first, player), code="ALREADY_ROSTERED")


async def test_a_player_may_play_for_another_team_in_another_season(platform, world):
    async with platform.unit_of_work() as s:
        season = await league.create_season(
            s,
            actor=world.actors["league_staff"],
            league_id=world.league_id,
            number=2,
            starts_at=utcnow(),
            ends_at=utcnow() + dt.timedelta(weeks=8),
        )
        await _sign(world, world.team_ids[1], world.player_ids[0], season=season.id)(s)
    assert world.player_ids[0] in await _roster(platform, world.team_ids[0], world.season_id)
    assert world.player_ids[0] in await _roster(platform, world.team_ids[1], season.id)


async def test_rosters_are_dated(platform, world):
    team = world.team_ids[0]
    before_release = utcnow() - dt.timedelta(milliseconds=1)
    async with platform.unit_of_work() as s:
        spot = await _release(world, team, world.player_ids[1])(s)
    assert spot.left_at is not None and spot.left_at >= before_release
    async with platform.unit_of_work() as s:
        await _sign(world, team, world.free_player_ids[0])(s)
    now = await _roster(platform, team, world.season_id)
    past = await _roster(platform, team, world.season_id, at=before_release)
    assert now == [world.player_ids[0], world.free_player_ids[0]]
    assert past == [world.player_ids[0], world.player_ids[1]]  # a past match keeps its roster
    long_ago = await _roster(platform, team, world.season_id, at=utcnow() - dt.timedelta(days=30))
    assert long_ago == []  # before anyone signed
    # the released spot is kept, not deleted
    async with platform.reading() as s:
        spots = (
            await s.scalars(select(RosterSpot).where(RosterSpot.player_id == world.player_ids[1]))
        ).all()
    assert len(spots) == 1 and spots[0].left_at is not None


async def test_releasing_someone_not_on_the_roster_fails(platform, world):
    await fails_unchanged(
        platform, _release(world, world.team_ids[1], world.player_ids[0]), code="NOT_ON_ROSTER"
    )


async def test_salary_cap(platform, world):
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        group = await league.create_skill_group(
            s,
            actor=root,
            league_id=world.league_id,
            name="Capped",
            code="CAP",
            ordinal=3,
            salary_cap=100,
        )
        team = await league.create_team(
            s, actor=root, league_id=world.league_id, name="Capped Team", skill_group_id=group.id
        )
        players = []
        for i, salary in enumerate((60, 40, 0.5)):
            user = await identity.ensure_user(s, discord_id=f"77{i}", display_name=f"Cap {i}")
            member = await members.add_member(
                s, actor=root, organization_id=world.organization_id, user_id=user.id
            )
            players.append(
                (
                    await members.register_player(
                        s,
                        actor=root,
                        member_id=member.id,
                        league_id=world.league_id,
                        skill_group_id=group.id,
                        salary=salary,
                    )
                ).id
            )
        await _sign(world, team.id, players[0])(s)
        await _sign(world, team.id, players[1])(s)  # exactly at the cap is allowed
    error = await fails_unchanged(
        platform, _sign(world, team.id, players[2]), code="SALARY_CAP_EXCEEDED", error=Conflict
    )
    assert "100.5" in error.message and "100" in error.message


async def test_players_sign_only_for_teams_of_their_skill_group_and_league(platform, world):
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        master = await league.create_team(
            s,
            actor=root,
            league_id=world.league_id,
            name="Master Team",
            skill_group_id=world.skill_group_ids[1],
        )
        other_league = await league.create_league(
            s, actor=root, organization_id=world.organization_id, name="3s", game_mode="standard"
        )
        other_team = await league.create_team(
            s, actor=root, league_id=other_league.id, name="Other Team"
        )
        other_season = await league.create_season(
            s,
            actor=root,
            league_id=other_league.id,
            number=1,
            starts_at=NOW,
            ends_at=NOW + dt.timedelta(weeks=4),
        )
    await fails_unchanged(
        platform, _sign(world, master.id, world.free_player_ids[0]), code="WRONG_SKILL_GROUP"
    )
    await fails_unchanged(
        platform,
        _sign(
            world,
            other_team.id,
            world.free_player_ids[0],
            season=other_season.id,
            actor="organization_admin",
        ),
        code="WRONG_LEAGUE",
    )
    await fails_unchanged(  # a season of another league than the team's
        platform,
        _sign(world, world.team_ids[0], world.free_player_ids[0], season=other_season.id),
        code="WRONG_LEAGUE",
    )


async def test_franchise_managers_change_their_own_teams_only(platform, world):
    async with platform.unit_of_work() as s:
        await _sign(world, world.team_ids[0], world.free_player_ids[0], actor="franchise_manager")(
            s
        )
    for role in ("franchise_manager", "team_captain", "player", "outsider"):
        await fails_unchanged(
            platform,
            _sign(world, world.team_ids[1], world.free_player_ids[1], actor=role),
            code="PERMISSION_DENIED",
        )
    await fails_unchanged(
        platform,
        _sign(world, world.team_ids[0], world.free_player_ids[1], actor="spectator"),
        code="UNAUTHENTICATED",
    )


async def _captains(platform, team, season):
    async with platform.reading() as s:
        spots = await rosters.roster_at(s, team_id=team, season_id=season)
    return [spot.player_id for spot in spots if spot.is_captain]


async def test_captains(platform, world):
    team, season = world.team_ids[0], world.season_id
    captain, player = world.actors["team_captain"], world.actors["player"]
    assert await _captains(platform, team, season) == [world.player_ids[0]]
    async with platform.reading() as s:
        assert await rosters.is_captain_of(s, actor=captain, team_id=team)
        assert not await rosters.is_captain_of(s, actor=player, team_id=team)
        assert not await rosters.is_captain_of(s, actor=captain, team_id=world.team_ids[1])
        assert not await rosters.is_captain_of(s, actor=SPECTATOR, team_id=team)

    async with platform.unit_of_work() as s:
        chosen = await rosters.set_captain(
            s,
            actor=world.actors["franchise_manager"],
            team_id=team,
            player_id=world.player_ids[1],
            season_id=season,
        )
    assert chosen.is_captain
    assert await _captains(platform, team, season) == [world.player_ids[1]]  # the armband moved
    async with platform.reading() as s:
        assert not await rosters.is_captain_of(s, actor=captain, team_id=team)
        assert await rosters.is_captain_of(s, actor=player, team_id=team)

    # signing a new captain moves it again
    async with platform.unit_of_work() as s:
        await _sign(world, team, world.free_player_ids[0], captain=True)(s)
    assert await _captains(platform, team, season) == [world.free_player_ids[0]]

    # a released captain is no longer one
    async with platform.unit_of_work() as s:
        await _release(world, team, world.free_player_ids[0])(s)
    assert await _captains(platform, team, season) == []

    await fails_unchanged(
        platform,
        lambda s: rosters.set_captain(
            s,
            actor=world.actors["league_staff"],
            team_id=team,
            player_id=world.player_ids[2],  # on another team
            season_id=season,
        ),
        code="NOT_ON_ROSTER",
    )
    await fails_unchanged(
        platform,
        lambda s: rosters.set_captain(
            s,
            actor=world.actors["team_captain"],
            team_id=team,
            player_id=world.player_ids[0],
            season_id=season,
        ),
        code="PERMISSION_DENIED",
    )


async def test_league_staff_of_another_league_may_not_touch_this_one(platform, world):
    root = world.actors["superuser"]
    async with platform.unit_of_work() as s:
        other = await league.create_league(
            s, actor=root, organization_id=world.organization_id, name="3s", game_mode="standard"
        )
        user = await identity.ensure_user(s, discord_id="4242", display_name="Other Staff")
        await roles.grant_role(
            s,
            actor=root,
            organization_id=world.organization_id,
            user_id=user.id,
            role=Role.LEAGUE_STAFF,
            league_id=other.id,
        )
    from sprocket.identity.access import Actor

    staff = Actor(user_id=user.id)
    await fails_unchanged(
        platform,
        lambda s: rosters.add_to_roster(
            s,
            actor=staff,
            team_id=world.team_ids[1],
            player_id=world.free_player_ids[0],
            season_id=world.season_id,
        ),
        code="PERMISSION_DENIED",
    )
    await fails_unchanged(platform, _season(world, number=5, actor=staff), code="PERMISSION_DENIED")
