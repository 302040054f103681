"""The name an uploaded replay is stored and shown under (pure).

An upload's file name comes from the client, so it may be anything: a path (``../../x``,
``C:\\Users\\me\\game.replay``), control characters (a NUL byte, which PostgreSQL refuses in
text; newlines that forge log lines), bidirectional overrides that disguise an extension,
thousands of characters. Sprocket keeps what a player recognises: the base name, printable,
bounded, with its ``.replay`` extension still visible.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 255
"""The longest name kept (``stored_replays.filename`` holds 255 characters)."""
EXTENSION = ".replay"
_ELLIPSIS = "\u2026"
# Control (Cc), format (Cf: bidi overrides, zero-width), surrogate (Cs: not text at all) and
# line or paragraph separator (Zl, Zp) characters.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def clean_filename(raw: str | None, *, number: int) -> str:
    """The name to store and show for upload ``number`` (1 for a series' first file) sent
    as ``raw``: control and format characters removed, the part after the last ``/`` or
    ``\\``, without surrounding spaces; a name longer than :data:`MAX_LENGTH` characters is
    cut in the middle with an ellipsis, keeping a ``.replay`` extension. Nothing left (or
    ``.``, ``..``) gives ``game{number}.replay``. Cleaning a clean name changes nothing.
    """
    text = "".join(c for c in raw or "" if unicodedata.category(c) not in _DROPPED)
    text = text.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if text in ("", ".", ".."):
        return f"game{number}{EXTENSION}"
    if len(text) <= MAX_LENGTH:
        return text
    kept = text[-len(EXTENSION) :] if text.lower().endswith(EXTENSION) else ""
    return text[: MAX_LENGTH - len(kept) - 1].rstrip() + _ELLIPSIS + kept
