"""notify: every recipient's inbox once per event, a direct message or a channel mention by
their preference, one channel copy with its role; a redelivered event adds nothing."""

from __future__ import annotations

import pytest

from sprocket.errors import DomainError
from sprocket.identity.models import User
from sprocket.notifications import channels, preferences
from sprocket.notifications.channels import Place
from sprocket.notifications.enums import ChannelPurpose, DeliveryMode, NotificationKind
from sprocket.notifications.message import Button
from sprocket.notifications.service import Notice, notify
from sprocket.runtime import Runtime
from tests.league_world import World
from tests.notifications.support import CHANNEL, ROLE, deliveries, inbox_rows

NOTICE = Notice(
    "Ratify the result",
    "Submission 7 waits.",
    link="/submissions/7",
    buttons=(Button("Ratify", custom_id="ratify:7"),),
)


async def _notify(platform: Runtime, world: World, users: list[int], key: str = "event:1") -> int:
    async with platform.unit_of_work() as session:
        made = await notify(
            session,
            organization_id=world.organization_id,
            kind=NotificationKind.SUBMISSION_WAITING,
            recipients=users,
            notice=NOTICE,
            key=key,
            places=[Place(ChannelPurpose.TEAM, world.team_ids[0])],
        )
    return len(made)


async def _team_channel(platform: Runtime, world: World) -> None:
    async with platform.unit_of_work() as session:
        await channels.set_channel(
            session,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            purpose="team",
            scope_id=world.team_ids[0],
            channel_id=CHANNEL,
            role_id=ROLE,
        )


async def _choose(platform: Runtime, world: World, role: str, **choice: object) -> None:
    async with platform.unit_of_work() as session:
        await preferences.set_preference(
            session, actor=world.actors[role], kind="submission_waiting", **choice
        )


async def test_a_redelivered_event_adds_nothing(platform: Runtime, world: World) -> None:
    await _team_channel(platform, world)
    await _choose(platform, world, "player", delivery="dm")
    users = [world.user_ids["player"], world.user_ids["team_captain"]]
    assert await _notify(platform, world, users) == 2
    first = await deliveries(platform, "event:1")
    assert await _notify(platform, world, users) == 0
    assert [d.id for d in await deliveries(platform, "event:1")] == [d.id for d in first]
    rows = await inbox_rows(platform, key="event:1")
    assert sorted(r.user_id for r in rows) == sorted(users)
    assert {r.title for r in rows} == {"Ratify the result"}
    assert {r.link for r in rows} == {"/submissions/7"}
    # One direct message (the player chose it) and one channel copy.
    assert sorted(d.key for d in first) == [
        f"event:1:channel:team:{world.team_ids[0]}",
        f"event:1:dm:{world.user_ids['player']}",
    ]


async def test_each_preference_is_respected(platform: Runtime, world: World) -> None:
    await _team_channel(platform, world)
    await _choose(platform, world, "player", delivery="off")
    await _choose(platform, world, "team_captain", delivery="channel", silent=True)
    await _choose(platform, world, "franchise_manager", delivery="channel")
    await _choose(platform, world, "outsider", delivery="dm", silent=True)
    roles = ("player", "team_captain", "franchise_manager", "outsider")
    await _notify(platform, world, [world.user_ids[r] for r in roles])
    assert len(await inbox_rows(platform, key="event:1")) == 4  # everyone's inbox
    sent = {d.key: d for d in await deliveries(platform, "event:1")}
    # off: the inbox only; channel only: no direct message.
    dms = sorted(k for k in sent if ":dm:" in k)
    assert dms == [f"event:1:dm:{world.user_ids['outsider']}"]
    dm = sent[dms[0]]
    assert dm.target == "900000000000000007" and dm.message["silent"] is True
    assert dm.message["buttons"][0]["custom_id"] == "ratify:7"
    channel = sent[f"event:1:channel:team:{world.team_ids[0]}"]
    assert channel.target == CHANNEL and channel.target_kind == "channel"
    captain, manager = "900000000000000005", "900000000000000004"
    # The role and both channel-takers are named; the silent one is not pinged.
    assert channel.message["content"] == f"<@&{ROLE}> <@{manager}> <@{captain}>"
    assert channel.message["mention_role_ids"] == [ROLE]
    assert channel.message["mention_user_ids"] == [manager]


async def test_defaults_and_no_discord_means_the_inbox_alone(
    platform: Runtime, world: World
) -> None:
    async with platform.unit_of_work() as session:
        quiet = User(display_name="No Discord")  # signed in some other way: no Discord id
        session.add(quiet)
        await session.flush()
        prefs = await preferences.my_preferences(session, actor=world.actors["player"])
    by_kind = {p.kind: p for p in prefs}
    assert by_kind[NotificationKind.SCRIM_POPPED].delivery == DeliveryMode.DM
    assert by_kind[NotificationKind.SCRIM_STARTED].delivery == DeliveryMode.DM
    assert by_kind[NotificationKind.QUEUE_BAN].delivery == DeliveryMode.DM
    assert by_kind[NotificationKind.RESULT_ACCEPTED].delivery == DeliveryMode.CHANNEL
    assert all(p.default and not p.silent for p in prefs)
    async with platform.unit_of_work() as session:
        await notify(
            session,
            organization_id=world.organization_id,
            kind=NotificationKind.SCRIM_STARTED,
            recipients=[quiet.id, world.user_ids["player"]],
            notice=Notice("Scrim 3 started", "Lobby x, password y."),
            key="scrim_started:3",
            places=[Place(ChannelPurpose.SCRIMS, 0)],  # never posted: the lobby is secret
        )
    assert len(await inbox_rows(platform, key="scrim_started:3")) == 2
    assert [d.key for d in await deliveries(platform, "scrim_started:3")] == [
        f"scrim_started:3:dm:{world.user_ids['player']}"
    ]


async def test_a_bad_preference_is_refused_and_changes_nothing(
    platform: Runtime, world: World
) -> None:
    for choice, code in (
        ({"kind": "scrim_pop", "delivery": "dm"}, "INVALID_KIND"),
        ({"kind": "scrim_popped", "delivery": "loud"}, "INVALID_DELIVERY"),
    ):
        with pytest.raises(DomainError) as caught:
            async with platform.unit_of_work() as session:
                await preferences.set_preference(session, actor=world.actors["player"], **choice)
        assert caught.value.code == code
    with pytest.raises(DomainError) as caught:
        async with platform.unit_of_work() as session:
            await preferences.set_preference(
                session, actor=world.actors["spectator"], kind="scrim_popped", delivery="off"
            )
    assert caught.value.code == "UNAUTHENTICATED"
    async with platform.reading() as session:
        prefs = await preferences.my_preferences(session, actor=world.actors["player"])
    assert all(p.default for p in prefs)
