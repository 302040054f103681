"""Epic sign-in: Epic Account Services' OAuth2 authorization code flow, through Authlib.

The browser is sent to Epic's authorize URL with a ``state`` the caller keeps (bound to the
browser and used once); Epic sends it back with a code, which :func:`epic_account` trades
for a token (the client authenticating with its id and secret) and then asks Epic who signed
in (the userinfo endpoint's ``sub``: the Epic account id, and ``preferred_username``). Epic's
web flow documents no PKCE, so none is sent. Every address is a setting, so tests point them
at a fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError

from sprocket.identity.errors import PlatformSignInRefused
from sprocket.identity.oauth_client import AsyncOAuth2Client

#: Seconds Epic has to answer each request.
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class EpicClient:
    """Our application at Epic: its credentials and Epic's three addresses."""

    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    userinfo_url: str
    scope: str

    def oauth(self, redirect_uri: str) -> AsyncOAuth2Client:
        """An Authlib client answering to ``redirect_uri`` (our callback's absolute URL)."""
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scope,
            redirect_uri=redirect_uri,
            timeout=TIMEOUT_SECONDS,
        )


async def authorization_url(epic: EpicClient, *, redirect_uri: str, state: str) -> str:
    """Where to send the browser to sign in at Epic, carrying ``state`` back to
    ``redirect_uri``."""
    async with epic.oauth(redirect_uri) as client:
        url, _ = client.create_authorization_url(epic.authorize_url, state=state)
    return str(url)


async def epic_account(epic: EpicClient, *, redirect_uri: str, code: str) -> tuple[str, str | None]:
    """The Epic account that signed in and was sent back with ``code``: its id (as Epic
    writes it) and display name (None when Epic gives none).

    Raises PlatformSignInRefused (``PLATFORM_SIGN_IN_REFUSED``) when Epic refuses the code,
    does not answer as expected, or names no account.
    """
    try:
        async with epic.oauth(redirect_uri) as client:
            await client.fetch_token(epic.token_url, code=code)
            answer = await client.get(epic.userinfo_url)
            answer.raise_for_status()
            who: Any = answer.json()
    except OAuthError as error:
        raise PlatformSignInRefused(f"Epic refused the sign-in ({error.error}).") from error
    except (httpx.HTTPError, ValueError) as error:
        raise PlatformSignInRefused(
            "Epic did not answer as expected; try again in a moment."
        ) from error
    if not isinstance(who, dict) or not isinstance(who.get("sub"), str) or not who["sub"]:
        raise PlatformSignInRefused("Epic did not say which account signed in.")
    name = who.get("preferred_username")
    return who["sub"], name if isinstance(name, str) and name else None
