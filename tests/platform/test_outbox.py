"""The transactional outbox, its relay and idempotent consumers (DESIGN.md property 4)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator

import aio_pika
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from taskiq import InMemoryBroker

from sprocket.config import Settings
from sprocket.db import utcnow
from sprocket.jobs import all_jobs, build_runtime
from sprocket.platform.broker import create_broker, register_jobs, run_worker
from sprocket.platform.outbox import OutboxMessage, OutboxRelay, ProcessedMessage, backlog, enqueue
from sprocket.schedule import service as schedule
from sprocket.schedule import tasks
from sprocket.schedule.models import Fixture, Match
from tests.platform.conftest import AMQP_ENV, service_url, unique_name

WITHIN = 10.0  # seconds: a bound on waiting, never an assertion
# Tomorrow at 19:00: inside week 1 of a World's season (which starts a day before now).
T0 = (utcnow() + dt.timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)


async def _rows(platform) -> list[OutboxMessage]:
    async with platform.reading() as s:
        return list((await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def _receipts(platform) -> list[ProcessedMessage]:
    async with platform.reading() as s:
        return list((await s.scalars(select(ProcessedMessage))).all())


async def _forfeit(platform, world, match_id: int) -> None:
    async with platform.reading() as s:
        match = await s.get(Match, match_id)
        fixture = await s.get(Fixture, match.fixture_id)
    async with platform.unit_of_work() as s:
        await schedule.record_forfeit(
            s, actor=world.actors["league_staff"], match_id=match_id, team_id=fixture.home_team_id
        )


@contextlib.asynccontextmanager
async def _listening(cache, channel: str) -> AsyncIterator[asyncio.Queue[bytes]]:
    """Collect a channel's messages in a queue while the context is open."""
    received: asyncio.Queue[bytes] = asyncio.Queue()
    async with cache.subscribe(channel) as messages:

        async def pump() -> None:
            async for message in messages:
                received.put_nowait(message)

        task = asyncio.create_task(pump())
        try:
            yield received
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_a_rolled_back_unit_of_work_leaves_no_message(platform):
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with platform.unit_of_work() as s:
            enqueue(s, "match.status_changed", match_id=1, status="completed")
            await s.flush()
            assert len((await s.scalars(select(OutboxMessage))).all()) == 1  # it was there
            raise RuntimeError("changed my mind")
    assert await _rows(platform) == []
    async with platform.reading() as s:
        assert await backlog(s) == 0
    assert await platform.relay.relay_once() == 0


async def test_a_failed_service_call_leaves_no_message(platform, world):
    with pytest.raises(Exception, match="Only a team playing"):
        async with platform.unit_of_work() as s:
            await schedule.reschedule_match(  # writes a message...
                s,
                actor=world.actors["league_staff"],
                match_id=world.match_ids[0],
                starts_at=T0,
                ends_at=T0 + dt.timedelta(hours=1),
            )
            await schedule.record_forfeit(  # ...then fails: both roll back
                s, actor=world.actors["league_staff"], match_id=world.match_ids[1], team_id=-1
            )
    assert await _rows(platform) == []


async def test_a_committed_message_is_relayed_and_its_job_runs(platform, world):
    match_id = world.match_ids[0]
    async with _listening(platform.cache, tasks.match_channel(match_id)) as received:
        await _forfeit(platform, world, match_id)
        [row] = await _rows(platform)
        assert row.dispatched_at is None
        assert await platform.relay.relay_once() == 1
        await platform.broker.wait_all()
        event = json.loads(await asyncio.wait_for(received.get(), WITHIN))
    assert event["match_id"] == match_id
    assert event["status"] == "forfeited"
    [row] = await _rows(platform)
    assert row.dispatched_at is not None and row.attempts == 0 and row.last_error is None
    [receipt] = await _receipts(platform)
    assert (receipt.consumer, receipt.message_id) == ("match.status_changed", row.id)
    assert await platform.relay.relay_once() == 0  # nothing is sent twice


async def test_the_consumer_is_idempotent(platform, world):
    match_id = world.match_ids[0]
    await _forfeit(platform, world, match_id)
    [row] = await _rows(platform)
    channel = tasks.match_channel(match_id)
    async with _listening(platform.cache, channel) as received:
        for _ in range(2):  # the broker delivers the same message twice
            await tasks.match_status_changed(message_id=row.id, **row.payload)
        await platform.cache.publish(channel, b"end")  # everything before it has arrived
        messages = []
        while (message := await asyncio.wait_for(received.get(), WITHIN)) != b"end":
            messages.append(json.loads(message))
    assert [m["status"] for m in messages] == ["forfeited"]
    receipts = await _receipts(platform)
    assert [(r.consumer, r.message_id) for r in receipts] == [("match.status_changed", row.id)]


class FlakyBroker(InMemoryBroker):
    """An in-process broker that can be switched off: kicking fails while it is down."""

    down = True

    async def kick(self, message) -> None:
        if self.down:
            raise ConnectionError("broker unreachable (simulated by the test)")
        await super().kick(message)


