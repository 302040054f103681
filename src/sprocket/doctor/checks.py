"""The checks of the morning checklist, each one backend or one kind of work that waits.

Each takes the :class:`Probe` (the deployment's settings, its backends, the moment judged)
and returns a :class:`Check`: a status (ok, warn, fail, or n/a when it does not apply), a
sentence for the operator, and figures for machines. A check only reads (the storage check
writes and removes a probe file). Thresholds are this module's constants.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from sprocket.backup.service import list_backups
from sprocket.config import Settings
from sprocket.flows.submission_inbox import STUCK_AFTER, stuck_at
from sprocket.migrate import head_revision, known_revisions
from sprocket.platform.broker import queue_depths
from sprocket.platform.cache import redact_url
from sprocket.platform.outbox import OutboxMessage
from sprocket.platform.storage import LocalStorage
from sprocket.replays.models import Submission
from sprocket.runtime import Runtime
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Match

#: An undispatched outbox row older than this means the relay is slow (warn) or stopped (fail):
#: it polls every ``outbox_poll_seconds`` (1 s) and is woken by every commit.
OUTBOX_SLOW = dt.timedelta(minutes=1)
OUTBOX_STOPPED = dt.timedelta(minutes=5)
#: Jobs with a failed dispatch within this window are reported.
RECENT = dt.timedelta(hours=24)
#: The newest backup fails the check once older than this many backup intervals.
BACKUP_LATE_INTERVALS = 2
#: A backup should pass a verification at least this often (a restore drill a week).
VERIFIED_WITHIN = dt.timedelta(days=7)
#: Free space on the storage's disk below these shares: warn, then fail.
FREE_WARN, FREE_FAIL = 0.10, 0.02
#: A certificate expiring sooner: warn (Let's Encrypt renews 30 days ahead), then fail.
CERTIFICATE_WARN, CERTIFICATE_FAIL = dt.timedelta(days=21), dt.timedelta(days=7)


class Status(StrEnum):
    """How a check came out; ``fail`` makes `sprocket doctor` exit with status 1."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    NA = "n/a"


@dataclass(frozen=True)
class Check:
    """One line of the checklist: its ``name``, ``status``, a ``summary`` sentence and
    ``data`` (figures, JSON-ready); ``seconds`` it took, filled in by the runner."""

    name: str
    status: Status
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Probe:
    """What the checks look at: the settings, the backends opened from them (not started:
    no relay, no loop), the moment judged (UTC), and the trust store of the certificate
    check (None: the system's)."""

    settings: Settings
    runtime: Runtime
    now: dt.datetime
    ca_file: Path | None = None


def _age(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


async def database(probe: Probe) -> Check:
    """Reachable, and at the code's newest migration (fail otherwise)."""
    head = head_revision()
    try:
        async with probe.runtime.engine.connect() as conn:
            revision = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError as exc:
        reason = str(exc.__cause__ or exc).splitlines()[0][:200]
        return Check("database", Status.FAIL, f"Unreachable or unmigrated: {reason}.")
    data = {"revision": revision, "head": head}
    if revision == head:
        return Check("database", Status.OK, f"Reachable, at the newest migration ({head}).", data)
    if revision in known_revisions():
        summary = f"At migration {revision}, behind the code's {head}: run `sprocket migrate`."
    else:
        summary = f"At migration {revision}, which this code does not know (newer code?)."
    return Check("database", Status.FAIL, summary, data)


async def broker(probe: Probe) -> Check:
    """Reachable, and the messages waiting in its queues (RabbitMQ); dead letters warn."""
    settings = probe.settings
    depths = await queue_depths(settings.broker_url, settings.queue_name)
    if depths is None:
        return Check(
            "broker", Status.NA, "memory://: jobs run inside the process that queues them."
        )
    data = {"queues": depths}
    shown = ", ".join(f"{name} {'-' if n is None else n}" for name, n in depths.items())
    dead = depths.get(f"{settings.queue_name}.dead_letter") or 0
    status = Status.WARN if dead else Status.OK
    return Check("broker", status, f"RabbitMQ answers; messages waiting: {shown}.", data)


async def cache(probe: Probe) -> Check:
    """Answers a ping."""
    await probe.runtime.cache.ping()
    where = redact_url(probe.settings.cache_url)
    return Check("cache", Status.OK, f"{where} answers.")


async def storage(probe: Probe) -> Check:
    """Writable (a probe file written and removed), and the free space of a local store's
    disk (warn under 10 %, fail under 2 %)."""
    store = probe.runtime.storage
    await store.check()  # raises StorageUnavailable: a fail
    if not isinstance(store, LocalStorage):
        return Check("storage", Status.OK, f"{store.describe()} is writable (free space: n/a).")
    usage = await asyncio.to_thread(shutil.disk_usage, store.root)
    share = usage.free / usage.total
    data = {"free_bytes": usage.free, "total_bytes": usage.total, "free_share": round(share, 4)}
    status = Status.FAIL if share < FREE_FAIL else Status.WARN if share < FREE_WARN else Status.OK
    return Check(
        "storage",
        status,
        f"Writable; {usage.free / 1e9:.1f} GB free ({share:.0%} of its disk).",
        data,
    )


async def outbox(probe: Probe) -> Check:
    """Messages not yet handed to the broker, and the oldest one's age (warn past a minute,
    fail past five: the relay is stopped)."""
    async with probe.runtime.reading() as session:
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.dispatched_at.is_(None)
                )
            )
        ).one()
    if not count:
        return Check(
            "outbox", Status.OK, "Empty: every job was handed to the broker.", {"backlog": 0}
        )
    oldest = oldest.replace(tzinfo=dt.UTC) if oldest.tzinfo is None else oldest
    age = probe.now - oldest
    data = {"backlog": count, "oldest_seconds": round(age.total_seconds())}
    status = (
        Status.FAIL if age > OUTBOX_STOPPED else Status.WARN if age > OUTBOX_SLOW else Status.OK
    )
    return Check("outbox", status, f"{count} waiting, the oldest for {_age(age)}.", data)


