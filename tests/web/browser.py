"""Browser tests' fixtures: Debian's Chromium driven by Playwright (never a downloaded
browser), and the app served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")


def browser_or_skip() -> None:
    """Skip with a reason when Chromium is absent; fail instead when it is required
    (``SPROCKET_REQUIRE_BROWSER=1``, as in CI's first pass). ``SPROCKET_BROWSER_TESTS=off``
    skips them (CI's second pass: they ran in the first)."""
    if os.environ.get("SPROCKET_BROWSER_TESTS") == "off":
        pytest.skip("SPROCKET_BROWSER_TESTS=off: the browser tests run in CI's other pass")
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests"
    if os.environ.get("SPROCKET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SPROCKET_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


async def serve(app: object) -> AsyncIterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
