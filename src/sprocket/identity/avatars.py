"""Users' pictures: the Discord avatar, copied into our own storage at sign-in so that no
page loads anything from Discord.

An avatar is checked before it is kept: a PNG, JPEG, GIF or WebP image (by its first bytes)
of at most the deployment's size cap. It is stored under ``avatars/<user id>/<sha256>``,
which is also its address on the site (``/avatars/<user id>/<sha256>``): the address
changes with the picture, so browsers may keep it for good, and nobody finds a picture
without being shown its address.
"""

from __future__ import annotations

import hashlib
import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import CommonCode, InvalidInput, NotFound
from sprocket.identity.models import User
from sprocket.logs import log
from sprocket.platform.storage import ObjectStorage

#: The image kinds kept, by the bytes their files start with.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
#: The size (pixels) asked of Discord's CDN.
SIZE = 128
#: Seconds the CDN has to send the picture.
TIMEOUT_SECONDS = 10.0
_HASH = re.compile(r"\A[A-Za-z0-9_]{1,64}\Z")
_DIGEST = re.compile(r"\A[0-9a-f]{64}\Z")


def image_type(data: bytes) -> str | None:
    """The media type of ``data`` when it is a PNG, JPEG, GIF or WebP image (by its first
    bytes), else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


async def fetch_discord_avatar(
    *, cdn_url: str, discord_id: str, avatar: str, max_bytes: int
) -> bytes | None:
    """The picture of Discord user ``discord_id`` whose avatar hash is ``avatar``, read from
    Discord's CDN at ``cdn_url`` (the setting ``discord_cdn_url``), as a PNG of
    :data:`SIZE` pixels. None (and a warning in the log) when it cannot be had: a hash that
    is no hash, the CDN failing or slow, more than ``max_bytes`` bytes, or not an image of a
    kind we keep. Raises nothing: a sign-in never fails for its picture."""
    if not (discord_id.isascii() and discord_id.isdigit()) or not _HASH.match(avatar):
        log.warning("avatar.refused", reason="not a Discord id or avatar hash")
        return None
    url = f"{cdn_url.rstrip('/')}/avatars/{discord_id}/{avatar}.png?size={SIZE}"
    data = bytearray()
    try:
        async with (
            httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http,
            http.stream("GET", url) as answer,
        ):
            answer.raise_for_status()
            async for chunk in answer.aiter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    log.warning("avatar.refused", reason="too large", max_bytes=max_bytes)
                    return None
    except httpx.HTTPError as error:
        log.warning("avatar.unavailable", error=type(error).__name__)
        return None
    if image_type(bytes(data)) is None:
        log.warning("avatar.refused", reason="not a PNG, JPEG, GIF or WebP image")
        return None
    return bytes(data)


async def store_avatar(
    session: AsyncSession, storage: ObjectStorage, *, user: User, image: bytes, max_bytes: int
) -> str:
    """Keep ``image`` (a PNG, JPEG, GIF or WebP file of at most ``max_bytes`` bytes) as
    ``user``'s picture, in place of the one before (whose file is removed). Returns its
    storage key, which :attr:`User.avatar_url` now holds. Raises InvalidInput
    (``INVALID_INPUT``) for anything else."""
    if len(image) > max_bytes or image_type(image) is None:
        raise InvalidInput(
            f"A picture is a PNG, JPEG, GIF or WebP image of at most {max_bytes} bytes.",
            code=CommonCode.INVALID_INPUT,
        )
    key = f"avatars/{user.id}/{hashlib.sha256(image).hexdigest()}"
    if user.avatar_url != key:
        await storage.put(key, image, content_type=image_type(image) or "")
        await _forget(storage, user.avatar_url)
        user.avatar_url = key
        await session.flush()
    return key


async def remove_avatar(session: AsyncSession, storage: ObjectStorage, *, user: User) -> None:
    """``user`` has no picture any more (their Discord account has none); its file is
    removed. Raises nothing."""
    await _forget(storage, user.avatar_url)
    user.avatar_url = None
    await session.flush()


def _ours(key: str | None) -> bool:
    return bool(key and key.startswith("avatars/"))  # older rows held Discord's address


async def _forget(storage: ObjectStorage, key: str | None) -> None:
    if key and _ours(key):
        await storage.delete(key)


async def avatar_image(storage: ObjectStorage, *, user_id: int, digest: str) -> tuple[bytes, str]:
    """The picture stored as ``avatars/<user_id>/<digest>`` and its media type. Raises
    NotFound (``NOT_FOUND``) when there is none (a malformed digest names none)."""
    if not _DIGEST.match(digest):
        raise NotFound("There is no such picture.")
    try:
        data = await storage.get(f"avatars/{user_id}/{digest}")
    except NotFound:
        raise NotFound("There is no such picture.") from None
    return data, image_type(data) or "application/octet-stream"


async def user_avatar(storage: ObjectStorage, *, user: User) -> tuple[bytes, str] | None:
    """``user``'s own picture and its media type; None when they have none (or its file is
    gone from storage). Raises nothing."""
    if not user.avatar_url or not _ours(user.avatar_url):
        return None
    try:
        data = await storage.get(user.avatar_url)
    except NotFound:
        return None
    return data, image_type(data) or "application/octet-stream"