async def jobs(probe: Probe) -> Check:
    """Jobs whose hand-over to the broker failed (and was retried) in the last 24 hours,
    with the last error (warn). A job that fails once running is retried by the broker and,
    for a submission, shows as a stuck one."""
    since = probe.now - RECENT
    async with probe.runtime.reading() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.job, OutboxMessage.attempts, OutboxMessage.last_error)
                .where(
                    OutboxMessage.created_at >= since,
                    or_(OutboxMessage.attempts > 0, OutboxMessage.last_error.is_not(None)),
                )
                .order_by(OutboxMessage.id.desc())
            )
        ).all()
    if not rows:
        return Check("jobs", Status.OK, "No job needed a retry in the last 24 h.", {"retried": 0})
    data = {
        "retried": len(rows),
        "attempts": sum(r.attempts for r in rows),
        "last_error": rows[0].last_error,
    }
    return Check(
        "jobs",
        Status.WARN,
        f"{len(rows)} jobs needed retries in the last 24 h; the last error: {rows[0].last_error}.",
        data,
    )


async def submissions(probe: Probe) -> Check:
    """Submissions stuck in processing (the staff inbox's rule: still processing or
    validating 15 minutes after their last change; fail)."""
    async with probe.runtime.reading() as session:
        stuck = await session.scalar(
            select(func.count()).select_from(Submission).where(stuck_at(probe.now))
        )
    minutes = int(STUCK_AFTER.total_seconds() // 60)
    if stuck:
        return Check(
            "submissions",
            Status.FAIL,
            f"{stuck} stuck in processing for over {minutes} min: see the staff inbox.",
            {"stuck": stuck},
        )
    return Check("submissions", Status.OK, "None stuck in processing.", {"stuck": 0})


async def matches(probe: Probe) -> Check:
    """Matches whose window ended with no result (warn: staff settle them)."""
    async with probe.runtime.reading() as session:
        overdue = await session.scalar(
            select(func.count())
            .select_from(Match)
            .where(Match.status == MatchStatus.SCHEDULED, Match.ends_at <= probe.now)
        )
    if overdue:
        return Check(
            "matches",
            Status.WARN,
            f"{overdue} past their window with no result.",
            {"overdue": overdue},
        )
    return Check("matches", Status.OK, "None past its window without a result.", {"overdue": 0})


async def backup(probe: Probe) -> Check:
    """The newest backup's age (fail when there is none or it is older than two backup
    intervals) and the newest verification (warn when none within a week), in the location
    the settings name (``data["location"]``; none found: the sentence names it, so the
    operator sees which folder or bucket was looked in)."""
    listing = await list_backups(probe.settings)
    found, where = listing.backups, listing.location
    if not found:
        return Check(
            "backup",
            Status.FAIL,
            f"No backup yet in {where} (SPROCKET_BACKUP_URL): run `sprocket backup create`.",
            {"location": where},
        )
    newest = found[0]
    age = probe.now - newest.created_at
    verified = max((e.verified_at for e in found if e.verified_at), default=None)
    data = {
        "location": where,
        "newest": newest.id,
        "age_seconds": round(age.total_seconds()),
        "verified": newest.verified_at is not None,
        "last_verified_at": verified.isoformat() if verified else None,
    }
    said = f"The newest, {newest.id}, is {_age(age)} old"
    said += ", verified" if newest.verified_at else ", not verified"
    interval = dt.timedelta(minutes=probe.settings.backup_interval_minutes)
    if age > interval * BACKUP_LATE_INTERVALS:
        return Check("backup", Status.FAIL, f"{said}: older than its schedule.", data)
    if verified is None or probe.now - verified > VERIFIED_WITHIN:
        return Check(
            "backup",
            Status.WARN,
            f"{said}; none verified in a week: run `sprocket backup verify`.",
            data,
        )
    return Check("backup", Status.OK, f"{said}.", data)


async def certificate(probe: Probe) -> Check:
    """The public URL's TLS certificate: trusted, and its expiry (warn within 21 days, fail
    within 7); n/a without an https public URL."""
    if not probe.settings.https:
        return Check("certificate", Status.NA, "No https public URL to check.")
    parts = urlsplit(probe.settings.public_url or "")
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.create_default_context(cafile=str(probe.ca_file) if probe.ca_file else None)
    try:
        _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        return Check("certificate", Status.FAIL, f"{host}: not trusted ({exc.verify_message}).")
    try:
        peer = writer.get_extra_info("peercert")
    finally:
        writer.close()
    expires = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(peer["notAfter"]), dt.UTC)
    left = expires - probe.now
    data = {"host": host, "expires_at": expires.isoformat(), "days_left": left.days}
    status = (
        Status.FAIL
        if left < CERTIFICATE_FAIL
        else Status.WARN
        if left < CERTIFICATE_WARN
        else Status.OK
    )
    return Check(
        "certificate", status, f"{host}: expires in {_age(left)} ({expires:%Y-%m-%d}).", data
    )


#: The checklist, in its order.
CHECKS: tuple[tuple[str, Callable[[Probe], Awaitable[Check]]], ...] = (
    ("database", database),
    ("broker", broker),
    ("cache", cache),
    ("storage", storage),
    ("outbox", outbox),
    ("jobs", jobs),
    ("submissions", submissions),
    ("matches", matches),
    ("backup", backup),
    ("certificate", certificate),
)
