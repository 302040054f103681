"""Stat lines of every accepted game: one per player and one per team."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base


class PlayerGameStat(Base):
    __tablename__ = "player_game_stats"
    __table_args__ = (
        UniqueConstraint("match_game_id", "platform", "platform_account_id"),
        Index("ix_player_game_stats_player", "player_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_game_id: Mapped[int] = mapped_column(
        ForeignKey("match_games.id", ondelete="CASCADE"), index=True
    )
    player_id: Mapped[int | None] = mapped_column(ForeignKey("players.id", ondelete="SET NULL"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(16))
    platform_account_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    goals: Mapped[int] = mapped_column(Integer)
    assists: Mapped[int] = mapped_column(Integer)
    saves: Mapped[int] = mapped_column(Integer)
    shots: Mapped[int] = mapped_column(Integer)
    mvp: Mapped[bool] = mapped_column(Boolean, default=False)
    won: Mapped[bool] = mapped_column(Boolean)


class TeamGameStat(Base):
    __tablename__ = "team_game_stats"
    __table_args__ = (UniqueConstraint("match_game_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_game_id: Mapped[int] = mapped_column(ForeignKey("match_games.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    goals: Mapped[int] = mapped_column(Integer)
    goals_against: Mapped[int] = mapped_column(Integer)
    assists: Mapped[int] = mapped_column(Integer)
    saves: Mapped[int] = mapped_column(Integer)
    shots: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    won: Mapped[bool] = mapped_column(Boolean)
