"""Reading a page's address: ids in the path and the GET form's values, each a typed error's
sentence when malformed (a 404 for an id, a 400 for a form value)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from sprocket.db import MAX_ID
from sprocket.errors import CommonCode, InvalidInput, NotFound

#: The longest address a sign-in returns to.
MAX_NEXT = 2000


def local_path(value: str | None) -> str:
    """``value`` when it is an address on this site (``/settings/link/steam?member=3``),
    else ``/``: never another site's (``//elsewhere``, ``https://...``, ``/\\elsewhere``), so a
    link cannot use a sign-in to send people away (an open redirect)."""
    if not value or len(value) > MAX_NEXT or not value.isascii() or not value.isprintable():
        return "/"
    parts = urlsplit(value)
    if not value.startswith("/") or "\\" in value or parts.scheme or parts.netloc:
        return "/"
    return value


def path_id(value: str, what: str) -> int:
    """The positive id ``value`` of the path names. Raises NOT_FOUND (not a number, not
    positive, or past any id a row can have): such an address names no page."""
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_ID:
        raise NotFound(f"There is no {what} {value[:40]!r}.", code=CommonCode.NOT_FOUND)
    return int(value)


def form_int(value: str | None, what: str, *, minimum: int = 0) -> int | None:
    """The whole number a form field holds (none when empty). Raises INVALID_INPUT."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.lstrip("-").isdigit() or int(text) < minimum:
        raise InvalidInput(
            f"The {what} must be a whole number of at least {minimum}.",
            code=CommonCode.INVALID_INPUT,
        )
    return int(text)


def form_date(value: str | None, what: str) -> dt.datetime | None:
    """The day (YYYY-MM-DD) a date field holds, as its UTC midnight (none when empty).
    Raises INVALID_INPUT."""
    if value is None or not value.strip():
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"The {what} must be a date (YYYY-MM-DD).", code=CommonCode.INVALID_INPUT
        ) from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
