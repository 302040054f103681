"""API benchmark on PostgreSQL: standings, schedule-of-a-week, team-roster and leaderboard
queries under 50 concurrent clients, beside the bare /healthz endpoint measured in the same run.

    uv run python bench/api.py [--seconds 10] [--clients 50]

It creates its own database (from SPROCKET_BENCH_POSTGRES_URL, default the local server),
seeds a large organization (10 seasons, 200 teams, 1,200 players, ~10,000 played matches,
and 10,000 more members with a rating in the standard mode, for the leaderboard by rating;
see bench/harness.py), starts `sprocket serve` against it in a subprocess, drives it, prints
p50/p95 latency and requests per second per query, and drops the database at the end. The
last line is JSON.

Public read queries are answered from the response cache (see sprocket.api.response_cache).
Before each cached case every key is asked once (the steady state of a live league, where
each table was read since the last result); the "cached" column shows the hit ratio during
the measurement. The "uncached" row sends each standings request with a unique comment, so
it misses the cache every time and shows the cost of executing the query itself; the
leaderboard is measured both ways too, over its 200 pages of 50, and uncached by a single
client (a request's own cost, without 50 clients queueing on one process). The server's rate
limit is raised out of the way (bench/abuse.py measures it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid

from harness import STANDINGS, bench_database, drive, prime, seed, sprocket_server

SCHEDULE = """query Week($season: ID!, $week: Int!, $group: ID) {
  matches(seasonId: $season, week: $week, skillGroupId: $group, first: 20) {
    nodes { id status startsAt homeTeam { name } awayTeam { name } games { homeGoals awayGoals } }
  }
}"""
LEADERBOARD = """query Board($org: ID!, $after: String) {
  playerLeaderboard(organizationId: $org, gameMode: "standard", by: RATING, first: 50,
                    after: $after) {
    nodes { rank value games wins member { id name } rating { displayed provisional } }
    pageInfo { hasNextPage endCursor }
  }
}"""
ROSTER_QUERY = """query Roster($team: ID!, $season: ID!) {
  team(id: $team) { name roster(seasonId: $season) { isCaptain player { id name } } }
}"""


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    async with bench_database() as url:
        began = time.perf_counter()
        ids = await seed(url)
        print(f"seeded in {time.perf_counter() - began:.1f} s", flush=True)
        # Every client connects from 127.0.0.1, one rate-limit identity: the budget is
        # raised out of the way here (bench/abuse.py measures the rate limit).
        async with sprocket_server(url, {"SPROCKET_RATE_LIMIT_POINTS": str(10**9)}) as server:
            await measure(server.port, ids, args)


async def measure(port: int, ids: dict[str, list], args: argparse.Namespace) -> None:
    rng = random.Random(2)

    def standings(key, comment: bool = False):
        season, group = key
        query = STANDINGS + (f"\n# {uuid.uuid4().hex}" if comment else "")
        variables = {"season": str(season), "group": str(group)}
        return "POST", "/graphql", {"query": query, "variables": variables}

    def schedule(key):
        season, week, group = key
        variables = {"season": str(season), "week": week, "group": str(group)}
        return "POST", "/graphql", {"query": SCHEDULE, "variables": variables}

    def roster(key):
        team, season = key
        variables = {"team": str(team), "season": str(season)}
        return "POST", "/graphql", {"query": ROSTER_QUERY, "variables": variables}

    def leaderboard(key, comment: bool = False):
        org, after = key
        query = LEADERBOARD + (f"\n# {uuid.uuid4().hex}" if comment else "")
        variables = {"org": str(org), "after": after}
        return "POST", "/graphql", {"query": query, "variables": variables}

    def uncached_leaderboard(key):
        return leaderboard(key, comment=True)

    # (keys the clients pick from at random, request of a key, warm the cache first?,
    # clients: all of them, or one to see a single request's cost without queueing)
    cases = {
        "healthz": ([None], lambda _: ("GET", "/healthz", None), False, args.clients),
        "standings": (ids["standings"], standings, True, args.clients),
        "schedule": (ids["weeks"], schedule, True, args.clients),
        "roster": (ids["rosters"], roster, True, args.clients),
        "standings_uncached": (
            ids["standings"],
            lambda k: standings(k, comment=True),
            False,
            args.clients,
        ),
        "leaderboard": (ids["leaderboard"], leaderboard, True, args.clients),
        "leaderboard_uncached": (ids["leaderboard"], uncached_leaderboard, False, args.clients),
        "leaderboard_1_client": (ids["leaderboard"], uncached_leaderboard, False, 1),
    }
    results = {}
    print(
        f"{'case':<20}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}"
        f"{'cached':>8}"
    )
    for label, (keys, request_of, warm, clients) in cases.items():
        if warm:  # steady state: every key answered once, as a live league's would be
            await prime(port, [request_of(k) for k in keys], clients=args.clients)
        tally = await drive(
            port,
            lambda _, label=label, keys=keys, request_of=request_of: (
                label,
                *request_of(rng.choice(keys)),
            ),
            seconds=args.seconds,
            clients=clients,
        )
        r = results[label] = tally.summary()
        print(
            f"{label:<20}{r['requests']:>10}{r['errors']:>8}{r['rps']:>10.0f}"
            f"{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}{r['hit_ratio']:>8.0%}",
            flush=True,
        )
    ratio = results["standings"]["rps"] / results["healthz"]["rps"]
    print(f"standings throughput is {ratio:.2f} of the /healthz baseline (target >= 0.25)")
    print(
        json.dumps(
            {
                "healthz_rps": round(results["healthz"]["rps"], 1),
                "standings_rps": round(results["standings"]["rps"], 1),
                "standings_p95_ms": round(results["standings"]["p95_ms"], 2),
                "schedule_p95_ms": round(results["schedule"]["p95_ms"], 2),
                "roster_p95_ms": round(results["roster"]["p95_ms"], 2),
                "standings_uncached_p95_ms": round(results["standings_uncached"]["p95_ms"], 2),
                "leaderboard_p95_ms": round(results["leaderboard"]["p95_ms"], 2),
                "leaderboard_uncached_p95_ms": round(results["leaderboard_uncached"]["p95_ms"], 2),
                "leaderboard_1_client_uncached_p95_ms": round(
                    results["leaderboard_1_client"]["p95_ms"], 2
                ),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
