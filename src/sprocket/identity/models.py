"""Tables of who people are: users, their API tokens and their web sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sprocket.db import Base, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    discord_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    discord_name: Mapped[str | None] = mapped_column(String(100))
    # Our copy of the Discord avatar, made at sign-in: its storage key, which is also its
    # address under the site's root (`avatars/<user id>/<sha256>`: see
    # sprocket.identity.avatars). None: no avatar. (Rows older than the copy hold Discord's
    # address, which no page shows.)
    avatar_url: Mapped[str | None] = mapped_column(String(300))
    display_name: Mapped[str] = mapped_column(String(100))
    # Set when the user chose their display name; until then it follows their Discord name.
    display_name_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The IANA zone the person reads dates and times in on the web; None: the zone of the
    # organization each moment belongs to.
    time_zone: Mapped[str | None] = mapped_column(String(64))


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


class WebSession(Base):
    """A signed-in browser. Only the SHA-256 of its secret is stored; the secret travels in a
    signed cookie. Ending a session deletes its row (and moves the data version on, which
    forgets the cached holders of sessions: see :func:`sprocket.identity.sessions.end_session`);
    starting one leaves cached answers valid."""

    __tablename__ = "web_sessions"
    readers_see = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
