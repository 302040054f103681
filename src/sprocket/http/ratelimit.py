"""The per-client rate limit on work the response cache could not answer."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sprocket.http.auth import caller_of
from sprocket.http.clients import address_key
from sprocket.http.errors import body_length, refuse_rate_limited
from sprocket.platform.ratelimit import RateLimited, RateLimiter

#: Where a door finds the request's meter, to add what the request cost once it knows.
METER_KEY = "sprocket.meter"


@dataclass
class Meter:
    """Charges a request the points its door measures, before the door does the work: one
    per ``fields_per_point`` fields a GraphQL document is estimated to resolve (see
    :mod:`sprocket.api.limits`), plus ``per_operation`` (a WebSocket's operations each pay
    the point an HTTP request pays on arrival)."""

    limiter: RateLimiter
    client: str
    fields_per_point: int
    per_operation: int = 0
    #: The refusal of a charge, which an HTTP request is answered with (429).
    refused: RateLimited | None = None

    async def charge_fields(self, fields: int) -> None:
        """Charge ``fields`` (an estimate, before they are resolved) to the client.

        Raises RateLimited (``RATE_LIMITED``) when the client's budget was spent before this
        charge, and keeps it in ``refused``: :class:`RateLimit` answers the request 429.
        """
        try:
            await self.limiter.charge(
                self.client, self.per_operation + fields // self.fields_per_point
            )
        except RateLimited as error:
            self.refused = error
            raise


def body_points(scope: Scope, length: int) -> int:
    """What reading a body of ``length`` bytes costs: a point per KB of text (JSON and
    GraphQL are parsed), a point per MB of a multipart upload (files are only stored)."""
    content_type = Headers(scope=scope).get("content-type", "").lower()
    unit = 1024 * 1024 if content_type.startswith("multipart/") else 1024
    return length // unit


def client_key(scope: Scope) -> str:
    """Whom a request's budget belongs to: the verified caller (the API token's user), else
    the client's address (:func:`~sprocket.http.clients.address_key`)."""
    actor = caller_of(scope)
    if actor.user_id is not None:
        return f"user:{actor.user_id}"
    return address_key(scope)


class RateLimit:
    """Charges each request that reaches it before it runs: one point, plus its body's size
    (:func:`body_points`, from its declared length; a chunked body is charged as it was read,
    after the request), refusing it with 429 ``RATE_LIMITED`` and ``Retry-After`` once the
    client's budget is spent (a WebSocket is closed with 4429). Its door then charges the
    rest of its cost on the request's :class:`Meter` before doing the work; a request whose
    meter refused that charge did no work and is answered 429 too.

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
        declared = body_length(scope) if scope["type"] == "http" else 0
        try:
            await self.limiter.spend(client, 1 + body_points(scope, declared or 0))
        except RateLimited as error:
            await refuse_rate_limited(scope, receive, send, error)
            return
        websocket = scope["type"] == "websocket"
        meter = scope[METER_KEY] = Meter(
            self.limiter, client, self.fields_per_point, per_operation=int(websocket)
        )
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            return message

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and meter.refused is not None:
                await refuse_rate_limited(scope, receive, send, meter.refused)
                return
            if meter.refused is None or not message["type"].startswith("http.response"):
                await send(message)

        try:
            await self.app(scope, counted if declared is None else receive, answer)
        finally:
            if declared is None and received:  # chunked: charged as it was read
                with contextlib.suppress(RateLimited):
                    await self.limiter.charge(client, body_points(scope, received))
