"""Periodic jobs without cron (issue 12): `sprocket periodic` runs our own commands every so
often in one process of the deployment at a time, under a lock (a file lock beside the
embedded database, a PostgreSQL advisory lock in production)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from sprocket.cli import app
from sprocket.platform.periodic import (
    AdvisoryLock,
    FileLock,
    PeriodicJob,
    PeriodicRunner,
    lock_for,
    parse_job,
)
from tests.conftest import POSTGRES_URL
from tests.test_cli import _clean_env, _free_port, _sprocket_command

DEADLINE = 300.0  # seconds: generous, the machine is shared (a CLI process starts in seconds)

# A "command" that appends its argument to a file: the runners' program in these tests.
APPEND = [sys.executable, "-c", "import sys; open(sys.argv[1], 'a').write(sys.argv[2] + '\\n')"]


def test_a_job_is_read_from_its_spec() -> None:
    assert parse_job("backup=1h:backup create --to 's3://bucket/a b'") == PeriodicJob(
        name="backup", every=3600.0, args=("backup", "create", "--to", "s3://bucket/a b")
    )
    assert parse_job("verify=1d:backup verify").every == 86400.0
    assert parse_job("sweep=90:doctor").every == 90.0
    assert parse_job("sweep=15m:doctor").every == 900.0


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("backup create", "is not a periodic job: write NAME=EVERY:ARGUMENTS"),
        ("backup=1w:backup create", "is not a periodic job"),
        ("Backup=1h:backup create", "is not a periodic job"),
        ("backup=0s:backup create", "must be at least one second"),
        ("backup=1h:backup 'create", "do not parse"),
        ("backup=1h:   ", "is not a periodic job"),
    ],
)
def test_a_bad_spec_is_refused_with_a_sentence(spec: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_job(spec)


def test_the_command_refuses_a_bad_spec_and_two_jobs_of_one_name(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["periodic", "--job", "backup"], prog_name="sprocket")
    assert bad.exit_code == 2
    assert "is not a periodic job" in bad.output
    twice = runner.invoke(
        app,
        ["periodic", "--job", "a=1h:schema", "--job", "a=2h:schema"],
        prog_name="sprocket",
        env={"SPROCKET_DATA_DIR": str(tmp_path), "SPROCKET_SECRETS_DIR": str(tmp_path / "no")},
    )
    assert twice.exit_code == 2
    assert "same name" in twice.output


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def _running(runner: PeriodicRunner) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, DEADLINE)


@pytest.fixture(params=["file", "postgresql"])
def make_lock(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[], FileLock | AdvisoryLock]:
    if request.param == "file":
        return lambda: lock_for(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", tmp_path)
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set SPROCKET_TEST_POSTGRES_URL to run this case")
    return lambda: lock_for(POSTGRES_URL, tmp_path)


async def test_one_runner_leads_and_another_takes_over_when_it_stops(
    make_lock: Callable[[], FileLock | AdvisoryLock], tmp_path: Path
) -> None:
    log = tmp_path / "runs.txt"
    first_lock, second_lock, probe = make_lock(), make_lock(), make_lock()
    try:
        first = PeriodicRunner(
            [PeriodicJob("note", 3600.0, (str(log), "first"))],
            lock=first_lock,
            program=APPEND,
            standby=0.1,
        )
        second = PeriodicRunner(
            [PeriodicJob("note", 3600.0, (str(log), "second"))],
            lock=second_lock,
            program=APPEND,
            standby=0.1,
        )
        async with _running(first) as stop_first:
            await _until(lambda: first.leading, "the first runner leads")
            await _until(lambda: _lines(log) == ["first"], "the first runner runs its job")
            async with _running(second):
                # the lock is taken: the second stands by
                assert not await probe.acquire()
                assert not second.leading
                stop_first.set()  # the leader stops: its lock is free
                await _until(lambda: second.leading, "the second runner takes over")
                await _until(lambda: _lines(log) == ["first", "second"], "it runs the job")
        assert not first.leading and not second.leading
    finally:
        for lock in (first_lock, second_lock, probe):
            await lock.dispose()


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_runs_are_counted_and_a_good_one_stamps_the_time(tmp_path: Path) -> None:
    log = tmp_path / "runs.txt"
    lock = FileLock(tmp_path / "periodic.lock")
    runner = PeriodicRunner(
        [
            PeriodicJob("good-job", 3600.0, (str(log), "good")),
            PeriodicJob("bad-job", 3600.0, ("/no/such/folder/file", "bad")),
        ],
        lock=lock,
        program=APPEND,
        standby=0.1,
    )
    before = {
        outcome: _sample("sprocket_periodic_runs_total", job=job, outcome=outcome)
        for job, outcome in (("good-job", "ok"), ("bad-job", "error"))
    }
    started = time.time()
    async with _running(runner):
        await _until(
            lambda: (
                _sample("sprocket_periodic_runs_total", job="bad-job", outcome="error")
                == before["error"] + 1
            ),
            "the failing job is counted",
        )
    assert _sample("sprocket_periodic_runs_total", job="good-job", outcome="ok") == before["ok"] + 1
    assert _sample("sprocket_periodic_runs_total", job="bad-job", outcome="ok") == 0
    stamped = _sample("sprocket_periodic_last_success_timestamp_seconds", job="good-job")
    assert started <= stamped <= time.time()
    assert (
        REGISTRY.get_sample_value(
            "sprocket_periodic_last_success_timestamp_seconds", {"job": "bad-job"}
        )
        is None
    )  # never ended well: absent, which the backup alert's absent() catches
    assert _lines(log) == ["good"]


async def test_a_run_longer_than_its_period_is_stopped(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "periodic.lock")
    sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
    runner = PeriodicRunner([PeriodicJob("slow", 1.0, ())], lock=lock, program=sleeper)
    before = _sample("sprocket_periodic_runs_total", job="slow", outcome="error")
    async with _running(runner):
        await _until(
            lambda: _sample("sprocket_periodic_runs_total", job="slow", outcome="error") > before,
            "the run is stopped after its period and counted as failed",
        )


def test_the_command_leads_runs_a_cli_command_and_publishes_its_metrics(tmp_path: Path) -> None:
    port = _free_port()
    schema = tmp_path / "schema.graphql"
    env = {
        **_clean_env(tmp_path),
        "SPROCKET_DATA_DIR": str(tmp_path / "data"),
        "SPROCKET_METRICS_PORT": str(port),
    }
    out = tmp_path / "periodic.out"
    process = subprocess.Popen(
        [*_sprocket_command(), "periodic", "--job", f"export=1h:schema --output {schema}"],
        env=env,
        stdout=out.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + DEADLINE
        text = ""
        while 'sprocket_periodic_last_success_timestamp_seconds{job="export"}' not in text:
            assert process.poll() is None, out.read_text()
            assert time.monotonic() < deadline, f"the job never ended well: {text[-2000:]}"
            time.sleep(0.2)
            with contextlib.suppress(httpx.HTTPError):
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert "sprocket_periodic_leader 1.0" in text
        assert 'sprocket_periodic_runs_total{job="export",outcome="ok"} 1.0' in text
        assert "type Query" in schema.read_text()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = out.read_text()
    assert process.returncode == 0, output
    assert "periodic.leading" in output


def test_the_worker_publishes_its_metrics(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **_clean_env(tmp_path),
        "SPROCKET_DATA_DIR": str(tmp_path / "data"),
        "SPROCKET_METRICS_PORT": str(port),
    }
    out = tmp_path / "worker.out"
    process = subprocess.Popen(
        [*_sprocket_command(), "worker"], env=env, stdout=out.open("wb"), stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + DEADLINE
        text = ""
        while "# TYPE sprocket_jobs_failed_total counter" not in text:
            assert process.poll() is None, out.read_text()
            assert time.monotonic() < deadline, "the worker never published its metrics"
            time.sleep(0.2)
            with contextlib.suppress(httpx.HTTPError):
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert "# TYPE sprocket_jobs_total counter" in text
        # the stack's health check of a worker: its metrics port answers
        check = [sys.executable, "-m", "sprocket.healthcheck", f"http://127.0.0.1:{port}/metrics"]
        assert subprocess.run(check, timeout=DEADLINE, check=False).returncode == 0
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = out.read_text()
    assert process.returncode == 0, output


def test_the_lock_file_lives_in_the_data_folder(tmp_path: Path) -> None:
    lock = lock_for(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", tmp_path / "data")
    assert isinstance(lock, FileLock)
    assert lock.path == tmp_path / "data" / "periodic.lock"
