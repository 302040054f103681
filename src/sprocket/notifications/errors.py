"""The error codes of notifications: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class NotificationCode(ErrorCode):
    """Notifications: what is sent to Discord and the in-app inbox."""

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
