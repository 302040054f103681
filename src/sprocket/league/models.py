"""Tables of the league's structure, the roles granted in it and its members' game accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, State, UTCDateTime, one_of, utcnow
from sprocket.league.enums import AccountProof, AccountStatus, DiscordRoleKind, Role


class Game(Base):
    __tablename__ = "games"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class GameMode(Base):
    __tablename__ = "game_modes"

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    team_size: Mapped[int] = mapped_column(Integer)
    team_count: Mapped[int] = mapped_column(Integer, default=2)


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The IANA zone in which its people read dates (sprocket.dates.for_people).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganizationSetting(Base):
    """One configuration value set by an organization; missing keys take their default."""

    __tablename__ = "organization_settings"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class League(Base):
    """An organization's competition in one game mode."""

    __tablename__ = "leagues"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    game_mode_id: Mapped[int] = mapped_column(ForeignKey("game_modes.id"))
    name: Mapped[str] = mapped_column(String(100))
    roster_min: Mapped[int] = mapped_column(Integer)
    roster_max: Mapped[int] = mapped_column(Integer)
    match_format: Mapped[str] = mapped_column(String(16), default="bo5")


class Season(Base):
    __tablename__ = "seasons"
    __table_args__ = (UniqueConstraint("league_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SkillGroup(Base):
    """An ordered tier of a league (ordinal 1 is the top); salary cap optional."""

    __tablename__ = "skill_groups"
    __table_args__ = (
        UniqueConstraint("league_id", "ordinal"),
        UniqueConstraint("league_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(16))
    ordinal: Mapped[int] = mapped_column(Integer)
    salary_cap: Mapped[float | None] = mapped_column(Numeric(10, 2, asdecimal=False))


class Franchise(Base):
    __tablename__ = "franchises"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(8))


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("league_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_groups.id", ondelete="SET NULL"), index=True
    )
    franchise_id: Mapped[int | None] = mapped_column(
        ForeignKey("franchises.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))


class Member(Base):
    """A user's membership of an organization. Names are unique within it, compared by
    ``name_key`` (see :func:`sprocket.league.names.member_name_key`). A removed member is
    kept, marked left, so their past rosters, games and stats keep their owner."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        UniqueConstraint("organization_id", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(255))
    # The member shows their Discord identity and game accounts to everyone (default: only
    # to themself and the organization's staff).
    identities_public: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Player(Base):
    """A member registered to play in one league, placed in a skill group."""

    __tablename__ = "players"
    __table_args__ = (UniqueConstraint("member_id", "league_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_groups.id", ondelete="SET NULL")
    )
    salary: Mapped[float | None] = mapped_column(Numeric(10, 2, asdecimal=False))


class RosterSpot(Base):
    """A player's time on a team in a season. Ended spots are kept, so the past is dated."""

    __tablename__ = "roster_spots"
    __table_args__ = (
        # A player is on at most one team per season at a time (league follows from the player).
        Index(
            "uq_roster_spots_active_player_season",
            "player_id",
            "season_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
        Index("ix_roster_spots_team_season", "team_id", "season_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    is_captain: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RoleGrant(Base):
    """A granted role, scoped to an organization and, for some roles, a league or franchise."""

    __tablename__ = "role_grants"
    __table_args__ = (one_of("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(State(Role, 32))
    league_id: Mapped[int | None] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    franchise_id: Mapped[int | None] = mapped_column(
        ForeignKey("franchises.id", ondelete="CASCADE")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# The predicate's text as migrations 0007 and 0009 build it, so the model and autogenerate agree.
_VERIFIED = text(f"status = '{AccountStatus.VERIFIED.value}'")


class PlatformAccount(Base):
    """A game account (Steam, Epic, ...) linked to a member.

    Only a verified link counts (validation, ratings); a verified account is unique within
    the organization, while pending links (unproven claims) may name an account that others
    claim too, so a squatter's pending link never blocks the real owner.
    """

    __tablename__ = "platform_accounts"
    __table_args__ = (
        Index(
            "uq_platform_accounts_verified",
            "organization_id",
            "platform",
            "account_id",
            unique=True,
            sqlite_where=_VERIFIED,
            postgresql_where=_VERIFIED,
        ),
        UniqueConstraint("member_id", "platform", "account_id"),
        one_of("status", AccountStatus),
        one_of("proof", AccountProof),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[AccountStatus] = mapped_column(
        State(AccountStatus, 16), default=AccountStatus.PENDING
    )
    proof: Mapped[AccountProof | None] = mapped_column(State(AccountProof, 16))  # once verified
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


Index("ix_platform_accounts_member", PlatformAccount.member_id)


class DiscordGuild(Base):
    """A Discord server (guild) an organization linked: commands used there act for it. A
    guild belongs to one organization; an organization may link several."""

    __tablename__ = "discord_guilds"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    guild_id: Mapped[str] = mapped_column(String(20), unique=True)
    linked_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Role sync writes "[TAG] Name" nicknames in this server (off: nicknames are left alone).
    nickname_prefix: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class DiscordRole(Base):
    """A Discord role of a linked server that Sprocket keeps in step with the platform:
    members hold it while they are in its skill group, on its team, in its franchise, or
    (a rating band) while their displayed rating in its game mode is at least
    ``minimum_rating`` and below the next band's. Roles not named here are never touched."""

    __tablename__ = "discord_roles"
    __table_args__ = (
        UniqueConstraint("discord_guild_id", "role_id"),
        one_of("kind", DiscordRoleKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    discord_guild_id: Mapped[int] = mapped_column(
        ForeignKey("discord_guilds.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[str] = mapped_column(String(20))
    kind: Mapped[DiscordRoleKind] = mapped_column(State(DiscordRoleKind, 16))
    skill_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("skill_groups.id", ondelete="CASCADE")
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    franchise_id: Mapped[int | None] = mapped_column(
        ForeignKey("franchises.id", ondelete="CASCADE")
    )
    game_mode_id: Mapped[int | None] = mapped_column(ForeignKey("game_modes.id"))
    minimum_rating: Mapped[int | None] = mapped_column(Integer)
    mapped_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
