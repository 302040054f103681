"""What a delivery sends, and where: a :class:`Message` within Discord's limits and a
:data:`Target` (a user's DMs, a channel, or a webhook). Plain data, checked when made, so a
message Discord would refuse is refused before it is scheduled.

The limits are Discord's (developer documentation: "Create Message", "Embed Limits",
"Button" and "Uploading Files"); where Discord sets a limit per server boost or per user,
the smallest (what every bot may send) is taken.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sprocket.errors import InvalidInput
from sprocket.notifications.errors import NotificationCode

#: Characters of a message's text.
MAX_CONTENT = 2000
#: Embeds per message, and characters of text across all of them.
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
#: Characters of each embed part, and fields per embed.
EMBED_TEXT_LIMITS = {"title": 256, "description": 4096}
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_AUTHOR = 256
#: The embed keys a delivery may carry (Discord's embed object, minus what only it fills in).
EMBED_KEYS = frozenset(
    {"title", "description", "url", "color", "timestamp", "fields", "footer", "author"}
    | {"image", "thumbnail"}
)
#: Buttons: five to an action row, five rows; characters of a label, a custom id, a link.
BUTTONS_PER_ROW = 5
MAX_BUTTONS = 25
MAX_LABEL = 80
MAX_CUSTOM_ID = 100
MAX_URL = 512
#: Files per message, and bytes of them all (the upload limit of every bot).
MAX_FILES = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Roles or users a message may ping (Discord's allowed mentions: 100 of each).
MAX_MENTIONS = 100
#: How an embed points at a file of its message (``attachment://card.png``).
ATTACHED = "attachment://"
#: Discord's message flag SUPPRESS_NOTIFICATIONS: shown, but nobody is pinged.
SUPPRESS_NOTIFICATIONS = 1 << 12

_SNOWFLAKE = re.compile(r"[1-9][0-9]{0,19}")
_WEBHOOK_URL = re.compile(
    r"https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api(?:/v[0-9]+)?"
    r"/webhooks/(?P<id>[1-9][0-9]{0,19})/(?P<token>[A-Za-z0-9_-]{1,100})"
)


class TargetKind(StrEnum):
    """Where a delivery goes: a user's DMs, a server channel, or a webhook."""

    DM = "dm"
    CHANNEL = "channel"
    WEBHOOK = "webhook"


def _snowflake(value: str, what: str) -> str:
    if not isinstance(value, str) or not _SNOWFLAKE.fullmatch(value) or int(value) >= 2**64:
        raise InvalidInput(
            f"'{value}' is not a Discord {what} id (a number of up to 20 digits).",
            code=NotificationCode.INVALID_TARGET,
        )
    return value


@dataclass(frozen=True)
class DmTarget:
    """A direct message to the Discord user ``user_id`` (a snowflake, as text). Raises
    InvalidInput (INVALID_TARGET) when it is none."""

    user_id: str
    kind = TargetKind.DM

    def __post_init__(self) -> None:
        _snowflake(self.user_id, "user")

    @property
    def address(self) -> str:
        return self.user_id


@dataclass(frozen=True)
class ChannelTarget:
    """A message in the Discord channel ``channel_id`` (a snowflake, as text). Raises
    InvalidInput (INVALID_TARGET) when it is none."""

    channel_id: str
    kind = TargetKind.CHANNEL

    def __post_init__(self) -> None:
        _snowflake(self.channel_id, "channel")

    @property
    def address(self) -> str:
        return self.channel_id


@dataclass(frozen=True)
class WebhookTarget:
    """A message through the webhook ``url`` (``https://discord.com/api/webhooks/<id>/<token>``,
    as Discord shows it; only its id and token are used, sent to the configured API).
    Raises InvalidInput (INVALID_TARGET) for any other address."""

    url: str
    kind = TargetKind.WEBHOOK

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not _WEBHOOK_URL.fullmatch(self.url):
            raise InvalidInput(
                "That is not a Discord webhook address "
                "(https://discord.com/api/webhooks/<id>/<token>).",
                code=NotificationCode.INVALID_TARGET,
            )

    @property
    def address(self) -> str:
        return self.url

    @property
    def webhook(self) -> tuple[int, str]:
        """The webhook's id and token."""
        match = _WEBHOOK_URL.fullmatch(self.url)
        assert match is not None
        return int(match["id"]), match["token"]


Target = DmTarget | ChannelTarget | WebhookTarget


def target_of(kind: TargetKind | str, address: str) -> Target:
    """The target of ``kind`` at ``address`` (as stored: a user or channel id, a webhook
    URL). Raises InvalidInput (INVALID_TARGET) when the address is none."""
    kind = TargetKind(kind)
    if kind is TargetKind.DM:
        return DmTarget(address)
    if kind is TargetKind.CHANNEL:
        return ChannelTarget(address)
    return WebhookTarget(address)


