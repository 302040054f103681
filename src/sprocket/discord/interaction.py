"""What Discord posts: an interaction read into plain values (the few fields a command
needs).

hikari's models are built by its entity factory, which demands every field of the newest
API version (``attachment_size_limit``, ``authorizing_integration_owners`` ...): a payload
of an older or newer version would fail. This reads only what the door uses, and refuses a
payload without it (:class:`Malformed`, answered 400).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hikari import ComponentType, InteractionType, OptionType

#: Discord's PING, which hikari's enum leaves out (its own server answers it).
PING = 1

#: The interaction types Discord sends.
KNOWN_TYPES = frozenset({PING, *InteractionType})
#: Option types that hold further options instead of a value.
NESTING = (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)


class Malformed(ValueError):
    """A payload without a field every interaction carries."""


@dataclass(frozen=True)
class DiscordUser:
    """Who interacted: their Discord id, username and display name (``global_name``)."""

    id: str
    username: str
    global_name: str | None


@dataclass(frozen=True)
class Attachment:
    """A file attached to a command (an ATTACHMENT option's value names it): Discord's id,
    the file's name, its size in bytes as Discord declares it, and the URL to download it
    from (Discord's CDN)."""

    id: str
    filename: str
    size: int
    url: str


@dataclass(frozen=True)
class Interaction:
    """One interaction. ``name`` is the command's (commands and autocomplete), ``path``
    its subcommand group and subcommand names, ``options`` the values given (by option
    name), ``focused`` the option being typed (autocomplete); ``custom_id`` the pressed
    component's or the submitted modal's, ``fields`` a modal's text inputs by custom id;
    ``attachments`` the files attached to a command, by id (``resolved.attachments``).
    ``guild_id`` is None in a direct message."""

    id: str
    type: int  # PING or an InteractionType
    application_id: str
    token: str
    user: DiscordUser
    guild_id: str | None = None
    channel_id: str | None = None
    name: str = ""
    path: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    focused: str | None = None
    custom_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)

    @property
    def command(self) -> str:
        """The command as people write it: ``scrim join``."""
        return " ".join((self.name, *self.path))


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
        raise Malformed(f"The interaction has no {key}.")
    return str(value)


def _user(payload: dict[str, Any]) -> DiscordUser:
    member = payload.get("member")
    raw = member.get("user") if isinstance(member, dict) else payload.get("user")
    if not isinstance(raw, dict):
        raise Malformed("The interaction names no user.")
    global_name = raw.get("global_name")
    return DiscordUser(
        id=_text(raw, "id"),
        username=str(raw.get("username") or ""),
        global_name=global_name if isinstance(global_name, str) else None,
    )


def _options(
    raw: Any, path: tuple[str, ...] = ()
) -> tuple[tuple[str, ...], dict[str, Any], str | None]:
    """The subcommand path, the leaf options' values and the focused option's name."""
    if not isinstance(raw, list):
        return path, {}, None
    values: dict[str, Any] = {}
    focused = None
    for option in raw:
        if not isinstance(option, dict) or not isinstance(option.get("name"), str):
            raise Malformed("An option of the interaction has no name.")
        if option.get("type") in NESTING:
            return _options(option.get("options"), (*path, option["name"]))
        values[option["name"]] = option.get("value")
        if option.get("focused"):
            focused = option["name"]
    return path, values, focused


def _attachments(data: dict[str, Any]) -> dict[str, Attachment]:
    """The attached files of a command's ``resolved`` data, by id (a file without its id,
    name, size or URL is left out: an option naming it then names nothing)."""
    resolved = data.get("resolved")
    raw = resolved.get("attachments") if isinstance(resolved, dict) else None
    found = {}
    for key, item in raw.items() if isinstance(raw, dict) else ():
        if not isinstance(item, dict):
            continue
        size, url, name = item.get("size"), item.get("url"), item.get("filename")
        if type(size) is int and isinstance(url, str) and isinstance(name, str):
            found[str(key)] = Attachment(str(key), name, size, url)
    return found


def _modal_fields(rows: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    for row in rows if isinstance(rows, list) else ():
        for item in row.get("components", ()) if isinstance(row, dict) else ():
            if isinstance(item, dict) and item.get("type") == ComponentType.TEXT_INPUT:
                fields[str(item.get("custom_id"))] = str(item.get("value") or "")
    return fields


def parse(payload: Any) -> Interaction:
    """The interaction of a decoded JSON body. Raises :class:`Malformed`."""
    if not isinstance(payload, dict):
        raise Malformed("The interaction is not a JSON object.")
    kind = payload.get("type")
    if type(kind) is not int or kind not in KNOWN_TYPES:
        raise Malformed("The interaction's type is unknown.")
    base = {
        "id": _text(payload, "id"),
        "type": kind,
        "application_id": _text(payload, "application_id"),
        "token": str(payload.get("token") or ""),
    }
    if kind == PING:
        return Interaction(**base, user=DiscordUser("0", "discord", None))
    data = payload.get("data")
    if not isinstance(data, dict):
        raise Malformed("The interaction has no data.")
    guild = payload.get("guild_id")
    channel = payload.get("channel_id")
    common = {
        **base,
        "user": _user(payload),
        "guild_id": str(guild) if guild else None,
        "channel_id": str(channel) if channel else None,
    }
    if kind in (InteractionType.APPLICATION_COMMAND, InteractionType.AUTOCOMPLETE):
        path, options, focused = _options(data.get("options"))
        name = _text(data, "name")
        return Interaction(
            **common,
            name=name,
            path=path,
            options=options,
            focused=focused,
            attachments=_attachments(data),
        )
    custom_id = _text(data, "custom_id")
    fields = _modal_fields(data.get("components")) if kind == InteractionType.MODAL_SUBMIT else {}
    return Interaction(**common, custom_id=custom_id, fields=fields)
