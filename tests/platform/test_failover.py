"""Several processes, nothing lost (issue 12, point 6).

Two API processes behind a real load balancer (HAProxy) and two workers, on the real
PostgreSQL, RabbitMQ, Redis and S3 (moto), under a mixed load of reads, replay uploads and
ratifications. Mid-run one API process and one worker are killed with SIGKILL, then started
again. Afterwards every match has exactly one submission, accepted once, with its games
recorded once and its replays stored; the share of requests that failed during the failover is
printed (clients retry, as a player's browser or bot does).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aioboto3
import httpx
import pytest
from sqlalchemy import func, select

from sprocket.db import utcnow
from sprocket.demo import build_demo
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.identity.models import User
from sprocket.replays.models import Submission, SubmissionReplay
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from sprocket.schedule.models import Fixture, Match, MatchGame
from tests.api.test_replay_api import RATIFY, SUBMIT, post_multipart
from tests.conftest import AMQP_URL, POSTGRES_URL, REDIS_URL
from tests.helpers.demo_series import home_sweep, roster_side
from tests.helpers.processes import Process, free_port, start, wait_until_answering
from tests.helpers.required import installed

pytestmark = pytest.mark.skipif(
    not (POSTGRES_URL and REDIS_URL and AMQP_URL),
    reason="the failover runs on the real PostgreSQL, Redis and RabbitMQ (SPROCKET_TEST_*_URL; "
    "CI's second pass sets them)",
)

MATCHES = 6  # series uploaded and ratified during the run
SUBMISSIONS = """query($m: ID!) { submissions(matchId: $m) { id status } }"""
STANDINGS_READ = "{ organizations { items { id name } } }"
DEADLINE = 600.0  # seconds for the whole load (a busy CI machine is slow, never this slow)


@dataclass
class Series:
    match_id: int
    uploader: str  # API token of a home player
    ratifier: str  # API token of an away player
    files: list[Upload]
    submission_id: str | None = None
    accepted: bool = False


@dataclass
class Tally:
    """Every request the load sent, by outcome."""

    outcomes: Counter[str] = field(default_factory=Counter)

    def share_failed(self) -> float:
        total = sum(self.outcomes.values())
        return self.outcomes["failed"] / total if total else 0.0


async def _token(session, user_id: int) -> str:
    _, secret = await identity.issue_token(
        session, actor=Actor(user_id=user_id), name="failover load", days=1
    )
    return secret


async def _series(platform: Runtime) -> list[Series]:
    """The demo league, and a home win 3-0 of replays for each of the first open matches."""
    async with platform.unit_of_work() as session:
        await build_demo(session)
    now = utcnow()
    prepared: list[Series] = []
    async with platform.unit_of_work() as session:
        matches = (
            await session.scalars(
                select(Match)
                .where(Match.status == "scheduled", Match.starts_at <= now, Match.ends_at > now)
                .order_by(Match.id)
                .limit(MATCHES)
            )
        ).all()
        assert len(matches) >= 2, "the demo season has open matches this week"
        for match in matches:
            fixture = await session.get(Fixture, match.fixture_id)
            home = (await roster_side(session, fixture.home_team_id))[:2]
            away = (await roster_side(session, fixture.away_team_id))[:2]
            files = home_sweep(match.id, home, away, now, prefix=f"m{match.id}-")
            uploader = await session.get(User, home[0][0].user_id)
            ratifier = await session.get(User, away[0][0].user_id)
            prepared.append(
                Series(
                    match.id,
                    await _token(session, uploader.id),
                    await _token(session, ratifier.id),
                    files,
                )
            )
    return prepared


class Load:
    """Drives the series through the load balancer, retrying what fails as clients do."""

    def __init__(self, base: str, tally: Tally) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=60)
        self.tally = tally

    async def graphql(
        self, token: str, query: str, variables: dict[str, Any], files: list[Upload] | None = None
    ) -> dict[str, Any] | None:
        """The answer, or None when the request failed in transport (the balancer's 502/503,
        a connection cut by a killed process)."""
        try:
            if files is None:
                response = await self.http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
            else:
                response = await post_multipart(self.http, query, variables, files, token=token)
        except httpx.HTTPError:
            self.tally.outcomes["failed"] += 1
            return None
        if response.status_code >= 500 or response.status_code == 429:
            self.tally.outcomes["failed"] += 1
            return None
        self.tally.outcomes["ok"] += 1
        return response.json()

    async def submission(self, series: Series) -> dict[str, Any] | None:
        answer = await self.graphql(series.uploader, SUBMISSIONS, {"m": str(series.match_id)})
        if answer is None or "data" not in answer:
            return None
        found = answer["data"]["submissions"]
        return found[0] if found else None

    async def drive(self, series: Series) -> None:
        """Upload (unless a submission exists), wait for processing, ratify, see it accepted."""
        while not series.accepted:
            current = await self.submission(series)
            if current is None:
                answer = await self.graphql(
                    series.uploader, SUBMIT, {"m": str(series.match_id)}, series.files
                )
                if answer and answer.get("errors"):
                    # A retried upload that landed before its answer was lost: it says so.
                    codes = {e["extensions"]["code"] for e in answer["errors"]}
                    assert codes <= {"SUBMISSION_IN_PROGRESS", "REPLAY_ALREADY_USED"}, answer
            elif current["status"] == "AWAITING_RATIFICATION":
                answer = await self.graphql(series.ratifier, RATIFY, {"s": current["id"]})
                if answer and answer.get("errors"):
                    codes = {e["extensions"]["code"] for e in answer["errors"]}
                    assert codes <= {"NOT_AWAITING_RATIFICATION"}, answer
            elif current["status"] == "ACCEPTED":
                series.submission_id = current["id"]
                series.accepted = True
                return
            else:
                assert current["status"] in {"PROCESSING", "VALIDATING"}, current
            await asyncio.sleep(0.2)

    async def read(self, token: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.graphql(token, STANDINGS_READ, {})
            try:
                response = await self.http.get("/")
                self.tally.outcomes["failed" if response.status_code >= 500 else "ok"] += 1
            except httpx.HTTPError:
                self.tally.outcomes["failed"] += 1
            await asyncio.sleep(0.05)


def _haproxy(haproxy: str, config: Path, port: int, backends: list[int]) -> subprocess.Popen[bytes]:
    """HAProxy (the program ``haproxy``) on ``port`` balancing ``backends`` round robin; a
    server counts as down after three failed health checks (a refused connection fails at
    once; a slow answer on a busy machine has 10 s)."""
    servers = "\n".join(f"  server api{n} 127.0.0.1:{p} check" for n, p in enumerate(backends))
    config.write_text(
        f"""global
  maxconn 512
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  retries 3
  option redispatch
  retry-on conn-failure
  timeout check 10s
