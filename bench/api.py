"""API benchmark on PostgreSQL: standings, schedule-of-a-week, team-roster and leaderboard
queries under 50 concurrent clients, beside the bare /healthz endpoint measured in the same run.

    uv run python bench/api.py [--seconds 10] [--clients 50]

It creates its own database (from SPROCKET_BENCH_POSTGRES_URL, default the local server),
seeds a large organization (10 seasons, 200 teams, 1,200 players, ~10,000 played matches,
and 10,000 more members with a rating in the standard mode, for the leaderboard by rating),
starts `sprocket serve` against it in a subprocess, drives it, prints p50/p95 latency and
requests per second per query, and drops the database at the end. The last line is JSON.

Public read queries are answered from the response cache (see sprocket.api.response_cache).
Before each cached case every key is asked once (the steady state of a live league, where
each table was read since the last result); the "cached" column shows the hit ratio during
the measurement. The "uncached" row sends each standings request with a unique comment, so
it misses the cache every time and shows the cost of executing the query itself; the
leaderboard is measured both ways too, over its 200 pages of 50, and uncached by a single
client (a request's own cost, without 50 clients queueing on one process).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from sprocket.api.pagination import encode_cursor
from sprocket.db import create_engine
from sprocket.identity.models import PlatformAccount, User
from sprocket.league.models import (
    Game,
    GameMode,
    League,
    Member,
    Organization,
    Player,
    RosterSpot,
    Season,
    SkillGroup,
    Team,
)
from sprocket.migrate import upgrade
from sprocket.ratings.model import display_rating
from sprocket.ratings.models import Rating
from sprocket.schedule.generator import round_robin
from sprocket.schedule.models import Fixture, Match, MatchGame, MatchWeek

ADMIN_URL = os.environ.get(
    "SPROCKET_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
LEAGUES, GROUPS, TEAMS_PER_GROUP, SEASONS_PER_LEAGUE, ROUNDS, ROSTER = 2, 4, 25, 5, 20, 6
RATED, PAGE = 10_000, 50

STANDINGS = """query Standings($season: ID!, $group: ID) {
  standings(seasonId: $season, skillGroupId: $group) {
    rank played seriesWon seriesLost gamesWon gamesLost goalDifference points
    team { id name }
  }
}"""
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


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return (parsed.set(database=database) if database else parsed).render_as_string(False)


async def seed(url: str) -> dict[str, list]:
    """Bulk-insert the large organization; returns the ids the load generator picks from."""
    rng = random.Random(1)
    engine = create_engine(url)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    ids: dict[str, list] = {"standings": [], "weeks": [], "rosters": []}
    async with engine.begin() as conn:
        game = (
            await conn.execute(insert(Game).values(code="rl", name="RL").returning(Game.id))
        ).scalar()
        mode = (
            await conn.execute(
                insert(GameMode)
                .values(game_id=game, code="standard", name="Standard", team_size=3)
                .returning(GameMode.id)
            )
        ).scalar()
        org = (
            await conn.execute(
                insert(Organization).values(slug="bench", name="Bench").returning(Organization.id)
            )
        ).scalar()
        user_rows = [
            {"discord_id": str(10**17 + i), "display_name": f"Player {i}"} for i in range(1200)
        ]
        users = (await conn.execute(insert(User).returning(User.id), user_rows)).scalars().all()
        members = (
            (
                await conn.execute(
                    insert(Member).returning(Member.id),
                    [
                        {"organization_id": org, "user_id": u, "name": f"Player {n}"}
                        for n, u in enumerate(users)
                    ],
                )
            )
            .scalars()
            .all()
        )
        await conn.execute(
            insert(PlatformAccount),
            [
                {
                    "organization_id": org,
                    "member_id": m,
                    "platform": "steam",
                    "account_id": str(76561197960265728 + n + 1),
                }
                for n, m in enumerate(members)
            ],
        )
        member_iter = iter(members)
        for lg_n in range(LEAGUES):
            league = (
                await conn.execute(
                    insert(League)
                    .values(
                        organization_id=org,
                        game_mode_id=mode,
                        name=f"League {lg_n}",
                        roster_min=3,
                        roster_max=6,
                        match_format="bo5",
                    )
                    .returning(League.id)
                )
            ).scalar()
            seasons = []
            for s_n in range(SEASONS_PER_LEAGUE):
                s_start = start + dt.timedelta(weeks=30 * s_n)
                seasons.append(
                    (
                        await conn.execute(
                            insert(Season)
                            .values(
                                league_id=league,
                                number=s_n + 1,
                                name=f"Season {s_n + 1}",
                                starts_at=s_start,
                                ends_at=s_start + dt.timedelta(weeks=ROUNDS),
                            )
                            .returning(Season.id)
                        )
                    ).scalar()
                )
            weeks = {season: await _weeks(conn, season) for season in seasons}
            for g_n in range(GROUPS):
                group = (
                    await conn.execute(
                        insert(SkillGroup)
                        .values(
                            league_id=league,
                            name=f"Tier {g_n + 1}",
                            code=f"T{g_n + 1}",
                            ordinal=g_n + 1,
                        )
                        .returning(SkillGroup.id)
                    )
                ).scalar()
                teams = (
                    (
                        await conn.execute(
                            insert(Team).returning(Team.id),
                            [
                                {
                                    "league_id": league,
                                    "skill_group_id": group,
                                    "name": f"L{lg_n} T{g_n} #{t}",
                                }
                                for t in range(TEAMS_PER_GROUP)
                            ],
                        )
                    )
                    .scalars()
                    .all()
                )
                players = []
                for team in teams:
                    for slot in range(ROSTER):
                        players.append((team, next(member_iter), slot))
                player_ids = (
                    (
                        await conn.execute(
                            insert(Player).returning(Player.id),
                            [
                                {"member_id": m, "league_id": league, "skill_group_id": group}
                                for _, m, _ in players
                            ],
                        )
                    )
                    .scalars()
                    .all()
                )
                rounds = round_robin(list(teams))[:ROUNDS]
                for season in seasons:
                    ids["standings"].append((season, group))
                    await conn.execute(
                        insert(RosterSpot),
                        [
                            {
                                "team_id": t,
                                "player_id": p,
                                "season_id": season,
                                "is_captain": slot == 0,
                                "joined_at": start,
                            }
                            for (t, _, slot), p in zip(players, player_ids, strict=True)
                        ],
                    )
                    ids["rosters"].extend((t, season) for t in teams)
                    await _season_matches(conn, rng, season, group, rounds, ids, weeks[season])
        await _rated_members(conn, rng, org, mode)
        ids["leaderboard"] = [(org, None)] + [
            (org, encode_cursor(n)) for n in range(PAGE, RATED, PAGE)
        ]
    await engine.dispose()
    return ids


async def _rated_members(conn, rng, org: int, mode: int) -> None:
    """``RATED`` members with a rating in the standard mode (the leaderboard's rows)."""
    users = (
        (
            await conn.execute(
                insert(User).returning(User.id),
                [
                    {"discord_id": str(2 * 10**17 + i), "display_name": f"Rated {i}"}
                    for i in range(RATED)
                ],
            )
        )
        .scalars()
        .all()
    )
    members = (
        (
            await conn.execute(
                insert(Member).returning(Member.id),
                [
                    {"organization_id": org, "user_id": u, "name": f"Rated {n}"}
                    for n, u in enumerate(users)
                ],
            )
        )
        .scalars()
        .all()
    )
    rows = []
    for member in members:
        games = rng.randint(1, 200)
        mu, sigma = rng.gauss(25, 4), max(0.8, 25 / 3 * 0.97**games)
        rows.append(
            {
                "organization_id": org,
                "member_id": member,
                "game_mode_id": mode,
                "mu": mu,
                "sigma": sigma,
                "displayed": display_rating(mu, sigma),
                "games": games,
                "wins": rng.randint(0, games),
            }
        )
    await conn.execute(insert(Rating), rows)


async def _weeks(conn, season: int) -> list:
    return (
        await conn.execute(
            insert(MatchWeek).returning(MatchWeek.id, MatchWeek.number),
            [
                {
                    "season_id": season,
                    "number": n + 1,
                    "starts_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(weeks=n),
                    "ends_at": dt.datetime(2024, 1, 8, tzinfo=dt.UTC) + dt.timedelta(weeks=n),
                }
                for n in range(ROUNDS)
            ],
        )
    ).all()


async def _season_matches(conn, rng, season, group, rounds, ids, weeks) -> None:
    ids["weeks"].extend((season, number, group) for _, number in weeks)
    fixtures = [
        {"match_week_id": week_id, "home_team_id": p.home, "away_team_id": p.away}
        for (week_id, _), pairings in zip(weeks, rounds, strict=True)
        for p in pairings
    ]
    fixture_ids = (
        (await conn.execute(insert(Fixture).returning(Fixture.id), fixtures)).scalars().all()
    )
    now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    match_ids = (
        (
            await conn.execute(
                insert(Match).returning(Match.id),
                [
                    {
                        "fixture_id": f,
                        "season_id": season,
                        "skill_group_id": group,
                        "format": "bo5",
                        "starts_at": now,
                        "ends_at": now,
                        "status": "completed",
                        "completed_at": now,
                    }
                    for f in fixture_ids
                ],
            )
        )
        .scalars()
        .all()
    )
    games = []
    for match_id in match_ids:
        wins = [0, 0]
        number = 0
        while max(wins) < 3:
            number += 1
            a, b = rng.randint(0, 5), rng.randint(0, 5)
            if a == b:
                a += 1
            wins[a < b] += 1
            games.append(
                {
                    "match_id": match_id,
                    "number": number,
                    "home_goals": a,
                    "away_goals": b,
                    "home_won": a > b,
                }
            )
    await conn.execute(insert(MatchGame), games)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Connection:
    """A minimal HTTP/1.1 keep-alive client: at 50 concurrent clients httpx's async pool
    costs more than the server does, so it would measure itself instead of Sprocket."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes, bool]:
        """Status, body, and whether the response cache answered."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = body or b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(data)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + data)
        status = int((await self.reader.readline()).split()[1])
        length, hit = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "x-sprocket-cache":
                hit = value.strip() == "hit"
        return status, await self.reader.readexactly(length), hit

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def drive(port: int, make_request, *, seconds: float, clients: int) -> dict[str, float]:
    """``clients`` concurrent connections, each sending requests back to back for ``seconds``."""
    latencies: list[float] = []
    errors = hits = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal errors, hits
        connection = Connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                method, path, body = make_request()
                payload = None if body is None else json.dumps(body).encode()
                began = time.perf_counter()
                status, content, hit = await connection.request(method, path, payload)
                latencies.append(time.perf_counter() - began)
                hits += hit
                if status != 200 or (payload and b'"errors"' in content):
                    errors += 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "hit_ratio": hits / len(latencies) if latencies else 0.0,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


async def prime(port: int, requests: list, *, clients: int) -> None:
    """Send every request once over ``clients`` connections (fills the response cache)."""
    queue = list(requests)

    async def worker() -> None:
        connection = Connection("127.0.0.1", port)
        try:
            while queue:
                method, path, body = queue.pop()
                await connection.request(method, path, json.dumps(body).encode() if body else None)
        finally:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(clients)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    name = f"sprocket_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(_dsn(ADMIN_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(False)
    server = None
    try:
        await asyncio.to_thread(upgrade, url)
        began = time.perf_counter()
        ids = await seed(url)
        print(f"seeded {name} in {time.perf_counter() - began:.1f} s", flush=True)
        port = free_port()
        env = {
            **os.environ,
            "SPROCKET_DATABASE_URL": url,
            "SPROCKET_LOG_LEVEL": "warning",
            "SPROCKET_DATA_DIR": f"/tmp/{name}",
        }
        server = subprocess.Popen(  # noqa: ASYNC220 - the server under test
            [str(Path(sys.executable).with_name("sprocket")), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:  # noqa: ASYNC210
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
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
            r = await drive(
                port,
                lambda keys=keys, request_of=request_of: request_of(rng.choice(keys)),
                seconds=args.seconds,
                clients=clients,
            )
            results[label] = r
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
                    "leaderboard_uncached_p95_ms": round(
                        results["leaderboard_uncached"]["p95_ms"], 2
                    ),
                    "leaderboard_1_client_uncached_p95_ms": round(
                        results["leaderboard_1_client"]["p95_ms"], 2
                    ),
                }
            )
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
