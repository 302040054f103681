"""What a person's browser opens: the landing page, the schema document and /static."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse
from starlette.staticfiles import StaticFiles

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


def site_router(*, schema: str) -> APIRouter:
    """``/`` (the landing page), ``/schema.graphql`` (``schema``, the GraphQL schema in SDL)
    and ``/static/`` (the files of the ``sprocket.static`` package)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def landing() -> str:
        return LANDING

    @router.get("/schema.graphql", response_class=PlainTextResponse)
    async def schema_document() -> str:
        return schema

    router.mount("/static", StaticFiles(packages=[("sprocket", "static")]), name="static")
    return router
