"""What a backup holds and proves: its manifest, kept inside the archive (written last) and
beside it in the backup location.

A backup is three objects under its id in the backup location: ``<id>/archive.tar`` (an
uncompressed tar: the database dump, every stored object under ``objects/<key>``, and
``manifest.json``), ``<id>/manifest.json`` (the same manifest, written after the archive: a
backup whose manifest is there is complete), and, once a verification passed,
``<id>/verified.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from sprocket.backup.errors import BackupCode, BackupError

#: The manifest's layout version: a reader refuses a format it does not know.
FORMAT = 1
ARCHIVE = "archive.tar"
MANIFEST = "manifest.json"
VERIFIED = "verified.json"
#: The dump's name in the archive, by database dialect.
DATABASE_MEMBER = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
#: Where stored objects live in the archive: ``objects/<storage key>``.
OBJECTS = "objects/"
_ID_TIME = "%Y%m%dT%H%M%S.%fZ"


@dataclass(frozen=True)
class FileEntry:
    """A file's SHA-256 (hex) and size in bytes."""

    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """A backup's contents. ``tables``: rows per table (every table of the database, the
    migrations' ``alembic_version`` too), counted in the dump's own snapshot; ``objects``:
    each stored object by storage key; ``source``: the database and storage it came from,
    without credentials."""

    id: str
    created_at: dt.datetime
    app_version: str
    schema_revision: str | None
    dialect: str
    database: FileEntry
    tables: dict[str, int]
    objects: dict[str, FileEntry]
    source: dict[str, str] = field(default_factory=dict)
    format: int = FORMAT

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBER[self.dialect]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    @property
    def object_bytes(self) -> int:
        return sum(entry.size for entry in self.objects.values())

    def to_json(self) -> bytes:
        body = asdict(self)
        body["created_at"] = self.created_at.isoformat()
        return json.dumps(body, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """The manifest of ``data``; raises BACKUP_CORRUPT when it is not one of a known
        format."""
        try:
            body: dict[str, Any] = json.loads(data)
            if body.get("format") != FORMAT:
                raise BackupError(
                    f"The manifest has format {body.get('format')!r}; this code reads format "
                    f"{FORMAT} only.",
                    code=BackupCode.BACKUP_CORRUPT,
                )
            if body["dialect"] not in DATABASE_MEMBER:
                raise ValueError(f"unknown dialect {body['dialect']!r}")
            return cls(
                id=str(body["id"]),
                created_at=dt.datetime.fromisoformat(body["created_at"]),
                app_version=str(body["app_version"]),
                schema_revision=body["schema_revision"],
                dialect=body["dialect"],
                database=FileEntry(**body["database"]),
                tables={str(k): int(v) for k, v in body["tables"].items()},
                objects={str(k): FileEntry(**v) for k, v in body["objects"].items()},
                source=dict(body.get("source", {})),
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(
                f"The manifest cannot be read: {exc}.", code=BackupCode.BACKUP_CORRUPT
            ) from None


def new_backup_id(now: dt.datetime) -> str:
    """A backup's id: its UTC start to the microsecond and four random hex digits
    (``20250601T130000.123456Z-3f9a``), so ids sort by time and two backups never share
    one."""
    return f"{now.astimezone(dt.UTC):{_ID_TIME}}-{secrets.token_hex(2)}"


def time_of(backup_id: str) -> dt.datetime | None:
    """When the backup ``backup_id`` was started (UTC), or None when it is no backup id."""
    try:
        return dt.datetime.strptime(backup_id.partition("-")[0], _ID_TIME).replace(tzinfo=dt.UTC)
    except ValueError:
        return None
