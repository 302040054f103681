"""Discord's proof that an interaction comes from Discord: an Ed25519 signature over the
request's timestamp and body, made with the application's key (its public half is the
setting ``discord_public_key``), and a timestamp recent enough that a copied request cannot
be sent again later."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def public_key(hex_key: str) -> Ed25519PublicKey:
    """The verifying key of ``hex_key`` (the 64 hex digits Discord shows as the
    application's public key). Raises ValueError for anything else."""
    try:
        raw = bytes.fromhex(hex_key.strip())
    except ValueError:
        raise ValueError("The Discord public key is not hexadecimal.") from None
    if len(raw) != 32:
        raise ValueError("The Discord public key has 64 hex digits (32 bytes).")
    return Ed25519PublicKey.from_public_bytes(raw)


def signed_by(key: Ed25519PublicKey, *, signature: str, timestamp: str, body: bytes) -> bool:
    """Whether ``signature`` (hex, the ``X-Signature-Ed25519`` header) signs ``timestamp``
    (the ``X-Signature-Timestamp`` header, as sent) followed by ``body`` (the raw bytes)."""
    try:
        raw = bytes.fromhex(signature)
    except ValueError:
        return False
    if len(raw) != 64:
        return False
    try:
        key.verify(raw, timestamp.encode("ascii", "replace") + body)
    except InvalidSignature:
        return False
    return True


def fresh(timestamp: str, *, now: float, max_age: float) -> bool:
    """Whether ``timestamp`` (Unix seconds, as text) lies within ``max_age`` seconds of
    ``now`` (Unix seconds), either side: an old request is a replay, one from the future a
    forgery or a broken clock."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(now - int(timestamp)) <= max_age
