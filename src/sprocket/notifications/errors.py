"""The error codes of notifications: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class NotificationCode(ErrorCode):
    """Notifications: what is sent to Discord and the in-app inbox, preferences, channels and
    announcements."""

    INVALID_KIND = (
        "INVALID_KIND",
        "Text that names no kind of notification.",
    )
    INVALID_DELIVERY = (
        "INVALID_DELIVERY",
        "A delivery that is none of dm, channel or off.",
    )
    INVALID_PURPOSE = (
        "INVALID_PURPOSE",
        "Text that names no purpose of a notification channel.",
    )
    INVALID_SNOWFLAKE = (
        "INVALID_SNOWFLAKE",
        "A Discord channel or role id that is not one (1 to 20 digits).",
    )
    INVALID_WEBHOOK = (
        "INVALID_WEBHOOK",
        "A webhook address that is not a Discord webhook's (http(s)://.../webhooks/<id>/<token>).",
    )
    CHANNEL_OR_WEBHOOK = (
        "CHANNEL_OR_WEBHOOK",
        "A notification channel is a channel id or a webhook address: exactly one of them.",
    )
    WRONG_SCOPE = (
        "WRONG_SCOPE",
        "A skill group, team or franchise the channel's purpose does not take, or one of "
        "another organization.",
    )
    CHANNEL_NOT_SET = (
        "CHANNEL_NOT_SET",
        "No channel is set for that purpose (and scope) in the organization.",
    )
    INVALID_ANNOUNCEMENT = (
        "INVALID_ANNOUNCEMENT",
        "An announcement without a title or text, or longer than allowed.",
    )
    INVALID_TARGET = (
        "INVALID_TARGET",
        "A Discord destination that is none: a user or channel id that is no Discord id, or a "
        "webhook address that is not Discord's.",
    )
    MESSAGE_TOO_LARGE = (
        "MESSAGE_TOO_LARGE",
        "A message past Discord's limits (2,000 characters of text, 10 embeds of 6,000 "
        "characters in all, 25 buttons, 10 files of 10 MiB in all).",
    )
    INVALID_MESSAGE = (
        "INVALID_MESSAGE",
        "A message Discord would refuse: nothing in it, an embed field it does not know, a "
        "button with neither an action nor a link, or a file with no name.",
    )
    INVALID_DELIVERY_KEY = (
        "INVALID_DELIVERY_KEY",
        "A delivery's idempotency key that is empty or longer than 200 characters.",
    )
