"""Replay benchmark: parse and CRC-check every file of ../shared/replays/good/, and time a
five-game series from upload to "awaiting ratification" on the embedded defaults.

    uv run python bench/replays.py [--rounds 20] [--series 7]

Each round parses every file once (both CRCs verified, header read, players extracted) on
one core. Throughput is the bytes of a round over its time; p50/p99 are per-replay latencies.
Every figure is the median over the rounds, which keeps a noisy neighbour from deciding it.

The series figure runs the platform as ``sprocket serve`` would on its embedded defaults (a
SQLite file, local storage and the in-process broker, in a temporary data folder): a small
league (the tests' World), then for each run a fresh match and a five-game series (3-2) built
with the tests' replay writer. Timed from the ``submit_match_replays`` service call (files
verified, stored by SHA-256, committed) through the outbox relay and the processing job (parse
again from storage, validate) to the submission reaching ``awaiting_ratification``; the median
of ``--series`` runs after one warm-up. Printed beside the published anchors; the last line is
JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' league and replay writer

from sprocket.replays.parser import parse_replay  # noqa: E402

GOOD = ROOT.parent / "shared" / "replays" / "good"
BOXCARS_MIB_PER_S = 290  # boxcars (Rust), with its corruption check
ORIGINAL_SECONDS_PER_REPLAY = 8.0  # the original platform's Python analysis
TARGET_MB_PER_S, TARGET_P99_MS, TARGET_SERIES_S = 150, 20, 1.0


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run_round(files: list[bytes]) -> tuple[float, list[float]]:
    """(seconds for the whole round, seconds per replay)."""
    latencies = []
    clock = time.perf_counter
    started = clock()
    for data in files:
        before = clock()
        parse_replay(data)
        latencies.append(clock() - before)
    return clock() - started, latencies


async def _series_seconds(data_dir: Path, runs: int) -> list[float]:
    """Seconds from upload to "awaiting ratification" of ``runs`` five-game series (after a
    warm-up run), each for a fresh match between the same two teams."""
    from sprocket.config import Settings
    from sprocket.db import utcnow
    from sprocket.flows import match_results
    from sprocket.jobs import build_runtime
    from sprocket.migrate import upgrade_async
    from sprocket.replays.enums import SubmissionStatus
    from sprocket.replays.models import Submission
    from sprocket.schedule import service as schedule
    from tests.league_world import build_world
    from tests.replays.series import game, lineup

    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'sprocket.db'}",
        storage_url=f"file://{data_dir / 'storage'}",
        broker_url="memory://",
        cache_url="memory://",
        log_format="console",
        log_level="warning",
    )
    await upgrade_async(settings.resolved_database_url)
    platform = build_runtime(settings)
    await platform.start(relay=False)
    try:
        world = await build_world(platform, teams=2, with_schedule=False)
        staff = world.actors["league_staff"]
        seconds = []
        for run in range(runs + 1):
            starts = (utcnow() - dt.timedelta(days=1)).replace(microsecond=0)
            ends = starts + dt.timedelta(days=7)
            async with platform.unit_of_work() as s:
                (match,) = await schedule.import_schedule_csv(
                    s,
                    actor=world.actors["superuser"],
                    season_id=world.season_id,
                    text=f"week,home,away,start,end\n{100 + run},Team 1,Team 2,"
                    f"{starts.isoformat()},{ends.isoformat()}\n",
                )
            sides = await lineup(platform, match.id, link=run == 0)
            # Five games, 3-2: home wins games 1, 3 and 5.
            uploads = [
                game(sides, n, home_goals=2 if n % 2 else 0, away_goals=0 if n % 2 else 1)
                for n in range(1, 6)
            ]
            started = time.perf_counter()
            async with platform.unit_of_work() as s:
                submission = await match_results.submit_match_replays(
                    s,
                    actor=staff,
                    storage=platform.storage,
                    match_id=match.id,
                    files=uploads,
                    max_size=settings.replay_max_bytes,
                )
            while await platform.relay.relay_once():
                await platform.broker.wait_all()  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - started
            async with platform.reading() as s:
                status = (await s.get(Submission, submission.id)).status  # type: ignore[union-attr]
            if status != SubmissionStatus.AWAITING_RATIFICATION:
                raise RuntimeError(f"the series ended {status}, not awaiting ratification")
            if run:  # the first run warms up imports and caches
                seconds.append(elapsed)
        return seconds
    finally:
        await platform.stop()


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--rounds", type=int, default=20)
    arguments.add_argument("--series", type=int, default=7, help="timed series runs")
    options = arguments.parse_args()
    rounds = options.rounds
    if not GOOD.is_dir():
        print(f"no replays: {GOOD} is absent", file=sys.stderr)
        return 1
    files = [path.read_bytes() for path in sorted(GOOD.glob("*.replay"))]
    total = sum(map(len, files))
    run_round(files)  # warm-up: imports, caches
    throughputs, p50s, p99s = [], [], []
    gc.disable()
    try:
        for _ in range(rounds):
            seconds, latencies = run_round(files)
            throughputs.append(total / seconds / 1e6)
            p50s.append(percentile(latencies, 0.50) * 1000)
            p99s.append(percentile(latencies, 0.99) * 1000)
    finally:
        gc.enable()
    mb_per_s = statistics.median(throughputs)
    p50_ms, p99_ms = statistics.median(p50s), statistics.median(p99s)
    with tempfile.TemporaryDirectory(prefix="sprocket-bench-") as folder:
        series = asyncio.run(_series_seconds(Path(folder), options.series))
    series_s = statistics.median(series)

    print(f"{len(files)} replays, {total / 1e6:.1f} MB per round, {rounds} rounds (one core)")
    print(f"  sprocket (pure Python): {mb_per_s:7.1f} MB/s  (target >= {TARGET_MB_PER_S})")
    print(
        f"  per replay            : p50 {p50_ms:6.2f} ms, p99 {p99_ms:6.2f} ms"
        f"  (target p99 < {TARGET_P99_MS} ms)"
    )
    print(
        f"  anchor boxcars (Rust) : {BOXCARS_MIB_PER_S * 1.048576:7.1f} MB/s "
        f"({BOXCARS_MIB_PER_S} MiB/s, with its corruption check)"
    )
    print(
        f"  anchor original       : {ORIGINAL_SECONDS_PER_REPLAY * 1000:7.0f} ms per replay "
        f"(the original platform's analysis, {ORIGINAL_SECONDS_PER_REPLAY / (p50_ms / 1000):,.0f}"
        "x our p50)"
    )
    print(
        f"  series upload -> ratification: {series_s * 1000:7.1f} ms median of {len(series)} "
        f"five-game series (min {min(series) * 1000:.1f}, max {max(series) * 1000:.1f} ms; "
        f"target < {TARGET_SERIES_S * 1000:.0f} ms; embedded defaults)"
    )
    print(
        json.dumps(
            {
                "files": len(files),
                "mb_per_s": round(mb_per_s, 1),
                "p50_ms": round(p50_ms, 3),
                "p99_ms": round(p99_ms, 3),
                "series_upload_to_ratification_s": round(series_s, 4),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
