"""``/staff/{slug}/analytics``: league health for staff, as charts with their
numbers, over a range of days chosen by a GET form (first day, last day, time zone: by default the
viewer's own when they chose one, else the organization's), and
``/staff/{slug}/analytics/{series}.csv``: one series as a CSV file."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.analytics import service as health
from sprocket.errors import InvalidInput
from sprocket.league import service as league
from sprocket.runtime import Runtime
from sprocket.web.charts import series_chart
from sprocket.web.clocks import viewer_zone, when
from sprocket.web.forms import field_of
from sprocket.web.pages import WebRoute, render, viewer
from sprocket.web.staff_forms import organization_in_path

#: The range form's fields, as the address carries them.
FORM = ("from", "to", "tz")


def analytics_router(runtime: Runtime) -> APIRouter:
    """The league health page and its CSV files (staff of the organization only)."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/staff/{slug}/analytics")
    async def health_page(request: Request, slug: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        form = {name: request.query_params.get(name, "").strip() for name in FORM}
        async with runtime.reading() as session:
            try:
                report = await health.league_health(
                    session,
                    actor=viewer(request),
                    organization_id=org_id,
                    first=form["from"],
                    last=form["to"],
                    zone=form["tz"] or viewer_zone.get(),
                )
            except InvalidInput as error:  # raised once the viewer is known to be staff
                organization = await league.find_organization(session, organization_id=org_id)
                return render(
                    request,
                    "staff/analytics.html",
                    status=400,
                    organization=organization,
                    report=None,
                    form=form,
                    error=error,
                    field=field_of(error),
                )
        window = report.window
        chosen = {"from": window.first.isoformat(), "to": window.last.isoformat()}
        chosen["tz"] = window.zone
        return render(
            request,
            "staff/analytics.html",
            organization=report.organization,
            report=report,
            charts=[(series, series_chart(series)) for series in report.series],
            form=chosen,
            query=urlencode(chosen),
            when=when(window.zone),
            error=None,
            field=None,
        )

    @router.get("/staff/{slug}/analytics/{series}.csv")
    async def health_csv(request: Request, slug: str, series: str) -> Response:
        org_id = await organization_in_path(runtime, request, slug)
        query = request.query_params
        async with runtime.reading() as session:
            report = await health.league_health(
                session,
                actor=viewer(request),
                organization_id=org_id,
                first=query.get("from"),
                last=query.get("to"),
                zone=query.get("tz") or viewer_zone.get(),
                series=[series],
            )
        one = report.series[0]
        return Response(
            health.series_csv(one),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="{health.csv_filename(report, one)}"'
                ),
                "Cache-Control": "private, no-store",
            },
        )

    return router
