"""Tables of who people are: users, API tokens, role grants, linked platform accounts, and the
audit log of what staff did."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """Roles of DESIGN.md. Captain and player come from rosters; the others are granted."""

    ORGANIZATION_ADMIN = "organization_admin"
    LEAGUE_STAFF = "league_staff"
    FRANCHISE_MANAGER = "franchise_manager"
    TEAM_CAPTAIN = "team_captain"
    PLAYER = "player"
    SPECTATOR = "spectator"


class Platform(enum.StrEnum):
    STEAM = "steam"
    EPIC = "epic"
    PSN = "psn"
    XBOX = "xbox"
    SWITCH = "switch"


class AccountStatus(enum.StrEnum):
    """A linked game account counts (``verified``) only once someone vouched for it."""

    PENDING = "pending"  # the member says it is theirs; nothing proves it yet
    VERIFIED = "verified"


class AccountProof(enum.StrEnum):
    """What made a link verified."""

    STAFF = "staff"  # league staff linked it for the member
    CLAIM = "claim"  # staff or the other side confirmed the member's claim from a replay
    SIGN_IN = "sign_in"  # the member signed in at the platform (Steam, Epic, ...)
    LEGACY = "legacy"  # linked before links needed a proof (migration 0007)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    discord_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    discord_name: Mapped[str | None] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(100))
    # Set when the user chose their display name; until then it follows their Discord name.
    display_name_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The token that created this one (None: the command line): revoking it revokes this too.
    created_by_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), index=True
    )


class RoleGrant(Base):
    """A granted role, scoped to an organization and, for some roles, a league or franchise."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    league_id: Mapped[int | None] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    franchise_id: Mapped[int | None] = mapped_column(
        ForeignKey("franchises.id", ondelete="CASCADE")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


_VERIFIED = "status = 'verified'"


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
            sqlite_where=text(_VERIFIED),
            postgresql_where=text(_VERIFIED),
        ),
        UniqueConstraint("member_id", "platform", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=AccountStatus.PENDING.value)
    proof: Mapped[str | None] = mapped_column(String(16))  # an AccountProof once verified
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


Index("ix_platform_accounts_member", PlatformAccount.member_id)
