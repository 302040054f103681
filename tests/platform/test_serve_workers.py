"""`sprocket serve --workers N`: several API processes on one port, their metrics summed
(prometheus-client's multiprocess mode), and refused on the embedded in-process services."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sprocket.cli import app
from tests.conftest import AMQP_URL, REDIS_URL
from tests.helpers.processes import children, free_port, start, wait_until_answering


def test_several_processes_are_refused_on_the_embedded_cache_and_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_logging: None
) -> None:
    for name in list(os.environ):
        if name.upper().startswith("SPROCKET_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPROCKET_SECRETS_DIR", str(tmp_path / "no-secrets"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2, result.output
    assert "2 processes need a shared cache and job broker" in result.output
    assert not (tmp_path / "data" / "sprocket.db").exists()  # refused before migrating

    monkeypatch.setenv("SPROCKET_CACHE_URL", "redis://127.0.0.1:1/0")  # never reached
    result = CliRunner().invoke(app, ["serve", "--workers", "3"])
    assert result.exit_code == 2, result.output
    assert "3 processes need a shared job broker" in result.output


@pytest.mark.skipif(
    not (REDIS_URL and AMQP_URL),
    reason="several processes need the real Redis and RabbitMQ (SPROCKET_TEST_REDIS_URL and "
    "SPROCKET_TEST_AMQP_URL; CI's second pass sets them)",
)
def test_two_processes_share_the_port_and_their_metrics(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    server = start(
        ["serve", "--workers", "2", "--host", "127.0.0.1", "--port", str(port)],
        env={
            "SPROCKET_DATABASE_URL": database_url,
            "SPROCKET_DATA_DIR": str(tmp_path / "data"),
            "SPROCKET_STORAGE_URL": f"file://{tmp_path / 'storage'}",
            "SPROCKET_CACHE_URL": REDIS_URL or "",
            "SPROCKET_CACHE_PREFIX": f"sprocket-test-{port}:",
            "SPROCKET_BROKER_URL": AMQP_URL or "",
            "SPROCKET_QUEUE_NAME": f"sprocket-test-{port}",
            "SPROCKET_SECRETS_DIR": str(tmp_path / "no-secrets"),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        },
        log=tmp_path / "serve.log",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(server, base + "/healthz")
        workers = children(server.popen.pid)
        assert len(workers) >= 2, server.tail()
        for _ in range(60):  # a new connection each: the kernel spreads them over the processes
            assert httpx.get(base + "/healthz", headers={"Connection": "close"}).status_code == 200
        exposition = httpx.get(base + "/metrics").text
        counted = re.search(
            r'sprocket_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)',
            exposition,
        )
        assert counted is not None, exposition[:2000]
        # Every process's requests, whichever process answered /metrics (the readiness polls
        # before the 60 counted too).
        assert float(counted.group(1)) >= 60
        writers = {re.sub(r"\D", "", p.stem) for p in metrics_dir.glob("*.db")}
        assert len(writers) >= 2, sorted(p.name for p in metrics_dir.iterdir())
    finally:
        status = server.stop()
    assert status == 0, server.tail()
