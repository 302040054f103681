"""Health endpoints: /healthz, /readyz, /metrics, and the landing page."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from structlog.testing import capture_logs

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.jobs import build_runtime
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Fixture, Match


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(text: str, name: str, **labels: str) -> float | None:
    return _samples(text).get((name, frozenset(labels.items())))


async def test_healthz(http):
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_lists_every_backend(http):
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "cache": "ok", "storage": "ok"},
    }


@contextlib.asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    platform = build_runtime(settings)
    await platform.start(relay=False)
    try:
        app = create_app(settings, runtime=platform)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sprocket.test") as http:
            yield platform, http
    finally:
        await platform.stop()


@pytest.mark.parametrize("part", ["storage", "database"])
async def test_readyz_names_the_failing_part(settings: Settings, tmp_path: Path, part: str):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where a folder should be")
    if part == "storage":  # the storage folder cannot be created, even by root
        change = {"storage_url": f"file://{blocker / 'storage'}"}
    else:  # the database file cannot be opened
        change = {"database_url": f"sqlite+aiosqlite:///{blocker / 'db' / 'sprocket.db'}"}
    broken = Settings(**{**settings.model_dump(), **change})
    async with _client(broken) as (_, http):
        response = await http.get("/readyz")
        # the process itself is alive
        assert (await http.get("/healthz")).status_code == 200
        # and metrics still answer
        assert (await http.get("/metrics")).status_code == 200
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == [part]
    assert body["checks"][part] != "ok"
    if part == "storage":
        assert str(blocker) in body["checks"][part]
    else:
        assert "unable to open database file" in body["checks"][part]
    others = {name: state for name, state in body["checks"].items() if name != part}
    assert others == dict.fromkeys(others, "ok")
    assert set(body["checks"]) == {"database", "broker", "cache", "storage"}


async def test_metrics_count_requests(http):
    await http.get("/healthz")
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "sprocket_http_requests_total" in text
    assert 'route="/healthz"' in text
    requests = _value(
        text, "sprocket_http_requests_total", method="GET", route="/healthz", status="200"
    )
    assert requests is not None and requests >= 1
    assert (
        _value(text, "sprocket_http_request_duration_seconds_count", method="GET", route="/healthz")
        or 0
    ) >= 1
    # unknown paths are counted under one label, so scanners cannot blow up the series
    await http.get("/wp-admin/../../etc/passwd")
    text = (await http.get("/metrics")).text
    assert "/wp-admin" not in text
    assert (
        _value(text, "sprocket_http_requests_total", method="GET", route="other", status="404") or 0
    ) >= 1


async def test_metrics_report_the_outbox_backlog(http, platform, world):
    text = (await http.get("/metrics")).text
    assert _value(text, "sprocket_outbox_backlog") == 0
    async with platform.reading() as s:
        match = await s.get(Match, world.match_ids[0])
        fixture = await s.get(Fixture, match.fixture_id)
    async with platform.unit_of_work() as s:
        await schedule.record_forfeit(
            s, actor=world.actors["league_staff"], match_id=match.id, team_id=fixture.away_team_id
        )
    text = (await http.get("/metrics")).text
    assert _value(text, "sprocket_outbox_backlog") == 1

    job = "match.status_changed"
    before = REGISTRY.get_sample_value("sprocket_jobs_total", {"job": job, "outcome": "ok"}) or 0
    assert await platform.relay.relay_once() == 1
    await platform.broker.wait_all()
    text = (await http.get("/metrics")).text
    assert _value(text, "sprocket_outbox_backlog") == 0
    assert _value(text, "sprocket_jobs_total", job=job, outcome="ok") == before + 1
    assert (_value(text, "sprocket_job_duration_seconds_count", job=job) or 0) >= 1


async def test_a_failing_collector_is_logged_and_metrics_still_answer(http, platform):
    await http.get("/healthz")
    assert _value((await http.get("/metrics")).text, "sprocket_outbox_backlog") == 0
    async with platform.engine.begin() as conn:  # the backlog gauge's table is gone
        await conn.execute(text("DROP TABLE processed_messages"))
        await conn.execute(text("DROP TABLE outbox_messages"))
    with capture_logs() as logs:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    # what can still be answered is: the request counts, and the gauge at its last value
    assert _value(response.text, "sprocket_outbox_backlog") == 0
    requests = _value(
        response.text, "sprocket_http_requests_total", method="GET", route="/healthz", status="200"
    )
    assert requests is not None and requests >= 1
    failures = [entry for entry in logs if entry["event"] == "metrics.collector_failed"]
    assert len(failures) == 1
    failure = failures[0]
    assert failure["log_level"] == "warning"
    assert failure["collector"] == "outbox_backlog"
    assert failure["exc_info"] is True
    assert "outbox_messages" in failure["error"]


async def test_landing_page_links_to_the_api_and_its_schema(http):
    response = await http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/graphql"' in response.text and 'href="/schema.graphql"' in response.text
    assert "Sprocket" in response.text
    schema = await http.get("/schema.graphql")
    assert schema.status_code == 200 and "type Query" in schema.text
    # The console is off unless asked for (serve --demo turns it on).
    console = await http.get("/graphql", headers={"accept": "text/html"})
    assert console.status_code == 404
    assert console.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
