"""A scheduled league match as the subject of a submission (see
:mod:`sprocket.replays.subjects`): accepting its replays records the match's games (schedule),
standings, stat lines (stats) and ratings; invalidating reopens the match and rebuilds the
ratings without it. Importing this module registers the subject for ``Submission.match_id``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import Conflict, DomainError, PermissionDenied, found
from sprocket.flows import ratings as rating_flow
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league.models import GameMode, League, Member, Player, RosterSpot, Team
from sprocket.league.service import organization_config, organization_zone
from sprocket.media import service as report_cards
from sprocket.platform.storage import ObjectStorage
from sprocket.ratings import service as ratings
from sprocket.replays import notices, validation
from sprocket.replays import service as replays
from sprocket.replays.errors import ReplayCode
from sprocket.replays.models import Submission
from sprocket.replays.subjects import Side, organization_accounts, register_subject, replay_ids
from sprocket.schedule import service as schedule
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.errors import ScheduleCode
from sprocket.schedule.models import Fixture, Match
from sprocket.stats import service as stats


@dataclass
class MatchSubject:
    match: Match
    fixture: Fixture
    league: League
    files_expected = None
    column = "match_id"

    @classmethod
    async def load(cls, session: AsyncSession, match_id: int) -> MatchSubject:
        return cls(*await schedule.match_context(session, match_id))

    @property
    def id(self) -> int:
        return self.match.id

    @property
    def organization_id(self) -> int:
        return self.league.organization_id

    @property
    def noun(self) -> str:
        return f"match {self.match.id}"

    @property
    def teams(self) -> tuple[int, int]:
        return (self.fixture.home_team_id, self.fixture.away_team_id)

    # -- sides ---------------------------------------------------------------------------------

    async def side_of(self, session: AsyncSession, member_id: int) -> Side | None:
        team = await session.scalar(
            select(RosterSpot.team_id)
            .join(Player, Player.id == RosterSpot.player_id)
            .where(
                Player.member_id == member_id,
                RosterSpot.team_id.in_(self.teams),
                RosterSpot.season_id == self.match.season_id,
                RosterSpot.left_at.is_(None),
            )
            .limit(1)
        )
        return None if team is None else Side(team, team)

    async def side_of_submission(
        self, session: AsyncSession, submission: Submission
    ) -> Side | None:
        team = submission.submitted_for_team_id
        return None if team is None else Side(team, team)

    async def submitter_side(self, session: AsyncSession, actor: Actor) -> Side | None:
        """Players speak for their team, a franchise manager for the team they manage, staff
        for nobody."""
        user_id = require_user(actor)
        member_id = await session.scalar(
            select(Member.id).where(
                Member.organization_id == self.organization_id, Member.user_id == user_id
            )
        )
        side = None if member_id is None else await self.side_of(session, member_id)
        if side is not None:
            return side
        if await self.is_staff(session, actor):
            return None
        managed = []
        for team_id in self.teams:
            row = await session.get(Team, team_id)
            try:
                await access.require_team_manager(
                    session,
                    actor,
                    organization_id=self.organization_id,
                    league_id=self.league.id,
                    franchise_id=row.franchise_id if row else None,
                    doing="submit",
                )
                managed.append(team_id)
            except PermissionDenied:
                continue
        if len(managed) == 1:
            return Side(managed[0], managed[0])
        if managed:  # managing both teams: for neither
            return None
        raise PermissionDenied(
            "Only players of the two teams, their franchise managers or league staff may submit "
            "this match's replays."
        )

    async def ratifiers(self, session: AsyncSession, against: Side | None) -> int:
        """The other team's current roster (both rosters for a submission by staff)."""
        opposing = [t for t in self.teams if against is None or t != against.team_id]
        size = await session.scalar(
            select(func.count())
            .select_from(RosterSpot)
            .where(
                RosterSpot.team_id.in_(opposing),
                RosterSpot.season_id == self.match.season_id,
                RosterSpot.left_at.is_(None),
            )
        )
        return size or 0

    async def is_staff(self, session: AsyncSession, actor: Actor) -> bool:
        return await access.is_league_staff(session, actor, self.organization_id, self.league.id)

    async def sides(self, session: AsyncSession) -> list[tuple[Side, list[int]]]:
        """Each team with the users on its current roster of the match's season."""
        rows = (
            await session.execute(
                select(RosterSpot.team_id, Member.user_id)
                .join(Player, Player.id == RosterSpot.player_id)
                .join(Member, Member.id == Player.member_id)
                .where(
                    RosterSpot.team_id.in_(self.teams),
                    RosterSpot.season_id == self.match.season_id,
                    RosterSpot.left_at.is_(None),
                )
            )
        ).all()
        return [
            (Side(team, team), sorted({user for t, user in rows if t == team}))
            for team in self.teams
        ]

    def require_undecided(self) -> None:
        if self.match.status != MatchStatus.SCHEDULED:
            raise Conflict(
                f"Match {self.match.id} is already {self.match.status}.",
                code=ScheduleCode.MATCH_ALREADY_DECIDED,
            )

    # -- checking ------------------------------------------------------------------------------

    async def check(
        self, session: AsyncSession, files: Sequence[validation.GameFile]
    ) -> validation.Report:
        return validation.validate_series(await self._expectation(session), files)

    async def _expectation(self, session: AsyncSession) -> validation.Expectation:
        """The match as the pure validation sees it: every dated roster spot of the two teams
        in the season (each game picks the roster of its own date), the league's and the
        organization's rules, the linked accounts and the organization's time zone."""
        match, league = self.match, self.league
        config = await organization_config(session, league.organization_id)
        mode = found(
            await session.get(GameMode, league.game_mode_id), "game mode", league.game_mode_id
        )
        spots = await session.execute(
            select(
                RosterSpot.team_id,
                Member.id,
                Player.id,
                Member.name,
                RosterSpot.joined_at,
                RosterSpot.left_at,
            )
            .join(Player, Player.id == RosterSpot.player_id)
            .join(Member, Member.id == Player.member_id)
            .where(RosterSpot.team_id.in_(self.teams), RosterSpot.season_id == match.season_id)
            .order_by(RosterSpot.joined_at, RosterSpot.id)
        )
        rosters: dict[int, list[validation.RosterPlayer]] = {t: [] for t in self.teams}
        for team_id, member_id, player_id, name, joined, left in spots:
            rosters[team_id].append(
                validation.RosterPlayer(member_id, player_id, name, joined, left)
            )
        sides = []
        for team_id in self.teams:
            team = found(await session.get(Team, team_id), "team", team_id)
            sides.append(validation.Side(team.id, team.name, tuple(rosters[team.id])))
        accounts, names = await organization_accounts(session, league.organization_id)
        return validation.Expectation(
            match_format=match.format,
            team_size=mode.team_size,
            home=sides[0],
            away=sides[1],
            window_start=match.starts_at,
            window_end=match.ends_at,
            date_tolerance=dt.timedelta(hours=config["replay_date_tolerance_hours"]),
            require_private=config["require_private_match"],
            substitutes_per_series=config["substitutes_per_series"],
            accounts=accounts,
            member_names=names,
            time_zone=await organization_zone(session, league.organization_id),
        )

    # -- the result ----------------------------------------------------------------------------

    async def accept(self, session: AsyncSession, submission: Submission) -> None:
        """Games (each with the date its replay recorded), stat lines, the match result and
        (through it) standings and ratings; its report card is made once they are committed."""
        games = (submission.report or {}).get("games", [])
        if not games or any(g.get("home_goals") is None for g in games):
            raise Conflict(
                "This submission's games cannot be matched to the two teams; it cannot be "
                "accepted.",
                code=ReplayCode.CANNOT_ACCEPT,
            )
        rows = await schedule.complete_match(
            session,
            match=self.match,
            games=[(g["home_goals"], g["away_goals"]) for g in games],
            replay_ids=await replay_ids(session, submission),
            winners=validation.decided_winners(games),
            played_at=[
                dt.datetime.fromisoformat(g["played_at"]) if g.get("played_at") else None
                for g in games
            ],
        )
        await stats.record_series(
            session,
            league_id=self.league.id,
            games=rows,
            reports=games,
            home_team_id=self.fixture.home_team_id,
            away_team_id=self.fixture.away_team_id,
        )
        await ratings.rate_match_games(session, match_id=self.match.id)
        report_cards.request_card(session, subject="match", subject_id=self.match.id)

    async def take_back(self, session: AsyncSession, submission: Submission) -> None:
        await schedule.reopen_match(session, match=self.match)
        # Later games were rated from ratings that included this result: rebuild them without it.
        await rating_flow.recompute(
            session,
            organization_id=self.organization_id,
            game_mode_id=self.league.game_mode_id,
        )


