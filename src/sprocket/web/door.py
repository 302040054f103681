"""The web door assembled: every area's router, and the error pages it answers with."""

from __future__ import annotations

from fastapi import APIRouter

from sprocket.runtime import Runtime
from sprocket.web.home import home_router


def web_router(platform: Runtime) -> APIRouter:
    """Every page of the web door, on top of ``platform``'s services."""
    router = APIRouter(include_in_schema=False)
    router.include_router(home_router(platform))
    return router
