"""Settings: SPROCKET_* environment variables, a .env file, secrets files, and their precedence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sprocket.config import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SPROCKET_* variable, an empty working directory and an empty secrets folder."""
    for name in list(os.environ):
        if name.upper().startswith("SPROCKET_"):
            monkeypatch.delenv(name)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    monkeypatch.setenv("SPROCKET_SECRETS_DIR", str(secrets))
    return secrets


def test_defaults_are_the_embedded_backends(tmp_path: Path):
    settings = load_settings()
    data = (tmp_path / "cwd" / "data").resolve()
    assert settings.data_dir == Path("data")
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{data / 'sprocket.db'}"
    assert settings.resolved_storage_url == f"file://{data / 'storage'}"
    assert settings.broker_url == "memory://"
    assert settings.cache_url == "memory://"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.log_format == "auto"
    assert settings.run_relay is True


def test_every_setting_has_a_description():
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert missing == []


def test_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("SPROCKET_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("SPROCKET_PORT", "9123")
    monkeypatch.setenv("sprocket_cache_url", "redis://cache:6379/0")  # case does not matter
    monkeypatch.setenv("SPROCKET_RUN_RELAY", "false")
    monkeypatch.setenv("SPROCKET_LOG_FORMAT", "json")
    settings = load_settings()
    assert settings.port == 9123
    assert settings.cache_url == "redis://cache:6379/0"
    assert settings.run_relay is False
    assert settings.log_format == "json"
    elsewhere = (tmp_path / "elsewhere").resolve()
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{elsewhere / 'sprocket.db'}"
    assert settings.resolved_storage_url == f"file://{elsewhere / 'storage'}"


def test_explicit_urls_win_over_the_data_folder(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SPROCKET_DATABASE_URL", "postgresql+asyncpg://db/sprocket")
    monkeypatch.setenv("SPROCKET_STORAGE_URL", "s3://replays/prod")
    settings = load_settings()
    assert settings.resolved_database_url == "postgresql+asyncpg://db/sprocket"
    assert settings.resolved_storage_url == "s3://replays/prod"


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SPROCKET_PORT", "eighty")
    with pytest.raises(ValueError, match="port"):
        load_settings()
    monkeypatch.setenv("SPROCKET_PORT", "80")
    monkeypatch.setenv("SPROCKET_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log_format"):
        load_settings()


def test_dotenv_file_in_the_working_directory():
    Path(".env").write_text(
        "SPROCKET_BROKER_URL=amqp://guest:guest@rabbit:5672/\n"
        "SPROCKET_QUEUE_NAME=from-dotenv\n"
        "# a comment\n"
        "UNRELATED=ignored\n"
    )
    settings = load_settings()
    assert settings.broker_url == "amqp://guest:guest@rabbit:5672/"
    assert settings.queue_name == "from-dotenv"


def test_secrets_folder(clean_environment: Path):
    (clean_environment / "sprocket_s3_secret_access_key").write_text("s3cr3t\n")
    (clean_environment / "SPROCKET_DATABASE_URL").write_text("postgresql+asyncpg://u:pw@db/x")
    settings = load_settings()
    assert settings.s3_secret_access_key == "s3cr3t"  # the trailing newline is dropped
    assert settings.database_url == "postgresql+asyncpg://u:pw@db/x"


def test_a_missing_secrets_folder_is_fine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("SPROCKET_SECRETS_DIR", str(tmp_path / "not-there"))
    assert load_settings().s3_secret_access_key is None


def test_precedence_environment_then_dotenv_then_secrets(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path
):
    for name, value in (
        ("sprocket_queue_name", "from-secret"),
        ("sprocket_cache_prefix", "from-secret"),
        ("sprocket_cache_url", "from-secret"),
    ):
        (clean_environment / name).write_text(value)
    Path(".env").write_text("SPROCKET_QUEUE_NAME=from-dotenv\nSPROCKET_CACHE_PREFIX=from-dotenv\n")
    monkeypatch.setenv("SPROCKET_QUEUE_NAME", "from-env")
    settings = load_settings()
    assert settings.queue_name == "from-env"  # env > .env > secrets
    assert settings.cache_prefix == "from-dotenv"  # .env > secrets
    assert settings.cache_url == "from-secret"  # secrets > default
    # and arguments (the command's own options) beat them all
    assert load_settings(queue_name="from-option").queue_name == "from-option"


def test_token_lifetimes_are_capped(monkeypatch: pytest.MonkeyPatch):
    assert (Settings().token_days, Settings().token_max_days) == (90, 365)
    monkeypatch.setenv("SPROCKET_TOKEN_MAX_DAYS", "60")
    with pytest.raises(ValueError, match=r"token_days \(90\) must not exceed token_max_days"):
        load_settings()
    monkeypatch.setenv("SPROCKET_TOKEN_DAYS", "60")
    assert load_settings().token_max_days == 60
    monkeypatch.setenv("SPROCKET_TOKEN_MAX_DAYS", "3651")  # ten years at most
    with pytest.raises(ValueError, match="token_max_days"):
        load_settings()