class ButtonStyle(StrEnum):
    """Discord's colours of an action button (a link button has its own)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"


def _too_large(sentence: str) -> InvalidInput:
    return InvalidInput(sentence, code=NotificationCode.MESSAGE_TOO_LARGE)


def _invalid(sentence: str) -> InvalidInput:
    return InvalidInput(sentence, code=NotificationCode.INVALID_MESSAGE)


@dataclass(frozen=True)
class Button:
    """A button: an action (``custom_id`` ``prefix:argument``, which the interactions door
    routes, in ``style``) or a link (``url``, http or https). Raises InvalidInput
    (INVALID_MESSAGE) for neither or both, MESSAGE_TOO_LARGE past Discord's lengths."""

    label: str
    custom_id: str | None = None
    url: str | None = None
    style: ButtonStyle = ButtonStyle.PRIMARY

    def __post_init__(self) -> None:
        if not self.label or len(self.label) > MAX_LABEL:
            raise _too_large(f"A button's label has 1 to {MAX_LABEL} characters.")
        if (self.custom_id is None) == (self.url is None):
            raise _invalid(f"The button '{self.label}' needs either an action or a link.")
        if self.custom_id is not None:
            prefix, colon, _argument = self.custom_id.partition(":")
            if not prefix or not colon:
                raise _invalid(f"The button '{self.label}' has no 'prefix:argument' action.")
            if len(self.custom_id) > MAX_CUSTOM_ID:
                raise _too_large(f"A button's action has at most {MAX_CUSTOM_ID} characters.")
        if self.url is not None:
            if not self.url.startswith(("https://", "http://")):
                raise _invalid(f"The button '{self.label}' links to no web address.")
            if len(self.url) > MAX_URL:
                raise _too_large(f"A button's link has at most {MAX_URL} characters.")

    def data(self) -> dict[str, Any]:
        """As stored: ``{"label", "custom_id" | "url", "style"}``."""
        if self.url is not None:
            return {"label": self.label, "url": self.url}
        return {"label": self.label, "custom_id": self.custom_id, "style": self.style.value}


@dataclass(frozen=True)
class Attachment:
    """A file posted with the message: ``name`` (``card.png``; an embed shows it as
    ``attachment://card.png``) and either its bytes (``data``) or the object-storage key it
    is kept under (``storage_key``). Raises InvalidInput (INVALID_MESSAGE) for no name, or
    neither or both sources."""

    name: str
    data: bytes | None = field(default=None, repr=False)
    storage_key: str | None = None

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 200 or "/" in self.name or "\\" in self.name:
            raise _invalid("A file needs a name of up to 200 characters, without slashes.")
        if (self.data is None) == (self.storage_key is None):
            raise _invalid(f"The file '{self.name}' needs either its bytes or a storage key.")


def _text(value: Any, limit: int, what: str) -> int:
    if not isinstance(value, str):
        raise _invalid(f"An embed's {what} must be text.")
    if len(value) > limit:
        raise _too_large(f"An embed's {what} has at most {limit} characters.")
    return len(value)


def _embed_size(embed: Any) -> int:
    """The characters Discord counts in ``embed`` (title, description, field names and
    values, footer text, author name), after checking its shape."""
    if not isinstance(embed, dict):
        raise _invalid("An embed must be an object.")
    unknown = set(embed) - EMBED_KEYS
    if unknown:
        raise _invalid(f"An embed has parts Discord does not take: {', '.join(sorted(unknown))}.")
    size = sum(_text(embed[k], n, k) for k, n in EMBED_TEXT_LIMITS.items() if k in embed)
    fields = embed.get("fields", [])
    if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
        raise _too_large(f"An embed has at most {MAX_FIELDS} fields.")
    for item in fields:
        if not isinstance(item, dict) or set(item) - {"name", "value", "inline"}:
            raise _invalid("An embed's field has a name, a value, and maybe 'inline'.")
        size += _text(item.get("name"), MAX_FIELD_NAME, "field name")
        size += _text(item.get("value"), MAX_FIELD_VALUE, "field value")
    if "footer" in embed:
        size += _text(_part(embed, "footer", {"text"}).get("text"), MAX_FOOTER, "footer")
    if "author" in embed:
        size += _text(_part(embed, "author", {"name", "url"}).get("name"), MAX_AUTHOR, "author")
    if not isinstance(embed.get("color", 0), int) or not 0 <= embed.get("color", 0) <= 0xFFFFFF:
        raise _invalid("An embed's colour is a number from 0 to 0xFFFFFF.")
    if "timestamp" in embed:
        moment = embed["timestamp"]
        try:
            aware = dt.datetime.fromisoformat(moment).tzinfo is not None
        except (TypeError, ValueError):
            aware = False
        if not aware:
            raise _invalid("An embed's timestamp is an ISO 8601 time with its offset.")
    return size


def _part(embed: dict[str, Any], name: str, keys: set[str]) -> dict[str, Any]:
    part = embed[name]
    if not isinstance(part, dict) or set(part) - keys:
        raise _invalid(f"An embed's {name} has only {', '.join(sorted(keys))}.")
    return part


def embed_links(embed: dict[str, Any]) -> list[str]:
    """The addresses in ``embed`` (its url, the author's, the image's and thumbnail's)."""
    links = [embed.get("url"), (embed.get("author") or {}).get("url")]
    links += [(embed.get(k) or {}).get("url") for k in ("image", "thumbnail")]
    return [link for link in links if link is not None]


