"""Faults (issue 3): a worker killed in the middle of processing or finalizing a submission
leaves it to the next worker, with no duplicated games or stat lines.

Against the real RabbitMQ and PostgreSQL only: the outbox relay hands the job to RabbitMQ, a
worker (``run_worker``, as ``sprocket worker`` runs it) takes it and "dies" half-way (its task
is cancelled while the job's transaction is still open), so the message, never acknowledged,
goes back to the queue; a second worker with the real code then completes the submission,
once. Each test declares its own queue and exchange and deletes them (and the dead-letter
queue) afterwards; the database is the test's own, dropped afterwards. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aio_pika
import pytest
from sqlalchemy import select

from sprocket.config import Settings
from sprocket.flows import tasks
from sprocket.identity.access import Actor
from sprocket.jobs import all_jobs
from sprocket.league import service as league
from sprocket.platform.broker import create_broker, register_jobs, run_worker
from sprocket.platform.outbox import OutboxMessage, ProcessedMessage
from sprocket.replays import service
from sprocket.replays.models import Ratification, Submission
from sprocket.runtime import Runtime
from sprocket.schedule.models import Match, MatchGame
from sprocket.stats import service as stats
from sprocket.stats.models import PlayerGameStat, TeamGameStat
from tests.api.test_replay_api import count, linked_lineup, new_match, status_of, submit, team_users
from tests.conftest import AMQP_URL, POSTGRES_URL
from tests.league_world import World
from tests.replays.series import sweep

pytestmark = pytest.mark.skipif(
    not (AMQP_URL and POSTGRES_URL),
    reason="fault tests need the real services: set SPROCKET_TEST_AMQP_URL and "
    "SPROCKET_TEST_POSTGRES_URL",
)

TIMEOUT = 15.0


@pytest.fixture
async def queue_name() -> AsyncIterator[str]:
    """A queue (and exchange) of this test's own, deleted with its dead-letter queue after."""
    name = f"sprocket-test-faults-{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        assert AMQP_URL
        connection = await aio_pika.connect(AMQP_URL)
        async with connection:
            channel = await connection.channel()
            for queue in (name, f"{name}.dead_letter", f"{name}.delay"):
                await channel.queue_delete(queue)
            await channel.exchange_delete(name)


@pytest.fixture
def settings(settings: Settings, queue_name: str) -> Settings:
    """The shared settings (a PostgreSQL database of the test's own), on RabbitMQ."""
    assert AMQP_URL
    settings.broker_url = AMQP_URL
    settings.queue_name = queue_name
    return settings


# -- workers -------------------------------------------------------------------------------------


def _worker_broker(settings: Settings) -> Any:
    broker = create_broker(
        settings.broker_url, queue_name=settings.queue_name, exchange_name=settings.queue_name
    )
    register_jobs(broker, all_jobs())
    return broker


