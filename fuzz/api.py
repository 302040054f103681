"""A bounded fuzz run of the GraphQL API: no generated request may end in an HTTP 5xx or an
``INTERNAL_SERVER_ERROR``.

    uv run python fuzz/api.py [--examples 100] [--seed 8 | --random-seed] [--postgres URL]
                              [any `schemathesis run` option, e.g. --include-name Query.team]

It migrates a fresh database (a SQLite file in a temporary folder, or with ``--postgres`` a
new database on that server, dropped at the end), fills it with the demo organization
(``sprocket demo``), mints a platform admin's token (``sprocket token --superuser``), starts
``sprocket serve`` on a free local port and runs Schemathesis in GraphQL mode against
``/graphql`` twice: anonymous (half the cases negative: values of the wrong type), then with
the token (positive cases, every operation but ``revokeApiToken``, which would revoke the
token itself). Schemathesis writes queries and mutations from the schema
(hypothesis-graphql), at most ``--examples`` per operation and phase; ``fuzz/hooks.py`` gives
it our scalars, the league's words for some arguments, values as variables in every other
request, and the check ``no_internal_error``, beside Schemathesis's own GraphQL response
checks. The server's log must hold no error either (an unexpected fault in a job a request
started, say). The query limits stay at their defaults (a ``QUERY_TOO_COMPLEX`` answer is a
correct refusal); the rate limit is raised so the run is not refused as a flood.

The seed is fixed (8) so a run is reproducible; ``--random-seed`` draws one (printed, so a
failure can be replayed with ``--seed``). Exit 0 when both passes are clean, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STAFF_DISCORD_ID = "100000000000000001"
#: Longest one pass may take before it counts as a failure (a hung server, say).
PASS_TIMEOUT_SECONDS = 900


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=100, help="test cases per operation and phase"
    )
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=int, default=8, help="hypothesis seed (default 8)")
    seeds.add_argument("--random-seed", action="store_true", help="draw a seed and print it")
    parser.add_argument(
        "--postgres", metavar="URL", help="run on a new database of this PostgreSQL server"
    )
    args, passthrough = parser.parse_known_args()
    seed = random.SystemRandom().randrange(2**32) if args.random_seed else args.seed
    print(f"fuzz: seed {seed}, {args.examples} examples per operation and phase", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="sprocket-fuzz-") as folder,
        _database(args.postgres) as database_url,
    ):
        env = _server_env(Path(folder), database_url)
        _sprocket(env, "demo")
        token = _sprocket(env, "token", "--discord-id", STAFF_DISCORD_ID, "--superuser")
        token = token.strip().splitlines()[-1].strip()
        log_path = Path(folder) / "server.log"
        with _server(env, log_path) as base:
            failed = False
            # Anonymous, every case is refused before its data matters, so half the cases
            # are negative ones (values of the wrong type): GraphQL validation must refuse
            # them. With the token, the cases are positive, to get past validation.
            anonymous = ["--mode", "all", *passthrough]
            staff = [
                *("--mode", "positive"),
                *("--header", f"Authorization: Bearer {token}"),
                # Revoking its own token would leave the rest of the pass anonymous.
                *("--exclude-name", "Mutation.revokeApiToken"),
                *passthrough,
            ]
            for caller, extra in (("anonymous", anonymous), ("staff", staff)):
                failed |= not _fuzz_pass(
                    base, caller, extra, seed, args.examples, Path(folder), log_path
                )
            faults = _logged_faults(log_path)
        for fault, times in collections.Counter(faults).most_common():
            print(f"fuzz: the server logged {times} x {fault}", flush=True)
        failed |= bool(faults)
    print("fuzz: FAILED" if failed else "fuzz: passed", flush=True)
    return 1 if failed else 0


@contextlib.contextmanager
def _database(postgres: str | None) -> Iterator[str | None]:
    """None (the embedded SQLite file) or the URL of a new PostgreSQL database, dropped after."""
    if postgres is None:
        yield None
        return
    admin = make_url(postgres).set(drivername="postgresql").render_as_string(False)
    name = f"sprocket_fuzz_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres).set(database=name).render_as_string(False)
    finally:
        asyncio.run(_pg(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _server_env(folder: Path, database_url: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SPROCKET_") or key == "SPROCKET_SECRETS_DIR"
    }
    env.update(
        SPROCKET_DATA_DIR=str(folder / "data"),
        SPROCKET_RATE_LIMIT_POINTS=str(10**9),
        SPROCKET_LOG_FORMAT="json",
        SPROCKET_PORT=str(_free_port()),
    )
    if database_url:
        env["SPROCKET_DATABASE_URL"] = database_url
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sprocket(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [str(BIN / "sprocket"), *arguments],
        env={**env, "COLUMNS": "500"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"fuzz: `sprocket {arguments[0]}` failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def _server(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """``sprocket serve`` in a subprocess, its log in ``log_path``; yields its base URL."""
    base = f"http://127.0.0.1:{env['SPROCKET_PORT']}"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "sprocket"), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while not _answers(base):
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"fuzz: the server did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _fuzz_pass(
    base: str,
    caller: str,
    extra: list[str],
    seed: int,
    examples: int,
    folder: Path,
    log_path: Path,
) -> bool:
    """One Schemathesis run as ``caller`` (``extra``: its own options); prints its summary
    and the server's answers (HTTP statuses from its metrics, refusals by code from its log)."""
    print(f"\nfuzz: {caller} pass", flush=True)
    before = _answer_counts(base)
    log_start = log_path.stat().st_size
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/graphql",
        "--seed",
        str(seed),
        "--max-examples",
        str(examples),
        "--phases",
        "fuzzing,stateful",
        # Our typed refusals (NOT_FOUND, PERMISSION_DENIED...) carry a path, which
        # Schemathesis's generic GraphQL checks take for server or client faults; the
        # hooks' `no_internal_error` judges by the codes instead.
        "--exclude-checks",
        "not_a_server_error,positive_data_acceptance",
        "--generation-database",
        "none",
        "--warnings",
        "off",
        "--no-color",
        "--report-dir",
        str(folder / f"report-{caller}"),
    ]
    command += extra
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "fuzz.hooks"}
    began = time.monotonic()
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, timeout=PASS_TIMEOUT_SECONDS, check=False)
        ok = done.returncode == 0
    except subprocess.TimeoutExpired:
        print(f"fuzz: the {caller} pass ran past {PASS_TIMEOUT_SECONDS} s", flush=True)
        ok = False
    seconds = time.monotonic() - began
    after = _answer_counts(base)
    answers = {status: after[status] - before.get(status, 0) for status in after}
    answers = {status: count for status, count in sorted(answers.items()) if count}
    print(
        f"fuzz: {caller} pass {'passed' if ok else 'FAILED'} in {seconds:.0f} s: "
        f"{sum(answers.values())} requests to /graphql, answered {json.dumps(answers)}",
        flush=True,
    )
    print(f"fuzz: {caller} refusals by code: {json.dumps(_refusals(log_path, log_start))}")
    return ok and not any(status.startswith("5") for status in answers)


