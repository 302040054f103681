"""The image's health check (`python -m sprocket.healthcheck`) against a real `sprocket serve`:
healthy while it answers /healthz on SPROCKET_PORT, unhealthy once it is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.test_cli import _free_port, _serving


def _check(*args: str, port: int) -> int:
    env = {**os.environ, "SPROCKET_PORT": str(port)}
    return subprocess.run(
        [sys.executable, "-m", "sprocket.healthcheck", *args], env=env, timeout=60, check=False
    ).returncode


def test_the_health_check_follows_the_server(tmp_path: Path) -> None:
    with _serving(tmp_path) as (process, http):
        port = http.base_url.port
        assert port is not None
        assert _check(port=port) == 0  # the default: /healthz on SPROCKET_PORT
        assert _check(f"http://127.0.0.1:{port}/metrics", port=port) == 0
        assert _check(f"http://127.0.0.1:{port}/no-such-page", port=port) == 1  # a 404
        process.terminate()
        process.wait(timeout=60)
    assert _check(port=port) == 1  # nobody answers
    assert _check(port=_free_port()) == 1
