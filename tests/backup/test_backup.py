"""Backups on the embedded defaults (SQLite file, local storage): a league with real replays
is backed up, everything is dropped, and the restore brings back every row and every replay
byte; the refusals (newer schema, non-empty target), a failed backup that keeps the last
good one, verification, and the retention rule at work."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from sprocket.backup import service
from sprocket.backup.errors import BackupCode, BackupError
from sprocket.backup.manifest import ARCHIVE, MANIFEST, VERIFIED, Manifest
from sprocket.config import Settings
from sprocket.identity import service as identity
from sprocket.migrate import head_revision
from sprocket.runtime import Runtime
from tests.backup.league import build_league, objects_of, state_of
from tests.conftest import POSTGRES_URL
from tests.web.conftest import Demo, demo_org  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.replays,
    pytest.mark.skipif(
        bool(POSTGRES_URL),
        reason="the embedded drill (SQLite files); on PostgreSQL, tests/backup/test_drill.py",
    ),
]


def changed(settings: Settings, **updates: object) -> Settings:
    """``settings`` with ``updates`` (a new object: ``model_copy`` would keep the resolved
    database and storage URLs, which are cached)."""
    return Settings(**{**settings.model_dump(), **updates})


def backups_folder(settings: Settings) -> Path:
    return settings.data_dir / "backups"


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def delete_files(settings: Settings) -> None:
    """Delete the database file (and its write-ahead log) and the storage folder."""
    database = Path(settings.resolved_database_url.partition(":///")[2])
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(settings.resolved_storage_url.removeprefix("file://"))


async def drop_everything(platform: Runtime, settings: Settings) -> None:
    """Close the platform's connections, then delete the database and the storage."""
    await platform.engine.dispose()
    await platform.background_engine.dispose()
    delete_files(settings)
    assert await objects_of(platform.storage) == {}


@pytest.fixture
async def league(platform: Runtime, demo_org: Demo) -> None:  # noqa: F811
    await build_league(platform, demo_org)


async def test_drop_everything_then_restore_brings_back_every_row_and_byte(
    platform: Runtime, settings: Settings, league: None
) -> None:
    before = await state_of(platform)
    # the accepted game and the three other replays, and the accepted match's report card
    assert sorted(key.split("/")[0] for key in before.objects) == ["replays"] * 4 + ["report-cards"]
    created = await service.create_backup(settings)
    assert created is not None
    manifest = created.manifest
    assert manifest.dialect == "sqlite" and manifest.schema_revision == head_revision()
    assert {key: entry.size for key, entry in manifest.objects.items()} == {
        key: len(data) for key, data in before.objects.items()
    }
    assert manifest.tables["matches"] == len(before.rows["matches"])
    assert manifest.tables["match_games"] == 1
    folder = backups_folder(settings) / manifest.id
    assert sorted(os.listdir(folder)) == [ARCHIVE, MANIFEST]
    assert Manifest.from_json((folder / MANIFEST).read_bytes()) == manifest

    await drop_everything(platform, settings)
    restored = await service.restore_backup(settings, backup_id=manifest.id)
    assert restored.migrated_to is None  # the archive's schema is the code's newest

    after = await state_of(platform)
    assert after.rows == before.rows
    assert after.objects == before.objects


async def test_verify_restores_into_scratch_and_records_it_beside_the_backup(
    platform: Runtime, settings: Settings, league: None
) -> None:
    before = await state_of(platform)
    created = await service.create_backup(settings)
    assert created is not None
    (entry,) = (await service.list_backups(settings)).backups
    assert entry.id == created.manifest.id and entry.verified_at is None

    verified = await service.verify_backup(settings)  # the newest
    assert verified.manifest == created.manifest
    (entry,) = (await service.list_backups(settings)).backups
    assert entry.verified_at is not None
    assert (backups_folder(settings) / entry.id / VERIFIED).is_file()
    assert await state_of(platform) == before  # the deployment was only read


async def test_a_damaged_archive_fails_verification_and_is_not_marked(
    platform: Runtime, settings: Settings, league: None
) -> None:
    created = await service.create_backup(settings)
    assert created is not None
    archive = backups_folder(settings) / created.manifest.id / ARCHIVE
    data = bytearray(archive.read_bytes())
    spot = data.index(b"TAGame.Replay_Soccar_TA")  # inside a stored replay
    data[spot] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(BackupError) as refused:
        await service.verify_backup(settings, backup_id=created.manifest.id)
    assert refused.value.code == BackupCode.BACKUP_CORRUPT
    assert "differs from its checksum" in refused.value.message
    assert not (archive.parent / VERIFIED).exists()


async def test_restore_refuses_a_non_empty_target_unless_forced(
    platform: Runtime, settings: Settings, league: None
) -> None:
    before = await state_of(platform)
    created = await service.create_backup(settings)
    assert created is not None
    async with platform.unit_of_work() as session:  # written after the backup
        await identity.ensure_user(session, discord_id="900000000000000009", display_name="Late")
    changed = await state_of(platform)

    with pytest.raises(BackupError) as refused:
        await service.restore_backup(settings, backup_id="latest")
    assert refused.value.code == BackupCode.BACKUP_TARGET_NOT_EMPTY
    assert "not empty" in refused.value.message and "--force" in refused.value.message
    assert await state_of(platform) == changed  # nothing touched

    await platform.engine.dispose()
    await service.restore_backup(settings, backup_id="latest", force=True)
    assert await state_of(platform) == before


