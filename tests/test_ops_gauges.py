"""The gauges /metrics reads at each scrape (issue 12): the outbox's oldest message's age,
submissions by status and the age of those in flight, the storage volume's room. What the
alert rules under deploy/prometheus watch."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import update

from sprocket.db import utcnow
from sprocket.flows import match_results
from sprocket.platform.outbox import OutboxMessage
from sprocket.replays.models import Submission
from tests.replays.series import lineup, sweep
from tests.test_health import _value

HOUR = 3600.0


async def _metrics(http) -> str:
    response = await http.get("/metrics")
    assert response.status_code == 200
    return response.text


async def test_a_submission_left_processing_shows_its_age(http, platform, world) -> None:
    text = await _metrics(http)
    for status in ("processing", "validating", "awaiting_ratification", "accepted", "rejected"):
        assert _value(text, "sprocket_submissions", status=status) == 0
    assert _value(text, "sprocket_submissions_oldest_age_seconds", status="processing") == 0
    assert _value(text, "sprocket_outbox_oldest_age_seconds") == 0

    line = await lineup(platform, world.match_ids[0])
    async with platform.unit_of_work() as session:
        submitted = await match_results.submit_match_replays(
            session,
            actor=world.actors["team_captain"],
            storage=platform.storage,
            match_id=line.match_id,
            files=sweep(line),
            max_size=20 * 1024 * 1024,
        )
    # Nothing relays here (the relay is off): the submission waits in processing, and its
    # job in the outbox. An hour passes.
    an_hour_ago = utcnow() - dt.timedelta(hours=1)
    async with platform.unit_of_work() as session:
        await session.execute(
            update(Submission).where(Submission.id == submitted.id).values(updated_at=an_hour_ago)
        )
        await session.execute(update(OutboxMessage).values(created_at=an_hour_ago))
    text = await _metrics(http)
    assert _value(text, "sprocket_submissions", status="processing") == 1
    assert _value(text, "sprocket_submissions", status="accepted") == 0
    processing = _value(text, "sprocket_submissions_oldest_age_seconds", status="processing")
    assert processing is not None and HOUR <= processing < 2 * HOUR
    assert _value(text, "sprocket_submissions_oldest_age_seconds", status="validating") == 0
    assert (_value(text, "sprocket_outbox_backlog") or 0) >= 1
    waited = _value(text, "sprocket_outbox_oldest_age_seconds")
    assert waited is not None and HOUR <= waited < 2 * HOUR

    # The job runs: the submission moves on, the hour-old message is dispatched (the job
    # leaves fresh ones of its own: the notifications of a submission awaiting ratification).
    assert await platform.relay.relay_once() >= 1
    await platform.broker.wait_all()
    text = await _metrics(http)
    assert _value(text, "sprocket_submissions", status="processing") == 0
    assert _value(text, "sprocket_submissions", status="awaiting_ratification") == 1
    assert _value(text, "sprocket_submissions_oldest_age_seconds", status="processing") == 0
    waited = _value(text, "sprocket_outbox_oldest_age_seconds")
    assert waited is not None and waited < HOUR
    while await platform.relay.relay_once():  # until nothing is left to hand over
        await platform.broker.wait_all()
    text = await _metrics(http)
    assert _value(text, "sprocket_outbox_backlog") == 0
    assert _value(text, "sprocket_outbox_oldest_age_seconds") == 0


async def test_the_storage_volume_room_is_reported(http, platform) -> None:
    await platform.storage.put("replays/a-first-object", b"a replay's bytes")
    text = await _metrics(http)
    store = platform.storage.describe()
    assert store.startswith("file://")
    free = _value(text, "sprocket_storage_free_bytes", store=store)
    size = _value(text, "sprocket_storage_size_bytes", store=store)
    usage = os.statvfs(store.removeprefix("file://"))
    assert size == usage.f_blocks * usage.f_frsize
    # other processes write on this volume too: the free room is of the same order
    assert free is not None and 0 < free <= size
    assert abs(free - usage.f_bavail * usage.f_frsize) < 0.05 * size
