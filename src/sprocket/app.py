"""The ASGI app: GraphQL at /graphql, the landing page, downloads, /healthz, /readyz, /metrics,
behind the HTTP guards of :mod:`sprocket.http`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection, Request
from starlette.staticfiles import StaticFiles
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sprocket.api.context import Context
from sprocket.api.limits import QueryLimits
from sprocket.api.response_cache import ResponseCache
from sprocket.api.router import TRANSPORT_CODES, GraphQLDoor
from sprocket.api.schema import build_schema, schema_sdl
from sprocket.config import Settings
from sprocket.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from sprocket.http.auth import ACTOR_KEY, TOKEN_KEY, Authenticate, caller_of
from sprocket.http.body import BodyLimit
from sprocket.http.errors import Unexpected, error_response
from sprocket.http.headers import SecurityHeaders
from sprocket.http.metrics import RequestMetrics
from sprocket.http.ratelimit import METER_KEY, RateLimit
from sprocket.http.timeouts import RequestTimeout
from sprocket.http.uploads import UploadPreflight
from sprocket.jobs import build_runtime
from sprocket.platform.outbox import backlog
from sprocket.platform.ratelimit import RateLimiter
from sprocket.replays.service import MAX_FILES, replay_download
from sprocket.runtime import Runtime

ROUTES = frozenset({"/", "/graphql", "/healthz", "/readyz", "/metrics", "/schema.graphql"})
#: Paths no guard limits: health checks and metrics must answer whatever else goes on.
UNGUARDED = frozenset({"/healthz", "/readyz", "/metrics"})
# Slack over the files of a multipart request: its `operations` and `map` fields and framing.
MULTIPART_OVERHEAD = 1024 * 1024

#: HTTP statuses of a refused download.
DOWNLOAD_STATUS = ((Unauthenticated, 401), (PermissionDenied, 403), (NotFound, 404))

LANDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sprocket</title>
<link rel="stylesheet" href="/static/site.css"><link rel="icon" href="data:,"></head>
<body><h1>Sprocket</h1>
<p>The platform that runs competitive Rocket League leagues.</p>
<ul>
<li><a href="/graphql">GraphQL</a>: the API (a console to try it in, when enabled) and
<a href="/schema.graphql">its schema</a></li>
<li><a href="/readyz">/readyz</a>: are the database, broker, cache and storage answering?</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
</ul></body></html>"""


def create_app(settings: Settings, *, platform: Runtime | None = None) -> FastAPI:
    """Build the app; it starts (and stops) its own platform unless one is given."""
    owned = platform is None
    running = platform or build_runtime(settings)

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

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> Response:
        """Routing refusals (no such page, a method the route doesn't take) as typed JSON."""
        code = TRANSPORT_CODES.get(error.status_code, "BAD_REQUEST")
        sentence = {404: "There is no such page.", 405: "This address does not take that method."}
        message = sentence.get(error.status_code, f"{error.detail}.")
        return error_response(DomainError(message, code=code), error.status_code)

    async def get_context(connection: HTTPConnection) -> Context:
        scope = connection.scope  # the guards' findings: read once per request
        return Context(
            running, scope.get(TOKEN_KEY), actor=scope.get(ACTOR_KEY), meter=scope.get(METER_KEY)
        )

    graphql = GraphQLDoor(
        build_schema(
            limits=QueryLimits(
                max_tokens=settings.graphql_max_tokens,
                max_aliases=settings.graphql_max_aliases,
                max_depth=settings.graphql_max_depth,
                max_cost=settings.graphql_max_cost,
            )
        ),
        context_getter=get_context,
        graphql_ide="graphiql" if settings.graphql_ide else None,  # our console (router.py)
        # Replay uploads; UploadPreflight (below) asks them for a preflight header.
        multipart_uploads_enabled=True,
        max_subscriptions_per_connection=settings.graphql_max_subscriptions,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )
    app.include_router(graphql, prefix="/graphql")
    app.mount("/static", StaticFiles(packages=[("sprocket", "static")]), name="static")
    sdl = schema_sdl()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def landing() -> str:
        return LANDING

    @app.get("/schema.graphql", response_class=PlainTextResponse, include_in_schema=False)
    async def schema() -> str:
        return sdl

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
        """The replay file; an organization may keep its replays to members (whose Bearer
        token the authentication guard has read)."""
        try:
            async with running.reading() as session:
                stored, data = await replay_download(
                    session,
                    actor=caller_of(request.scope),
                    storage=running.storage,
                    sha256=sha256.lower(),
                )
        except DomainError as error:
            status = next((code for kind, code in DOWNLOAD_STATUS if isinstance(error, kind)), 400)
            challenge = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return error_response(error, status, challenge)
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

    # Added innermost first: a request meets them in the opposite order.
    limiter = RateLimiter(
        running.cache, points=settings.rate_limit_points, window=settings.rate_limit_window_seconds
    )
    app.add_middleware(
        RateLimit,
        limiter=limiter,
        fields_per_point=settings.rate_limit_fields_per_point,
        exempt=UNGUARDED | {"/"},
    )
    app.add_middleware(ResponseCache, cache=running.cache, ttl=settings.response_cache_ttl)
    app.add_middleware(UploadPreflight)
    app.add_middleware(RequestTimeout, seconds=settings.request_timeout_seconds)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.replay_max_bytes * MAX_FILES + MULTIPART_OVERHEAD,
    )
    app.add_middleware(Authenticate, platform=running, limiter=limiter, exempt=UNGUARDED)
    if settings.trusted_proxies.strip():
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(Unexpected)
    app.add_middleware(SecurityHeaders, hsts=(settings.public_url or "").startswith("https://"))
    app.add_middleware(RequestMetrics, routes=ROUTES)
    return app
