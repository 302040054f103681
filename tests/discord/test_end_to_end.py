"""A scrim from Discord, end to end, as issue 11's Tests describe it: signed interactions
only, with Discord on at the fake Discord API, so every notification goes out through the
outbox and the notifier jobs (relayed in the background, as ``serve`` does).

Four players fill a 2v2 scrim with ``/scrim create`` and ``/scrim join``; the fake receives
a pop DM with a Check in button for each; their presses of it (signed component
interactions) start the scrim and each gets the lobby by DM, the first of them answered 429
by the fake and sent again once its wait is over; the same event reported again and its
deliveries' jobs run again send nothing twice. ``/submit`` with the real replay of their
game (an attachment downloaded from the fake's CDN) makes the submission, an opponent's
press of the Ratify button accepts it (the scrim completes, its players are rated), and the
report card reaches each of the four by DM (they take results so), a PNG of the card's size.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Awaitable, Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from sqlalchemy import select, update

from sprocket.config import Settings
from sprocket.identity import service as identity
from sprocket.league import accounts, lookup
from sprocket.media import gather, render
from sprocket.media import service as report_cards
from sprocket.notifications.delivery import DELIVER_JOB
from sprocket.notifications.enums import NotificationKind
from sprocket.notifications.tasks import deliver_notification
from sprocket.platform.outbox import OutboxMessage, backlog
from sprocket.ratings.models import RatingPoint
from sprocket.replays.enums import SubmissionStatus
from sprocket.replays.models import Submission
from sprocket.runtime import Runtime
from sprocket.scrims import notices, service
from sprocket.scrims.enums import ScrimStatus
from sprocket.scrims.models import Scrim
from tests.discord.conftest import EPHEMERAL, DiscordDoor, discord_settings
from tests.discord.fake_api import FakeDiscordApi
from tests.discord.submitting import (
    download_settings,
    relaying,  # noqa: F401 (fixture)
    submit_payload,
)
from tests.discord.support import link_world
from tests.discord.test_scrim_commands import FOUR
from tests.league_world import World
from tests.notifications.support import deliveries, inbox_rows
from tests.replays.test_faults import eventually
from tests.web.real_match import ACCOUNTS, REAL

pytestmark = [
    pytest.mark.replays,
    pytest.mark.skipif(not REAL.is_file(), reason=f"the shared replay {REAL} is absent"),
]

#: The real game's accounts (tests.web.real_match): Ada and Bruno on orange, Chioma and Dara
#: on blue; the scrim's home line-up is linked to the orange ones, the away to the blue.
ORANGE = (ACCOUNTS["Ada"], ACCOUNTS["Bruno"])
BLUE = (ACCOUNTS["Chioma"], ACCOUNTS["Dara"])
#: Shortly before the real game began (22 Nov 2025, 03:54 UTC).
BEFORE_THE_GAME = dt.datetime(2025, 11, 22, 3, 30, tzinfo=dt.UTC)
#: The organization's colours when it chose none (primary, secondary).
COLOURS = ("#1f3a5f", "#e07a1f")


@pytest.fixture
def settings(
    settings: Settings, fake_api: FakeDiscordApi, signing_key: Ed25519PrivateKey
) -> Settings:
    """Discord on at the fake (the platform's deliveries too), attachments from its CDN."""
    return discord_settings(download_settings(settings, fake_api), signing_key, fake_api)


def dms_to(fake: FakeDiscordApi, discord_id: str) -> list[dict]:
    """The messages the fake made in ``discord_id``'s DM channel."""
    return [m for m in fake.messages if fake.dm_user(m["channel_id"]) == discord_id]


def dm_with(fake: FakeDiscordApi, words: str) -> Callable[[], Awaitable[bool]]:
    """Whether each of the four has a DM whose embeds say ``words``."""

    async def each_has_one() -> bool:
        return all(any(words in str(m["embeds"]) for m in dms_to(fake, p["id"])) for p in FOUR)

    return each_has_one


def message_posts(fake: FakeDiscordApi) -> int:
    """How many messages the fake was asked to make (channels, DMs, webhooks), refused ones
    included."""
    return len(fake.to("POST", "/channels/")) + len(fake.to("POST", "/webhooks/"))


async def settled(platform: Runtime) -> None:
    """Wait until the relay has handed over every committed outbox message and their jobs
    are done."""

    async def relayed() -> bool:
        async with platform.reading() as session:
            return await backlog(session) == 0

    while True:
        await eventually(relayed, "the outbox relayed")
        await platform.broker.wait_all()  # type: ignore[attr-defined]
        if await relayed():
            return


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


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


async def test_a_scrim_from_discord_end_to_end(
    door: DiscordDoor,
    platform: Runtime,
    world: World,
    fake_api: FakeDiscordApi,
    relaying: None,  # noqa: F811
) -> None:
    await link_world(platform, world)
    for player in FOUR:  # each takes results by DM: the report card comes so
        chosen = await door.command(
            "notifications", {"kind": "result_accepted", "delivery": "dm"}, user=player
        )
        assert chosen["data"]["content"] == "Result accepted: direct message."

    # -- Four fill the scrim; each gets a pop DM with a Check in button ---------------------
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

    await eventually(dm_with(fake_api, "popped"), "a pop DM for each of the four")
    for player in FOUR:
        [pop] = [m for m in dms_to(fake_api, player["id"]) if "popped" in str(m["embeds"])]
        [buttons] = pop["components"]
        assert buttons["components"][0]["custom_id"] == f"checkin:{scrim_id}"

    # -- Their presses start it; each gets the lobby by DM, the first after a 429 ------------
    await settled(platform)
    posts, made = message_posts(fake_api), len(fake_api.messages)
    fake_api.rate_limit_next(1, retry_after=0.05)
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

    await eventually(dm_with(fake_api, "started"), "a lobby DM for each of the four")
    await settled(platform)
    for player in FOUR:
        [dm] = [m for m in dms_to(fake_api, player["id"]) if "started" in str(m["embeds"])]
        assert "password" in dm["embeds"][0]["description"]
    assert not [
        m
        for m in fake_api.messages
        if "password" in str(m) and not fake_api.dm_user(m["channel_id"])
    ]
    # The fake refused one post (429 with Retry-After); it was sent again after the wait.
    assert fake_api.rate_limited == 1
    assert len(fake_api.messages) - made == 4
    assert message_posts(fake_api) - posts == 4 + 1

    # -- A redelivered event sends nothing twice --------------------------------------------
    sent = len(fake_api.messages)
    lobby_dms = await deliveries(platform, f"scrim_started:{scrim_id}")
    assert len(lobby_dms) == 4 and {d.status for d in lobby_dms} == {"sent"}
    async with platform.unit_of_work() as session:  # the event reported again
        scrim = await service.get_scrim(session, scrim_id=scrim_id)
        await notices.scrim_started(session, scrim=scrim)
    async with platform.reading() as session:  # ...and each delivery's job handed over again
        jobs = {
            row.payload["delivery_id"]: row.id
            for row in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.job == DELIVER_JOB)
            )
        }
    for delivery in lobby_dms:
        await deliver_notification(message_id=jobs[delivery.id], delivery_id=delivery.id)
    await settled(platform)
    assert len(fake_api.messages) == sent
    again = await deliveries(platform, f"scrim_started:{scrim_id}")
    assert [d.id for d in again] == [d.id for d in lobby_dms]
    rows = await inbox_rows(platform, key=f"scrim_started:{scrim_id}")
    assert len(rows) == 4 and all(r.kind == NotificationKind.SCRIM_STARTED for r in rows)

    # -- /submit with the real replay of their game -----------------------------------------
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

    submitted = await door.answer(submit_payload(door, [fake_api.attach(REAL)], submitter))
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

    # -- The Ratify button accepts it --------------------------------------------------------
    # (as the waiting-for-ratification notice carries it): the submitter's own side cannot
    # ratify; an opponent's press accepts; a second press changes nothing.
    own_side = await door.press(f"ratify:{number}", user=submitter)
    assert own_side["data"]["flags"] == EPHEMERAL
    assert own_side["data"]["content"] == (
        "Your side submitted this result; the other side ratifies it."
    )
    ratified = await door.press(f"ratify:{number}", user=opponent)
    assert ratified["data"]["content"] == (
        f"You ratified submission {number}: the result is accepted."
    )
    again_pressed = await door.press(f"ratify:{number}", user=opponent)
    assert again_pressed["data"]["content"] == (
        f"You ratified submission {number} already; nothing changed."
    )
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

    # -- The report card reaches each of the four, a PNG of the card's size -----------------
    filename = f"report-card-scrim-{scrim_id}.png"

    async def cards_sent() -> bool:
        return all(any(m["files"] for m in dms_to(fake_api, p["id"])) for p in FOUR)

    await eventually(cards_sent, "the report card by DM to each of the four")
    await settled(platform)
    key = report_cards.card_key("scrim", scrim_id, number, COLOURS)
    stored = await platform.storage.get(key)
    async with platform.reading() as session:
        card = await gather.scrim_card(session, scrim_id=scrim_id)
    assert decoded(stored).size == render.card_size(card) == (1000, 712)
    for player in FOUR:
        [dm] = [m for m in dms_to(fake_api, player["id"]) if m["files"]]
        assert dm["files"] == [(filename, len(stored))]
        assert dm["embeds"][0]["title"] == f"Report card of scrim {scrim_id}"
    uploads = [f for c in fake_api.to("POST", "/channels/") for f in c.files]
    assert uploads == [(filename, stored)] * 4  # the card, once to each, nowhere else
