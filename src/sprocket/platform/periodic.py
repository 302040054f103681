"""Periodic jobs without cron (Docker Swarm has none): ``sprocket periodic`` runs commands
of our own CLI (a backup, its verification) every so often, in one process of the whole
deployment at a time.

Every ``periodic`` process tries to take one lock; the one that holds it leads and runs the
jobs, the others stand by and take over when it stops or dies. On PostgreSQL the lock is a
session advisory lock, so a leader whose database connection is lost stops leading (the
server freed its lock for another); elsewhere (the embedded SQLite, one host) it is a file
lock in the data folder. On taking the lead a process runs each job at once, then every
``every`` seconds from the start of its previous run. A run lasting longer than its period
is stopped. Each run is counted in ``sprocket_periodic_runs_total`` and a good one stamps
``sprocket_periodic_last_success_timestamp_seconds``, which the alert rules watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from sprocket.db import advisory_key, create_engine
from sprocket.logs import log
from sprocket.metrics import PERIODIC_LAST_SUCCESS, PERIODIC_LEADER, PERIODIC_RUNS

#: The lock's name (PostgreSQL advisory lock) and file name (elsewhere).
LOCK_NAME = "sprocket:periodic"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SPEC = re.compile(r"^(?P<name>[a-z][a-z0-9_-]{0,39})=(?P<every>\d+[smhd]?):(?P<args>.+)$")


@dataclass(frozen=True)
class PeriodicJob:
    """A command run every ``every`` seconds: ``args``, the arguments of our CLI."""

    name: str
    every: float
    args: tuple[str, ...]


def parse_job(spec: str) -> PeriodicJob:
    """Read ``NAME=EVERY:ARGUMENTS``: a name (lowercase letters, digits, ``-``, ``_``), a
    period (seconds, or a number with ``s``, ``m``, ``h`` or ``d``) and the CLI's arguments
    as a shell would split them, e.g. ``backup=1h:backup create``. Raises ValueError with a
    sentence saying what is wrong."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise ValueError(
            f"{spec!r} is not a periodic job: write NAME=EVERY:ARGUMENTS, "
            "for example 'backup=1h:backup create'."
        )
    every = match["every"]
    seconds = int(every.rstrip("smhd")) * _UNITS.get(every[-1], 1)
    if seconds < 1:
        raise ValueError(f"The period of job {match['name']!r} must be at least one second.")
    try:
        args = tuple(shlex.split(match["args"]))
    except ValueError as error:
        raise ValueError(f"The arguments of job {match['name']!r} do not parse: {error}.") from None
    if not args:
        raise ValueError(f"Job {match['name']!r} has no command.")
    return PeriodicJob(name=match["name"], every=float(seconds), args=args)


class Lock(Protocol):
    async def acquire(self) -> bool:
        """Take the lock if it is free; True when this process now holds it."""
        ...

    async def held(self) -> bool:
        """Whether this process still holds it (its connection may have been lost)."""
        ...

    async def release(self) -> None:
        """Give it up (safe to call when not held)."""
        ...

    async def dispose(self) -> None:
        """Give it up and close what it holds open."""
        ...


