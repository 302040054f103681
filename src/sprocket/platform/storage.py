"""Object storage (replays, images) chosen by URL: ``file://PATH`` or ``s3://bucket[/prefix]``.

Keys are relative, slash-separated names such as ``replays/2024/abc.replay``. The same keys are
accepted by every implementation, so a key that works on a laptop also works in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError

from sprocket.config import Settings
from sprocket.errors import InvalidInput, NotFound

__all__ = [
    "LocalStorage",
    "ObjectStorage",
    "S3Storage",
    "StorageUnavailable",
    "StoredObject",
    "open_storage",
    "storage_of",
    "validate_key",
]

_MAX_KEY_LENGTH = 1024
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


@dataclass(frozen=True)
class DiskSpace:
    """A volume's room, in bytes: ``free`` to an unprivileged writer, of ``total``."""

    free: int
    total: int


class StorageUnavailable(Exception):
    """The store cannot be used right now (raised by ``check()``)."""


@dataclass(frozen=True)
class StoredObject:
    """One object of a listing: its key and its size in bytes."""

    key: str
    size: int


class ObjectStorage(Protocol):
    """Bytes stored under string keys."""

    async def put(
        self, key: str, data: bytes, *, content_type: str = "application/octet-stream"
    ) -> None:
        """Store ``data`` under ``key``, replacing any previous object."""
        ...

    async def get(self, key: str) -> bytes:
        """Return the object's bytes; raise ``NotFound`` when there is none."""
        ...

    async def exists(self, key: str) -> bool:
        """Tell whether an object is stored under ``key``."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""
        ...

    async def listing(self, prefix: str = "") -> list[StoredObject]:
        """Every object whose key starts with ``prefix`` (any text; "" for all), by key."""
        ...

    async def put_file(self, key: str, path: Path) -> None:
        """Store the file at ``path`` under ``key`` without reading it into memory (large
        files: backup archives); replaces any previous object."""
        ...

    async def get_file(self, key: str, path: Path) -> None:
        """Write the object to the file ``path`` without holding it in memory; raise
        ``NotFound`` when there is none."""
        ...

    async def check(self) -> None:
        """Readiness probe: raise ``StorageUnavailable`` when the store can't be used."""
        ...

    async def disk_space(self) -> DiskSpace | None:
        """Free and total bytes of the volume holding the objects; None when the store has no
        volume of ours to fill (S3)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...

    def describe(self) -> str:
        """The store's URL, without credentials."""
        ...


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative name, else raise ``InvalidInput``."""
    if not isinstance(key, str) or not key:
        raise InvalidInput("A storage key must be a non-empty name.")
    if len(key) > _MAX_KEY_LENGTH:
        raise InvalidInput(f"A storage key may be at most {_MAX_KEY_LENGTH} characters long.")
    if "\\" in key or "\x00" in key:
        raise InvalidInput(f"Storage key {key!r} contains a backslash or a NUL character.")
    if key.startswith("/"):
        raise InvalidInput(f"Storage key {key!r} must be relative, not start with '/'.")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidInput(
                f"Storage key {key!r} has an empty, '.' or '..' part; use plain names "
                "separated by single slashes."
            )
    return key


def _missing(key: str) -> NotFound:
    return NotFound(f"No stored file is named '{key}'.")


class LocalStorage:
    """Objects as files under a folder; writes are atomic (temp file, then rename).

    Names that start with a dot are its own temporary and probe files: a listing leaves them
    out.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()

    def describe(self) -> str:
        return f"file://{self.root}"

    def _path(self, key: str) -> Path:
        path = self.root.joinpath(*validate_key(key).split("/"))
        if not path.is_relative_to(self.root):  # defence in depth
            raise InvalidInput(f"Storage key {key!r} points outside the storage folder.")
        return path

    async def put(
        self, key: str, data: bytes, *, content_type: str = "application/octet-stream"
    ) -> None:
        """Write atomically; ``content_type`` is not kept on disk."""
        path = self._path(key)
        data = bytes(data)
        await asyncio.to_thread(self._write, path, lambda handle: handle.write(data))

    async def put_file(self, key: str, path: Path) -> None:
        """Copy the file atomically (a temporary copy, flushed to disk, then renamed)."""
        target = self._path(key)

        def copy(handle: BinaryIO) -> None:
            with open(path, "rb") as source:
                shutil.copyfileobj(source, handle, 1024 * 1024)

        await asyncio.to_thread(self._write, target, copy)

    @staticmethod
    def _write(path: Path, fill: Callable[[BinaryIO], object]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o644)  # mkstemp makes 0600 files
                fill(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    async def get_file(self, key: str, path: Path) -> None:
        source = self._path(key)
        try:
            await asyncio.to_thread(shutil.copyfile, source, path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            if not source.is_file():
                raise _missing(key) from None
            raise

    async def listing(self, prefix: str = "") -> list[StoredObject]:
        return await asyncio.to_thread(self._listing, prefix)

    def _listing(self, prefix: str) -> list[StoredObject]:
        # Walk only the folder the prefix names up to its last slash.
        folder, _, _ = prefix.rpartition("/")
        start = self._path(folder) if folder else self.root
        found = []
        for here, folders, files in os.walk(start):
            folders[:] = [name for name in folders if not name.startswith(".")]
            base = Path(here).relative_to(self.root).as_posix()
            for name in files:
                key = name if base == "." else f"{base}/{name}"
                if name.startswith(".") or not key.startswith(prefix):
                    continue
                with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
                    found.append(StoredObject(key, (Path(here) / name).stat().st_size))
        return sorted(found, key=lambda item: item.key)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise _missing(key) from None

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(self._unlink, path)

    @staticmethod
    def _unlink(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            path.unlink()

    async def check(self) -> None:
        try:
            await asyncio.to_thread(self._probe)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise StorageUnavailable(
                f"storage folder {self.root} is not writable: {reason}"
            ) from exc

    def _probe(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / f".probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()

    async def disk_space(self) -> DiskSpace:
        """The room on the storage folder's volume (the nearest existing folder's, before the
        first object makes it). Raises OSError when no folder on its way can be read."""
        return await asyncio.to_thread(self._disk_space)

    def _disk_space(self) -> DiskSpace:
        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        usage = os.statvfs(folder)
        return DiskSpace(
            free=usage.f_bavail * usage.f_frsize, total=usage.f_blocks * usage.f_frsize
        )

    async def close(self) -> None:
        return None


class S3Storage:
    """Objects in an S3 bucket (AWS or any S3-compatible store) under an optional prefix.

    One client is opened on first use and kept until ``close()``.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session: aioboto3.Session | None = None,
    ) -> None:
        """A given ``session`` (shared to load the S3 model once) supplies the credentials."""
        if not bucket:
            raise ValueError("An s3:// storage URL needs a bucket name: s3://bucket[/prefix].")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self._session = session or aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._config = AioConfig(
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            # S3-compatible stores (MinIO, moto...) expect bucket names in the path.
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None
        self._lock = asyncio.Lock()

    def describe(self) -> str:
        where = f"s3://{self.bucket}" + (f"/{self.prefix}" if self.prefix else "")
        if self.endpoint_url:
            parts = urlsplit(self.endpoint_url)
            host = parts.hostname or ""
            port = f":{parts.port}" if parts.port else ""
            where += f" at {parts.scheme}://{host}{port}"
        return where

    async def start(self) -> None:
        """Open the S3 client (done lazily by every call)."""
        await self._get_client()

    async def _get_client(self) -> Any:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                stack = contextlib.AsyncExitStack()
                self._client = await stack.enter_async_context(
                    self._session.client("s3", endpoint_url=self.endpoint_url, config=self._config)
                )
                self._stack = stack
        return self._client

    def _object_key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put(
        self, key: str, data: bytes, *, content_type: str = "application/octet-stream"
    ) -> None:
        client = await self._get_client()
        await client.put_object(
            Bucket=self.bucket,
            Key=self._object_key(key),
            Body=bytes(data),
            ContentType=content_type,
        )

    async def get(self, key: str) -> bytes:
        client = await self._get_client()
        try:
            response = await client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if _error_code(exc) in _MISSING_CODES:
                raise _missing(key) from None
            raise
        async with response["Body"] as body:
            data: bytes = await body.read()
        return data

    async def exists(self, key: str) -> bool:
        client = await self._get_client()
        try:
            await client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if _error_code(exc) in _MISSING_CODES:
                return False
            raise
        return True

    async def delete(self, key: str) -> None:
        client = await self._get_client()
        await client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    async def put_file(self, key: str, path: Path) -> None:
        """Upload in parts (S3's multipart upload for large files)."""
        client = await self._get_client()
        await client.upload_file(str(path), self.bucket, self._object_key(key))

    async def get_file(self, key: str, path: Path) -> None:
        client = await self._get_client()
        try:
            await client.download_file(self.bucket, self._object_key(key), str(path))
        except ClientError as exc:
            if _error_code(exc) in _MISSING_CODES:
                raise _missing(key) from None
            raise

    async def listing(self, prefix: str = "") -> list[StoredObject]:
        client = await self._get_client()
        base = f"{self.prefix}/" if self.prefix else ""
        found = []
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=base + prefix
        )
        async for page in pages:
            for item in page.get("Contents", []):
                found.append(StoredObject(item["Key"][len(base) :], int(item["Size"])))
        return sorted(found, key=lambda item: item.key)

    async def check(self) -> None:
        try:
            client = await self._get_client()
            await client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = _error_code(exc)
            reason = "it does not exist" if code in _MISSING_CODES else f"error {code}"
            raise StorageUnavailable(f"bucket '{self.bucket}' is unusable: {reason}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"bucket '{self.bucket}' is unreachable: {exc}") from exc

    async def disk_space(self) -> None:
        """None: a bucket has no volume of ours to fill."""
        return None

    async def close(self) -> None:
        async with self._lock:
            stack, self._stack, self._client = self._stack, None, None
            if stack is not None:
                await stack.aclose()


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def open_storage(
    url: str,
    *,
    s3_endpoint_url: str | None = None,
    s3_region: str | None = None,
    s3_access_key_id: str | None = None,
    s3_secret_access_key: str | None = None,
) -> ObjectStorage:
    """Open the store named by ``url`` (``file://PATH`` or ``s3://bucket[/prefix]``)."""
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "file":
        if not rest:
            raise ValueError(
                "A file:// storage URL needs a folder: file://./data or file:///srv/x."
            )
        return LocalStorage(Path(unquote(rest)))
    if sep and scheme == "s3":
        bucket, _, prefix = rest.partition("/")
        return S3Storage(
            bucket,
            prefix,
            endpoint_url=s3_endpoint_url,
            region=s3_region,
            access_key_id=s3_access_key_id,
            secret_access_key=s3_secret_access_key,
        )
    raise ValueError(
        f"Unknown storage URL scheme {scheme!r}: use file://PATH or s3://bucket[/prefix]."
    )


def storage_of(settings: Settings) -> ObjectStorage:
    """The object storage the settings name (``storage_url`` and the ``s3_*`` settings)."""
    return open_storage(
        settings.resolved_storage_url,
        s3_endpoint_url=settings.s3_endpoint_url,
        s3_region=settings.s3_region,
        s3_access_key_id=settings.s3_access_key_id,
        s3_secret_access_key=settings.s3_secret_access_key,
    )
