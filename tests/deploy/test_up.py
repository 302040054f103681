"""deploy/up.sh (issue 12): creates the secrets that do not exist yet (random where they can
be, never on a command line) and deploys, as often as it is run. No Docker engine runs here:
the `docker` it calls is a fake (an outside service) that keeps the swarm's state in files
and refuses what Docker refuses (a secret that exists, an empty one)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"

FAKE_DOCKER = '''#!{python}
"""A fake docker CLI: the swarm's state as files under $FAKE_DOCKER_STATE."""
import json, os, sys
from pathlib import Path

state = Path(os.environ["FAKE_DOCKER_STATE"])
secrets = state / "secrets"
secrets.mkdir(parents=True, exist_ok=True)
args = sys.argv[1:]
with (state / "calls.log").open("a") as log:
    log.write(json.dumps(args) + "\\n")
swarm = (state / "swarm").read_text() if (state / "swarm").exists() else "inactive"
match args:
    case ["info", "--format", fmt] if "LocalNodeState" in fmt:
        print(swarm)
    case ["info", "--format", fmt] if "NodeID" in fmt:
        print("node1")
    case ["swarm", "init"]:
        (state / "swarm").write_text("active")
    case ["node", "ls", "--filter", "node.label=sprocket.data=true", "-q"]:
        if (state / "label").exists():
            print("node1")
    case ["node", "update", "--label-add", "sprocket.data=true", "node1"]:
        (state / "label").touch()
    case ["secret", "inspect", name]:
        sys.exit(0 if (secrets / name).exists() else 1)
    case ["secret", "create", name, "-"]:
        data = sys.stdin.buffer.read()
        if (secrets / name).exists():
            sys.exit(f"Error response from daemon: secret {{name}} already exists")
        if not data:
            sys.exit("Error response from daemon: secret data must be larger than 0 bytes")
        (secrets / name).write_bytes(data)
        print("a-secret-id")
    case ["stack", "deploy", *rest]:
        if swarm != "active":
            sys.exit("this node is not a swarm manager")
        kept = ("_DIGEST", "SPROCKET_")
        env = {{k: v for k, v in os.environ.items() if k.endswith(kept) or k.startswith(kept)}}
        with (state / "deploys.log").open("a") as log:
            log.write(json.dumps({{"args": rest, "env": env}}) + "\\n")
    case _:
        sys.exit(f"fake docker: unexpected {{args}}")
