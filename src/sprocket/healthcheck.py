"""The container's health check: ``python -m sprocket.healthcheck [URL]`` exits 0 when ``URL``
answers 200 within 4 seconds, 1 otherwise. The default URL is this process's own
``/healthz`` (``SPROCKET_PORT``, 8000); a worker or periodic process names its metrics
port's instead. Only the standard library: it starts in a fraction of the API's time.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def healthy(url: str, *, timeout: float = 4.0) -> bool:
    """Whether ``url`` (http, this host) answers 200 within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our URL)
            return bool(response.status == 200)
    except OSError:
        return False


def main(argv: list[str]) -> int:
    port = os.environ.get("SPROCKET_PORT", "8000")
    url = argv[0] if argv else f"http://127.0.0.1:{port}/healthz"
    return 0 if healthy(url) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
