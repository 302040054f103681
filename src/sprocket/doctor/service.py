"""`sprocket doctor`: the morning checklist (the seed's ten-minute manual round) in seconds.

Every check of :mod:`sprocket.doctor.checks` runs at once, each within its own time limit,
so the whole answers within about :data:`CHECK_SECONDS`; a check that raises or runs out of
time fails alone, and the others still report.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sprocket.config import Settings
from sprocket.db import utcnow
from sprocket.doctor.checks import CHECKS, Check, Probe, Status
from sprocket.runtime import Runtime

#: Each check's time limit in seconds; they run side by side, so the round stays under 5 s.
CHECK_SECONDS = 4.0


@dataclass(frozen=True)
class Report:
    """Every check, in the checklist's order, and the time the round took (seconds)."""

    checks: list[Check]
    seconds: float

    @property
    def status(self) -> Status:
        """``fail`` if any check failed, else ``warn`` if any warned, else ``ok``."""
        found = {check.status for check in self.checks}
        for status in (Status.FAIL, Status.WARN):
            if status in found:
                return status
        return Status.OK

    def as_json(self) -> dict[str, Any]:
        """The report as JSON: ``{"status", "seconds", "checks": [{"name", "status",
        "summary", "seconds", "data"}]}``."""
        return {
            "status": self.status.value,
            "seconds": round(self.seconds, 3),
            "checks": [
                {
                    "name": check.name,
                    "status": check.status.value,
                    "summary": check.summary,
                    "seconds": round(check.seconds, 3),
                    "data": check.data,
                }
                for check in self.checks
            ],
        }


async def _timed(name: str, check: Any, probe: Probe, limit: float) -> Check:
    started = time.perf_counter()
    try:
        result: Check = await asyncio.wait_for(check(probe), timeout=limit)
    except TimeoutError:
        result = Check(name, Status.FAIL, f"No answer within {limit:g} s.")
    except Exception as exc:  # one check's fault is its own line, never the whole round's
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        result = Check(name, Status.FAIL, f"{type(exc).__name__}: {reason}")
    return Check(
        result.name, result.status, result.summary, result.data, time.perf_counter() - started
    )


async def run_doctor(
    settings: Settings, *, limit: float = CHECK_SECONDS, ca_file: Path | None = None
) -> Report:
    """Run the checklist against the deployment of ``settings``: each check within ``limit``
    seconds, all at once. ``ca_file``: the certificate check's trust store (None: the
    system's). Raises nothing: a failing backend is a failed check."""
    started = time.perf_counter()
    runtime = Runtime(settings, jobs={})
    probe = Probe(settings=settings, runtime=runtime, now=utcnow(), ca_file=ca_file)
    try:
        checks = await asyncio.gather(
            *(_timed(name, check, probe, limit) for name, check in CHECKS)
        )
    finally:
        await runtime.stop()
    return Report(list(checks), time.perf_counter() - started)
