"""Every command and component of the Discord door, assembled."""

from __future__ import annotations

from sprocket.discord import (
    link,
    notifications,
    ratings,
    replays,
    report_cards,
    schedule,
    scrims,
    staff,
    submit,
)
from sprocket.discord.embeds import FIELDS, Embed, Field
from sprocket.discord.registry import Call, Command, Registry
from sprocket.discord.replies import Reply

#: The commands of each area, in the order ``/help`` lists them.
COMMANDS: tuple[Command, ...] = (
    *schedule.COMMANDS,
    *ratings.COMMANDS,
    *report_cards.COMMANDS,
    *submit.COMMANDS,
    *replays.COMMANDS,
    *scrims.COMMANDS,
    *staff.COMMANDS,
    *link.COMMANDS,
    *notifications.COMMANDS,
)
#: The handlers of buttons and modals, by the prefix of their custom id.
COMPONENTS = {**replays.COMPONENTS, **scrims.COMPONENTS}


def help_command(registry: Registry) -> Command:
    """``/help``: every command of ``registry`` with what it does, 25 to an embed (Discord's
    most fields in one)."""

    async def run(_call: Call) -> Reply:
        lines = [
            Field(f"/{name}", command.description)
            for top in registry.commands.values()
            for name, command in top.leaves()
        ]
        first = Embed(
            "Sprocket commands",
            "In a server, commands act for the organization that linked it; in a direct "
            "message, for your organization (name one with the organization option when you "
            "are in several).",
            fields=lines[:FIELDS],
        )
        more = [
            Embed("More Sprocket commands", fields=lines[start : start + FIELDS])
            for start in range(FIELDS, len(lines), FIELDS)
        ]
        return Reply(embeds=[first, *more])

    return Command(
        "help", "What each Sprocket command does.", run, for_organization=False, private=True
    )


def default_registry() -> Registry:
    """A registry of every command and component of the door (``/help`` lists them)."""
    registry = Registry.of(COMMANDS, COMPONENTS)
    registry.add(help_command(registry))
    return registry