async def test_stored_objects_alone_make_a_target_non_empty(
    platform: Runtime, settings: Settings, league: None, tmp_path: Path
) -> None:
    created = await service.create_backup(settings)
    assert created is not None
    empty = changed(settings, database_url=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(BackupError) as refused:
        await service.restore_backup(empty, backup_id=created.manifest.id)
    assert refused.value.code == BackupCode.BACKUP_TARGET_NOT_EMPTY
    assert "0 rows in 0 tables and 5 stored objects" in refused.value.message
    assert not (tmp_path / "new.db").exists()


async def test_a_target_database_that_cannot_be_written_is_named(
    platform: Runtime, settings: Settings, tmp_path: Path
) -> None:
    created = await service.create_backup(settings)
    assert created is not None
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    nowhere = changed(
        settings,
        database_url=f"sqlite+aiosqlite:///{blocker}/sprocket.db",
        storage_url=f"file://{tmp_path / 'fresh-storage'}",
    )
    with pytest.raises(BackupError) as refused:
        await service.restore_backup(nowhere, backup_id="latest")
    assert refused.value.code == BackupCode.BACKUP_DATABASE_UNAVAILABLE
    assert refused.value.message.startswith("The database could not be read: ")
    assert not (tmp_path / "fresh-storage").exists()  # the objects come after the database


async def test_restore_refuses_an_archive_of_a_newer_schema(
    platform: Runtime, settings: Settings, tmp_path: Path
) -> None:
    await platform.engine.dispose()
    database = settings.resolved_database_url.partition(":///")[2]
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    created = await service.create_backup(settings)
    assert created is not None and created.manifest.schema_revision == "9999_from_the_future"

    fresh = changed(
        settings,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        storage_url=f"file://{tmp_path / 'fresh-storage'}",
    )
    with pytest.raises(BackupError) as refused:
        await service.restore_backup(
            fresh, backup_id=created.manifest.id, where=str(backups_folder(settings))
        )
    assert refused.value.code == BackupCode.BACKUP_SCHEMA_NEWER
    assert "9999_from_the_future" in refused.value.message
    assert not (tmp_path / "fresh.db").exists()
    assert not (tmp_path / "fresh-storage").exists()


async def test_a_failed_backup_keeps_the_last_good_one(
    platform: Runtime, settings: Settings, league: None, tmp_path: Path
) -> None:
    good = await service.create_backup(settings)
    assert good is not None
    kept = files_under(backups_folder(settings))

    # The database cannot be read: a file that is no SQLite database.
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    broken = changed(settings, database_url=f"sqlite+aiosqlite:///{garbage}")
    with pytest.raises(BackupError) as refused:
        await service.create_backup(broken)
    assert refused.value.code == BackupCode.BACKUP_DUMP_FAILED
    assert files_under(backups_folder(settings)) == kept

    # A stored object cannot be read (a link that loops), after the dump was taken.
    storage = Path(settings.resolved_storage_url.removeprefix("file://"))
    (storage / "replays" / "loop").symlink_to(storage / "replays" / "loop")
    with pytest.raises(BackupError) as refused:
        await service.create_backup(settings)
    assert refused.value.code == BackupCode.BACKUP_DUMP_FAILED
    assert files_under(backups_folder(settings)) == kept

    (entry,) = (await service.list_backups(settings)).backups
    assert entry.id == good.manifest.id
    await service.verify_backup(settings, backup_id=entry.id)


async def test_retention_prunes_after_a_good_backup_only(
    platform: Runtime, settings: Settings, tmp_path: Path
) -> None:
    one_each = changed(settings, backup_keep_hourly=1, backup_keep_daily=1, backup_keep_weekly=1)
    folder = backups_folder(settings)
    abandoned = folder / "20200101T000000.000000Z-dead"  # a commit that died years ago
    abandoned.mkdir(parents=True)
    (abandoned / ARCHIVE).write_bytes(b"half an archive")
    first = await service.create_backup(one_each)
    assert first is not None and first.pruned == ["20200101T000000.000000Z-dead"]
    assert not abandoned.exists() or not any(abandoned.iterdir())

    second = await service.create_backup(one_each)  # the same hour, day and week
    assert second is not None and second.pruned == [first.manifest.id]
    assert [e.id for e in (await service.list_backups(settings)).backups] == [second.manifest.id]
    assert not (folder / first.manifest.id / ARCHIVE).exists()

    # An unusable location: nothing made, nothing pruned.
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    with pytest.raises(BackupError) as refused:
        await service.create_backup(one_each, to=str(blocker / "backups"))
    assert refused.value.code == BackupCode.BACKUP_LOCATION_UNAVAILABLE
    assert [e.id for e in (await service.list_backups(settings)).backups] == [second.manifest.id]

    # Due only when the newest is older than the interval.
    assert await service.create_backup(one_each, if_due=True) is None


async def test_a_location_inside_the_storage_is_refused(platform: Runtime, settings: Settings):
    inside = settings.resolved_storage_url.removeprefix("file://") + "/backups"
    with pytest.raises(BackupError) as refused:
        await service.create_backup(settings, to=inside)
    assert refused.value.code == BackupCode.BACKUP_LOCATION_INVALID
    with pytest.raises(BackupError) as refused:
        await service.create_backup(settings, to="ftp://example.org/backups")
    assert refused.value.code == BackupCode.BACKUP_LOCATION_INVALID


async def test_an_unknown_backup_is_named_in_the_refusal(platform: Runtime, settings: Settings):
    with pytest.raises(BackupError) as refused:
        await service.verify_backup(settings)
    assert refused.value.code == BackupCode.BACKUP_NOT_FOUND
    assert "holds no backup yet" in refused.value.message
    await service.create_backup(settings)
    with pytest.raises(BackupError) as refused:
        await service.restore_backup(settings, backup_id="20000101T000000.000000Z-0000")
    assert refused.value.code == BackupCode.BACKUP_NOT_FOUND
