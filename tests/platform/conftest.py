"""Shared helpers for the platform contract suites: unique names, real-service URLs, moto."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator

import pytest
from moto.server import ThreadedMotoServer

REDIS_ENV = "SPROCKET_TEST_REDIS_URL"
AMQP_ENV = "SPROCKET_TEST_AMQP_URL"


def unique_name(kind: str) -> str:
    """A name no other test (or test run) uses: ``sprocket-test-<kind>-<random>``."""
    return f"sprocket-test-{kind}-{uuid.uuid4().hex[:12]}"


def service_url(env: str, what: str) -> str:
    """The URL of a real service from ``env``, or skip the test with the reason."""
    url = os.environ.get(env)
    if not url:
        pytest.skip(f"{what} not configured: set {env} to run this case against a real server")
    return url


async def wait_until(condition: Callable[[], Awaitable[bool]], *, within: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition still false after {within} s")
        await asyncio.sleep(0.01)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """An in-process S3 (moto) on a free port, stopped at the end of the session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
