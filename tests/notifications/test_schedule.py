"""Scheduling a delivery: one row and one outbox message in the caller's transaction, once
per key; messages and targets past Discord's limits are refused before anything is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sprocket.errors import InvalidInput
from sprocket.notifications.delivery import (
    DELIVER_JOB,
    Delivery,
    DeliveryStatus,
    message_of_delivery,
    schedule_delivery,
)
from sprocket.notifications.message import (
    Attachment,
    Button,
    ChannelTarget,
    DmTarget,
    Message,
    TargetKind,
    WebhookTarget,
)
from sprocket.platform.outbox import OutboxMessage
from sprocket.runtime import Runtime
from tests.helpers.database import fails_unchanged

USER = "900000000000000001"
CHANNEL = "400000000000000001"
WEBHOOK = "https://discord.com/api/webhooks/123456789012345678/a-Token_1"


async def _outbox(platform: Runtime) -> list[OutboxMessage]:
    async with platform.reading() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_delivery_is_a_row_and_its_job_in_one_transaction(platform: Runtime) -> None:
    message = Message(
        content="Your scrim popped: check in.",
        buttons=(Button("Check in", custom_id="checkin:12"),),
        silent=True,
        attachments=(Attachment("card.png", data=b"\x89PNG..."),),
    )
    async with platform.unit_of_work() as session:
        delivery = await schedule_delivery(
            session, key="scrim.popped:12:user:1", target=DmTarget(USER), message=message
        )
    assert delivery is not None
    async with platform.reading() as session:
        row = await session.get(Delivery, delivery.id)
        assert row is not None
        assert (row.status, row.target_kind, row.target) == (
            DeliveryStatus.PENDING,
            TargetKind.DM,
            USER,
        )
        assert await message_of_delivery(session, row) == message
        assert len(row.nonce) <= 25
    [job] = await _outbox(platform)
    assert (job.job, job.payload) == (DELIVER_JOB, {"delivery_id": delivery.id})


async def test_the_same_key_schedules_nothing_twice(platform: Runtime) -> None:
    for _ in range(2):
        async with platform.unit_of_work() as session:
            again = await schedule_delivery(
                session,
                key="result.accepted:4",
                target=ChannelTarget(CHANNEL),
                message=Message(content="Series accepted."),
            )
    assert again is None
    async with platform.reading() as session:
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 1
    assert len(await _outbox(platform)) == 1


async def test_a_rolled_back_event_schedules_nothing(platform: Runtime) -> None:
    with pytest.raises(RuntimeError):
        async with platform.unit_of_work() as session:
            await schedule_delivery(
                session, key="k", target=DmTarget(USER), message=Message(content="hi")
            )
            raise RuntimeError("the event's own transaction fails")
    assert await _outbox(platform) == []


@pytest.mark.parametrize("key", ["", "x" * 201])
async def test_a_bad_key_is_refused(platform: Runtime, key: str) -> None:
    await fails_unchanged(
        platform,
        lambda s: schedule_delivery(
            s, key=key, target=DmTarget(USER), message=Message(content="hi")
        ),
        code="INVALID_DELIVERY_KEY",
    )


async def test_a_webhook_takes_link_buttons_only(platform: Runtime) -> None:
    action = Message(content="Ratify?", buttons=(Button("Ratify", custom_id="ratify:3"),))
    await fails_unchanged(
        platform,
        lambda s: schedule_delivery(s, key="w", target=WebhookTarget(WEBHOOK), message=action),
        code="INVALID_MESSAGE",
    )
    link = Message(content="Ratify?", buttons=(Button("Open", url="https://sprocket.test/s/3"),))
    async with platform.unit_of_work() as session:
        assert await schedule_delivery(
            session, key="w", target=WebhookTarget(WEBHOOK), message=link
        )


@pytest.mark.parametrize(
    "make,code",
    [
        (lambda: DmTarget("not-a-number"), "INVALID_TARGET"),
        (lambda: DmTarget("0123"), "INVALID_TARGET"),
        (lambda: ChannelTarget("99999999999999999999999"), "INVALID_TARGET"),
        (lambda: WebhookTarget("https://evil.test/api/webhooks/1/x"), "INVALID_TARGET"),
        (lambda: Message(content="x" * 2001), "MESSAGE_TOO_LARGE"),
        (lambda: Message(content="  "), "INVALID_MESSAGE"),
        (lambda: Message(embeds=[{"title": "t"}] * 11), "MESSAGE_TOO_LARGE"),
        (lambda: Message(embeds=[{"title": "x" * 257}]), "MESSAGE_TOO_LARGE"),
        (lambda: Message(embeds=[{"description": "x" * 4000}] * 2), "MESSAGE_TOO_LARGE"),
        (lambda: Message(embeds=[{"video": {}}]), "INVALID_MESSAGE"),
        (lambda: Message(embeds=[{"fields": [{"name": "n"}]}]), "INVALID_MESSAGE"),
        (lambda: Button("Go"), "INVALID_MESSAGE"),
        (lambda: Button("Go", custom_id="noprefix"), "INVALID_MESSAGE"),
        (lambda: Button("Go", custom_id="a:b", url="https://x.test"), "INVALID_MESSAGE"),
        (lambda: Button("Go", url="javascript:alert(1)"), "INVALID_MESSAGE"),
        (lambda: Button("x" * 81, custom_id="a:b"), "MESSAGE_TOO_LARGE"),
        (
            lambda: Message(content="x", buttons=[Button("b", custom_id="a:b")] * 26),
            "MESSAGE_TOO_LARGE",
        ),
        (lambda: Message(content="x", mention_role_ids=["@everyone"]), "INVALID_TARGET"),
        (lambda: Message(embeds=[{"image": {"url": "/etc/passwd"}}]), "INVALID_MESSAGE"),
        (lambda: Message(embeds=[{"image": {"url": "attachment://x.png"}}]), "INVALID_MESSAGE"),
        (lambda: Message(embeds=[{"thumbnail": {"url": "x", "w": 1}}]), "INVALID_MESSAGE"),
        (lambda: Message(embeds=[{"title": "t", "url": "file:///x"}]), "INVALID_MESSAGE"),
        (lambda: Message(embeds=[{"timestamp": "2026-01-01T10:00"}]), "INVALID_MESSAGE"),
        (lambda: Message(embeds=[{"title": "t", "color": 0x1000000}]), "INVALID_MESSAGE"),
        (lambda: Message(embeds=[{"author": {"name": "a", "icon": "x"}}]), "INVALID_MESSAGE"),
        (lambda: Attachment("../card.png", data=b"x"), "INVALID_MESSAGE"),
        (lambda: Attachment("card.png"), "INVALID_MESSAGE"),
        (
            lambda: Message(attachments=[Attachment("a.png", data=b"x" * (10 * 2**20 + 1))]),
            "MESSAGE_TOO_LARGE",
        ),
    ],
)
def test_what_discord_would_refuse_is_refused_when_made(make, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        make()
    assert raised.value.code == code
    assert raised.value.message


def test_an_embed_may_show_its_own_file_and_carry_a_timestamp() -> None:
    card = Attachment("card.png", data=b"png")
    embed = {"title": "Week 4", "image": {"url": "attachment://card.png"}}
    embed |= {"timestamp": "2026-01-01T10:00:00+00:00", "color": 0xFF8800}
    assert Message(embeds=[embed], attachments=[card]).embeds == (embed,)


def test_buttons_go_in_rows_of_five_and_silent_sets_discords_flag() -> None:
    message = Message(content="x", buttons=[Button(str(i), custom_id=f"b:{i}") for i in range(7)])
    assert [len(row) for row in message.button_rows()] == [5, 2]
    assert message.flags == 0
    assert Message(content="x", silent=True).flags == 4096
