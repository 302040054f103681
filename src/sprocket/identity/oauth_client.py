"""Authlib's asynchronous OAuth2 client, imported here once for every sign-in (Discord, Epic).

Authlib 1.9 looks for the ``httpx2`` package first and, finding only ``httpx`` (which the
rest of the project uses, and which the client runs on unchanged), warns at import that this
fallback is deprecated: a line every ``sprocket`` command would print. That one warning is
silenced here, by its message; every other warning still shows.
"""

from __future__ import annotations

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="The httpx module is deprecated", category=AuthlibDeprecationWarning
    )
    from authlib.integrations.httpx_client import AsyncOAuth2Client

__all__ = ["AsyncOAuth2Client"]
