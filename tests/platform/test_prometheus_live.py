"""A real Prometheus watching a real `sprocket serve` (issue 12, point 3).

Prometheus (Debian's ``prometheus``) scrapes the API's /metrics every second with the shipped
scrape job (its discovery replaced by the test's address) and evaluates the shipped rule
files, each alert's ``for`` shortened to a few seconds and nothing else changed: the
expressions and labels that fire here are the ones deployed. While the API answers, every rule
evaluates without error, the API-down alert stays quiet, the recording rules compute the
request rate and p95 from the scraped counters, and the backup-missing alert fires (no backup
exists). Once the API is stopped, the API-down alert fires.

Heavy (two servers): it runs in CI's real-services pass only, where the API reads its
gauges from the real PostgreSQL, and ``SPROCKET_REQUIRE_PROMETHEUS=1`` makes a missing
Prometheus a failure there.
"""

from __future__ import annotations

import math
import shutil
import signal
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml

from tests.conftest import POSTGRES_URL
from tests.helpers.processes import Process, free_port, start, wait_until_answering
from tests.helpers.required import installed

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "prometheus"
RULE_FILES = sorted((SHIPPED / "rules").glob("*.yml"))
REQUIRED = "SPROCKET_REQUIRE_PROMETHEUS"
API_JOB = "sprocket-api"  # the scrape job of the API, which the API-down alert watches
API_DOWN = "SprocketApiDown"
BACKUP_MISSING = "SprocketBackupMissing"
HOLD = "5s"  # every alert's `for` in the test's copy of the rules (minutes to hours shipped)
EVERY = 1.0  # seconds between scrapes, and between rule evaluations
DEADLINE = 180.0  # seconds any awaited state may take (a busy CI machine is slow, never this)

T = TypeVar("T")


def _prometheus() -> str:
    return installed("prometheus", package="prometheus", required_by=REQUIRED)


def test_without_prometheus_the_live_test_skips_unless_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing installed there
    monkeypatch.delenv(REQUIRED, raising=False)
    with pytest.raises(pytest.skip.Exception, match="prometheus is not installed"):
        _prometheus()
    monkeypatch.setenv(REQUIRED, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRED}=1 but prometheus"):
        _prometheus()


def _quick(rules: dict[str, Any]) -> dict[str, Any]:
    """A rule file's content with every alert's ``for`` set to :data:`HOLD`; the rest as it
    came (expressions, labels, annotations, recording rules)."""
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = HOLD
    return rules


def _shipped_rule(name: str) -> dict[str, Any]:
    found = [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if rule.get("alert") == name
    ]
    assert len(found) == 1, f"the shipped rules define {name} {len(found)} times"
    return found[0]


