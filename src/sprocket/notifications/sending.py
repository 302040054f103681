"""What the notification job needs of whatever sends to Discord: a :class:`Sender`, found
among the runtime's resources under :data:`SENDER` (the Discord door's hikari client, which
:func:`sprocket.jobs.build_runtime` registers: a domain carries no Discord library), and the
:class:`SendFailure` it raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sprocket.notifications.message import Message, Target

#: The runtime's resource that sends to Discord (one per process, sharing its rate limits).
SENDER = "notifications.discord-sender"


class SendFailure(Exception):
    """Discord did not take the message. ``retry``: worth trying again later (a 5xx, no
    answer, a rate limit longer than the sender waits out, whose wait ``retry_after`` in
    seconds gives); ``dms_closed``: the user takes no DM from the bot (Discord's error
    50007); otherwise Discord refused it for good (a 4xx: unknown channel, missing access)."""

    def __init__(
        self,
        reason: str,
        *,
        retry: bool = False,
        dms_closed: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.dms_closed = dms_closed
        self.retry_after = retry_after


class Sender(Protocol):
    """Sends one message to Discord."""

    async def send(
        self, target: Target, message: Message, *, nonce: str, files: Mapping[str, bytes]
    ) -> str:
        """Send ``message`` to ``target`` and return Discord's id of the message made.
        ``nonce``: the delivery's (at most 25 characters), for DMs and channel messages;
        ``files``: each attachment's bytes by its name. Raises :class:`SendFailure`."""
        ...
