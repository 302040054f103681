"""`sprocket backup`: the door's sentences and exit statuses (the rules are the service's,
tested in test_backup.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sprocket.cli import app
from sprocket.config import Settings
from tests.helpers.environment import environment  # noqa: F401 (a fixture)

runner = CliRunner()


@pytest.mark.usefixtures("environment")
def test_create_list_verify_and_a_refused_restore(settings: Settings) -> None:
    empty = runner.invoke(app, ["backup", "list"]).output
    where = f"file://{(settings.data_dir / 'backups').resolve()}"
    assert "".join(empty.split()) == f"Nobackupyetin{where}."  # (a long path may wrap)

    created = runner.invoke(app, ["backup", "create"])
    assert created.exit_code == 0, created.output
    assert "Backup " in created.output and "tables, 0 objects" in created.output

    listed = runner.invoke(app, ["backup", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.stdout)
    assert set(entry) == {"id", "created_at", "bytes", "verified_at"}
    assert entry["verified_at"] is None and entry["bytes"] > 0

    verified = runner.invoke(app, ["backup", "verify", entry["id"]])
    assert verified.exit_code == 0, verified.output
    assert f"Backup {entry['id']} verified" in verified.output
    (entry,) = json.loads(runner.invoke(app, ["backup", "list", "--json"]).stdout)
    assert entry["verified_at"] is not None

    # A refusal is its sentence and its code, exit status 1.
    refused = runner.invoke(app, ["backup", "restore", "19990101T000000.000000Z-none"])
    assert refused.exit_code == 1
    assert "There is no backup '19990101T000000.000000Z-none'" in refused.output
    assert "BACKUP_NOT_FOUND" in refused.output

    due = runner.invoke(app, ["backup", "create", "--if-due"])
    assert due.exit_code == 0 and "none was due" in due.output


@pytest.mark.usefixtures("environment")
def test_an_unknown_location_is_a_sentence(settings: Settings) -> None:
    refused = runner.invoke(app, ["backup", "create", "--to", "ftp://example.org/backups"])
    assert refused.exit_code == 1
    assert "BACKUP_LOCATION_INVALID" in refused.output
    assert "Unknown storage URL scheme 'ftp'" in refused.output
    assert "s3://bucket[/prefix]" in refused.output  # shown as written, not read as markup
