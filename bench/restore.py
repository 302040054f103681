"""Backup and restore benchmark on PostgreSQL: the bench/api.py organization (see
bench/harness.py) with 1,000 distinct stored replays from the tests' replay writer.

    uv run python bench/restore.py [--replays 1000]

It creates its own database (from SPROCKET_BENCH_POSTGRES_URL, default the local server) and
seeds it, stores the replays in a local folder, then times `sprocket backup create` (the
consistent pg_dump, every object, the checked archive), `backup verify` (a restore into a
scratch database and folder, compared with the manifest) and `backup restore` into an empty
database and storage. The baseline, measured in the same run, is PostgreSQL's own tools on
the same database: `pg_dump --format=custom` and `pg_restore` into an empty database, with no
stored objects, checksums or checks. Target: restore under 10 minutes (the seed's recovery:
about 6 hours). Everything it created is dropped at the end; the last line is JSON
(``backup_s``, ``restore_s``, ``archive_mb``...).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

from harness import ADMIN_URL, _dsn, bench_database, seed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' replay writer

import asyncpg  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from sprocket.backup import service  # noqa: E402
from sprocket.backup.database import census_of  # noqa: E402
from sprocket.backup.postgres import find_tool, libpq_environment, run_tool  # noqa: E402
from sprocket.config import Settings  # noqa: E402
from sprocket.db import create_engine  # noqa: E402
from sprocket.logs import configure_logging  # noqa: E402
from sprocket.platform.storage import LocalStorage  # noqa: E402
from sprocket.replays.models import StoredReplay, storage_key  # noqa: E402
from tests.helpers.replay_writer import PlayerSpec, build_replay  # noqa: E402

TARGET_RESTORE_S = 600


def replay(n: int) -> bytes:
    """The ``n``-th distinct replay: a 3v3 private game with its own ids and date."""
    players = [
        PlayerSpec(f"Player {n}-{i}", team=i % 2, platform_id=str(76561198000000000 + 6 * n + i))
        for i in range(6)
    ]
    return build_replay(
        players=players,
        team0_score=n % 5,
        team1_score=(n + 2) % 5,
        team_size=3,
        date=dt.datetime(2024, 1, 1) + dt.timedelta(minutes=17 * n),
        replay_id=f"{n:032X}",
        match_guid=f"{n + 10**6:032X}",
    )


async def store_replays(url: str, folder: Path, count: int) -> int:
    """Write ``count`` replays to the storage folder and their rows; their total bytes."""
    storage, rows, total = LocalStorage(folder), [], 0
    for n in range(count):
        data = replay(n)
        digest = hashlib.sha256(data).hexdigest()
        await storage.put(storage_key(digest), data)
        rows.append({"sha256": digest, "size": len(data), "filename": f"game{n}.replay"})
        total += len(data)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(StoredReplay), rows)
    finally:
        await engine.dispose()
    return total


async def empty_database() -> str:
    name = f"sprocket_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(_dsn(ADMIN_URL))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return make_url(ADMIN_URL).set(database=name).render_as_string(False)


async def drop_database(url: str) -> None:
    admin = await asyncpg.connect(_dsn(ADMIN_URL))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await admin.close()


async def baseline(url: str, folder: Path) -> tuple[float, float]:
    """Seconds of a bare pg_dump (custom format) and of its pg_restore into an empty database."""
    major = await server_major()
    dump = folder / "baseline.pgdump"
    began = time.perf_counter()
    await run_tool(
        [find_tool("pg_dump", major=major), "--format=custom", f"--file={dump}"],
        env=libpq_environment(url),
    )
    dumped = time.perf_counter() - began
    target = await empty_database()
    try:
        began = time.perf_counter()
        await run_tool(
            [find_tool("pg_restore", major=major), "--no-owner", "--single-transaction",
             f"--dbname={make_url(target).database}", str(dump)],
            env=libpq_environment(target),
        )  # fmt: skip
        return dumped, time.perf_counter() - began
    finally:
        await drop_database(target)


async def server_major() -> int:
    admin = await asyncpg.connect(_dsn(ADMIN_URL))
    try:
        return int(await admin.fetchval("SHOW server_version_num")) // 10000
    finally:
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replays", type=int, default=1000)
    args = parser.parse_args()
    configure_logging(fmt="console", level="warning")
    with tempfile.TemporaryDirectory(prefix="sprocket-bench-restore-") as work:
        folder = Path(work)
        async with bench_database() as url:
            began = time.perf_counter()
            await seed(url)
            replay_bytes = await store_replays(url, folder / "storage", args.replays)
            print(f"seeded in {time.perf_counter() - began:.1f} s", flush=True)
            settings = Settings(
                data_dir=folder / "data",
                database_url=url,
                storage_url=f"file://{folder / 'storage'}",
                backup_url=str(folder / "backups"),
            )
            created = await service.create_backup(settings)
            assert created is not None
            manifest = created.manifest
            print(
                f"backup: {created.seconds:.1f} s, {created.size / 1e6:.1f} MB "
                f"({manifest.rows} rows in {len(manifest.tables)} tables, "
                f"{len(manifest.objects)} replays of {replay_bytes / 1e6:.1f} MB)",
                flush=True,
            )
            verified = await service.verify_backup(settings)
            print(f"verify (restore into scratch, compare): {verified.seconds:.1f} s", flush=True)
            dump_s, pg_restore_s = await baseline(url, folder)
            print(f"baseline: pg_dump {dump_s:.1f} s, pg_restore {pg_restore_s:.1f} s", flush=True)
        target = await empty_database()
        try:
            into = Settings(
                data_dir=folder / "target",
                database_url=target,
                storage_url=f"file://{folder / 'target-storage'}",
                backup_url=str(folder / "backups"),
            )
            restored = await service.restore_backup(into, backup_id=manifest.id)
            counted = await census_of(target)
        finally:
            await drop_database(target)
    assert counted.tables == manifest.tables, "the restore lost rows"
    print(
        f"restore into an empty deployment: {restored.seconds:.1f} s "
        f"(target under {TARGET_RESTORE_S} s)",
        flush=True,
    )
    print(
        json.dumps(
            {
                "backup_s": round(created.seconds, 2),
                "restore_s": round(restored.seconds, 2),
                "verify_s": round(verified.seconds, 2),
                "archive_mb": round(created.size / 1e6, 2),
                "rows": manifest.rows,
                "replays": len(manifest.objects),
                "pg_dump_s": round(dump_s, 2),
                "pg_restore_s": round(pg_restore_s, 2),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
