"""/ratify, /reject and the Ratify and Reject buttons (Reject asks the reason in a modal):
a second press, or a press by someone else, changes nothing and says so."""

from __future__ import annotations

from typing import Any

import pytest

from sprocket.identity.models import User
from sprocket.league.models import Member
from sprocket.replays import reads
from sprocket.runtime import Runtime
from tests.discord.conftest import EPHEMERAL, DiscordDoor, person
from tests.discord.support import as_role, link_world
from tests.league_world import World
from tests.ratings.support import HOME_WINS_3_1, submit_series

MODAL = 9


@pytest.fixture
async def linked(platform: Runtime, world: World) -> World:
    await link_world(platform, world)
    return world


async def discord_user(platform: Runtime, member_id: int) -> dict[str, Any]:
    async with platform.reading() as session:
        member = await session.get(Member, member_id)
        user = await session.get(User, member.user_id)
    return person(user.discord_id, member.name)


async def status(platform: Runtime, submission_id: int) -> str:
    async with platform.reading() as session:
        return (await reads.submission_by_id(session, submission_id=submission_id)).status


async def test_ratify_button_once_twice_and_by_others(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    _, line, submission_id = await submit_series(platform, linked, 0, 1, HOME_WINS_3_1)
    outsider = await door.press(f"ratify:{submission_id}", user=as_role("outsider"))
    assert outsider["data"]["flags"] == EPHEMERAL
    assert outsider["data"]["content"].startswith("Only the players of")
    home = await door.press(
        f"ratify:{submission_id}", user=await discord_user(platform, line.home[1][0])
    )
    assert home["data"]["content"] == "Your side submitted this result; the other side ratifies it."
    assert await status(platform, submission_id) == "awaiting_ratification"

    away = await discord_user(platform, line.away[0][0])
    done = await door.press(f"ratify:{submission_id}", user=away)
    assert done["data"]["flags"] == EPHEMERAL
    assert done["data"]["content"] == (
        f"You ratified submission {submission_id}: the result is accepted."
    )
    again = await door.press(f"ratify:{submission_id}", user=away)
    assert again["data"]["content"] == (
        f"You ratified submission {submission_id} already; nothing changed."
    )
    late = await door.command(
        "ratify",
        {"submission": submission_id},
        user=await discord_user(platform, line.away[1][0]),
    )
    assert (
        late["data"]["content"]
        == f"Submission {submission_id} is accepted already; nothing changed."
    )
    assert await status(platform, submission_id) == "accepted"


async def test_reject_button_asks_the_reason_in_a_modal(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    _, line, submission_id = await submit_series(platform, linked, 0, 1, HOME_WINS_3_1)
    refused = await door.press(f"reject:{submission_id}", user=as_role("outsider"))
    assert refused["type"] == 4 and refused["data"]["flags"] == EPHEMERAL
    away = await discord_user(platform, line.away[0][0])
    asked = await door.press(f"reject:{submission_id}", user=away)
    assert asked["type"] == MODAL
    assert asked["data"]["custom_id"] == f"reject-reason:{submission_id}"
    [row] = asked["data"]["components"]
    assert row["components"][0]["custom_id"] == "reason"

    blank = await door.submit(f"reject-reason:{submission_id}", {"reason": "  "}, user=away)
    assert blank["data"]["content"] == "Say why the result is wrong."
    assert await status(platform, submission_id) == "awaiting_ratification"
    by_stranger = await door.submit(
        f"reject-reason:{submission_id}", {"reason": "no"}, user=as_role("outsider")
    )
    assert by_stranger["data"]["flags"] == EPHEMERAL
    assert await status(platform, submission_id) == "awaiting_ratification"
    done = await door.submit(
        f"reject-reason:{submission_id}", {"reason": "Game 2 was a 4-2"}, user=away
    )
    assert done["data"]["content"] == (
        f"You rejected submission {submission_id}: it waits for a new upload."
    )
    assert await status(platform, submission_id) == "rejected"
    again = await door.press(f"reject:{submission_id}", user=away)
    assert again["type"] == 4
    assert again["data"]["content"] == f"Submission {submission_id} is already rejected."


async def test_reject_command_needs_a_reason_and_the_right_people(
    door: DiscordDoor, platform: Runtime, linked: World
) -> None:
    _, line, submission_id = await submit_series(platform, linked, 0, 1, HOME_WINS_3_1)
    refused = await door.command(
        "reject", {"submission": submission_id, "reason": "nope"}, user=as_role("outsider")
    )
    assert refused["data"]["flags"] == EPHEMERAL
    assert await status(platform, submission_id) == "awaiting_ratification"
    unknown = await door.command(
        "reject", {"submission": 999999, "reason": "x"}, user=as_role("outsider")
    )
    assert unknown["data"]["content"] == "There is no submission with id 999999."
    done = await door.command(
        "reject",
        {"submission": submission_id, "reason": "wrong score"},
        user=await discord_user(platform, line.home[0][0]),
        guild_id=None,
    )
    assert done["data"]["flags"] == EPHEMERAL
    assert await status(platform, submission_id) == "rejected"
