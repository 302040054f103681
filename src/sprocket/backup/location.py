"""The backup location: a folder or an S3 bucket (production: a bucket off the host), read
and written through the object storage adapters, so one code serves both.

Each backup is ``<id>/archive.tar``, then ``<id>/manifest.json`` (a backup is complete, and
listed, once its manifest is there: it is written last), and ``<id>/verified.json`` once a
verification passed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sprocket.backup.errors import BackupCode, BackupError
from sprocket.backup.manifest import ARCHIVE, MANIFEST, VERIFIED, Manifest, time_of
from sprocket.config import Settings
from sprocket.errors import NotFound
from sprocket.platform.storage import ObjectStorage, StorageUnavailable, open_storage


@dataclass(frozen=True)
class BackupEntry:
    """A backup in the location: its id, when it was started (UTC), the archive's size in
    bytes, and when it last passed a verification (UTC; None: never)."""

    id: str
    created_at: dt.datetime
    size: int
    verified_at: dt.datetime | None


def location_url(settings: Settings, to: str | None = None) -> str:
    """The backup location's URL: ``to`` (a folder, ``file://...`` or ``s3://bucket/prefix``),
    else ``backup_url``, else the folder ``backups`` of the data folder."""
    where = to or settings.backup_url
    if not where:
        return f"file://{(settings.data_dir / 'backups').resolve()}"
    if "://" not in where:
        return f"file://{Path(where).resolve()}"
    return where


def open_location(settings: Settings, to: str | None = None) -> ObjectStorage:
    """The backup location as object storage, with the ``backup_s3_*`` settings (each
    falling back to its ``s3_*`` twin). Raises BACKUP_LOCATION_INVALID for a URL of another
    kind."""
    try:
        return open_storage(
            location_url(settings, to),
            s3_endpoint_url=settings.backup_s3_endpoint_url or settings.s3_endpoint_url,
            s3_region=settings.backup_s3_region or settings.s3_region,
            s3_access_key_id=settings.backup_s3_access_key_id or settings.s3_access_key_id,
            s3_secret_access_key=(
                settings.backup_s3_secret_access_key or settings.s3_secret_access_key
            ),
        )
    except ValueError as exc:
        raise BackupError(str(exc), code=BackupCode.BACKUP_LOCATION_INVALID) from None


def require_apart(location: ObjectStorage, storage: ObjectStorage) -> None:
    """Raise BACKUP_LOCATION_INVALID when the backup location lies inside the object
    storage it backs up (each backup would then hold the ones before it)."""
    inside, outside = location.describe(), storage.describe()
    if inside == outside or inside.startswith(outside.rstrip("/") + "/"):
        raise BackupError(
            f"The backup location {inside} lies inside the object storage {outside}; "
            "keep backups apart from what they back up.",
            code=BackupCode.BACKUP_LOCATION_INVALID,
        )


@asynccontextmanager
async def reaching(location: ObjectStorage) -> AsyncIterator[None]:
    """Turn the location's failures (a folder that cannot be written, a bucket that does not
    answer) into BACKUP_LOCATION_UNAVAILABLE."""
    try:
        yield
    except (OSError, StorageUnavailable, BotoCoreError, ClientError) as exc:
        raise BackupError(
            f"The backup location {location.describe()} cannot be used: {exc}",
            code=BackupCode.BACKUP_LOCATION_UNAVAILABLE,
        ) from exc


async def entries(location: ObjectStorage) -> tuple[list[BackupEntry], list[str]]:
    """The complete backups, newest first (one listing, and each verification record
    read), and the ids of
    incomplete ones (an archive or record without its manifest: a backup that failed while
    it was being committed, or one being committed now)."""
    files: dict[str, dict[str, int]] = {}
    async with reaching(location):
        listing = await location.listing()
    for item in listing:
        backup_id, _, name = item.key.partition("/")
        if name in (ARCHIVE, MANIFEST, VERIFIED) and time_of(backup_id) is not None:
            files.setdefault(backup_id, {})[name] = item.size
    complete, incomplete = [], []
    for backup_id, names in files.items():
        if MANIFEST not in names or ARCHIVE not in names:
            incomplete.append(backup_id)
            continue
        verified = await verified_at(location, backup_id) if VERIFIED in names else None
        created = time_of(backup_id)
        assert created is not None
        complete.append(BackupEntry(backup_id, created, names[ARCHIVE], verified))
    complete.sort(key=lambda entry: (entry.created_at, entry.id), reverse=True)
    return complete, sorted(incomplete)


async def find(location: ObjectStorage, backup_id: str | None) -> BackupEntry:
    """The backup ``backup_id`` (None or ``latest``: the newest). Raises BACKUP_NOT_FOUND."""
    complete, _ = await entries(location)
    if not complete:
        raise BackupError(
            f"The backup location {location.describe()} holds no backup yet.",
            code=BackupCode.BACKUP_NOT_FOUND,
        )
    if backup_id in (None, "latest"):
        return complete[0]
    for entry in complete:
        if entry.id == backup_id:
            return entry
    raise BackupError(
        f"There is no backup '{backup_id}' in {location.describe()} "
        f"(the newest is {complete[0].id}).",
        code=BackupCode.BACKUP_NOT_FOUND,
    )


async def manifest(location: ObjectStorage, backup_id: str) -> Manifest:
    """The manifest beside the archive. Raises BACKUP_NOT_FOUND, BACKUP_CORRUPT."""
    try:
        return Manifest.from_json(await location.get(f"{backup_id}/{MANIFEST}"))
    except NotFound:
        raise BackupError(
            f"There is no backup '{backup_id}' in {location.describe()}.",
            code=BackupCode.BACKUP_NOT_FOUND,
        ) from None


async def fetch(location: ObjectStorage, backup_id: str, dest: Path) -> None:
    """Copy the backup's archive to the local file ``dest``."""
    await location.get_file(f"{backup_id}/{ARCHIVE}", dest)


async def commit(location: ObjectStorage, archive: Path, manifest: Manifest) -> None:
    """Store a checked archive, then its manifest: only then is the backup complete."""
    await location.put_file(f"{manifest.id}/{ARCHIVE}", archive)
    await location.put(
        f"{manifest.id}/{MANIFEST}", manifest.to_json(), content_type="application/json"
    )


async def remove(location: ObjectStorage, backup_id: str) -> None:
    """Delete a backup: its manifest first, so a half-removed backup is never listed as
    complete."""
    for name in (MANIFEST, VERIFIED, ARCHIVE):
        await location.delete(f"{backup_id}/{name}")


async def record_verified(location: ObjectStorage, backup_id: str, record: dict[str, Any]) -> None:
    """Write ``verified.json`` beside the backup: ``record`` (JSON-ready) with its time."""
    body = json.dumps(record, indent=1, sort_keys=True).encode()
    await location.put(f"{backup_id}/{VERIFIED}", body, content_type="application/json")


async def verified_at(location: ObjectStorage, backup_id: str) -> dt.datetime | None:
    """When the backup last passed a verification (UTC), or None."""
    try:
        record = json.loads(await location.get(f"{backup_id}/{VERIFIED}"))
        return dt.datetime.fromisoformat(record["verified_at"])
    except (NotFound, ValueError, KeyError, TypeError):
        return None
