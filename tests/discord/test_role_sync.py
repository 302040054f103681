"""Discord role and nickname sync against the fake Discord API: a whole server reconciled
(exactly the diff, then nothing), members who left or whose nickname is too long reported
and skipped, refusals reported per member, and single-member syncs through the outbox after
a roster change or a rating band crossed."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from sprocket.config import Settings
from sprocket.db import utcnow
from sprocket.flows import role_sync
from sprocket.flows.role_sync import SyncAction, SyncOutcome, SyncReport
from sprocket.identity import service as identity
from sprocket.identity.models import User
from sprocket.league import discord_roles, members, rosters
from sprocket.league.discord_sync import SYNC_MEMBER_JOB
from sprocket.league.models import Member
from sprocket.platform.discord_rest import guild_members
from sprocket.platform.outbox import OutboxMessage
from sprocket.ratings import service as ratings
from sprocket.ratings.enums import RatingSource
from sprocket.ratings.service import RatedGame
from sprocket.runtime import Runtime
from tests.discord.conftest import GUILD_ID
from tests.discord.fake_api import BOT_TOKEN, FakeDiscordApi, FakeGuild
from tests.discord.support import discord_id, link_world
from tests.league_world import World

ROLE = {
    name: str(300000000000000001 + n)
    for n, name in enumerate(("pl", "ml", "t1", "t2", "ace", "mid", "high"))
}
UNMANAGED = "399999999999999999"
CAPTAIN, PLAYER = discord_id("team_captain"), discord_id("player")
P10, P11 = "910000000000000010", "910000000000000011"  # Team 2, no franchise
FREE = "920000000000000000"  # registered in Premier, on no team
LONG = "930000000000000001"
LONG_NAME = "Maximiliana Oyelaran-Sokolo"  # "[ACE] " + this: 33 characters
STRANGER = "940000000000000001"  # in the server, not in the organization
BOT = "950000000000000001"


@pytest.fixture
def settings(settings: Settings, fake_api: FakeDiscordApi) -> Settings:
    """The tests' settings with the fake Discord API and a bot token (the jobs call it)."""
    return settings.model_copy(
        update={"discord_api_url": fake_api.url, "discord_bot_token": BOT_TOKEN}
    )


async def member_id(platform: Runtime, user: str) -> int:
    async with platform.reading() as session:
        found = await session.scalar(
            select(Member.id).join(User, User.id == Member.user_id).where(User.discord_id == user)
        )
    assert found is not None
    return found


async def sync_jobs(platform: Runtime) -> list[dict[str, Any]]:
    async with platform.reading() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.job == SYNC_MEMBER_JOB)
        )
        return [row.payload for row in rows]


async def run_jobs(platform: Runtime) -> None:
    while await platform.relay.relay_once():
        await platform.broker.wait_all()


async def configure(platform: Runtime, world: World) -> None:
    """Link the server and sync: Premier and Master, Team 1 and 2, the Aces franchise,
    doubles bands from 1000 and from 1040; franchise tags in nicknames."""
    await link_world(platform, world)
    admin = world.actors["organization_admin"]
    async with platform.unit_of_work() as session:
        doubles = await ratings.game_mode_id(session, "doubles")
        for role, kind, subject, minimum in (
            ("pl", "skill_group", world.skill_group_ids[0], None),
            ("ml", "skill_group", world.skill_group_ids[1], None),
            ("t1", "team", world.team_ids[0], None),
            ("t2", "team", world.team_ids[1], None),
            ("ace", "franchise", world.franchise_id, None),
            ("mid", "rating_band", doubles, 1000),
            ("high", "rating_band", doubles, 1040),
        ):
            await discord_roles.sync_role(
                session,
                actor=admin,
                organization_id=world.organization_id,
                guild_id=GUILD_ID,
                role_id=ROLE[role],
                kind=kind,
                subject_id=subject,
                minimum_rating=minimum,
            )
        await discord_roles.set_nickname_prefix(
            session,
            actor=admin,
            organization_id=world.organization_id,
            guild_id=GUILD_ID,
            enabled=True,
        )


