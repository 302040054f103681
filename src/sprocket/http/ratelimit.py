"""The per-client rate limit on work the response cache could not answer."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.http.auth import caller_of
from sprocket.http.errors import body_unread, refuse
from sprocket.platform.ratelimit import RateLimited, RateLimiter

#: Where a door finds the request's meter, to add what the request cost once it knows.
METER_KEY = "sprocket.meter"


@dataclass
class Meter:
    """Charges a request the points it costs beyond the one paid on arrival, as soon as the
    door has measured them: one per KB of a GraphQL document (reading it is work, refused or
    not) and one per ``fields_per_point`` fields it is estimated to resolve (see
    :mod:`sprocket.api.limits`)."""

    limiter: RateLimiter
    client: str
    fields_per_point: int
    #: The refusal of a charge, which the request is answered with (429).
    refused: RateLimited | None = None

    async def charge_fields(self, fields: int) -> None:
        """Charge ``fields`` (an estimate, before they are resolved) to the client.

        Raises RateLimited (``RATE_LIMITED``) when the client's budget was spent before this
        charge, and keeps it in ``refused``: :class:`RateLimit` answers the request 429.
        """
        await self._charge(fields // self.fields_per_point)

    async def charge_text(self, characters: int) -> None:
        """Charge a document of ``characters`` characters, one point per 1,024, before it is
        parsed; raises as :meth:`charge_fields` does."""
        await self._charge(characters // 1024)

    async def _charge(self, points: int) -> None:
        try:
            await self.limiter.charge(self.client, points)
        except RateLimited as error:
            self.refused = error
            raise


def client_key(scope: Scope) -> str:
    """Whom a request's budget belongs to: the verified caller (the API token's user), else
    the client's address (as the trusted proxies report it, see ``SPROCKET_TRUSTED_PROXIES``;
    never a header an untrusted client sets)."""
    actor = caller_of(scope)
    if actor.user_id is not None:
        return f"user:{actor.user_id}"
    client = scope.get("client")
    return f"addr:{client[0] if client else 'unknown'}"


class RateLimit:
    """Charges each request that reaches it one point before it runs (refusing it with 429
    ``RATE_LIMITED`` and ``Retry-After`` once the client's budget is spent; a WebSocket is
    closed with 4429), and gives it a :class:`Meter` on which its door charges the rest of
    its cost before doing the work; a request whose meter refused that charge is answered
    429 too, whatever the door answered.

    It stands behind the response cache: cached answers cost nothing. ``exempt`` paths
    (health checks, metrics) are never limited.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        fields_per_point: int,
        exempt: frozenset[str],
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.fields_per_point = fields_per_point
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        client = client_key(scope)
        try:
            await self.limiter.spend(client)
        except RateLimited as error:
            await _refuse(scope, receive, send, error)
            return
        meter = scope[METER_KEY] = Meter(self.limiter, client, self.fields_per_point)
        refused = False

        async def answer(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and meter.refused is not None:
                refused = True
                await _refuse(scope, receive, send, meter.refused)
            if not refused:
                await send(message)

        await self.app(scope, receive, answer)


async def _refuse(scope: Scope, receive: Receive, send: Send, error: RateLimited) -> None:
    retry = {"Retry-After": str(error.retry_after), **body_unread(scope)}
    await refuse(scope, receive, send, error, status=429, headers=retry, close_code=4429)
