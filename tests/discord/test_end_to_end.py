"""A scrim from Discord, end to end, through signed interactions only: four players fill a
2v2 scrim with ``/scrim create`` and ``/scrim join``, press its Check in buttons (signed
component interactions) until it starts, ``/submit`` the real replay of their game (an
attachment downloaded from the fake Discord CDN), and an opponent's press of the Ratify
button accepts the result: the scrim completes and its players are rated."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from sprocket.config import Settings
from sprocket.identity import service as identity
from sprocket.league import accounts, lookup
from sprocket.ratings.models import RatingPoint
from sprocket.replays.enums import SubmissionStatus
from sprocket.replays.models import Submission
from sprocket.runtime import Runtime
from sprocket.scrims import service
from sprocket.scrims.enums import ScrimStatus
from sprocket.scrims.models import Scrim
from tests.discord.conftest import EPHEMERAL, DiscordDoor, person
from tests.discord.fake_api import FakeDiscordApi
from tests.discord.submitting import (
    download_settings,
    relaying,  # noqa: F401 (fixture)
    submit_payload,
)
from tests.discord.support import as_role, link_world
from tests.league_world import World
from tests.web.real_match import ACCOUNTS, REAL

pytestmark = [
    pytest.mark.replays,
    pytest.mark.skipif(not REAL.is_file(), reason=f"the shared replay {REAL} is absent"),
]

#: Four members of the world's doubles league (Premier), as Discord names them.
FOUR = [
    as_role("team_captain"),
    as_role("player"),
    person("910000000000000010", "P10"),
    person("910000000000000011", "P11"),
]
#: The real game's accounts (tests.web.real_match): Ada and Bruno on orange, Chioma and Dara
#: on blue; the scrim's home line-up is linked to the orange ones, the away to the blue.
ORANGE = (ACCOUNTS["Ada"], ACCOUNTS["Bruno"])
BLUE = (ACCOUNTS["Chioma"], ACCOUNTS["Dara"])
#: Shortly before the real game began (22 Nov 2025, 03:54 UTC).
BEFORE_THE_GAME = dt.datetime(2025, 11, 22, 3, 30, tzinfo=dt.UTC)


@pytest.fixture
def settings(settings: Settings, fake_api: FakeDiscordApi) -> Settings:
    return download_settings(settings, fake_api)


async def member_ids(platform: Runtime, world: World) -> dict[str, int]:
    """Each of the four's member id, by Discord id."""
    found = {}
    async with platform.reading() as session:
        for player in FOUR:
            actor = await identity.actor_by_discord_id(session, discord_id=player["id"])
            assert actor.user_id is not None
            member = await lookup.current_member(
                session, organization_id=world.organization_id, user_id=actor.user_id
            )
            assert member is not None
            found[player["id"]] = member.id
    return found


async def link_lineups(platform: Runtime, scrim_id: int) -> tuple[list[int], list[int]]:
    """Link the home line-up to the real game's orange accounts and the away line-up to its
    blue ones (verified, as staff would); the two line-ups."""
    async with platform.unit_of_work() as session:
        [game] = await service.game_lineups_of(session, scrim_id)
        home = [int(m) for m in game.home_member_ids.split(",")]
        away = [int(m) for m in game.away_member_ids.split(",")]
        for members, side in ((home, ORANGE), (away, BLUE)):
            for member_id, (kind, account) in zip(members, side, strict=True):
                await accounts.link_verified_account(
                    session, member_id=member_id, platform=kind, account_id=account
                )
    return home, away


async def test_a_scrim_filled_checked_in_submitted_and_ratified_from_discord(
    door: DiscordDoor,
    platform: Runtime,
    world: World,
    relaying: None,  # noqa: F811
) -> None:
    await link_world(platform, world)
    opened = await door.command(
        "scrim", {"mode": "doubles", "games": 1}, path=("create",), user=FOUR[0]
    )
    scrim_id = int(re.search(r"scrim (\d+)", opened["data"]["content"]).group(1))
    for player in FOUR[1:3]:
        joined = await door.command("scrim", {"scrim": scrim_id}, path=("join",), user=player)
        assert joined["data"]["content"] == f"You took a seat in scrim {scrim_id}."
    popped = await door.command("scrim", {"scrim": scrim_id}, path=("join",), user=FOUR[3])
    assert popped["data"]["content"] == "You took the last seat: the scrim popped."
    [row] = popped["data"]["components"]
    assert row["components"][0]["custom_id"] == f"checkin:{scrim_id}"

    for player in FOUR[:3]:
        pressed = await door.press(f"checkin:{scrim_id}", user=player)
        assert pressed["data"]["content"] == (
            f"You checked in to scrim {scrim_id}; it starts once everyone has."
        )
    started = await door.press(f"checkin:{scrim_id}", user=FOUR[3])
    assert started["data"]["content"] == "You checked in: the scrim has started."
    assert started["data"]["flags"] == EPHEMERAL
    lobby = {f["name"]: f["value"] for f in started["data"]["embeds"][0]["fields"]}["Lobby"]
    assert lobby.startswith("Name `")

    # The four play the real game: their accounts are the replay's, and the scrim began
    # shortly before it was played (its date is checked against the scrim's time).
    home, away = await link_lineups(platform, scrim_id)
    async with platform.unit_of_work() as session:
        await session.execute(
            update(Scrim).where(Scrim.id == scrim_id).values(started_at=BEFORE_THE_GAME)
        )
    by_member = {member: discord for discord, member in (await member_ids(platform, world)).items()}
    people = {player["id"]: player for player in FOUR}
    submitter = people[by_member[home[0]]]
    opponent = people[by_member[away[0]]]

    submitted = await door.answer(submit_payload(door, [door.fake.attach(REAL)], submitter))
    data = submitted["data"]
    assert data["flags"] == EPHEMERAL
    number = int(re.search(r"submission (\d+)\.$", data["content"]).group(1))
    assert data["content"] == (f"You submitted 1 replay for Scrim {scrim_id}: submission {number}.")
    [embed] = data["embeds"]
    assert embed["description"].startswith("Checked: the other side ratifies the result")
    [game] = embed["fields"]
    assert re.fullmatch(
        rf"Game 1 \({REAL.name}\), played <t:\d+:f>: the home line-up 5–1 the away line-up, "
        r"the home line-up on orange; won by the home line-up\.",
        game["name"],
    ), game["name"]
    assert "Problem" not in game["value"]

    # The Ratify button (as the waiting-for-ratification notice carries it): the submitter's
    # own side cannot ratify; an opponent's press accepts; a second press changes nothing.
    own_side = await door.press(f"ratify:{number}", user=submitter)
    assert own_side["data"]["flags"] == EPHEMERAL
    assert own_side["data"]["content"] == (
        "Your side submitted this result; the other side ratifies it."
    )
    ratified = await door.press(f"ratify:{number}", user=opponent)
    assert ratified["data"]["content"] == (
        f"You ratified submission {number}: the result is accepted."
    )
    again = await door.press(f"ratify:{number}", user=opponent)
    assert again["data"]["content"] == f"You ratified submission {number} already; nothing changed."

    async with platform.reading() as session:
        submission = await session.get(Submission, number)
        scrim = await session.get(Scrim, scrim_id)
        rated = (
            await session.scalars(
                select(RatingPoint.member_id).where(RatingPoint.source_game_id.is_not(None))
            )
        ).all()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.scrim_id == scrim_id
    assert scrim.status == ScrimStatus.COMPLETE
    assert sorted(rated) == sorted(home + away)
