"""A league with real replays, for the backup drills: the real 2v2 game of
../shared/replays accepted as its match's result (games, stat lines, standings, ratings),
and a second submission of other real replays for the return match (stored, then turned
down by validation), so the storage holds several real files.

Helpers read the whole state to compare: every row (:func:`tests.helpers.database.snapshot`)
and every stored object's bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sprocket.flows import match_results
from sprocket.platform.storage import ObjectStorage
from sprocket.replays import service as replays
from sprocket.replays.enums import SubmissionStatus
from sprocket.replays.models import Submission
from sprocket.runtime import Runtime
from tests.conftest import REPLAYS
from tests.helpers.database import snapshot
from tests.replays.test_submissions import run_jobs
from tests.web.conftest import Demo
from tests.web.real_match import REAL, build_real_match

#: Other real replays uploaded for the return match (they are not that match's game).
OTHERS = ("0e62.replay", "18d6.replay", "rlcs.replay")


@dataclass(frozen=True)
class State:
    rows: dict[str, list[tuple[Any, ...]]]
    objects: dict[str, bytes]


async def build_league(platform: Runtime, demo: Demo) -> None:
    """The league of the module's docstring (skips the test when the replays are absent)."""
    real = await build_real_match(platform, demo)
    admin, max_size = demo.admin, platform.settings.replay_max_bytes
    async with platform.unit_of_work() as session:
        first = await match_results.submit_match_replays_as_staff(
            session,
            actor=admin,
            storage=platform.storage,
            match_id=real.match_id,
            files=[replays.Upload(REAL.name, REAL.read_bytes())],
            max_size=max_size,
        )
    await run_jobs(platform)
    async with platform.unit_of_work() as session:
        await replays.force_accept(
            session, actor=admin, submission_id=first.id, reason="The backup drill's result."
        )
    files = [replays.Upload(name, (REPLAYS / "good" / name).read_bytes()) for name in OTHERS]
    async with platform.unit_of_work() as session:
        await match_results.submit_match_replays_as_staff(
            session,
            actor=admin,
            storage=platform.storage,
            match_id=real.next_match_id,
            files=files,
            max_size=max_size,
        )
    await run_jobs(platform)
    async with platform.reading() as session:
        accepted = await session.get(Submission, first.id)
        assert accepted is not None and accepted.status == SubmissionStatus.ACCEPTED


async def objects_of(storage: ObjectStorage) -> dict[str, bytes]:
    """Every stored object's bytes, by key."""
    return {item.key: await storage.get(item.key) for item in await storage.listing()}


async def state_of(platform: Runtime) -> State:
    return State(await snapshot(platform), await objects_of(platform.storage))
