"""``/notifications``: how each kind of notification reaches the caller (shown with no
option; with ``kind``, set its ``delivery`` and ``silent`` mentions), through the services
the web's notification settings page calls (:mod:`sprocket.web.inbox`)."""

from __future__ import annotations

from hikari import OptionType

from sprocket.discord.embeds import Embed, Field
from sprocket.discord.registry import Call, Command, Option
from sprocket.discord.replies import Reply
from sprocket.notifications import preferences
from sprocket.notifications.enums import DeliveryMode, NotificationKind

#: The deliveries in words.
WORDS = {
    DeliveryMode.DM: "direct message",
    DeliveryMode.CHANNEL: "channel only",
    DeliveryMode.OFF: "off (inbox only)",
}


def _line(choice: preferences.Preference) -> str:
    silent = ", silent" if choice.silent else ""
    default = " (default)" if choice.default else ""
    return f"{WORDS[choice.delivery]}{silent}{default}"


async def notifications_command(call: Call) -> Reply:
    """Without ``kind``: every kind's delivery. With it: set ``delivery`` and ``silent``
    (either left out keeps what it was)."""
    kind, delivery = call.option("kind"), call.option("delivery")
    silent = call.option("silent")
    if kind is None and delivery is None and silent is None:
        async with call.runtime.reading() as session:
            chosen = await preferences.my_preferences(session, actor=call.actor)
        fields = [
            Field(p.kind.replace("_", " ").capitalize(), f"{_line(p)}\n{p.kind.sentence}")
            for p in chosen
        ]
        return Reply(
            embeds=[
                Embed(
                    "Your notifications",
                    "Every notification lands in your inbox on the web; set how Discord tells "
                    "you with `/notifications kind: delivery: silent:`.",
                    fields=fields,
                )
            ]
        )
    async with call.runtime.unit_of_work() as session:
        choice = await preferences.set_preference(
            session,
            actor=call.actor,
            kind=str(kind or ""),  # none named: the service says which kinds there are
            delivery=None if delivery is None else str(delivery),
            silent=silent if isinstance(silent, bool) else None,
        )
    return Reply(f"{choice.kind.replace('_', ' ').capitalize()}: {_line(choice)}.")


NOTIFICATIONS_COMMAND = Command(
    "notifications",
    "See or set how each kind of notification reaches you.",
    notifications_command,
    options=(
        Option(
            "kind",
            "The kind to set (leave out to see them all).",
            choices=tuple((k.replace("_", " ").capitalize(), k.value) for k in NotificationKind),
        ),
        Option(
            "delivery",
            "Direct message, channel only, or off (the inbox only).",
            choices=tuple((WORDS[d].capitalize(), d.value) for d in DeliveryMode),
        ),
        Option("silent", "Mentions without a push notification.", OptionType.BOOLEAN),
    ),
    for_organization=False,
    private=True,
)

COMMANDS = (NOTIFICATIONS_COMMAND,)