class AdvisoryLock:
    """A PostgreSQL session advisory lock held on a connection of its own."""

    def __init__(self, database_url: str, name: str = LOCK_NAME) -> None:
        self.engine = create_engine(database_url, pool_size=1)
        self.key = advisory_key(name)
        self.connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        await self.release()
        connection = await self.engine.connect()
        try:
            taken = await connection.scalar(select(func.pg_try_advisory_lock(self.key)))
            await connection.commit()  # a session lock outlives the transaction
        except BaseException:
            await connection.close()
            raise
        if not taken:
            await connection.close()
            return False
        self.connection = connection
        return True

    async def held(self) -> bool:
        if self.connection is None:
            return False
        try:
            await self.connection.scalar(select(1))
            await self.connection.commit()
            return True
        except Exception:  # the connection is gone, and the server freed the lock with it
            await self.release()
            return False

    async def release(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.scalar(select(func.pg_advisory_unlock(self.key)))
            with contextlib.suppress(Exception):
                await connection.close()

    async def dispose(self) -> None:
        await self.release()
        await self.engine.dispose()


class FileLock:
    """An exclusive lock on a file (one host: the embedded database's)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.descriptor: int | None = None

    async def acquire(self) -> bool:
        if self.descriptor is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self.descriptor = descriptor
        return True

    async def held(self) -> bool:
        return self.descriptor is not None

    async def release(self) -> None:
        descriptor, self.descriptor = self.descriptor, None
        if descriptor is not None:
            os.close(descriptor)  # closing frees the lock

    async def dispose(self) -> None:
        await self.release()


def lock_for(database_url: str, data_dir: Path) -> AdvisoryLock | FileLock:
    """The lock every ``periodic`` process of the deployment of ``database_url`` agrees on."""
    if database_url.startswith("postgresql"):
        return AdvisoryLock(database_url)
    return FileLock(data_dir / "periodic.lock")


class PeriodicRunner:
    """Runs ``jobs`` while holding ``lock``, each command being ``program`` (a list: the CLI
    to call, e.g. ``[python, -m, sprocket]``) followed by the job's arguments. ``standby``:
    seconds between tries to take the lock, and between checks that it is still held."""

    def __init__(
        self,
        jobs: Sequence[PeriodicJob],
        *,
        lock: Lock,
        program: Sequence[str],
        standby: float = 5.0,
    ) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError("Two periodic jobs have the same name.")
        self.jobs = tuple(jobs)
        self.lock = lock
        self.program = tuple(program)
        self.standby = standby
        self.leading = False

    async def run(self, stop: asyncio.Event) -> None:
        """Lead or stand by until ``stop`` is set; then give the lock up. A job running then
        is stopped (SIGTERM) and waited for."""
        PERIODIC_LEADER.set(0)
        try:
            while not stop.is_set():
                try:
                    taken = await self.lock.acquire()
                except Exception as error:  # the database may be briefly away
                    log.warning("periodic.lock_failed", error=str(error))
                    taken = False
                if taken:
                    await self._lead(stop)
                else:
                    await _sleep(stop, self.standby)
        finally:
            self._set_leading(False)
            await self.lock.release()

    async def _lead(self, stop: asyncio.Event) -> None:
        self._set_leading(True)
        due = dict.fromkeys((job.name for job in self.jobs), time.monotonic())
        while not stop.is_set():
            if not await self.lock.held():
                log.warning("periodic.lock_lost")
                break
            for job in self.jobs:
                if not stop.is_set() and time.monotonic() >= due[job.name]:
                    due[job.name] = time.monotonic() + job.every
                    await self._run_job(job, stop)
            next_due = min(due.values()) - time.monotonic()
            await _sleep(stop, max(0.0, min(next_due, self.standby)))
        self._set_leading(False)

    def _set_leading(self, leading: bool) -> None:
        if leading != self.leading:
            log.info("periodic.leading" if leading else "periodic.standing_by")
        self.leading = leading
        PERIODIC_LEADER.set(1 if leading else 0)

    async def _run_job(self, job: PeriodicJob, stop: asyncio.Event) -> None:
        started = time.monotonic()
        log.info("periodic.job_started", job=job.name)
        process = await asyncio.create_subprocess_exec(*self.program, *job.args)
        waiting = asyncio.ensure_future(process.wait())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait(
            {waiting, stopping}, timeout=job.every, return_when=asyncio.FIRST_COMPLETED
        )
        stopping.cancel()
        reason = None
        if not waiting.done():
            reason = "stopped" if stop.is_set() else f"still running after {job.every:g} s"
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await waiting
        code = process.returncode
        ok = reason is None and code == 0
        PERIODIC_RUNS.labels(job=job.name, outcome="ok" if ok else "error").inc()
        seconds = round(time.monotonic() - started, 3)
        if ok:
            PERIODIC_LAST_SUCCESS.labels(job=job.name).set(time.time())
            log.info("periodic.job_done", job=job.name, seconds=seconds)
        else:
            log.warning(
                "periodic.job_failed", job=job.name, exit_code=code, reason=reason, seconds=seconds
            )


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
