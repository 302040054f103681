"""The read commands: /schedule, /standings, /match, /leaderboard, /rating, /profile, and
the suggestions of their options."""

from __future__ import annotations

import re

import pytest

from sprocket.db import StatementCounter
from sprocket.identity import service as identity
from sprocket.league import service as league
from sprocket.runtime import Runtime
from tests.discord.conftest import EPHEMERAL, DiscordDoor, person
from tests.discord.support import as_role, link_world
from tests.league_world import World
from tests.ratings.support import HOME_WINS_3_1, accept_series, submit_series

TIMESTAMP = re.compile(r"<t:\d+:f>")


@pytest.fixture
async def linked(platform: Runtime, world: World) -> World:
    await link_world(platform, world)
    return world


def embed(answer: dict) -> dict:
    assert "flags" not in answer["data"], answer["data"].get("content")
    return answer["data"]["embeds"][0]


async def test_schedule_lists_the_next_matches_as_discord_timestamps(
    door: DiscordDoor, linked: World
) -> None:
    shown = embed(await door.command("schedule", user=as_role("outsider")))
    assert shown["title"] == "Upcoming matches"
    lines = shown["description"].splitlines()
    assert len(lines) == len(linked.match_ids)
    assert all(TIMESTAMP.search(line) and " vs " in line for line in lines)


async def test_schedule_of_one_team_by_name(door: DiscordDoor, linked: World) -> None:
    shown = embed(await door.command("schedule", {"team": "team 1"}, user=as_role("player")))
    assert shown["title"].startswith("Team 1: ")
    assert all("**Team 1**" in line for line in shown["description"].splitlines())
    refused = await door.command("schedule", {"team": "Nobody FC"}, user=as_role("player"))
    assert refused["data"]["flags"] == EPHEMERAL
    assert refused["data"]["content"] == "This organization has no team 'Nobody FC'."


async def test_standings_after_a_result(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    outsider = as_role("outsider")
    before = await door.command("standings", user=outsider)  # the caller's user is made
    assert before == await door.command("standings", user=outsider)
    with StatementCounter(platform.engine) as counter:  # remembered: no query at all
        again = await door.command("standings", user=outsider)
    assert (again, counter.count) == (before, 0)
    first = before["data"]["embeds"][0]["description"].splitlines()[1]
    assert first.startswith(" 1. Team 1") and "0-0" in first

    await accept_series(platform, linked, 0, 1, HOME_WINS_3_1)  # a write: answered anew
    answer = await door.command("standings", user=outsider)
    tables = answer["data"]["embeds"]
    assert [t["title"] for t in tables] == ["Doubles Season 1: Premier", "Doubles Season 1: Master"]
    first = tables[0]["description"].splitlines()[1]
    assert first.startswith(" 1. Team 1") and "1-0" in first
    assert tables[1]["description"] == "No team yet."


async def test_a_renamed_caller_is_renamed_and_a_known_one_costs_no_query(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    caller = person("910000000000000077", "Newcomer")
    await door.command("standings", user=caller)  # made, as the web's sign-in makes one
    counts = []
    for _ in range(2):
        with StatementCounter(platform.engine) as counter:
            await door.command("standings", user=caller)
        counts.append(counter.count)
    # Read once more at the version its making moved to (nothing written), then remembered.
    assert counts == [1, 0]
    await door.command("standings", user={**caller, "global_name": "Renamed"})
    async with platform.reading() as session:
        actor = await identity.actor_by_discord_id(session, discord_id=caller["id"])
        user = await identity.me(session, actor=actor)
    assert user.display_name == "Renamed"


async def test_match_shows_its_window_and_the_result_waiting_for_answers(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    match_id, _, submission_id = await submit_series(platform, linked, 0, 1, HOME_WINS_3_1)
    answer = await door.command("match", {"match": match_id}, user=as_role("player"))
    shown = embed(answer)
    assert shown["title"] == f"Match {match_id}: Team 1 vs Team 2"
    assert len(TIMESTAMP.findall(shown["description"])) == 2
    [row] = answer["data"]["components"]
    assert [b["custom_id"] for b in row["components"]] == [
        f"ratify:{submission_id}",
        f"reject:{submission_id}",
    ]


async def test_a_match_of_another_organization_is_not_found(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    async with platform.unit_of_work() as session:
        other = await league.create_organization(
            session, actor=linked.actors["superuser"], slug="elsewhere", name="Elsewhere"
        )
    answer = await door.command(
        "match",
        {"match": linked.match_ids[0], "organization": other.slug},
        user=as_role("player"),
        guild_id=None,
    )
    assert answer["data"]["flags"] == EPHEMERAL
    assert answer["data"]["content"] == f"This organization has no match {linked.match_ids[0]}."


async def test_leaderboard_rating_and_profile_after_a_rated_series(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    await accept_series(platform, linked, 0, 1, HOME_WINS_3_1)
    board = embed(await door.command("leaderboard", user=as_role("outsider")))
    assert board["title"] == "Doubles leaderboard: Rating"
    rows = board["description"].strip("`\n").splitlines()
    assert len(rows) == 4 and rows[0].startswith(" 1. ")
    mine = embed(await door.command("rating", user=as_role("team_captain")))
    assert mine["title"] == "Team Captain: ratings"
    [doubles] = mine["fields"]
    assert doubles["name"] == "Doubles" and "4 games" in doubles["value"]
    profile = embed(
        await door.command("profile", {"player": "Team Captain"}, user=as_role("outsider"))
    )
    assert profile["title"] == "Team Captain"
    assert "Team 1 (Doubles, Season 1) · captain" in profile["description"]
    by_stat = embed(await door.command("leaderboard", {"by": "win_rate"}, user=as_role("outsider")))
    assert by_stat["title"] == "Doubles leaderboard: Win rate"


async def test_someone_of_no_team_or_organization_names_a_player(
    door: DiscordDoor, linked: World
) -> None:
    answer = await door.command("rating", user=person("300000000000000099"))
    assert answer["data"]["flags"] == EPHEMERAL
    assert answer["data"]["content"] == "You are no member of this organization: name a player."
    unrated = embed(await door.command("rating", {"player": "Free 0"}, user=as_role("outsider")))
    assert unrated["description"].startswith("Not rated yet")


async def test_suggestions_stay_within_25_and_carry_ids(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    async with platform.unit_of_work() as session:
        for n in range(30):
            await league.create_team(
                session,
                actor=linked.actors["superuser"],
                league_id=linked.league_id,
                name=f"Extra {n:02}",
            )
    teams = await door.complete("schedule", {"team": ""}, "team", user=as_role("player"))
    assert len(teams) == 25
    assert all(choice["value"].isdigit() for choice in teams)
    extra = await door.complete("schedule", {"team": "extra 1"}, "team", user=as_role("player"))
    assert [c["name"] for c in extra] == [f"Extra 1{n} (Doubles)" for n in range(10)]
    players = await door.complete("rating", {"player": "capt"}, "player", user=as_role("player"))
    assert [c["name"] for c in players] == ["Team Captain"]
    leagues = await door.complete("standings", {"league": "dou"}, "league", user=as_role("player"))
    assert leagues == [{"name": "Doubles", "value": str(linked.league_id)}]
    chosen = embed(
        await door.command("schedule", {"team": teams[0]["value"]}, user=as_role("player"))
    )
    assert chosen["title"].startswith(teams[0]["name"].split(" (")[0])
