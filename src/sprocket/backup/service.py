"""Backups that restore: create, list, verify, restore (the doors: `sprocket backup ...`).

**Recovery point.** Backups are frequent full dumps, not WAL archiving: one every
``backup_interval_minutes`` (60 by default; the periodic role runs ``sprocket backup create
--if-due``), so a failure loses at most the last hour's writes, plus the minutes a backup
takes. Each backup holds a consistent dump (SQLite's online backup API; PostgreSQL's
``pg_dump`` of an exported snapshot) and then every stored object: the dump is taken first,
and a replay is stored before the row naming it commits, so every object a dumped row names
is in the archive (an object stored later is in it too, and harmless).

**Safety.** An archive is built in a temporary folder, read back against its manifest, and
only then stored in the location, manifest last; the retention rule prunes only after that.
A failed backup therefore leaves the location as it was, and the last good backup with it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from sprocket.backup import archive, database, retention
from sprocket.backup import location as locations
from sprocket.backup.errors import BackupCode, BackupError
from sprocket.backup.location import BackupEntry
from sprocket.backup.manifest import DATABASE_MEMBER, OBJECTS, Manifest, new_backup_id, time_of
from sprocket.config import Settings
from sprocket.db import utcnow
from sprocket.errors import NotFound
from sprocket.logs import log
from sprocket.migrate import head_revision, known_revisions, upgrade_async
from sprocket.platform.storage import LocalStorage, ObjectStorage, storage_of

#: How many stored objects are read or written at once (each at most a replay's size).
IN_FLIGHT = 16
#: An incomplete backup (archive without manifest) older than this failed: a prune removes it.
ABANDONED_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Created:
    """A backup made: its manifest, where it went, the archive's size in bytes, the ids
    pruned after it, and how long it took (seconds)."""

    manifest: Manifest
    location: str
    size: int
    pruned: list[str]
    seconds: float


@dataclass(frozen=True)
class Verified:
    """A backup restored into scratch and found identical to its manifest."""

    manifest: Manifest
    location: str
    seconds: float


@dataclass(frozen=True)
class Listing:
    """The complete backups of a location, newest first, and the location as an operator
    reads it (a folder's ``file://`` URL, or ``s3://bucket/prefix`` with its endpoint; no
    credentials)."""

    location: str
    backups: list[BackupEntry]


@dataclass(frozen=True)
class Restored:
    """A backup restored into the deployment: its manifest, the revision the database was
    then migrated to (None: it was at the code's newest already), and the seconds taken."""

    manifest: Manifest
    migrated_to: str | None
    seconds: float
    replaced: dict[str, int] = field(default_factory=dict)


def _app_version() -> str:
    try:
        return metadata.version("sprocket")
    except metadata.PackageNotFoundError:
        return "unknown"


def _redacted(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


async def _read(storage: ObjectStorage, key: str) -> bytes | None:
    try:
        return await storage.get(key)
    except NotFound:  # deleted since the listing: no dumped row can name it
        log.warning("backup.object_vanished", key=key)
        return None


async def _copy_objects(
    storage: ObjectStorage, writer: archive.ArchiveWriter
) -> dict[str, archive.FileEntry]:
    """Every stored object into the archive, :data:`IN_FLIGHT` read at once (a bucket
    answers each in tens of milliseconds), written in the listing's order."""
    entries = {}
    keys = [item.key for item in await storage.listing()]
    for start in range(0, len(keys), IN_FLIGHT):
        batch = keys[start : start + IN_FLIGHT]
        found = await asyncio.gather(*(_read(storage, key) for key in batch))
        for key, data in zip(batch, found, strict=True):
            if data is not None:
                entries[key] = writer.add_bytes(OBJECTS + key, data)
    return entries


async def _put_objects(archive_file: Path, storage: ObjectStorage) -> None:
    """Every object of a checked archive into ``storage``, :data:`IN_FLIGHT` at once."""
    batch: list[tuple[str, bytes]] = []
    for item in archive.objects(archive_file):
        batch.append(item)
        if len(batch) == IN_FLIGHT:
            await asyncio.gather(*(storage.put(key, data) for key, data in batch))
            batch = []
    await asyncio.gather(*(storage.put(key, data) for key, data in batch))


async def create_backup(
    settings: Settings, *, to: str | None = None, if_due: bool = False
) -> Created | None:
    """Back up the database and every stored object of ``settings`` to the location ``to``
    (a folder or ``s3://bucket/prefix``; default the ``backup_url`` setting), then prune by
    the retention settings. With ``if_due``, do nothing (None) while the newest backup there
    is younger than ``backup_interval_minutes``. Raises BACKUP_LOCATION_INVALID,
    BACKUP_LOCATION_UNAVAILABLE, BACKUP_DUMP_FAILED, BACKUP_DIALECT_MISMATCH, and pg_dump's
    BACKUP_TOOL_MISSING or BACKUP_TOOL_FAILED; after any failure the location is
    unchanged."""
    started, now = time.perf_counter(), utcnow()
    location, storage = locations.open_location(settings, to), storage_of(settings)
    try:
        locations.require_apart(location, storage)
        async with locations.reaching(location):
            await location.check()
        complete, _ = await locations.entries(location)
        interval = dt.timedelta(minutes=settings.backup_interval_minutes)
        if if_due and complete and complete[0].created_at > now - interval:
            return None
        url = settings.resolved_database_url
        dialect = database.dialect_of(url)
        backup_id = new_backup_id(now)
        with tempfile.TemporaryDirectory(prefix="sprocket-backup-") as work:
            dump_file = Path(work) / DATABASE_MEMBER[dialect]
            counted = await database.dump(url, dump_file, pg_bin_dir=settings.backup_pg_bin_dir)
            archive_file = Path(work) / "archive.tar"
            with archive.writing(archive_file) as writer:
                dumped = writer.add_file(DATABASE_MEMBER[dialect], dump_file)
                dump_file.unlink()
                try:
                    objects = await _copy_objects(storage, writer)
                except OSError as exc:
                    raise BackupError(
                        f"A stored object could not be read: {exc}.",
                        code=BackupCode.BACKUP_DUMP_FAILED,
                    ) from exc
                manifest = Manifest(
                    id=backup_id,
                    created_at=now,
                    app_version=_app_version(),
                    schema_revision=counted.revision,
                    dialect=dialect,
                    database=dumped,
                    tables=counted.tables,
                    objects=objects,
                    source={"database": _redacted(url), "storage": storage.describe()},
                )
                writer.add_bytes("manifest.json", manifest.to_json())
            archive.check(archive_file, manifest)  # what is stored is what was written
            size = archive_file.stat().st_size
            await locations.commit(location, archive_file, manifest)
        log.info("backup.created", id=backup_id, location=location.describe(), bytes=size)
        pruned = await prune(settings, location=location, now=now, made=backup_id)
        return Created(manifest, location.describe(), size, pruned, time.perf_counter() - started)
    finally:
        await location.close()
        await storage.close()


async def prune(
    settings: Settings,
    *,
    location: ObjectStorage,
    now: dt.datetime | None = None,
    made: str | None = None,
) -> list[str]:
    """Delete the backups the retention settings (``backup_keep_hourly``, ``_daily``,
    ``_weekly``; see :mod:`sprocket.backup.retention`) do not keep, and incomplete ones
    abandoned for a day; the ids deleted. The newest backup, and the one just ``made``,
    always stay."""
    now = now or utcnow()
    complete, incomplete = await locations.entries(location)
    keep = retention.kept(
        [(entry.id, entry.created_at) for entry in complete],
        hourly=settings.backup_keep_hourly,
        daily=settings.backup_keep_daily,
        weekly=settings.backup_keep_weekly,
    )
    doomed = [entry.id for entry in complete if entry.id not in keep and entry.id != made]
    for backup_id in incomplete:
        started = time_of(backup_id)
        if started is not None and started < now - ABANDONED_AFTER:
            doomed.append(backup_id)
    for backup_id in doomed:
        await locations.remove(location, backup_id)
        log.info("backup.pruned", id=backup_id, location=location.describe())
    return doomed


async def list_backups(settings: Settings, *, where: str | None = None) -> Listing:
    """The complete backups in the location ``where`` (default: the setting), newest
    first, and where that location is. Raises BACKUP_LOCATION_INVALID."""
    location = locations.open_location(settings, where)
    try:
        complete, _ = await locations.entries(location)
        return Listing(location.describe(), complete)
    finally:
        await location.close()


async def _checked_archive(
    location: ObjectStorage, backup_id: str | None, folder: Path
) -> tuple[Manifest, Path]:
    entry = await locations.find(location, backup_id)
    manifest = await locations.manifest(location, entry.id)
    archive_file = folder / "archive.tar"
    await locations.fetch(location, entry.id, archive_file)
    archive.check(archive_file, manifest)
    return manifest, archive_file


async def _load(
    manifest: Manifest,
    archive_file: Path,
    *,
    url: str,
    storage: ObjectStorage,
    folder: Path,
    pg_bin_dir: Path | None,
) -> None:
    """Load a checked archive: its dump into the database of ``url``, its objects into
    ``storage``; then compare the database's census with the manifest (BACKUP_VERIFY_FAILED)."""
    dump_file = folder / manifest.database_member
    archive.extract_database(archive_file, manifest, dump_file)
    await database.load(url, dump_file, pg_bin_dir=pg_bin_dir)
    dump_file.unlink()
    await _put_objects(archive_file, storage)
    counted = await database.census_of(url)
    problems = [
        f"table {name}: {counted.tables.get(name, 0)} rows, the manifest says {rows}"
        for name, rows in manifest.tables.items()
        if counted.tables.get(name) != rows
    ]
    problems += [
        f"table {name} is not in the manifest"
        for name in counted.tables.keys() - manifest.tables.keys()
    ]
    if counted.revision != manifest.schema_revision:
        problems.append(
            f"schema revision {counted.revision}, the manifest says {manifest.schema_revision}"
        )
    if problems:
        raise BackupError(
            "The restored database differs from the manifest: " + "; ".join(problems) + ".",
            code=BackupCode.BACKUP_VERIFY_FAILED,
            details=problems,
        )


async def _compare_objects(manifest: Manifest, storage: ObjectStorage) -> list[str]:
    found = {item.key for item in await storage.listing()}
    problems = [f"object {key} is missing" for key in sorted(manifest.objects.keys() - found)]
    problems += [
        f"object {key} is not in the manifest" for key in sorted(found - manifest.objects.keys())
    ]
    for key in sorted(found & manifest.objects.keys()):
        if archive.digest_of(await storage.get(key)) != manifest.objects[key]:
            problems.append(f"object {key} differs from its checksum")
    return problems


async def verify_backup(
    settings: Settings, *, backup_id: str | None = None, where: str | None = None
) -> Verified:
    """Restore the backup ``backup_id`` (default: the newest) of the location ``where`` into
    a scratch database (SQLite: a file; PostgreSQL: a new database on the deployment's
    server) and scratch storage (a folder), compare the row counts, the schema revision and
    every object's SHA-256 with the manifest, then write ``verified.json`` beside it. The
    deployment is only read. Raises BACKUP_NOT_FOUND, BACKUP_CORRUPT,
    BACKUP_VERIFY_FAILED, and pg_restore's BACKUP_TOOL_MISSING or BACKUP_TOOL_FAILED."""
    started = time.perf_counter()
    location = locations.open_location(settings, where)
    try:
        with tempfile.TemporaryDirectory(prefix="sprocket-verify-") as work:
            folder = Path(work)
            manifest, archive_file = await _checked_archive(location, backup_id, folder)
            scratch_storage = LocalStorage(folder / "objects")
            async with database.scratch_database(
                manifest.dialect, beside=settings.resolved_database_url, folder=folder
            ) as scratch_url:
                await _load(
                    manifest,
                    archive_file,
                    url=scratch_url,
                    storage=scratch_storage,
                    folder=folder,
                    pg_bin_dir=settings.backup_pg_bin_dir,
                )
            problems = await _compare_objects(manifest, scratch_storage)
            if problems:
                raise BackupError(
                    "The restored objects differ from the manifest: "
                    + "; ".join(problems[:5])
                    + ".",
                    code=BackupCode.BACKUP_VERIFY_FAILED,
                    details=problems,
                )
        seconds = time.perf_counter() - started
        await locations.record_verified(
            location,
            manifest.id,
            {
                "verified_at": utcnow().isoformat(),
                "tables": len(manifest.tables),
                "rows": manifest.rows,
                "objects": len(manifest.objects),
                "object_bytes": manifest.object_bytes,
                "seconds": round(seconds, 3),
                "app_version": _app_version(),
            },
        )
        log.info("backup.verified", id=manifest.id, location=location.describe())
        return Verified(manifest, location.describe(), seconds)
    finally:
        await location.close()


async def _target_contents(url: str, storage: ObjectStorage) -> tuple[dict[str, int], int]:
    """Rows per table holding data in the target database, and how many objects its storage
    holds."""
    if database.dialect_of(url) == "sqlite" and not database.sqlite_file(url).is_file():
        rows: dict[str, int] = {}
    else:
        rows = (await database.census_of(url)).data_rows()
    return rows, len(await storage.listing())


async def restore_backup(
    settings: Settings, *, backup_id: str, where: str | None = None, force: bool = False
) -> Restored:
    """Restore the backup ``backup_id`` (``latest``: the newest) of the location ``where``
    into the deployment of ``settings`` (its database and object storage), then migrate the
    database to the code's newest revision. Refused, with nothing changed: an archive of a
    newer schema than the code knows (BACKUP_SCHEMA_NEWER), of the other database kind
    (BACKUP_DIALECT_MISMATCH), a target holding rows or objects unless ``force``
    (BACKUP_TARGET_NOT_EMPTY: forced, the database is replaced whole and the archive's
    objects are written over the storage's), a damaged archive (BACKUP_CORRUPT). Also
    raises BACKUP_NOT_FOUND, BACKUP_VERIFY_FAILED, and pg_restore's BACKUP_TOOL_MISSING or
    BACKUP_TOOL_FAILED."""
    started = time.perf_counter()
    url = settings.resolved_database_url
    location, storage = locations.open_location(settings, where), storage_of(settings)
    try:
        entry = await locations.find(location, backup_id)
        manifest = await locations.manifest(location, entry.id)
        if (
            manifest.schema_revision is not None
            and manifest.schema_revision not in known_revisions()
        ):
            raise BackupError(
                f"Backup {manifest.id} has schema revision {manifest.schema_revision}, which "
                f"this code (newest revision {head_revision()}) does not know: it was written "
                "by newer code. Upgrade the code, then restore.",
                code=BackupCode.BACKUP_SCHEMA_NEWER,
            )
        if database.dialect_of(url) != manifest.dialect:
            raise BackupError(
                f"Backup {manifest.id} holds a {manifest.dialect} database and the deployment's "
                f"is {database.dialect_of(url)}.",
                code=BackupCode.BACKUP_DIALECT_MISMATCH,
            )
        rows, objects = await _target_contents(url, storage)
        if (rows or objects) and not force:
            raise BackupError(
                f"The target deployment is not empty: {sum(rows.values())} rows in "
                f"{len(rows)} tables and {objects} stored objects. Restore into an empty "
                "one, or pass --force to replace its database and write over its storage.",
                code=BackupCode.BACKUP_TARGET_NOT_EMPTY,
                details={"rows": rows, "objects": objects},
            )
        with tempfile.TemporaryDirectory(prefix="sprocket-restore-") as work:
            folder = Path(work)
            manifest, archive_file = await _checked_archive(location, entry.id, folder)
            await _load(
                manifest,
                archive_file,
                url=url,
                storage=storage,
                folder=folder,
                pg_bin_dir=settings.backup_pg_bin_dir,
            )
        head = head_revision()
        migrated_to = None
        if manifest.schema_revision != head:
            await upgrade_async(url)
            migrated_to = head
        log.info("backup.restored", id=manifest.id, forced=bool(rows or objects))
        return Restored(manifest, migrated_to, time.perf_counter() - started, rows)
    finally:
        await location.close()
        await storage.close()