def _config(api_port: int, rule_files: list[Path]) -> dict[str, Any]:
    """The shipped configuration's global settings and API scrape job, scraping the API on
    ``api_port`` (instead of Swarm's DNS) every :data:`EVERY` seconds and evaluating
    ``rule_files``. No Alertmanager: the test reads the alerts from Prometheus's API."""
    shipped = yaml.safe_load((SHIPPED / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in shipped["scrape_configs"]}
    assert API_JOB in jobs, f"the shipped configuration has no {API_JOB} job: {sorted(jobs)}"
    api = {key: value for key, value in jobs[API_JOB].items() if not key.endswith("_sd_configs")}
    api["static_configs"] = [{"targets": [f"127.0.0.1:{api_port}"]}]
    every = f"{EVERY:g}s"
    return {
        "global": {
            **shipped["global"],
            "scrape_interval": every,
            "scrape_timeout": every,
            "evaluation_interval": every,
        },
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [api],
    }


def _write_config(folder: Path, api_port: int) -> Path:
    """Write the test's rule files (:func:`_quick` copies of the shipped ones) and its
    configuration (:func:`_config`) into ``folder``; the configuration's path."""
    rule_files = []
    for path in RULE_FILES:
        rule_files.append(folder / f"rules-{path.name}")
        rule_files[-1].write_text(yaml.safe_dump(_quick(yaml.safe_load(path.read_text()))))
    config = folder / "prometheus.yml"
    config.write_text(yaml.safe_dump(_config(api_port, rule_files)))
    return config


class PrometheusApi:
    """Prometheus's HTTP API (``/api/v1``) on ``base_url``."""

    def __init__(self, base_url: str, process: Process) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.process = process

    def data(self, path: str, **params: str) -> Any:
        response = self.http.get(f"/api/v1/{path}", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "success", body
        return body["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The instant vector of ``promql`` now: ``[{"metric": {...}, "value": [t, "v"]}]``."""
        return self.data("query", query=promql)["result"]

    def api_target(self) -> dict[str, Any] | None:
        targets = self.data("targets", state="active")["activeTargets"]
        return next((t for t in targets if t["labels"]["job"] == API_JOB), None)

    def firing(self) -> dict[str, dict[str, Any]]:
        """The firing alerts by name."""
        alerts = self.data("alerts")["alerts"]
        return {a["labels"]["alertname"]: a for a in alerts if a["state"] == "firing"}

    def rules_evaluated_after(self, moment: float) -> dict[str, dict[str, Any]] | None:
        """Every rule by name (its ``state``, ``health``, ``lastError``), once each group's
        last evaluation ran on data from after ``moment`` (Unix seconds); else None."""
        groups = self.data("rules")["groups"]
        # An evaluation started at S computes for the latest tick, after S - EVERY.
        if any(_unix(group["lastEvaluation"]) - EVERY <= moment for group in groups):
            return None
        return {rule["name"]: rule for group in groups for rule in group["rules"]}

    def until(self, what: str, probe: Callable[[], T | None], within: float = DEADLINE) -> T:
        """Poll ``probe`` until it returns something; fail saying ``what`` did not happen."""
        deadline = time.monotonic() + within
        while True:
            found = probe()
            if found:
                return found
            if self.process.popen.poll() is not None:
                raise AssertionError(f"Prometheus exited while {what}:\n{self.process.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {within} s: {what}\n{self.process.tail()}")
            time.sleep(0.25)


def _unix(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="a heavy test (Prometheus and the API): it runs in CI's real-services pass, with "
    "SPROCKET_TEST_POSTGRES_URL set",
)
def test_prometheus_sees_the_api_up_then_fires_the_api_down_alert_when_it_stops(
    database_url: str, tmp_path: Path
) -> None:
    prometheus_program = _prometheus()
    api_port, prometheus_port = free_port(), free_port()
    api_url, prometheus_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{prometheus_port}"
    config = _write_config(tmp_path, api_port)
    storage = tmp_path / "prometheus-data"

    server = start(
        ["serve", "--host", "127.0.0.1", "--port", str(api_port)],
        env={
            "SPROCKET_DATABASE_URL": database_url,
            "SPROCKET_DATA_DIR": str(tmp_path / "data"),
            "SPROCKET_STORAGE_URL": f"file://{tmp_path / 'storage'}",
            "SPROCKET_CACHE_URL": "memory://",
            "SPROCKET_BROKER_URL": "memory://",
            "SPROCKET_SECRETS_DIR": str(tmp_path / "no-secrets"),
        },
        log=tmp_path / "serve.log",
    )
    prometheus: Process | None = None
    api: PrometheusApi | None = None
    try:
        wait_until_answering(server, f"{api_url}/healthz", 240)
        prometheus = start(
            [
                f"--config.file={config}",
                f"--storage.tsdb.path={storage}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
            ],
            env={},
            log=tmp_path / "prometheus.log",
            program=prometheus_program,
        )
        wait_until_answering(prometheus, f"{prometheus_url}/-/ready", DEADLINE)
        api = PrometheusApi(prometheus_url, prometheus)

        # Up: scraped, our metrics stored, every rule evaluating on them.
        target = api.until("the API's target is up", lambda: _healthy(api.api_target()))
        assert target["scrapeUrl"] == f"{api_url}/metrics"
        up = api.until(
            "up of the API's job is 1 and its request counter is stored",
            lambda: (
                api.query(f'up{{job="{API_JOB}"}} == 1')
                and api.query(f'sprocket_http_requests_total{{job="{API_JOB}"}}')
            ),
        )
        seen_up = up[0]["value"][0]
        rules = api.until(
            f"{API_DOWN} is quiet in an evaluation of data from while the API is up",
            lambda: _quiet(api.rules_evaluated_after(seen_up)),
        )
        failing = {
            name: rule["lastError"] for name, rule in rules.items() if rule["health"] != "ok"
        }
        assert not failing, f"rules that do not evaluate on the real metrics: {failing}"
        assert API_DOWN not in api.firing()
        # No backup was ever made here: the absent() alert fires on the real data.
        api.until(f"{BACKUP_MISSING} fires", lambda: api.firing().get(BACKUP_MISSING))
        rate, p95 = api.until(
            "the recording rules compute the request rate and the p95 of /healthz",
            lambda: _recorded(api, api_url),
        )
        assert rate > 0 and 0 < p95 < math.inf, (rate, p95)

        # Down: the API stops; the shipped API-down expression fires.
        stopped = time.monotonic()
        status = server.stop()
        assert status in (0, -signal.SIGTERM), server.tail()
        alert = api.until(f"{API_DOWN} fires", lambda: api.firing().get(API_DOWN))
        fired = time.monotonic() - stopped
        shipped = _shipped_rule(API_DOWN)
        assert alert["labels"] == {"alertname": API_DOWN, **shipped["labels"]}
        assert api.api_target()["health"] == "down"
        print(f"\nprometheus: {API_DOWN} fired {fired:.1f} s after the API stopped (for: {HOLD})")
    finally:
        server.stop()
        if api is not None:
            api.http.close()
        if prometheus is not None:
            prometheus.stop()
        shutil.rmtree(storage, ignore_errors=True)


def _healthy(target: dict[str, Any] | None) -> dict[str, Any] | None:
    return target if target and target["health"] == "up" else None


def _quiet(rules: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
    return rules if rules and rules[API_DOWN]["state"] == "inactive" else None


def _recorded(api: PrometheusApi, api_url: str) -> tuple[float, float] | None:
    """The recorded request rate and p95 of /healthz, once both are numbers (the rate from
    two scrapes apart); requests /healthz each time, so that the counters grow."""
    assert httpx.get(f"{api_url}/healthz", timeout=30).status_code == 200
    rate = api.query("sprocket:http_requests:rate5m")
    p95 = api.query('route:sprocket_http_request_duration_seconds:p95_5m{route="/healthz"}')
    if not (rate and p95):
        return None
    numbers = float(rate[0]["value"][1]), float(p95[0]["value"][1])
    return None if any(map(math.isnan, numbers)) else numbers
