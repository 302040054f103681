"""The error codes of platform: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class PlatformCode(ErrorCode):
    """Shared services.

    Refusals of the backends every door shares (the rate limit kept in the cache).
    """

    RATE_LIMITED = (
        "RATE_LIMITED",
        "HTTP 429: the client spent its budget of uncached work for the window; `Retry-After` says"
        " when to try again.",
    )
    SHARED_SERVICES_REQUIRED = (
        "SHARED_SERVICES_REQUIRED",
        "Several processes were asked for while the cache or the job broker is the embedded"
        " in-process one (`memory://`), whose state one process cannot share: set"
        " SPROCKET_CACHE_URL to Redis and SPROCKET_BROKER_URL to RabbitMQ, or run one process.",
    )
