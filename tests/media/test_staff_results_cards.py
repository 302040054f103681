"""Report cards of results staff decided: a series whose scores staff entered by hand (the
GraphQL ``recordResult``) gets a card of its games without player lines, posted once to the
results channel like any accepted series', and shown on the match page, and both teams'
players are told of the result; a submission staff
force-accepted gets its card and post as a ratified one does. A forfeit has no card."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from sprocket.errors import DomainError
from sprocket.flows.match_results import MatchSubject
from sprocket.media import gather, render
from sprocket.media import service as report_cards
from sprocket.notifications import channels
from sprocket.notifications.delivery import Delivery, DeliveryAttachment
from sprocket.notifications.enums import NotificationKind
from sprocket.notifications.models import Notification
from sprocket.replays import service as replays
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Match
from tests.api.test_replay_api import new_match
from tests.conftest import GraphQLClient
from tests.league_world import World
from tests.ratings.support import HOME_WINS_3_1, submit_series
from tests.replays.test_submissions import run_jobs

#: The organization's colours when it chose none (primary, secondary).
COLOURS = ("#1f3a5f", "#e07a1f")
RESULTS = "610000000000000077"
RECORD = """mutation($m: ID!, $g: [GameScoreInput!]!) {
  recordResult(matchId: $m, games: $g) { status }
}"""


def size_of(png: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image.size


async def results_channel(platform: Runtime, world: World) -> None:
    async with platform.unit_of_work() as s:
        await channels.set_channel(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            purpose="results",
            channel_id=RESULTS,
        )


async def posted(platform: Runtime, key: str) -> list[tuple[Delivery, list[DeliveryAttachment]]]:
    """The deliveries of the card stored under ``key``, with their files."""
    async with platform.reading() as s:
        rows = (await s.scalars(select(Delivery).where(Delivery.key == f"report_card:{key}"))).all()
        return [
            (
                row,
                list(
                    (
                        await s.scalars(
                            select(DeliveryAttachment).where(
                                DeliveryAttachment.delivery_id == row.id
                            )
                        )
                    ).all()
                ),
            )
            for row in rows
        ]


async def test_scores_staff_entered_get_a_card_without_player_lines_posted_once(
    platform: Runtime, world: World, gql: GraphQLClient
) -> None:
    await results_channel(platform, world)
    match_id = await new_match(platform, world, 0, 1)
    games = [{"homeGoals": h, "awayGoals": a} for h, a in HOME_WINS_3_1]
    staff = world.tokens["league_staff"]
    done = await gql.ok(RECORD, {"m": str(match_id), "g": games}, token=staff)
    assert done["recordResult"]["status"] == "COMPLETED"
    await run_jobs(platform)

    async with platform.reading() as s:
        match = await s.get(Match, match_id)
        result = await report_cards.result_of(s, subject="match", subject_id=match_id)
        card = await gather.match_card(s, match_id=match_id)
    assert result == f"entered-{int(match.completed_at.timestamp())}"
    key = report_cards.card_key("match", match_id, result, COLOURS)
    stored = await platform.storage.get(key)  # made by the job
    assert [(g.home_goals, g.away_goals) for g in card.games] == list(HOME_WINS_3_1)
    assert (card.home_wins, card.away_wins, card.players) == (3, 1, ())
    assert size_of(stored) == render.card_size(card)

    [(delivery, files)] = await posted(platform, key)
    assert (delivery.target_kind, delivery.target) == ("channel", RESULTS)
    assert [(f.filename, f.storage_key) for f in files] == [
        (f"report-card-match-{match_id}.png", key)
    ]
    async with platform.unit_of_work() as s:  # the job again (a redelivery): no second post
        assert await report_cards.post_match_card(s, match_id=match_id) is None
        assert await report_cards.has_card(s, subject="match", subject_id=match_id)

    # every player on the two teams' rosters has the result in their inbox, once
    async with platform.reading() as s:
        subject = await MatchSubject.load(s, match_id)
        players = {user for _, users in await subject.sides(s) for user in users}
        told = (
            await s.execute(
                select(Notification.user_id, Notification.kind, Notification.body)
                .where(Notification.link == f"/matches/{match_id}")
                .order_by(Notification.user_id)
            )
        ).all()
    assert players and {user for user, _, _ in told} == players and len(told) == len(players)
    assert {kind for _, kind, _ in told} == {NotificationKind.RESULT_ACCEPTED}
    scores = ", ".join(f"{home}-{away}" for home, away in HOME_WINS_3_1)
    assert all(body.endswith(f": {scores}.") for _, _, body in told), told


async def test_a_force_accepted_submission_gets_its_card_and_post(
    platform: Runtime, world: World
) -> None:
    await results_channel(platform, world)
    match_id, _, submission_id = await submit_series(platform, world, 0, 1, HOME_WINS_3_1)
    async with platform.unit_of_work() as s:
        forced = await replays.force_accept(
            s,
            actor=world.actors["league_staff"],
            submission_id=submission_id,
            reason="The away captain is away.",
        )
        assert forced.status == "accepted"
    await run_jobs(platform)

    key = report_cards.card_key("match", match_id, submission_id, COLOURS)
    async with platform.reading() as s:
        card = await gather.match_card(s, match_id=match_id)
    assert len(card.players) == 4  # the replays' lines
    assert size_of(await platform.storage.get(key)) == render.card_size(card)
    [(delivery, files)] = await posted(platform, key)
    assert delivery.target == RESULTS and [f.storage_key for f in files] == [key]


async def test_a_forfeit_has_no_card(platform: Runtime, world: World) -> None:
    match_id = await new_match(platform, world, 0, 1)
    async with platform.unit_of_work() as s:
        await schedule.record_forfeit(
            s, actor=world.actors["league_staff"], match_id=match_id, team_id=world.team_ids[1]
        )
    async with platform.reading() as s:
        assert not await report_cards.has_card(s, subject="match", subject_id=match_id)
        with pytest.raises(DomainError) as refused:
            await report_cards.make_card(s, platform.storage, subject="match", subject_id=match_id)
    assert refused.value.code == "NO_REPORT_CARD"
