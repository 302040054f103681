"""Parser benchmark on hostile input: how long :func:`parse_replay` takes to read or refuse
files built to make it hang, each against well-formed input of the same kind timed in the same
run (the baseline), so a slow machine moves both.

    uv run python bench/parser.py [--rounds 7]

The hostile files are those of the parser's tests (tests/replays/hostile.py):

* unreadable headers: five intact headers whose size claims are hostile (a 2 GB string, a
  negative length, four billion list entries, a map without end, an int cut in half); baseline:
  a readable header built the same way;
* header byte flips: every byte of the header of the smallest real replay XORed with three
  masks, re-signed; baseline: the unflipped file, parsed as many times;
* inflated lengths: every real length field of four small replays set to each of five hostile
  values, re-signed; baseline: the untouched files, each parsed as many times;
* flooded body: 150,000 look-alike player ids before the real ones; baseline: a body of zeros
  of the same size.

Every file is built before the clock starts. Each figure is the median over the rounds of one
pass over a case's files; the ratio is hostile over baseline. The slowest single hostile file
of a case is printed beside the bound the tests used to assert (1 s for an unreadable header,
2 s for anything else); the exit status is 1 when a file takes longer. The last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' hostile replays

from sprocket.replays.parser import ReplayError, parse_replay  # noqa: E402
from tests.helpers.replay_writer import int_prop, prop_map  # noqa: E402
from tests.replays.hostile import (  # noqa: E402
    HOSTILE_LENGTHS,
    REPLAYS,
    UNREADABLE_HEADERS,
    corpus,
    flooded_body,
    flooded_replay,
    header_byte_flips,
    inflated_lengths,
    length_field_positions,
    read,
    signed,
)

HEADER_BOUND_S, HANG_BOUND_S = 1.0, 2.0


def parse(data: bytes) -> None:
    """Read or refuse ``data``, as an upload would."""
    with contextlib.suppress(ReplayError):
        parse_replay(data)


def timed(files: list[bytes]) -> tuple[float, float]:
    """(seconds for one pass over ``files``, seconds of the slowest file)."""
    clock = time.perf_counter
    slowest = 0.0
    started = clock()
    for data in files:
        before = clock()
        parse(data)
        slowest = max(slowest, clock() - before)
    return clock() - started, slowest


def cases() -> list[tuple[str, list[bytes], list[bytes], float]]:
    """(name, hostile files, baseline files, the tests' old bound on one file)."""
    readable = signed(prop_map([int_prop("TeamSize", 2)]))
    built = [
        (
            "unreadable headers",
            [signed(properties) for properties in UNREADABLE_HEADERS.values()],
            [readable] * len(UNREADABLE_HEADERS),
            HEADER_BOUND_S,
        )
    ]
    if REPLAYS.is_dir():
        small = read("no-frames.replay")
        flips = list(header_byte_flips(small))
        built.append(("header byte flips", flips, [small] * len(flips), HANG_BOUND_S))
    inflated: list[bytes] = []
    untouched: list[bytes] = []
    for data in corpus():
        positions = length_field_positions(data)
        for value in HOSTILE_LENGTHS:
            mutated = list(inflated_lengths(data, positions, value))
            inflated += mutated
            untouched += [data] * len(mutated)
    built.append(("inflated lengths", inflated, untouched, HANG_BOUND_S))
    flood = flooded_body()
    built.append(
        (
            "flooded body",
            [flooded_replay(flood)],
            [flooded_replay(bytes(len(flood)))],
            HANG_BOUND_S,
        )
    )
    return built


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--rounds", type=int, default=7)
    rounds = arguments.parse_args().rounds
    if not REPLAYS.is_dir():
        print(f"no real replays ({REPLAYS} is absent): the written ones only", file=sys.stderr)
    figures = {}
    print(f"parse_replay on hostile files, median of {rounds} rounds (one core)")
    for name, hostile, baseline, bound in cases():
        timed(hostile), timed(baseline)  # warm-up
        passes, slowest, base = [], [], []
        gc.disable()
        try:
            for _ in range(rounds):
                seconds, worst = timed(hostile)
                passes.append(seconds)
                slowest.append(worst)
                base.append(timed(baseline)[0])
        finally:
            gc.enable()
        hostile_s, baseline_s = statistics.median(passes), statistics.median(base)
        worst_s = max(slowest)
        ratio = hostile_s / baseline_s
        print(
            f"  {name:<19}: {len(hostile):5d} files {hostile_s * 1000:9.2f} ms, baseline "
            f"{baseline_s * 1000:9.2f} ms, ratio {ratio:6.2f}; slowest file "
            f"{worst_s * 1000:8.2f} ms (bound {bound:.0f} s{', OVER' if worst_s > bound else ''})"
        )
        figures[name.replace(" ", "_")] = {
            "files": len(hostile),
            "hostile_ms": round(hostile_s * 1000, 3),
            "baseline_ms": round(baseline_s * 1000, 3),
            "ratio": round(ratio, 3),
            "slowest_ms": round(worst_s * 1000, 3),
            "bound_ms": bound * 1000,
        }
    print(json.dumps(figures))
    return 1 if any(f["slowest_ms"] > f["bound_ms"] for f in figures.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
