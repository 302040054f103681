"""The files attached to a command, downloaded from Discord's CDN.

A file is fetched only from an origin the settings allow (``discord_attachment_origins``:
Discord's CDN), following no redirect (an address elsewhere is never asked), and never
past the size cap: the size Discord declares is checked before anything is asked, the
``Content-Length`` the CDN sends before the body is read, and the bytes as they arrive.
What the bytes are (a replay or not) is for the service that takes them to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from sprocket.discord.errors import DiscordCode
from sprocket.discord.interaction import Attachment
from sprocket.errors import DomainError, InvalidInput
from sprocket.logs import log
from sprocket.replays.errors import ReplayCode
from sprocket.replays.parser import ReplayError
from sprocket.replays.service import Upload
from sprocket.text import size_text

#: Seconds the CDN has to connect and between two pieces of a file.
TIMEOUT_SECONDS = 30.0


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased (empty for no absolute URL)."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc or parts.username or parts.password:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(setting: str) -> frozenset[str]:
    """The origins of the setting ``discord_attachment_origins`` (comma-separated)."""
    return frozenset(o for o in (origin_of(item) for item in setting.split(",")) if o)


def _too_large(number: int, attached: Attachment, max_size: int) -> ReplayError:
    return ReplayError(
        f"Replay {number} ({attached.filename}) is larger than the {size_text(max_size)} "
        "limit for a replay.",
        code=ReplayCode.REPLAY_TOO_LARGE,
        details={"max_size": max_size},
    )


def _unavailable(number: int, attached: Attachment, why: str) -> DomainError:
    return DomainError(
        f"Replay {number} ({attached.filename}) could not be downloaded from Discord ({why}); "
        "attach it again.",
        code=DiscordCode.ATTACHMENT_UNAVAILABLE,
    )


def check(files: Sequence[Attachment], *, origins: frozenset[str], max_size: int) -> None:
    """Refuse, before anything is downloaded, a file at an origin not in ``origins``
    (ATTACHMENT_NOT_ALLOWED) or declared larger than ``max_size`` bytes
    (REPLAY_TOO_LARGE); files are numbered from 1 in the sentences."""
    for number, attached in enumerate(files, start=1):
        if origin_of(attached.url) not in origins:
            raise InvalidInput(
                f"Replay {number} ({attached.filename}) is not stored on Discord's CDN; "
                "it was not downloaded.",
                code=DiscordCode.ATTACHMENT_NOT_ALLOWED,
            )
        if attached.size > max_size:
            raise _too_large(number, attached, max_size)


async def _fetch(
    http: httpx.AsyncClient, number: int, attached: Attachment, max_size: int
) -> bytes:
    data = bytearray()
    async with http.stream("GET", attached.url) as answer:
        if answer.status_code != 200:
            raise _unavailable(number, attached, f"HTTP {answer.status_code}")
        declared = answer.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > max_size:
            raise _too_large(number, attached, max_size)
        async for chunk in answer.aiter_bytes():
            data += chunk
            if len(data) > max_size:
                raise _too_large(number, attached, max_size)
    return bytes(data)


async def download(
    files: Sequence[Attachment], *, origins: frozenset[str], max_size: int
) -> list[Upload]:
    """The attached ``files`` (replay 1 first) as uploads under their file names, each at
    most ``max_size`` bytes (the setting ``replay_max_bytes``).

    Raises ATTACHMENT_NOT_ALLOWED (an origin not in ``origins``, the setting
    ``discord_attachment_origins``), REPLAY_TOO_LARGE (declared, announced or found over
    ``max_size``: the download stops there), ATTACHMENT_UNAVAILABLE (the CDN answered
    anything but 200, redirects included, or failed)."""
    check(files, origins=origins, max_size=max_size)
    uploads = []
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
        for number, attached in enumerate(files, start=1):
            try:
                data = await _fetch(http, number, attached, max_size)
            except httpx.HTTPError as error:
                log.info("discord.attachment_failed", error=type(error).__name__)
                raise _unavailable(number, attached, "the connection failed") from None
            uploads.append(Upload(attached.filename, data))
    return uploads
