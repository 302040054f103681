"""The archive file: an uncompressed tar holding the database dump, every stored object
under ``objects/<key>``, and the manifest, written last (the dump is already compact where
it can be: pg_dump's custom format compresses; replays barely do).

Reading never extracts by the names a tar gives: each member is checked against the
manifest (a regular file, a name the manifest lists, the size and SHA-256 it lists), so a
damaged or hostile archive is refused (BACKUP_CORRUPT) before anything is restored.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sprocket.backup.errors import BackupCode, BackupError
from sprocket.backup.manifest import MANIFEST, OBJECTS, FileEntry, Manifest
from sprocket.errors import InvalidInput
from sprocket.platform.storage import validate_key

_CHUNK = 1024 * 1024


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    return info


def _digest(handle: BinaryIO) -> FileEntry:
    sha, size = hashlib.sha256(), 0
    while chunk := handle.read(_CHUNK):
        sha.update(chunk)
        size += len(chunk)
    return FileEntry(sha.hexdigest(), size)


def digest_of(data: bytes) -> FileEntry:
    """The SHA-256 and size of ``data``."""
    return FileEntry(hashlib.sha256(data).hexdigest(), len(data))


class ArchiveWriter:
    """Adds members to an archive being written (see :func:`writing`)."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self._tar = tar

    def add_file(self, name: str, path: Path) -> FileEntry:
        """Add the file at ``path`` as ``name``; its checksum and size."""
        with open(path, "rb") as handle:
            entry = _digest(handle)
            handle.seek(0)
            self._tar.addfile(_info(name, entry.size), handle)
        return entry

    def add_bytes(self, name: str, data: bytes) -> FileEntry:
        """Add ``data`` as ``name``; its checksum and size."""
        self._tar.addfile(_info(name, len(data)), io.BytesIO(data))
        return digest_of(data)


@contextmanager
def writing(path: Path) -> Iterator[ArchiveWriter]:
    """Write the archive file ``path``, member by member; closed when the block ends."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        yield ArchiveWriter(tar)


def _corrupt(why: str) -> BackupError:
    return BackupError(f"The archive is damaged: {why}.", code=BackupCode.BACKUP_CORRUPT)


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:")
    except (tarfile.TarError, OSError) as exc:
        raise _corrupt(f"it is no tar file ({exc})") from None


def read_manifest(path: Path) -> Manifest:
    """The manifest inside the archive at ``path``. Raises BACKUP_CORRUPT."""
    with _open(path) as tar:
        try:
            member = tar.getmember(MANIFEST)
        except KeyError:
            raise _corrupt("it holds no manifest") from None
        handle = tar.extractfile(member) if member.isfile() else None
        if handle is None:
            raise _corrupt("its manifest is no file")
        return Manifest.from_json(handle.read())


def _expected(manifest: Manifest) -> dict[str, FileEntry]:
    expected = {manifest.database_member: manifest.database}
    for key, entry in manifest.objects.items():
        try:
            validate_key(key)
        except InvalidInput:
            raise _corrupt(f"the manifest names the unsafe storage key {key!r}") from None
        expected[OBJECTS + key] = entry
    return expected


def check(path: Path, manifest: Manifest) -> None:
    """Read the whole archive and compare every member with ``manifest``: the same names,
    sizes and SHA-256 checksums, no member more or less, the same manifest inside. Raises
    BACKUP_CORRUPT naming the first difference."""
    expected = _expected(manifest)
    seen: set[str] = set()
    with _open(path) as tar:
        try:
            for member in tar:
                if member.name == MANIFEST:
                    inside = tar.extractfile(member)
                    if inside is None or Manifest.from_json(inside.read()) != manifest:
                        raise _corrupt("its inner manifest differs from the one beside it")
                    continue
                want = expected.get(member.name)
                if want is None or not member.isfile():
                    raise _corrupt(f"it holds {member.name!r}, which the manifest does not list")
                if member.name in seen:
                    raise _corrupt(f"it holds {member.name!r} twice")
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file
                if _digest(handle) != want:
                    raise _corrupt(f"{member.name!r} differs from its checksum in the manifest")
                seen.add(member.name)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _corrupt(f"it cannot be read to its end ({exc})") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise _corrupt(f"{len(missing)} files the manifest lists are missing, first {missing[0]!r}")


def extract_database(path: Path, manifest: Manifest, dest: Path) -> None:
    """Write the archive's database dump to the file ``dest``."""
    with _open(path) as tar:
        source = tar.extractfile(manifest.database_member)
        if source is None:
            raise _corrupt("its database dump is no file")
        with open(dest, "wb") as handle:
            while chunk := source.read(_CHUNK):
                handle.write(chunk)


def objects(path: Path) -> Iterator[tuple[str, bytes]]:
    """Each stored object of the archive: (storage key, bytes), in the archive's order.
    Check the archive (:func:`check`) first: this trusts its names."""
    with _open(path) as tar:
        for member in tar:
            if member.isfile() and member.name.startswith(OBJECTS):
                handle = tar.extractfile(member)
                assert handle is not None
                yield member.name[len(OBJECTS) :], handle.read()