async def test_a_broker_failure_keeps_the_message_for_later(platform, world):
    broker = FlakyBroker()
    register_jobs(broker, all_jobs())
    await broker.startup()
    relay = OutboxRelay(platform.sessions, broker)
    try:
        await _forfeit(platform, world, world.match_ids[0])
        await _forfeit(platform, world, world.match_ids[1])
        assert await relay.relay_once() == 0
        assert await relay.relay_once() == 0
        first, second = await _rows(platform)
        assert first.dispatched_at is None and second.dispatched_at is None
        assert first.attempts == 2
        assert "broker unreachable" in first.last_error
        assert second.attempts == 0  # the relay stops at the first failure, keeping the order
        async with platform.reading() as s:
            assert await backlog(s) == 2
        assert REGISTRY.get_sample_value("sprocket_outbox_backlog") == 2

        broker.down = False
        assert await relay.relay_once() == 2
        await broker.wait_all()
        assert all(row.dispatched_at is not None for row in await _rows(platform))
        assert len(await _receipts(platform)) == 2  # both jobs ran
        async with platform.reading() as s:
            assert await backlog(s) == 0
    finally:
        await broker.shutdown()


async def test_a_message_for_an_unknown_job_waits_with_its_error(platform):
    async with platform.unit_of_work() as s:
        enqueue(s, "no.such.job", value=1)
    assert await platform.relay.relay_once() == 0
    [row] = await _rows(platform)
    assert row.dispatched_at is None and row.attempts == 1
    assert "no.such.job" in row.last_error


async def test_backlog_counts_undispatched_messages(platform, world):
    async with platform.reading() as s:
        assert await backlog(s) == 0
    for match_id in world.match_ids[:3]:
        await _forfeit(platform, world, match_id)
    async with platform.reading() as s:
        assert await backlog(s) == 3
        total = await s.scalar(select(func.count()).select_from(OutboxMessage))
    assert total == 3
    assert await platform.relay.relay_once() == 3
    await platform.broker.wait_all()
    async with platform.reading() as s:
        assert await backlog(s) == 0
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 3


async def test_the_running_relay_is_woken_by_a_commit(platform, world):
    stop = asyncio.Event()
    platform.relay.poll_seconds = 3600  # only a wake-up can make it look again
    runner = asyncio.create_task(platform.relay.run(stop))
    try:
        await asyncio.sleep(0)  # let it register and make its first (empty) pass
        match_id = world.match_ids[0]
        async with _listening(platform.cache, tasks.match_channel(match_id)) as received:
            await _forfeit(platform, world, match_id)
            event = json.loads(await asyncio.wait_for(received.get(), WITHIN))
        assert event["status"] == "forfeited"
    finally:
        stop.set()
        await asyncio.wait_for(runner, WITHIN)


async def test_a_commit_during_a_relay_pass_is_not_missed(platform, world):
    """The commit lands just after a pass looked for work: its wake-up must cause another."""
    match_id = world.match_ids[0]

    class CommitDuringPass(OutboxRelay):
        passes = 0

        async def relay_once(self) -> int:
            sent = await super().relay_once()
            self.passes += 1
            if self.passes == 1:  # found nothing; a service commits before the relay sleeps
                await _forfeit(platform, world, match_id)
            return sent

    relay = CommitDuringPass(platform.sessions, platform.broker, poll_seconds=3600)
    stop = asyncio.Event()
    async with _listening(platform.cache, tasks.match_channel(match_id)) as received:
        runner = asyncio.create_task(relay.run(stop))
        try:
            event = json.loads(await asyncio.wait_for(received.get(), WITHIN))
        finally:
            stop.set()
            await asyncio.wait_for(runner, WITHIN)
    assert event["status"] == "forfeited"
    assert relay.passes >= 2


# -- end to end through RabbitMQ ---------------------------------------------------------------


async def _delete_amqp_objects(url: str, queue: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in (queue, f"{queue}.dead_letter", f"{queue}.delay"):
            await channel.queue_delete(name)
        await channel.exchange_delete(queue)


async def test_a_forfeit_reaches_a_subscriber_through_rabbitmq(platform, settings, world):
    url = service_url(AMQP_ENV, "RabbitMQ")
    queue = unique_name("outbox")
    # the API side: same database and cache, RabbitMQ as broker, the relay running
    api_settings = Settings(**{**settings.model_dump(), "broker_url": url, "queue_name": queue})
    api = build_runtime(api_settings)
    worker_broker = create_broker(url, queue_name=queue, exchange_name=queue)
    register_jobs(worker_broker, all_jobs())
    stop = asyncio.Event()
    worker: asyncio.Task[None] | None = None
    try:
        await api.start(relay=True)  # declares the queue, so nothing kicked before is lost
        worker = asyncio.create_task(run_worker(worker_broker, stop=stop))
        match_id = world.match_ids[0]
        async with _listening(api.cache, tasks.match_channel(match_id)) as received:
            await _forfeit(api, world, match_id)
            event = json.loads(await asyncio.wait_for(received.get(), WITHIN))
        assert event == {
            "match_id": match_id,
            "status": "forfeited",
            "starts_at": event["starts_at"],
            "ends_at": event["ends_at"],
        }
        [row] = await _rows(api)
        assert row.dispatched_at is not None
        [receipt] = await _receipts(api)
        assert receipt.message_id == row.id
    finally:
        stop.set()
        if worker is not None:
            await asyncio.wait_for(worker, WITHIN)
        await api.stop()
        await _delete_amqp_objects(url, queue)
