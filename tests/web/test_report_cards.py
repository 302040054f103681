"""Report cards of accepted results, from the real 2v2 league game of ../shared/replays (see
:mod:`tests.web.real_match`): the job makes the card when the result is accepted, with the
right scores and stat lines; the match page shows it as an image of this site; a match
without an accepted result has none; a card is drawn again when missing or asked for; a
finished scrim's page shows its card to its players only."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from sprocket.demo import SLUG
from sprocket.errors import NotFound
from sprocket.flows import match_results
from sprocket.league import members
from sprocket.league import service as league
from sprocket.media import gather, render
from sprocket.media import service as report_cards
from sprocket.media.errors import MediaCode
from sprocket.media.report_card import AWAY, HOME
from sprocket.notifications import channels
from sprocket.notifications.delivery import Delivery, DeliveryAttachment
from sprocket.replays import service as replays
from sprocket.runtime import Runtime
from tests.api.test_replay_api import new_match
from tests.league_world import World
from tests.replays.test_submissions import run_jobs
from tests.scrims.test_results import played, ratify, submitted
from tests.web.conftest import HTML, Demo, Web, sent_to_sign_in, signed_in
from tests.web.real_match import RealMatch, accept_real_match, build_real_match
from tests.web.staff_support import beside, client_as, league_rows, post_from, words
from tests.web.test_pages import foreign_addresses

#: The organization's colours when it chose none (primary, secondary).
DEFAULT_COLOURS = ("#1f3a5f", "#e07a1f")


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image.convert("RGB")


@pytest.fixture
async def real(platform: Runtime, demo_org: Demo) -> RealMatch:
    return await build_real_match(platform, demo_org)


@pytest.mark.replays
async def test_accepting_the_real_match_makes_its_card_with_the_right_scores(
    platform: Runtime, real: RealMatch
) -> None:
    submission_id = await accept_real_match(platform, real)
    key = report_cards.card_key("match", real.match_id, submission_id, DEFAULT_COLOURS)
    stored = await platform.storage.get(key)  # made by the job, after the ratings
    async with platform.reading() as s:
        card = await gather.match_card(s, match_id=real.match_id)
    assert decoded(stored).size == render.card_size(card) == (1000, 712)

    assert card.organization == "Sprocket Demo League"
    assert card.title == "Week 1 - Premier - Doubles"
    assert card.subtitle == "Doubles, Season 1"
    assert card.played == "22 Nov 2025"  # 03:54 UTC on the 22nd (the replay says the 21st)
    assert (card.home, card.away) == ("Blue Crew", "Orange Crew")
    assert [(g.number, g.home_goals, g.away_goals, g.home_won) for g in card.games] == [
        (1, 1, 5, False)
    ]
    assert (card.home_wins, card.away_wins, card.winner) == (0, 1, AWAY)
    lines = {p.name: p for p in card.players}
    # The replay's scoreboard, under the members' names (Ant, xZ Golden Zx; Kaleb077.,
    # Ouiiidbrownies).
    counters = {
        name: (p.side, p.games, p.wins, p.goals, p.assists, p.saves, p.shots, p.score, p.mvps)
        for name, p in lines.items()
    }
    assert counters == {
        "Chioma": (HOME, 1, 0, 1, 0, 0, 3, 266, 0),
        "Dara": (HOME, 1, 0, 0, 0, 0, 2, 228, 0),
        "Bruno": (AWAY, 1, 1, 3, 1, 1, 3, 647, 1),
        "Ada": (AWAY, 1, 1, 2, 0, 2, 3, 526, 0),
    }
    # Everyone started at 1000 (a new rating shows 1000); the winners gained.
    assert {p.rating_before for p in card.players} == {1000}
    assert all(lines[n].rating_change > 0 for n in ("Ada", "Bruno"))
    assert all(lines[n].rating_change < lines["Ada"].rating_change for n in ("Chioma", "Dara"))
    # Its colours are the organization's (the defaults here).
    image = decoded(stored)
    assert image.getpixel((5, 5)) == (0x1F, 0x3A, 0x5F)
    assert image.getpixel((5, render.HEADER + 2)) == (0xE0, 0x7A, 0x1F)


@pytest.mark.replays
async def test_the_match_page_shows_the_card_from_this_site_with_alt_text(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    await accept_real_match(platform, real)
    async with web() as client:
        page = await client.get(f"/matches/{real.match_id}")
        assert page.status_code == 200
        src = f"/matches/{real.match_id}/report-card.png"
        assert f'<img class="report-card" src="{src}"' in page.text
        assert (
            f'alt="Report card of match {real.match_id}, week 1: Blue Crew 0–1 Orange Crew, with '
            "each game's score and every player's goals, assists, saves, shots, score, "
            'MVP awards and rating change (the same facts as below)."'
        ) in page.text
        assert foreign_addresses(page.text) == []
        image = await client.get(src)
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/png"
        assert image.headers["cache-control"] == "public, max-age=60"
        assert decoded(image.content).size == (1000, 712)

        # The return match has no accepted result: no card, and its image is not found.
        other = await client.get(f"/matches/{real.next_match_id}")
        assert other.status_code == 200 and "report-card" not in other.text
        missing = await client.get(f"/matches/{real.next_match_id}/report-card.png")
        assert missing.status_code == 404
        assert "has no accepted result, so it has no report card" in missing.text
        for wrong in ("99999", "abc", "-1"):
            assert (await client.get(f"/matches/{wrong}/report-card.png")).status_code == 404


@pytest.mark.replays
async def test_a_missing_card_is_drawn_again_and_new_colours_make_a_new_card(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    submission_id = await accept_real_match(platform, real)
    key = report_cards.card_key("match", real.match_id, submission_id, DEFAULT_COLOURS)
    first = await platform.storage.get(key)
    await platform.storage.delete(key)
    async with web() as client:
        image = await client.get(f"/matches/{real.match_id}/report-card.png")
    assert image.status_code == 200
    assert await platform.storage.get(key) == image.content  # drawn, and kept again
    assert decoded(image.content).tobytes() == decoded(first).tobytes()

    async with platform.unit_of_work() as s:
        for colour_key, value in (("primary_colour", "#0B6E4F"), ("secondary_colour", "#FFD23F")):
            await league.set_organization_setting(
                s,
                actor=real.demo.admin,
                organization_id=real.demo.organization_id,
                key=colour_key,
                value=value,
            )
        config = await league.organization_config(s, real.demo.organization_id)
    assert (config["primary_colour"], config["secondary_colour"]) == ("#0b6e4f", "#ffd23f")
    async with web() as client:
        image = await client.get(f"/matches/{real.match_id}/report-card.png")
    new_key = report_cards.card_key("match", real.match_id, submission_id, ("#0b6e4f", "#ffd23f"))
    assert await platform.storage.get(new_key) == image.content
    redrawn = decoded(image.content)
    assert redrawn.getpixel((5, 5)) == (0x0B, 0x6E, 0x4F)
    assert redrawn.getpixel((5, render.HEADER + 2)) == (0xFF, 0xD2, 0x3F)
    async with platform.reading() as s:  # asked for again: drawn anew, the same card
        again = await report_cards.make_card(
            s, platform.storage, subject="match", subject_id=real.match_id
        )
    assert decoded(again).tobytes() == redrawn.tobytes()


@pytest.mark.replays
async def test_card_png_for_notifications_and_an_invalidated_result_has_no_card(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    submission_id = await accept_real_match(platform, real)
    async with platform.reading() as s:
        png = await report_cards.card_png(s, platform.storage, real.match_id)
        assert png is not None and decoded(png).size == (1000, 712)
        assert await report_cards.card_png(s, platform.storage, real.next_match_id) is None
        with pytest.raises(NotFound):
            await report_cards.card_png(s, platform.storage, 99999)
    async with platform.unit_of_work() as s:
        await replays.invalidate(
            s, actor=real.demo.admin, submission_id=submission_id, reason="Wrong lobby."
        )
    async with platform.reading() as s:
        assert not await report_cards.has_card(s, subject="match", subject_id=real.match_id)
        assert await report_cards.card_png(s, platform.storage, real.match_id) is None
        with pytest.raises(NotFound) as refused:
            await report_cards.match_card_png(s, platform.storage, match_id=real.match_id)
    assert refused.value.code == MediaCode.NO_REPORT_CARD
    async with web() as client:
        page = await client.get(f"/matches/{real.match_id}")
        assert "report-card" not in page.text
        gone = await client.get(f"/matches/{real.match_id}/report-card.png")
        assert gone.status_code == 404


async def test_a_finished_scrims_page_shows_its_card_to_its_players_only(
    web: Web, platform: Runtime, world: World, demo_org: Demo
) -> None:
    game = await played(platform, world)
    async with platform.unit_of_work() as s:  # the development sign-in offers the demo's people
        for person in (game.uploader, game.outsider):
            await members.add_member(
                s,
                actor=demo_org.admin,
                organization_id=demo_org.organization_id,
                user_id=person.user_id,
            )
    row = await submitted(platform, game.uploader, game.scrim_id, game.good())
    assert (await ratify(platform, game.opponent, row.id)).status == "accepted"
    await run_jobs(platform)
    src = f"/scrims/{game.scrim_id}/report-card.png"
    async with web(dev_sign_in=True) as player:
        assert (await signed_in(player, game.uploader.user_id)).status_code == 303
        page = await player.get(f"/scrims/{game.scrim_id}")
        assert f'<img class="report-card" src="{src}"' in page.text
        assert f"alt=\"Report card of scrim {game.scrim_id}: each game's score" in page.text
        image = await player.get(src)
        assert image.status_code == 200 and image.headers["cache-control"] == "private, no-store"
        assert decoded(image.content).size[0] == 1000
    async with web(dev_sign_in=True) as outsider:
        assert (await signed_in(outsider, game.outsider.user_id)).status_code == 303
        assert "report-card" not in (await outsider.get(f"/scrims/{game.scrim_id}")).text
        assert (await outsider.get(src)).status_code == 403
    async with web() as spectator:
        assert "report-card" not in (await spectator.get(f"/scrims/{game.scrim_id}")).text
        image = await spectator.get(src, headers={"accept": "image/avif,image/*,*/*;q=0.8"})
        assert image.status_code == 401  # as an <img> asks for it: refused
        assert sent_to_sign_in(await spectator.get(src, headers=HTML), src)  # opened


async def test_the_colours_are_set_on_the_configuration_page_and_a_bad_one_refused(
    web: Web, platform: Runtime, demo_org: Demo
) -> None:
    page = f"/staff/{SLUG}/configuration"
    async with client_as(web, demo_org.admin.user_id) as admin:
        shown = await admin.get(page)
        assert 'id="f-primary_colour" name="primary_colour" type="color" value="#1f3a5f"' in (
            shown.text
        )
        assert 'name="secondary_colour" type="color" value="#e07a1f"' in shown.text
        assert "A colour written #RRGGBB (six hexadecimal digits)." in words(shown.text)
        before = await league_rows(platform)
        refused = await post_from(admin, page, f"{page}/settings", {"primary_colour": "navy"})
        assert refused.status_code == 400
        assert beside(refused.text, "primary_colour") == (
            "Setting 'primary_colour' must be a colour written #RRGGBB (six hexadecimal "
            "digits); got 'navy'."
        )
        assert await league_rows(platform) == before
        done = await post_from(admin, page, f"{page}/settings", {"secondary_colour": "#ffd23f"})
        assert done.status_code == 303
        assert (
            'name="secondary_colour" type="color" value="#ffd23f"' in (await admin.get(page)).text
        )


@pytest.mark.replays
async def test_an_accepted_matchs_card_is_posted_once_to_the_results_channel(
    platform: Runtime, real: RealMatch, demo_org: Demo
) -> None:
    async with platform.unit_of_work() as s:
        await channels.set_channel(
            s,
            actor=demo_org.admin,
            organization_id=demo_org.organization_id,
            purpose="results",
            channel_id="900000000000000001",
        )
    submission_id = await accept_real_match(platform, real)
    key = report_cards.card_key("match", real.match_id, submission_id, DEFAULT_COLOURS)
    async with platform.reading() as s:
        posted = (
            await s.scalars(select(Delivery).where(Delivery.key == f"report_card:{key}"))
        ).all()
        assert [(d.target_kind, d.target) for d in posted] == [("channel", "900000000000000001")]
        [file] = (
            await s.scalars(
                select(DeliveryAttachment).where(DeliveryAttachment.delivery_id == posted[0].id)
            )
        ).all()
    assert (file.filename, file.storage_key) == (f"report-card-match-{real.match_id}.png", key)
    async with platform.reading() as s:
        card = await gather.match_card(s, match_id=real.match_id)
    assert decoded(await platform.storage.get(key)).size == render.card_size(card)
    async with platform.unit_of_work() as s:  # the job again (a redelivery): no second post
        assert await report_cards.post_match_card(s, match_id=real.match_id) is None


async def test_a_series_staff_entered_shows_its_card_without_player_lines(
    web: Web, platform: Runtime, world: World
) -> None:
    match_id = await new_match(platform, world, 0, 1)
    async with platform.unit_of_work() as s:
        await match_results.enter_match_result(
            s, actor=world.actors["league_staff"], match_id=match_id, games=[(3, 1)] * 3
        )
    await run_jobs(platform)
    async with web() as client:
        page = await client.get(f"/matches/{match_id}")
        assert f'<img class="report-card" src="/matches/{match_id}/report-card.png"' in page.text
        assert (
            "with each game's score (entered without replays: no player lines) (the same facts "
            "as below)."
        ) in page.text
        image = await client.get(f"/matches/{match_id}/report-card.png")
    assert image.status_code == 200
    async with platform.reading() as s:
        card = await gather.match_card(s, match_id=match_id)
    assert decoded(image.content).size == render.card_size(card)
