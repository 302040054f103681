"""The home page, ``/``."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.runtime import Runtime
from sprocket.web.pages import WebRoute, render


def home_router(platform: Runtime) -> APIRouter:
    """``/``: the platform's organizations and their current seasons."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/")
    async def home(request: Request) -> Response:
        return render(request, "home.html")

    return router
