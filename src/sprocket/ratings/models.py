"""Tables of skill ratings: one current rating per member and game mode, and its history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, State, UTCDateTime, one_of, utcnow
from sprocket.ratings.enums import RatingSource


class Rating(Base):
    """A member's current Weng-Lin rating in one game mode of an organization."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("member_id", "game_mode_id"),
        Index("ix_ratings_leaderboard", "organization_id", "game_mode_id", "displayed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    game_mode_id: Mapped[int] = mapped_column(ForeignKey("game_modes.id"))
    mu: Mapped[float] = mapped_column(Float)
    sigma: Mapped[float] = mapped_column(Float)
    displayed: Mapped[int] = mapped_column(Integer)
    games: Mapped[int] = mapped_column(Integer, default=0)
    wins: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RatingPoint(Base):
    """One point of a member's rating history: the rating before and after one game."""

    __tablename__ = "rating_points"
    __table_args__ = (
        UniqueConstraint("member_id", "game_mode_id", "source", "source_game_id"),
        Index("ix_rating_points_member", "member_id", "game_mode_id", "id"),
        one_of("source", RatingSource),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    game_mode_id: Mapped[int] = mapped_column(ForeignKey("game_modes.id"))
    source: Mapped[RatingSource] = mapped_column(State(RatingSource, 16))
    source_game_id: Mapped[int] = mapped_column(Integer)
    played_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    won: Mapped[bool] = mapped_column()
    mu_before: Mapped[float] = mapped_column(Float)
    sigma_before: Mapped[float] = mapped_column(Float)
    mu_after: Mapped[float] = mapped_column(Float)
    sigma_after: Mapped[float] = mapped_column(Float)
    displayed_after: Mapped[int] = mapped_column(Integer)
