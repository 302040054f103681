"""The error codes of the Discord door."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class DiscordCode(ErrorCode):
    """The Discord door.

    Refusals of the interactions endpoint (answered to Discord with an HTTP status) and of
    commands (answered to the person as an ephemeral reply).
    """

    DISCORD_OFF = (
        "DISCORD_OFF",
        "HTTP 404: the interactions endpoint is off (no `SPROCKET_DISCORD_PUBLIC_KEY`).",
    )
    BAD_SIGNATURE = (
        "BAD_SIGNATURE",
        "HTTP 401: an interaction without a valid Ed25519 signature of the application's key.",
    )
    STALE_INTERACTION = (
        "STALE_INTERACTION",
        "HTTP 401: a signed interaction whose timestamp is further from now than "
        "`SPROCKET_DISCORD_INTERACTION_MAX_AGE_SECONDS`.",
    )
    REPLAYED_INTERACTION = (
        "REPLAYED_INTERACTION",
        "HTTP 409: an interaction id that was answered already (a replayed request).",
    )
    BAD_INTERACTION = (
        "BAD_INTERACTION",
        "HTTP 400: a signed body that is not an interaction (not JSON, or without its fields).",
    )
    UNKNOWN_COMMAND = (
        "UNKNOWN_COMMAND",
        "A command, button or option value the bot does not know (its commands may be out of "
        "date: `sprocket discord sync-commands`).",
    )
    ATTACHMENT_NOT_ALLOWED = (
        "ATTACHMENT_NOT_ALLOWED",
        "`/submit`: an attached file whose address is not on Discord's CDN (an origin not in "
        "`SPROCKET_DISCORD_ATTACHMENT_ORIGINS`); it is not downloaded.",
    )
    ATTACHMENT_UNAVAILABLE = (
        "ATTACHMENT_UNAVAILABLE",
        "`/submit`: an attached file Discord's CDN did not serve (an error, a redirect, a "
        "broken connection or a time-out).",
    )
    NOTHING_TO_SUBMIT = (
        "NOTHING_TO_SUBMIT",
        "`/submit` without a match, by a player in no scrim of the organization.",
    )
    NO_PUBLIC_URL = (
        "NO_PUBLIC_URL",
        "A command whose answer links to the web, on a server without `SPROCKET_PUBLIC_URL`.",
    )
