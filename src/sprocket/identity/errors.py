"""The error codes of identity: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import DomainError, ErrorCode


class IdentityCode(ErrorCode):
    """Users and API tokens."""

    INVALID_TOKEN = (
        "INVALID_TOKEN",
        "HTTP 401: the API token is not one the server gave out, or is not sent as `Bearer`.",
    )
    TOKEN_EXPIRED = (
        "TOKEN_EXPIRED",
        "HTTP 401: the API token's lifetime ended.",
    )
    TOKEN_REVOKED = (
        "TOKEN_REVOKED",
        "HTTP 401: the API token (or the one that created it) was revoked.",
    )
    SESSION_ENDED = (
        "SESSION_ENDED",
        "A web session that is not running: signed out, ended by staff, or never started.",
    )
    SESSION_EXPIRED = (
        "SESSION_EXPIRED",
        "A web session whose lifetime (`SPROCKET_SESSION_HOURS`) ended.",
    )
    SIGN_IN_REFUSED = (
        "SIGN_IN_REFUSED",
        "A web sign-in that cannot be completed: a sign-in method that is off, an answer from "
        "Discord that does not belong to the sign-in this browser started (a replayed or "
        "mismatched `state`), or Discord refusing the code.",
    )
    PLATFORM_SIGN_IN_REFUSED = (
        "PLATFORM_SIGN_IN_REFUSED",
        "A sign-in at a game platform (Steam's OpenID, Epic's OAuth) that does not prove an "
        "account: an answer the platform does not confirm (a forged signature), from another "
        "endpoint, for another return address, replayed, naming no account, or belonging to "
        "no link this browser started.",
    )
    INVALID_TOKEN_LIFETIME = (
        "INVALID_TOKEN_LIFETIME",
        "A token lifetime outside 1 day to `SPROCKET_TOKEN_MAX_DAYS`.",
    )
    INVALID_DISCORD_ID = (
        "INVALID_DISCORD_ID",
        "Text that is not a Discord user id (a snowflake).",
    )
    INVALID_NAME = (
        "INVALID_NAME",
        "A name (display name, member, team, league...) empty, too long, or holding control or "
        "invisible characters.",
    )


class PlatformSignInRefused(DomainError):
    """A game platform's sign-in that proves nothing (``PLATFORM_SIGN_IN_REFUSED``):
    ``reason`` says why, and the sentence adds that nothing was linked."""

    code = IdentityCode.PLATFORM_SIGN_IN_REFUSED

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason} Nothing was linked.")