register_subject(MatchSubject.column, MatchSubject.load)


async def submit_match_replays(
    session: AsyncSession,
    *,
    actor: Actor,
    storage: ObjectStorage,
    match_id: int,
    files: Sequence[replays.Upload] | replays.UploadReader,
    max_size: int,
) -> Submission:
    """Upload a series' replays for a scheduled league match (as
    :func:`sprocket.replays.service.submit`): one file per game, in game order; ``max_size``
    in bytes per file. A player submits for their team, a franchise manager for the team
    they manage, staff for neither. Returns the new submission.

    Raises UNAUTHENTICATED, NOT_FOUND (match), PERMISSION_DENIED (none of those),
    MATCH_ALREADY_DECIDED, then what ``submit`` raises (NO_FILES, TOO_MANY_FILES,
    SUBMISSION_IN_PROGRESS, a ReplayError's code, DUPLICATE_FILE, REPLAY_ALREADY_USED,
    DUPLICATE_GAME).
    """
    require_user(actor)
    subject = await MatchSubject.load(session, match_id)
    return await replays.submit(
        session, actor=actor, storage=storage, subject=subject, files=files, max_size=max_size
    )


async def match_submit_refusal(
    session: AsyncSession, *, actor: Actor, match_id: int
) -> DomainError | None:
    """The error :func:`submit_match_replays` would refuse ``actor``'s replays for the match
    with now, or None (see :func:`sprocket.replays.service.submit_refusal`). Raises
    NOT_FOUND (match)."""
    subject = await MatchSubject.load(session, match_id)
    return await replays.submit_refusal(session, actor=actor, subject=subject)


