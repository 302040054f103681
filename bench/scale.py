"""Scaling benchmark: `sprocket serve --workers 1` against `--workers 2`, in one run.

    uv run python bench/scale.py [--seconds 10] [--connections 32]

It seeds the large organization of bench/harness.py on PostgreSQL (its own database, dropped
at the end), then for each process count starts `sprocket serve` on the real Redis and
RabbitMQ (SPROCKET_BENCH_REDIS_URL and SPROCKET_BENCH_AMQP_URL, default the local servers)
and drives it with wrk (Debian's package `wrk`: a C load client that costs little CPU, so the
two cores go to the server) for two cases:

- cached standings: a season's standings of a random skill group, every key answered once
  before (the response cache's steady state);
- uncached leaderboard: the player leaderboard by rating, each request made unique by a
  comment so it misses the cache and runs the query.

Targets (issue 12): two processes at least 1.6x one on cached reads and 1.3x uncached. The rate
limit is raised out of the way. The last line is JSON: rps_1, rps_2 and ratio (cached), and
the same keys prefixed with ``uncached_``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid

from harness import STANDINGS, bench_database, prime, seed, sprocket_server

LEADERBOARD = """query Board($org: ID!) {
  playerLeaderboard(organizationId: $org, gameMode: "standard", by: RATING, first: 50) {
    nodes { rank value games wins member { id name } rating { displayed provisional } }
  }
}"""
UNIQUE = "UNIQUE_MARK"

# wrk's script: POST one of BODIES in turn; a body with UNIQUE in it gets a fresh mark.
WRK_SCRIPT = """
local bodies = %s
local n = 0
local thread_id = 0
function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
end
function request()
  n = n + 1
  local body = bodies[(n %% #bodies) + 1]
  body = string.gsub(body, "%s", tostring(id) .. "-" .. tostring(n))
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json"}, body)
end
"""


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def wrk(port: int, bodies: list[str], *, seconds: int, connections: int) -> dict[str, float]:
    """Requests per second and errors wrk saw against ``port`` sending ``bodies``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        listed = "{" + ", ".join(lua_string(b) for b in bodies) + "}"
        script.write(WRK_SCRIPT % (listed, UNIQUE))
    try:
        run = subprocess.run(
            [
                "wrk",
                "-t1",  # one client thread: it keeps up, and leaves the cores to the server
                f"-c{connections}",
                f"-d{seconds}s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(script.name)
    if run.returncode != 0:
        raise SystemExit(f"wrk failed ({run.returncode}): {run.stderr.strip() or run.stdout}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", run.stdout)
    errors = re.search(r"Socket errors: .*", run.stdout)
    return {
        "rps": rps,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def bodies_of(ids: dict[str, list]) -> tuple[list[str], list[str]]:
    standings = [
        json.dumps({"query": STANDINGS, "variables": {"season": str(s), "group": str(g)}})
        for s, g in ids["standings"]
    ]
    org = ids["leaderboard"][0][0]
    leaderboard = [
        json.dumps({"query": LEADERBOARD + f"\n# {UNIQUE}", "variables": {"org": str(org)}})
    ]
    return standings, leaderboard


async def measure(url: str, ids: dict[str, list], workers: int, args) -> dict[str, dict]:
    run = uuid.uuid4().hex[:8]
    env = {
        "SPROCKET_RATE_LIMIT_POINTS": str(10**9),
        "SPROCKET_CACHE_URL": os.environ.get(
            "SPROCKET_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"
        ),
        "SPROCKET_CACHE_PREFIX": f"sprocket-bench-{run}:",
        "SPROCKET_BROKER_URL": os.environ.get(
            "SPROCKET_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"
        ),
        "SPROCKET_QUEUE_NAME": f"sprocket-bench-{run}",
    }
    standings, leaderboard = bodies_of(ids)
    async with sprocket_server(url, env, ("--workers", str(workers))) as server:
        requests = [("POST", "/graphql", json.loads(b)) for b in standings]
        await prime(server.port, requests, clients=8)
        # a short warm-up of each case, so both processes have compiled and cached alike
        for case in (standings, leaderboard):
            await asyncio.to_thread(wrk, server.port, case, seconds=2, connections=8)
        cached = await asyncio.to_thread(
            wrk, server.port, standings, seconds=args.seconds, connections=args.connections
        )
        uncached = await asyncio.to_thread(
            wrk, server.port, leaderboard, seconds=args.seconds, connections=args.connections
        )
    return {"cached": cached, "uncached": uncached}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)  # wrk takes whole seconds
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    async with bench_database() as url:
        ids = await seed(url)
        one = await measure(url, ids, 1, args)
        two = await measure(url, ids, 2, args)
    print(f"{'case':<22}{'1 process rps':>15}{'2 processes rps':>17}{'ratio':>8}{'target':>8}")
    figures = {}
    for case, target, prefix in (("cached", 1.6, ""), ("uncached", 1.3, "uncached_")):
        ratio = two[case]["rps"] / one[case]["rps"]
        name = "standings (cached)" if case == "cached" else "leaderboard (uncached)"
        print(
            f"{name:<22}{one[case]['rps']:>15.0f}{two[case]['rps']:>17.0f}"
            f"{ratio:>8.2f}{target:>8.1f}"
        )
        for result in (one[case], two[case]):
            if result["non_2xx"] or result["socket_errors"]:
                print(f"  {case}: {result['non_2xx']} non-2xx, {result['socket_errors']}")
        figures.update(
            {
                f"{prefix}rps_1": round(one[case]["rps"], 1),
                f"{prefix}rps_2": round(two[case]["rps"], 1),
                f"{prefix}ratio": round(ratio, 2),
            }
        )
    print(f"cores: {os.cpu_count()} (wrk shares them with the server)")
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
