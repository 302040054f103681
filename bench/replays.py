"""Replay parser benchmark: parse and CRC-check every file of ../shared/replays/good/.

    uv run python bench/replays.py [--rounds 20]

Each round parses every file once (both CRCs verified, header read, players extracted) on
one core. Throughput is the bytes of a round over its time; p50/p99 are per-replay latencies.
Every figure is the median over the rounds, which keeps a noisy neighbour from deciding it.
Printed beside the published anchors; the last line is JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

from sprocket.replays.parser import parse_replay

GOOD = Path(__file__).resolve().parents[1].parent / "shared" / "replays" / "good"
BOXCARS_MIB_PER_S = 290  # boxcars (Rust), with its corruption check
ORIGINAL_SECONDS_PER_REPLAY = 8.0  # the original platform's Python analysis
TARGET_MB_PER_S, TARGET_P99_MS = 150, 20


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


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--rounds", type=int, default=20)
    rounds = arguments.parse_args().rounds
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
        json.dumps(
            {
                "files": len(files),
                "mb_per_s": round(mb_per_s, 1),
                "p50_ms": round(p50_ms, 3),
                "p99_ms": round(p99_ms, 3),
                "series_upload_to_ratification_s": None,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
