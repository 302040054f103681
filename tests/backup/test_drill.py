"""The restore drill on the production services: PostgreSQL (pg_dump and pg_restore of the
server's major version) and S3 (moto) for both the replays and the backups. A league with
real replays is backed up to a bucket, verified in a scratch database, then the database is
dropped and the replays deleted, and the restore brings back every row and every replay
byte. Runs when SPROCKET_TEST_POSTGRES_URL is set (CI's second pass)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aioboto3
import pytest
from sqlalchemy.engine import make_url

from sprocket.backup import service
from sprocket.backup.errors import BackupCode, BackupError
from sprocket.backup.manifest import ARCHIVE, MANIFEST, VERIFIED
from sprocket.config import Settings
from sprocket.runtime import Runtime
from tests.backup.league import build_league, objects_of, state_of
from tests.conftest import POSTGRES_URL, _pg_admin
from tests.platform.conftest import moto_endpoint, unique_name  # noqa: F401 (a fixture)
from tests.web.conftest import Demo, demo_org  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.replays,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="PostgreSQL not configured: set SPROCKET_TEST_POSTGRES_URL to run the drill",
    ),
]

S3 = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "region_name": "us-east-1",
}


@pytest.fixture
async def buckets(moto_endpoint: str) -> AsyncIterator[tuple[str, str]]:  # noqa: F811
    """A bucket for the replays and one for the backups, emptied and removed afterwards."""
    names = (unique_name("media"), unique_name("backups"))
    async with aioboto3.Session(**S3).client("s3", endpoint_url=moto_endpoint) as admin:
        for name in names:
            await admin.create_bucket(Bucket=name)
        try:
            yield names
        finally:
            for name in names:
                listing = await admin.list_objects_v2(Bucket=name)
                for item in listing.get("Contents", []):
                    await admin.delete_object(Bucket=name, Key=item["Key"])
                await admin.delete_bucket(Bucket=name)


@pytest.fixture
def settings(settings: Settings, moto_endpoint: str, buckets: tuple[str, str]) -> Settings:  # noqa: F811
    """The test's PostgreSQL database, with the replays and the backups in S3."""
    media, backups = buckets
    return Settings(
        **{
            **settings.model_dump(),
            "storage_url": f"s3://{media}/media",
            "backup_url": f"s3://{backups}/sprocket",
            "s3_endpoint_url": moto_endpoint,
            "s3_region": S3["region_name"],
            "s3_access_key_id": S3["aws_access_key_id"],
            "s3_secret_access_key": S3["aws_secret_access_key"],
        }
    )


async def test_the_drill_on_postgresql_and_s3(
    platform: Runtime,
    settings: Settings,
    demo_org: Demo,  # noqa: F811
    moto_endpoint: str,  # noqa: F811
    buckets: tuple[str, str],
) -> None:
    await build_league(platform, demo_org)
    before = await state_of(platform)
    # four replays and the accepted match's report card
    assert sorted(key.split("/")[0] for key in before.objects) == ["replays"] * 4 + ["report-cards"]

    created = await service.create_backup(settings)
    assert created is not None
    manifest = created.manifest
    assert manifest.dialect == "postgresql"
    assert set(manifest.objects) == set(before.objects)
    verified = await service.verify_backup(settings)  # in a scratch database, then dropped
    assert verified.manifest.id == manifest.id
    _, backups = buckets
    async with aioboto3.Session(**S3).client("s3", endpoint_url=moto_endpoint) as admin:
        listing = await admin.list_objects_v2(Bucket=backups)
    assert sorted(item["Key"] for item in listing["Contents"]) == [
        f"sprocket/{manifest.id}/{name}" for name in (ARCHIVE, MANIFEST, VERIFIED)
    ]

    # Drop everything: the database itself, and every replay in the bucket.
    await platform.engine.dispose()
    await platform.background_engine.dispose()
    name = make_url(settings.resolved_database_url).database
    await _pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    await _pg_admin(f'CREATE DATABASE "{name}"')
    for key in before.objects:
        await platform.storage.delete(key)
    assert await objects_of(platform.storage) == {}

    restored = await service.restore_backup(settings, backup_id="latest")
    assert restored.manifest.id == manifest.id and restored.migrated_to is None

    after = await state_of(platform)
    assert after.rows == before.rows
    assert after.objects == before.objects


async def test_a_missing_target_database_is_named(platform: Runtime, settings: Settings) -> None:
    created = await service.create_backup(settings)
    assert created is not None
    missing = make_url(settings.resolved_database_url).set(database=unique_name("nothing"))
    nowhere = Settings(**{**settings.model_dump(), "database_url": missing.render_as_string(False)})
    with pytest.raises(BackupError) as refused:
        await service.restore_backup(nowhere, backup_id="latest")
    assert refused.value.code == BackupCode.BACKUP_DATABASE_UNAVAILABLE
    assert "does not exist" in refused.value.message
