"""The audit log: what staff did that changes the record, by whom and when.

Staff overrides of results (force-accept, reset, invalidate), game accounts staff linked or
unlinked for a member, and roster changes dated in the past are written here, in the same
transaction as the change itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
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
