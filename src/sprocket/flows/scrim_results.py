"""A scrim as the subject of a submission: its results go through the same flow as league
matches (:mod:`sprocket.replays.service`): upload, validation in the background job, the other
side ratifies (or rejects), staff force-accept, reset or invalidate, account claims. Importing
this module registers the subject for ``Submission.scrim_id``.

* Who submits: a player of the scrim (someone in a game's line-up), for their side; staff
  (of any league of the organization) for nobody. The scrim must be in progress, and one
  replay per game is attached, in game order.
* Sides: with fixed teams, the scrim's two teams; in a round robin every player is a side of
  their own (the teams change each game), so any other player ratifies.
* The check (:func:`sprocket.scrims.validation.validate_scrim_games`): replay *n* shows game
  *n*'s two line-ups on opposite sides, players known by their linked accounts, and the
  organization's game rules, played since the scrim started.
* Accepting records each game's goals, winner (its replay's outcome), replay and time,
  completes the scrim (its seats are freed) and, for a competitive scrim in an organization
  that rates scrims, rates its games (:mod:`sprocket.scrims.results`).
  Invalidating clears the games, puts the scrim back in progress (for a new upload; staff
  cancel it if none comes) and recomputes the game mode's ratings without them.
* A scrim locked by staff takes no result until unlocked (a deciding ratification is
  refused; a result that needs none waits, checked, for staff); cancelling a scrim rejects
  its open submission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import Conflict, DomainError, PermissionDenied
from sprocket.flows import ratings as rating_flow
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league import service as league
from sprocket.league.models import GameMode, Member
from sprocket.media import service as report_cards
from sprocket.platform.storage import ObjectStorage
from sprocket.replays import service as replays
from sprocket.replays.models import Submission
from sprocket.replays.subjects import Side, organization_accounts, register_subject
from sprocket.replays.validation import GameFile, GameRules, Report
from sprocket.scrims import results, service
from sprocket.scrims.enums import ScrimStatus, ScrimTeamMode
from sprocket.scrims.errors import ScrimCode
from sprocket.scrims.models import Scrim, ScrimGame
from sprocket.scrims.validation import ScrimExpectation, validate_scrim_games


@dataclass
class ScrimSubject:
    scrim: Scrim
    games: list[ScrimGame]
    column = "scrim_id"

    @classmethod
    async def load(cls, session: AsyncSession, scrim_id: int) -> ScrimSubject:
        scrim = await service.get_scrim(session, scrim_id=scrim_id)
        return cls(scrim, await service.game_lineups_of(session, scrim.id))

    @property
    def id(self) -> int:
        return self.scrim.id

    @property
    def organization_id(self) -> int:
        return self.scrim.organization_id

    @property
    def noun(self) -> str:
        return f"scrim {self.scrim.id}"

    @property
    def files_expected(self) -> int:
        return len(self.games)

    @property
    def players(self) -> set[int]:
        return {m for lineup in results.lineups(self.games) for m in (*lineup.home, *lineup.away)}

    # -- sides ---------------------------------------------------------------------------------

    async def side_of(self, session: AsyncSession, member_id: int) -> Side | None:
        return self._side(member_id)

    def _side(self, member_id: int) -> Side | None:
        if member_id not in self.players:
            return None
        if self.scrim.team_mode == ScrimTeamMode.ROUND_ROBIN:
            return Side(("player", member_id))
        first = results.lineups(self.games)[0]
        return Side(("team", 0 if member_id in first.home else 1))

    async def side_of_submission(
        self, session: AsyncSession, submission: Submission
    ) -> Side | None:
        member_id = await session.scalar(
            select(Member.id).where(
                Member.organization_id == self.organization_id,
                Member.user_id == submission.submitted_by_user_id,
            )
        )
        return None if member_id is None else self._side(member_id)

    async def submitter_side(self, session: AsyncSession, actor: Actor) -> Side | None:
        user_id = require_user(actor)
        member_id = await session.scalar(
            select(Member.id).where(
                Member.organization_id == self.organization_id, Member.user_id == user_id
            )
        )
        side = None if member_id is None else self._side(member_id)
        if side is not None:
            return side
        if await self.is_staff(session, actor):
            return None
        raise PermissionDenied(f"Only the players of scrim {self.scrim.id} submit its replays.")

    async def ratifiers(self, session: AsyncSession, against: Side | None) -> int:
        return sum(1 for m in self.players if self._side(m) != against)

    async def sides(self, session: AsyncSession) -> list[tuple[Side, list[int]]]:
        """Each side (a fixed team, or each player of a round robin) with its users."""
        users = dict(
            (
                await session.execute(
                    select(Member.id, Member.user_id).where(Member.id.in_(self.players))
                )
            ).all()
        )
        grouped: dict[Side, list[int]] = {}
        for member_id in sorted(self.players):
            side = self._side(member_id)
            if side is not None and member_id in users:
                grouped.setdefault(side, []).append(users[member_id])
        return list(grouped.items())

    async def is_staff(self, session: AsyncSession, actor: Actor) -> bool:
        return await access.is_staff_anywhere(session, actor, self.organization_id)

    def require_undecided(self) -> None:
        if self.scrim.status != ScrimStatus.IN_PROGRESS:
            raise Conflict(
                f"Scrim {self.scrim.id} is {self.scrim.status.replace('_', ' ')}; results are "
                "submitted and accepted while a scrim is in progress.",
                code=ScrimCode.SCRIM_NOT_IN_PROGRESS,
            )

    # -- checking ------------------------------------------------------------------------------

    async def check(self, session: AsyncSession, files: Sequence[GameFile]) -> Report:
        config = await league.organization_config(session, self.organization_id)
        mode = await session.get(GameMode, self.scrim.game_mode_id)
        assert mode is not None and self.scrim.started_at is not None
        accounts, names = await organization_accounts(session, self.organization_id)
        rules = GameRules(
            team_size=mode.team_size,
            require_private=config["require_private_match"],
            window_start=self.scrim.started_at,
            window_end=max(utcnow(), self.scrim.started_at),
            date_tolerance=dt.timedelta(hours=config["replay_date_tolerance_hours"]),
            window_name="the scrim's time",
            played_by="this scrim",
            time_zone=await league.organization_zone(session, self.organization_id),
        )
        expect = ScrimExpectation(results.lineups(self.games), rules, accounts, names)
        return validate_scrim_games(expect, files)

    # -- the result ----------------------------------------------------------------------------

    async def accept(self, session: AsyncSession, submission: Submission) -> None:
        """The games' results stand: the scrim is complete, its seats freed, its games rated;
        its report card is made once they are committed."""
        self.require_undecided()
        now = utcnow()
        await results.record_results(
            session, scrim=self.scrim, games=self.games, submission=submission, now=now
        )
        if self.scrim.competitive:
            await results.rate_scrim_games(session, scrim_id=self.scrim.id)
        report_cards.request_card(session, subject="scrim", subject_id=self.scrim.id)
        await service.announce(session, scrim=self.scrim, also=self.players, now=now)

    async def take_back(self, session: AsyncSession, submission: Submission) -> None:
        await results.reopen_results(session, scrim=self.scrim, games=self.games)
        if self.scrim.competitive:
            await rating_flow.recompute(
                session,
                organization_id=self.organization_id,
                game_mode_id=self.scrim.game_mode_id,
            )
        await service.announce(session, scrim=self.scrim, also=self.players, now=utcnow())


register_subject(ScrimSubject.column, ScrimSubject.load)


async def submit_scrim_replays(
    session: AsyncSession,
    *,
    actor: Actor,
    storage: ObjectStorage,
    scrim_id: int,
    files: Sequence[replays.Upload] | replays.UploadReader,
    max_size: int,
) -> Submission:
    """A player of an in-progress scrim (or staff) uploads one replay per game, in game
    order (as :func:`sprocket.replays.service.submit`; ``max_size`` in bytes per file).
    Returns the new submission.

    Raises UNAUTHENTICATED, NOT_FOUND (scrim), PERMISSION_DENIED (not one of its players),
    SCRIM_NOT_IN_PROGRESS, then what ``submit`` raises (NO_FILES, WRONG_FILE_COUNT,
    TOO_MANY_FILES, SUBMISSION_IN_PROGRESS, a ReplayError's code, DUPLICATE_FILE,
    REPLAY_ALREADY_USED, DUPLICATE_GAME).
    """
    require_user(actor)
    subject = await ScrimSubject.load(session, scrim_id)
    submission = await replays.submit(
        session, actor=actor, storage=storage, subject=subject, files=files, max_size=max_size
    )
    await service.announce(session, scrim=subject.scrim, also=subject.players, now=utcnow())
    return submission


async def scrim_submit_refusal(
    session: AsyncSession, *, actor: Actor, scrim_id: int
) -> DomainError | None:
    """The error :func:`submit_scrim_replays` would refuse ``actor``'s replays for the scrim
    with now, or None (see :func:`sprocket.replays.service.submit_refusal`). Raises
    NOT_FOUND (scrim)."""
    subject = await ScrimSubject.load(session, scrim_id)
    return await replays.submit_refusal(session, actor=actor, subject=subject)
