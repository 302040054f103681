"""Platform account id formats, checked per platform before anything is stored."""

from __future__ import annotations

import re

from sprocket.errors import InvalidInput
from sprocket.identity.models import Platform

_EPIC = re.compile(r"^[0-9a-fA-F]{32}$")
_MAX_NAME = 64
_PLATFORM_NAMES = {
    Platform.STEAM: "Steam",
    Platform.EPIC: "Epic",
    Platform.PSN: "PlayStation",
    Platform.XBOX: "Xbox",
    Platform.SWITCH: "Switch",
}


def platform_name(platform: Platform | str) -> str:
    return _PLATFORM_NAMES.get(Platform(platform), str(platform))


def parse_platform(value: str) -> Platform:
    try:
        return Platform(value.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in Platform)
        raise InvalidInput(
            f"Unknown platform '{value}'. Use one of: {known}.", code="INVALID_PLATFORM"
        ) from None


def normalize_account_id(platform: Platform, account_id: str) -> str:
    """Return the canonical form of ``account_id`` or raise InvalidInput saying why not."""
    value = account_id.strip()
    if platform is Platform.STEAM:
        # A SteamID64 of an individual account in the public universe.
        # isascii: str.isdigit() also accepts other scripts' digits, such as '７'.
        if not (value.isascii() and value.isdigit()) or len(value) != 17:
            raise _bad(platform, account_id, "a 17-digit SteamID64 such as 76561198012345678")
        number = int(value)
        if number >> 56 != 1 or (number >> 52) & 0xF != 1 or number & 0xFFFFFFFF == 0:
            raise _bad(platform, account_id, "the SteamID64 of a player's account")
        return value
    if platform is Platform.EPIC:
        if not _EPIC.match(value):
            raise _bad(platform, account_id, "a 32-character hexadecimal Epic account id")
        return value.lower()
    if not value or len(value) > _MAX_NAME or any(ord(c) < 32 for c in value):
        raise _bad(platform, account_id, f"a name or id of 1 to {_MAX_NAME} characters")
    return value


def _bad(platform: Platform, value: str, expected: str) -> InvalidInput:
    return InvalidInput(
        f"'{value[:80]}' is not a valid {platform_name(platform)} account id: expected {expected}.",
        code="INVALID_ACCOUNT_ID",
    )
