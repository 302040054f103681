"""Scrim report cards through the services: made when a scrim's result is accepted (fixed
teams: both sides and the series; a round robin: its players ranked by record), shown to its
players and staff only, and the caller's latest card."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from sprocket.db import rows_by_ids
from sprocket.errors import DomainError
from sprocket.identity.access import Actor
from sprocket.league.models import Member
from sprocket.media import gather, render
from sprocket.media import service as report_cards
from sprocket.media.report_card import AWAY, HOME
from sprocket.notifications import channels, preferences
from sprocket.notifications.delivery import DeliveryAttachment
from sprocket.runtime import Runtime
from tests.league_world import World
from tests.notifications.support import CHANNEL, deliveries, inbox_rows
from tests.replays.test_submissions import run_jobs
from tests.scrims.helpers import premier_people
from tests.scrims.test_results import (
    home_wins,
    lineups,
    played,
    ratify,
    set_setting,
    started_scrim,
    submitted,
)

#: The organization's colours when it chose none (primary, secondary).
COLOURS = ("#1f3a5f", "#e07a1f")


def size_of(png: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.size


async def names(platform: Runtime, member_ids: list[int]) -> list[str]:
    async with platform.reading() as s:
        rows = await rows_by_ids(s, Member, member_ids)
    return [rows[m].name for m in member_ids]


async def refused(platform: Runtime, code: str, actor: Actor, scrim_id: int) -> None:
    async with platform.reading() as s:
        with pytest.raises(DomainError) as caught:
            await report_cards.scrim_card_png(s, platform.storage, actor=actor, scrim_id=scrim_id)
    assert caught.value.code == code


async def test_a_fixed_teams_scrim_card_shows_both_sides_and_is_for_its_players(
    platform: Runtime, world: World
) -> None:
    game = await played(platform, world)
    async with platform.reading() as s:
        with pytest.raises(DomainError) as early:  # in progress: no result yet
            await gather.scrim_card(s, scrim_id=game.scrim_id)
    assert early.value.code == "NO_REPORT_CARD"

    row = await submitted(platform, game.uploader, game.scrim_id, game.good())
    assert (await ratify(platform, game.opponent, row.id)).status == "accepted"
    await run_jobs(platform)
    stored = await platform.storage.get(
        report_cards.card_key("scrim", game.scrim_id, row.id, COLOURS)
    )
    async with platform.reading() as s:
        card = await gather.scrim_card(s, scrim_id=game.scrim_id)
    assert size_of(stored) == render.card_size(card)
    assert card.title.startswith(f"Scrim {game.scrim_id} - ") and card.title.endswith("Doubles")
    assert card.subtitle == "Competitive scrim, fixed teams"
    assert card.home == " & ".join(await names(platform, game.home))
    assert card.away == " & ".join(await names(platform, game.away))
    # Home won every game 3-1 (on orange in game 2: sides are told by the players).
    assert [(g.home_goals, g.away_goals, g.home_won) for g in card.games] == [(3, 1, True)] * 3
    assert (card.home_wins, card.away_wins) == (3, 0) and not card.round_robin
    home, away = card.side(HOME), card.side(AWAY)
    assert {p.key for p in home} == set(game.home) and {p.key for p in away} == set(game.away)
    assert all((p.games, p.wins, p.goals) == (3, 3, 3) for p in home)  # a goal a game each
    assert all((p.games, p.wins) == (3, 0) for p in away)
    assert sum(p.mvps for p in home) == 3 and sum(p.mvps for p in away) == 0
    assert all(p.rating_change > 0 for p in home) and all(p.rating_change < 0 for p in away)

    # Its players and staff see it; nobody else does.
    for actor in (game.uploader.actor, game.opponent.actor, world.actors["league_staff"]):
        async with platform.reading() as s:
            png = await report_cards.scrim_card_png(
                s, platform.storage, actor=actor, scrim_id=game.scrim_id
            )
        assert png == stored
    await refused(platform, "UNAUTHENTICATED", Actor(), game.scrim_id)
    await refused(platform, "PERMISSION_DENIED", game.outsider.actor, game.scrim_id)
    await refused(platform, "NOT_FOUND", game.uploader.actor, 99999)

    # The uploader's latest result is this scrim.
    async with platform.reading() as s:
        latest = await report_cards.latest_card(
            s, platform.storage, actor=game.uploader.actor, organization_id=world.organization_id
        )
        with pytest.raises(DomainError) as none:
            await report_cards.latest_card(
                s,
                platform.storage,
                actor=game.outsider.actor,
                organization_id=world.organization_id,
            )
    assert (latest.subject, latest.subject_id, latest.png) == ("scrim", game.scrim_id, stored)
    assert latest.filename == f"report-card-scrim-{game.scrim_id}.png"
    assert none.value.code == "NO_REPORT_CARD"


async def test_a_round_robin_card_ranks_its_players_by_record(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    await set_setting(platform, world, "required_ratifications", 0)
    scrim_id = await started_scrim(platform, world, people, team_mode="round_robin")
    games = await lineups(platform, scrim_id)
    row = await submitted(platform, people[0], scrim_id, home_wins(scrim_id, games))
    assert row.status == "accepted"  # accepted by the job itself, which asked for the card
    await run_jobs(platform)
    stored = await platform.storage.get(report_cards.card_key("scrim", scrim_id, row.id, COLOURS))
    async with platform.reading() as s:
        card = await gather.scrim_card(s, scrim_id=scrim_id)
    assert (
        card.round_robin and card.subtitle == "Competitive scrim, teams drawn again for each game"
    )
    assert size_of(stored) == render.card_size(card)
    assert len(card.games) == len(games) == 3
    for score, (home, away) in zip(card.games, games, strict=True):
        assert list(score.home) == await names(platform, home)
        assert list(score.away) == await names(platform, away)
    wins = {m: sum(1 for home, _ in games if m in home) for p in people for m in [p.member_id]}
    ranked = card.ranked()
    assert [p.wins for p in ranked] == sorted(wins.values(), reverse=True)
    assert {p.key: p.wins for p in ranked} == wins
    assert all(p.side is None for p in ranked)


async def test_a_scrims_card_goes_to_its_players_only_by_their_choice(
    platform: Runtime, world: World
) -> None:
    game = await played(platform, world)
    async with platform.unit_of_work() as s:  # a results channel exists: the card skips it
        await channels.set_channel(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            purpose="results",
            channel_id=CHANNEL,
        )
        await preferences.set_preference(
            s, actor=game.uploader.actor, kind="result_accepted", delivery="dm"
        )
    row = await submitted(platform, game.uploader, game.scrim_id, game.good())
    assert (await ratify(platform, game.opponent, row.id)).status == "accepted"
    await run_jobs(platform)

    key = report_cards.card_key("scrim", game.scrim_id, row.id, COLOURS)
    inbox = await inbox_rows(platform, key=f"report_card:{key}")
    players = {game.by_member[m].user_id for m in (*game.home, *game.away)}
    assert {r.user_id for r in inbox} == players and len(inbox) == 4
    assert {(r.title, r.link) for r in inbox} == {
        (f"Report card of scrim {game.scrim_id}", f"/scrims/{game.scrim_id}")
    }
    # By DM to the one who takes results so (Discord is off here: recorded, not sent);
    # never in a channel.
    sent = await deliveries(platform, f"report_card:{key}")
    assert [(d.key, d.target_kind) for d in sent] == [
        (f"report_card:{key}:dm:{game.uploader.user_id}", "dm")
    ]
    async with platform.reading() as s:
        [file] = (
            await s.scalars(
                select(DeliveryAttachment).where(DeliveryAttachment.delivery_id == sent[0].id)
            )
        ).all()
    assert (file.filename, file.storage_key) == (f"report-card-scrim-{game.scrim_id}.png", key)
    async with platform.unit_of_work() as s:  # the job again (a redelivery): nothing more
        assert await report_cards.post_scrim_card(s, scrim_id=game.scrim_id) == []
    assert len(await deliveries(platform, "report_card:")) == 1
