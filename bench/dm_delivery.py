"""DM delivery benchmark: the time to deliver N DMs to N users through the fake Discord API
(tests/discord/fake_api.py) with its rate limits on.

    uv run python bench/dm_delivery.py [--dms 1000] [--limit 50] [--per 1.0]
        [--via jobs|sweep] [--concurrency 50]

N deliveries are scheduled in one transaction (each a DM with a check-in button), then sent:
``--via jobs`` as in production, the outbox relay handing each to the job
``notification.deliver`` (the memory broker runs them all at once in this process);
``--via sweep`` through :func:`sprocket.notifications.tasks.deliver_due`, ``--concurrency``
at a time. Either way every request goes through the one hikari client of the process, which
keeps the fake's buckets (``--limit`` requests per ``--per`` seconds on each route, as
Discord's per-route limits: the DM-channel route is one bucket, each DM channel another).

Baseline, measured in the same run: the same N DMs with the fake's limits off. Printed:
seconds for each, the 429s the fake answered (each waited out and sent again by hikari),
and ``unhandled_429``: deliveries that did not end ``sent`` because of a rate limit. The last
line is one JSON object (``dm_1000_s``, ``dm_baseline_s``, ``fake_429s``, ``unhandled_429``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


async def deliver_dms(
    *, dms: int, limit: int | None, per: float, via: str, concurrency: int
) -> dict[str, float | int]:
    """Schedule ``dms`` DMs to as many users and send them through a fake Discord API whose
    routes allow ``limit`` requests per ``per`` seconds (None: no limits), ``via`` the jobs
    or the sweep. Returns the seconds taken, the fake's 429s, the deliveries left unsent
    because of a rate limit, and those not sent for any reason."""
    from sqlalchemy import select

    from sprocket.config import Settings
    from sprocket.jobs import build_runtime
    from sprocket.migrate import upgrade_async
    from sprocket.notifications.delivery import Delivery, DeliveryStatus, schedule_delivery
    from sprocket.notifications.message import Button, DmTarget, Message
    from sprocket.notifications.tasks import deliver_due
    from tests.discord.fake_api import BOT_TOKEN, running_fake_discord_api

    with tempfile.TemporaryDirectory() as folder, running_fake_discord_api() as fake:
        if limit is not None:
            fake.limit_buckets(limit, per=per)
        data_dir = Path(folder)
        settings = Settings(
            data_dir=data_dir,
            database_url=f"sqlite+aiosqlite:///{data_dir / 'sprocket.db'}",
            storage_url=f"file://{data_dir / 'storage'}",
            broker_url="memory://",
            cache_url="memory://",
            log_format="console",
            log_level="error",
            discord_bot_token=BOT_TOKEN,
            discord_api_url=fake.url,
        )
        await upgrade_async(settings.resolved_database_url)
        platform = build_runtime(settings)
        await platform.start(relay=False)
        try:
            message = Message(
                content="Your scrim popped: check in within 5 minutes.",
                buttons=(Button("Check in", custom_id="checkin:1"),),
            )
            async with platform.unit_of_work() as session:
                for n in range(dms):
                    target = DmTarget(str(910000000000000000 + n))
                    await schedule_delivery(
                        session, key=f"bench:{n}", target=target, message=message
                    )
            started = time.perf_counter()
            if via == "jobs":
                while await platform.relay.relay_once():
                    pass
                await platform.broker.wait_all()  # type: ignore[attr-defined]
            else:
                await deliver_due(platform, limit=dms, concurrency=concurrency)
            seconds = time.perf_counter() - started
            async with platform.reading() as session:
                rows = (await session.execute(select(Delivery.status, Delivery.last_error))).all()
        finally:
            await platform.stop()
    unsent = [(status, error or "") for status, error in rows if status != DeliveryStatus.SENT]
    return {
        "seconds": seconds,
        "fake_429s": fake.rate_limited,
        "unhandled_429": sum(1 for _, error in unsent if "429" in error or "rate" in error),
        "unsent": len(unsent),
        "messages": len(fake.messages),
    }


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--dms", type=int, default=1000)
    arguments.add_argument("--limit", type=int, default=50, help="requests per bucket window")
    arguments.add_argument("--per", type=float, default=1.0, help="bucket window, seconds")
    arguments.add_argument("--via", choices=("jobs", "sweep"), default="jobs")
    arguments.add_argument("--concurrency", type=int, default=50, help="with --via sweep")
    options = arguments.parse_args()
    common = {"dms": options.dms, "via": options.via, "concurrency": options.concurrency}
    baseline = asyncio.run(deliver_dms(limit=None, per=options.per, **common))
    limited = asyncio.run(deliver_dms(limit=options.limit, per=options.per, **common))
    print(f"{options.dms} DMs via {options.via}, no rate limits: {baseline['seconds']:.2f} s")
    print(
        f"{options.dms} DMs via {options.via}, {options.limit} per {options.per:g} s per route: "
        f"{limited['seconds']:.2f} s, {limited['fake_429s']} 429s answered by the fake, "
        f"{limited['unsent']} unsent ({limited['unhandled_429']} for a rate limit), "
        f"{limited['messages']} messages made"
    )
    print(
        json.dumps(
            {
                "dm_1000_s": round(limited["seconds"], 3),
                "dm_baseline_s": round(baseline["seconds"], 3),
                "fake_429s": limited["fake_429s"],
                "unhandled_429": limited["unhandled_429"],
            }
        )
    )
    return 0 if limited["unsent"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
