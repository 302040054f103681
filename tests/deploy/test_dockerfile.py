"""The image (issue 12): the Dockerfile's invariants, checked without an engine (none can pull a
base image here), and hadolint's verdict."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.main import get_command

from sprocket.cli import app

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined: (KEYWORD, arguments)."""
    joined: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation"
    result = []
    for line in joined:
        keyword, _, rest = line.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions():
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def _arg_defaults() -> dict[str, str]:
    return dict(
        rest.split("=", 1) for keyword, rest in instructions() if keyword == "ARG" and "=" in rest
    )


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_builds_in_one_stage_and_runs_from_another_with_a_pinned_base() -> None:
    stages = _stages()
    assert len(stages) >= 2
    defaults = _arg_defaults()
    for stage in stages:
        image = stage[0][1].split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m[1]], image)
        name, _, tag = image.partition(":")
        # a full version, never a moving tag
        assert re.match(r"^\d+\.\d+\.\d+-", tag), f"{image} is not pinned to a version"
    final = stages[-1]
    copies = [rest for keyword, rest in final if keyword == "COPY"]
    assert any(rest.startswith("--from=build") and "/app/.venv" in rest for rest in copies)
    # the runtime stage has no uv, no compiler, no project sources: only the environment
    assert not any("uv " in rest for keyword, rest in final if keyword == "RUN")


def test_dependencies_come_from_the_lock_file_without_the_dev_group() -> None:
    runs = [rest for keyword, rest in instructions() if keyword == "RUN"]
    syncs = [run for run in runs if "uv sync" in run]
    assert len(syncs) == 2  # dependencies alone first (a cached layer), then the project
    for sync in syncs:
        assert "--frozen" in sync and "--no-dev" in sync
    assert any(re.search(r"pip install [^&]*\buv==\d+\.\d+\.\d+", run) for run in runs)
    copied = " ".join(rest for keyword, rest in instructions() if keyword == "COPY")
    assert "uv.lock" in copied


def test_it_runs_as_an_unprivileged_user() -> None:
    users = [rest for keyword, rest in _stages()[-1] if keyword == "USER"]
    assert users, "the runtime stage never leaves root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000
    keywords = [keyword for keyword, _ in _stages()[-1]]
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")


def _packages() -> set[str]:
    words: set[str] = set()
    for keyword, rest in _stages()[-1]:
        if keyword == "RUN" and "apt-get install" in rest:
            words.update(shlex.split(rest.replace("&&", " ")))
    return words


def test_postgresql_client_tools_match_the_stack_server() -> None:
    stack = yaml.safe_load((ROOT / "deploy" / "stack.yml").read_text())
    server = stack["services"]["postgres"]["image"]
    major = re.match(r"postgres:(\d+)\.", server)
    assert major, f"the stack's PostgreSQL image {server} names no version"
    assert f"postgresql-client-{major[1]}" in _packages()


def test_report_card_fonts_are_installed() -> None:
    assert {"fonts-dejavu-core", "fonts-noto-core", "fonts-noto-cjk"} <= _packages()


def test_the_health_check_asks_healthz_and_the_command_picks_the_role() -> None:
    final = dict(_stages()[-1])
    assert "sprocket.healthcheck" in final["HEALTHCHECK"]  # its default URL is /healthz
    source = (ROOT / "src" / "sprocket" / "healthcheck.py").read_text()
    assert "/healthz" in source
    assert final["ENTRYPOINT"] == '["sprocket"]'
    assert final["CMD"] == '["serve"]'
    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert {"serve", "worker", "periodic", "migrate"} <= commands
    assert "SPROCKET_HOST=0.0.0.0" in final["ENV"]


def test_the_build_context_leaves_out_secrets_data_and_the_work_tree() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "an allow-list: everything out, then what the build needs"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "uv.lock", "README.md", "src"}
    copied = " ".join(rest for keyword, rest in instructions() if keyword == "COPY")
    for name in allowed:
        assert name in copied


@pytest.mark.parametrize("role", ["worker", "periodic"])
def test_the_stack_overrides_the_health_check_of_roles_without_healthz(role: str) -> None:
    stack = yaml.safe_load((ROOT / "deploy" / "stack.yml").read_text())
    service = stack["services"][role]
    assert service["command"][0] == role
    test = service["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "-m", "sprocket.healthcheck"]
    assert test[4].endswith(":9100/metrics")
