"""A submission's report as a door shows it: what it proves (a match's two teams, a scrim's
two line-ups), the organization's time zone, and the per-game report as the viewer may see
it with the names of the members it links players to. The web's submission page and the
Discord door's ``/submit`` put it in sentences (:mod:`sprocket.replays.report_words`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import rows_by_ids
from sprocket.identity.access import Actor
from sprocket.league import service as league
from sprocket.league.models import Member
from sprocket.replays import reads, redaction
from sprocket.replays.models import Submission
from sprocket.replays.report_words import ReportWords, report_words
from sprocket.schedule import overview
from sprocket.scrims import service as scrims


@dataclass(frozen=True)
class SubmissionReport:
    """What ``submission`` proves and its report. ``title``: "Orange Crew vs Blue Crew" or
    "Scrim 4"; ``home``/``away``: the two sides as the report names them; ``zone``: the
    organization's IANA time zone; ``report``: the stored report as the viewer may see it
    (None until the check has run); ``names``: member id -> name of the members the
    report links players to."""

    submission: Submission
    organization_id: int
    title: str
    home: str
    away: str
    zone: str
    report: dict[str, Any] | None
    names: dict[int, str] = field(default_factory=dict)

    def words(self, when: Callable[[dt.datetime], str]) -> ReportWords | None:
        """The report in sentences, moments written by ``when`` (None before the check)."""
        if self.report is None:
            return None
        return report_words(
            self.report, home=self.home, away=self.away, names=self.names, when=when
        )


async def submission_report(
    session: AsyncSession, *, actor: Actor, submission_id: int
) -> SubmissionReport:
    """Submission ``submission_id`` and its report as ``actor`` may see it (a hidden
    member's account ids left out: :func:`sprocket.replays.redaction.visible_reports`).
    Raises NOT_FOUND."""
    submission = await reads.submission_by_id(session, submission_id=submission_id)
    if submission.match_id is not None:
        line = await overview.match_line(session, match_id=submission.match_id)
        organization_id, home, away = line.organization_id, line.home, line.away
        title = f"{line.home} vs {line.away}"
    else:
        scrim = await scrims.get_scrim(session, scrim_id=submission.scrim_id or 0, lock=False)
        organization_id, home, away = scrim.organization_id, "the home line-up", "the away line-up"
        title = f"Scrim {scrim.id}"
    zone = await league.organization_zone(session, organization_id)
    visible = await redaction.visible_reports(session, actor=actor, submission_ids=[submission_id])
    report = visible.get(submission_id)
    members = await rows_by_ids(session, Member, list(redaction.report_members(report)))
    names = {m.id: m.name for m in members.values()}
    return SubmissionReport(submission, organization_id, title, home, away, zone, report, names)
