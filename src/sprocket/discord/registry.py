"""The commands the door knows: their definitions (what ``sync-commands`` registers with
Discord through :mod:`sprocket.discord.rest`: typed options, autocomplete flags,
subcommands) and what runs them, and the handlers of buttons and modals by the prefix of
their custom id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hikari import OptionType

from sprocket.discord.interaction import Attachment, Interaction
from sprocket.discord.replies import Answer
from sprocket.errors import NotFound

if TYPE_CHECKING:
    from sprocket.identity.access import Actor
    from sprocket.runtime import Runtime


class Completion(StrEnum):
    """What an option's autocomplete suggests."""

    ORGANIZATION = "organization"
    LEAGUE = "league"
    TEAM = "team"
    PLAYER = "player"
    OPEN_MATCH = "open_match"


@dataclass(frozen=True)
class Option:
    """A typed option of a command; ``complete`` makes Discord ask us for suggestions."""

    name: str
    description: str
    kind: OptionType = OptionType.STRING
    required: bool = False
    complete: Completion | None = None
    choices: tuple[tuple[str, str | int], ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None


#: The option every command acting for an organization takes, for direct messages.
ORGANIZATION = Option(
    "organization",
    "In a direct message: the organization to act for (in a server: the server's).",
    complete=Completion.ORGANIZATION,
    max_length=64,
)


@dataclass(frozen=True)
class Call:
    """A command, button or modal being run: the runtime, the interaction, the caller (the
    user of their Discord id) and the organization it acts for (None for the commands that
    act for none)."""

    runtime: Runtime
    interaction: Interaction
    actor: Actor
    organization_id: int | None

    def option(self, name: str, default: Any = None) -> Any:
        """The value given for option ``name``, else ``default``."""
        value = self.interaction.options.get(name)
        return default if value is None else value

    def attachment(self, name: str) -> Attachment | None:
        """The file attached as option ``name`` (None when not given)."""
        value = self.interaction.options.get(name)
        if value is None:
            return None
        attached = self.interaction.attachments.get(str(value))
        if attached is None:
            raise NotFound(f"The file of option {name} is not in the interaction.")
        return attached

    @property
    def argument(self) -> str:
        """A component's or modal's custom id after its prefix (``ratify:12`` -> ``12``)."""
        return (self.interaction.custom_id or "").partition(":")[2]

    @property
    def organization(self) -> int:
        """The organization the command acts for (asserted: commands that act for one)."""
        assert self.organization_id is not None
        return self.organization_id


Handler = Callable[[Call], Awaitable[Answer]]


@dataclass(frozen=True)
class Command:
    """A slash command (or subcommand). A command with ``subcommands`` runs none itself.
    ``for_organization``: it acts for an organization (which the door finds first, and it
    takes the ``organization`` option); ``private``: its answers are for the caller only;
    ``defer``: its work is slow (downloads, background checks), so it is answered "deferred"
    at once and its reply follows up."""

    name: str
    description: str
    run: Handler | None = None
    options: tuple[Option, ...] = ()
    subcommands: tuple[Command, ...] = ()
    for_organization: bool = True
    private: bool = False
    defer: bool = False

    def all_options(self) -> tuple[Option, ...]:
        """Its options, required ones first (Discord's rule), the organization's last."""
        extra = (ORGANIZATION,) if self.for_organization else ()
        ordered = sorted(self.options, key=lambda o: not o.required)
        return (*ordered, *extra)

    def find(self, path: tuple[str, ...]) -> Command | None:
        """The (sub)command at ``path`` below this one."""
        if not path:
            return None if self.subcommands else self
        sub = next((s for s in self.subcommands if s.name == path[0]), None)
        return None if sub is None else sub.find(path[1:])

    def leaves(self, prefix: str = "") -> Iterable[tuple[str, Command]]:
        """Every runnable (sub)command below this one, with its full name."""
        name = f"{prefix} {self.name}".strip()
        if not self.subcommands:
            yield name, self
        for sub in self.subcommands:
            yield from sub.leaves(name)


@dataclass
class Registry:
    """The commands by name and the component handlers by custom-id prefix."""

    commands: dict[str, Command] = field(default_factory=dict)
    components: dict[str, Handler] = field(default_factory=dict)

    @classmethod
    def of(cls, commands: Iterable[Command], components: Mapping[str, Handler]) -> Registry:
        return cls({c.name: c for c in commands}, dict(components))

    def add(self, command: Command) -> None:
        """Register ``command`` (replacing one of the same name)."""
        self.commands[command.name] = command

    def find(self, name: str, path: tuple[str, ...]) -> Command | None:
        """The command run by ``/name path...``, or None."""
        command = self.commands.get(name)
        return None if command is None else command.find(path)

    def component(self, custom_id: str) -> Handler | None:
        """The handler of a button or modal with ``custom_id`` (``prefix:argument``)."""
        return self.components.get(custom_id.partition(":")[0])
