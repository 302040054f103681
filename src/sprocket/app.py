"""The ASGI app: the web door's pages (:mod:`sprocket.web`, from ``/``), GraphQL at /graphql
and the plain HTTP routes of :mod:`sprocket.routes` (downloads, the schema, /healthz, /readyz,
/metrics), behind the HTTP guards of :mod:`sprocket.http`."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection, Request
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sprocket.api.context import Context
from sprocket.api.limits import QueryLimits
from sprocket.api.response_cache import ResponseCache
from sprocket.api.router import TRANSPORT_CODES, GraphQLDoor
from sprocket.api.schema import build_schema, schema_sdl
from sprocket.config import Settings, load_settings
from sprocket.discord.door import PATH as DISCORD_PATH
from sprocket.discord.door import discord_router
from sprocket.errors import CommonCode, DomainError
from sprocket.http.auth import ACTOR_KEY, TOKEN_KEY, Authenticate
from sprocket.http.body import BodyLimit
from sprocket.http.errors import Unexpected, error_response
from sprocket.http.headers import SecurityHeaders
from sprocket.http.metrics import RequestMetrics
from sprocket.http.ratelimit import METER_KEY, RateLimit
from sprocket.http.sessions import SessionCookies
from sprocket.http.timeouts import RequestTimeout
from sprocket.http.uploads import UploadPreflight
from sprocket.jobs import build_runtime
from sprocket.logs import configure_logging
from sprocket.metrics import forget_process
from sprocket.platform.ratelimit import RateLimiter
from sprocket.replays.service import MAX_FILES
from sprocket.routes.health import health_router
from sprocket.routes.metrics import metrics_router
from sprocket.routes.replays import replays_router
from sprocket.routes.site import site_router
from sprocket.runtime import Runtime
from sprocket.web.auth import sign_in_start
from sprocket.web.csrf import CsrfGuard
from sprocket.web.door import web_router
from sprocket.web.forms import Notices
from sprocket.web.page_cache import PageCache
from sprocket.web.pages import is_page, not_found_page, wants_html
from sprocket.web.refusals import RefusalPages
from sprocket.web.submit import UploadPaths

ROUTES = frozenset(
    {"/", "/graphql", "/healthz", "/readyz", "/metrics", "/schema.graphql", DISCORD_PATH}
)
#: Paths no guard limits: health checks and metrics must answer whatever else goes on.
UNGUARDED = frozenset({"/healthz", "/readyz", "/metrics"})
# Slack over the files of a multipart request: its `operations` and `map` fields and framing.
MULTIPART_OVERHEAD = 1024 * 1024


def app_from_environment() -> FastAPI:
    """The app of the settings in the environment: what each of ``sprocket serve
    --workers N``'s processes builds (uvicorn starts them and calls this factory)."""
    settings = load_settings()
    configure_logging(fmt=settings.log_format, level=settings.log_level)
    return create_app(settings)


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; it starts (and stops) its own runtime unless one is given."""
    owned = runtime is None
    running = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if owned:
            await running.start(relay=settings.run_relay)
            # What is built by now lives as long as the process (some 300,000 objects): left
            # to the garbage collector, each full collection walks them all, a pause of a
            # few hundred milliseconds for every request then running. Frozen, collections
            # walk only what requests allocate.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if owned:
                gc.unfreeze()
                await running.stop()
            forget_process(os.getpid())

    app = FastAPI(title="Sprocket", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = running

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        """Routing refusals (no such page, a method the route doesn't take) as typed JSON; a
        browser asking for an address of the web door that names no page gets the 404 page."""
        if error.status_code == 404 and is_page(request.url.path) and wants_html(request):
            return not_found_page(request)
        code = TRANSPORT_CODES.get(error.status_code, CommonCode.BAD_REQUEST)
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
    app.include_router(site_router(schema=schema_sdl()))
    app.include_router(health_router(running))
    app.include_router(metrics_router(running))
    app.include_router(replays_router(running))
    discord = discord_router(running, settings)
    app.include_router(discord)
    app.state.discord = discord.dispatcher  # type: ignore[attr-defined]
    cookies = SessionCookies(
        secret_key=settings.resolved_secret_key,
        secure=settings.https,
        max_age=int(settings.session_hours * 3600),
    )
    app.state.notices = Notices(settings.resolved_secret_key, secure=settings.https)
    app.state.sign_in = sign_in_start(settings)  # where a stranger's page sends them
    app.include_router(web_router(running, settings, cookies))

    # Added innermost first: a request meets them in the opposite order.
    app.add_middleware(CsrfGuard, secret=settings.resolved_secret_key, secure=settings.https)
    limiter = RateLimiter(
        running.cache, points=settings.rate_limit_points, window=settings.rate_limit_window_seconds
    )
    app.add_middleware(
        RateLimit,
        limiter=limiter,
        fields_per_point=settings.rate_limit_fields_per_point,
        # Discord's interactions come signed, from Discord's few addresses: not limited.
        exempt=UNGUARDED | {DISCORD_PATH},
    )
    # In front of the rate limit: what the caches answer costs nothing, renders are charged.
    app.add_middleware(ResponseCache, cache=running.cache, ttl=settings.response_cache_ttl)
    app.add_middleware(PageCache, cache=running.cache, ttl=settings.response_cache_ttl)
    app.add_middleware(UploadPreflight)
    app.add_middleware(RequestTimeout, seconds=settings.request_timeout_seconds)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.replay_max_bytes * MAX_FILES + MULTIPART_OVERHEAD,
        upload_paths=UploadPaths(),
    )
    app.add_middleware(
        Authenticate,
        runtime=running,
        limiter=limiter,
        exempt=UNGUARDED,
        sessions=cookies,
        pages=is_page,
    )
    if settings.trusted_proxies.strip():
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(Unexpected)
    app.add_middleware(RefusalPages)  # a browser's page refused or failed: an HTML page
    app.add_middleware(SecurityHeaders, hsts=settings.https)
    app.add_middleware(RequestMetrics, routes=ROUTES)
    return app
