"""`sprocket doctor`: green on a healthy embedded deployment; red (exit 1) with a stuck
submission, an outbox row the relay left behind, no backup, or storage that cannot be
written; one check failing never stops the others; the certificate check against a real
TLS server; the table and the JSON of the command."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aioboto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from sprocket.backup.service import create_backup, verify_backup
from sprocket.cli import app
from sprocket.config import Settings
from sprocket.db import utcnow
from sprocket.doctor.checks import Status
from sprocket.doctor.service import Report, run_doctor
from sprocket.platform.outbox import OutboxMessage
from sprocket.replays.models import Submission
from sprocket.runtime import Runtime
from tests.helpers.environment import environment  # noqa: F401 (a fixture)
from tests.league_world import World
from tests.platform.conftest import moto_endpoint, unique_name  # noqa: F401 (a fixture)
from tests.replays.series import lineup, sweep
from tests.replays.test_submissions import submit

#: The fake S3's credentials (moto takes any).
S3 = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing-secret",
    "region_name": "us-east-1",
}

NAMES = [
    "database",
    "broker",
    "cache",
    "storage",
    "outbox",
    "jobs",
    "submissions",
    "matches",
    "backup",
    "certificate",
]


def changed(settings: Settings, **updates: object) -> Settings:
    return Settings(**{**settings.model_dump(), **updates})


def statuses(report: Report) -> dict[str, Status]:
    return {check.name: check.status for check in report.checks}


def summary(report: Report, name: str) -> str:
    (check,) = [c for c in report.checks if c.name == name]
    return check.summary


async def backed_up(settings: Settings) -> None:
    """A backup of the deployment, verified."""
    await create_backup(settings)
    await verify_backup(settings)


async def test_a_healthy_embedded_deployment_is_green(platform: Runtime, settings: Settings):
    await backed_up(settings)
    report = await run_doctor(settings)
    assert [check.name for check in report.checks] == NAMES
    found = statuses(report)
    assert found.pop("certificate") == Status.NA  # no https public URL
    memory_broker = settings.broker_url.startswith("memory")
    assert found.pop("broker") == (Status.NA if memory_broker else Status.OK)
    assert set(found.values()) == {Status.OK}, report.as_json()
    assert report.status == Status.OK
    assert "at the newest migration" in summary(report, "database")
    assert "verified" in summary(report, "backup")


async def test_a_stuck_submission_is_red(platform: Runtime, settings: Settings, world: World):
    await backed_up(settings)
    line = await lineup(platform, world.match_ids[0])
    stuck = await submit(platform, world.actors["team_captain"], line.match_id, sweep(line))
    assert (await run_doctor(settings)).status != Status.FAIL  # processing, but only just
    async with platform.unit_of_work() as session:  # its job never ran: an hour later
        (await session.get(Submission, stuck.id)).updated_at = utcnow() - dt.timedelta(hours=1)
    report = await run_doctor(settings)
    assert statuses(report)["submissions"] == Status.FAIL
    assert summary(report, "submissions").startswith("1 stuck in processing for over 15 min")
    assert report.status == Status.FAIL


async def test_an_old_outbox_row_is_red_and_retried_jobs_warn(
    platform: Runtime, settings: Settings
) -> None:
    await backed_up(settings)
    async with platform.unit_of_work() as session:
        session.add(
            OutboxMessage(
                job="submission.process",
                payload={},
                created_at=utcnow() - dt.timedelta(minutes=10),
                attempts=3,
                last_error="the broker refused the connection",
            )
        )
    report = await run_doctor(settings)
    assert statuses(report)["outbox"] == Status.FAIL
    assert summary(report, "outbox") == "1 waiting, the oldest for 10 min."
    assert statuses(report)["jobs"] == Status.WARN
    assert "the broker refused the connection" in summary(report, "jobs")
    assert report.status == Status.FAIL


async def test_no_backup_is_red_and_an_unverified_one_warns(
    platform: Runtime, settings: Settings
) -> None:
    report = await run_doctor(settings)
    assert statuses(report)["backup"] == Status.FAIL
    where = f"file://{(settings.data_dir / 'backups').resolve()}"
    assert summary(report, "backup") == (
        f"No backup yet in {where} (SPROCKET_BACKUP_URL): run `sprocket backup create`."
    )
    created = await create_backup(settings)
    assert created is not None
    report = await run_doctor(settings)
    assert statuses(report)["backup"] == Status.WARN
    assert "not verified" in summary(report, "backup")
    # The same backup, made two days ago: older than its schedule.
    folder = settings.data_dir / "backups"
    os.rename(folder / created.manifest.id, folder / "20200101T000000.000000Z-0ld0")
    report = await run_doctor(settings)
    assert statuses(report)["backup"] == Status.FAIL
    assert "older than its schedule" in summary(report, "backup")


async def test_no_backup_names_the_location_it_looked_in(
    platform: Runtime,
    settings: Settings,
    tmp_path: Path,
    moto_endpoint: str,  # noqa: F811
) -> None:
    folder = tmp_path / "backups-elsewhere"
    report = await run_doctor(changed(settings, backup_url=str(folder)))
    assert statuses(report)["backup"] == Status.FAIL
    assert summary(report, "backup") == (
        f"No backup yet in file://{folder.resolve()} (SPROCKET_BACKUP_URL): "
        "run `sprocket backup create`."
    )
    bucket = unique_name("backups")
    async with aioboto3.Session(**S3).client("s3", endpoint_url=moto_endpoint) as admin:
        await admin.create_bucket(Bucket=bucket)
        try:
            in_s3 = changed(
                settings,
                backup_url=f"s3://{bucket}/sprocket",
                backup_s3_endpoint_url=moto_endpoint,
                backup_s3_region=S3["region_name"],
                backup_s3_access_key_id=S3["aws_access_key_id"],
                backup_s3_secret_access_key=S3["aws_secret_access_key"],
            )
            report = await run_doctor(in_s3)
        finally:
            await admin.delete_bucket(Bucket=bucket)
    (check,) = [c for c in report.checks if c.name == "backup"]
    assert check.status == Status.FAIL
    assert check.summary == (
        f"No backup yet in s3://{bucket}/sprocket at {moto_endpoint} (SPROCKET_BACKUP_URL): "
        "run `sprocket backup create`."
    )
    assert check.data == {"location": f"s3://{bucket}/sprocket at {moto_endpoint}"}
    assert S3["aws_secret_access_key"] not in json.dumps(report.as_json())


async def test_storage_that_cannot_be_written_is_red(
    platform: Runtime, settings: Settings, tmp_path: Path
) -> None:
    await backed_up(settings)
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    report = await run_doctor(changed(settings, storage_url=f"file://{blocker}/storage"))
    assert statuses(report)["storage"] == Status.FAIL
    assert "not writable" in summary(report, "storage")
    assert report.status == Status.FAIL


async def test_one_failing_check_never_stops_the_others(
    platform: Runtime, settings: Settings
) -> None:
    await backed_up(settings)
    nobody = changed(settings, broker_url="amqp://guest:guest@127.0.0.1:9/")  # refused
    report = await run_doctor(nobody)
    found = statuses(report)
    assert found.pop("broker") == Status.FAIL
    assert list(found) == [name for name in NAMES if name != "broker"]
    assert found["database"] == found["outbox"] == found["backup"] == Status.OK


# -- the certificate --------------------------------------------------------------------------


def certificate(folder: Path, days: int) -> tuple[Path, Path]:
    """A self-signed certificate for localhost valid ``days`` more days, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days, hours=12))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"cert-{days}.pem", folder / f"key-{days}.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@asynccontextmanager
