"""One contract for every object store: a folder (``file://``) and S3 (moto)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aioboto3
import pytest

from sprocket.errors import InvalidInput, NotFound
from sprocket.platform.storage import (
    LocalStorage,
    ObjectStorage,
    S3Storage,
    StorageUnavailable,
    StoredObject,
    open_storage,
)
from tests.platform.conftest import unique_name

HOSTILE_KEYS = [
    "",
    "/etc/passwd",
    "../outside",
    "a/../../outside",
    "a/./b",
    "a//b",
    "a/",
    "a\\b",
    "..",
    "nul\x00byte",
]


@dataclass
class StorageCase:
    storage: ObjectStorage
    broken: Callable[[], ObjectStorage]  # a store of the same kind that can't be used


@pytest.fixture(scope="session")
def s3_session() -> aioboto3.Session:
    """One session for the whole run, so the S3 model is loaded once."""
    return aioboto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def _s3(session: aioboto3.Session, endpoint: str, bucket: str, prefix: str = "") -> S3Storage:
    return S3Storage(bucket, prefix, endpoint_url=endpoint, session=session)


@pytest.fixture(params=["local", "s3"])
async def storage_case(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StorageCase]:
    opened: list[ObjectStorage] = []

    def track(store: ObjectStorage) -> ObjectStorage:
        opened.append(store)
        return store

    if request.param == "local":
        blocker = tmp_path / "a-file"
        blocker.write_bytes(b"")
        case = StorageCase(
            storage=track(LocalStorage(tmp_path / "store")),
            broken=lambda: track(LocalStorage(blocker / "store")),  # a folder inside a file
        )
        try:
            yield case
        finally:
            for store in opened:
                await store.close()
        return

    endpoint: str = request.getfixturevalue("moto_endpoint")
    session: aioboto3.Session = request.getfixturevalue("s3_session")
    bucket = unique_name("bucket")
    async with session.client("s3", endpoint_url=endpoint) as admin:
        await admin.create_bucket(Bucket=bucket)
        try:
            yield StorageCase(
                storage=track(_s3(session, endpoint, bucket, "some/prefix")),
                broken=lambda: track(_s3(session, endpoint, unique_name("missing-bucket"))),
            )
        finally:
            for store in opened:
                await store.close()
            listing = await admin.list_objects_v2(Bucket=bucket)
            for item in listing.get("Contents", []):
                await admin.delete_object(Bucket=bucket, Key=item["Key"])
            await admin.delete_bucket(Bucket=bucket)


@pytest.fixture
def storage(storage_case: StorageCase) -> ObjectStorage:
    return storage_case.storage


BINARY = bytes(range(256)) * 64 + b"\x00\xff end"


async def test_put_get_round_trip_keeps_binary_data(storage: ObjectStorage) -> None:
    await storage.put("replays/2024/week-1/game.replay", BINARY)
    assert await storage.get("replays/2024/week-1/game.replay") == BINARY


async def test_put_overwrites(storage: ObjectStorage) -> None:
    await storage.put("logo.png", b"first", content_type="image/png")
    await storage.put("logo.png", b"second", content_type="image/png")
    assert await storage.get("logo.png") == b"second"


async def test_get_missing_raises_not_found_with_a_sentence(storage: ObjectStorage) -> None:
    with pytest.raises(NotFound) as caught:
        await storage.get("replays/never-uploaded.replay")
    assert caught.value.code == "NOT_FOUND"
    assert "replays/never-uploaded.replay" in caught.value.message


async def test_exists_follows_put_and_delete(storage: ObjectStorage) -> None:
    assert not await storage.exists("a/b.bin")
    await storage.put("a/b.bin", b"x")
    assert await storage.exists("a/b.bin")
    assert not await storage.exists("a")  # a folder-like prefix is not an object
    await storage.delete("a/b.bin")
    assert not await storage.exists("a/b.bin")


async def test_delete_is_idempotent(storage: ObjectStorage) -> None:
    await storage.put("gone.bin", b"x")
    await storage.delete("gone.bin")
    await storage.delete("gone.bin")
    await storage.delete("never/was.bin")
    with pytest.raises(NotFound):
        await storage.get("gone.bin")


async def test_listing_names_every_object_by_key_with_its_size(storage: ObjectStorage) -> None:
    assert await storage.listing() == []
    await storage.put("replays/ab/cd/x.replay", b"12345")
    await storage.put("replays/ab/y.replay", b"1")
    await storage.put("avatars/7/img", b"")
    await storage.check()  # its probe is no object
    assert await storage.listing() == [
        StoredObject("avatars/7/img", 0),
        StoredObject("replays/ab/cd/x.replay", 5),
        StoredObject("replays/ab/y.replay", 1),
    ]
    assert [o.key for o in await storage.listing("replays/ab/c")] == ["replays/ab/cd/x.replay"]
    assert [o.key for o in await storage.listing("replays/")] == [
        "replays/ab/cd/x.replay",
        "replays/ab/y.replay",
    ]
    assert await storage.listing("nothing/here") == []


async def test_listing_refuses_a_prefix_outside_the_store(storage: ObjectStorage) -> None:
    for prefix in ("../", "a/../../", "/etc/"):
        try:
            found = await storage.listing(prefix)
        except InvalidInput:
            continue
        assert found == []  # S3 reads the prefix as text: nothing outside the store


async def test_files_go_in_and_out_without_passing_through_memory(
    storage: ObjectStorage, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(BINARY * 200)  # a few megabytes
    await storage.put_file("backups/1/archive.tar", source)
    await storage.put_file("backups/1/archive.tar", source)  # replaces
    copy = tmp_path / "copy.bin"
    await storage.get_file("backups/1/archive.tar", copy)
    assert copy.read_bytes() == source.read_bytes()
    assert await storage.listing("backups/") == [
        StoredObject("backups/1/archive.tar", source.stat().st_size)
    ]
    with pytest.raises(NotFound):
        await storage.get_file("backups/2/archive.tar", tmp_path / "none.bin")


async def test_check_passes_on_a_usable_store(storage: ObjectStorage) -> None:
    await storage.check()


async def test_check_fails_on_an_unusable_store(storage_case: StorageCase) -> None:
    with pytest.raises(StorageUnavailable) as caught:
        await storage_case.broken().check()
    assert str(caught.value)


async def test_hostile_keys_are_rejected(storage: ObjectStorage, tmp_path: Path) -> None:
    accepted: list[tuple[str, str]] = []
    operations: list[tuple[str, tuple[bytes, ...]]] = [
        ("put", (b"evil",)),
        ("get", ()),
        ("exists", ()),
        ("delete", ()),
    ]
    for key in HOSTILE_KEYS:
        for name, extra in operations:
            try:
                await getattr(storage, name)(key, *extra)
            except InvalidInput:
                continue
            accepted.append((name, key))
    assert accepted == []
    assert not (tmp_path / "outside").exists()
    assert not (tmp_path.parent / "outside").exists()


async def test_describe_names_the_store_without_secrets(storage: ObjectStorage) -> None:
    text = storage.describe()
    assert text.startswith(("file://", "s3://"))
    assert "testing" not in text


async def test_disk_space_is_the_volume_of_a_folder_and_none_for_a_bucket(
    storage: ObjectStorage,
) -> None:
    space = await storage.disk_space()
    if storage.describe().startswith("s3://"):
        assert space is None  # nothing of ours to fill
        return
    assert space is not None
    # the folder may not exist before the first object: its parent is on the same volume
    usage = os.statvfs(Path(storage.describe().removeprefix("file://")).parent)
    assert space.total == usage.f_blocks * usage.f_frsize
    assert 0 < space.free <= space.total


async def test_local_writes_leave_no_temp_files(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "store")
    await store.put("x/y.bin", b"1")
    await store.put("x/y.bin", b"2")
    assert sorted(os.listdir(tmp_path / "store" / "x")) == ["y.bin"]


async def test_s3_keys_live_under_the_prefix(
    moto_endpoint: str, s3_session: aioboto3.Session
) -> None:
    bucket = unique_name("bucket")
    async with s3_session.client("s3", endpoint_url=moto_endpoint) as admin:
        await admin.create_bucket(Bucket=bucket)
        store = _s3(s3_session, moto_endpoint, bucket, "/media/")
        try:
            await store.put("logo.png", b"png", content_type="image/png")
            head = await admin.head_object(Bucket=bucket, Key="media/logo.png")
            assert head["ContentType"] == "image/png"
        finally:
            await store.close()
            await admin.delete_object(Bucket=bucket, Key="media/logo.png")
            await admin.delete_bucket(Bucket=bucket)


def test_open_storage_reads_file_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_storage("file://./data/storage")
    assert isinstance(relative, LocalStorage)
    assert relative.root == tmp_path / "data" / "storage"
    absolute = open_storage(f"file://{tmp_path}/abs")
    assert isinstance(absolute, LocalStorage)
    assert absolute.root == tmp_path / "abs"


def test_open_storage_reads_s3_urls() -> None:
    store = open_storage("s3://replays/prod/v1", s3_region="eu-west-1")
    assert isinstance(store, S3Storage)
    assert (store.bucket, store.prefix) == ("replays", "prod/v1")
    assert store.describe() == "s3://replays/prod/v1"


def test_open_storage_rejects_unknown_schemes() -> None:
    with pytest.raises(ValueError, match="ftp"):
        open_storage("ftp://example.org/files")
    with pytest.raises(ValueError):
        open_storage("s3://")
