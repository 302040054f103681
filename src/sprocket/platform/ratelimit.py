"""A per-client budget of work, counted in the cache backend so every process shares it.

Each client has ``points`` to spend per fixed window of ``window`` seconds (the scheme of
GitHub's API limits: a budget per window, requests charged by their cost). The window's
counter lives in the cache under the client's key and the window's number, so several API
processes on one Redis count together; with ``memory://`` each process counts alone.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sprocket.errors import DomainError
from sprocket.platform.cache import Cache
from sprocket.platform.errors import PlatformCode
from sprocket.text import plural


class RateLimited(DomainError):
    """The client spent its budget; ``retry_after`` is whole seconds until the next window."""

    code = PlatformCode.RATE_LIMITED

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many requests: try again in {plural(retry_after, 'second')}.",
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class RateLimiter:
    """``points`` per ``window`` seconds for each client key."""

    cache: Cache
    points: int
    window: float

    async def spend(self, client: str, points: int = 1) -> None:
        """Charge ``points`` to ``client`` (a key naming the verified caller or the address)
        before its work is done.

        Raises RateLimited (code ``RATE_LIMITED``) when the window's total passes the budget;
        the points count either way, so a client that keeps asking stays refused until the
        window ends.
        """
        used, retry_after = await self._add(client, points)
        if used > self.points:
            raise RateLimited(retry_after)

    async def charge(self, client: str, points: int) -> None:
        """Add ``points`` for a request's work once its cost is known, before the work is
        done.

        Raises RateLimited (code ``RATE_LIMITED``) when the budget was spent before these
        points were added: by the client's other requests, finished or still running, so
        requests sent at once cannot all run on what one of them may spend. A request whose
        own points cross the budget still runs, as one that arrives with a point left does.
        """
        if points > 0:
            used, retry_after = await self._add(client, points)
            if used - points > self.points:
                raise RateLimited(retry_after)

    async def _add(self, client: str, points: int) -> tuple[int, int]:
        """The window's total after adding ``points``, and whole seconds until it ends."""
        now = time.time()
        window = math.floor(now / self.window)
        used = await self.cache.incr(f"rate:{client}:{window}", points, ttl=self.window * 2)
        return used, max(1, math.ceil((window + 1) * self.window - now))
