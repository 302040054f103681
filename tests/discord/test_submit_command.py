"""``/submit``: real replay files attached in Discord, downloaded from the (fake) CDN, become a
submission through the web upload's service, answered (deferred, then followed up) with the
per-game report; the match option suggests the caller's open matches. Every bad upload (a
caller with no rights, a file elsewhere than the CDN, too large by its declared size, its
announced length or its bytes, no replay, a file the CDN does not serve) is a clear
ephemeral answer, and nothing is stored."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from sprocket.config import Settings
from sprocket.discord.attachments import allowed_origins, origin_of
from sprocket.league import guilds
from sprocket.replays.enums import SubmissionStatus
from sprocket.replays.models import StoredReplay, Submission
from sprocket.runtime import Runtime
from tests.conftest import REPLAYS
from tests.discord.conftest import DEFERRED, EPHEMERAL, GUILD_ID, DiscordDoor, person
from tests.discord.fake_api import APPLICATION_ID, FakeDiscordApi
from tests.discord.submitting import (
    SITE,
    download_settings,
    downloads,
    relaying,  # noqa: F401 (fixture)
    stored_state,
    submit_payload,
)
from tests.web.conftest import Demo, demo_org  # noqa: F401 (fixture)
from tests.web.real_match import REAL, RealMatch, build_real_match

pytestmark = pytest.mark.replays

#: A real replay over the tests' size cap (1,633,617 bytes).
BIG = REPLAYS / "good" / "P3_Soccar_Strike.replay"
CORRUPT = REPLAYS / "bad" / "fuzz-corpus.replay"

#: The real match's players, as Discord names them (their users: tests.web.real_match).
ADA = person("300000000000000001", "Ada")
CHIOMA = person("300000000000000003", "Chioma")
EMEKA = person("300000000000000005", "Emeka")  # a member on neither team


@pytest.fixture
def settings(settings: Settings, fake_api: FakeDiscordApi) -> Settings:
    return download_settings(settings, fake_api)


async def real_world(platform: Runtime, demo: Demo, unlinked: tuple[str, ...] = ()) -> RealMatch:
    """The real match (tests.web.real_match) in the organization the tests' server links."""
    real = await build_real_match(platform, demo, unlinked=unlinked)
    async with platform.unit_of_work() as session:
        await guilds.link_guild(
            session, actor=demo.admin, organization_id=demo.organization_id, guild_id=GUILD_ID
        )
    return real


@pytest.fixture
async def real(platform: Runtime, demo_org: Demo) -> RealMatch:  # noqa: F811
    return await real_world(platform, demo_org)


async def submission_of(platform: Runtime, submission_id: int) -> Submission:
    async with platform.reading() as session:
        return await session.get(Submission, submission_id)


def submission_number(content: str) -> int:
    found = re.search(r"submission (\d+)\.$", content)
    assert found, content
    return int(found.group(1))


def test_only_discords_cdn_is_allowed_by_default() -> None:
    allowed = allowed_origins(Settings().discord_attachment_origins)
    assert allowed == {"https://cdn.discordapp.com", "https://media.discordapp.net"}
    for url in (
        "https://cdn.discordapp.com/attachments/1/2/game.replay",
        "https://media.discordapp.net/attachments/1/2/game.replay?ex=1",
    ):
        assert origin_of(url) in allowed
    for url in (
        "http://cdn.discordapp.com/attachments/1/2/game.replay",  # not https
        "https://cdn.discordapp.com.example.org/attachments/1/2/game.replay",
        "https://cdn.discordapp.com:8443/attachments/1/2/game.replay",
        "https://user@cdn.discordapp.com/attachments/1/2/game.replay",
        "/attachments/1/2/game.replay",
        "",
    ):
        assert origin_of(url) not in allowed, url


