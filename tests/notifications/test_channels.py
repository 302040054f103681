"""Channels per purpose (league staff, audited), announcements, and the inbox's pages:
every refusal is typed and changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import DomainError
from sprocket.league import service as league
from sprocket.notifications import announcements, channels, inbox
from sprocket.notifications.channels import Place
from sprocket.notifications.enums import ChannelPurpose, NotificationKind
from sprocket.notifications.message import Button
from sprocket.notifications.service import Notice, notify
from sprocket.runtime import Runtime
from tests.helpers.database import snapshot
from tests.league_world import World
from tests.notifications.support import CHANNEL, ROLE, deliveries

WEBHOOK = "https://discord.com/api/webhooks/630000000000000001/secret-token_1"


async def refused(
    platform: Runtime, code: str, call: Callable[[AsyncSession], Awaitable[Any]]
) -> DomainError:
    """``call`` fails with ``code`` and no table changes."""
    before = await snapshot(platform)
    with pytest.raises(DomainError) as caught:
        async with platform.unit_of_work() as session:
            await call(session)
    assert caught.value.code == code, caught.value
    assert await snapshot(platform) == before
    return caught.value


def setting(world: World, role: str = "league_staff", **kwargs: Any) -> Callable[..., Any]:
    kwargs.setdefault("organization_id", world.organization_id)
    return lambda session: channels.set_channel(session, actor=world.actors[role], **kwargs)


async def test_who_may_set_channels_and_what_they_may_set(platform: Runtime, world: World) -> None:
    await refused(platform, "UNAUTHENTICATED", setting(world, "spectator", purpose="results"))
    for role in ("player", "team_captain", "franchise_manager", "outsider"):
        await refused(
            platform,
            "PERMISSION_DENIED",
            setting(world, role, purpose="results", channel_id=CHANNEL),
        )
    async with platform.unit_of_work() as session:
        other = await league.create_organization(
            session, actor=world.actors["superuser"], slug="other", name="Other League"
        )
    cases = (
        ({"purpose": "news", "channel_id": CHANNEL}, "INVALID_PURPOSE"),
        (
            {"purpose": "results", "scope_id": world.team_ids[0], "channel_id": CHANNEL},
            "WRONG_SCOPE",
        ),
        ({"purpose": "team", "channel_id": CHANNEL}, "WRONG_SCOPE"),
        ({"purpose": "team", "scope_id": 9999, "channel_id": CHANNEL}, "WRONG_SCOPE"),
        ({"purpose": "results", "channel_id": "general"}, "INVALID_SNOWFLAKE"),
        ({"purpose": "results", "channel_id": CHANNEL, "role_id": "@mods"}, "INVALID_SNOWFLAKE"),
        ({"purpose": "results", "webhook_url": "https://example.org/hook"}, "INVALID_WEBHOOK"),
        ({"purpose": "results"}, "CHANNEL_OR_WEBHOOK"),
        (
            {"purpose": "results", "channel_id": CHANNEL, "webhook_url": WEBHOOK},
            "CHANNEL_OR_WEBHOOK",
        ),
    )
    for kwargs, code in cases:
        await refused(platform, code, setting(world, **kwargs))
    # A team of this organization is no scope of another's channels.
    await refused(
        platform,
        "WRONG_SCOPE",
        setting(
            world,
            "superuser",
            organization_id=other.id,
            purpose="team",
            scope_id=world.team_ids[0],
            channel_id=CHANNEL,
        ),
    )
    await refused(
        platform,
        "CHANNEL_NOT_SET",
        lambda s: channels.remove_channel(
            s,
            actor=world.actors["league_staff"],
            organization_id=world.organization_id,
            purpose="results",
        ),
    )


async def test_a_team_posts_in_its_franchises_channel_or_webhook(
    platform: Runtime, world: World
) -> None:
    async with platform.unit_of_work() as session:
        await setting(
            world,
            purpose="franchise",
            scope_id=world.franchise_id,
            webhook_url=WEBHOOK,
            role_id=ROLE,
        )(session)
        own = await channels.channel_for(
            session,
            organization_id=world.organization_id,
            place=Place(ChannelPurpose.TEAM, world.team_ids[0]),  # the franchise's team
        )
        none = await channels.channel_for(
            session,
            organization_id=world.organization_id,
            place=Place(ChannelPurpose.TEAM, world.team_ids[1]),
        )
        assert own is not None and own.webhook_url == WEBHOOK and none is None
        await notify(
            session,
            organization_id=world.organization_id,
            kind=NotificationKind.SUBMISSION_WAITING,
            recipients=[],
            notice=Notice(
                "Ratify",
                "Waiting.",
                link="/submissions/1",
                buttons=(Button("Ratify", custom_id="ratify:1"),),
            ),
            key="hooked:1",
            places=[Place(ChannelPurpose.TEAM, world.team_ids[0])],
        )
    [post] = await deliveries(platform, "hooked:1")
    assert post.target_kind == "webhook" and post.target == WEBHOOK
    # A webhook takes link buttons only: the action button is left out, the link kept.
    assert all("custom_id" not in b for b in post.message["buttons"])
    async with platform.unit_of_work() as session:
        await channels.remove_channel(
            session,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            purpose="franchise",
            scope_id=world.franchise_id,
        )
        listed = await channels.organization_channels(
            session, actor=world.actors["league_staff"], organization_id=world.organization_id
        )
    assert listed == []


async def test_announcements_are_checked_and_listed_newest_first(
    platform: Runtime, world: World
) -> None:
    def saying(title: str, body: str, role: str = "league_staff") -> Callable[..., Any]:
        return lambda s: announcements.announce(
            s,
            actor=world.actors[role],
            organization_id=world.organization_id,
            title=title,
            body=body,
        )

    await refused(platform, "PERMISSION_DENIED", saying("Hi", "There", "player"))
    await refused(platform, "INVALID_ANNOUNCEMENT", saying("  ", "There"))
    await refused(platform, "INVALID_ANNOUNCEMENT", saying("Hi", "x" * 2001))
    for n in range(5):
        async with platform.unit_of_work() as session:
            await saying(f"News {n}", "Read me.")(session)
    async with platform.reading() as session:
        shown = await announcements.recent_announcements(
            session, organization_ids=[world.organization_id]
        )
    assert [a.title for a in shown[world.organization_id]] == ["News 4", "News 3", "News 2"]
    assert await deliveries(platform, "announcement:") == []  # no channel set: the page only


async def test_the_inbox_pages_newest_first(platform: Runtime, world: World) -> None:
    actor = world.actors["outsider"]
    for n in range(5):
        async with platform.unit_of_work() as session:
            await notify(
                session,
                organization_id=world.organization_id,
                kind=NotificationKind.RESULT_ACCEPTED,
                recipients=[actor.user_id],
                notice=Notice(f"N{n}", "body"),
                key=f"page:{n}",
            )
    async with platform.reading() as session:
        first = await inbox.inbox(session, actor=actor, first=2)
        second = await inbox.inbox(session, actor=actor, first=2, after=first.end_cursor)
        assert [r.title for r in first.rows] == ["N4", "N3"] and first.has_next
        assert [r.title for r in second.rows] == ["N2", "N1"]
        assert await first.count(session) == 5
        assert await inbox.unread_count(session, actor=actor) == 5
        assert await inbox.unread_count(session, actor=world.actors["spectator"]) == 0
    await refused(platform, "INVALID_PAGE_SIZE", lambda s: inbox.inbox(s, actor=actor, first=0))
    await refused(
        platform, "INVALID_CURSOR", lambda s: inbox.inbox(s, actor=actor, after="nonsense")
    )
    await refused(
        platform, "UNAUTHENTICATED", lambda s: inbox.inbox(s, actor=world.actors["spectator"])
    )
    mine = first.rows[0].id
    await refused(
        platform,
        "NOT_FOUND",
        lambda s: inbox.mark_read(s, actor=world.actors["player"], notification_id=mine),
    )
