"""Prometheus metrics shared by the doors and the workers."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
)
NOTIFICATION_DELIVERIES = Counter(
    "sprocket_notification_deliveries_total",
    "Notification delivery attempts to Discord, by target kind (dm, channel, webhook) and "
    "outcome (sent, retry, failed, dms_closed, skipped).",
    ["kind", "outcome"],
)