async def test_the_match_option_suggests_the_callers_open_matches(
    door: DiscordDoor, real: RealMatch
) -> None:
    choices = await door.complete("submit", {"match": ""}, "match", user=ADA)
    assert [c["value"] for c in choices] == [real.next_match_id, real.match_id]  # latest first
    assert all(" vs " in c["name"] and "(Doubles)" in c["name"] for c in choices)
    assert choices[1]["name"].startswith(f"#{real.match_id} Week 1: ")
    typed = await door.complete("submit", {"match": str(real.next_match_id)}, "match", user=ADA)
    assert [c["value"] for c in typed] == [real.next_match_id]
    assert await door.complete("submit", {"match": ""}, "match", user=EMEKA) == []


async def test_real_replays_become_a_submission_answered_with_its_report(
    door: DiscordDoor,
    platform: Runtime,
    real: RealMatch,
    relaying: None,  # noqa: F811
) -> None:
    attached = door.fake.attach(REAL)
    sent = submit_payload(door, [attached], ADA, match=real.match_id)
    response = await door.post(sent)
    # Downloading and checking take seconds: deferred at once, for Ada's eyes only.
    assert response.json() == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
    await door.dispatcher.drain()
    [follow_up] = door.fake.to("POST", f"/webhooks/{APPLICATION_ID}/{sent['token']}")
    body = follow_up.body
    assert body["flags"] == EPHEMERAL
    number = submission_number(body["content"])
    assert body["content"] == (
        f"You submitted 1 replay for Blue Crew vs Orange Crew: submission {number}."
    )
    [embed] = body["embeds"]
    assert embed["title"] == f"Submission {number}: Blue Crew vs Orange Crew"
    assert embed["url"] == f"{SITE}/submissions/{number}"
    assert embed["description"] == (
        "Checked: the other side ratifies the result (the Ratify button, or "
        f"`/ratify submission:{number}`) or rejects it saying why."
    )
    [game] = embed["fields"]
    assert re.fullmatch(
        rf"Game 1 \({REAL.name}\), played <t:\d+:f>: Blue Crew 1–5 Orange Crew, "
        r"Blue Crew on blue; won by Orange Crew\.",
        game["name"],
    ), game["name"]
    assert (
        "We expected Ada for Orange Crew on orange; the replay has their account "
        "'Ouiiidbrownies' (PlayStation 4421738174632351326) on orange."
    ) in game["value"]
    assert "We expected Dara for Blue Crew on blue;" in game["value"]
    assert "Problem" not in game["value"]

    submission = await submission_of(platform, number)
    assert submission.match_id == real.match_id
    assert submission.status == SubmissionStatus.AWAITING_RATIFICATION
    assert downloads(door.fake) == [f"/attachments/400000000000000001/{attached['id']}/{REAL.name}"]
    async with platform.reading() as session:
        stored = (await session.scalars(select(StoredReplay))).all()
    assert [s.sha256 for s in stored] == [hashlib.sha256(REAL.read_bytes()).hexdigest()]


async def test_an_account_linked_to_nobody_is_in_the_rejected_report(
    door: DiscordDoor,
    platform: Runtime,
    demo_org: Demo,  # noqa: F811
    relaying: None,  # noqa: F811
) -> None:
    real = await real_world(platform, demo_org, unlinked=("Dara",))
    answer = await door.answer(
        submit_payload(door, [door.fake.attach(REAL)], ADA, match=real.match_id)
    )
    number = submission_number(answer["data"]["content"])
    assert (await submission_of(platform, number)).status == SubmissionStatus.REJECTED
    [embed] = answer["data"]["embeds"]
    assert embed["description"].startswith(
        "Rejected: fix what the report says, then `/submit` the replays again."
    )
    game, unknown = embed["fields"]
    assert "Dara (Blue Crew) does not appear in this replay." in game["value"]
    assert "Problem: " in game["value"]
    assert unknown["name"] == "Accounts linked to nobody"
    assert unknown["value"] == (
        "'xZ Golden Zx' (Epic 724b831736dc4b9e96668d4410655857), game 1\n"
        f"Claim yours on the submission's page ({SITE}/submissions/{number})."
    )