async def submit_match_replays_as_staff(
    session: AsyncSession,
    *,
    actor: Actor,
    storage: ObjectStorage,
    match_id: int,
    files: Sequence[replays.Upload] | replays.UploadReader,
    max_size: int,
) -> Submission:
    """Upload a series' replays for a scheduled league match as staff of its league (the
    command line: players upload theirs through the API). Raises NotFound (``NOT_FOUND``)
    for no such match, PermissionDenied (``PERMISSION_DENIED``) for anyone but the league's
    staff, then what :func:`submit_match_replays` raises."""
    _, _, league = await schedule.match_context(session, match_id)
    await access.require_league_staff(
        session,
        actor,
        league.organization_id,
        league.id,
        "submit replays from the command line; players upload them in the app",
    )
    return await submit_match_replays(
        session, actor=actor, storage=storage, match_id=match_id, files=files, max_size=max_size
    )


async def enter_match_result(
    session: AsyncSession, *, actor: Actor, match_id: int, games: Sequence[tuple[int, int]]
) -> Match:
    """Staff enter a series' game scores by hand (:func:`sprocket.schedule.service.
    record_result`: (home goals, away goals) per game, in play order), tell both teams'
    players (:func:`sprocket.replays.notices.result_entered`) and ask for its report card,
    made and posted like an accepted submission's once committed (the scores only: no
    replay, so no player lines). Raises what ``record_result`` raises (UNAUTHENTICATED,
    NOT_FOUND, PERMISSION_DENIED, MATCH_ALREADY_DECIDED, INVALID_SCORE, WRONG_GAME_COUNT...)."""
    match = await schedule.record_result(session, actor=actor, match_id=match_id, games=games)
    await notices.result_entered(
        session,
        subject=await MatchSubject.load(session, match.id),
        games=games,
        entered_at_ms=int((match.completed_at or utcnow()).timestamp() * 1000),
    )
    report_cards.request_card(session, subject="match", subject_id=match.id)
    return match