'''


@pytest.fixture
def swarm(tmp_path: Path) -> Path:
    """A fake docker on PATH; its state folder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER.format(python=sys.executable))
    docker.chmod(0o755)
    state = tmp_path / "state"
    state.mkdir()
    return state


def up(swarm: Path, folder: Path = DEPLOY, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {"HOME", "LANG", "LC_ALL"}
    base = {k: v for k, v in os.environ.items() if k in keep}
    base["PATH"] = f"{swarm.parent / 'bin'}:/usr/bin:/bin"
    base["FAKE_DOCKER_STATE"] = str(swarm)
    return subprocess.run(
        ["bash", str(folder / "up.sh")],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def secret(swarm: Path, name: str) -> str:
    return (swarm / "secrets" / name).read_text()


def deploys(swarm: Path) -> list[dict]:
    path = swarm / "deploys.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def stack_secrets() -> set[str]:
    return set(yaml.safe_load((DEPLOY / "stack.yml").read_text())["secrets"])


def test_a_first_run_makes_every_secret_and_deploys(swarm: Path) -> None:
    hook = "https://discord.example/api/webhooks/1/alerts"
    done = up(swarm, ALERTMANAGER_DISCORD_WEBHOOK_URL=hook)
    assert done.returncode == 0, done.stderr
    assert (swarm / "swarm").read_text() == "active" and (swarm / "label").exists()
    assert {path.name for path in (swarm / "secrets").iterdir()} == stack_secrets()

    password = secret(swarm, "postgres_password")
    assert re.fullmatch(r"[0-9a-f]{64}", password)
    assert secret(swarm, "sprocket_database_url") == (
        f"postgresql+asyncpg://sprocket:{password}@postgres:5432/sprocket"
    )
    redis = re.fullmatch(r"requirepass ([0-9a-f]{64})", secret(swarm, "redis_conf").strip())
    assert redis and secret(swarm, "sprocket_cache_url") == f"redis://:{redis[1]}@redis:6379/0"
    rabbit = re.search(r"default_pass = ([0-9a-f]{64})", secret(swarm, "rabbitmq_conf"))
    assert rabbit and "default_user = sprocket" in secret(swarm, "rabbitmq_conf")
    assert secret(swarm, "sprocket_broker_url") == f"amqp://sprocket:{rabbit[1]}@rabbitmq:5672/"
    assert len({password, redis[1], rabbit[1], secret(swarm, "sprocket_secret_key")}) == 4
    assert secret(swarm, "alertmanager_discord_webhook_url") == hook
    # what nobody gave stays blank: the feature is off
    assert secret(swarm, "sprocket_discord_bot_token") == "\n"
    assert secret(swarm, "traefik_dashboard_users").startswith("admin:$apr1$")
    grafana = secret(swarm, "grafana_admin_password")
    assert f"Grafana: user admin, password {grafana} (shown once)" in done.stderr

    # no value ever on a command line
    calls = (swarm / "calls.log").read_text()
    for path in (swarm / "secrets").iterdir():
        if path.read_text().strip():
            assert path.read_text().strip() not in calls, path.name

    (deploy,) = deploys(swarm)
    assert deploy["args"][-3:] == ["-c", "stack.yml", "sprocket"]
    assert "--prune" in deploy["args"]
    digest = hashlib.sha256((DEPLOY / "prometheus" / "rules" / "alerts.yml").read_bytes())
    assert deploy["env"]["PROMETHEUS_ALERTS_DIGEST"] == digest.hexdigest()[:12]
    digests = [name for name in deploy["env"] if name.endswith("_DIGEST")]
    assert len(digests) == len(yaml.safe_load((DEPLOY / "stack.yml").read_text())["configs"])


def test_a_second_run_changes_no_secret_and_deploys_again(swarm: Path) -> None:
    assert up(swarm).returncode == 0
    before = {path.name: path.read_text() for path in (swarm / "secrets").iterdir()}
    again = up(swarm)
    assert again.returncode == 0, again.stderr
    assert {path.name: path.read_text() for path in (swarm / "secrets").iterdir()} == before
    assert "created secret" not in again.stderr and "password" not in again.stderr
    assert len(deploys(swarm)) == 2
    assert deploys(swarm)[0]["env"] == deploys(swarm)[1]["env"]


def test_deploy_env_describes_the_deployment_and_the_environment_wins(
    swarm: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "deploy"
    shutil.copytree(DEPLOY, folder)
    (folder / ".env").write_text(
        "# the deployment\n"
        "SPROCKET_DOMAIN=league.example.org\n"
        "SPROCKET_IMAGE=sprocket:1.2.3\n"
        "\n"
        "not a setting\n"
    )
    done = up(swarm, folder, SPROCKET_IMAGE="sprocket:1.2.4")
    assert done.returncode == 0, done.stderr
    (deploy,) = deploys(swarm)
    assert deploy["env"]["SPROCKET_DOMAIN"] == "league.example.org"
    assert deploy["env"]["SPROCKET_IMAGE"] == "sprocket:1.2.4"
    assert "deployed: https://league.example.org" in done.stderr


def test_a_managed_database_takes_the_url_given(swarm: Path) -> None:
    managed = "postgresql+asyncpg://app:s3cret@db.internal:5432/leagues"
    done = up(swarm, SPROCKET_DATABASE_URL=managed, POSTGRES_REPLICAS="0")
    assert done.returncode == 0, done.stderr
    assert secret(swarm, "sprocket_database_url") == managed
    assert managed not in (swarm / "calls.log").read_text()


def test_half_a_password_pair_stops_before_deploying(swarm: Path) -> None:
    (swarm / "secrets").mkdir()
    (swarm / "secrets" / "postgres_password").write_text("an old password")
    done = up(swarm)
    assert done.returncode == 1
    assert "only one of the secrets postgres_password and sprocket_database_url exists" in (
        done.stderr
    )
    assert deploys(swarm) == []
    assert not (swarm / "secrets" / "sprocket_database_url").exists()
