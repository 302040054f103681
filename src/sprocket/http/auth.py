"""The caller of a request, read once, from its one ``Authorization: Bearer`` header."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from sprocket.db import utcnow
from sprocket.errors import Unauthenticated
from sprocket.http.clients import address_key
from sprocket.http.errors import BadCredentials, refuse, refuse_rate_limited
from sprocket.identity import service as identity
from sprocket.identity import tokens
from sprocket.identity.access import SPECTATOR, Actor
from sprocket.identity.errors import IdentityCode
from sprocket.platform.ratelimit import RateLimited, RateLimiter
from sprocket.runtime import DATA_VERSION_KEY, Runtime

#: Where the guard leaves the caller and its token for everything after it in the request.
ACTOR_KEY = "sprocket.actor"
TOKEN_KEY = "sprocket.token"

#: How long a token's holder is remembered (at most; a write forgets it at once).
ACTOR_TTL = 300


def credentials(values: list[bytes]) -> str | None:
    """The token of a request's ``Authorization`` header values (None: anonymous).

    Raises BadCredentials (``BAD_CREDENTIALS``) for more than one header: which one counts
    would otherwise depend on who reads them. Raises Unauthenticated (``INVALID_TOKEN``)
    for a scheme other than Bearer. A blank header is no credential.
    """
    present = [v.decode("latin-1").strip() for v in values]
    present = [v for v in present if v]
    if len(values) > 1:
        raise BadCredentials(
            f"This request carries {len(values)} Authorization headers; send exactly one."
        )
    if not present:
        return None
    scheme, _, token = present[0].partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "Send your personal API token as 'Authorization: Bearer <token>'.",
            code=IdentityCode.INVALID_TOKEN,
        )
    return token.strip()


async def authenticate(
    runtime: Runtime,
    token: str | None,
    *,
    before_lookup: Callable[[], Awaitable[None]] | None = None,
) -> Actor:
    """The caller a Bearer token stands for; an invalid, expired or revoked token raises
    Unauthenticated (``INVALID_TOKEN``, ``TOKEN_EXPIRED``, ``TOKEN_REVOKED``), no token is
    the spectator.

    A valid token's holder is remembered in the cache under the current data version (every
    committed write, a revocation too, moves to a new one) until the token expires, so a
    request with a valid token costs two cache reads (the version, the holder), not a query.
    A refused token is remembered too (it never becomes valid again), so a flood of one bad
    token costs no query either. ``before_lookup`` runs before the database is asked (the
    door charges the client's rate limit there, so a flood of made-up tokens is limited).
    """
    if not token:
        return SPECTATOR
    digest = tokens.digest(token)
    refused = await runtime.cache.get(f"bad-token:{digest}")
    if refused is not None:
        code, message = json.loads(refused)
        raise Unauthenticated(message, code=code)
    version = (await runtime.cache.get(DATA_VERSION_KEY) or b"0").decode()
    key = f"actor:{version}:{digest}"
    known = await runtime.cache.get(key)
    if known is not None:
        user_id, is_superuser, name, expires_at, token_id = json.loads(known)
        if dt.datetime.fromisoformat(expires_at) > utcnow():
            return Actor(user_id=user_id, is_superuser=is_superuser, name=name, token_id=token_id)
    if before_lookup is not None:
        await before_lookup()
    try:
        async with runtime.reading() as session:
            actor, expires = await identity.token_holder(session, token)
    except Unauthenticated as error:
        remembered = json.dumps([error.code, error.message]).encode()
        await runtime.cache.set(f"bad-token:{digest}", remembered, ttl=ACTOR_TTL)
        raise
    assert expires is not None
    entry = [actor.user_id, actor.is_superuser, actor.name, expires.isoformat(), actor.token_id]
    await runtime.cache.set(key, json.dumps(entry).encode(), ttl=ACTOR_TTL)
    return actor


class Authenticate:
    """Resolves the caller of every request (but ``exempt`` paths) once, before the body
    limit, the response cache and any door: duplicate credentials are refused with 400, a bad
    token or a scheme other than Bearer with 401 (a WebSocket is closed before its
    handshake: 4400, 4401). Each refused token costs its address a point of a budget of its
    own (``limiter``, under ``bad-tokens:<address>``): once an address has spent it, any
    token the cache does not know (a valid one too, until the window ends) is refused 429
    before the database is asked, so a flood of made-up tokens is cheap; tokens already
    known and the address's other work are unaffected.

    Without it a purely public query would be answered as if anonymous, and a client with a
    typo'd or expired token would never learn it; and the cache and the resolvers could read
    different callers from one request.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        runtime: Runtime,
        limiter: RateLimiter,
        exempt: frozenset[str],
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.limiter = limiter
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope.get("headers", ()) if name == b"authorization"]
        failures = f"bad-tokens:{address_key(scope)}"
        try:
            token = credentials(values)
            scope[ACTOR_KEY] = await authenticate(
                self.runtime, token, before_lookup=lambda: self.limiter.spend(failures, 0)
            )
        except BadCredentials as error:
            await refuse(scope, receive, send, error)
            return
        except RateLimited as error:
            await refuse_rate_limited(scope, receive, send, error)
            return
        except Unauthenticated as error:
            with contextlib.suppress(RateLimited):  # what the next unknown token will meet
                await self.limiter.charge(failures, 1)
            challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            await refuse(
                scope, receive, send, error, status=401, headers=challenge, close_code=4401
            )
            return
        scope[TOKEN_KEY] = token
        await self.app(scope, receive, send)


def caller_of(scope: Scope) -> Actor:
    """The caller :class:`Authenticate` found for this request (the spectator if none)."""
    return scope.get(ACTOR_KEY, SPECTATOR)
