"""``/reportcard``: the card of a match (the real 2v2 league game of ../shared/replays,
accepted) or of the caller's latest result, attached to a follow-up (a multipart body, as
the fake receives it); refusals as ephemeral sentences, sent at once with no file."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sprocket.league import guilds
from sprocket.runtime import Runtime
from tests.discord.conftest import DEFERRED, EPHEMERAL, GUILD_ID, DiscordDoor, person
from tests.web.conftest import Demo, demo_org  # noqa: F401 (the demo organization's fixture)
from tests.web.real_match import RealMatch, accept_real_match, build_real_match

pytestmark = pytest.mark.replays

#: The demo's people as Discord knows them (see tests.web.real_match).
ADA = person("300000000000000001", "Ada")
CHIOMA = person("300000000000000003", "Chioma")
EMEKA = person("300000000000000005", "Emeka")


@pytest.fixture
async def accepted(platform: Runtime, demo_org: Demo) -> RealMatch:  # noqa: F811
    """The real match, accepted, in the organization the tests' Discord server is linked to."""
    real = await build_real_match(platform, demo_org)
    await accept_real_match(platform, real)
    async with platform.unit_of_work() as s:
        await guilds.link_guild(
            s, actor=demo_org.admin, organization_id=demo_org.organization_id, guild_id=GUILD_ID
        )
    return real


def attached_card(answer: dict, match_id: int) -> Image.Image:
    """The one PNG a deferred, public answer's follow-up carried."""
    assert answer["deferred"] == {"type": DEFERRED, "data": {}}  # not ephemeral
    data = answer["data"]
    assert data["content"] == f"Report card of match #{match_id}."
    assert "flags" not in data or not data["flags"] & EPHEMERAL
    [(filename, png)] = data["files"]
    assert filename == f"report-card-match-{match_id}.png"
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


async def test_the_card_of_a_match_comes_back_attached(
    door: DiscordDoor, accepted: RealMatch
) -> None:
    answer = await door.command("reportcard", {"match": accepted.match_id}, user=ADA)
    image = attached_card(answer, accepted.match_id)
    assert (image.format, image.size) == ("PNG", (1000, 712))


async def test_without_an_option_the_callers_latest_result(
    door: DiscordDoor, accepted: RealMatch
) -> None:
    answer = await door.command("reportcard", user=CHIOMA)
    assert attached_card(answer, accepted.match_id).size == (1000, 712)


@pytest.mark.parametrize(
    ("options", "user", "sentence"),
    [
        ({"match": 999999}, ADA, "There is no match with id 999999."),
        ({"match": "next"}, ADA, "Match {next} has no accepted result, so it has no report card."),
        ({}, EMEKA, "You have played no match or scrim with an accepted result here yet"),
        ({"match": 1, "scrim": 1}, ADA, "Name a match or a scrim, not both"),
        ({"scrim": 999999}, ADA, "There is no scrim with id 999999."),
    ],
    ids=["unknown match", "no result yet", "nothing played", "both", "unknown scrim"],
)
async def test_a_refusal_is_an_ephemeral_sentence_sent_at_once_without_a_file(
    door: DiscordDoor, accepted: RealMatch, options: dict, user: dict, sentence: str
) -> None:
    if options.get("match") == "next":
        options = {"match": accepted.next_match_id}
    answer = await door.command("reportcard", options, user=user)
    assert "deferred" not in answer  # answered in the HTTP response itself
    assert answer["data"]["flags"] == EPHEMERAL
    assert sentence.format(next=accepted.next_match_id) in answer["data"]["content"]
    assert door.fake.to("POST", "/webhooks/") == []
