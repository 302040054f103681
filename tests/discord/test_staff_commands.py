"""/staff forfeit|reschedule|ban|unban|force-accept|reset|move: staff act; anyone else hears the
refusal and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest

from sprocket.league.models import Player
from sprocket.replays import reads
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.scrims import bans
from tests.api.test_replay_api import drain
from tests.discord.conftest import EPHEMERAL, DiscordDoor
from tests.discord.support import as_role, link_world
from tests.league_world import World
from tests.ratings.support import HOME_WINS_3_1, submit_series

STAFF = as_role("league_staff")


@pytest.fixture
async def linked(platform: Runtime, world: World) -> World:
    await link_world(platform, world)
    return world


async def staff(door: DiscordDoor, name: str, options: dict, user: dict = STAFF) -> dict:
    answer = await door.command("staff", options, path=(name,), user=user)
    assert answer["data"]["flags"] == EPHEMERAL
    return answer["data"]


async def test_forfeit_by_staff_only(door: DiscordDoor, platform: Runtime, linked: World) -> None:
    match_id = linked.match_ids[0]
    refused = await staff(
        door, "forfeit", {"match": match_id, "team": "Team 1"}, user=as_role("player")
    )
    assert refused["content"].startswith("Only league staff may")
    async with platform.reading() as session:
        assert (await schedule.match_by_id(session, match_id=match_id)).status == "scheduled"
    done = await staff(door, "forfeit", {"match": match_id, "team": "Team 1"})
    assert done["content"] == f"Match {match_id}: Team 1 forfeits."
    again = await staff(door, "forfeit", {"match": match_id, "team": "Team 1"})
    assert "already" in again["content"]


async def test_reschedule_in_the_organizations_time(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    match_id = linked.match_ids[0]
    async with platform.reading() as session:
        match = await schedule.match_by_id(session, match_id=match_id)
    starts = (match.starts_at + dt.timedelta(hours=1)).astimezone(dt.UTC)
    ends = (match.ends_at - dt.timedelta(hours=1)).astimezone(dt.UTC)
    bad = await staff(door, "reschedule", {"match": match_id, "starts": "tomorrow", "ends": "x"})
    assert bad["content"] == "Write the start as YYYY-MM-DD HH:MM (the organization's time, UTC)."
    done = await staff(
        door,
        "reschedule",
        {
            "match": match_id,
            "starts": starts.strftime("%Y-%m-%d %H:%M"),
            "ends": ends.strftime("%Y-%m-%d %H:%M"),
        },
    )
    assert done["content"].startswith(f"Match {match_id} now runs from <t:")
    async with platform.reading() as session:
        moved = await schedule.match_by_id(session, match_id=match_id)
    assert moved.starts_at == starts.replace(second=0, microsecond=0)


async def test_ban_and_unban_a_member(door: DiscordDoor, platform: Runtime, linked: World) -> None:
    refused = await staff(
        door, "ban", {"player": "Free 0", "minutes": 60, "reason": "x"}, user=as_role("player")
    )
    assert refused["content"] == "Only league staff may ban members from the scrim queue."
    short = await staff(door, "ban", {"player": "Free 0", "minutes": 0, "reason": "no-show"})
    assert short["content"] == (
        "Say how long the ban lasts: a whole number of minutes from 1 to 525600."
    )
    unsaid = await staff(door, "ban", {"player": "Free 0", "minutes": 60, "reason": " "})
    assert unsaid["content"] == "Say why the member is banned from the queue."
    done = await staff(door, "ban", {"player": "Free 0", "minutes": 60, "reason": "no-show"})
    assert done["content"].startswith("Free 0 is kept out of the scrim queue until <t:")
    async with platform.reading() as session:
        listed = await bans.list_bans(
            session, actor=linked.actors["league_staff"], organization_id=linked.organization_id
        )
    assert [b.reason for b in listed] == ["no-show"]
    lifted = await staff(door, "unban", {"player": "Free 0"})
    assert lifted["content"] == "Free 0's queue ban is lifted."
    again = await staff(door, "unban", {"player": "Free 0"})
    assert again["content"] == "This member has no queue ban in force."


async def test_reset_and_force_accept_a_submission(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    _, _, submission_id = await submit_series(platform, linked, 0, 1, HOME_WINS_3_1)
    refused = await staff(
        door, "force-accept", {"submission": submission_id}, user=as_role("player")
    )
    assert refused["content"].startswith("Only")
    reset = await staff(door, "reset", {"submission": submission_id})
    assert (
        reset["content"]
        == f"Submission {submission_id} is reset: it is checked and answered again."
    )
    await drain(platform)  # the reset submission is checked again
    accepted = await staff(door, "force-accept", {"submission": submission_id})
    assert accepted["content"] == f"Submission {submission_id} is accepted, by staff."
    async with platform.reading() as session:
        row = await reads.submission_by_id(session, submission_id=submission_id)
    assert row.status == "accepted"


async def test_move_a_player_to_another_skill_group(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    master = linked.skill_group_ids[1]
    move = {"player": "Free 1", "skill_group": "ml", "reason": "placement"}
    refused = await staff(door, "move", move, user=as_role("player"))
    assert refused["content"] == "Only league staff may move players between skill groups."
    unknown = await staff(door, "move", {**move, "skill_group": "Champion"})
    assert unknown["content"] == "This league has no skill group 'Champion'."
    elsewhere = await staff(door, "move", {**move, "league": "Standard"})
    assert elsewhere["content"] == "This organization has no league 'Standard'."
    rostered = await staff(door, "move", {**move, "player": "P10"})
    assert "plays for Team 2" in rostered["content"]
    done = await staff(door, "move", move)
    assert done["content"] == "Free 1 moved to Master."
    again = await staff(door, "move", {**move, "league": "Doubles"})
    assert again["content"] == "Free 1 is in Master already."
    async with platform.reading() as session:
        assert (await session.get(Player, linked.free_player_ids[1])).skill_group_id == master
