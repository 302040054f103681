"""Tables of the calendar: match weeks, fixtures, matches and their games."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, State, UTCDateTime, one_of
from sprocket.schedule.enums import MatchStatus


class MatchWeek(Base):
    __tablename__ = "match_weeks"
    __table_args__ = (UniqueConstraint("season_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Fixture(Base):
    """A home-versus-away pairing in a match week."""

    __tablename__ = "fixtures"
    __table_args__ = (
        UniqueConstraint("match_week_id", "home_team_id", "away_team_id"),
        Index("ix_fixtures_home_team", "home_team_id"),
        Index("ix_fixtures_away_team", "away_team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_week_id: Mapped[int] = mapped_column(ForeignKey("match_weeks.id", ondelete="CASCADE"))
    home_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    away_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))


class Match(Base):
    """The series played for a fixture: its format, its window and its result."""

    __tablename__ = "matches"
    __table_args__ = (
        Index("ix_matches_season_skill_group", "season_id", "skill_group_id"),
        one_of("status", MatchStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fixture_id: Mapped[int] = mapped_column(
        ForeignKey("fixtures.id", ondelete="CASCADE"), unique=True
    )
    # Denormalized from the fixture for the standings and schedule queries.
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_groups.id", ondelete="SET NULL")
    )
    format: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[MatchStatus] = mapped_column(
        State(MatchStatus, 16), default=MatchStatus.SCHEDULED
    )
    forfeited_by_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MatchGame(Base):
    """One game of a series, from the home side's point of view."""

    __tablename__ = "match_games"
    __table_args__ = (UniqueConstraint("match_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    home_goals: Mapped[int] = mapped_column(Integer)
    away_goals: Mapped[int] = mapped_column(Integer)
    # Who won: the goals, unless the game's replay records the winner (a forfeit can be won
    # at a level score); see sprocket.schedule.standings.home_won.
    home_won: Mapped[bool] = mapped_column(Boolean)
    # When the game was played, from its replay (None for a result entered by hand).
    played_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The replay that proves this game, when the result came through a submission.
    stored_replay_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_replays.id", ondelete="SET NULL")
    )
