"""The audit log: what staff did that changes the record, by whom and when.

Staff overrides of results (force-accept, reset, invalidate), account claims staff decided,
game accounts staff linked or unlinked for a member, roster changes dated in the past, staff
actions on scrims and queue bans, and sessions staff ended are written here, in the same
transaction as the change itself. :func:`entries` reads them back (the domains' staff pages
check who may read first: :func:`sprocket.league.audit_trail.trail`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One act of staff: ``action`` ("submission.reset", "roster.join"...) on ``subject``
    ("submission:12", "roster_spot:40"), with its ``details``."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def record(
    session: AsyncSession,
    *,
    organization_id: int,
    actor_user_id: int | None,
    action: str,
    subject: str,
    details: dict[str, Any],
) -> AuditEntry:
    """Write one act of staff to the audit log in the session's transaction, so it commits
    (or rolls back) with the change itself: ``action`` ("submission.reset", "roster.join")
    on ``subject`` ("submission:12", "roster_spot:40") in the organization, by the user
    ``actor_user_id``, with its ``details`` (JSON). Returns the entry, added, not flushed."""
    entry = AuditEntry(
        organization_id=organization_id,
        actor_user_id=actor_user_id,
        action=action,
        subject=subject,
        details=details,
    )
    session.add(entry)
    return entry


async def entries(
    session: AsyncSession,
    *,
    organization_id: int,
    subjects: Sequence[str] = (),
    action_prefixes: Sequence[str] = (),
    first: int = 50,
) -> list[AuditEntry]:
    """The organization's audit entries, newest first, at most ``first``: only those on one
    of ``subjects`` ("submission:12") when given, and only those whose action starts with one
    of ``action_prefixes`` ("submission.", "scrim.") when given. No permission check: the
    caller's (the log is for staff)."""
    query = select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if subjects:
        query = query.where(AuditEntry.subject.in_(list(subjects)))
    if action_prefixes:
        query = query.where(or_(*(AuditEntry.action.startswith(p) for p in action_prefixes)))
    rows = await session.scalars(query.order_by(AuditEntry.id.desc()).limit(first))
    return list(rows.all())
