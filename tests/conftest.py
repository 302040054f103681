"""Shared fixtures: a fresh, migrated database per test, a running platform, a GraphQL client.

Embedded by default (SQLite file, memory cache and broker, local storage). When
``SPROCKET_TEST_POSTGRES_URL`` / ``SPROCKET_TEST_REDIS_URL`` are set, the same tests run on
PostgreSQL (a database per test, cloned from a migrated template) and Redis (a key prefix per
test); everything created is dropped afterwards.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import structlog
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.jobs import build_runtime
from sprocket.migrate import upgrade
from sprocket.runtime import Runtime

# No property test has a deadline: CI's machine may be busy (timings belong in bench/).
hypothesis_settings.register_profile("sprocket", deadline=None)
hypothesis_settings.load_profile("sprocket")

POSTGRES_URL = os.environ.get("SPROCKET_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("SPROCKET_TEST_REDIS_URL")
AMQP_URL = os.environ.get("SPROCKET_TEST_AMQP_URL")
REPLAYS = Path(__file__).resolve().parents[1].parent / "shared" / "replays"


def _admin_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    assert POSTGRES_URL
    conn = await asyncpg.connect(_admin_dsn(POSTGRES_URL))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per session, cloned by every test."""
    if POSTGRES_URL:
        import asyncio

        name = f"sprocket_tpl_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        try:
            upgrade(url)
            yield name
        finally:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    yield str(path)


@pytest.fixture
async def database_url(template_database: str, tmp_path: Path) -> AsyncIterator[str]:
    if POSTGRES_URL:
        name = f"sprocket_t_{uuid.uuid4().hex[:12]}"
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
        try:
            yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    path = tmp_path / "sprocket.db"
    shutil.copy(template_database, path)
    yield f"sqlite+aiosqlite:///{path}"


#: The tests' rate-limit window. Windows are aligned to the clock: a test whose requests
#: straddled the end of one (every minute with the default) would see its budget refilled
#: midway. A day's window ends at midnight UTC only.
RATE_LIMIT_WINDOW = 24 * 3600.0


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The tests' settings: the database at ``database_url``, files under ``tmp_path``, the
    real cache when configured (its keys under a prefix of the test's own), a day's
    rate-limit window."""
    cache_prefix = f"sprocket-test-{uuid.uuid4().hex[:12]}:"
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        storage_url=f"file://{tmp_path / 'storage'}",
        cache_url=REDIS_URL or "memory://",
        cache_prefix=cache_prefix,
        broker_url="memory://",
        outbox_poll_seconds=0.05,
        log_format="console",
        rate_limit_window_seconds=RATE_LIMIT_WINDOW,
    )


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Runtime]:
    running = build_runtime(settings)
    await running.start(relay=False)
    try:
        yield running
    finally:
        if REDIS_URL:
            await _drop_redis_prefix(settings.cache_prefix)
        await running.stop()


async def _drop_redis_prefix(prefix: str) -> None:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


class GraphQLClient:
    """Posts GraphQL documents to the app, optionally with a personal API token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a query that must succeed."""
        body = await self(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The single error of a query that must fail."""
        body = await self(query, variables, token=token)
        assert body.get("errors"), body
        return body["errors"][0]


@pytest.fixture
async def http(platform: Runtime, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, runtime=platform)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sprocket.test") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
async def world(platform: Runtime):
    from tests.league_world import build_world

    return await build_world(platform)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the logging setup back after a test that runs CLI commands (each configures
    logging: stdlib handlers on the runner's stream, structlog with cached loggers), so the
    tests after it still capture logs."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    structlog_config = structlog.get_config()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**structlog_config)