async def tls_server(cert_file: Path, key_file: Path) -> AsyncIterator[int]:
    """A TLS server on localhost showing the certificate; its port."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)

    async def answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "localhost", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(("days", "status"), [(90, Status.OK), (14, Status.WARN), (3, Status.FAIL)])
async def test_the_certificate_check_reads_the_expiry(
    settings: Settings, tmp_path: Path, days: int, status: Status
) -> None:
    cert_file, key_file = certificate(tmp_path, days)
    async with tls_server(cert_file, key_file) as port:
        https = changed(settings, public_url=f"https://localhost:{port}")
        report = await run_doctor(https, ca_file=cert_file)
        (check,) = [c for c in report.checks if c.name == "certificate"]
        assert check.status == status, check
        assert check.data["days_left"] == days
        untrusted = await run_doctor(https)  # the system's trust store knows it not
        (check,) = [c for c in untrusted.checks if c.name == "certificate"]
        assert check.status == Status.FAIL and "not trusted" in check.summary


# -- the command ------------------------------------------------------------------------------


@pytest.mark.usefixtures("environment")
def test_the_command_prints_a_table_and_exits_0_when_green(settings: Settings) -> None:
    asyncio.run(backed_up(settings))
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    for name in NAMES:
        assert name in result.output
    assert "ok in" in result.output


@pytest.mark.usefixtures("environment")
def test_the_command_answers_json_and_exits_1_when_red(settings: Settings) -> None:
    shutil.rmtree(settings.data_dir / "backups", ignore_errors=True)
    result = CliRunner().invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"status", "seconds", "checks"}
    assert body["status"] == "fail" and body["seconds"] > 0
    assert [check["name"] for check in body["checks"]] == NAMES
    for check in body["checks"]:
        assert set(check) == {"name", "status", "summary", "seconds", "data"}
        assert check["status"] in ("ok", "warn", "fail", "n/a") and check["summary"]
    backup = next(check for check in body["checks"] if check["name"] == "backup")
    assert backup["status"] == "fail"