async def sign_long_named_player(platform: Runtime, world: World) -> None:
    """A member called :data:`LONG_NAME`, signed to Team 1 (the Aces) now."""
    root = world.actors["superuser"]
    async with platform.unit_of_work() as session:
        user = await identity.ensure_user(session, discord_id=LONG, display_name=LONG_NAME)
        member = await members.add_member(
            session, actor=root, organization_id=world.organization_id, user_id=user.id
        )
        player = await members.register_player(
            session,
            actor=root,
            member_id=member.id,
            league_id=world.league_id,
            skill_group_id=world.skill_group_ids[0],
        )
        await rosters.add_to_roster(
            session,
            actor=root,
            team_id=world.team_ids[0],
            player_id=player.id,
            season_id=world.season_id,
        )


def the_server(fake: FakeDiscordApi) -> FakeGuild:
    """The tests' server: members as they were before Sprocket synced anything. Team 2's
    role sits above the bot's; P10 owns the server; P11 leaves right after being listed."""
    guild = fake.guild(GUILD_ID)
    guild.page_size = 2
    guild.roles_above_bot = {ROLE["t2"]}
    guild.owner_id = P10
    guild.leaving = {P11}
    guild.add_member(CAPTAIN, "Team Captain", roles=(UNMANAGED, ROLE["t2"]))
    guild.add_member(PLAYER, "Player", nick="[ACE] Player")
    guild.add_member(P10, "P10", nick="[ACE] Old Name")
    guild.add_member(P11, "P11")
    guild.add_member(FREE, "Free 0", roles=(ROLE["ml"],))
    guild.add_member(LONG, LONG_NAME)
    guild.add_member(STRANGER, "Stranger", roles=(ROLE["ace"], UNMANAGED))
    guild.add_member(BOT, "Some Bot", roles=(ROLE["pl"],), bot=True)
    return guild


async def sync(platform: Runtime, fake: FakeDiscordApi, *, dry_run: bool = False) -> SyncReport:
    async with guild_members(api_url=fake.url, bot_token=BOT_TOKEN) as api:
        return await role_sync.sync_guilds(reading=platform.reading, members=api, dry_run=dry_run)


def lines(report: SyncReport, *outcomes: SyncOutcome) -> set[tuple[str, str, str]]:
    return {
        (line.user_id, line.action.value, line.detail)
        for line in report.lines
        if line.outcome in outcomes
    }


def state(guild: FakeGuild) -> dict[str, tuple[frozenset[str], str | None]]:
    return {u: (frozenset(m["roles"]), m["nick"]) for u, m in guild.members.items()}


