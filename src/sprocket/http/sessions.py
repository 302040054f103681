"""The web session's cookie, and the signed-in user it stands for.

The cookie carries the session's secret signed with the deployment's key (so a cookie made up
by a client is refused before the database is asked); it is HttpOnly, SameSite=Lax, and
Secure when the public URL is https. Only the web door's pages read it: ``/graphql`` takes
Bearer tokens alone (a cookie there would let another site's page act for the user).
"""

from __future__ import annotations

import json
from http.cookies import CookieError, SimpleCookie

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from sprocket.db import utcnow
from sprocket.errors import Unauthenticated
from sprocket.identity import sessions, tokens
from sprocket.identity.access import Actor
from sprocket.runtime import DATA_VERSION_KEY, Runtime

COOKIE = "sprocket_session"
#: Where the guard leaves the session's secret (for signing out) and, when the cookie's
#: session no longer runs, the sentence saying so.
SESSION_KEY = "sprocket.session"
SESSION_ENDED_KEY = "sprocket.session_ended"
#: How long a session's holder is remembered (at most; a write forgets it at once).
HOLDER_TTL = 300


class SessionCookies:
    """Writes and reads the session cookie: ``secret_key`` signs it, ``secure`` (https)
    keeps it to https, ``max_age`` (seconds) is the session's lifetime."""

    def __init__(self, *, secret_key: str, secure: bool, max_age: int) -> None:
        self.signer = URLSafeSerializer(secret_key, salt="sprocket-web-session")
        self.secure = secure
        self.max_age = max_age

    def secret_of(self, scope: Scope) -> str | None:
        """The session secret a request's cookie carries, if its signature is ours."""
        header = Headers(scope=scope).get("cookie")
        if not header:
            return None
        jar = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            return None
        morsel = jar.get(COOKIE)
        if morsel is None:
            return None
        try:
            secret = self.signer.loads(morsel.value)
        except BadSignature:
            return None
        return secret if isinstance(secret, str) else None

    def give(self, response: Response, secret: str) -> None:
        """Set the cookie of a session just started on ``response``."""
        response.set_cookie(
            COOKIE,
            self.signer.dumps(secret),
            max_age=self.max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def take_back(self, response: Response) -> None:
        """Remove the cookie (signed out) on ``response``."""
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)


async def session_actor(runtime: Runtime, secret: str) -> Actor:
    """The signed-in user of a session's secret, remembered in the cache under the current
    data version (signing out, ending sessions and every other write move to a new one) so a
    page costs no query for it. A session that does not run is remembered too.

    Raises Unauthenticated: ``SESSION_ENDED``, ``SESSION_EXPIRED``.
    """
    digest = tokens.digest(secret)
    version = (await runtime.cache.get(DATA_VERSION_KEY) or b"0").decode()
    key = f"session:{version}:{digest}"
    known = await runtime.cache.get(key)
    if known is not None:
        entry = json.loads(known)
        if "refused" in entry:
            raise Unauthenticated(entry["refused"][1], code=entry["refused"][0])
        return Actor(user_id=entry["user"], is_superuser=entry["superuser"], name=entry["name"])
    try:
        async with runtime.reading() as session:
            actor, expires = await sessions.session_holder(session, secret=secret)
    except Unauthenticated as error:
        refused = json.dumps({"refused": [error.code, error.message]}).encode()
        await runtime.cache.set(key, refused, ttl=HOLDER_TTL)
        raise
    entry = {"user": actor.user_id, "superuser": actor.is_superuser, "name": actor.name}
    ttl = min(HOLDER_TTL, max((expires - utcnow()).total_seconds(), 1))
    await runtime.cache.set(key, json.dumps(entry).encode(), ttl=ttl)
    return actor