@contextlib.asynccontextmanager
async def worker(settings: Settings) -> AsyncIterator[None]:
    """A worker with a clean stop at the end."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(_worker_broker(settings), stop=stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)


@contextlib.asynccontextmanager
async def doomed_worker(settings: Settings) -> AsyncIterator[None]:
    """A worker killed at the end of the block, whatever its jobs are doing."""
    task = asyncio.create_task(run_worker(_worker_broker(settings), stop=asyncio.Event()))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, TIMEOUT)


def dies_midway(
    real: Callable[..., Awaitable[Any]], reached: asyncio.Event
) -> Callable[..., Awaitable[Any]]:
    """``real``, then the job hangs with its writes flushed but not committed, until killed."""

    async def hang(session: Any, **kwargs: Any) -> Any:
        result = await real(session, **kwargs)
        await session.flush()
        reached.set()
        await asyncio.Event().wait()
        return result

    return hang


async def eventually(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {TIMEOUT} s, still not: {what}")
        await asyncio.sleep(0.05)


# -- the league ----------------------------------------------------------------------------------


async def _submitted(platform: Runtime, world: World) -> tuple[int, int, int]:
    """A Team 1 vs Team 2 sweep submitted by Team 1's captain and relayed to RabbitMQ:
    (match id, submission id, outbox message id of its processing job)."""
    match_id = await new_match(platform, world)
    uploads = sweep(await linked_lineup(platform, match_id))
    submission_id = await submit(platform, world.actors["team_captain"], match_id, uploads)
    async with platform.reading() as s:
        messages = (
            await s.scalars(select(OutboxMessage).where(OutboxMessage.job == "submission.process"))
        ).all()
    (message,) = [m for m in messages if m.payload["submission_id"] == submission_id]
    assert await platform.relay.relay_once() >= 1
    return match_id, submission_id, message.id


async def _results(platform: Runtime, match_id: int) -> dict[str, Any]:
    async with platform.reading() as s:
        match = await s.get(Match, match_id)
        assert match is not None
        status = match.status
        game_ids = list(await s.scalars(select(MatchGame.id).where(MatchGame.match_id == match_id)))
    return {
        "match": status,
        "games": len(game_ids),
        "player lines": await count(
            platform, PlayerGameStat, PlayerGameStat.match_game_id.in_(game_ids or [0])
        ),
        "team lines": await count(
            platform, TeamGameStat, TeamGameStat.match_game_id.in_(game_ids or [0])
        ),
    }


NOTHING = {"match": "scheduled", "games": 0, "player lines": 0, "team lines": 0}
ONCE = {"match": "completed", "games": 3, "player lines": 3 * 4, "team lines": 3 * 2}


async def _receipts(platform: Runtime, message_id: int) -> int:
    return await count(
        platform,
        ProcessedMessage,
        ProcessedMessage.consumer == "submission.process",
        ProcessedMessage.message_id == message_id,
    )


async def _other_side(platform: Runtime, world: World) -> list[Actor]:
    return [Actor(user_id=u) for u in await team_users(platform, world.team_ids[1])]


# -- the tests -----------------------------------------------------------------------------------


async def test_a_worker_killed_while_processing_leaves_it_to_the_next(
    platform: Runtime, settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    match_id, submission_id, message_id = await _submitted(platform, world)
    real = service.process_submission
    reached = asyncio.Event()
    monkeypatch.setattr(service, "process_submission", dies_midway(real, reached))
    async with doomed_worker(settings):
        await asyncio.wait_for(reached.wait(), TIMEOUT)
        # Parsed and validated inside the job, but nothing of it is committed.
        assert await status_of(platform, submission_id) == "processing"
        assert await _receipts(platform, message_id) == 0

    # Killed: the job's transaction rolled back, the message went back to the queue.
    assert await status_of(platform, submission_id) == "processing"
    assert await _receipts(platform, message_id) == 0
    calls: list[int] = []

    async def counted(session: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["submission_id"])
        return await real(session, **kwargs)

    monkeypatch.setattr(service, "process_submission", counted)
    async with worker(settings):

        async def awaiting() -> bool:
            return await status_of(platform, submission_id) == "awaiting_ratification"

        await eventually(awaiting, "the next worker processed the submission")
    assert calls == [submission_id]  # redelivered, and handled once
    assert await _receipts(platform, message_id) == 1

    team2 = await _other_side(platform, world)
    async with platform.unit_of_work() as s:
        await service.ratify(s, actor=team2[0], submission_id=submission_id)
    assert await status_of(platform, submission_id) == "accepted"
    assert await _results(platform, match_id) == ONCE

    # The same message delivered once more (a relay that lost its "dispatched" mark) is a no-op.
    seen: list[int] = []
    first_delivery = tasks.first_delivery

    async def watched(session: Any, *, consumer: str, message_id: int) -> bool:
        fresh = await first_delivery(session, consumer=consumer, message_id=message_id)
        if consumer == "submission.process":
            seen.append(fresh)
        return fresh

    monkeypatch.setattr(tasks, "first_delivery", watched)
    async with platform.unit_of_work() as s:
        row = await s.get(OutboxMessage, message_id)
        assert row is not None
        row.dispatched_at = None
    assert await platform.relay.relay_once() >= 1
    async with worker(settings):

        async def delivered() -> bool:
            return bool(seen)

        await eventually(delivered, "the repeated message was delivered")
    assert seen == [False]
    assert calls == [submission_id]
    assert await _receipts(platform, message_id) == 1
    assert await status_of(platform, submission_id) == "accepted"
    assert await _results(platform, match_id) == ONCE


async def test_a_worker_killed_while_finalizing_leaves_it_to_the_next(
    platform: Runtime, settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No ratification needed: the processing job itself accepts, in its transaction.
    async with platform.unit_of_work() as s:
        await league.set_organization_setting(
            s,
            actor=world.actors["superuser"],
            organization_id=world.organization_id,
            key="required_ratifications",
            value=0,
        )
    match_id, submission_id, message_id = await _submitted(platform, world)
    real = stats.record_series
    reached = asyncio.Event()
    monkeypatch.setattr(stats, "record_series", dies_midway(real, reached))
    async with doomed_worker(settings):
        await asyncio.wait_for(reached.wait(), TIMEOUT)
        # Games and stat lines are written in the job's transaction, not yet committed.
        assert await _results(platform, match_id) == NOTHING
    assert await _results(platform, match_id) == NOTHING
    assert await status_of(platform, submission_id) == "processing"

    monkeypatch.setattr(stats, "record_series", real)
    async with worker(settings):

        async def accepted() -> bool:
            return await status_of(platform, submission_id) == "accepted"

        await eventually(accepted, "the next worker finalized the submission")
    assert await _results(platform, match_id) == ONCE
    assert await _receipts(platform, message_id) == 1


async def test_a_finalize_that_fails_leaves_nothing_and_a_retry_accepts_once(
    platform: Runtime, settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    match_id, submission_id, _ = await _submitted(platform, world)
    async with worker(settings):

        async def awaiting() -> bool:
            return await status_of(platform, submission_id) == "awaiting_ratification"

        await eventually(awaiting, "the worker processed the submission")

    real = stats.record_series

    async def dies(session: Any, **kwargs: Any) -> None:
        await real(session, **kwargs)
        await session.flush()  # games and lines written...
        raise RuntimeError("the process died while finalizing")  # ...never committed

    monkeypatch.setattr(stats, "record_series", dies)
    team2 = await _other_side(platform, world)
    with pytest.raises(RuntimeError, match="finalizing"):
        async with platform.unit_of_work() as s:
            await service.ratify(s, actor=team2[0], submission_id=submission_id)
    assert await _results(platform, match_id) == NOTHING
    assert await status_of(platform, submission_id) == "awaiting_ratification"
    assert await count(platform, Ratification, Ratification.submission_id == submission_id) == 0

    monkeypatch.setattr(stats, "record_series", real)
    async with platform.unit_of_work() as s:
        await service.ratify(s, actor=team2[0], submission_id=submission_id)
    assert await status_of(platform, submission_id) == "accepted"
    assert await _results(platform, match_id) == ONCE
    # Ratifying again, by the other player of the side, adds nothing.
    async with platform.unit_of_work() as s:
        await service.ratify(s, actor=team2[1], submission_id=submission_id)
    assert await _results(platform, match_id) == ONCE
    assert await count(platform, Submission, Submission.match_id == match_id) == 1