async def test_without_a_match_and_outside_any_scrim_nothing_is_submitted(
    door: DiscordDoor, platform: Runtime, real: RealMatch
) -> None:
    answer = await door.answer(submit_payload(door, [door.fake.attach(REAL)], ADA))
    assert answer["data"]["flags"] == EPHEMERAL
    assert answer["data"]["content"] == (
        "Name the match with the match option: you are in no scrim to submit for."
    )
    assert downloads(door.fake) == []
    assert await stored_state(platform) == (0, 0)


async def test_bad_uploads_are_refused_and_change_nothing(
    door: DiscordDoor,
    platform: Runtime,
    real: RealMatch,
    relaying: None,  # noqa: F811
    tmp_path: Path,
) -> None:
    fake = door.fake
    noise = tmp_path / "notes.replay"
    noise.write_bytes(random.Random(11).randbytes(4096))
    refused_before_download = [
        # Who may submit is asked before any file is downloaded.
        (
            EMEKA,
            fake.attach(REAL),
            "Only players of the two teams, their franchise managers or league staff may "
            "submit this match's replays.",
        ),
        (
            ADA,
            {**fake.attach(REAL), "url": "https://elsewhere.example.org/attachments/1/2/a.replay"},
            f"Replay 1 ({REAL.name}) is not stored on Discord's CDN; it was not downloaded.",
        ),
        (
            ADA,
            fake.attach(REAL, declared_size=1_400_001),
            f"Replay 1 ({REAL.name}) is larger than the 1.3 MB limit for a replay.",
        ),
    ]
    for user, attached, sentence in refused_before_download:
        answer = await door.answer(submit_payload(door, [attached], user, match=real.match_id))
        assert answer["data"]["flags"] == EPHEMERAL
        assert answer["data"]["content"] == sentence
        assert downloads(fake) == []
        assert await stored_state(platform) == (0, 0)

    refused_after_download = [
        # Declared small, announced too large by its Content-Length.
        (fake.attach(BIG, declared_size=1000), "is larger than the 1.3 MB limit"),
        # Declared small, sent in pieces without a length: stopped past the cap.
        (fake.attach(BIG, declared_size=1000, chunked=True), "is larger than the 1.3 MB limit"),
        (fake.attach(noise), "Replay 1 (notes.replay): "),
        (fake.attach(CORRUPT), "Replay 1 (fuzz-corpus.replay): The replay is damaged"),
        (
            {**fake.attach(REAL), "url": f"{fake.cdn}/attachments/1/999/gone.replay"},
            f"Replay 1 ({REAL.name}) could not be downloaded from Discord (HTTP 404)",
        ),
    ]
    for attached, words in refused_after_download:
        asked = len(downloads(fake))
        answer = await door.answer(submit_payload(door, [attached], ADA, match=real.match_id))
        assert answer["data"]["flags"] == EPHEMERAL
        assert words in answer["data"]["content"], answer["data"]["content"]
        assert len(downloads(fake)) == asked + 1
        assert await stored_state(platform) == (0, 0)
    # The same upload, done right, still goes through afterwards.
    good = await door.answer(submit_payload(door, [fake.attach(REAL)], ADA, match=real.match_id))
    assert good["data"]["content"].startswith("You submitted 1 replay")
    assert await stored_state(platform) == (1, 1)


async def test_a_check_that_takes_too_long_is_answered_with_the_submissions_link(
    door: DiscordDoor, platform: Runtime, real: RealMatch
) -> None:
    # Nothing relays the outbox here, so the check cannot run within the wait.
    platform.settings = platform.settings.model_copy(update={"discord_report_wait_seconds": 0.2})
    answer = await door.answer(
        submit_payload(door, [door.fake.attach(REAL)], ADA, match=real.match_id)
    )
    number = submission_number(answer["data"]["content"])
    [embed] = answer["data"]["embeds"]
    assert embed["description"] == (
        "The replays are still being checked; the report will be on the web at "
        f"{SITE}/submissions/{number}."
    )
    assert "fields" not in embed
    assert (await submission_of(platform, number)).status == SubmissionStatus.PROCESSING
