"""One contract for every task broker: in-process memory and (when configured) RabbitMQ."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import pytest
from prometheus_client import REGISTRY
from taskiq import AsyncBroker

from sprocket.platform.broker import (
    broker_ping,
    create_broker,
    kick_job,
    queue_depths,
    register_jobs,
    run_worker,
)
from tests.platform.conftest import AMQP_ENV, service_url, unique_name, wait_until

JOB_WITHIN = 10.0


@dataclass
class BrokerCase:
    """A client broker that kicks jobs and a worker broker that runs them.

    With memory:// they are the same object: jobs run where they are kicked.
    """

    client: AsyncBroker
    worker: AsyncBroker
    make_unstarted: Callable[[], AsyncBroker]
    kind: str
    cleanups: list[Callable[[], Any]] = field(default_factory=list)


RETRIES, RETRY_DELAY = 2, 0.05


@pytest.fixture(params=["memory", "amqp"])
async def broker_case(request: pytest.FixtureRequest) -> AsyncIterator[BrokerCase]:
    if request.param == "memory":
        broker = create_broker("memory://", retries=RETRIES, retry_delay=RETRY_DELAY)
        await broker.startup()
        try:
            yield BrokerCase(
                broker,
                broker,
                lambda: create_broker("memory://", retries=RETRIES, retry_delay=RETRY_DELAY),
                "memory",
            )
        finally:
            await broker.shutdown()
        return

    url = service_url(AMQP_ENV, "RabbitMQ")
    queue, exchange = unique_name("queue"), unique_name("exchange")

    def make() -> AsyncBroker:
        return create_broker(
            url,
            queue_name=queue,
            exchange_name=exchange,
            retries=RETRIES,
            retry_delay=RETRY_DELAY,
        )

    client = make()
    try:
        await client.startup()
        yield BrokerCase(client, make(), make, "amqp")
    finally:
        await client.shutdown()
        await _delete_amqp_objects(
            url, queues=[queue, f"{queue}.dead_letter", f"{queue}.delay"], exchange=exchange
        )


async def _delete_amqp_objects(url: str, *, queues: list[str], exchange: str) -> None:
    """Remove what a test declared on RabbitMQ (deleting a missing object is fine)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in queues:
            await channel.queue_delete(name)
        await channel.exchange_delete(exchange)


@contextlib.asynccontextmanager
async def running_worker(broker: AsyncBroker) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``run_worker`` in the background; stop it and wait for it on exit."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(broker, stop=stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, JOB_WITHIN)


