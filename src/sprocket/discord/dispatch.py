"""Running an interaction: the caller (the user of their Discord id, created as the web's
Discord sign-in creates one: never a membership), the organization a command acts for, the
command, button or modal itself, and Discord's three seconds: work that takes longer than
``discord_defer_after_seconds`` is answered "deferred" at once and its reply sent as the
interaction's follow-up when ready."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from typing import Any

from hikari import InteractionType

from sprocket.discord import completion
from sprocket.discord.errors import DiscordCode
from sprocket.discord.interaction import DiscordUser, Interaction
from sprocket.discord.registry import Call, Handler, Registry
from sprocket.discord.replies import Answer, Choices, Reply, deferred, refusal, response
from sprocket.discord.rest import DiscordRest
from sprocket.errors import INTERNAL, DomainError
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import guilds
from sprocket.logs import log
from sprocket.runtime import Runtime

#: What a reply that can only be sent at once (a modal) says when it came too late.
TOO_SLOW = "That took too long to open; press the button again."


@dataclass(frozen=True)
class Work:
    """What an interaction runs: ``handler``, for an organization or not, answered for the
    caller's eyes only (``private``) or not, deferred at once (``defer``) or only when slow."""

    handler: Handler
    for_organization: bool
    private: bool
    defer: bool = False


def unknown(what: str) -> Reply:
    """The ephemeral refusal of something the bot does not know."""
    return refusal(
        DomainError(
            f"{what} is not something this bot knows: its commands may be out of date "
            "(an operator runs `sprocket discord sync-commands`).",
            code=DiscordCode.UNKNOWN_COMMAND,
        )
    )


async def caller(runtime: Runtime, user: DiscordUser) -> Actor:
    """The actor of the Discord user ``user``: their user, created on their first
    interaction or renamed as Discord names them (as the web's Discord sign-in does).
    Remembered under the data version (:meth:`~sprocket.runtime.Runtime.remembered`) for
    the names Discord gives, so a known user whose names are unchanged costs no query."""
    shown = (user.global_name or user.username).strip()[:100] or "New user"
    username = user.username[:100] or None

    async def make() -> bytes:
        async with runtime.unit_of_work() as session:  # writes only what changed
            row = await identity.ensure_user(
                session, discord_id=user.id, display_name=shown, discord_name=username
            )
        return json.dumps([row.id, row.is_superuser, row.display_name]).encode()

    name = "discord-user:" + json.dumps([user.id, shown, username])
    user_id, is_superuser, display_name = json.loads(await runtime.remembered(name, make))
    return Actor(user_id=user_id, is_superuser=is_superuser, name=display_name)


async def acting_organization(runtime: Runtime, actor: Actor, interaction: Interaction) -> int:
    """The id of the organization the interaction acts for
    (:func:`sprocket.league.guilds.acting_organization`), remembered under the data version
    for its server (in a direct message: for the caller and the organization they chose).
    Raises what that function raises."""
    chosen = interaction.options.get("organization")

    async def make() -> bytes:
        async with runtime.reading() as session:
            organization = await guilds.acting_organization(
                session, actor=actor, guild_id=interaction.guild_id, chosen=chosen
            )
        return str(organization.id).encode()

    whose = [interaction.guild_id] if interaction.guild_id else [None, actor.user_id, chosen]
    name = "discord-organization:" + json.dumps(whose)
    return int(await runtime.remembered(name, make))


def _carries_files(answer: Answer) -> bool:
    return isinstance(answer, Reply) and bool(answer.attachments)


class Dispatcher:
    """Answers interactions with the commands and components of ``registry``; follow-ups go
    through ``rest``; ``defer_after`` seconds is how long an answer may take before it is
    deferred."""

    def __init__(
        self, runtime: Runtime, registry: Registry, *, rest: DiscordRest, defer_after: float
    ) -> None:
        self.runtime = runtime
        self.registry = registry
        self.rest = rest
        self.defer_after = defer_after
        self._pending: set[asyncio.Task[Any]] = set()

    def work_of(self, interaction: Interaction) -> Work | Reply:
        """What ``interaction`` runs, or the refusal of an unknown command or component."""
        if interaction.type == InteractionType.APPLICATION_COMMAND:
            command = self.registry.find(interaction.name, interaction.path)
            if command is None or command.run is None:
                return unknown(f"/{interaction.command}")
            return Work(command.run, command.for_organization, command.private, command.defer)
        handler = self.registry.component(interaction.custom_id or "")
        if handler is None:
            return unknown("This button")
        return Work(handler, for_organization=False, private=True)

    async def answer(self, interaction: Interaction) -> dict[str, Any]:
        """The interaction response for ``interaction`` (not a PING): within
        ``defer_after`` seconds, the reply itself, else a deferral (its follow-up is sent
        when the work is done); a command that defers is answered with the deferral at
        once. A reply with files is always deferred (for the caller's eyes only when it is
        ephemeral) and followed up: the interaction's answer cannot carry them (see
        :class:`~sprocket.discord.replies.Reply`)."""
        if interaction.type == InteractionType.AUTOCOMPLETE:
            return response(await self._suggest(interaction))
        work = self.work_of(interaction)
        if isinstance(work, Reply):
            return response(work)
        task = asyncio.create_task(self.run(work, interaction))
        done, _ = await asyncio.wait({task}, timeout=0 if work.defer else self.defer_after)
        private = work.private
        if task in done:
            ready = task.result()
            if not _carries_files(ready):
                return response(ready)
            private = private or (isinstance(ready, Reply) and ready.ephemeral)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        follow = asyncio.create_task(self._follow_up(task, interaction))
        self._pending.add(follow)
        follow.add_done_callback(self._pending.discard)
        return deferred(ephemeral=private)

    async def run(self, work: Work, interaction: Interaction) -> Answer:
        """Run ``work`` as the interaction's caller, for the organization it acts for; a
        typed error becomes its ephemeral sentence, any other fault a generic one (logged)."""
        try:
            actor = await caller(self.runtime, interaction.user)
            organization_id = None
            if work.for_organization:
                organization_id = await acting_organization(self.runtime, actor, interaction)
            call = Call(self.runtime, interaction, actor, organization_id)
            answer = await work.handler(call)
        except DomainError as error:
            log.info(
                "discord.refused",
                command=interaction.command or interaction.custom_id,
                code=str(error.code),
            )
            return refusal(error)
        except Exception:
            log.exception("discord.failed", command=interaction.command or interaction.custom_id)
            return Reply(content=INTERNAL, ephemeral=True)
        if isinstance(answer, Reply) and work.private and not answer.ephemeral:
            return replace(answer, ephemeral=True)
        return answer

    async def _follow_up(self, task: asyncio.Task[Answer], interaction: Interaction) -> None:
        answer = await task
        reply = answer if isinstance(answer, Reply) else Reply(TOO_SLOW, ephemeral=True)
        try:
            await self.rest.follow_up(
                application_id=interaction.application_id, token=interaction.token, reply=reply
            )
        except Exception:
            log.exception("discord.follow_up_failed", command=interaction.command)

    async def _suggest(self, interaction: Interaction) -> Choices:
        command = self.registry.find(interaction.name, interaction.path)
        option = None
        if command is not None and interaction.focused is not None:
            option = next((o for o in command.all_options() if o.name == interaction.focused), None)
        if option is None or option.complete is None:
            return Choices(())
        try:
            return await completion.suggest(self.runtime, interaction, option.complete)
        except DomainError:
            return Choices(())  # nothing to suggest where the command would be refused

    async def drain(self) -> None:
        """Wait for the follow-ups still being worked on (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*tuple(self._pending), return_exceptions=True)
