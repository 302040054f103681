"""Monitoring (issue 12): Prometheus's rules are valid and unit-tested with promtool, every
metric a rule or a dashboard names is one /metrics exports (or Prometheus's own), Alertmanager
routes every alert to Discord, and Grafana provisions its dashboards."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
#: Series Prometheus makes itself, not read from /metrics.
PROMETHEUS_OWN = {"up"}
PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan",
}  # fmt: skip


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool is not installed (Debian's prometheus package; .ci/run installs it)")
    return found


def _run(*args: str) -> str:
    result = subprocess.run(
        [_promtool(), *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_the_rules_are_valid() -> None:
    assert RULE_FILES
    output = _run("check", "rules", *map(str, RULE_FILES))
    assert "SUCCESS" in output


def test_the_scrape_config_is_valid() -> None:
    assert "SUCCESS" in _run("check", "config", "prometheus.yml")


@pytest.mark.parametrize("tests", RULE_TESTS, ids=lambda path: path.name)
def test_the_rules_pass_their_unit_tests(tests: Path) -> None:
    assert "SUCCESS" in _run("test", "rules", str(tests))


def _rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def test_every_alert_has_a_unit_test_a_severity_and_words_for_the_operator() -> None:
    tested = {
        case["alertname"]
        for path in RULE_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")  # a case where it fires, not only one where it is quiet
    }
    alerts = [rule for rule in _rules() if "alert" in rule]
    assert alerts
    for rule in alerts:
        assert rule["alert"] in tested, f"{rule['alert']} never fires in a unit test"
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def _names(expr: str) -> set[str]:
    """The series names a PromQL expression reads."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings (label values)
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    found = re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", expr)
    return {name for name, call in found if not call and name.lower() not in PROMQL_WORDS} - {
        "e"  # an exponent's letter (1e9)
    }


def _exprs() -> list[str]:
    exprs = [rule["expr"] for rule in _rules()]
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            exprs += [target["expr"] for target in panel["targets"]]
    return exprs


def _exported(text: str) -> set[str]:
    """Every series name /metrics can answer: each family and its samples' suffixes."""
    names = set()
    for line in text.splitlines():
        match = re.match(r"# TYPE (\S+) (\w+)", line)
        if match:
            family, kind = match[1], match[2]
            names.add(family)
            if kind == "histogram":
                names |= {f"{family}_{suffix}" for suffix in ("bucket", "count", "sum")}
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


async def test_every_metric_named_by_a_rule_or_dashboard_is_exported(http) -> None:
    response = await http.get("/metrics")
    assert response.status_code == 200
    exported = _exported(response.text)
    recorded = {rule["record"] for rule in _rules() if "record" in rule}
    named = set().union(*map(_names, _exprs()))
    assert "sprocket_outbox_oldest_age_seconds" in named  # the parse finds names at all
    missing = named - exported - recorded - PROMETHEUS_OWN
    assert not missing, f"named by a rule or dashboard, exported by nobody: {sorted(missing)}"
    # and the recording rules are all used by an alert or a dashboard
    used = set().union(*(_names(expr) for expr in _exprs()))
    assert recorded <= used


def test_alertmanager_sends_everything_to_discord_from_a_secret() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "alertmanager" / "alertmanager.yml").read_text())
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    routes = [config["route"], *config["route"].get("routes", [])]
    for route in routes:
        discord = receivers[route["receiver"]]["discord_configs"]
        assert discord and all(
            entry["webhook_url_file"] == "/run/secrets/alertmanager_discord_webhook_url"
            and "webhook_url" not in entry
            for entry in discord
        )
    stack = yaml.safe_load((ROOT / "deploy" / "stack.yml").read_text())
    assert "alertmanager_discord_webhook_url" in stack["services"]["alertmanager"]["secrets"]


def test_grafana_provisions_each_dashboard_from_prometheus() -> None:
    datasource = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"][0]
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "sprocket.yml").read_text()
    )["providers"][0]
    stack = yaml.safe_load((ROOT / "deploy" / "stack.yml").read_text())
    mounted = {
        stack["configs"][config["source"]]["file"]: config["target"]
        for config in stack["services"]["grafana"]["configs"]
    }
    uids = set()
    assert {path.name for path in DASHBOARDS} == {"api.json", "jobs.json", "league.json"}
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        uids.add(dashboard["uid"])
        target = mounted[f"./grafana/dashboards/{path.name}"]
        assert Path(target).parent == Path(provider["options"]["path"])
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), path.name
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] == datasource["uid"]
            assert panel["targets"], f"{path.name}: {panel['title']} shows nothing"
    assert len(uids) == len(DASHBOARDS)
