"""Embeds within Discord's limits, enforced here and nowhere else: a title of 256
characters, a description of 4,096, 25 fields (names of 256, values of 1,024), a footer of
2,048, ten embeds a message and 6,000 characters over all of a message's embeds. Text past
a limit is cut with an ellipsis; fields past the total are left out, and the footer says
so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBEDS = 10
TOTAL = 6000
#: Characters of the budget kept back from the description and fields for the footer.
RESERVE = 100
#: Sprocket's colour, on every embed.
COLOUR = 0xE07A1F


def cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending with an ellipsis when cut; an empty
    text becomes a dash (Discord refuses an empty field)."""
    text = text.strip() or "-"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Embed:
    """An embed as a command builds it, in any length: :func:`payloads` fits it."""

    title: str
    description: str = ""
    fields: Sequence[Field] = field(default_factory=tuple)
    footer: str = ""
    url: str | None = None


def payloads(embeds: Sequence[Embed]) -> list[dict[str, Any]]:
    """The JSON of a message's ``embeds``, each part cut to its limit, at most ten embeds,
    and fields left out (with a footer saying how many) once the 6,000 characters of the
    message are spent."""
    budget = TOTAL
    shaped = []
    for embed in embeds[:EMBEDS]:
        title = cut(embed.title, min(TITLE, budget))
        budget -= len(title)
        body: dict[str, Any] = {"title": title, "color": COLOUR}
        if embed.url:
            body["url"] = embed.url
        footer = embed.footer
        left_out = max(0, len(embed.fields) - FIELDS)
        if embed.description and budget - RESERVE > 1:
            description = cut(embed.description, min(DESCRIPTION, budget - RESERVE))
            body["description"] = description
            budget -= len(description)
        kept = []
        for item in embed.fields[:FIELDS]:
            name = cut(item.name, FIELD_NAME)
            value = cut(item.value, FIELD_VALUE)
            if len(name) + len(value) > budget - RESERVE:
                left_out += 1
                continue
            kept.append({"name": name, "value": value, "inline": item.inline})
            budget -= len(name) + len(value)
        if kept:
            body["fields"] = kept
        if left_out:
            footer = f"{footer} ({left_out} more not shown)".strip()
        if footer and budget > 1:
            text = cut(footer, min(FOOTER, budget))
            body["footer"] = {"text": text}
            budget -= len(text)
        shaped.append(body)
        if budget <= 1:
            break
    return shaped
