"""Migrations under a lock (issue 12): on PostgreSQL every migrating process takes one
advisory lock first, so the API replicas of a rollout, starting at once, migrate once."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from sprocket.db import advisory_key
from sprocket.migrate import MIGRATION_LOCK, alembic_config
from tests.conftest import POSTGRES_URL, _admin_dsn, _pg_admin
from tests.test_cli import _clean_env, _sprocket_command

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
DEADLINE = 120.0  # seconds: generous, the machine is shared


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """The URL of an empty PostgreSQL database, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set SPROCKET_TEST_POSTGRES_URL to run this test")
    name = f"sprocket_lock_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _fetch(url: str, sql: str) -> object:
    conn = await asyncpg.connect(_admin_dsn(url))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def _revision(url: str) -> object:
    """The database's Alembic revision; None before the first migration made its table."""
    if asyncio.run(_fetch(url, "SELECT to_regclass('alembic_version')")) is None:
        return None
    return asyncio.run(_fetch(url, "SELECT version_num FROM alembic_version"))


def _waiting_for_advisory_lock(url: str) -> int:
    """How many sessions of this database wait for an advisory lock."""
    database = make_url(url).database
    return int(
        asyncio.run(  # type: ignore[call-overload]
            _fetch(
                url,
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                f"WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = '{database}'",
            )
        )
    )


def _migrating(url: str, tmp_path: Path) -> subprocess.Popen[str]:
    """``sprocket migrate`` on ``url`` in a process of its own, as a replica would run it."""
    env = {**_clean_env(tmp_path), "SPROCKET_DATABASE_URL": url}
    return subprocess.Popen(
        [*_sprocket_command(), "migrate"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finished(process: subprocess.Popen[str]) -> str:
    """Wait for ``process``; its output, which must end in success."""
    output, _ = process.communicate(timeout=DEADLINE)
    assert process.returncode == 0, output
    return output


def test_a_migration_waits_for_the_lock_and_then_runs(empty_postgres: str, tmp_path: Path) -> None:
    async def hold() -> asyncpg.Connection:
        conn = await asyncpg.connect(_admin_dsn(empty_postgres))
        await conn.execute("SELECT pg_advisory_lock($1)", advisory_key(MIGRATION_LOCK))
        return conn

    loop = asyncio.new_event_loop()
    holder = loop.run_until_complete(hold())
    try:
        process = _migrating(empty_postgres, tmp_path)
        deadline = time.monotonic() + DEADLINE
        while _waiting_for_advisory_lock(empty_postgres) == 0:
            assert process.poll() is None, f"it did not wait for the lock: {_finished(process)}"
            assert time.monotonic() < deadline, "the migration never asked for the lock"
            time.sleep(0.2)
        # it waits, and has changed nothing
        assert _revision(empty_postgres) is None
        assert process.poll() is None
    finally:
        loop.run_until_complete(holder.close())  # closing the session frees its lock
        loop.close()
    _finished(process)
    assert _revision(empty_postgres) == HEAD


def test_migrations_started_together_both_end_at_the_newest_revision(
    empty_postgres: str, tmp_path: Path
) -> None:
    processes = [_migrating(empty_postgres, tmp_path) for _ in range(2)]
    # without the lock the second would try to create the tables the first just made
    for process in processes:
        _finished(process)
    assert _revision(empty_postgres) == HEAD