async def test_a_sync_applies_exactly_the_diff_and_a_second_changes_nothing(
    platform: Runtime, world: World, fake_api: FakeDiscordApi
) -> None:
    assert await sync_jobs(platform) == []  # no server synced anything while the world grew
    await configure(platform, world)
    await sign_long_named_player(platform, world)
    assert len(f"[ACE] {LONG_NAME}") == 33
    guild = the_server(fake_api)
    before = state(guild)

    planned = await sync(platform, fake_api, dry_run=True)
    assert fake_api.changes() == []  # a dry run changes nothing
    assert state(guild) == before

    report = await sync(platform, fake_api)
    add, remove, nick = "add_role", "remove_role", "nickname"
    assert lines(report, SyncOutcome.DONE) == {
        (CAPTAIN, add, ROLE["pl"]),
        (CAPTAIN, add, ROLE["t1"]),
        (CAPTAIN, add, ROLE["ace"]),
        (CAPTAIN, nick, "[ACE] Team Captain"),
        (PLAYER, add, ROLE["pl"]),
        (PLAYER, add, ROLE["t1"]),
        (PLAYER, add, ROLE["ace"]),
        (P10, add, ROLE["pl"]),
        (FREE, add, ROLE["pl"]),
        (FREE, remove, ROLE["ml"]),
        (LONG, add, ROLE["pl"]),
        (LONG, add, ROLE["t1"]),
        (LONG, add, ROLE["ace"]),
        (STRANGER, remove, ROLE["ace"]),
    }
    # the role above the bot's and the owner's nickname: refused, reported, not fatal
    assert lines(report, SyncOutcome.REFUSED) == {
        (CAPTAIN, remove, ROLE["t2"]),
        (P10, add, ROLE["t2"]),
        (P10, nick, "Old Name"),
    }
    refusal = next(line for line in report.lines if line.outcome is SyncOutcome.REFUSED)
    assert "the bot's role must be above the roles it manages" in refusal.reason
    # who left the server and the nickname over 32 characters: reported and skipped
    assert lines(report, SyncOutcome.SKIPPED) == {
        (P11, "member", ""),
        (LONG, nick, f"[ACE] {LONG_NAME}"),
    }
    assert lines(report, SyncOutcome.FAILED) == set()
    too_long = next(line for line in report.lines if line.user_id == LONG and line.action == nick)
    assert "33 characters, over Discord's 32" in too_long.reason
    # the dry run planned what the run then did or tried (P11 left in between)
    assert lines(planned, SyncOutcome.PLANNED) - {
        line for line in lines(planned, SyncOutcome.PLANNED) if line[0] == P11
    } == lines(report, SyncOutcome.DONE, SyncOutcome.REFUSED)
    assert lines(planned, SyncOutcome.SKIPPED) == {(LONG, nick, f"[ACE] {LONG_NAME}")}
    assert report.guilds == 1 and report.members == 7  # the bot is left out
    assert report.as_json()["done"] == 14 and report.as_json()["refused"] == 3

    # Discord's side: exactly those changes, unmanaged roles kept, the bot untouched
    assert guild.roles_of(CAPTAIN) == {UNMANAGED, ROLE["t2"], ROLE["pl"], ROLE["t1"], ROLE["ace"]}
    assert guild.nick_of(CAPTAIN) == "[ACE] Team Captain"
    assert guild.nick_of(PLAYER) == "[ACE] Player"
    assert guild.roles_of(STRANGER) == {UNMANAGED}
    assert guild.roles_of(FREE) == {ROLE["pl"]}
    assert guild.nick_of(LONG) is None
    assert guild.nick_of(P10) == "[ACE] Old Name"  # the owner's, refused
    assert P11 not in guild.members
    assert state(guild)[BOT] == before[BOT]
    # 14 done, 3 refused, and the one call that found P11 gone: nothing else was called
    assert len(fake_api.changes()) == 18
    # the members were listed two at a time, each page after the last id of the one before
    listed = fake_api.to("GET", f"/guilds/{GUILD_ID}/members")[-5:]
    assert [c.query for c in listed] == [
        "limit=1000",
        f"after={PLAYER}&limit=1000",
        f"after={P11}&limit=1000",
        f"after={LONG}&limit=1000",
        f"after={BOT}&limit=1000",
    ]
    # each change says why in the server's audit log (URL-encoded, as Discord reads it)
    reasons = {unquote(c.headers["x-audit-log-reason"]) for c in fake_api.changes()}
    assert reasons == {"Sprocket role sync"}

    settled = state(guild)
    calls = len(fake_api.changes())
    again = await sync(platform, fake_api)
    assert again.count(SyncOutcome.DONE) == 0
    assert state(guild) == settled
    # only the refused changes are tried again, and refused again
    assert lines(again, SyncOutcome.REFUSED) == lines(report, SyncOutcome.REFUSED)
    assert len(fake_api.changes()) == calls + 3


async def test_a_server_whose_members_cannot_be_listed_is_reported(
    platform: Runtime, world: World, fake_api: FakeDiscordApi
) -> None:
    await configure(platform, world)
    guild = the_server(fake_api)
    guild.members_intent = False
    report = await sync(platform, fake_api)
    [line] = report.lines
    assert (line.guild_id, line.action, line.outcome) == (
        GUILD_ID,
        SyncAction.SERVER,
        SyncOutcome.REFUSED,
    )
    assert "Server Members intent" in line.reason
    assert fake_api.changes() == []


