"""What the door answers Discord: messages (content, embeds, buttons, files; ephemeral ones
seen by the caller only), modals, autocomplete choices, and the times in them as Discord
timestamps (each reader sees their own time zone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hikari import ButtonStyle, ComponentType, MessageFlag, ResponseType

from sprocket.discord.embeds import Embed, cut, payloads
from sprocket.errors import DomainError

#: Discord's PONG (hikari's ResponseType leaves it out).
PONG = 1
#: Longest message content.
CONTENT = 2000
#: Most autocomplete choices, and the longest choice name.
CHOICES = 25
CHOICE_NAME = 100
#: Most buttons in one row of a message.
ROW = 5


def timestamp(moment: dt.datetime, style: str = "f") -> str:
    """``moment`` (timezone-aware) as a Discord timestamp, ``<t:UNIX:f>``: every reader
    sees it in their own zone (``style``: f date and time, R relative, d date)."""
    return f"<t:{int(moment.timestamp())}:{style}>"


@dataclass(frozen=True)
class Button:
    """A button whose press comes back as an interaction with ``custom_id``."""

    label: str
    custom_id: str
    style: ButtonStyle = ButtonStyle.PRIMARY


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its name as Discord shows it, its bytes and their media
    type."""

    filename: str
    data: bytes
    mimetype: str = "image/png"


@dataclass(frozen=True)
class Reply:
    """A message: ``ephemeral`` ones are shown to the caller only. Nobody is mentioned by
    it, whatever names it quotes. ``attachments`` go with it as files, which only a
    follow-up can carry: the HTTP answer to an interaction is JSON, never a multipart body
    (Discord fails an interaction answered with one, as its API docs discussion #6204
    reports), so the door defers a reply with files and sends it through the interaction's
    webhook (:meth:`sprocket.discord.rest.DiscordRest.follow_up`)."""

    content: str = ""
    embeds: Sequence[Embed] = ()
    buttons: Sequence[Button] = ()
    ephemeral: bool = False
    attachments: Sequence[Attachment] = ()

    def data(self) -> dict[str, Any]:
        """The message's JSON (an interaction response's ``data``, or a follow-up's body,
        whose files :attr:`attachments` holds)."""
        body: dict[str, Any] = {"allowed_mentions": {"parse": []}}
        if self.content:
            body["content"] = cut(self.content, CONTENT)
        if self.embeds:
            body["embeds"] = payloads(self.embeds)
        if self.buttons:
            body["components"] = [
                {
                    "type": ComponentType.ACTION_ROW,
                    "components": [
                        {
                            "type": ComponentType.BUTTON,
                            "style": button.style,
                            "label": cut(button.label, 80),
                            "custom_id": button.custom_id,
                        }
                        for button in self.buttons[start : start + ROW]
                    ],
                }
                for start in range(0, min(len(self.buttons), 5 * ROW), ROW)
            ]
        if self.ephemeral:
            body["flags"] = MessageFlag.EPHEMERAL
        return body


@dataclass(frozen=True)
class Modal:
    """A form Discord shows: one paragraph input per ``inputs`` entry (custom id, label);
    its submission comes back with ``custom_id``."""

    custom_id: str
    title: str
    inputs: Sequence[tuple[str, str]] = field(default_factory=tuple)
    max_length: int = 500


@dataclass(frozen=True)
class Choices:
    """Autocomplete suggestions: (shown name, value) pairs."""

    items: Sequence[tuple[str, str | int]]


Answer = Reply | Modal | Choices


def response(answer: Answer) -> dict[str, Any]:
    """The interaction response that carries ``answer``: a message, a modal, or at most 25
    autocomplete choices."""
    if isinstance(answer, Choices):
        choices = [
            {"name": cut(name, CHOICE_NAME), "value": value}
            for name, value in answer.items[:CHOICES]
        ]
        return {"type": ResponseType.AUTOCOMPLETE, "data": {"choices": choices}}
    if isinstance(answer, Modal):
        rows = [
            {
                "type": ComponentType.ACTION_ROW,
                "components": [
                    {
                        "type": ComponentType.TEXT_INPUT,
                        "custom_id": custom_id,
                        "label": cut(label, 45),
                        "style": 2,  # paragraph
                        "required": True,
                        "max_length": answer.max_length,
                    }
                ],
            }
            for custom_id, label in answer.inputs[:5]
        ]
        data = {"custom_id": answer.custom_id, "title": cut(answer.title, 45), "components": rows}
        return {"type": ResponseType.MODAL, "data": data}
    return {"type": ResponseType.MESSAGE_CREATE, "data": answer.data()}


def deferred(*, ephemeral: bool) -> dict[str, Any]:
    """The answer that buys time: Discord shows "thinking" until the follow-up comes."""
    data = {"flags": MessageFlag.EPHEMERAL} if ephemeral else {}
    return {"type": ResponseType.DEFERRED_MESSAGE_CREATE, "data": data}


def refusal(error: DomainError) -> Reply:
    """A typed error's sentence, for the caller's eyes only."""
    return Reply(content=error.message, ephemeral=True)
