"""/metrics: the Prometheus metrics, with the gauges read from the database refreshed first."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from sprocket.logs import log
from sprocket.metrics import exposition
from sprocket.platform.outbox import backlog
from sprocket.runtime import Runtime


def metrics_router(runtime: Runtime) -> APIRouter:
    """/metrics in the Prometheus text format. Refreshes the outbox backlog gauge from
    ``runtime``'s database first; when that fails (the database is down, say) the failure is
    logged as ``metrics.collector_failed`` and every metric still answers, the gauge with its
    last value."""
    router = APIRouter()

    @router.get("/metrics")
    async def metrics() -> Response:
        try:
            async with runtime.reading() as session:
                await backlog(session)
        except Exception as error:  # metrics still answer while the database is down
            log.warning(
                "metrics.collector_failed",
                collector="outbox_backlog",
                error=str(error),
                exc_info=True,
            )
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
