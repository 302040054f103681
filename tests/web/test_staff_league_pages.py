"""The league staff's pages of configuration and league structure: each create form works and
the created thing appears; an invalid value shows its error beside the field and changes
nothing; rosters sign and release with dates; a player is refused every page and every form,
a spectator is asked to sign in, a form without its CSRF token is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from sprocket.dates import for_people
from sprocket.demo import SLUG
from sprocket.league import rosters
from sprocket.league import service as league
from sprocket.league.enums import Role
from sprocket.league.models import Player
from sprocket.league.roles import grant_role
from sprocket.runtime import Runtime
from tests.web.conftest import Demo, Web, sent_to_sign_in, signed_in
from tests.web.staff_support import (
    Little,
    beside,
    league_rows,
    little_league,
    member_id,
    post_from,
    words,
)


@pytest.fixture
async def little(platform: Runtime, demo_org: Demo) -> Little:
    return await little_league(platform, demo_org)


@pytest.fixture
async def admin(web: Web, demo_org: Demo) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as the demo organization's admin."""
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        yield client


def local(moment: dt.datetime) -> str:
    """A UTC moment as a date-time field holds it (the organization's zone is UTC)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


# -- configuration -----------------------------------------------------------------------------


async def test_the_configuration_shows_every_setting_with_its_value_and_meaning(
    admin: httpx.AsyncClient, demo_org: Demo
) -> None:
    page = await admin.get(f"/staff/{SLUG}/configuration")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    assert 'id="f-points_win" name="points_win" type="number" value="1"' in page.text
    text = words(page.text)
    assert "Standings points for a series win. Default: 1. From -10 to 10." in text
    assert "Replays must be private matches. Default: yes." in text
    assert 'value="head_to_head, game_difference, goal_difference, goals_for"' in page.text
    assert 'id="f-time_zone" name="time_zone" type="text" value="UTC"' in page.text


async def test_settings_are_saved_and_shown(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime
) -> None:
    org = demo_org.organization_id
    page = f"/staff/{SLUG}/configuration"
    done = await post_from(
        admin,
        page,
        f"{page}/settings",
        {
            "points_win": "3",
            "tie_breaks": "goal_difference, head_to_head",
            "require_private_match": "false",
            "ratification_mode": "majority",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == page
    shown = await admin.get(page)
    assert (
        "Saved 4 settings: points_win, tie_breaks, ratification_mode, require_private_match."
        in words(shown.text)
    )
    assert 'id="f-points_win" name="points_win" type="number" value="3"' in shown.text
    assert "Changed from the default." in words(shown.text)
    async with platform.reading() as s:
        config = await league.organization_config(s, org)
    assert config["points_win"] == 3
    assert config["tie_breaks"] == ["goal_difference", "head_to_head"]
    assert config["require_private_match"] is False
    assert config["ratification_mode"] == "majority"


async def test_an_invalid_setting_is_shown_beside_its_field_and_nothing_is_saved(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime
) -> None:
    page = f"/staff/{SLUG}/configuration"
    before = await league_rows(platform)
    refused = await post_from(
        admin, page, f"{page}/settings", {"points_draw": "2", "points_win": "99"}
    )
    assert refused.status_code == 400
    assert beside(refused.text, "points_win") == "Setting 'points_win' must be at most 10; got 99."
    assert 'value="99"' in refused.text  # the value posted is shown again, to correct
    not_a_number = await post_from(
        admin, page, f"{page}/settings", {"queue_ban_initial_minutes": "soon"}
    )
    assert not_a_number.status_code == 400
    assert "must be a whole number" in beside(not_a_number.text, "queue_ban_initial_minutes")
    unknown_tie_break = await post_from(
        admin, page, f"{page}/settings", {"tie_breaks": "coin toss"}
    )
    assert "distinct names from" in beside(unknown_tie_break.text, "tie_breaks")
    assert await league_rows(platform) == before  # points_draw was not saved either


async def test_the_time_zone_is_set_and_a_wrong_one_refused_beside_its_field(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime
) -> None:
    page = f"/staff/{SLUG}/configuration"
    before = await league_rows(platform)
    refused = await post_from(admin, page, f"{page}/time-zone", {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert "'Mars/Olympus' is not a time zone" in beside(refused.text, "time_zone")
    assert await league_rows(platform) == before
    done = await post_from(admin, page, f"{page}/time-zone", {"time_zone": "Europe/Berlin"})
    assert done.status_code == 303
    shown = await admin.get(page)
    assert "Dates are now shown in Europe/Berlin." in words(shown.text)
    assert 'name="time_zone" type="text" value="Europe/Berlin"' in shown.text


async def test_league_staff_who_are_not_admins_see_the_settings_but_cannot_change_them(
    web: Web, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    org = demo_org.organization_id
    async with platform.unit_of_work() as s:
        await grant_role(
            s,
            actor=demo_org.admin,
            organization_id=org,
            user_id=demo_org.users["Chioma"],
            role=Role.LEAGUE_STAFF,
        )
    before = await league_rows(platform)
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Chioma"])).status_code == 303
        page = f"/staff/{SLUG}/configuration"
        assert (await client.get(page)).status_code == 200
        refused = await post_from(client, page, f"{page}/settings", {"points_win": "3"})
        assert refused.status_code == 403
        assert "Only an organization admin may change settings." in refused.text
        # Staff of every league run its structure: a season can be created.
        done = await post_from(
            client,
            f"/staff/{SLUG}/leagues/{little.league_id}",
            f"/staff/{SLUG}/leagues/{little.league_id}/skill-groups",
            {"group_name": "Master", "group_code": "ml", "group_ordinal": "2"},
        )
        assert done.status_code == 303
    after = await league_rows(platform)
    assert after["organization_settings"] == before["organization_settings"]
    assert len(after["skill_groups"]) == len(before["skill_groups"]) + 1


# -- leagues and franchises --------------------------------------------------------------------


async def test_a_league_is_created_and_listed(admin: httpx.AsyncClient, demo_org: Demo) -> None:
    page = f"/staff/{SLUG}/league"
    done = await post_from(
        admin,
        page,
        f"{page}/new-league",
        {
            "league_name": "Threes",
            "game_mode": "standard",
            "roster_max": "5",
            "match_format": "bo7",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/staff/{SLUG}/leagues/")
    opened = await admin.get(done.headers["location"])
    assert "League Threes created." in words(opened.text)
    assert "Rosters of 3 to 5 players; matches are bo7." in words(opened.text)
    listed = await admin.get(page)
    assert ">Threes</a>" in listed.text and "standard" in words(listed.text)


async def test_invalid_league_values_are_shown_beside_their_fields(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    page = f"/staff/{SLUG}/league"
    before = await league_rows(platform)
    cases = [
        (
            {"league_name": "Ones", "game_mode": "duel", "roster_max": "0"},
            "roster_max",
            "Roster sizes must satisfy 1 (the team size) <= minimum <= maximum <= 50",
        ),
        ({"league_name": "Ones", "game_mode": "duel", "match_format": "bo4"}, "match_format", ""),
        ({"league_name": "Doubles", "game_mode": "doubles"}, "league_name", "already has a league"),
        ({"league_name": "", "game_mode": "duel"}, "league_name", "needs a name"),
        ({"league_name": "Ones", "game_mode": "hockey"}, "game_mode", "Unknown game mode"),
        (
            {"league_name": "Ones", "game_mode": "duel", "roster_min": "two"},
            "roster_min",
            "must be a whole number",
        ),
    ]
    for data, name, sentence in cases:
        refused = await post_from(admin, page, f"{page}/new-league", data)
        assert refused.status_code in (400, 409), (data, refused.status_code)
        error = beside(refused.text, name)
        assert error is not None and sentence in error, (data, error)
    assert await league_rows(platform) == before


async def test_a_franchise_is_created_and_a_too_long_code_refused_beside_the_code(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime
) -> None:
    page = f"/staff/{SLUG}/league"
    before = await league_rows(platform)
    refused = await post_from(
        admin,
        page,
        f"{page}/new-franchise",
        {"franchise_name": "Aces", "franchise_code": "ACESHIGH1"},
    )
    assert refused.status_code == 400
    assert "franchise code" in beside(refused.text, "franchise_code")
    assert beside(refused.text, "franchise_name") is None
    assert await league_rows(platform) == before
    done = await post_from(
        admin, page, f"{page}/new-franchise", {"franchise_name": "Aces", "franchise_code": "ace"}
    )
    assert done.status_code == 303
    listed = await admin.get(page)
    assert "Franchise Aces created." in words(listed.text)
    assert "Aces (ACE)" in words(listed.text)


# -- a league's seasons, skill groups, teams, players -----------------------------------------


async def test_seasons_skill_groups_teams_and_players_are_created_and_listed(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    org = demo_org.organization_id
    page = f"/staff/{SLUG}/leagues/{little.league_id}"
    starts = little.season_start + dt.timedelta(days=100)
    forms = [
        (
            "seasons",
            {
                "season_number": "2",
                "season_starts": local(starts),
                "season_ends": local(starts + dt.timedelta(days=60)),
            },
            "Season 2 of Doubles created.",
        ),
        (
            "skill-groups",
            {
                "group_name": "Master",
                "group_code": "ml",
                "group_ordinal": "2",
                "group_salary_cap": "1,500",
            },
            "Skill group Master created in Doubles.",
        ),
        (
            "teams",
            {"team_name": "Purple Yaks", "team_skill_group": str(little.group_id)},
            "Team Purple Yaks created in Doubles.",
        ),
        (
            "players",
            {
                "player_member": str(await member_id(platform, org, "Chioma")),
                "player_salary": "12.5",
            },
            "Chioma now plays in Doubles.",
        ),
    ]
    for path, data, notice in forms:
        done = await post_from(admin, page, f"{page}/{path}", data)
        assert done.status_code == 303, (path, done.text[-500:])
        assert done.headers["location"] == page
        shown = await admin.get(page)
        assert notice in words(shown.text)
    text = words(shown.text)
    assert f"2 Season 2 (schedule) {for_people(starts, 'UTC')}" in text
    assert "2 Master ML 1500" in text
    assert "Purple Yaks (roster) Premier" in text
    assert "Chioma free agent 12.5" in text
    assert "Ada Premier Blue Ants" in text  # the team each player is on now


async def test_invalid_league_page_values_are_shown_beside_their_fields(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    org = demo_org.organization_id
    page = f"/staff/{SLUG}/leagues/{little.league_id}"
    start = little.season_start + dt.timedelta(days=100)
    cases = [
        (
            "seasons",
            {
                "season_number": "2",
                "season_starts": local(start),
                "season_ends": local(start - dt.timedelta(days=1)),
            },
            "season_ends",
            "A season must end after it starts.",
        ),
        (
            "seasons",
            {
                "season_number": "1",
                "season_starts": local(start),
                "season_ends": local(start + dt.timedelta(days=1)),
            },
            "season_number",
            "already has a season 1",
        ),
        (
            "seasons",
            {"season_number": "2", "season_starts": "next monday", "season_ends": local(start)},
            "season_starts",
            "must be a date and time",
        ),
        (
            "skill-groups",
            {"group_name": "Master", "group_code": "ML", "group_ordinal": "0"},
            "group_ordinal",
            "Skill group order starts at 1",
        ),
        (
            "skill-groups",
            {
                "group_name": "Master",
                "group_code": "ML",
                "group_ordinal": "2",
                "group_salary_cap": "-5",
            },
            "group_salary_cap",
            "salary cap",
        ),
        (
            "skill-groups",
            {"group_name": "Master", "group_code": "X" * 17, "group_ordinal": "2"},
            "group_code",
            "skill group code",
        ),
        ("teams", {"team_name": "Blue Ants"}, "team_name", "already has a team called"),
        (
            "players",
            {"player_member": str(await member_id(platform, org, "Ada"))},
            "player_member",
            "Ada already plays in 'Doubles'.",
        ),
        ("players", {"player_member": ""}, "player_member", "Choose the member"),
    ]
    before = await league_rows(platform)
    for path, data, name, sentence in cases:
        refused = await post_from(admin, page, f"{page}/{path}", data)
        assert refused.status_code in (400, 409), (data, refused.status_code)
        error = beside(refused.text, name)
        assert error is not None and sentence in error, (data, error)
    assert await league_rows(platform) == before


async def test_a_player_is_moved_to_another_skill_group_and_bad_moves_shown_beside_fields(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    async with platform.unit_of_work() as s:
        master = await league.create_skill_group(
            s, actor=demo_org.admin, league_id=little.league_id, name="Master", code="ML", ordinal=2
        )
    page = f"/staff/{SLUG}/leagues/{little.league_id}"
    action = f"{page}/players/move"
    bruno, ada = little.player_ids["Bruno"], little.player_ids["Ada"]
    shown = await admin.get(page)
    assert "Move a player to another skill group" in words(shown.text)
    before = await league_rows(platform)
    cases = [
        ({"move_skill_group": str(master.id), "move_reason": "x"}, "move_player", "Choose"),
        ({"move_player": str(bruno), "move_reason": "x"}, "move_skill_group", "Choose"),
        (
            {"move_player": str(bruno), "move_skill_group": str(master.id), "move_reason": " "},
            "move_reason",
            "Say why the player moves",
        ),
        (
            {
                "move_player": str(bruno),
                "move_skill_group": str(little.group_id),
                "move_reason": "x",
            },
            "move_skill_group",
            "Bruno is in Premier already.",
        ),
        (
            {"move_player": str(ada), "move_skill_group": str(master.id), "move_reason": "x"},
            "move_player",
            "Ada plays for Blue Ants, a team of another skill group; release them",
        ),
    ]
    assert 'id="f-move_reason" name="move_reason"' in shown.text
    assert 'maxlength="200">' in shown.text  # the browser keeps the reason to 200 characters
    for data, name, sentence in cases:
        refused = await post_from(admin, page, action, data)
        assert refused.status_code in (400, 409), (data, refused.status_code)
        error = beside(refused.text, name)
        assert error is not None and sentence in error, (data, error)
        # The form is far down the page: a summary at the top says so and leads to it.
        summary = refused.text[refused.text.index("<main") : refused.text.index("<h1")]
        assert "Not done:" in summary and f'href="#f-{name}"' in summary, data
    assert await league_rows(platform) == before

    done = await post_from(
        admin,
        page,
        action,
        {"move_player": str(bruno), "move_skill_group": str(master.id), "move_reason": "placed"},
    )
    assert done.status_code == 303 and done.headers["location"] == page
    text = words((await admin.get(page)).text)
    assert "Bruno moved to Master." in text
    assert "Bruno Master free agent" in text  # the players' table
    async with platform.reading() as s:
        assert (await s.get(Player, bruno)).skill_group_id == master.id
    trail = words((await admin.get(f"/staff/{SLUG}/people")).text)
    assert "Demo Admin moved to another skill group Bruno placed" in trail
    assert "from: Premier" in trail and "league: Doubles" in trail and "to: Master" in trail


# -- rosters -----------------------------------------------------------------------------------


async def test_rosters_sign_and_release_with_their_dates(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    team = little.team_ids["Blue Ants"]
    page = f"/staff/{SLUG}/teams/{team}"
    shown = await admin.get(page)
    joined = little.season_start + dt.timedelta(days=5)
    assert f"Ada {for_people(joined, 'UTC')} on the roster" in words(shown.text)

    signed_at = little.season_start + dt.timedelta(days=6, hours=3)
    done = await post_from(
        admin,
        page,
        f"{page}/roster/add",
        {
            "season": str(little.season_id),
            "add_player": str(little.player_ids["Bruno"]),
            "add_captain": "yes",
            "add_at": local(signed_at),
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{page}?season={little.season_id}"
    shown = await admin.get(done.headers["location"])
    text = words(shown.text)
    assert f"Bruno joined Blue Ants on {for_people(signed_at, 'UTC')}." in text
    assert f"Bruno (captain) {for_people(signed_at, 'UTC')} on the roster" in text

    left_at = little.season_start + dt.timedelta(days=8)
    done = await post_from(
        admin,
        page,
        f"{page}/roster/release",
        {
            "season": str(little.season_id),
            "release_player": str(little.player_ids["Ada"]),
            "release_at": local(left_at),
        },
    )
    assert done.status_code == 303
    text = words((await admin.get(done.headers["location"])).text)
    assert f"Ada left Blue Ants on {for_people(left_at, 'UTC')}." in text
    assert f"Ada {for_people(joined, 'UTC')} {for_people(left_at, 'UTC')}" in text
    async with platform.reading() as s:
        lines = await rosters.roster_history(s, team_id=team, season_id=little.season_id)
    assert [(line.name, line.left_at) for line in lines] == [("Ada", left_at), ("Bruno", None)]


async def test_invalid_roster_changes_are_shown_beside_their_fields(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    season = str(little.season_id)
    foxes = f"/staff/{SLUG}/teams/{little.team_ids['Red Foxes']}"
    ants = f"/staff/{SLUG}/teams/{little.team_ids['Blue Ants']}"
    cases = [
        (
            foxes,
            "add",
            {
                "add_player": str(little.player_ids["Bruno"]),
                "add_at": local(little.season_start + dt.timedelta(days=400)),
            },
            "add_at",
            "not in the future",
        ),
        (
            foxes,
            "add",
            {
                "add_player": str(little.player_ids["Bruno"]),
                "add_at": local(little.season_start - dt.timedelta(days=3)),
            },
            "add_at",
            "must be dated within Season 1",
        ),
        (
            foxes,
            "add",
            {"add_player": str(little.player_ids["Ada"])},
            "add_player",
            "Ada is already on Blue Ants this season; release them first.",
        ),
        (foxes, "add", {"add_player": ""}, "add_player", "Choose the player to sign."),
        (
            ants,
            "release",
            {"release_player": str(little.player_ids["Bruno"])},
            "release_player",
            "That player is not on this team's roster.",
        ),
        (
            ants,
            "release",
            {
                "release_player": str(little.player_ids["Ada"]),
                "release_at": local(little.season_start + dt.timedelta(days=2)),
            },
            "release_at",
            "they can only leave after that",
        ),
    ]
    before = await league_rows(platform)
    for page, path, data, name, sentence in cases:
        refused = await post_from(admin, page, f"{page}/roster/{path}", {"season": season, **data})
        assert refused.status_code in (400, 409), (data, refused.status_code)
        error = beside(refused.text, name)
        assert error is not None and sentence in error, (data, error)
    assert await league_rows(platform) == before
    # A team with nobody on it shows a refused release above where its form would be.
    refused = await post_from(
        admin,
        foxes,
        f"{foxes}/roster/release",
        {"season": season, "release_player": str(little.player_ids["Bruno"])},
    )
    assert refused.status_code == 400
    assert "That player is not on this team's roster." in words(refused.text)


async def test_ids_of_nothing_or_of_another_organization_are_404_pages(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    async with platform.unit_of_work() as s:
        other = await league.create_organization(
            s, actor=demo_org.admin, slug="other-org", name="Other"
        )
        elsewhere = await league.create_league(
            s, actor=demo_org.admin, organization_id=other.id, name="Elsewhere", game_mode="duel"
        )
    for url in (
        f"/staff/{SLUG}/leagues/{elsewhere.id}",
        f"/staff/{SLUG}/leagues/99999",
        f"/staff/{SLUG}/leagues/abc",
        f"/staff/{SLUG}/teams/99999",
        f"/staff/{SLUG}/teams/{little.team_ids['Blue Ants']}?season=99999",
        "/staff/99999/configuration",
    ):
        page = await admin.get(url)
        assert page.status_code == 404, url
        assert "NOT_FOUND" in page.text and "Traceback" not in page.text


# -- who may -----------------------------------------------------------------------------------


def every_form(little: Little) -> list[tuple[str, str, dict[str, str]]]:
    """(page, action, valid values) of every form of these pages."""
    league_page = f"/staff/{SLUG}/leagues/{little.league_id}"
    team_page = f"/staff/{SLUG}/teams/{little.team_ids['Red Foxes']}"
    start = little.season_start + dt.timedelta(days=100)
    return [
        (
            f"/staff/{SLUG}/configuration",
            f"/staff/{SLUG}/configuration/settings",
            {"points_win": "3"},
        ),
        (
            f"/staff/{SLUG}/configuration",
            f"/staff/{SLUG}/configuration/time-zone",
            {"time_zone": "Europe/Berlin"},
        ),
        (
            f"/staff/{SLUG}/league",
            f"/staff/{SLUG}/league/new-league",
            {"league_name": "Ones", "game_mode": "duel"},
        ),
        (
            f"/staff/{SLUG}/league",
            f"/staff/{SLUG}/league/new-franchise",
            {"franchise_name": "Aces", "franchise_code": "ACE"},
        ),
        (
            league_page,
            f"{league_page}/seasons",
            {
                "season_number": "2",
                "season_starts": local(start),
                "season_ends": local(start + dt.timedelta(days=9)),
            },
        ),
        (
            league_page,
            f"{league_page}/skill-groups",
            {"group_name": "Master", "group_code": "ML", "group_ordinal": "2"},
        ),
        (league_page, f"{league_page}/teams", {"team_name": "Purple Yaks"}),
        (league_page, f"{league_page}/players", {"player_member": "1"}),
        (
            league_page,
            f"{league_page}/players/move",
            {
                "move_player": str(little.player_ids["Bruno"]),
                "move_skill_group": str(little.group_id),
                "move_reason": "placement",
            },
        ),
        (
            team_page,
            f"{team_page}/roster/add",
            {"season": str(little.season_id), "add_player": str(little.player_ids["Bruno"])},
        ),
        (
            team_page,
            f"{team_page}/roster/release",
            {"season": str(little.season_id), "release_player": str(little.player_ids["Ada"])},
        ),
    ]


async def test_a_player_is_refused_every_page_and_every_form(
    web: Web, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    forms = every_form(little)
    before = await league_rows(platform)
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        for page in sorted({page for page, _, _ in forms}) + [f"/staff/{SLUG}/league"]:
            opened = await client.get(page)
            assert opened.status_code == 403, page
            assert "PERMISSION_DENIED" in opened.text
        for page, action, data in forms:
            refused = await post_from(client, page, action, data)
            assert refused.status_code == 403, action
            assert "PERMISSION_DENIED" in refused.text
    assert await league_rows(platform) == before


async def test_a_spectator_is_asked_to_sign_in(web: Web, demo_org: Demo, little: Little) -> None:
    async with web() as client:
        for page in sorted({page for page, _, _ in every_form(little)}):
            assert sent_to_sign_in(await client.get(page), page), page
            script = await client.get(page, headers={"accept": "*/*"})  # not a browser's visit
            assert script.status_code == 401 and "UNAUTHENTICATED" in script.text, page


async def test_a_form_without_its_csrf_token_is_refused(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    before = await league_rows(platform)
    for page, action, data in every_form(little):
        await admin.get(page)  # the CSRF cookie is set; the form leaves the token out
        refused = await admin.post(action, data=data)
        assert refused.status_code == 403, action
        assert "not sent from a page of ours" in refused.text
        forged = await admin.post(action, data={"csrftoken": "forged", **data})
        assert forged.status_code == 403, action
    assert await league_rows(platform) == before
