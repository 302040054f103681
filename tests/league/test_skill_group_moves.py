"""League staff move a player to another skill group: audited with its reason, told to the
player and posted in the transactions channel (without the reason), the player's Discord
standing (what role sync gives them) follows; every refusal is typed and changes nothing.

The World's free players are in Premier on no team; its team players are on Premier teams;
Master is its empty second group."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.league import discord_sync, members, rosters
from sprocket.league import service as league
from sprocket.league.models import Member, Player
from sprocket.notifications import channels
from sprocket.runtime import Runtime
from tests.helpers.database import fails_unchanged
from tests.league_world import World
from tests.notifications.support import CHANNEL, ROLE, deliveries, inbox_rows


def _move(world: World, player: int, group: int, *, reason="promoted", actor="league_staff"):
    return lambda s: members.move_player(
        s, actor=world.actors[actor], player_id=player, skill_group_id=group, reason=reason
    )


async def _user_of(platform: Runtime, player_id: int) -> int:
    async with platform.reading() as s:
        user = await s.scalar(
            select(Member.user_id)
            .join(Player, Player.member_id == Member.id)
            .where(Player.id == player_id)
        )
    assert user is not None
    return user


async def test_staff_move_a_player_the_audit_keeps_why_and_the_player_and_channel_are_told(
    platform: Runtime, world: World
) -> None:
    premier, master = world.skill_group_ids
    async with platform.unit_of_work() as s:
        await channels.set_channel(
            s,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            purpose="transactions",
            scope_id=0,
            channel_id=CHANNEL,
            role_id=ROLE,
        )
    player_id = world.free_player_ids[0]
    async with platform.unit_of_work() as s:
        moved = await _move(world, player_id, master, reason="  won the placement cup  ")(s)
    assert moved.player.skill_group_id == master and moved.before.name == "Premier"
    async with platform.reading() as s:
        assert (await s.get(Player, player_id)).skill_group_id == master
        [entry] = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "player.skill_group"))
        ).all()
    assert entry.subject == f"member:{moved.member.id}"
    assert entry.actor_user_id == world.user_ids["league_staff"]
    assert entry.details == {
        "player_id": player_id,
        "league": "Doubles",
        "from": "Premier",
        "to": "Master",
        "reason": "won the placement cup",
    }

    [told] = await inbox_rows(platform, key=f"skill_group_changed:{entry.id}")
    assert told.user_id == await _user_of(platform, player_id)
    assert told.title == "Free 0 moved to Master"
    assert told.body == "Free 0 moved from Premier to Master (Doubles)."
    assert "placement" not in told.body  # the reason stays in the audit log
    [post] = await deliveries(platform, f"skill_group_changed:{entry.id}:channel:transactions")
    assert post.target == CHANNEL

    # Moved back: a second transaction, told again (its own key).
    async with platform.unit_of_work() as s:
        await _move(world, player_id, premier, reason="asked to go back")(s)
    rows = [r for r in await inbox_rows(platform) if r.key.startswith("skill_group_changed:")]
    assert [r.title for r in rows] == ["Free 0 moved to Master", "Free 0 moved to Premier"]


async def test_a_player_on_a_team_of_another_group_is_released_first(
    platform: Runtime, world: World
) -> None:
    master = world.skill_group_ids[1]
    player_id = world.player_ids[2]  # on Team 2, a Premier team
    error = await fails_unchanged(
        platform, _move(world, player_id, master), code="WRONG_SKILL_GROUP"
    )
    assert "plays for Team 2" in error.message and "release" in error.message
    async with platform.unit_of_work() as s:
        await rosters.remove_from_roster(
            s,
            actor=world.actors["league_staff"],
            team_id=world.team_ids[1],
            player_id=player_id,
            season_id=world.season_id,
        )
    async with platform.unit_of_work() as s:
        assert (await _move(world, player_id, master)(s)).player.skill_group_id == master


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        ("spectator", "UNAUTHENTICATED"),
        ("player", "PERMISSION_DENIED"),
        ("team_captain", "PERMISSION_DENIED"),
        ("franchise_manager", "PERMISSION_DENIED"),
        ("outsider", "PERMISSION_DENIED"),
    ],
)
async def test_only_league_staff_move_players(
    platform: Runtime, world: World, actor: str, code: str
) -> None:
    master = world.skill_group_ids[1]
    await fails_unchanged(
        platform, _move(world, world.free_player_ids[0], master, actor=actor), code=code
    )


async def test_bad_moves_are_refused_and_change_nothing(platform: Runtime, world: World) -> None:
    premier, master = world.skill_group_ids
    free = world.free_player_ids[0]
    async with platform.unit_of_work() as s:
        other = await league.create_league(
            s,
            actor=world.actors["superuser"],
            organization_id=world.organization_id,
            name="Standard",
            game_mode="standard",
        )
        elsewhere = await league.create_skill_group(
            s,
            actor=world.actors["superuser"],
            league_id=other.id,
            name="Elite",
            code="EL",
            ordinal=1,
        )
    cases = [
        (_move(world, free, master, reason="   "), "MOVE_REASON_REQUIRED"),
        (_move(world, free, premier), "SKILL_GROUP_UNCHANGED"),
        (_move(world, free, elsewhere.id), "WRONG_LEAGUE"),
        (_move(world, free, 987654), "NOT_FOUND"),
        (_move(world, 987654, master), "NOT_FOUND"),
    ]
    for call, code in cases:
        await fails_unchanged(platform, call, code=code)
    # A member who left is not moved.
    async with platform.reading() as s:
        member_id = (await s.get(Player, free)).member_id
    async with platform.unit_of_work() as s:
        await members.remove_member(
            s,
            actor=world.actors["superuser"],
            organization_id=world.organization_id,
            member_id=member_id,
        )
    await fails_unchanged(platform, _move(world, free, master), code="MEMBER_LEFT")


async def test_the_players_discord_standing_follows_the_move(
    platform: Runtime, world: World
) -> None:
    master = world.skill_group_ids[1]
    player_id = world.free_player_ids[1]
    async with platform.reading() as s:
        member_id = (await s.get(Player, player_id)).member_id
        before = await discord_sync.standings(
            s, organization_id=world.organization_id, member_ids=[member_id]
        )
    async with platform.unit_of_work() as s:
        await _move(world, player_id, master)(s)
    async with platform.reading() as s:
        after = await discord_sync.standings(
            s, organization_id=world.organization_id, member_ids=[member_id]
        )
    [(discord_id, was)] = before.items()
    assert was.skill_groups == frozenset({world.skill_group_ids[0]})
    assert after[discord_id].skill_groups == frozenset({master})
