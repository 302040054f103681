"""Prometheus metrics shared by the doors and the workers.

With several API processes (``sprocket serve --workers N``) each process writes its values
to files under ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode, set by
``serve`` before the processes start) and :func:`exposition` sums them, so any process's
``/metrics`` answers for all of them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "sprocket_http_requests_total",
    "HTTP requests answered, by method, route and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "sprocket_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
JOBS = Counter(
    "sprocket_jobs_total",
    "Background jobs run, by job name and outcome (ok, error).",
    ["job", "outcome"],
)
JOB_DURATION = Histogram(
    "sprocket_job_duration_seconds",
    "Time a background job took, by job name.",
    ["job"],
)
OUTBOX_BACKLOG = Gauge(
    "sprocket_outbox_backlog",
    "Outbox messages committed but not yet handed to the broker.",
    multiprocess_mode="mostrecent",  # every process reads the same table: the latest wins
)
NOTIFICATION_DELIVERIES = Counter(
    "sprocket_notification_deliveries_total",
    "Notification delivery attempts to Discord, by target kind (dm, channel, webhook) and "
    "outcome (sent, retry, failed, dms_closed, skipped).",
    ["kind", "outcome"],
)


def exposition() -> bytes:
    """Every metric in Prometheus's text format: this process's, or with
    ``PROMETHEUS_MULTIPROC_DIR`` set, the sum over every process writing there (gauges by
    their ``multiprocess_mode``)."""
    if not os.environ.get(MULTIPROCESS_DIR):
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def forget_process(pid: int) -> None:
    """Drop the live gauges of process ``pid``, which is stopping (multiprocess mode only)."""
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(pid)
