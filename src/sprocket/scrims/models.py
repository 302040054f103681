"""Tables of scrims: the scrim, who is in it, premade groups, games, queue bans, and the
tickets of the matchmaking queue.

Everything lives in the database (not in memory), so a restart keeps every queue entry,
pop and check-in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, State, UTCDateTime, one_of, utcnow
from sprocket.scrims.enums import ScrimStatus, ScrimTeamMode, TicketStatus


class Scrim(Base):
    """A scrim, in one of the original's states (:class:`ScrimStatus`)."""

    __tablename__ = "scrims"
    __table_args__ = (
        Index("ix_scrims_open", "organization_id", "game_mode_id", "status"),
        one_of("team_mode", ScrimTeamMode),
        one_of("status", ScrimStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    game_mode_id: Mapped[int] = mapped_column(ForeignKey("game_modes.id"))
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_groups.id", ondelete="SET NULL")
    )
    competitive: Mapped[bool] = mapped_column(Boolean, default=True)
    team_mode: Mapped[ScrimTeamMode] = mapped_column(
        State(ScrimTeamMode, 16), default=ScrimTeamMode.FIXED
    )
    games: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[ScrimStatus] = mapped_column(State(ScrimStatus, 16), default=ScrimStatus.PENDING)
    created_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    popped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    check_in_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lobby_name: Mapped[str | None] = mapped_column(String(32))
    lobby_password: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=0)


class ScrimEntry(Base):
    """A member's seat in a scrim. ``active`` is true while the seat holds them in the queue
    or the scrim, so the partial unique index lets a member be in one scrim at a time."""

    __tablename__ = "scrim_entries"
    __table_args__ = (
        Index(
            "uq_scrim_entries_active_member",
            "member_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index("ix_scrim_entries_scrim", "scrim_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scrim_id: Mapped[int] = mapped_column(ForeignKey("scrims.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("scrim_groups.id", ondelete="SET NULL"))
    team: Mapped[int | None] = mapped_column(Integer)  # 0 or 1 once the teams are drawn
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    wait_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ScrimGroup(Base):
    """A premade group joining a scrim together by a short code."""

    __tablename__ = "scrim_groups"
    __table_args__ = (UniqueConstraint("scrim_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scrim_id: Mapped[int] = mapped_column(ForeignKey("scrims.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(12))
    created_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))


class ScrimGame(Base):
    """A game of a scrim with the line-ups that played it and its result."""

    __tablename__ = "scrim_games"
    __table_args__ = (UniqueConstraint("scrim_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scrim_id: Mapped[int] = mapped_column(ForeignKey("scrims.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    home_member_ids: Mapped[str] = mapped_column(String(200))  # comma-separated member ids
    away_member_ids: Mapped[str] = mapped_column(String(200))
    home_goals: Mapped[int | None] = mapped_column(Integer)
    away_goals: Mapped[int | None] = mapped_column(Integer)
    home_won: Mapped[bool | None] = mapped_column(Boolean)  # as the game's replay says
    stored_replay_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_replays.id", ondelete="SET NULL")
    )
    played_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class QueueBan(Base):
    """A ban from the scrim queue (e.g. for missing a check-in)."""

    __tablename__ = "queue_bans"
    __table_args__ = (Index("ix_queue_bans_member", "member_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lifted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class QueueTicket(Base):
    """A member waiting in the matchmaking queue of a game mode: competitive for one skill
    group, casual (no skill group) for everyone. ``active`` while they wait, so the partial
    unique index keeps a member in the queue once; ``status`` says how it ended (queued,
    placed in ``scrim_id``, left or expired)."""

    __tablename__ = "scrim_queue_tickets"
    __table_args__ = (
        Index(
            "uq_scrim_queue_tickets_active_member",
            "member_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index(
            "ix_scrim_queue_tickets_queue",
            "organization_id",
            "game_mode_id",
            "skill_group_id",
            "active",
        ),
        one_of("status", TicketStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    game_mode_id: Mapped[int] = mapped_column(ForeignKey("game_modes.id"))
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_groups.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    wait_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[TicketStatus] = mapped_column(
        State(TicketStatus, 16), default=TicketStatus.QUEUED
    )
    scrim_id: Mapped[int | None] = mapped_column(ForeignKey("scrims.id", ondelete="SET NULL"))
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
