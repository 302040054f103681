"""Charts of a series, drawn on the server as SVG by pygal and put inline in the page.

pygal's output is trimmed to what our pages allow: its script is off (``js=[]``) and the
configuration script it writes anyway is removed, as are its ``<style>`` (the
Content-Security-Policy refuses inline styles, so the looks are ours, in site.css under
``svg.health-chart``), its comments naming its web sites, its namespace address and its
repeated ids. What is left names no other host and runs nothing. The chart is labelled by
its ``<title>``; the page lists the numbers beside it for those who cannot see it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

import pygal
from markupsafe import Markup

from sprocket.analytics.health import Period, Series
from sprocket.dates import day_for_people

#: The kind of chart of each series (a bar chart when not named).
KINDS: dict[str, Callable[..., Any]] = {
    "matches": pygal.StackedBar,
    "ratification": pygal.Line,
    "queue-waits": pygal.Line,
}
#: Daily charts name every seventh day on their axis.
DAY_LABEL_EVERY = 7


def _whole_steps(highest: float) -> list[int]:
    """Whole-number marks of a count's axis, about eight of them, from 0."""
    step = max(1, math.ceil(highest / 8))
    return list(range(0, int(highest) + step + 1, step))


def _trimmed(root: Element, title_id: str) -> Element:
    """pygal's tree without script, style, comments, namespace address or shared ids; the
    chart labelled by its title (``title_id``)."""
    for parent in list(root.iter()):
        for child in list(parent):
            classes = child.get("class", "").split()
            if (
                not isinstance(child.tag, str)  # a comment
                or child.tag in ("script", "style", "defs")
                or "tooltip-overlay" in classes
            ):
                parent.remove(child)
    for element in root.iter():
        element.attrib.pop("style", None)
        if element.get("id", "").startswith("activate-serie"):
            del element.attrib["id"]
    for name in ("xmlns", "id"):
        root.attrib.pop(name, None)
    title = root.find("title")
    if title is not None:
        title.set("id", title_id)
    root.set("class", "chart health-chart")
    root.set("role", "img")
    root.set("aria-labelledby", title_id)
    return root


def series_chart(series: Series) -> Markup:
    """``series`` as an inline SVG chart: its charted columns, one colour each, over its
    weeks or days (labelled "3 Mar"; a daily chart names every seventh day)."""
    charted = [(i, c) for i, c in enumerate(series.columns) if c.charted]
    values = [[row[i] for _, row in series.rows] for i, _ in charted]
    kind = KINDS.get(series.key, pygal.Bar)
    stacked = kind is pygal.StackedBar
    tops = [
        sum(v or 0 for v in point) if stacked else max((v or 0 for v in point), default=0)
        for point in zip(*values, strict=True)
    ]
    whole = all(isinstance(v, int) for column in values for v in column if v is not None)
    daily = series.period == Period.DAY
    chart = kind(
        js=[],
        disable_xml_declaration=True,
        no_prefix=True,
        width=800,
        height=360,
        title=series.title,
        x_title="Day" if daily else "Week starting",
        y_title=series.unit.capitalize(),
        show_legend=len(charted) > 1,
        legend_at_bottom=True,
        allow_interruptions=True,
        show_minor_x_labels=not daily,
        x_labels_major_every=DAY_LABEL_EVERY if daily else None,
        y_labels=_whole_steps(max(tops, default=0)) if whole else None,
        include_x_axis=True,
        truncate_label=-1,
    )
    chart.x_labels = [day_for_people(day, year=False) for day, _ in series.rows]
    for (_, column), column_values in zip(charted, values, strict=True):
        chart.add(column.label, column_values)
    chart.add_xml_filter(lambda root: _trimmed(root, f"chart-{series.key}"))
    return Markup(chart.render(is_unicode=True))
