"""Sending deliveries through the fake Discord API: each once (redelivered jobs and crashes
between sending and recording included), with Discord's rate limits waited out, failures on
Discord's side retried with back-off, closed DMs handed to the fallback, and nothing sent at
all while Discord is off. Counts are asserted, never durations."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import func, select, update

from sprocket.db import utcnow
from sprocket.notifications import attempts
from sprocket.notifications.delivery import (
    Delivery,
    DeliveryStatus,
    dm_fallbacks,
    forget_dms_closed,
    on_dms_closed,
    schedule_delivery,
    schedule_staff_notice,
)
from sprocket.notifications.message import (
    Attachment,
    Button,
    ButtonStyle,
    ChannelTarget,
    DmTarget,
    Message,
    Target,
    WebhookTarget,
)
from sprocket.notifications.tasks import deliver, deliver_due, deliver_notification, run_retries
from sprocket.notifications.tasks import send as send_attempt
from sprocket.platform.outbox import OutboxMessage
from sprocket.runtime import Runtime
from tests.discord.fake_api import FakeDiscordApi
from tests.league_world import build_world

USER = "900000000000000042"
CHANNEL = "400000000000000007"
STAFF_CHANNEL = "400000000000000099"
ROLE = "300000000000000003"
WEBHOOK = "https://discord.com/api/webhooks/123456789012345678/hook-Token_1"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def _count(kind: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "sprocket_notification_deliveries_total", {"kind": kind, "outcome": outcome}
    )
    return value or 0.0


async def _schedule(
    platform: Runtime, key: str, target: Target, message: Message, **whom: Any
) -> int:
    async with platform.unit_of_work() as session:
        delivery = await schedule_delivery(session, key=key, target=target, message=message, **whom)
    assert delivery is not None
    return delivery.id


async def _row(platform: Runtime, delivery_id: int) -> Delivery:
    async with platform.reading() as session:
        row = await session.get(Delivery, delivery_id)
    assert row is not None
    return row


async def _relay(platform: Runtime) -> int:
    """Hand the committed outbox messages to the broker and wait for their jobs."""
    sent = await platform.relay.relay_once()
    await platform.broker.wait_all()
    return sent


def _posts(fake: FakeDiscordApi, path: str) -> int:
    return len(fake.to("POST", path))


async def test_one_delivery_sends_exactly_one_message(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    before = _count("dm", "sent")
    message = Message(
        content="Your scrim popped: check in within 5 minutes.",
        embeds=({"title": "Scrim #12", "fields": [{"name": "Mode", "value": "Doubles"}]},),
        buttons=(
            Button("Check in", custom_id="checkin:12", style=ButtonStyle.SUCCESS),
            Button("Open", url="https://sprocket.test/scrims/12"),
        ),
        silent=True,
    )
    delivery_id = await _schedule(discord, "scrim.popped:12:user:1", DmTarget(USER), message)
    assert await _relay(discord) == 1

    [made] = fake_api.messages
    assert fake_api.dm_user(made["channel_id"]) == USER
    [dm] = fake_api.to("POST", "/users/@me/channels")
    assert dm.body == {"recipient_id": USER}
    [post] = fake_api.to("POST", f"/channels/{made['channel_id']}/messages")
    row = await _row(discord, delivery_id)
    assert post.body["nonce"] == row.nonce and post.body["enforce_nonce"] is True
    assert post.body["flags"] == 4096  # SUPPRESS_NOTIFICATIONS
    assert post.body["allowed_mentions"]["parse"] == []
    [buttons] = post.body["components"]
    assert [b.get("custom_id") or b.get("url") for b in buttons["components"]] == [
        "checkin:12",
        "https://sprocket.test/scrims/12",
    ]
    assert post.body["embeds"][0]["fields"][0]["value"] == "Doubles"
    assert (row.status, row.discord_message_id, row.attempts) == (
        DeliveryStatus.SENT,
        made["id"],
        1,
    )
    assert row.sent_at is not None and row.last_error is None
    assert _count("dm", "sent") == before + 1


async def test_a_redelivered_outbox_message_sends_nothing_twice(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    delivery_id = await _schedule(
        discord, "result.accepted:9", ChannelTarget(CHANNEL), Message(content="Accepted.")
    )
    assert await _relay(discord) == 1
    async with discord.unit_of_work() as session:  # the broker hands the message over again
        await session.execute(update(OutboxMessage).values(dispatched_at=None))
    assert await _relay(discord) == 1
    async with discord.reading() as session:
        [message_id] = await session.scalars(select(OutboxMessage.id))
    await deliver_notification(message_id=message_id, delivery_id=delivery_id)

    assert len(fake_api.messages_in(CHANNEL)) == 1
    assert _posts(fake_api, f"/channels/{CHANNEL}/messages") == 1
    assert (await _row(discord, delivery_id)).status is DeliveryStatus.SENT


async def test_a_crash_between_sending_and_recording_sends_one_message(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    delivery_id = await _schedule(
        discord, "scrim.started:3:user:2", DmTarget(USER), Message(content="Lobby: sprk / pw")
    )
    start = utcnow()
    async with discord.unit_of_work() as session:
        attempt = await attempts.claim(session, delivery_id=delivery_id, now=start)
    assert attempt is not None
    first = await send_attempt(discord, attempt)  # Discord made the message...
    assert first.outcome is attempts.Outcome.SENT
    # ...and the process died before recording it: the claim runs out, the delivery is due.
    held = await _row(discord, delivery_id)
    assert held.status is DeliveryStatus.PENDING and held.discord_message_id is None
    assert await deliver(discord, delivery_id=delivery_id, now=start) is None  # still held
    later = start + dt.timedelta(seconds=attempts.CLAIM_SECONDS + 1)
    assert await deliver(discord, delivery_id=delivery_id, now=later) is DeliveryStatus.SENT

    [made] = fake_api.messages
    assert _posts(fake_api, f"/channels/{made['channel_id']}/messages") == 2
    row = await _row(discord, delivery_id)
    assert (row.discord_message_id, row.attempts) == (first.message_id, 2)
    assert row.discord_message_id == made["id"]


async def test_a_stale_attempt_records_nothing(discord: Runtime, fake_api: FakeDiscordApi) -> None:
    delivery_id = await _schedule(discord, "k:stale", DmTarget(USER), Message(content="hi"))
    start = utcnow()
    async with discord.unit_of_work() as session:
        stale = await attempts.claim(session, delivery_id=delivery_id, now=start)
    later = start + dt.timedelta(seconds=attempts.CLAIM_SECONDS + 1)
    assert await deliver(discord, delivery_id=delivery_id, now=later) is DeliveryStatus.SENT
    assert stale is not None
    failed = attempts.Result(attempts.Outcome.FAILED, error="late")
    async with discord.unit_of_work() as session:
        assert (
            await attempts.record(
                session, attempt=stale, result=failed, now=later, max_attempts=8, retry_seconds=1
            )
            is None
        )
    row = await _row(discord, delivery_id)
    assert (row.status, row.last_error) == (DeliveryStatus.SENT, None)


async def test_a_webhook_message_carries_no_nonce_and_pings_only_the_allowed_role(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    message = Message(
        content=f"<@&{ROLE}> a submission waits for your ratification.",
        buttons=(Button("Review", url="https://sprocket.test/submissions/5"),),
        mention_role_ids=(ROLE,),
    )
    delivery_id = await _schedule(
        discord, "submission.ratifying:5", WebhookTarget(WEBHOOK), message
    )
    assert await _relay(discord) == 1

    [post] = fake_api.to("POST", "/webhooks/123456789012345678/hook-Token_1")
    assert "nonce" not in post.body and "enforce_nonce" not in post.body
    assert post.body["allowed_mentions"] == {"parse": [], "roles": [ROLE]}
    assert len(fake_api.messages) == 1
    assert (await _row(discord, delivery_id)).status is DeliveryStatus.SENT


async def test_a_report_card_from_storage_is_posted_as_the_embeds_image(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    await discord.storage.put("cards/series-4.png", PNG, content_type="image/png")
    message = Message(
        embeds=({"title": "Week 4 - Premier", "image": {"url": "attachment://card.png"}},),
        attachments=(
            Attachment("card.png", storage_key="cards/series-4.png"),
            Attachment("lines.csv", data=b"player,goals\nA,2\n"),
        ),
    )
    delivery_id = await _schedule(discord, "result.card:4", ChannelTarget(CHANNEL), message)
    assert await _relay(discord) == 1

    [post] = fake_api.to("POST", f"/channels/{CHANNEL}/messages")
    assert sorted(post.files) == [("card.png", PNG), ("lines.csv", b"player,goals\nA,2\n")]
    assert post.body["embeds"][0]["image"]["url"] == "attachment://card.png"
    assert (await _row(discord, delivery_id)).status is DeliveryStatus.SENT


async def test_a_file_gone_from_storage_fails_the_delivery_without_a_call(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    message = Message(attachments=(Attachment("card.png", storage_key="cards/missing.png"),))
    delivery_id = await _schedule(discord, "result.card:5", ChannelTarget(CHANNEL), message)
    assert await deliver(discord, delivery_id=delivery_id) is DeliveryStatus.FAILED
    assert fake_api.messages == []
    assert "missing.png" in ((await _row(discord, delivery_id)).last_error or "")


async def test_a_429_is_waited_out_and_retried(discord: Runtime, fake_api: FakeDiscordApi) -> None:
    fake_api.rate_limit_next(2, retry_after=0.05)
    delivery_id = await _schedule(
        discord, "queue.ban:1", ChannelTarget(CHANNEL), Message(content="Banned until Friday.")
    )
    assert await deliver(discord, delivery_id=delivery_id) is DeliveryStatus.SENT

    assert fake_api.rate_limited == 2
    assert _posts(fake_api, f"/channels/{CHANNEL}/messages") == 3  # two refused, one taken
    assert len(fake_api.messages) == 1
    row = await _row(discord, delivery_id)
    assert (row.attempts, row.last_error) == (1, None)


async def test_route_buckets_are_kept_and_no_429_is_left_unhandled(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    fake_api.limit_buckets(3, per=0.05)
    ids = [
        await _schedule(discord, f"burst:{n}", ChannelTarget(CHANNEL), Message(content=f"#{n}"))
        for n in range(15)
    ]
    assert await deliver_due(discord, concurrency=15) == 15

    assert len(fake_api.messages_in(CHANNEL)) == 15
    assert {(await _row(discord, i)).status for i in ids} == {DeliveryStatus.SENT}
    assert {(await _row(discord, i)).attempts for i in ids} == {1}
    # Every 429 the fake gave was waited out and the request sent again.
    assert _posts(fake_api, f"/channels/{CHANNEL}/messages") == 15 + fake_api.rate_limited


async def test_many_dms_go_out_concurrently_through_one_client(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    fake_api.limit_buckets(5, per=0.05)
    users = [str(910000000000000000 + n) for n in range(30)]
    for n, user in enumerate(users):
        await _schedule(discord, f"pop:{n}", DmTarget(user), Message(content="Check in!"))
    assert await deliver_due(discord, concurrency=30) == 30

    assert sorted(fake_api.dm_user(m["channel_id"]) for m in fake_api.messages) == users
    async with discord.reading() as session:
        statuses = set(await session.scalars(select(Delivery.status)))
    assert statuses == {DeliveryStatus.SENT}


async def test_a_5xx_is_retried_later_with_back_off_then_sent(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    first_wait = discord.settings.notification_retry_seconds
    fake_api.fail_next(2, status=500)
    delivery_id = await _schedule(
        discord, "match.reminder:8", ChannelTarget(CHANNEL), Message(content="Play by Sunday.")
    )
    start = utcnow()
    assert await deliver(discord, delivery_id=delivery_id, now=start) is DeliveryStatus.PENDING
    row = await _row(discord, delivery_id)
    assert row.attempts == 1 and "500" in (row.last_error or "")
    assert row.next_attempt_at == start + dt.timedelta(seconds=first_wait)

    early = start + dt.timedelta(seconds=first_wait / 2)
    assert await deliver_due(discord, now=early) == 0  # the back-off is not over
    second = start + dt.timedelta(seconds=first_wait)
    assert await deliver(discord, delivery_id=delivery_id, now=second) is DeliveryStatus.PENDING
    row = await _row(discord, delivery_id)
    assert row.next_attempt_at == second + dt.timedelta(seconds=2 * first_wait)  # doubled

    third = second + dt.timedelta(seconds=2 * first_wait)
    assert await deliver_due(discord, now=third) == 1
    row = await _row(discord, delivery_id)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 3, None)
    assert fake_api.failed == 2 and len(fake_api.messages) == 1


async def test_a_delivery_out_of_attempts_fails(discord: Runtime, fake_api: FakeDiscordApi) -> None:
    before = _count("channel", "failed")
    fake_api.fail_next(100, status=503)
    delivery_id = await _schedule(discord, "k:fail", ChannelTarget(CHANNEL), Message(content="x"))
    moment = utcnow()
    for _ in range(discord.settings.notification_max_attempts):
        await deliver(discord, delivery_id=delivery_id, now=moment)
        moment += dt.timedelta(hours=2)
    row = await _row(discord, delivery_id)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 8)
    assert "503" in (row.last_error or "")
    assert await deliver(discord, delivery_id=delivery_id, now=moment) is None
    assert fake_api.failed == 8 and fake_api.messages == []
    assert _count("channel", "failed") == before + 1


async def test_a_refusal_for_good_fails_at_once(discord: Runtime, fake_api: FakeDiscordApi) -> None:
    fake_api.fail_next(1, status=404)  # the channel was deleted
    delivery_id = await _schedule(discord, "k:404", ChannelTarget(CHANNEL), Message(content="x"))
    assert await deliver(discord, delivery_id=delivery_id) is DeliveryStatus.FAILED
    assert "404" in ((await _row(discord, delivery_id)).last_error or "")


async def test_the_retry_loop_sends_what_failed_once_its_back_off_is_over(
    discord_settings, fake_api: FakeDiscordApi
) -> None:
    from sprocket.jobs import build_runtime

    running = build_runtime(
        discord_settings.model_copy(update={"notification_retry_seconds": 0.01})
    )
    await running.start(relay=False)
    stop = asyncio.Event()
    try:
        fake_api.fail_next(1)
        delivery_id = await _schedule(running, "k:loop", DmTarget(USER), Message(content="x"))
        assert await deliver(running, delivery_id=delivery_id) is DeliveryStatus.PENDING
        loop = asyncio.create_task(run_retries(running, stop, every=0.05))
        deadline = time.monotonic() + 30
        while (await _row(running, delivery_id)).status is DeliveryStatus.PENDING:
            assert time.monotonic() < deadline, "the retry loop did not send the delivery"
            await asyncio.sleep(0.02)
        stop.set()
        await loop
    finally:
        stop.set()
        await running.stop()
    assert len(fake_api.messages) == 1


async def test_closed_dms_are_recorded_for_staff_and_the_fallback_hook_runs(
    discord: Runtime, fake_api: FakeDiscordApi
) -> None:
    world = await build_world(discord, teams=2, with_schedule=False)
    fake_api.close_dms(USER)
    told: list[int] = []

    async def tell_staff(session, delivery: Delivery) -> None:
        told.append(delivery.id)
        await schedule_staff_notice(session, delivery=delivery, staff_channel_id=STAFF_CHANNEL)

    on_dms_closed(tell_staff)
    try:
        delivery_id = await _schedule(
            discord,
            "scrim.popped:2:user:5",
            DmTarget(USER),
            Message(content="Your scrim popped."),
            organization_id=world.organization_id,
            user_id=world.user_ids["player"],
        )
        assert await deliver(discord, delivery_id=delivery_id) is DeliveryStatus.DMS_CLOSED
    finally:
        forget_dms_closed(tell_staff)
    assert told == [delivery_id]
    row = await _row(discord, delivery_id)
    assert "50007" in (row.last_error or "")
    async with discord.reading() as session:
        listed = await dm_fallbacks(session, organization_id=world.organization_id)
        assert [(d.id, d.user_id) for d in listed] == [(delivery_id, world.user_ids["player"])]
        assert await dm_fallbacks(session, organization_id=world.organization_id + 1) == []

    assert await deliver_due(discord) == 1  # the staff notice
    [notice] = fake_api.messages_in(STAFF_CHANNEL)
    assert f"<@{USER}>" in notice["content"] and "Your scrim popped." in notice["content"]
    [post] = fake_api.to("POST", f"/channels/{STAFF_CHANNEL}/messages")
    assert post.body["allowed_mentions"]["parse"] == []  # named, not pinged
    assert fake_api.messages_in(notice["channel_id"]) == [notice]


async def test_with_discord_off_a_delivery_is_skipped_without_a_call(
    platform: Runtime, fake_api: FakeDiscordApi
) -> None:
    assert platform.settings.discord_bot_token is None
    before = _count("dm", "skipped")
    delivery_id = await _schedule(platform, "k:off", DmTarget(USER), Message(content="hi"))
    assert await _relay(platform) == 1
    assert (await _row(platform, delivery_id)).status is DeliveryStatus.SKIPPED
    assert await deliver(platform, delivery_id=delivery_id) is None
    assert fake_api.calls == []
    assert _count("dm", "skipped") == before + 1
    async with platform.reading() as session:
        sent = await session.scalar(
            select(func.count()).where(Delivery.status == DeliveryStatus.SENT)
        )
    assert sent == 0
