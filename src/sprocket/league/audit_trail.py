"""The audit trail as staff read it: what staff did in an organization, by whom, newest
first (the log itself: :mod:`sprocket.audit`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import audit
from sprocket.db import rows_by_ids
from sprocket.identity.access import Actor
from sprocket.identity.models import User
from sprocket.league import access
from sprocket.league.models import Member


@dataclass(frozen=True)
class TrailEntry:
    """One act of staff: when (UTC), who (their display name; None for a user since
    removed, or a job), the action ("submission.reset"), its subject ("submission:12"), the
    member's name when the subject is a member ("member:40"), and its details (the reason
    among them, when one was given)."""

    at: dt.datetime
    actor: str | None
    action: str
    subject: str
    details: dict[str, Any]
    member: str | None = None

    @property
    def reason(self) -> str | None:
        """The reason staff gave, if any."""
        value = self.details.get("reason")
        return value if isinstance(value, str) else None


async def trail(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    subjects: Sequence[str] = (),
    action_prefixes: Sequence[str] = (),
    first: int = 50,
) -> list[TrailEntry]:
    """The organization's audit entries for its staff (organization admins and the staff of
    any of its leagues), newest first, at most ``first``, filtered as
    :func:`sprocket.audit.entries` (``subjects`` such as "submission:12", ``action_prefixes``
    such as "scrim."). Three statements. Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    await access.require_staff_anywhere(session, actor, organization_id, "read the audit log")
    rows = await audit.entries(
        session,
        organization_id=organization_id,
        subjects=subjects,
        action_prefixes=action_prefixes,
        first=first,
    )
    users = await rows_by_ids(session, User, [r.actor_user_id for r in rows if r.actor_user_id])
    named = await rows_by_ids(session, Member, [m for m in map(_member_id, rows) if m])
    return [
        TrailEntry(
            at=row.at,
            actor=users[row.actor_user_id].display_name if row.actor_user_id in users else None,
            action=row.action,
            subject=row.subject,
            details=dict(row.details or {}),
            member=named[m].name if (m := _member_id(row)) in named else None,
        )
        for row in rows
    ]


def _member_id(entry: audit.AuditEntry) -> int | None:
    """The member an entry is about ("member:40"), if any."""
    kind, _, ident = entry.subject.partition(":")
    return int(ident) if kind == "member" and ident.isdigit() else None
