"""The test's settings as the `sprocket` command reads them: from the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sprocket.config import Settings


@pytest.fixture
def environment(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, restore_logging: None
) -> Iterator[None]:
    """Only the test's own ``SPROCKET_*`` variables (data folder, database, storage, cache),
    no secrets folder; the logging setup is put back afterwards."""
    for name in list(os.environ):
        if name.upper().startswith("SPROCKET_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPROCKET_SECRETS_DIR", str(settings.data_dir / "no-secrets"))
    for name in ("data_dir", "database_url", "storage_url", "cache_url", "cache_prefix"):
        monkeypatch.setenv(f"SPROCKET_{name.upper()}", str(getattr(settings, name)))
    monkeypatch.setenv("SPROCKET_LOG_FORMAT", "console")
    yield
