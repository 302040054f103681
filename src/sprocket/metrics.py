"""Prometheus metrics shared by the doors, the workers and the periodic jobs.

The API answers them at /metrics (the gauges read from the database refreshed at each scrape:
:mod:`sprocket.ops.gauges`); ``sprocket worker`` and ``sprocket periodic`` publish theirs on
``metrics_port``. The alert rules and dashboards under deploy/ name only these (a test checks).

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
JOBS_FAILED = Counter(
    "sprocket_jobs_failed_total",
    "Background jobs given up: failed on their last retry, by job name.",
    ["job"],
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
OUTBOX_OLDEST_AGE = Gauge(
    "sprocket_outbox_oldest_age_seconds",
    "Seconds the oldest outbox message not yet handed to the broker has waited (0: none waits).",
    multiprocess_mode="mostrecent",  # read from the shared database, like the backlog
)
SUBMISSIONS = Gauge(
    "sprocket_submissions",
    "Submissions by status (processing, validating, awaiting_ratification, accepted, rejected).",
    ["status"],
    multiprocess_mode="mostrecent",
)
SUBMISSIONS_OLDEST_AGE = Gauge(
    "sprocket_submissions_oldest_age_seconds",
    "Seconds since the least recently changed submission in an in-flight status (processing, "
    "validating) last changed (0: none is in it).",
    ["status"],
    multiprocess_mode="mostrecent",
)
STORAGE_FREE = Gauge(
    "sprocket_storage_free_bytes",
    "Free bytes on the volume of the local object storage, by store (its file:// URL; no "
    "sample with S3).",
    ["store"],
    multiprocess_mode="mostrecent",
)
STORAGE_SIZE = Gauge(
    "sprocket_storage_size_bytes",
    "Size in bytes of the volume of the local object storage, by store (no sample with S3).",
    ["store"],
    multiprocess_mode="mostrecent",
)
PERIODIC_RUNS = Counter(
    "sprocket_periodic_runs_total",
    "Runs of a periodic job (sprocket periodic), by job name and outcome (ok, error).",
    ["job", "outcome"],
)
PERIODIC_LAST_SUCCESS = Gauge(
    "sprocket_periodic_last_success_timestamp_seconds",
    "Unix time at which a periodic job (sprocket periodic) last ended well, by job name "
    "(absent until it first has, since this process started).",
    ["job"],
    multiprocess_mode="max",
)
PERIODIC_LEADER = Gauge(
    "sprocket_periodic_leader",
    "1 while this periodic process holds the lock and runs the jobs; 0 on standby.",
    multiprocess_mode="max",
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
