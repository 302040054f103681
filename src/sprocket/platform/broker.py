"""Task broker chosen by URL, built on taskiq: ``memory://`` or ``amqp://`` / ``amqps://``.

With ``memory://`` a kicked job runs as an asyncio task inside the process that kicked it.
With RabbitMQ, jobs wait in a durable queue until ``run_worker`` (``sprocket worker``) takes them;
a message is acknowledged only after its job has finished, so a worker killed mid-job leaves
the message to be delivered again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from taskiq import (
    AckableMessage,
    AsyncBroker,
    AsyncTaskiqDecoratedTask,
    InMemoryBroker,
    SmartRetryMiddleware,
    TaskiqMiddleware,
)
from taskiq.acks import AcknowledgeType
from taskiq.kicker import AsyncKicker
from taskiq.message import TaskiqMessage
from taskiq.receiver import Receiver
from taskiq.result import TaskiqResult
from taskiq_aio_pika import AioPikaBroker, Exchange, Queue

from sprocket.metrics import JOB_DURATION, JOBS, JOBS_FAILED

__all__ = [
    "JobMetricsMiddleware",
    "broker_ping",
    "create_broker",
    "kick_job",
    "queue_depths",
    "register_jobs",
    "run_worker",
]

log = logging.getLogger(__name__)

Job = Callable[..., Awaitable[Any]]
PING_TIMEOUT = 5.0


class JobMetricsMiddleware(TaskiqMiddleware):
    """Counts jobs by name and outcome (``JOBS``), times them (``JOB_DURATION``), and counts
    those given up (``JOBS_FAILED``): failed on their last try, ``attempts`` being how many
    tries a job gets (taskiq's ``_retries`` label numbers the retries, from 0)."""

    def __init__(self, *, attempts: int = 1) -> None:
        super().__init__()
        self.attempts = attempts
        # By message (the object the receiver hands to post_execute): when it started, and
        # which retry it is, read now, since the retry middleware's on_error later bumps the
        # ``_retries`` label of this very message when it sends the next try.
        self._started: dict[int, tuple[float, int]] = {}

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        retry = int(message.labels.get("_retries", 0))
        self._started[id(message)] = (time.perf_counter(), retry)
        return message

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        started = self._started.pop(id(message), None)
        JOBS.labels(job=message.task_name, outcome="error" if result.is_err else "ok").inc()
        if started is None:
            return
        if result.is_err and started[1] + 1 >= self.attempts:
            JOBS_FAILED.labels(job=message.task_name).inc()
        JOB_DURATION.labels(job=message.task_name).observe(time.perf_counter() - started[0])


def create_broker(
    url: str,
    *,
    queue_name: str = "sprocket",
    exchange_name: str = "sprocket",
    retries: int = 5,
    retry_delay: float = 1.0,
) -> AsyncBroker:
    """Build the broker named by ``url``; AMQP uses a durable queue and exchange of these names.

    Messages RabbitMQ rejects go to ``<queue_name>.dead_letter``; a job that raises is still
    acknowledged (counted as ``error``), so retries are the caller's business.
    """
    scheme = url.partition("://")[0].lower()
    broker: AsyncBroker
    if scheme == "memory":
        broker = InMemoryBroker()
    elif scheme in ("amqp", "amqps"):
        broker = AioPikaBroker(
            url,
            exchange=Exchange(name=exchange_name),
            task_queues=[Queue(name=queue_name)],
            dead_letter_queue=Queue(name=f"{queue_name}.dead_letter"),
            # Retries wait here (a message TTL) before they go back to the task queue.
            delay_queue=Queue(name=f"{queue_name}.delay"),
        )
    else:
        raise ValueError(
            f"Unknown broker URL scheme {scheme!r}: use memory://, amqp:// or amqps://."
        )
    # Every job is idempotent (see platform.outbox.first_delivery), so a failed one is
    # simply run again, with growing delays, instead of being acknowledged and forgotten.
    # A failed job is retried ``retries`` times, the n-th after about n * retry_delay seconds.
    broker.add_middlewares(JobMetricsMiddleware(attempts=retries + 1 if retries > 0 else 1))
    if retries > 0:
        broker.add_middlewares(
            SmartRetryMiddleware(
                default_retry_count=retries + 1,  # taskiq counts the first run too
                default_retry_label=True,
                default_delay=retry_delay,
                use_jitter=True,
                use_delay_exponent=True,
                max_delay_exponent=60,
            )
        )
    return broker


def register_jobs(
    broker: AsyncBroker, jobs: Mapping[str, Job]
) -> dict[str, AsyncTaskiqDecoratedTask[..., Any]]:
    """Register each async function under its task name; return the taskiq tasks by name.

    Each function is wrapped first, because taskiq renames the functions it registers.
    """
    registered: dict[str, AsyncTaskiqDecoratedTask[..., Any]] = {}
    for name, func in jobs.items():
        registered[name] = broker.register_task(_wrap(func), task_name=name)
    return registered


def _wrap(func: Job) -> Job:
    @functools.wraps(func)
    async def job(*args: Any, **kwargs: Any) -> Any:
        return await func(*args, **kwargs)

    return job


async def kick_job(broker: AsyncBroker, job_name: str, /, *args: Any, **kwargs: Any) -> str:
    """Send the job named ``job_name`` to the broker; return its task id."""
    kicker: AsyncKicker[..., Any] = AsyncKicker(job_name, broker, labels={})
    task = await kicker.kiq(*args, **kwargs)
    return task.task_id


class _Receiver(Receiver):
    """A taskiq Receiver that keeps its running jobs in ``running``."""

    def __init__(self, *args: Any, running: set[asyncio.Task[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.running = running

    async def callback(self, message: bytes | AckableMessage, raise_err: bool = False) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.running.add(task)
        try:
            await super().callback(message, raise_err)
        finally:
            self.running.discard(task)


async def run_worker(
    broker: AsyncBroker,
    *,
    stop: asyncio.Event,
    concurrency: int = 10,
    grace: float | None = 30.0,
) -> None:
    """Run jobs from ``broker`` until ``stop`` is set, then let running jobs finish.

    The worker owns the broker: it starts it (as a worker) and shuts it down at the end, so
    pass a broker that has not been started. ``grace`` bounds the wait for running jobs; jobs
    still running then (or when the worker is cancelled) are cancelled only after the
    connection is closed, so their unacknowledged messages go back to the queue.
    With ``memory://`` there is nothing to consume (jobs run where they are kicked): it waits.
    """
    if isinstance(broker, InMemoryBroker):
        log.info("memory:// broker: jobs run in the process that kicks them; the worker idles.")
        await stop.wait()
        return
    broker.is_worker_process = True
    try:
        await broker.startup()
    except BaseException:
        with contextlib.suppress(Exception):
            await broker.shutdown()  # close whatever connection was opened
        raise
    running: set[asyncio.Task[Any]] = set()
    try:
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="sprocket-job") as executor:
            while not stop.is_set():
                receiver = _Receiver(
                    broker,
                    running=running,
                    executor=executor,
                    run_startup=False,
                    max_async_tasks=concurrency,
                    ack_type=AcknowledgeType.WHEN_SAVED,
                    wait_tasks_timeout=grace,
                )
                try:
                    await receiver.listen(stop)
                except Exception:
                    log.exception("The worker lost its broker connection; listening again.")
                if not stop.is_set():  # the consumer ended without being asked to: back off
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=1.0)
    finally:
        try:
            await asyncio.wait_for(broker.shutdown(), timeout=10.0)
        except Exception:
            log.exception("The broker did not shut down cleanly.")
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


async def broker_ping(broker: AsyncBroker) -> None:
    """Readiness probe: raise ``ConnectionError`` when an AMQP broker can't be used."""
    if not isinstance(broker, AioPikaBroker):
        return
    connection = broker.write_conn
    if connection is None:
        raise ConnectionError("the AMQP broker has not been started")
    if connection.is_closed:
        raise ConnectionError("the AMQP connection is closed")
    try:
        async with asyncio.timeout(PING_TIMEOUT):
            channel = await connection.channel()  # a full round trip to RabbitMQ
            await channel.close()
    except TimeoutError:
        raise ConnectionError(f"RabbitMQ did not answer within {PING_TIMEOUT:g} s") from None
    except Exception as exc:
        raise ConnectionError(f"RabbitMQ is unreachable: {exc or type(exc).__name__}") from exc


async def queue_depths(url: str, queue_name: str) -> dict[str, int | None] | None:
    """Messages waiting in each queue of the broker at ``url``: the task queue
    ``queue_name``, its retries' delay queue and its dead letters (None for a queue not
    declared yet), read by declaring each passively on a connection of its own; None for
    ``memory://``, which keeps no queue. Raises the connection's error when RabbitMQ cannot
    be reached."""
    if url.partition("://")[0].lower() not in ("amqp", "amqps"):
        return None
    import aio_pika
    from aio_pika.exceptions import ChannelNotFoundEntity

    depths: dict[str, int | None] = {}
    connection = await aio_pika.connect(url)
    try:
        for name in (queue_name, f"{queue_name}.delay", f"{queue_name}.dead_letter"):
            channel = await connection.channel()  # a missing queue closes its channel
            try:
                queue = await channel.declare_queue(name, passive=True)
                depths[name] = queue.declaration_result.message_count
            except ChannelNotFoundEntity:
                depths[name] = None
            finally:
                if not channel.is_closed:
                    await channel.close()
    finally:
        await connection.close()
    return depths
