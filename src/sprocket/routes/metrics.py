"""/metrics: the Prometheus metrics, with the gauges read from the database and the storage
refreshed first (:mod:`sprocket.ops.gauges`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from sprocket.metrics import exposition
from sprocket.ops import gauges
from sprocket.runtime import Runtime


def metrics_router(runtime: Runtime) -> APIRouter:
    """/metrics in the Prometheus text format. Refreshes the gauges read from ``runtime``'s
    database and storage first; each collector that fails (the database is down, say) is
    logged as ``metrics.collector_failed`` naming it, and every metric still answers, its
    gauges with their last values."""
    router = APIRouter()

    @router.get("/metrics")
    async def metrics() -> Response:
        await gauges.refresh(runtime)
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
