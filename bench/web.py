"""Web pages benchmark on PostgreSQL: the home, season (standings and schedule), match and
player pages under 50 concurrent clients, beside the bare /healthz endpoint in the same run.

    uv run python bench/web.py [--seconds 5] [--rounds 3] [--clients 50] [--keys 200]

It seeds bench/api.py's large organization (bench/harness.py: 10 seasons, 200 teams, 1,200
players, ~10,000 played matches) in a database of its own (from SPROCKET_BENCH_POSTGRES_URL,
default the local server), starts `sprocket serve` on it, and measures each case (with a
browser's Accept and Accept-Encoding headers) for ``--seconds`` per round over ``--rounds``
rounds; it prints each round, then the medians over the rounds (requests per second, p50
and p95 latency, the share answered from the page cache), and drops the database at the
end. The last line is JSON: ``healthz_rps``, ``pages`` (name -> {"rps", "p95_ms"}: the
spectators' pages as served, from the page cache) and ``uncached`` (the same pages rendered
on every request, by one client: what a render costs, without 50 clients queueing on one
process).

Spectators' pages are served from the page cache (sprocket.web.page_cache) until the next
write. Before each cached case every page the clients pick from is asked once (the steady
state of a live league, where each page was read since the last result): all seasons, and
``--keys`` matches and players drawn at random. An uncached request carries a query string
of its own, so it misses the cache. The server's rate limit is raised out of the way (every
client is 127.0.0.1; bench/abuse.py measures the rate limit).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid

from harness import bench_database, drive, prime, seed, sprocket_server

#: What a browser adds to each request (pages are served compressed to it from the cache).
BROWSER = "Accept: text/html,application/xhtml+xml\r\nAccept-Encoding: gzip, deflate, br\r\n"
#: Target: every page's p95 under this (ms), and at least this share of /healthz's rate.
P95_TARGET_MS, SHARE_TARGET = 50.0, 0.25


def page_keys(ids: dict[str, list], keys: int) -> dict[str, list[str]]:
    """The paths each page case picks from: the home page, every season, ``keys`` played
    matches and ``keys`` rostered players (drawn with a fixed seed)."""
    rng = random.Random(3)
    seasons = sorted({season for season, _ in ids["standings"]})
    return {
        "home": ["/"],
        "season": [f"/seasons/{s}" for s in seasons],
        "match": [f"/matches/{m}" for m in rng.sample(ids["matches"], keys)],
        "player": [f"/players/{m}" for m in rng.sample(ids["members"], keys)],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    async with bench_database() as url:
        began = time.perf_counter()
        ids = await seed(url)
        print(f"seeded in {time.perf_counter() - began:.1f} s", flush=True)
        env = {"SPROCKET_RATE_LIMIT_POINTS": str(10**9)}
        async with sprocket_server(url, env) as server:
            await measure(server.port, page_keys(ids, args.keys), args)


async def measure(port: int, pages: dict[str, list[str]], args: argparse.Namespace) -> None:
    rng = random.Random(2)
    # case -> (paths picked from, uncached?, clients)
    cases: dict[str, tuple[list[str], bool, int]] = {"healthz": (["/healthz"], False, args.clients)}
    cases |= {name: (paths, False, args.clients) for name, paths in pages.items()}
    cases |= {f"{name}_uncached": (paths, True, 1) for name, paths in pages.items()}
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    header = (
        f"{'case':<18}{'clients':>8}{'requests':>10}{'errors':>8}{'req/s':>10}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'cached':>8}"
    )
    for n in range(1, args.rounds + 1):
        print(f"\nround {n} of {args.rounds}\n{header}", flush=True)
        for name, (paths, uncached, clients) in cases.items():
            if not uncached and name != "healthz":
                requests = [("GET", path, None) for path in paths]
                await prime(port, requests, clients=args.clients, headers=BROWSER)

            def request(_: int, name=name, paths=paths, uncached=uncached):
                path = rng.choice(paths)
                return name, "GET", f"{path}?fresh={uuid.uuid4().hex}" if uncached else path, None

            tally = await drive(
                port, request, seconds=args.seconds, clients=clients, headers=BROWSER
            )
            r = tally.summary()
            rounds[name].append(r)
            print(_row(name, clients, r), flush=True)
    medians = {
        name: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for name, results in rounds.items()
    }
    print(f"\nmedians over {args.rounds} rounds\n{header}")
    for name, (_, _, clients) in cases.items():
        print(_row(name, clients, medians[name]))
    healthz = medians["healthz"]["rps"]
    print(f"\ntargets: p95 under {P95_TARGET_MS:.0f} ms, at least {SHARE_TARGET:.2f} of /healthz")
    for name in pages:
        share = medians[name]["rps"] / healthz
        met = medians[name]["p95_ms"] < P95_TARGET_MS and share >= SHARE_TARGET
        print(
            f"{name:<8} p95 {medians[name]['p95_ms']:6.1f} ms, {share:.2f} of /healthz: "
            f"{'met' if met else 'MISSED'}"
        )

    def figures(name: str) -> dict[str, float]:
        return {
            "rps": round(medians[name]["rps"], 1),
            "p95_ms": round(medians[name]["p95_ms"], 2),
        }

    print(
        json.dumps(
            {
                "healthz_rps": round(healthz, 1),
                "pages": {name: figures(name) for name in pages},
                "uncached": {name: figures(f"{name}_uncached") for name in pages},
            }
        )
    )


def _row(name: str, clients: int, r: dict[str, float]) -> str:
    return (
        f"{name:<18}{clients:>8}{r['requests']:>10.0f}{r['errors']:>8.0f}{r['rps']:>10.0f}"
        f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['hit_ratio']:>8.0%}"
    )


if __name__ == "__main__":
    asyncio.run(main())