async def test_a_roster_change_syncs_that_member_through_the_outbox(
    platform: Runtime, world: World, fake_api: FakeDiscordApi
) -> None:
    await configure(platform, world)
    guild = the_server(fake_api)
    guild.roles_above_bot = set()
    free = await member_id(platform, FREE)
    async with platform.unit_of_work() as session:
        await rosters.add_to_roster(
            session,
            actor=world.actors["league_staff"],
            team_id=world.team_ids[1],
            player_id=world.free_player_ids[0],
            season_id=world.season_id,
        )
    assert await sync_jobs(platform) == [{"member_id": free}]
    await run_jobs(platform)
    assert guild.roles_of(FREE) == {ROLE["pl"], ROLE["t2"]}  # Master's role taken off
    assert {c.path.split("/members/")[1].split("/")[0] for c in fake_api.changes()} == {FREE}

    async with platform.unit_of_work() as session:
        await rosters.remove_from_roster(
            session,
            actor=world.actors["league_staff"],
            team_id=world.team_ids[1],
            player_id=world.free_player_ids[0],
            season_id=world.season_id,
        )
    assert await sync_jobs(platform) == [{"member_id": free}] * 2
    await run_jobs(platform)
    assert guild.roles_of(FREE) == {ROLE["pl"]}


async def test_leaving_the_organization_takes_the_roles_and_the_tag(
    platform: Runtime, world: World, fake_api: FakeDiscordApi
) -> None:
    await configure(platform, world)
    guild = the_server(fake_api)
    await sync(platform, fake_api)
    assert guild.nick_of(PLAYER) == "[ACE] Player"
    player = await member_id(platform, PLAYER)
    async with platform.unit_of_work() as session:
        await members.remove_member(
            session,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            member_id=player,
        )
    await run_jobs(platform)
    assert guild.roles_of(PLAYER) == set()
    assert guild.nick_of(PLAYER) == "Player"


async def test_a_member_not_in_the_server_is_reported_and_skipped(
    platform: Runtime, world: World, fake_api: FakeDiscordApi
) -> None:
    await configure(platform, world)
    the_server(fake_api)
    outside = await member_id(platform, "920000000000000001")  # Free 1: not in the server
    async with guild_members(api_url=fake_api.url, bot_token=BOT_TOKEN) as api:
        report = await role_sync.sync_member(
            reading=platform.reading, members=api, member_id=outside
        )
    assert lines(report, SyncOutcome.SKIPPED) == {("920000000000000001", "member", "")}
    assert report.count(SyncOutcome.DONE) == 0 and fake_api.changes() == []


async def test_a_rating_band_crossed_syncs_the_players(
    platform: Runtime, world: World, fake_api: FakeDiscordApi
) -> None:
    await configure(platform, world)
    guild = the_server(fake_api)
    guild.leaving = set()
    home = (await member_id(platform, CAPTAIN), await member_id(platform, PLAYER))
    away = (await member_id(platform, P10), await member_id(platform, P11))
    async with platform.unit_of_work() as session:
        doubles = await ratings.game_mode_id(session, "doubles")
        now = utcnow()
        points = await ratings.rate_games(
            session,
            games=[
                RatedGame(
                    RatingSource.MATCH,
                    1,
                    world.organization_id,
                    doubles,
                    now,
                    now,
                    home,
                    away,
                    True,
                )
            ],
        )
    after = {p.member_id: p.displayed_after for p in points}
    assert all(after[m] >= 1040 for m in home)  # from 1000 (band "mid") up to "high"
    assert all(after[m] < 1000 for m in away)  # down out of every band
    assert sorted(job["member_id"] for job in await sync_jobs(platform)) == sorted(home + away)
    await run_jobs(platform)
    assert ROLE["high"] in guild.roles_of(CAPTAIN) and ROLE["high"] in guild.roles_of(PLAYER)
    assert not {ROLE["mid"], ROLE["high"]} & (guild.roles_of(P10) | guild.roles_of(P11))

    # a game of a mode without bands asks for no sync
    count = len(await sync_jobs(platform))
    async with platform.unit_of_work() as session:
        duel = await ratings.game_mode_id(session, "duel")
        await ratings.rate_games(
            session,
            games=[
                RatedGame(
                    RatingSource.MATCH,
                    2,
                    world.organization_id,
                    duel,
                    now,
                    now,
                    home[:1],
                    away[:1],
                    True,
                )
            ],
        )
    assert len(await sync_jobs(platform)) == count
