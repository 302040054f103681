"""The schema document and /static (the pages are the web door's: :mod:`sprocket.web`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles


def site_router(*, schema: str) -> APIRouter:
    """``/schema.graphql`` (``schema``, the GraphQL schema in SDL) and ``/static/`` (the files
    of the ``sprocket.static`` package)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/schema.graphql", response_class=PlainTextResponse)
    async def schema_document() -> str:
        return schema

    router.mount("/static", StaticFiles(packages=[("sprocket", "static")]), name="static")
    return router
