"""A seeded Sprocket server on PostgreSQL and a raw HTTP load driver, shared by the HTTP
benchmarks (bench/api.py, bench/abuse.py).

:func:`bench_database` creates and migrates a database of its own (from
SPROCKET_BENCH_POSTGRES_URL, default the local server) and drops it at the end; :func:`seed`
fills it with a large organization (10 seasons, 200 teams, 1,200 players, ~10,000 played
matches, and 10,000 more members rated in the standard mode); :func:`sprocket_server` runs
`sprocket serve` on it in a subprocess; :func:`drive` sends requests from concurrent
keep-alive clients and keeps every request's latency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from sprocket.db import create_engine
from sprocket.identity.models import User
from sprocket.league.models import (
    Game,
    GameMode,
    League,
    Member,
    Organization,
    PlatformAccount,
    Player,
    RosterSpot,
    Season,
    SkillGroup,
    Team,
)
from sprocket.league.names import member_name_key
from sprocket.migrate import upgrade
from sprocket.paging import encode_cursor
from sprocket.ratings.models import Rating
from sprocket.ratings.skill import display_rating
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


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return (parsed.set(database=database) if database else parsed).render_as_string(False)


@asynccontextmanager
async def bench_database() -> AsyncIterator[str]:
    """A new PostgreSQL database, migrated to head, dropped on exit; yields its SQLAlchemy URL."""
    name = f"sprocket_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(_dsn(ADMIN_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(ADMIN_URL).set(database=name).render_as_string(False)
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def seed(url: str) -> dict[str, list]:
    """Bulk-insert the large organization into database ``url``; returns the ids the load
    generators pick from: ``standings`` (season, group), ``weeks`` (season, week, group),
    ``rosters`` (team, season), ``leaderboard`` (organization, cursor), ``matches`` (played
    match ids), ``members`` (the rostered members' ids)."""
    rng = random.Random(1)
    engine = create_engine(url)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    ids: dict[str, list] = {"standings": [], "weeks": [], "rosters": [], "matches": []}
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
                    [_member(org, u, f"Player {n}") for n, u in enumerate(users)],
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
        ids["members"] = list(members)
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


def _member(organization: int, user: int, name: str) -> dict:
    return {
        "organization_id": organization,
        "user_id": user,
        "name": name,
        "name_key": member_name_key(name),
    }


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
                [_member(org, u, f"Rated {n}") for n, u in enumerate(users)],
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
    ids["matches"].extend(match_ids)
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


@dataclass(frozen=True)
class Server:
    """A running `sprocket serve`: its port, process, and log file (its stdout and stderr,
    deleted when the server stops)."""

    port: int
    process: subprocess.Popen
    log: Path


@asynccontextmanager
async def sprocket_server(
    url: str, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> AsyncIterator[Server]:
    """`sprocket serve` on database ``url`` (and the ``SPROCKET_*`` settings in ``env``, the
    extra command-line ``args`` such as ``--workers 2``) in a subprocess, yielded once
    /healthz answers; terminated on exit. Raises RuntimeError (with the end of the server's
    log) if it exits or does not answer within 120 s."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="sprocket_bench_") as data_dir:
        log_path = Path(data_dir) / "server.log"
        settings = {
            "SPROCKET_DATABASE_URL": url,
            "SPROCKET_LOG_LEVEL": "warning",
            "SPROCKET_DATA_DIR": data_dir,
            **(env or {}),
        }
        with log_path.open("wb") as server_log:
            process = subprocess.Popen(  # noqa: ASYNC220 - the server under test
                [
                    str(Path(sys.executable).with_name("sprocket")),
                    "serve",
                    "--port",
                    str(port),
                    *args,
                ],
                env={**os.environ, **settings},
                stdout=server_log,
                stderr=subprocess.STDOUT,
            )
        try:
            await _answering(process, port)
            yield Server(port, process, log_path)
        except RuntimeError as error:
            lines = log_path.read_text(errors="replace").splitlines()[-20:]
            raise RuntimeError("\n".join([str(error), *lines])) from None
        finally:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, 15)
            except subprocess.TimeoutExpired:
                process.kill()


async def _answering(process: subprocess.Popen, port: int) -> None:
    for _ in range(1200):
        if process.poll() is not None:
            raise RuntimeError(f"sprocket serve exited with status {process.returncode}")
        connection = Connection("127.0.0.1", port)
        try:
            if (await connection.request("GET", "/healthz", None)).status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        await asyncio.sleep(0.1)
    raise RuntimeError("sprocket serve did not answer /healthz within 120 s")


class Answer(NamedTuple):
    status: int
    body: bytes
    #: Whether the response cache answered (its X-Sprocket-Cache header).
    hit: bool


class Connection:
    """A minimal HTTP/1.1 keep-alive client: at 50 concurrent clients httpx's async pool
    costs more than the server does, so it would measure itself instead of Sprocket.

    ``source``: the local address to connect from. Linux routes all of 127.0.0.0/8 to the
    loopback interface, so clients on one machine can stand for different addresses (each
    its own rate-limit budget on the server).
    """

    def __init__(self, host: str, port: int, *, source: str | None = None) -> None:
        self.host, self.port, self.source = host, port, source
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The connection's streams, connecting first if it is not open."""
        if self.reader is None or self.writer is None or self.writer.is_closing():
            local = (self.source, 0) if self.source else None
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, local_addr=local
            )
        return self.reader, self.writer

    async def request(
        self, method: str, path: str, body: bytes | None, headers: str = ""
    ) -> Answer:
        """Send one request (``headers``: extra header lines, each ending in CRLF) and read
        its answer."""
        _, writer = await self.open()
        data = body or b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(data)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        writer.write((head + headers + "\r\n").encode() + data)
        return await self.answer()

    async def answer(self, reader: asyncio.StreamReader | None = None) -> Answer:
        """Read the answer to the request just sent (with a Content-Length, as every
        Sprocket answer has) from ``reader`` (default: this connection's). Raises
        ConnectionError if the server closed the connection."""
        if reader is None:
            reader, _ = await self.open()
        status_line = await reader.readline()
        if not status_line:
            self.close()
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, hit, close = 0, False, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            name = name.lower()
            if name == "content-length":
                length = int(value)
            elif name == "x-sprocket-cache":
                hit = value.strip() == "hit"
            elif name == "connection":
                close = "close" in value.lower()
        body = await reader.readexactly(length)
        if close:
            self.close()
        return Answer(status, body, hit)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def p95(latencies: list[float]) -> float:
    """The 95th percentile (nearest rank) of ``latencies``, in their unit; 0 for none."""
    if not latencies:
        return 0.0
    ordered = sorted(latencies)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


@dataclass
class Tally:
    """One run of :func:`drive`: every request's latency (seconds), errors and response-cache
    hits, by the label its request was sent under."""

    latencies: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    def summary(self, label: str | None = None) -> dict[str, float]:
        """Requests, errors, cache hit ratio, requests per second, p50 and p95 (ms) of the
        requests sent under ``label`` (None: all of them)."""
        labels = list(self.latencies) if label is None else [label]
        latencies = [x for name in labels for x in self.latencies[name]]
        count = len(latencies)
        return {
            "requests": count,
            "errors": sum(self.errors[name] for name in labels),
            "hit_ratio": sum(self.hits[name] for name in labels) / count if count else 0.0,
            "rps": count / self.elapsed if self.elapsed else 0.0,
            "p50_ms": statistics.median(latencies) * 1000 if count else 0.0,
            "p95_ms": p95(latencies) * 1000,
        }


class Signed(NamedTuple):
    """A request's body encoded (and signed) before the run, with the header lines that go
    with it (each ending in CRLF): a driven client then spends nothing on it while others'
    requests are timed."""

    body: bytes
    headers: str


#: A request to send: its label, method, path and body (JSON-able, :class:`Signed`, or
#: None: no body).
Request = tuple[str, str, str, Any]


async def drive(
    port: int,
    next_request: Callable[[int], Request],
    *,
    seconds: float,
    clients: int,
    sources: list[str] | None = None,
    headers: str = "",
) -> Tally:
    """``clients`` concurrent connections, each sending requests back to back for ``seconds``;
    client ``n`` sends ``next_request(n)`` each time, from local address ``sources[n]`` if
    given, with the extra ``headers`` (lines ending in CRLF) and, for a :class:`Signed` body,
    its own header lines. A request counts as an error unless it is a 200 without GraphQL
    errors."""
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def loop(n: int) -> None:
        connection = Connection("127.0.0.1", port, source=sources[n] if sources else None)
        try:
            while time.perf_counter() < deadline:
                label, method, path, body = next_request(n)
                if isinstance(body, Signed):
                    payload, extra = body.body, headers + body.headers
                else:
                    payload = None if body is None else json.dumps(body).encode()
                    extra = headers
                began = time.perf_counter()
                status, content, hit = await connection.request(method, path, payload, extra)
                tally.latencies[label].append(time.perf_counter() - began)
                tally.hits[label] += hit
                if status != 200 or (payload and b'"errors"' in content):
                    tally.errors[label] += 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop(n) for n in range(clients)))
    tally.elapsed = time.perf_counter() - started
    return tally


async def prime(
    port: int,
    requests: list,
    *,
    clients: int,
    sources: list[str] | None = None,
    headers: str = "",
) -> None:
    """Send every request (method, path, JSON body) once over ``clients`` connections (from
    local addresses ``sources``, one per connection, if given; with the extra ``headers``):
    fills the response cache."""
    queue = list(requests)

    async def worker(n: int) -> None:
        connection = Connection("127.0.0.1", port, source=sources[n] if sources else None)
        try:
            while queue:
                method, path, body = queue.pop()
                payload = json.dumps(body).encode() if body else None
                await connection.request(method, path, payload, headers)
        finally:
            connection.close()

    await asyncio.gather(*(worker(n) for n in range(clients)))
