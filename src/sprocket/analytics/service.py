"""League health for staff: the measures of :mod:`sprocket.analytics.health` over a range
of days, for one organization, behind the staff check; and each series as a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.analytics.health import MEASURES, Period, Series, Value
from sprocket.analytics.window import Window, report_window
from sprocket.db import utcnow
from sprocket.errors import NotFound, found
from sprocket.identity.access import Actor
from sprocket.league import access
from sprocket.league import service as league
from sprocket.league.models import Organization
from sprocket.schedule.csv_io import safe_cell


@dataclass(frozen=True)
class HealthReport:
    """One organization's series over one window, in the order asked."""

    organization: Organization
    window: Window
    series: list[Series]


async def league_health(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    first: dt.date | str | None = None,
    last: dt.date | str | None = None,
    zone: str | None = None,
    series: Sequence[str] | None = None,
    now: dt.datetime | None = None,
) -> HealthReport:
    """The organization's health over local days ``first`` to ``last``, for its staff (its
    admins and any of its leagues' staff; checked before anything else).

    ``first``, ``last``: days, or their YYYY-MM-DD text (blank or None: the last twelve
    weeks up to today, see :func:`~sprocket.analytics.window.report_window`); ``zone``: the
    viewer's IANA time zone (blank or None: the organization's), in which days and weeks
    are counted; ``series``: keys of :data:`~sprocket.analytics.health.MEASURES` to compute
    (None: all, in their order); ``now``: the current moment (UTC; default the clock).

    Raises UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND (no such organization, or a series
    key that names no measure), then what ``report_window`` raises for the range, each
    naming its form field in ``details``: INVALID_TIME_ZONE, INVALID_INPUT, INVALID_DATES.
    """
    await access.require_staff_anywhere(session, actor, organization_id, "see the league's health")
    organization = found(
        await league.find_organization(session, organization_id=organization_id),
        "organization",
        organization_id,
    )
    keys = list(MEASURES) if series is None else list(series)
    unknown = [key for key in keys if key not in MEASURES]
    if unknown:
        raise NotFound(
            f"There is no series '{unknown[0][:40]}'; the series are: {', '.join(MEASURES)}."
        )
    now = now or utcnow()
    zone = (zone or "").strip() or await league.organization_zone(session, organization_id)
    window = report_window(first=first, last=last, zone=zone, now=now)
    return HealthReport(
        organization,
        window,
        [
            await MEASURES[key](session, organization_id=organization_id, window=window, now=now)
            for key in keys
        ],
    )


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def series_csv(series: Series) -> str:
    """``series`` as a CSV file (RFC 4180, CRLF lines): a header (``week_starting`` or
    ``day``, then each column's key) and a row per period (its first day, YYYY-MM-DD in the
    report's time zone; then the values: whole counts, measures to two decimals without
    trailing zeros, blank where nothing was measured). Every cell is neutralised against
    formula injection (:func:`~sprocket.schedule.csv_io.safe_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    first = "week_starting" if series.period == Period.WEEK else "day"
    writer.writerow([safe_cell(cell) for cell in (first, *(c.key for c in series.columns))])
    for day, values in series.rows:
        writer.writerow([safe_cell(cell) for cell in (day.isoformat(), *map(_cell, values))])
    return buffer.getvalue()


def csv_filename(report: HealthReport, series: Series) -> str:
    """The name a series' CSV file is saved under: the organization's slug, the series,
    the range and the time zone (``/`` written ``-``), e.g.
    ``demo-matches-2031-01-06-2031-03-30-Europe-London.csv``: ASCII letters, digits,
    ``-``, ``_`` and ``.`` only."""
    window = report.window
    zone = window.zone.replace("/", "-")
    name = f"{report.organization.slug}-{series.key}-{window.first}-{window.last}-{zone}"
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in name) + ".csv"