def _answer_counts(base: str) -> dict[str, int]:
    """Requests to /graphql so far, by HTTP status, from the server's own metrics."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    pattern = (
        r'sprocket_http_requests_total\{method="[A-Z]+",route="/graphql",status="(\d+)"\} (\S+)'
    )
    counts: dict[str, int] = {}
    for status, value in re.findall(pattern, text):
        counts[status] = counts.get(status, 0) + int(float(value))
    return counts


def _refusals(log_path: Path, start: int) -> dict[str, int]:
    """How many GraphQL errors of each code the server logged from byte ``start`` on."""
    with log_path.open("rb") as log:
        log.seek(start)
        lines = log.read().decode(errors="replace").splitlines()
    codes: collections.Counter[str] = collections.Counter()
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("event") == "graphql.refused":
            codes[str(entry.get("code"))] += 1
    return dict(codes.most_common())


def _logged_faults(log_path: Path) -> list[str]:
    """The server log's entries at level error or above (its JSON lines), one line each: the
    event, the GraphQL path and the exception's last line."""
    faults = []
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") in ("error", "critical"):
            causes = [
                line
                for line in (entry.get("exception") or "").splitlines()
                if re.match(r"[\w.]+(Error|Exception)\b", line)
            ]
            cause = causes[-1][:300] if causes else ""
            faults.append(f"{entry.get('event')} at {entry.get('path')}: {cause}")
    return faults


if __name__ == "__main__":
    sys.exit(main())
