"""The Swarm stack (issue 12): deploy/stack.yml's invariants, read from the file with its
defaults filled in as `docker stack config` fills them, and the two validators' verdicts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from sprocket.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
STACK_FILE = DEPLOY / "stack.yml"
APP_ROLES = ("api", "worker", "periodic")
STATEFUL = ("postgres", "redis", "rabbitmq", "prometheus", "alertmanager")
#: Settings holding credentials that are not marked "(a secret)": URLs with a password.
URL_SECRETS = {"database_url", "broker_url", "cache_url"}


def _with_defaults(text: str) -> str:
    """``${NAME:-default}`` as the default, ``${NAME}`` as blank: what the validators do with
    an empty environment."""
    text = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)
    return re.sub(r"\$\{\w+\}", "", text)


def stack() -> dict[str, Any]:
    return yaml.safe_load(_with_defaults(STACK_FILE.read_text()))


def services() -> dict[str, dict[str, Any]]:
    return stack()["services"]


def _labels(service: dict[str, Any]) -> dict[str, str]:
    labels = service.get("deploy", {}).get("labels", [])
    return dict(label.split("=", 1) for label in labels)


def test_every_part_of_the_platform_is_there() -> None:
    assert set(services()) == {
        "traefik",
        *APP_ROLES,
        "postgres",
        "redis",
        "rabbitmq",
        "prometheus",
        "alertmanager",
        "grafana",
    }


def test_every_service_has_resource_limits() -> None:
    for name, service in services().items():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert limits.get("cpus") and limits.get("memory"), f"{name} has no limits"


def test_every_image_is_pinned_to_a_version() -> None:
    for name, service in services().items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and "@" not in tag, f"{name}: {image} has no tag"
        assert re.match(r"^v?\d+\.\d+(\.\d+)?([-.][\w.]+)?$", tag), f"{name}: {image} moves"


def test_traefik_labels_live_under_deploy_labels() -> None:
    for name, service in services().items():
        top = service.get("labels", [])
        items = top if isinstance(top, list) else [f"{k}={v}" for k, v in top.items()]
        assert not [label for label in items if label.startswith("traefik.")], name


def test_every_routed_service_names_its_port_and_every_router_its_service() -> None:
    routed = {name: s for name, s in services().items() if _labels(s).get("traefik.enable")}
    assert {"traefik", "api", "grafana"} == set(routed)
    for name, service in routed.items():
        labels = _labels(service)
        routers = {key.split(".")[3] for key in labels if key.startswith("traefik.http.routers.")}
        assert routers, f"{name} is enabled but routes nothing"
        for router in routers:
            target = labels[f"traefik.http.routers.{router}.service"]
            if target.endswith("@internal"):
                continue
            port = labels.get(f"traefik.http.services.{target}.loadbalancer.server.port")
            assert port and port.isdigit(), f"{name}: service {target} names no port"
        # the swarm provider needs a port even for a service of its own (the dashboard)
        assert any(key.endswith(".loadbalancer.server.port") for key in labels), name


def _rules() -> dict[str, str]:
    rules = {}
    for service in services().values():
        for key, value in _labels(service).items():
            if re.fullmatch(r"traefik\.http\.routers\.[\w-]+\.rule", key):
                rules[key.split(".")[3]] = value
    return rules


def test_the_public_routes_and_never_metrics() -> None:
    rules = _rules()
    api = {name: rule for name, rule in rules.items() if name.startswith("sprocket-")}
    paths = {
        name: re.findall(r"(?<!!)Path(?:Prefix)?\(`([^`]*)`\)", rule) for name, rule in api.items()
    }
    assert paths["sprocket-graphql"] == ["/graphql"]
    assert paths["sprocket-discord"] == ["/discord/interactions"]
    for name, rule in rules.items():
        positive = re.findall(r"(?<!!)Path(?:Prefix)?\(`([^`]*)`\)", rule)
        if positive:  # only these paths: none of them may reach /metrics
            assert not [p for p in positive if "/metrics".startswith(p.rstrip("/") or "/")], (
                f"router {name} reaches /metrics"
            )
        elif name.startswith("sprocket-"):  # the whole host: /metrics must be cut out
            assert "!PathPrefix(`/metrics`)" in rule, f"router {name} reaches /metrics"
    for name, rule in rules.items():
        assert "Host(`" in rule, f"router {name} answers any host"


def test_routers_are_https_and_http_redirects() -> None:
    labels = {k: v for s in services().values() for k, v in _labels(s).items()}
    routers = {k.split(".")[3] for k in labels if k.startswith("traefik.http.routers.")}
    for router in routers:
        assert labels[f"traefik.http.routers.{router}.entrypoints"] == "websecure"
        assert labels[f"traefik.http.routers.{router}.tls.certresolver"] == "letsencrypt"
    command = " ".join(services()["traefik"]["command"])
    assert "--entryPoints.web.http.redirections.entryPoint.to=websecure" in command
    assert "--certificatesResolvers.letsencrypt.acme" in command
    assert "--providers.swarm.exposedByDefault=false" in command


def test_the_traefik_dashboard_is_behind_authentication_from_a_secret() -> None:
    labels = _labels(services()["traefik"])
    assert labels["traefik.http.routers.dashboard.service"] == "api@internal"
    middleware = labels["traefik.http.routers.dashboard.middlewares"]
    users = labels[f"traefik.http.middlewares.{middleware}.basicauth.usersfile"]
    assert users == "/run/secrets/traefik_dashboard_users"
    assert "traefik_dashboard_users" in services()["traefik"]["secrets"]


def test_the_api_rolls_forward_start_first_and_back_on_failure() -> None:
    api = services()["api"]["deploy"]
    assert api["replicas"] == 2
    assert api["update_config"]["order"] == "start-first"
    assert api["update_config"]["failure_action"] == "rollback"
    assert api["rollback_config"]["order"] == "start-first"
    # the failure is a failed health check: the image's, which the stack leaves on
    assert "healthcheck" not in services()["api"]
    assert services()["worker"]["deploy"]["replicas"] == 2
    assert services()["api"]["command"] == ["serve"]


def _secret_settings() -> set[str]:
    marked = {
        name
        for name, field in Settings.model_fields.items()
        if re.search(r"\(a secret[;)]", field.description or "")
    }
    assert marked, "config.py marks no setting '(a secret)' any more"
    return marked | URL_SECRETS


def test_every_credential_is_a_docker_secret_and_none_is_in_the_environment() -> None:
    defined = stack()["secrets"]
    for name, secret in defined.items():
        assert secret == {"external": True}, f"secret {name} is not made by up.sh"
    for role in APP_ROLES:
        service = services()[role]
        given = set(service["secrets"])
        # the app reads /run/secrets/sprocket_<setting> (config.py)
        assert {f"sprocket_{name}" for name in _secret_settings()} <= given, role
        for key in service.get("environment", {}):
            setting = key.removeprefix("SPROCKET_").lower()
            assert setting not in _secret_settings(), f"{role}: {key} in the environment"
    for name, service in services().items():
        for key, value in (service.get("environment") or {}).items():
            value = str(value)
            assert not re.search(r"://[^/\s]*:[^/\s]*@", value), f"{name}: {key} holds a password"
            if re.search(r"PASSWORD|SECRET|TOKEN|_KEY\b", key):
                assert key.endswith("_FILE") and value.startswith("/run/secrets/"), (name, key)
        for secret in service.get("secrets", []):
            source = secret if isinstance(secret, str) else secret["source"]
            assert source in defined, f"{name} uses secret {source}, never defined"


def test_up_makes_every_secret_of_the_stack() -> None:
    script = (DEPLOY / "up.sh").read_text()
    made = set(re.findall(r"create_secret ([a-z][a-z0-9_]+) ", script))
    made |= {
        name for pair in re.findall(r"^pair ([a-z_]+) ([a-z_]+)", script, re.M) for name in pair
    }
    loop = re.search(r"for name in ([a-z0-9_\s\\]+?); do\s+create_secret", script)
    assert loop, "up.sh no longer makes the optional secrets in one loop"
    made |= set(loop[1].replace("\\", " ").split())
    assert set(stack()["secrets"]) == made


def test_networks_keep_the_databases_off_the_public_one() -> None:
    networks = stack()["networks"]
    assert networks["public"]["driver"] == "overlay"
    assert networks["internal"]["driver"] == "overlay"
    for name in STATEFUL:
        assert services()[name]["networks"] == ["internal"], name
        assert not _labels(services()[name]).get("traefik.enable")
    assert services()["traefik"]["networks"] == ["public"]
    # the API trusts X-Forwarded-For from the public network only: Traefik's
    subnet = networks["public"]["ipam"]["config"][0]["subnet"]
    assert services()["api"]["environment"]["SPROCKET_TRUSTED_PROXIES"] == subnet


def test_every_config_file_exists_and_up_names_it_by_its_digest() -> None:
    raw = STACK_FILE.read_text()
    script = (DEPLOY / "up.sh").read_text()
    for name, config in stack()["configs"].items():
        assert (DEPLOY / config["file"]).is_file(), name
        variable = re.search(rf"{name}:\n\s+name: \S*\$\{{(\w+):-", raw)
        assert variable, f"config {name} is not named by a digest"
        assert f"export {variable[1]}=$(digest {config['file'].removeprefix('./')})" in script


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return found


def _validate(command: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPROCKET_", "POSTGRES_"))}
    result = subprocess.run(
        command, cwd=DEPLOY, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_docker_stack_config_accepts_the_stack() -> None:
    output = yaml.safe_load(_validate([_tool("docker"), "stack", "config", "-c", "stack.yml"]))
    assert set(output["services"]) == set(services())
    assert output["services"]["api"]["deploy"]["update_config"]["order"] == "start-first"


def test_docker_compose_config_accepts_the_stack() -> None:
    output = yaml.safe_load(_validate([_tool("docker-compose"), "-f", "stack.yml", "config"]))
    assert set(output["services"]) == set(services())


def test_up_sh_is_valid_bash() -> None:
    subprocess.run(["bash", "-n", str(DEPLOY / "up.sh")], check=True, timeout=30)
    assert os.access(DEPLOY / "up.sh", os.X_OK)
