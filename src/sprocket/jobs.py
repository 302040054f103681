"""Every domain's background work, wired into a :class:`~sprocket.runtime.Runtime`: the jobs
the broker runs and the loops a relaying process keeps going.

The runtime sits below the domains while their jobs use it (:func:`sprocket.runtime.current`),
so the doors build it here, on the top floor.
"""

from __future__ import annotations

from functools import partial

from sprocket.config import Settings
from sprocket.discord.sender import open_sender
from sprocket.flows.reminders import run_reminders
from sprocket.flows.tasks import JOBS as SUBMISSION_JOBS
from sprocket.media.tasks import JOBS as MEDIA_JOBS
from sprocket.notifications.sending import SENDER
from sprocket.notifications.tasks import JOBS as NOTIFICATION_JOBS
from sprocket.notifications.tasks import run_retries
from sprocket.platform.broker import Job
from sprocket.runtime import Loop, Runtime
from sprocket.schedule.tasks import JOBS as SCHEDULE_JOBS
from sprocket.scrims.tasks import run_sweeper


def all_jobs() -> dict[str, Job]:
    """Every background job by its task name (``submission.process``, ``event.publish``...)."""
    return {**SCHEDULE_JOBS, **SUBMISSION_JOBS, **NOTIFICATION_JOBS, **MEDIA_JOBS}


def background_loops(settings: Settings) -> list[Loop]:
    """What a process that relays the outbox also runs: the scrim sweep every
    ``scrim_sweep_seconds``, the notification retries every ``notification_sweep_seconds``
    and the match reminders every ``match_reminder_seconds`` (each left out when its period
    is 0)."""
    loops: list[Loop] = []
    if settings.scrim_sweep_seconds > 0:
        loops.append(partial(run_sweeper, every=settings.scrim_sweep_seconds))
    if settings.notification_sweep_seconds > 0:
        loops.append(partial(run_retries, every=settings.notification_sweep_seconds))
    if settings.match_reminder_seconds > 0:
        loops.append(partial(run_reminders, every=settings.match_reminder_seconds))
    return loops


def build_runtime(settings: Settings) -> Runtime:
    """The runtime of ``settings`` with every job registered, the background loops, and the
    Discord client the notification job sends with;
    :meth:`~sprocket.runtime.Runtime.start` it before use, and stop it after."""
    return Runtime(
        settings,
        jobs=all_jobs(),
        loops=background_loops(settings),
        resources={SENDER: open_sender},
    )
