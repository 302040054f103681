"""Tables of replay-proven results: stored replays, submissions, ratifications, claims."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, State, UTCDateTime, in_values, one_of, utcnow
from sprocket.replays.enums import (
    OPEN_SUBMISSION_STATUSES,
    ClaimStatus,
    RatificationDecision,
    SubmissionStatus,
)


class StoredReplay(Base):
    """A replay file kept once in object storage, named by its SHA-256."""

    __tablename__ = "stored_replays"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(255))
    # What tells its game from others (None until parsed, or when the file has none): this
    # copy's replay id, and the match GUID every player's copy of the game shares.
    replay_id: Mapped[str | None] = mapped_column(String(64), index=True)
    match_guid: Mapped[str | None] = mapped_column(String(64), index=True)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def storage_key(self) -> str:
        return storage_key(self.sha256)


def storage_key(sha256: str) -> str:
    return f"replays/{sha256[:2]}/{sha256[2:4]}/{sha256}.replay"


_OPEN = in_values("status", OPEN_SUBMISSION_STATUSES)


class Submission(Base):
    """A series' replays, uploaded for one scheduled match or one scrim, on their way to a
    result."""

    __tablename__ = "submissions"
    __table_args__ = (
        # At most one submission of a match (or a scrim) is in flight (not accepted or rejected).
        Index(
            "uq_submissions_open_match",
            "match_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index(
            "uq_submissions_open_scrim",
            "scrim_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        CheckConstraint("(match_id IS NULL) <> (scrim_id IS NULL)", name="one_subject"),
        one_of("status", SubmissionStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int | None] = mapped_column(
        ForeignKey("matches.id", ondelete="CASCADE"), index=True
    )
    scrim_id: Mapped[int | None] = mapped_column(
        ForeignKey("scrims.id", ondelete="CASCADE"), index=True
    )
    submitted_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_for_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    status: Mapped[SubmissionStatus] = mapped_column(
        State(SubmissionStatus, 32), default=SubmissionStatus.PROCESSING
    )
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubmissionReplay(Base):
    """One game of a submission: which stored replay, in which order."""

    __tablename__ = "submission_replays"
    __table_args__ = (UniqueConstraint("submission_id", "game_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    stored_replay_id: Mapped[int] = mapped_column(ForeignKey("stored_replays.id"), index=True)
    game_number: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Ratification(Base):
    """A player's answer to a submission: ratify, or reject with a reason."""

    __tablename__ = "ratifications"
    __table_args__ = (
        UniqueConstraint("submission_id", "user_id"),
        one_of("decision", RatificationDecision),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    decision: Mapped[RatificationDecision] = mapped_column(State(RatificationDecision, 16))
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccountClaim(Base):
    """A member says an unknown account in a replay is theirs; staff or the other side confirm."""

    __tablename__ = "account_claims"
    __table_args__ = (one_of("status", ClaimStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(64))
    account_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[ClaimStatus] = mapped_column(State(ClaimStatus, 16), default=ClaimStatus.PENDING)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