def attached_name(link: str) -> str | None:
    """The file name of an ``attachment://<name>`` link (a file of the message), else None."""
    return link.removeprefix(ATTACHED) if link.startswith(ATTACHED) else None


def _check_links(embed: dict[str, Any], files: set[str]) -> None:
    for name in ("image", "thumbnail"):
        if name in embed:
            _part(embed, name, {"url"})
    for link in embed_links(embed):
        if not isinstance(link, str) or len(link) > MAX_URL:
            raise _invalid(f"An embed's links are text of at most {MAX_URL} characters.")
        attached = attached_name(link)
        if attached is None and not link.startswith(("https://", "http://")):
            raise _invalid("An embed links to web addresses or to the message's own files.")
        if attached is not None and attached not in files:
            raise _invalid(f"An embed shows the file '{attached}', which the message lacks.")


@dataclass(frozen=True)
class Message:
    """A Discord message: ``content`` (at most 2,000 characters), ``embeds`` (Discord's embed
    objects as dicts: title, description, url, color, timestamp, fields, footer, author,
    image, thumbnail; a link is a web address, or ``attachment://<name>`` for a file of the
    message), ``buttons`` (five to a row), ``silent`` (Discord's
    SUPPRESS_NOTIFICATIONS flag: shown without a ping), the roles and users its mentions may
    ping (no one else, never @everyone), and ``attachments``.

    Raises InvalidInput: MESSAGE_TOO_LARGE past any of Discord's limits, INVALID_MESSAGE for
    an empty message or an embed of unknown shape.
    """

    content: str = ""
    embeds: tuple[dict[str, Any], ...] = ()
    buttons: tuple[Button, ...] = ()
    silent: bool = False
    mention_role_ids: tuple[str, ...] = ()
    mention_user_ids: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def __post_init__(self) -> None:
        for name in ("embeds", "buttons", "mention_role_ids", "mention_user_ids", "attachments"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if len(self.content) > MAX_CONTENT:
            raise _too_large(f"A message has at most {MAX_CONTENT} characters.")
        if not (self.content.strip() or self.embeds or self.attachments):
            raise _invalid("A message needs text, an embed or a file.")
        if len(self.embeds) > MAX_EMBEDS:
            raise _too_large(f"A message has at most {MAX_EMBEDS} embeds.")
        if sum(_embed_size(embed) for embed in self.embeds) > MAX_EMBED_TOTAL:
            raise _too_large(f"A message's embeds have at most {MAX_EMBED_TOTAL} characters.")
        for embed in self.embeds:
            _check_links(embed, {a.name for a in self.attachments})
        if len(self.buttons) > MAX_BUTTONS:
            raise _too_large(f"A message has at most {MAX_BUTTONS} buttons.")
        for ids, what in ((self.mention_role_ids, "role"), (self.mention_user_ids, "user")):
            if len(ids) > MAX_MENTIONS:
                raise _too_large(f"A message may ping at most {MAX_MENTIONS} of each.")
            for ident in ids:
                _snowflake(ident, what)
        if len(self.attachments) > MAX_FILES:
            raise _too_large(f"A message carries at most {MAX_FILES} files.")
        if sum(len(a.data or b"") for a in self.attachments) > MAX_FILE_BYTES:
            raise _too_large(f"A message's files weigh at most {MAX_FILE_BYTES // 2**20} MiB.")

    @property
    def flags(self) -> int:
        """Discord's message flags: SUPPRESS_NOTIFICATIONS when silent, else none."""
        return SUPPRESS_NOTIFICATIONS if self.silent else 0

    def button_rows(self) -> list[tuple[Button, ...]]:
        """The buttons in action rows of five."""
        step = BUTTONS_PER_ROW
        return [self.buttons[i : i + step] for i in range(0, len(self.buttons), step)]

    def data(self) -> dict[str, Any]:
        """The message as stored (JSON), attachments aside: see :func:`message_of`."""
        return {
            "content": self.content,
            "embeds": list(self.embeds),
            "buttons": [button.data() for button in self.buttons],
            "silent": self.silent,
            "mention_role_ids": list(self.mention_role_ids),
            "mention_user_ids": list(self.mention_user_ids),
        }


def message_of(data: dict[str, Any], attachments: tuple[Attachment, ...] = ()) -> Message:
    """The message stored as ``data`` (:meth:`Message.data`), with its ``attachments``."""
    return Message(
        content=data["content"],
        embeds=tuple(data["embeds"]),
        buttons=tuple(
            Button(
                label=b["label"],
                custom_id=b.get("custom_id"),
                url=b.get("url"),
                style=ButtonStyle(b.get("style", ButtonStyle.PRIMARY)),
            )
            for b in data["buttons"]
        ),
        silent=data["silent"],
        mention_role_ids=tuple(data["mention_role_ids"]),
        mention_user_ids=tuple(data["mention_user_ids"]),
        attachments=attachments,
    )
