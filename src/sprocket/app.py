"""The ASGI app: GraphQL at /graphql, the landing page, /healthz, /readyz and /metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter

from sprocket.api.context import Context, authenticate, bearer_token
from sprocket.api.response_cache import ResponseCache
from sprocket.api.schema import build_schema
from sprocket.config import Settings
from sprocket.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from sprocket.metrics import HTTP_LATENCY, HTTP_REQUESTS
from sprocket.platform.outbox import backlog
from sprocket.replays.graphql import size_text
from sprocket.replays.service import MAX_FILES, replay_download
from sprocket.runtime import Platform

ROUTES = frozenset({"/", "/graphql", "/healthz", "/readyz", "/metrics"})

LANDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sprocket</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}
a{color:#0a58ca}</style></head>
<body><h1>Sprocket</h1>
<p>The platform that runs competitive Rocket League leagues.</p>
<ul>
<li><a href="/graphql">GraphiQL</a>: explore the league, its schedules and standings</li>
<li><a href="/readyz">/readyz</a>: are the database, broker, cache and storage answering?</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
</ul></body></html>"""


class RequestMetrics:
    """Counts and times every HTTP request (routes bounded to known paths)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = scope["path"] if scope["path"] in ROUTES else "other"
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


# Headers a page on another site cannot send without a CORS preflight (which this app never
# grants): the two Apollo Server checks for, so Apollo's upload client works as it is.
PREFLIGHT_HEADERS = (b"apollo-require-preflight", b"x-apollo-operation-name")
# Slack over the files of a multipart request: its `operations` and `map` fields and framing.
MULTIPART_OVERHEAD = 1024 * 1024


class MultipartGuard:
    """Guards multipart GraphQL requests (replay uploads), which Strawberry accepts as they are.

    A browser sends a ``multipart/form-data`` POST from any site without asking first, so such
    a request must carry one of ``PREFLIGHT_HEADERS`` (cross-site request forgery protection;
    Strawberry itself checks nothing). A body declared larger than ``max_bytes`` is refused
    before it is read.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, path: str = "/graphql") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        if not headers.get(b"content-type", b"").lower().startswith(b"multipart/"):
            await self.app(scope, receive, send)
            return
        if not any(headers.get(name, b"").strip() for name in PREFLIGHT_HEADERS):
            response = _graphql_error(
                400,
                "File uploads need the header 'Apollo-Require-Preflight: true' (a protection "
                "against cross-site request forgery).",
                "PREFLIGHT_REQUIRED",
            )
        elif _declared_length(headers) > self.max_bytes:
            response = _graphql_error(
                413,
                f"The upload is larger than the {size_text(self.max_bytes)} a request may carry.",
                "REQUEST_TOO_LARGE",
            )
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


ACTOR_SCOPE_KEY = "sprocket.actor"


class TokenGuard:
    """Answers a GraphQL request with a bad token (invalid, expired or revoked) with a 401.

    Without it a purely public query would be answered as if anonymous, and a client with a
    typo'd or expired token would never learn it. It stands in front of the response cache, so
    a cached answer is never served to a bad token either. A request without a Bearer token
    passes untouched (it stays anonymous); a valid token costs cache reads, not a query
    (:func:`~sprocket.api.context.authenticate`), and the caller it stands for is handed to
    the GraphQL context in the scope, so it is not looked up twice.
    """

    def __init__(self, app: ASGIApp, *, platform: Platform, path: str = "/graphql") -> None:
        self.app = app
        self.platform = platform
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        authorization = dict(scope.get("headers", ())).get(b"authorization")
        token = bearer_token(authorization.decode("latin-1")) if authorization else None
        if token is None:
            await self.app(scope, receive, send)
            return
        try:
            scope[ACTOR_SCOPE_KEY] = await authenticate(self.platform, token)
        except Unauthenticated as error:
            if scope["type"] == "websocket":  # refused before the handshake (an HTTP 403)
                await send({"type": "websocket.close", "code": 4401, "reason": error.message})
                return
            response = _graphql_error(401, error.message, error.code)
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _declared_length(headers: dict[bytes, bytes]) -> int:
    try:
        return int(headers.get(b"content-length", b"0") or 0)
    except ValueError:  # not a number: the server reads the body as it comes
        return 0


def _graphql_error(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
    )


def create_app(settings: Settings, *, platform: Platform | None = None) -> FastAPI:
    """Build the app; it starts (and stops) its own platform unless one is given."""
    owned = platform is None
    running = platform or Platform(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if owned:
            await running.start(relay=settings.run_relay)
        try:
            yield
        finally:
            if owned:
                await running.stop()

    app = FastAPI(title="Sprocket", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.platform = running

    async def get_context(connection: HTTPConnection) -> Context:
        return Context(
            running,
            connection.headers.get("authorization"),
            actor=connection.scope.get(ACTOR_SCOPE_KEY),
        )

    graphql = GraphQLRouter(
        build_schema(max_depth=settings.graphql_max_depth),
        context_getter=get_context,
        graphql_ide="graphiql" if settings.graphql_ide else None,
        # Replay uploads; MultipartGuard (below) asks them for a preflight header.
        multipart_uploads_enabled=True,
    )
    app.include_router(graphql, prefix="/graphql")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def landing() -> str:
        return LANDING

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = await running.readiness()
        failing = {name: problem for name, problem in checks.items() if problem}
        body = {
            "status": "ok" if not failing else "unavailable",
            "checks": {name: problem or "ok" for name, problem in checks.items()},
        }
        if failing:
            body["failing"] = sorted(failing)
        return JSONResponse(body, status_code=503 if failing else 200)

    @app.get("/replays/{sha256}.replay", include_in_schema=False)
    async def download_replay(sha256: str, request: Request) -> Response:
        """The replay file; an organization may keep its replays to members (a Bearer token)."""
        try:
            actor = await authenticate(running, bearer_token(request.headers.get("authorization")))
            async with running.reading() as session:
                stored, data = await replay_download(
                    session, actor=actor, storage=running.storage, sha256=sha256.lower()
                )
        except DomainError as error:  # {"error": sentence, "code": CODE}
            status = {Unauthenticated: 401, PermissionDenied: 403, NotFound: 404}.get(
                type(error), 400
            )
            return JSONResponse(
                {"error": error.message, "code": error.code},
                status_code=status,
                headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
            )
        return Response(
            data,
            media_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{stored.sha256}.replay"'},
        )

    @app.get("/metrics")
    async def metrics() -> Response:
        try:
            async with running.reading() as session:
                await backlog(session)
        except Exception:  # metrics still answer while the database is down
            pass
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(ResponseCache, cache=running.cache, ttl=settings.response_cache_ttl)
    app.add_middleware(TokenGuard, platform=running)
    app.add_middleware(
        MultipartGuard, max_bytes=settings.replay_max_bytes * MAX_FILES + MULTIPART_OVERHEAD
    )
    app.add_middleware(RequestMetrics)
    return app
