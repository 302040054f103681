"""Discord door benchmark: a signed ``/standings`` interaction end to end under 50 concurrent
clients beside /healthz in the same run, the report card's render time, and 1,000 DMs
delivered through the fake Discord API with its rate limits on.

    uv run python bench/discord.py [--seconds 10] [--clients 50] [--dms 1000]

Interactions (needs PostgreSQL, as bench/api.py): a database of its own (see
bench/harness.py) gets the demo organization (`sprocket demo`) and the bench's Discord server
linked to it (`sprocket discord link-guild`); `sprocket serve` runs on it in a subprocess with
an Ed25519 key made in this run as Discord's public key and the fake Discord API
(tests/discord/fake_api.py) as Discord's REST API (where a deferred answer's follow-up
would go). After one interaction alone (its answer checked; its caller becomes a user), each
client posts ``/standings`` interactions for the demo's Standard League, each with its own
id, signed as Discord signs them, back to back; the same clients then loop over /healthz,
the baseline. The interactions are encoded and signed before each run (see
:class:`Interactions`): the clients share this process's one event loop, so signing there
would delay the reading of other clients' answers and be timed with them. A deferred answer
(the command took longer than Discord waits) counts as an error, as does any answer other
than a 200.

``card_ms``: :func:`sprocket.media.render.render_ms` on
:func:`sprocket.media.sample.sample_series` (median of 20 warm renders).

``dm_1000_s`` and ``unhandled_429``: :func:`dm_delivery.deliver_dms` through the jobs, with
the fake's buckets at 50 requests per second per route, beside the same DMs with no limits.

Prints a table; the last line is one JSON object (``interaction_p95_ms``, ``card_ms``,
``dm_1000_s``, ``unhandled_429`` and the baselines). Exits 1 if any interaction failed or any
DM was left unsent.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dm_delivery import deliver_dms
from harness import Connection, Signed, bench_database, drive, sprocket_server

from sprocket.demo import ADMIN_DISCORD_ID
from sprocket.demo import SLUG as DEMO
from sprocket.media.render import render_ms
from sprocket.media.sample import sample_series
from tests.discord.fake_api import APPLICATION_ID, BOT_TOKEN, running_fake_discord_api

GUILD_ID = "600000000000000001"
USER = {"id": "300000000000000001", "username": "bench", "global_name": "Bench"}
#: Discord's interaction and answer types (application command; deferred message).
COMMAND, DEFERRED = 2, 5
#: The option naming the demo's 3v3 league (three skill groups, eight teams each).
LEAGUE = {"name": "league", "type": 3, "value": "Standard League"}
_ids = itertools.count(500000000000000001)
#: Interactions signed before a run, per second it lasts: more than the server answers.
PREPARED_PER_SECOND = 3000


def standings_interaction() -> dict[str, Any]:
    """A new ``/standings league: Standard League`` interaction (its own id and token) from
    the bench's server."""
    n = next(_ids)
    return {
        "id": str(n),
        "application_id": APPLICATION_ID,
        "type": COMMAND,
        "token": f"token-{n}",
        "version": 1,
        "data": {"id": "1", "name": "standings", "type": 1, "options": [LEAGUE]},
        "channel_id": "400000000000000001",
        "guild_id": GUILD_ID,
        "member": {"user": USER, "roles": []},
    }


def signer(key: Ed25519PrivateKey):
    """The header lines signing a body as Discord does: Ed25519 over timestamp + body."""

    def sign(body: bytes) -> str:
        stamp = str(int(time.time()))
        signature = key.sign(stamp.encode() + body).hex()
        return f"X-Signature-Ed25519: {signature}\r\nX-Signature-Timestamp: {stamp}\r\n"

    return sign


class Interactions:
    """Signed ``/standings`` interactions for :func:`harness.drive`, made before the run
    (``count`` of them, each with its own id: a replayed id is refused) so the clients
    spend no CPU on encoding and signing while others' requests are timed; once they run
    out, the next ones are made during the run (counted in :attr:`made_late`)."""

    def __init__(self, sign, count: int) -> None:
        self.sign = sign
        self.ready = deque(self.make() for _ in range(count))
        self.made_late = 0

    def make(self) -> Signed:
        body = json.dumps(standings_interaction()).encode()
        return Signed(body, self.sign(body))

    def __call__(self, _: int) -> tuple[str, str, str, Signed]:
        if self.ready:
            return "standings", "POST", "/discord/interactions", self.ready.popleft()
        self.made_late += 1
        return "standings", "POST", "/discord/interactions", self.make()


def sprocket(url: str, *args: str) -> None:
    """Run the `sprocket` command on database ``url``; raises CalledProcessError on failure."""
    subprocess.run(
        [str(Path(sys.executable).with_name("sprocket")), *args],
        env={**os.environ, "SPROCKET_DATABASE_URL": url, "SPROCKET_LOG_LEVEL": "warning"},
        check=True,
        stdout=subprocess.DEVNULL,
    )


