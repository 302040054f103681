"""Personal API tokens: random secrets shown once, stored as SHA-256 digests.

The tokens carry 256 bits of randomness, so a fast hash is the right tool: there is nothing
to brute-force, and verifying on every request must be cheap.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "spk_"
#: No token lives longer, whatever the settings say (ten years).
ABSOLUTE_MAX_DAYS = 3650


def new_token() -> str:
    """A fresh secret: ``spk_`` and 43 URL-safe characters (256 random bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The SHA-256 digest of a token, as 64 lowercase hex characters (what is stored)."""
    return hashlib.sha256(token.encode()).hexdigest()
