"""Each event notifies where it happens, in the same transaction: scrims (created, popped,
started, queue bans), submissions (waiting, rejected, accepted), roster changes and match
reminders; the same event reported again adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from sprocket.flows.match_results import MatchSubject
from sprocket.flows.reminders import remind_matches
from sprocket.identity.models import User
from sprocket.league import rosters
from sprocket.league import service as league
from sprocket.league.models import Member, Player
from sprocket.notifications import channels
from sprocket.notifications.enums import NotificationKind
from sprocket.replays import service as replays
from sprocket.runtime import Runtime
from sprocket.schedule.models import Match
from sprocket.scrims import bans, lifecycle, timeouts
from tests.league_world import World
from tests.notifications.support import CHANNEL, ROLE, deliveries, inbox_rows
from tests.ratings.support import HOME_WINS_3_1, submit_series
from tests.replays.series import actor_of
from tests.scrims.helpers import NOW, premier_people
from tests.scrims.test_service import MINUTE, join, open_scrim


async def _set(platform: Runtime, world: World, purpose: str, scope_id: int = 0) -> None:
    async with platform.unit_of_work() as session:
        await channels.set_channel(
            session,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            purpose=purpose,
            scope_id=scope_id,
            channel_id=CHANNEL,
            role_id=ROLE,
        )


async def test_a_scrim_tells_its_group_its_pop_and_its_lobby(
    platform: Runtime, world: World
) -> None:
    await _set(platform, world, "scrims", world.skill_group_ids[0])
    people = (await premier_people(platform, world))[:4]
    scrim = await open_scrim(platform, world, people[0])
    created = await inbox_rows(platform, key=f"scrim_created:{scrim.id}")
    group = {p.user_id for p in await premier_people(platform, world)}
    assert {r.user_id for r in created} == group - {people[0].user_id}
    [post] = await deliveries(platform, f"scrim_created:{scrim.id}:channel")
    assert post.target == CHANNEL and post.message["mention_role_ids"] == [ROLE]
    for person in people[1:]:
        await join(platform, person, scrim.id, now=NOW + MINUTE)
    popped = [r for r in await inbox_rows(platform) if r.kind == NotificationKind.SCRIM_POPPED]
    assert {r.user_id for r in popped} == {p.user_id for p in people}
    dms = [d for d in await deliveries(platform, "scrim_popped:") if ":dm:" in d.key]
    assert len(dms) == 4  # a pop is a direct message by default
    assert {d.message["buttons"][0]["custom_id"] for d in dms} == {f"checkin:{scrim.id}"}
    for person in people:
        async with platform.unit_of_work() as session:
            await lifecycle.check_in(
                session, actor=person.actor, scrim_id=scrim.id, now=NOW + 2 * MINUTE
            )
    started = await inbox_rows(platform, key=f"scrim_started:{scrim.id}")
    assert len(started) == 4
    async with platform.reading() as session:
        row = await session.get(type(scrim), scrim.id)
    assert row.lobby_password in started[0].body and row.lobby_name in started[0].body
    sent = await deliveries(platform, f"scrim_started:{scrim.id}")
    assert len(sent) == 4 and all(":dm:" in d.key for d in sent)  # never in a channel


async def test_a_missed_check_in_and_a_staff_ban_tell_the_banned(
    platform: Runtime, world: World
) -> None:
    people = (await premier_people(platform, world))[:4]
    scrim = await open_scrim(platform, world, people[0])
    for person in people[1:]:
        await join(platform, person, scrim.id, now=NOW + MINUTE)
    async with platform.unit_of_work() as session:
        await lifecycle.check_in(
            session, actor=people[0].actor, scrim_id=scrim.id, now=NOW + 2 * MINUTE
        )
    async with platform.unit_of_work() as session:
        missed = await timeouts.expire_check_ins(session, now=NOW + dt.timedelta(hours=1))
    bans_told = [r for r in await inbox_rows(platform) if r.kind == NotificationKind.QUEUE_BAN]
    assert {r.user_id for r in bans_told} == {p.user_id for p in people[1:]}
    assert all(f"missed the check-in of scrim {scrim.id}" in r.body for r in bans_told)
    assert len(missed) == 3
    async with platform.unit_of_work() as session:
        ban = await bans.ban_from_queue(
            session,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            member_id=people[0].member_id,
            minutes=60,
            reason="abuse in chat",
        )
    [told] = await inbox_rows(platform, key=f"queue_ban:{ban.id}")
    assert told.user_id == people[0].user_id and "abuse in chat" in told.body


async def test_a_submission_asks_the_other_side_then_tells_everyone_the_result(
    platform: Runtime, world: World
) -> None:
    await _set(platform, world, "results")
    match_id, line, submission_id = await submit_series(platform, world, 0, 1, HOME_WINS_3_1)
    waiting = [
        r for r in await inbox_rows(platform) if r.kind == NotificationKind.SUBMISSION_WAITING
    ]
    away_users = {(await actor_of(platform, m)).user_id for m, *_ in line.away}
    home_users = {(await actor_of(platform, m)).user_id for m, *_ in line.home}
    assert {r.user_id for r in waiting} >= away_users
    assert not {r.user_id for r in waiting} & home_users
    assert waiting[0].link == f"/submissions/{submission_id}"
    async with platform.unit_of_work() as session:
        await replays.ratify(
            session, actor=await actor_of(platform, line.away[0][0]), submission_id=submission_id
        )
    accepted = [r for r in await inbox_rows(platform) if r.kind == NotificationKind.RESULT_ACCEPTED]
    assert {r.user_id for r in accepted} >= away_users | home_users
    [post] = await deliveries(platform, f"result_accepted:{submission_id}:")
    assert post.target == CHANNEL and post.message["mention_role_ids"] == []  # no role ping
    assert match_id


async def test_a_rejection_tells_the_submitting_side_in_its_team_channel(
    platform: Runtime, world: World
) -> None:
    await _set(platform, world, "team", world.team_ids[0])
    _, line, submission_id = await submit_series(platform, world, 0, 1, HOME_WINS_3_1)
    async with platform.unit_of_work() as session:
        await replays.reject(
            session,
            actor=await actor_of(platform, line.away[0][0]),
            submission_id=submission_id,
            reason="game 2 was a different match",
        )
    rejected = [
        r for r in await inbox_rows(platform) if r.kind == NotificationKind.SUBMISSION_REJECTED
    ]
    home_users = {(await actor_of(platform, m)).user_id for m, *_ in line.home}
    assert {r.user_id for r in rejected} == home_users
    assert "game 2 was a different match" in rejected[0].body
    [post] = await deliveries(platform, f"submission_rejected:{submission_id}:")
    assert post.message["mention_role_ids"] == [ROLE]


async def test_a_roster_change_is_told_and_posted_in_transactions(
    platform: Runtime, world: World
) -> None:
    await _set(platform, world, "transactions")
    player_id = world.free_player_ids[0]
    async with platform.unit_of_work() as session:
        spot = await rosters.add_to_roster(
            session,
            actor=world.actors["league_staff"],
            team_id=world.team_ids[2],
            player_id=player_id,
            season_id=world.season_id,
        )
        user_id = await session.scalar(
            select(Member.user_id)
            .join(Player, Player.member_id == Member.id)
            .where(Player.id == player_id)
        )
    [told] = await inbox_rows(platform, key=f"roster_changed:{spot.id}:join")
    assert told.user_id == user_id and "joined Team 3" in told.title
    assert await deliveries(platform, f"roster_changed:{spot.id}:join:channel:transactions")


async def test_a_match_closing_without_a_result_is_reminded_once(
    platform: Runtime, world: World
) -> None:
    async with platform.reading() as session:
        match = await session.get(Match, world.match_ids[0])
    assert match is not None
    early = match.ends_at - dt.timedelta(days=3)
    async with platform.unit_of_work() as session:
        assert match.id not in await remind_matches(session, now=early)  # not yet
        await league.set_organization_setting(
            session,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            key="match_reminder_minutes",
            value=0,
        )
        assert await remind_matches(session, now=match.ends_at - dt.timedelta(hours=1)) == []
        await league.set_organization_setting(
            session,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            key="match_reminder_minutes",
            value=120,
        )
    soon = match.ends_at - dt.timedelta(hours=1)
    async with platform.reading() as session:
        subject = await MatchSubject.load(session, match.id)
        sides = await subject.sides(session)
    home_team, home_users = sides[0][0].team_id, sides[0][1]
    await _set(platform, world, "team", home_team)
    async with platform.unit_of_work() as session:
        reminded = await remind_matches(session, now=soon)
        home_ids = {(await session.get(User, user)).discord_id for user in home_users}
    assert match.id in reminded
    # The home team's channel mentions its own players (a reminder's default: the channel).
    [post] = await deliveries(platform, f"match_reminder:{match.id}:channel")
    assert set(post.message["mention_user_ids"]) == home_ids
    assert post.message["mention_role_ids"] == [ROLE]
    rows = await inbox_rows(platform, key=f"match_reminder:{match.id}")
    assert len(rows) == 4  # both teams of two
    async with platform.unit_of_work() as session:
        assert match.id not in await remind_matches(session, now=soon + dt.timedelta(minutes=5))
    assert len(await inbox_rows(platform, key=f"match_reminder:{match.id}")) == 4
