"""The error codes of backups: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import DomainError, ErrorCode


class BackupCode(ErrorCode):
    """Backups and restores.

    Refusals of `sprocket backup create`, `list`, `verify` and `restore`: the operator reads
    the sentence, and nothing in the backup location or the target was changed by a refusal
    before the work started.
    """

    BACKUP_NOT_FOUND = (
        "BACKUP_NOT_FOUND",
        "No backup has that id in the backup location (or the location holds none yet).",
    )
    BACKUP_LOCATION_INVALID = (
        "BACKUP_LOCATION_INVALID",
        "A backup location that is neither a folder nor an s3:// URL, or one inside the "
        "object storage it would back up.",
    )
    BACKUP_LOCATION_UNAVAILABLE = (
        "BACKUP_LOCATION_UNAVAILABLE",
        "The backup location cannot be written or read (a folder that cannot be made, a "
        "bucket that does not answer; the cause is quoted).",
    )
    BACKUP_DUMP_FAILED = (
        "BACKUP_DUMP_FAILED",
        "The database or a stored object could not be read for the backup (the cause is "
        "quoted); the backups already kept are untouched.",
    )
    BACKUP_DATABASE_UNAVAILABLE = (
        "BACKUP_DATABASE_UNAVAILABLE",
        "The database to restore into, or a restored copy, cannot be reached or read (the "
        "cause is quoted).",
    )
    BACKUP_CORRUPT = (
        "BACKUP_CORRUPT",
        "An archive whose manifest is missing or unreadable, or whose files differ from the "
        "manifest's SHA-256 checksums, or that holds a file the manifest does not name.",
    )
    BACKUP_SCHEMA_NEWER = (
        "BACKUP_SCHEMA_NEWER",
        "An archive written by newer code: its schema revision is unknown to this code's "
        "migrations (upgrade the code, then restore).",
    )
    BACKUP_DIALECT_MISMATCH = (
        "BACKUP_DIALECT_MISMATCH",
        "An archive of one database kind (SQLite, PostgreSQL) restored into the other, or a "
        "database URL of neither kind.",
    )
    BACKUP_TARGET_NOT_EMPTY = (
        "BACKUP_TARGET_NOT_EMPTY",
        "A restore into a deployment that holds data (rows or stored objects): refused unless "
        "forced (`--force`).",
    )
    BACKUP_TOOL_MISSING = (
        "BACKUP_TOOL_MISSING",
        "PostgreSQL's `pg_dump` or `pg_restore` of the server's major version is not "
        "installed (or not where `SPROCKET_BACKUP_PG_BIN_DIR` says).",
    )
    BACKUP_TOOL_FAILED = (
        "BACKUP_TOOL_FAILED",
        "`pg_dump`, `pg_restore` or a scratch database's creation failed (its message is quoted).",
    )
    BACKUP_VERIFY_FAILED = (
        "BACKUP_VERIFY_FAILED",
        "A restored copy whose row counts, schema revision or object checksums differ from "
        "the manifest.",
    )


class BackupError(DomainError):
    """A backup, verification or restore that cannot be done; ``code`` says why."""

    code = BackupCode.BACKUP_CORRUPT
