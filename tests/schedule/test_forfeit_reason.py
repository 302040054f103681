"""A forfeit's reason: kept in the audit log with the forfeit; a blank one is refused."""

from __future__ import annotations

from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Fixture, Match
from tests.helpers.database import fails_unchanged


async def _home_team(platform, match_id: int) -> int:
    async with platform.reading() as s:
        match = await s.get(Match, match_id)
        fixture = await s.get(Fixture, match.fixture_id)
    return fixture.home_team_id


async def test_a_forfeit_goes_to_the_audit_log_with_its_reason(platform, world):
    staff = world.actors["league_staff"]
    match_id = world.match_ids[0]
    home = await _home_team(platform, match_id)
    async with platform.unit_of_work() as s:
        await schedule.record_forfeit(
            s, actor=staff, match_id=match_id, team_id=home, reason="  No-show, 30 minutes.  "
        )
    async with platform.reading() as s:
        [entry] = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "match.forfeit"))
        ).all()
    assert entry.subject == f"match:{match_id}"
    assert entry.actor_user_id == staff.user_id
    assert entry.details == {"team_id": home, "team": "Team 1", "reason": "No-show, 30 minutes."}


async def test_a_blank_reason_is_refused_and_changes_nothing(platform, world):
    staff = world.actors["league_staff"]
    match_id = world.match_ids[0]
    home = await _home_team(platform, match_id)
    await fails_unchanged(
        platform,
        lambda s: schedule.record_forfeit(
            s, actor=staff, match_id=match_id, team_id=home, reason="   "
        ),
        code="FORFEIT_REASON_REQUIRED",
    )
    # Who may act comes first: a player hears PERMISSION_DENIED, not the blank reason.
    await fails_unchanged(
        platform,
        lambda s: schedule.record_forfeit(
            s, actor=world.actors["player"], match_id=match_id, team_id=home, reason=""
        ),
        code="PERMISSION_DENIED",
    )