frontend web
  bind 127.0.0.1:{port}
  default_backend api
backend api
  balance roundrobin
  option httpchk GET /healthz
  default-server inter 1s downinter 250ms fall 3 rise 1
{servers}
"""
    )
    checked = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with config.with_suffix(".log").open("ab") as log:
        return subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=log, stderr=log)


async def _create_bucket(endpoint: str, bucket: str) -> None:
    session = aioboto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    async with session.client("s3", endpoint_url=endpoint) as s3:
        await s3.create_bucket(Bucket=bucket)


async def test_killing_an_api_process_and_a_worker_loses_and_doubles_nothing(
    platform: Runtime, database_url: str, moto_endpoint: str, tmp_path: Path
) -> None:
    haproxy = installed("haproxy", package="haproxy", required_by="SPROCKET_REQUIRE_HAPROXY")
    series = await _series(platform)
    bucket = f"failover-{uuid.uuid4().hex[:8]}"
    await _create_bucket(moto_endpoint, bucket)
    run = uuid.uuid4().hex[:8]
    env = {
        "SPROCKET_DATABASE_URL": database_url,
        "SPROCKET_DATA_DIR": str(tmp_path / "data"),
        "SPROCKET_STORAGE_URL": f"s3://{bucket}/replays",
        "SPROCKET_S3_ENDPOINT_URL": moto_endpoint,
        "SPROCKET_S3_REGION": "us-east-1",
        "SPROCKET_S3_ACCESS_KEY_ID": "testing",
        "SPROCKET_S3_SECRET_ACCESS_KEY": "testing",
        "SPROCKET_CACHE_URL": REDIS_URL or "",
        "SPROCKET_CACHE_PREFIX": f"sprocket-failover-{run}:",
        "SPROCKET_BROKER_URL": AMQP_URL or "",
        "SPROCKET_QUEUE_NAME": f"sprocket-failover-{run}",
        "SPROCKET_SECRETS_DIR": str(tmp_path / "no-secrets"),
        "SPROCKET_OUTBOX_POLL_SECONDS": "0.2",
        "SPROCKET_RATE_LIMIT_POINTS": "1000000",  # the load is one client
        "SPROCKET_LOG_LEVEL": "info",
    }
    ports = [free_port(), free_port()]

    def api(n: int) -> Process:
        args = ["serve", "--host", "127.0.0.1", "--port", str(ports[n])]
        return start(args, env=env, log=tmp_path / f"api{n}.log")

    def worker(n: int) -> Process:
        return start(["worker"], env=env, log=tmp_path / f"worker{n}.log")

    apis = [api(0), api(1)]
    workers = [worker(0), worker(1)]
    balancer_port = free_port()
    balancer = _haproxy(haproxy, tmp_path / "haproxy.cfg", balancer_port, ports)
    tally = Tally()
    load = Load(f"http://127.0.0.1:{balancer_port}", tally)
    tasks: list[asyncio.Task[None]] = []
    try:
        for n, process in enumerate(apis):
            await asyncio.to_thread(
                wait_until_answering, process, f"http://127.0.0.1:{ports[n]}/healthz", 240
            )
        stop_reads = asyncio.Event()
        readers = [asyncio.create_task(load.read(s.uploader, stop_reads)) for s in series[:2]]
        driving = [asyncio.create_task(load.drive(s)) for s in series]
        tasks = [*readers, *driving]

        # Mid-run: once the first uploads have landed, kill one API process and one worker.
        async def some_submitted() -> bool:
            async with platform.reading() as session:
                return bool(await session.scalar(select(func.count()).select_from(Submission)))

        await _until(some_submitted, within=DEADLINE)
        apis[0].signal(signal.SIGKILL)
        workers[0].signal(signal.SIGKILL)
        await asyncio.to_thread(apis[0].popen.wait, 60)
        await asyncio.to_thread(workers[0].popen.wait, 60)
        apis[0], workers[0] = api(0), worker(0)
        await asyncio.to_thread(
            wait_until_answering, apis[0], f"http://127.0.0.1:{ports[0]}/healthz", 240
        )

        await asyncio.wait_for(asyncio.gather(*driving), timeout=DEADLINE)
        stop_reads.set()
        await asyncio.gather(*readers)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await load.http.aclose()
        balancer.terminate()
        balancer.wait(30)
        statuses = [p.stop() for p in [*apis, *workers]]

    share = tally.share_failed()
    print(
        f"\nfailover: {sum(tally.outcomes.values())} requests, {tally.outcomes['failed']} failed"
        f" ({share:.1%}) while one API process and one worker were killed and restarted"
    )
    # SIGTERM drains and stops cleanly: uvicorn finishes its shutdown, then re-raises the
    # signal (exit status -15); a worker lets its running jobs finish and exits 0.
    for process, status in zip([*apis, *workers], statuses, strict=True):
        assert status in (0, -signal.SIGTERM), process.tail()
    for process in apis:
        assert "Application shutdown complete." in process.tail(), process.tail()
    async with platform.reading() as session:
        for each in series:
            submissions = (
                await session.scalars(
                    select(Submission).where(Submission.match_id == each.match_id)
                )
            ).all()
            assert [s.status for s in submissions] == ["accepted"], each.match_id
            games = await session.scalar(
                select(func.count())
                .select_from(MatchGame)
                .where(MatchGame.match_id == each.match_id)
            )
            assert games == 3, each.match_id
            stored = await session.scalar(
                select(func.count())
                .select_from(SubmissionReplay)
                .where(SubmissionReplay.submission_id == submissions[0].id)
            )
            assert stored == 3, each.match_id
            match = await session.get(Match, each.match_id)
            assert match.status != "scheduled", each.match_id
    # Each replay stored once (each accepted series also has its report card, elsewhere).
    assert await _objects(moto_endpoint, bucket, ".replay") == 3 * len(series)
    assert share < 0.5, tally.outcomes  # most requests succeed even while processes die


async def _objects(endpoint: str, bucket: str, suffix: str) -> int:
    """How many objects of the bucket have keys ending in ``suffix`` (of the first 1,000)."""
    session = aioboto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    async with session.client("s3", endpoint_url=endpoint) as s3:
        listed = await s3.list_objects_v2(Bucket=bucket)
    return sum(1 for item in listed.get("Contents", []) if item["Key"].endswith(suffix))


async def _until(condition, *, within: float) -> None:
    loop = asyncio.get_running_loop()
    until = loop.time() + within
    while not await condition():
        assert loop.time() < until, f"condition still false after {within} s"
        await asyncio.sleep(0.1)
