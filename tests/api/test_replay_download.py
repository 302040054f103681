"""`/replays/<sha256>.replay`: public by default, members-only when an organization says so,
and a typed 404 (logged as a fault) when storage lost the file. On local storage and on S3
(a moto server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from sprocket.config import Settings
from sprocket.league import service as league
from sprocket.replays.models import StoredReplay, storage_key
from sprocket.replays.service import may_download_replays
from tests.api.support import Fresh
from tests.api.test_replay_api import drain, linked_lineup, new_match, submit
from tests.conftest import REDIS_URL
from tests.league_world import World
from tests.platform.conftest import moto_endpoint  # noqa: F401 (a fixture)
from tests.replays.series import sweep

S3_KEYS = {"s3_access_key_id": "testing", "s3_secret_access_key": "testing"}


def _code(response: httpx.Response) -> str:
    """The code of a refused download's one error (the JSON shape of every refusal)."""
    (error,) = response.json()["errors"]
    return error["extensions"]["code"]


def _message(response: httpx.Response) -> str:
    (error,) = response.json()["errors"]
    return error["message"]


@pytest.fixture(params=["file", "s3"])
def settings(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[Settings]:
    """The suite's settings, with replays kept in a folder or in an S3 bucket."""
    storage = f"file://{tmp_path / 'storage'}"
    extra: dict[str, str] = {}
    if request.param == "s3":
        endpoint = request.getfixturevalue("moto_endpoint")
        bucket = f"sprocket-test-{uuid.uuid4().hex[:12]}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=bucket)
        storage = f"s3://{bucket}/replays-test"
        extra = {"s3_endpoint_url": endpoint, "s3_region": "us-east-1", **S3_KEYS}
    yield Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        storage_url=storage,
        cache_url=REDIS_URL or "memory://",
        cache_prefix=f"sprocket-test-{uuid.uuid4().hex[:12]}:",
        broker_url="memory://",
        outbox_poll_seconds=0.05,
        log_format="console",
        **extra,
    )


async def _stored(platform, world: World) -> str:
    """The sha256 of the first replay of a processed submission."""
    match_id = await new_match(platform, world)
    found = await linked_lineup(platform, match_id)
    await submit(platform, world.actors["team_captain"], match_id, sweep(found))
    await drain(platform)
    sha = await Fresh(platform, world).scalar(select(StoredReplay.sha256).limit(1))
    assert sha
    return sha


def _auth(world: World, role: str) -> dict[str, str]:
    token = world.tokens[role]
    return {"Authorization": f"Bearer {token}"} if token else {}


async def test_members_only_replays_need_a_members_token(platform, world, http) -> None:
    sha = await _stored(platform, world)
    url = f"/replays/{sha}.replay"
    assert (await http.get(url)).status_code == 200  # public by default
    async with platform.unit_of_work() as s:
        await league.set_organization_setting(
            s,
            actor=world.actors["organization_admin"],
            organization_id=world.organization_id,
            key="replay_downloads",
            value="members",
        )

    anonymous = await http.get(url)
    assert anonymous.status_code == 401
    assert _code(anonymous) == "UNAUTHENTICATED" and _message(anonymous)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    bad = await http.get(url, headers={"Authorization": "Bearer spk_not-a-token"})
    assert (bad.status_code, _code(bad)) == (401, "INVALID_TOKEN")
    for role in ("outsider", "franchise_manager"):  # signed in, not members
        refused = await http.get(url, headers=_auth(world, role))
        assert (refused.status_code, _code(refused)) == (403, "PERMISSION_DENIED"), role
    for role in ("player", "team_captain", "league_staff", "organization_admin", "superuser"):
        allowed = await http.get(url, headers=_auth(world, role))
        assert allowed.status_code == 200, (role, allowed.text)
        assert allowed.content[:4] and len(allowed.content) > 1000
    # The pages ask the same question before they show a download link.
    async with platform.reading() as s:
        for role in ("spectator", "outsider", "franchise_manager", "player", "superuser"):
            may = await may_download_replays(
                s, actor=world.actors[role], organization_id=world.organization_id
            )
            assert may is (role in ("player", "superuser")), role
    unknown = await http.get(f"/replays/{'0' * 64}.replay", headers=_auth(world, "player"))
    assert (unknown.status_code, _code(unknown)) == (404, "NOT_FOUND")


async def test_a_replay_missing_from_storage_is_a_typed_404_and_a_logged_fault(
    platform, world, http, settings
) -> None:
    sha = await _stored(platform, world)
    scheme = settings.storage_url.split("://")[0]
    assert platform.storage.describe().startswith(f"{scheme}://")  # the store of this case
    assert (await http.get(f"/replays/{sha}.replay")).status_code == 200
    await platform.storage.delete(storage_key(sha))
    with capture_logs() as logs:
        response = await http.get(f"/replays/{sha}.replay")
    assert response.status_code == 404
    assert _code(response) == "REPLAY_FILE_MISSING"
    assert "missing" in _message(response)
    faults = [e for e in logs if e["event"] == "replay.file_missing"]
    assert faults and faults[0]["log_level"] == "warning" and faults[0]["sha256"] == sha
