"""Abuse benchmark on PostgreSQL: what hostile clients cost the well-behaved ones.

    uv run python bench/abuse.py [--seconds 10] [--clients 20] [--attackers 20]
        [--attack-processes 1] [--cache memory|redis] [--kinds alias_bomb,...]

One `sprocket serve` runs on a seeded database (bench/harness.py), with the default guards.
Twenty well-behaved clients, each from its own loopback address, alternate /healthz and a
cached standings query: first alone (the quiet run), then while twenty hostile clients, in
a process of their own (or several), send back to back, taking these kinds in turn:

- ``alias_bomb``: 3,000 aliased ``standings { ... team { roster { player { ... } } } }``
  fields (~350 KB of GraphQL, under the body limit);
- ``fragment_chain``: 41 fragments, each spreading the next twice (2^40 aliases);
- ``deep_fragments``: ``team { roster { team { roster ... } } }`` 30 levels deep, through 15
  fragments;
- ``body_30mb``: a 30 MB JSON body with an honest Content-Length; ``body_30mb_chunked``: one
  sent chunked without a length (the whole body is sent either way, as an attacker would);
- ``expensive``: legal queries of 100 matches with their games and both rosters, the cursor
  varied so the response cache misses, all from one address (one rate-limit identity).

Every other hostile client has an address of its own, so a budget of its own: its documents
meet the document limits until that budget is spent, then the rate limit. A hostile request
counts as rejected when answered 413, 429, or 200 with ``QUERY_TOO_COMPLEX``; anything else
is listed by status and code. The expensive identity's answers are judged per rate-limit
window: served beyond what the budget covers, or after a refusal, is a miss.

Before the runs each kind is sent a few times one at a time, to show what one costs the
server alone. CPU time is read from /proc for the server and from each process's own clock
for the clients: "cores" is CPU seconds per wall second. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import queue
import random
import statistics
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from graphql import parse
from harness import (
    STANDINGS,
    Answer,
    Connection,
    Server,
    Tally,
    bench_database,
    drive,
    p95,
    prime,
    seed,
    sprocket_server,
)

from sprocket.api.limits import QueryLimits, measure_operation
from sprocket.api.schema import build_schema
from sprocket.config import Settings
from sprocket.paging import encode_cursor

REDIS_URL = os.environ.get("SPROCKET_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
#: Local addresses (all of 127.0.0.0/8 is loopback on Linux): one per client, so each has
#: its own rate-limit budget, but the expensive clients, which share one.
WELL_BEHAVED_SOURCE, HOSTILE_SOURCE, EXPENSIVE_SOURCE = "127.0.1.{}", "127.0.2.{}", "127.0.3.1"
ALONE_SOURCE, PRIME_SOURCE = "127.0.4.{}", "127.0.5.{}"
BODY_BYTES = 30 * 1024 * 1024
ALIASES, CHAIN, DEEP = 3000, 40, 15
KINDS = (
    "alias_bomb",
    "fragment_chain",
    "deep_fragments",
    "body_30mb",
    "body_30mb_chunked",
    "expensive",
)
REJECTED = ("413", "429", "QUERY_TOO_COMPLEX", "closed")
#: The status of an "answer" that was the server closing the connection on an oversized body.
CLOSED = 0
#: How many of each kind of request are sent one at a time, to learn what one costs alone
#: (the expensive ones from an identity other than the attack's, within its budget).
ALONE = {
    "healthz": 300,
    "standings": 300,
    "alias_bomb": 40,
    "fragment_chain": 100,
    "deep_fragments": 100,
    "body_30mb": 10,
    "body_30mb_chunked": 10,
    "expensive": 2,
}

EXPENSIVE = """query Matches($season: ID!, $after: String) {
  matches(seasonId: $season, first: 100, after: $after) {
    totalCount
    nodes {
      id status startsAt completedAt week { number }
      games { number homeGoals awayGoals homeWon }
      homeTeam { ...Side } awayTeam { ...Side }
    }
  }
}
fragment Side on Team {
  name record(seasonId: $season) { rank points }
  roster(seasonId: $season) { isCaptain player { name rating { displayed games } } }
}"""


def graphql_body(query: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def alias_bomb(season: str) -> bytes:
    field = (
        "a{n}: standings(seasonId: $season) {{ rank played points goalDifference "
        "team {{ id name roster(seasonId: $season) {{ isCaptain player {{ id name }} }} }} }}"
    )
    fields = "\n".join(field.format(n=n) for n in range(ALIASES))
    return graphql_body(f"query Bomb($season: ID!) {{\n{fields}\n}}", {"season": season})


def fragment_chain(season: str) -> bytes:
    links = "\n".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(CHAIN))
    last = f"fragment F{CHAIN} on Query {{ s: standings(seasonId: $season) {{ rank }} }}"
    query = f"query Chain($season: ID!) {{ ...F0 }}\n{links}\n{last}"
    return graphql_body(query, {"season": season})


def deep_fragments(team: str, season: str) -> bytes:
    links = "\n".join(
        f"fragment D{n} on Team {{ name roster(seasonId: $season) {{ team {{ ...D{n + 1} }} }} }}"
        for n in range(DEEP)
    )
    query = (
        f"query Deep($team: ID!, $season: ID!) {{ team(id: $team) {{ ...D0 }} }}\n{links}\n"
        f"fragment D{DEEP} on Team {{ name }}"
    )
    return graphql_body(query, {"team": team, "season": season})


def large_body(size: int) -> bytes:
    """A GraphQL request of exactly ``size`` bytes: a tiny query and a padding variable."""
    shell = b'{"query": "{ __typename }", "variables": {"padding": "%s"}}'
    return shell % (b"x" * (size - len(shell) + 2))


def chunked(body: bytes, chunk: int = 64 * 1024) -> bytes:
    """``body`` in HTTP/1.1 chunked framing, ending with the last (empty) chunk."""
    frames = [
        b"%x\r\n%s\r\n" % (len(body[at : at + chunk]), body[at : at + chunk])
        for at in range(0, len(body), chunk)
    ]
    return b"".join(frames) + b"0\r\n\r\n"


@dataclass(frozen=True)
class Targets:
    """Ids the hostile documents name (strings, as GraphQL IDs)."""

    season: str
    team: str
    seasons: tuple[str, ...]


class Attack:
    """The hostile requests of one process, built once, and how each kind is sent.

    ``series`` of ``of``: which of the processes sending expensive queries this is, so that
    no two of them ever ask the same page.
    """

    def __init__(self, port: int, targets: Targets, *, series: int = 0, of: int = 1) -> None:
        self.port = port
        self.targets = targets
        self.series, self.of = series, of
        self.documents = {
            "alias_bomb": alias_bomb(targets.season),
            "fragment_chain": fragment_chain(targets.season),
            "deep_fragments": deep_fragments(targets.team, targets.season),
        }
        self.body = large_body(BODY_BYTES)
        self.chunked_body = chunked(self.body)
        self.expensive_sent = 0

    def expensive(self) -> bytes:
        """The next expensive query: seasons in turn, the cursor moving on every round, so
        no two ask the same page (the response cache misses)."""
        n = self.series + self.expensive_sent * self.of
        self.expensive_sent += 1
        seasons = self.targets.seasons
        after = encode_cursor(n // len(seasons)) if n >= len(seasons) else None
        return graphql_body(EXPENSIVE, {"season": seasons[n % len(seasons)], "after": after})

    async def send(self, connection: Connection, kind: str) -> tuple[Answer, float]:
        """Send one request of ``kind``; returns its answer and when it came (perf_counter)."""
        if kind in ("expensive", *self.documents):
            body = self.expensive() if kind == "expensive" else self.documents[kind]
            return await connection.request("POST", "/graphql", body), time.perf_counter()
        head = "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if kind == "body_30mb":
            return await send_large(
                connection, f"{head}Content-Length: {len(self.body)}\r\n\r\n", self.body
            )
        return await send_large(
            connection, f"{head}Transfer-Encoding: chunked\r\n\r\n", self.chunked_body
        )

    async def client(self, kind: str, source: str, deadline: float) -> list[tuple]:
        """Send ``kind`` back to back until ``deadline``; returns (kind, outcome, latency in
        seconds, sent and answered as wall-clock times) per request."""
        records = []
        connection = Connection("127.0.0.1", self.port, source=source)
        try:
            while time.perf_counter() < deadline:
                sent, began = time.time(), time.perf_counter()
                try:
                    answer, answered = await self.send(connection, kind)
                    found = outcome(answer)
                except (ConnectionError, asyncio.IncompleteReadError):
                    connection.close()
                    found, answered = "connection lost", time.perf_counter()
                records.append((kind, found, answered - began, sent, sent + answered - began))
        finally:
            connection.close()
        return records


async def send_large(connection: Connection, head: str, body: bytes) -> tuple[Answer, float]:
    """Send the whole of ``body`` in pieces, as an attacker would, while waiting for the
    answer, which may come first; returns the answer and when it came (perf_counter)."""

    reader, writer = await connection.open()

    async def answer() -> tuple[Answer, float]:
        # From this connection's reader: the server may answer and close it while the body
        # is still being sent, and a new connection would wait for nothing.
        return await connection.answer(reader), time.perf_counter()

    answered = asyncio.ensure_future(answer())
    writer.write(head.encode())
    view = memoryview(body)
    try:
        for at in range(0, len(body), 256 * 1024):
            writer.write(view[at : at + 256 * 1024])
            await writer.drain()  # the rest is read and dropped by the server
    except ConnectionError:
        pass
    try:
        return await answered
    except (ConnectionError, asyncio.IncompleteReadError):
        # The server refused the body by closing the connection before its answer could be
        # read (it reads no further than the limit): a refusal too, as cheap as one can be.
        return Answer(CLOSED, b"", False), time.perf_counter()
    finally:
        connection.close()


def outcome(answer: Answer) -> str:
    """``413``, ``429``, ``closed`` (an oversized body cut off), ``QUERY_TOO_COMPLEX
    (<limit>)``, ``served`` (a 200 with data from the executed query), ``cached``, or the
    status and error codes of anything else."""
    if answer.status == CLOSED:
        return "closed"
    if answer.status in (413, 429):
        return str(answer.status)
    if answer.status == 200 and b'"errors"' not in answer.body:
        return "cached" if answer.hit else "served"
    try:
        errors = json.loads(answer.body).get("errors") or []
    except ValueError:
        errors = []
    extensions = [error.get("extensions") or {} for error in errors]
    codes = sorted({str(e.get("code")) for e in extensions})
    if answer.status == 200 and codes == ["QUERY_TOO_COMPLEX"]:
        return f"QUERY_TOO_COMPLEX ({(extensions[0].get('details') or {}).get('limit')})"
    return f"{answer.status} {','.join(codes) or 'no code'}"


def attack_process(
    port: int,
    clients: list[tuple[str, str]],
    targets: Targets,
    series: tuple[int, int],
    seconds: float,
    start: Any,
    results: Any,
) -> None:
    """One attack process: ``clients`` (kind, local address) pairs, run for ``seconds`` once
    ``start`` is set; puts ("ready", pid) then ("done", records, CPU and wall seconds).
    ``series``: this process's (series, of) among the senders of expensive queries."""
    attack = Attack(port, targets, series=series[0], of=series[1])
    results.put(("ready", os.getpid()))
    start.wait()
    before, began = os.times(), time.perf_counter()

    async def run() -> list[tuple]:
        deadline = time.perf_counter() + seconds
        done = await asyncio.gather(*(attack.client(k, s, deadline) for k, s in clients))
        return [record for records in done for record in records]

    records = asyncio.run(run())
    after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    results.put(("done", {"records": records, "cpu": cpu, "wall": time.perf_counter() - began}))


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds process ``pid`` has used (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


@dataclass
class Run:
    """One measured run: the well-behaved clients' tally, CPU used, the hostile records."""

    tally: Tally
    wall: float
    server_cpu: float
    driver_cpu: float
    hostile: list[tuple]
    attack_cpu: float = 0.0
    attack_wall: float = 0.0
    attack_processes: int = 0


def standings_requests(ids: dict[str, list]) -> list[tuple[str, str, dict[str, Any]]]:
    """The standings query of every season and skill group: method, path, JSON body."""
    return [
        ("POST", "/graphql", {"query": STANDINGS, "variables": {"season": str(s), "group": str(g)}})
        for s, g in ids["standings"]
    ]


async def fill_cache(server: Server, standings: list) -> None:
    """Every table read once, each from an address of its own (whatever the budget): the
    steady state of a live league, where each table was read since the last result."""
    sources = [PRIME_SOURCE.format(n + 1) for n in range(len(standings))]  # 40 tables
    await prime(server.port, standings, clients=len(sources), sources=sources)


async def alone(
    server: Server, ids: dict[str, list], targets: Targets, args: argparse.Namespace
) -> dict[str, dict]:
    """Each kind of request sent ``ALONE[kind]`` times one after another, each kind from an
    address of its own: the server's CPU per request, the median latency and the answers."""
    standings = standings_requests(ids)
    await fill_cache(server, standings)
    attack = Attack(server.port, targets, series=0, of=args.attack_processes + 1)
    costs = {}
    for n, (kind, count) in enumerate(ALONE.items(), 1):
        connection = Connection("127.0.0.1", server.port, source=ALONE_SOURCE.format(n))
        latencies, answers = [], Counter()
        before = cpu_seconds(server.process.pid)
        for sent in range(count):
            began = time.perf_counter()
            if kind == "healthz":
                answer = await connection.request("GET", "/healthz", None)
                answered = time.perf_counter()
            elif kind == "standings":
                _, path, body = standings[sent % len(standings)]
                answer = await connection.request("POST", path, json.dumps(body).encode())
                answered = time.perf_counter()
            else:
                answer, answered = await attack.send(connection, kind)
            latencies.append(answered - began)
            answers[outcome(answer)] += 1
        await asyncio.sleep(0.2)  # the end of the last body, read after the answer
        connection.close()
        costs[kind] = {
            "cpu_ms": (cpu_seconds(server.process.pid) - before) / count * 1000,
            "p50_ms": statistics.median(latencies) * 1000,
            "answers": answers,
        }
    return costs


def print_alone(costs: dict[str, dict]) -> None:
    print("\none at a time (each kind from an address of its own, before the runs):")
    print(f"{'request':<19}{'sent':>6}{'server CPU ms':>15}{'p50 ms':>8}  answers")
    for kind, cost in costs.items():
        answers = ", ".join(f"{name}: {count}" for name, count in cost["answers"].most_common())
        print(f"{kind:<19}{ALONE[kind]:>6}{cost['cpu_ms']:>15.2f}{cost['p50_ms']:>8.1f}  {answers}")


async def measure(
    server: Server,
    ids: dict[str, list],
    targets: Targets,
    args: argparse.Namespace,
    *,
    attack: bool,
) -> Run:
    """One run of ``args.seconds``: the well-behaved clients, beside the attack if ``attack``."""
    standings = standings_requests(ids)
    await fill_cache(server, standings)
    turn = [0] * args.clients
    rng = random.Random(3)

    def next_request(n: int) -> tuple:
        turn[n] ^= 1
        if turn[n]:
            return ("healthz", "GET", "/healthz", None)
        return ("standings", *rng.choice(standings))

    context = multiprocessing.get_context("spawn")
    results, start = context.Queue(), context.Event()
    kinds = [args.kinds[n % len(args.kinds)] for n in range(args.attackers if attack else 0)]
    plan = [
        (kind, EXPENSIVE_SOURCE if kind == "expensive" else HOSTILE_SOURCE.format(n + 1))
        for n, kind in enumerate(kinds)
    ]
    processes = [
        context.Process(
            target=attack_process,
            args=(
                server.port,
                plan[p :: args.attack_processes],
                targets,
                (p + 1, args.attack_processes + 1),  # series 0: the requests sent alone
                args.seconds,
                start,
                results,
            ),
        )
        for p in range(args.attack_processes if plan else 0)
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            await asyncio.to_thread(_message, results, "ready", processes)
        server_before, driver_before = cpu_seconds(server.process.pid), own_cpu_seconds()
        began = time.perf_counter()
        start.set()
        tally = await drive(
            server.port,
            next_request,
            seconds=args.seconds,
            clients=args.clients,
            sources=[WELL_BEHAVED_SOURCE.format(n + 1) for n in range(args.clients)],
        )
        wall = time.perf_counter() - began
        run = Run(
            tally=tally,
            wall=wall,
            server_cpu=cpu_seconds(server.process.pid) - server_before,
            driver_cpu=own_cpu_seconds() - driver_before,
            hostile=[],
            attack_processes=len(processes),
        )
        for _ in processes:
            done = await asyncio.to_thread(_message, results, "done", processes)
            run.hostile.extend(done["records"])
            run.attack_cpu += done["cpu"]
            run.attack_wall = max(run.attack_wall, done["wall"])
        return run
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


def _message(results: Any, expected: str, processes: list) -> Any:
    """The next message of an attack process, which must be ``expected``."""
    while True:
        try:
            kind, value = results.get(timeout=5)
        except queue.Empty:
            dead = [p.pid for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"attack process(es) {dead} failed") from None
            continue
        if kind != expected:
            raise RuntimeError(f"attack process said {kind!r}, expected {expected!r}")
        return value


def server_errors(log: Path) -> list[str]:
    """The lines of the server's log at level error or worse."""
    levels = ('"level": "error"', '"level": "critical"', "Traceback")
    return [
        line
        for line in log.read_text(errors="replace").splitlines()
        if any(level in line for level in levels)
    ]


def budget_windows(records: list[tuple], window: float, allowed: int) -> list[dict[str, int]]:
    """The expensive identity's answers per rate-limit window (the window they were sent
    in, which the server charges them to on arrival): served, refused, served past the
    budget (beyond the ``allowed`` the budget covers), and served although sent after a
    refusal had been answered. The last two must be 0."""
    windows: dict[int, list[tuple]] = defaultdict(list)
    for kind, found, _, sent, answered in records:
        if kind == "expensive":
            windows[math.floor(sent / window)].append((found, sent, answered))
    report = []
    for number in sorted(windows):
        rows = windows[number]
        refusals = [answered for found, _, answered in rows if found == "429"]
        first = min(refusals, default=math.inf)
        served = sum(found == "served" for found, _, _ in rows)
        report.append(
            {
                "served": served,
                "refused": len(refusals),
                "past_budget": max(0, served - allowed),
                "served_after_refusal": sum(
                    found == "served" and sent > first for found, sent, _ in rows
                ),
            }
        )
    return report


def expensive_points(settings: Settings, targets: Targets) -> tuple[int, int]:
    """The expensive query's estimated fields (as the server measures them) and points."""
    schema = build_schema()._schema
    fields = measure_operation(
        schema,
        parse(EXPENSIVE),
        operation_name=None,
        variables={"season": targets.season, "after": None},
        limits=QueryLimits(),
    ).cost
    return fields, 1 + fields // settings.rate_limit_fields_per_point


def print_well_behaved(runs: dict[str, Run], clients: int) -> None:
    print(
        f"\nwell-behaved: {clients} clients, each alternating /healthz and a cached standings"
        " query, each from its own address"
    )
    print(
        f"{'run':<14}{'requests':>9}{'errors':>7}{'req/s':>8}{'healthz p95':>12}"
        f"{'standings p95':>14}{'cached':>7}{'p50 ms':>8}{'p95 ms':>8}{'server':>8}"
        f"{'driver':>8}"
    )
    for name, run in runs.items():
        every = run.tally.summary()
        health, table = run.tally.summary("healthz"), run.tally.summary("standings")
        print(
            f"{name:<14}{every['requests']:>9}{every['errors']:>7}{every['rps']:>8.0f}"
            f"{health['p95_ms']:>12.1f}{table['p95_ms']:>14.1f}{table['hit_ratio']:>7.0%}"
            f"{every['p50_ms']:>8.1f}{every['p95_ms']:>8.1f}"
            f"{run.server_cpu / run.wall:>8.2f}{run.driver_cpu / run.wall:>8.2f}"
        )
    print("(server, driver: cores, i.e. CPU seconds per wall second of the run)")


def print_hostile(run: Run, attackers: int) -> dict[str, Any]:
    """Prints the hostile requests by kind; returns the figures the targets are judged by."""
    by_kind: dict[str, list[tuple]] = defaultdict(list)
    for record in run.hostile:
        by_kind[record[0]].append(record)
    print(
        f"\nhostile: {attackers} clients in {run.attack_processes} process(es), "
        f"{run.attack_cpu:.1f} CPU s in {run.attack_wall:.1f} s: the attackers took "
        f"{run.attack_cpu / run.attack_wall:.2f} cores (of {os.cpu_count()})"
    )
    print(
        f"{'kind':<19}{'sent':>7}{'rejected':>9}{'p50 ms':>8}{'p95 ms':>8}{'rej. p95':>9}  answers"
    )
    rejection_p95 = {}
    for kind, rows in [*by_kind.items(), ("all", run.hostile)]:
        latencies = [r[2] for r in rows]
        refused = [r[2] for r in rows if r[1].startswith(REJECTED)]
        if kind != "all":
            rejection_p95[kind] = p95(refused) * 1000
        answers = Counter(r[1] for r in rows) if kind != "all" else Counter()
        print(
            f"{kind:<19}{len(rows):>7}{len(refused):>9}"
            f"{statistics.median(latencies) * 1000:>8.1f}{p95(latencies) * 1000:>8.1f}"
            f"{p95(refused) * 1000:>9.1f}  "
            + ", ".join(f"{name}: {count}" for name, count in answers.most_common())
        )
    rows = run.hostile
    return {
        "sent": len(rows),
        "rejected": sum(r[1].startswith(REJECTED) for r in rows),
        "p95_ms": p95([r[2] for r in rows]) * 1000,
        "rejection_p95_ms": rejection_p95,
        "not_rejected": Counter(r[1] for r in rows if not r[1].startswith(REJECTED)),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--clients", type=int, default=20, help="well-behaved clients")
    parser.add_argument("--attackers", type=int, default=20, help="hostile clients")
    parser.add_argument("--attack-processes", type=int, default=1)
    parser.add_argument("--cache", choices=("memory", "redis"), default="memory")
    parser.add_argument(
        "--rate-limit-points",
        type=int,
        help="every client's budget per window (default: the server's, 600)",
    )
    parser.add_argument(
        "--kinds",
        type=lambda text: text.split(","),
        default=list(KINDS),
        help=f"hostile kinds the attackers take in turn (default: {','.join(KINDS)})",
    )
    args = parser.parse_args()
    if args.attackers < 1 or args.clients < 1 or not 1 <= args.attack_processes <= args.attackers:
        parser.error("needs a client, an attacker, and 1 to --attackers attack processes")
    if unknown := set(args.kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    settings = Settings()  # the server's defaults (and any SPROCKET_* set here)
    if args.rate_limit_points is not None:
        settings = settings.model_copy(update={"rate_limit_points": args.rate_limit_points})
    prefix = f"sprocket_bench_{uuid.uuid4().hex[:8]}:"
    env = {
        "SPROCKET_RATE_LIMIT_POINTS": str(settings.rate_limit_points),
        "SPROCKET_RATE_LIMIT_WINDOW_SECONDS": str(settings.rate_limit_window_seconds),
        "SPROCKET_RATE_LIMIT_FIELDS_PER_POINT": str(settings.rate_limit_fields_per_point),
        "SPROCKET_MAX_BODY_BYTES": str(settings.max_body_bytes),
        "SPROCKET_LOG_FORMAT": "json",  # read back for errors at the end
    }
    if args.cache == "redis":
        env |= {"SPROCKET_CACHE_URL": REDIS_URL, "SPROCKET_CACHE_PREFIX": prefix}
    try:
        async with bench_database() as url:
            began = time.perf_counter()
            ids = await seed(url)
            print(f"seeded in {time.perf_counter() - began:.1f} s", flush=True)
            team, season = ids["rosters"][0]
            targets = Targets(
                season=str(season),
                team=str(team),
                seasons=tuple(sorted({str(s) for s, _ in ids["standings"]})),
            )
            async with sprocket_server(url, env) as server:
                costs = await alone(server, ids, targets, args)
                quiet = await measure(server, ids, targets, args, attack=False)
                attacked = await measure(server, ids, targets, args, attack=True)
                faults = server_errors(server.log)
    finally:
        if args.cache == "redis":
            await _forget(prefix)
    report(args, settings, targets, costs, quiet, attacked, faults)


def report(
    args: argparse.Namespace,
    settings: Settings,
    targets: Targets,
    costs: dict[str, dict],
    quiet: Run,
    attacked: Run,
    faults: list[str],
) -> None:
    fields, points = expensive_points(settings, targets)
    print(
        f"\none `sprocket serve` on PostgreSQL, {args.cache} cache, {os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f} at the end); rate budget "
        f"{settings.rate_limit_points} points per {settings.rate_limit_window_seconds:g} s per "
        f"client, one per uncached request and one per {settings.rate_limit_fields_per_point} "
        f"estimated fields; body limit {settings.max_body_bytes:,} bytes"
    )
    print_alone(costs)
    print_well_behaved({"quiet": quiet, "under attack": attacked}, args.clients)
    hostile = print_hostile(attacked, args.attackers)
    allowed = (settings.rate_limit_points - 1) // points + 1
    windows = budget_windows(attacked.hostile, settings.rate_limit_window_seconds, allowed)
    print(
        f"\nexpensive identity ({EXPENSIVE_SOURCE}): each query estimated at {fields:,} fields, "
        f"{points} points: the budget of {settings.rate_limit_points} covers {allowed} per "
        "window (the one that crosses it included)"
    )
    for number, window in enumerate(windows, 1):
        print(
            f"  window {number}: {window['served']} served, {window['refused']} refused (429); "
            f"{window['past_budget']} served past the budget, "
            f"{window['served_after_refusal']} served after a refusal"
        )
    quiet_p95 = quiet.tally.summary()["p95_ms"]
    attacked_p95 = attacked.tally.summary()["p95_ms"]
    served = sum(w["served"] for w in windows)
    past = sum(w["past_budget"] + w["served_after_refusal"] for w in windows)
    leaks = {k: v for k, v in hostile["not_rejected"].items() if k != "served"}
    print("\ntargets:")
    print(
        f"  hostile requests rejected: {hostile['rejected']} of {hostile['sent']}; "
        "not rejected: "
        + (", ".join(f"{k}: {v}" for k, v in hostile["not_rejected"].items()) or "none")
        + (f"  MISSED: {leaks}" if leaks else "")
    )
    slowest = max(hostile["rejection_p95_ms"].items(), key=lambda item: item[1])
    print(
        f"  rejections' p95 per kind: at most {slowest[1]:.1f} ms ({slowest[0]}; target < 20 ms)"
        + ("" if slowest[1] < 20 else "  MISSED")
    )
    print(
        f"  expensive queries served past the budget: {past} (target 0)"
        + ("" if past == 0 else "  MISSED")
    )
    ratio = attacked_p95 / quiet_p95 if quiet_p95 else math.inf
    print(
        f"  well-behaved p95 under attack: {attacked_p95:.1f} ms, {ratio:.2f}x the quiet "
        f"{quiet_p95:.1f} ms (target <= 2x)" + ("" if ratio <= 2 else "  MISSED")
    )
    print(f"  errors in the server's log: {len(faults)}" + ("  MISSED" if faults else ""))
    for fault in faults[:3]:
        print(f"    {fault[:300]}")
    print(
        json.dumps(
            {
                "quiet_p95_ms": round(quiet_p95, 2),
                "under_attack_p95_ms": round(attacked_p95, 2),
                "hostile_p95_ms": round(hostile["p95_ms"], 2),
                "hostile_rejected": hostile["rejected"],
                "hostile_sent": hostile["sent"],
                "slowest_rejection_p95_ms": round(slowest[1], 2),
                "expensive_served": served,
                "expensive_served_past_budget": past,
                "attacker_cores": round(attacked.attack_cpu / attacked.attack_wall, 2),
                "server_cores_quiet": round(quiet.server_cpu / quiet.wall, 2),
                "server_cores_under_attack": round(attacked.server_cpu / attacked.wall, 2),
                "cache": args.cache,
            }
        )
    )


async def _forget(prefix: str) -> None:
    """Delete the benchmark's keys from Redis."""
    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