def jobs_counted(job: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value("sprocket_jobs_total", {"job": job, "outcome": outcome})
    return value or 0.0


def jobs_failed(job: str) -> float:
    return REGISTRY.get_sample_value("sprocket_jobs_failed_total", {"job": job}) or 0.0


def durations_counted(job: str) -> float:
    value = REGISTRY.get_sample_value("sprocket_job_duration_seconds_count", {"job": job})
    return value or 0.0


async def test_a_kicked_job_runs_with_its_arguments(broker_case: BrokerCase) -> None:
    name = unique_name("job")
    calls: list[tuple[int, str]] = []
    done = asyncio.Event()

    async def record(match_id: int, *, note: str) -> None:
        calls.append((match_id, note))
        done.set()

    jobs = {name: record}
    tasks = register_jobs(broker_case.client, jobs)
    register_jobs(broker_case.worker, jobs)
    assert set(tasks) == {name}
    assert record.__name__ == "record"  # the caller's function is left alone

    async with running_worker(broker_case.worker):
        await tasks[name].kiq(42, note="replay parsed")
        await asyncio.wait_for(done.wait(), JOB_WITHIN)
    assert calls == [(42, "replay parsed")]


async def test_jobs_can_be_kicked_by_name(broker_case: BrokerCase) -> None:
    name = unique_name("job")
    seen: asyncio.Queue[str] = asyncio.Queue()

    async def notify(player: str) -> None:
        seen.put_nowait(player)

    register_jobs(broker_case.client, {name: notify})
    register_jobs(broker_case.worker, {name: notify})
    async with running_worker(broker_case.worker):
        task_id = await kick_job(broker_case.client, name, "Deevo")
        assert task_id
        assert await asyncio.wait_for(seen.get(), JOB_WITHIN) == "Deevo"


async def test_job_metrics_count_outcomes_and_durations(broker_case: BrokerCase) -> None:
    good, bad = unique_name("job-ok"), unique_name("job-fails")

    async def succeed() -> str:
        return "fine"

    async def fail() -> None:
        raise RuntimeError("boom (expected by the test)")

    jobs = {good: succeed, bad: fail}
    register_jobs(broker_case.client, jobs)
    register_jobs(broker_case.worker, jobs)
    async with running_worker(broker_case.worker):
        await kick_job(broker_case.client, good)
        await kick_job(broker_case.client, good)
        await kick_job(broker_case.client, bad)

        async def counted() -> bool:
            # a failing job is tried once and then retried RETRIES times
            return jobs_counted(good, "ok") == 2 and jobs_counted(bad, "error") == RETRIES + 1

        await wait_until(counted, within=JOB_WITHIN)
    assert jobs_counted(good, "error") == 0
    assert jobs_counted(bad, "ok") == 0
    assert durations_counted(good) == 2
    assert durations_counted(bad) == RETRIES + 1
    # given up once, after its last retry; the one that succeeded never
    assert jobs_failed(bad) == 1
    assert jobs_failed(good) == 0


async def test_a_job_cut_short_is_delivered_again(broker_case: BrokerCase) -> None:
    if broker_case.kind == "memory":
        pytest.skip("memory:// jobs live and die with the process that kicked them")
    name = unique_name("job")
    attempts: list[int] = []
    first_started, second_ran = asyncio.Event(), asyncio.Event()

    async def parse(replay: int) -> None:
        attempts.append(replay)
        if len(attempts) == 1:
            first_started.set()
            await asyncio.Event().wait()  # the worker "dies" while this job is running
        else:
            second_ran.set()

    jobs = {name: parse}
    register_jobs(broker_case.client, jobs)
    register_jobs(broker_case.worker, jobs)
    crashed = asyncio.create_task(run_worker(broker_case.worker, stop=asyncio.Event()))
    await kick_job(broker_case.client, name, 7)
    await asyncio.wait_for(first_started.wait(), JOB_WITHIN)
    crashed.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await crashed

    replacement = broker_case.make_unstarted()
    register_jobs(replacement, jobs)
    async with running_worker(replacement):
        await asyncio.wait_for(second_ran.wait(), JOB_WITHIN)
    assert attempts == [7, 7]


async def test_broker_ping(broker_case: BrokerCase) -> None:
    await broker_ping(broker_case.client)
    if broker_case.kind == "memory":
        await broker_ping(broker_case.make_unstarted())  # nothing to reach: never fails
        return
    unstarted = broker_case.make_unstarted()
    with pytest.raises(ConnectionError, match="not been started"):
        await broker_ping(unstarted)


async def test_broker_ping_fails_once_the_connection_is_closed() -> None:
    url = service_url(AMQP_ENV, "RabbitMQ")
    queue, exchange = unique_name("queue"), unique_name("exchange")
    broker = create_broker(url, queue_name=queue, exchange_name=exchange)
    try:
        await broker.startup()
        await broker_ping(broker)
    finally:
        await broker.shutdown()
        await _delete_amqp_objects(
            url, queues=[queue, f"{queue}.dead_letter", f"{queue}.delay"], exchange=exchange
        )
    with pytest.raises(ConnectionError, match="closed"):
        await broker_ping(broker)


async def test_the_worker_stops_when_asked(broker_case: BrokerCase) -> None:
    async with running_worker(broker_case.worker) as task:
        await asyncio.sleep(0.05)
        assert not task.done()
    assert task.done() and task.exception() is None


async def test_queue_depths_count_the_messages_waiting() -> None:
    assert await queue_depths("memory://", "sprocket") is None  # no queue to count
    url = service_url(AMQP_ENV, "RabbitMQ")
    queue = unique_name("queue")
    assert await queue_depths(url, queue) == {
        queue: None,  # not declared yet
        f"{queue}.delay": None,
        f"{queue}.dead_letter": None,
    }
    broker = create_broker(url, queue_name=queue, exchange_name=queue)
    try:
        await broker.startup()
        await kick_job(broker, unique_name("job"), 1)  # no worker takes it
        depths: dict[str, int | None] = {}

        async def counted() -> bool:
            depths.update(await queue_depths(url, queue) or {})
            return depths.get(queue) == 1

        await wait_until(counted)
        assert depths == {queue: 1, f"{queue}.delay": 0, f"{queue}.dead_letter": 0}
    finally:
        await broker.shutdown()
        await _delete_amqp_objects(
            url, queues=[queue, f"{queue}.dead_letter", f"{queue}.delay"], exchange=queue
        )


def test_create_broker_rejects_unknown_schemes() -> None:
    with pytest.raises(ValueError, match="kafka"):
        create_broker("kafka://localhost:9092")


async def test_run_worker_fails_fast_when_rabbitmq_is_unreachable() -> None:
    broker = create_broker("amqp://guest:guest@127.0.0.1:1/", queue_name="q", exchange_name="x")
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(run_worker(broker, stop=asyncio.Event()), JOB_WITHIN)
