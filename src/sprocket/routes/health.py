"""/healthz (is the process alive?) and /readyz (are its backends answering?)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sprocket.runtime import Runtime


def health_router(runtime: Runtime) -> APIRouter:
    """The two health checks of ``runtime``: /healthz always answers 200 ``{"status": "ok"}``;
    /readyz answers 200 when every backend answers and 503 naming the ``failing`` ones."""
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        failing = {name: problem for name, problem in checks.items() if problem}
        body = {
            "status": "ok" if not failing else "unavailable",
            "checks": {name: problem or "ok" for name, problem in checks.items()},
        }
        if failing:
            body["failing"] = sorted(failing)
        return JSONResponse(body, status_code=503 if failing else 200)

    return router
