"""Staff actions on scrims: lock, unlock and cancel, each written to the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.db import utcnow
from sprocket.errors import InvalidInput, PermissionDenied
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.replays import service as replays
from sprocket.scrims import service
from sprocket.scrims.enums import ScrimStatus
from sprocket.scrims.errors import ScrimCode
from sprocket.scrims.models import Scrim


def staff_reason(reason: str, missing: str) -> str:
    """The reason staff gave for an action on scrims or the queue, trimmed and kept to 200
    characters. Raises InvalidInput ``SCRIM_REASON_REQUIRED`` saying ``missing`` when it is
    blank (its details name the ``reason`` argument, for a form to show it beside it)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            missing, code=ScrimCode.SCRIM_REASON_REQUIRED, details={"field": "reason"}
        )
    return reason[:200]


async def _staff_scrim(session: AsyncSession, actor: Actor, scrim_id: int, doing: str) -> Scrim:
    require_user(actor)
    scrim = await service.get_scrim(session, scrim_id=scrim_id)
    if not await access.is_staff_anywhere(session, actor, scrim.organization_id):
        raise PermissionDenied(f"Only league staff may {doing}.")
    return scrim


def _audit(session: AsyncSession, actor: Actor, scrim: Scrim, action: str, **details: str) -> None:
    audit.record(
        session,
        organization_id=scrim.organization_id,
        actor_user_id=actor.user_id,
        action=action,
        subject=f"scrim:{scrim.id}",
        details=details,
    )


async def lock_scrim(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    """Staff freeze a pending or running scrim: nobody joins, it does not pop or finish.
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, SCRIM_NOT_LOCKABLE."""
    now = now or utcnow()
    scrim = await _staff_scrim(session, actor, scrim_id, "lock scrims")
    if scrim.status not in (ScrimStatus.PENDING, ScrimStatus.IN_PROGRESS):
        raise InvalidInput(
            f"Only a pending or running scrim can be locked; this one is {scrim.status}.",
            code=ScrimCode.SCRIM_NOT_LOCKABLE,
        )
    scrim.status = ScrimStatus.LOCKED
    _audit(session, actor, scrim, "scrim.lock")
    await service.announce(session, scrim=scrim, now=now)
    return scrim


async def unlock_scrim(
    session: AsyncSession, *, actor: Actor, scrim_id: int, now: dt.datetime | None = None
) -> Scrim:
    """Staff unfreeze a locked scrim: running again if it had started, else pending.
    Raises UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, SCRIM_NOT_LOCKED."""
    now = now or utcnow()
    scrim = await _staff_scrim(session, actor, scrim_id, "unlock scrims")
    if scrim.status != ScrimStatus.LOCKED:
        raise InvalidInput("This scrim is not locked.", code=ScrimCode.SCRIM_NOT_LOCKED)
    scrim.status = ScrimStatus.IN_PROGRESS if scrim.started_at is not None else ScrimStatus.PENDING
    _audit(session, actor, scrim, "scrim.unlock")
    await service.announce(session, scrim=scrim, now=now)
    return scrim


async def cancel_scrim(
    session: AsyncSession,
    *,
    actor: Actor,
    scrim_id: int,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> Scrim:
    """Staff call off an unfinished scrim: every seat is freed and its open submissions
    are rejected, saying ``reason`` (why, kept to 200 characters; None gives none: the API
    asks none), which the audit log records. Raises UNAUTHENTICATED, NOT_FOUND,
    PERMISSION_DENIED, SCRIM_REASON_REQUIRED (a blank ``reason``), SCRIM_FINISHED (complete
    or cancelled already)."""
    now = now or utcnow()
    scrim = await _staff_scrim(session, actor, scrim_id, "cancel scrims")
    why = None if reason is None else staff_reason(reason, "Say why the scrim is cancelled.")
    if scrim.status in (ScrimStatus.COMPLETE, ScrimStatus.CANCELLED):
        raise InvalidInput(f"This scrim is already {scrim.status}.", code=ScrimCode.SCRIM_FINISHED)
    entries = await service.active_entries(session, scrim_id=scrim.id)
    for entry in entries:
        service.unseat(entry=entry, now=now)
    service.finish(scrim=scrim, status=ScrimStatus.CANCELLED, now=now)
    said = f": {why}" if why else "."
    await replays.close_open_of_scrim(
        session, scrim_id=scrim.id, reason=f"The scrim was cancelled by staff{said}"
    )
    _audit(session, actor, scrim, "scrim.cancel", **({"reason": why} if why else {}))
    await service.announce(session, scrim=scrim, also=[e.member_id for e in entries], now=now)
    return scrim
