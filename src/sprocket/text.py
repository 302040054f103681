"""Words for people: sizes and counts in the sentences every door shows."""

from __future__ import annotations


def size_text(size: int) -> str:
    """A byte count for people: "20 MB", "1.5 MB", "4,096 bytes"."""
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A count with its noun for people: "1 problem", "3 problems", "0 problems".

    ``many``: the plural when it is not ``noun`` + "s" ("1 match" / "2 matches").
    """
    word = noun if count == 1 else (many or f"{noun}s")
    return f"{count:,} {word}"


def is_storable(text: str) -> bool:
    """Whether ``text`` holds no NUL character (U+0000) and no lone surrogate: what
    PostgreSQL can store (its text types refuse U+0000; UTF-8 cannot encode a lone
    surrogate). Every door refuses other text before it reaches a service."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