async def interactions(seconds: float, clients: int) -> dict[str, dict[str, float]]:
    """p50/p95 (ms), requests per second and errors of signed ``/standings`` interactions and
    of /healthz, each from ``clients`` concurrent clients for ``seconds``."""
    key = Ed25519PrivateKey.generate()
    async with bench_database() as url:
        await asyncio.to_thread(sprocket, url, "demo")
        await asyncio.to_thread(
            sprocket,
            url,
            "discord",
            "link-guild",
            DEMO,
            GUILD_ID,
            "--discord-id",
            ADMIN_DISCORD_ID,
        )
        with running_fake_discord_api() as fake:
            env = {
                "SPROCKET_RATE_LIMIT_POINTS": str(10**9),
                "SPROCKET_DISCORD_PUBLIC_KEY": key.public_key().public_bytes_raw().hex(),
                "SPROCKET_DISCORD_APPLICATION_ID": APPLICATION_ID,
                "SPROCKET_DISCORD_BOT_TOKEN": BOT_TOKEN,
                "SPROCKET_DISCORD_API_URL": fake.url,
            }
            async with sprocket_server(url, env) as server:
                sign = signer(key)

                def healthz(_: int) -> tuple[str, str, str, Any]:
                    return "healthz", "GET", "/healthz", None

                await _check_answer(server.port, sign, fake)
                warm = Interactions(sign, int(2 * PREPARED_PER_SECOND))
                await drive(server.port, warm, seconds=2, clients=clients)
                first = int(standings_interaction()["id"])
                timed = Interactions(sign, int(seconds * PREPARED_PER_SECOND))
                results = {}
                tally = await drive(server.port, timed, seconds=seconds, clients=clients)
                results["standings"] = tally.summary()
                last = int(standings_interaction()["id"])
                deferred = _follow_ups(fake, range(first, last))
                results["standings"]["errors"] += deferred
                results["standings"]["deferred"] = deferred
                results["standings"]["signed_during_run"] = timed.made_late
                tally = await drive(server.port, healthz, seconds=seconds, clients=clients)
                results["healthz"] = tally.summary()
    return results


def _follow_ups(fake, ids: range) -> int:
    """The follow-ups (deferred answers) that reached the fake for the interactions ``ids``."""
    paths = [c.path for c in fake.to("POST", "/webhooks/")]
    return sum(1 for path in paths if int(path.rsplit("token-", 1)[-1].split("/")[0]) in ids)


async def _check_answer(port: int, sign, fake) -> None:
    """Raise RuntimeError unless one signed ``/standings`` is answered with its tables (the
    demo organization acts for the bench's server): at once or, if the cold server deferred
    it, in the follow-up that reaches the fake ``fake`` within 60 s. Its caller becomes a
    user here, before the clients all call at once."""
    interaction = standings_interaction()
    body = json.dumps(interaction).encode()
    connection = Connection("127.0.0.1", port)
    try:
        answer = await connection.request("POST", "/discord/interactions", body, sign(body))
    finally:
        connection.close()
    reply = json.loads(answer.body) if answer.status == 200 else {"status": answer.status}
    message = reply.get("data", {})
    for _ in range(600 if reply.get("type") == DEFERRED else 0):
        follow_ups = [c for c in fake.to("POST", "/webhooks/") if interaction["token"] in c.path]
        if follow_ups:
            message = follow_ups[0].body
            break
        await asyncio.sleep(0.1)
    embeds = message.get("embeds", []) if isinstance(message, dict) else []
    if not any("```" in embed.get("description", "") for embed in embeds):
        raise RuntimeError(f"/standings was not answered with tables: {reply} {message}")


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--seconds", type=float, default=10.0)
    arguments.add_argument("--clients", type=int, default=50)
    arguments.add_argument("--dms", type=int, default=1000)
    options = arguments.parse_args()

    load = asyncio.run(interactions(options.seconds, options.clients))
    card = render_ms(sample_series())
    dm = {"dms": options.dms, "per": 1.0, "via": "jobs", "concurrency": 50}
    dm_baseline = asyncio.run(deliver_dms(limit=None, **dm))
    dm_limited = asyncio.run(deliver_dms(limit=50, **dm))

    standings, healthz = load["standings"], load["healthz"]
    print(f"{'case':<34}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'errors':>8}")
    for name, row in (("signed /standings interaction", standings), ("/healthz", healthz)):
        print(
            f"{name:<34}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['rps']:>9.0f}{row['errors']:>8}"
        )
    print(
        f"({options.clients} concurrent clients, {options.seconds:g} s each; "
        f"{standings['deferred']} interactions deferred; target p95 < 50 ms; "
        f"{standings['signed_during_run']} signed during the timed run, the rest before it)"
    )
    print(f"report card render (median of 20 warm): {card:.1f} ms (target < 100 ms)")
    print(
        f"{options.dms} DMs, 50 per s per route: {dm_limited['seconds']:.2f} s "
        f"({dm_limited['fake_429s']} 429s answered by the fake, {dm_limited['unsent']} unsent, "
        f"{dm_limited['unhandled_429']} for a rate limit); no limits: "
        f"{dm_baseline['seconds']:.2f} s"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        json.dumps(
            {
                "interaction_p95_ms": round(standings["p95_ms"], 1),
                "interaction_p50_ms": round(standings["p50_ms"], 1),
                "healthz_p95_ms": round(healthz["p95_ms"], 1),
                "healthz_p50_ms": round(healthz["p50_ms"], 1),
                "card_ms": round(card, 1),
                "dm_1000_s": round(dm_limited["seconds"], 3),
                "dm_baseline_s": round(dm_baseline["seconds"], 3),
                "unhandled_429": dm_limited["unhandled_429"],
            }
        )
    )
    failed = standings["errors"] or healthz["errors"] or dm_limited["unsent"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
