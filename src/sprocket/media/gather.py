"""A report card's facts read from the domains: a league match's series (its games, stat
lines and rating points) or a completed scrim's games (their goals, and its accepted
submission's stat lines: scrims keep no stat lines of their own), as a
:class:`~sprocket.media.report_card.ReportCard`. Reads only; who may see a card is
:mod:`sprocket.media.service`'s business."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import for_people
from sprocket.db import rows_by_ids
from sprocket.errors import NotFound
from sprocket.league import service as league
from sprocket.league.models import GameMode, Member, Organization, Player, SkillGroup
from sprocket.media.errors import MediaCode
from sprocket.media.report_card import (
    AWAY,
    HOME,
    GameScore,
    GameStat,
    ReportCard,
    match_title,
    player_lines,
    scrim_title,
)
from sprocket.ratings.enums import RatingSource
from sprocket.ratings.reads import rating_spans
from sprocket.replays.reads import accepted_submission
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.scrims import results as scrim_results
from sprocket.scrims import service as scrims
from sprocket.scrims.enums import ScrimStatus, ScrimTeamMode
from sprocket.scrims.validation import Lineup
from sprocket.stats import service as stats


def no_card(noun: str) -> NotFound:
    """The refusal of a card for ``noun`` ("match 12"), whose result is not accepted: a
    NotFound of code NO_REPORT_CARD (returned, for the caller to raise)."""
    return NotFound(
        f"{noun.capitalize()} has no accepted result, so it has no report card.",
        code=MediaCode.NO_REPORT_CARD,
    )


async def _organization(session: AsyncSession, organization_id: int) -> tuple[Organization, Any]:
    org = await league.find_organization(session, organization_id=organization_id)
    assert org is not None  # a match's or scrim's organization is never deleted under it
    return org, await league.organization_config(session, organization_id)


def _played(moments: Sequence[dt.datetime | None], fallback: dt.datetime | None, zone: str) -> str:
    """The day the games were played (the last game's), in words in the organization's zone."""
    known = [m for m in moments if m is not None] or ([fallback] if fallback else [])
    return for_people(max(known), zone, time=False) if known else ""


async def match_card(session: AsyncSession, *, match_id: int) -> ReportCard:
    """The card of a league match's recorded series: title "Week 4 - Premier - Standard",
    both teams, each game's score, each player's line summed over the series (a stat line of
    a player linked to nobody is shown under its in-game name) and rating change (source
    ``match``). Raises NOT_FOUND (match), NO_REPORT_CARD (no games recorded)."""
    line = await overview.match_line(session, match_id=match_id)
    match, fixture, lg = await schedule.match_context(session, match_id)
    games = await schedule.match_games(session, match_id=match_id)
    if not games:
        raise no_card(f"match {match_id}")
    org, config = await _organization(session, lg.organization_id)
    mode = (await rows_by_ids(session, GameMode, [lg.game_mode_id]))[lg.game_mode_id]
    group = await session.get(SkillGroup, match.skill_group_id) if match.skill_group_id else None
    lines = await stats.game_stat_lines(session, game_ids=[g.id for g in games])
    players = await rows_by_ids(
        session, Player, [s.player_id for ls in lines.values() for s in ls if s.player_id]
    )
    members = await rows_by_ids(session, Member, [p.member_id for p in players.values()])
    game_stats = []
    for game in games:
        for stat in lines.get(game.id, []):
            player = players.get(stat.player_id) if stat.player_id else None
            member = members.get(player.member_id) if player else None
            key: Hashable = member.id if member else (stat.platform, stat.platform_account_id)
            side = HOME if stat.team_id == fixture.home_team_id else AWAY
            game_stats.append(
                GameStat(
                    key=key,
                    name=member.name if member else stat.name,
                    side=side,
                    won=stat.won,
                    goals=stat.goals,
                    assists=stat.assists,
                    saves=stat.saves,
                    shots=stat.shots,
                    score=stat.score,
                    mvp=stat.mvp,
                )
            )
    spans = await rating_spans(session, source=RatingSource.MATCH, game_ids=[g.id for g in games])
    return ReportCard(
        subject="match",
        subject_id=match.id,
        organization=org.name,
        primary=config["primary_colour"],
        secondary=config["secondary_colour"],
        title=match_title(line.week, group.name if group else None, mode.name),
        subtitle=f"{line.league}, {line.season}",
        played=_played([g.played_at for g in games], match.completed_at, org.time_zone),
        home=line.home,
        away=line.away,
        games=tuple(GameScore(g.number, g.home_goals, g.away_goals, g.home_won) for g in games),
        players=player_lines(game_stats, spans),
    )


def _scrim_stats(
    reports: Sequence[dict[str, Any]],
    lineups: Sequence[Lineup],
    names: dict[int, str],
    home_won: Sequence[bool],
    round_robin: bool,
) -> list[GameStat]:
    """Each line-up player's line in each game, from the accepted submission's report (its
    ``found`` players with their member ids and replay teams; ``home_index``: the replay team
    of the home line-up); the MVP as league series award it (the winning side's best score)."""
    out = []
    for report, lineup, won_at_home in zip(reports, lineups, home_won, strict=True):
        found = [p for p in report.get("found", []) if p.get("member_id") in names]
        mvp = stats.most_valuable(
            found,
            won=lambda p, h=won_at_home, r=report: (p["replay_team"] == r["home_index"]) == h,
            score=lambda p: p["score"],
        )
        for p in found:
            side = HOME if p["member_id"] in lineup.home else AWAY
            out.append(
                GameStat(
                    key=p["member_id"],
                    name=names[p["member_id"]],
                    side=None if round_robin else side,
                    won=(side == HOME) == won_at_home,
                    goals=p["goals"],
                    assists=p["assists"],
                    saves=p["saves"],
                    shots=p["shots"],
                    score=p["score"],
                    mvp=p is mvp,
                )
            )
    return out


async def scrim_card(session: AsyncSession, *, scrim_id: int) -> ReportCard:
    """The card of a completed scrim, as its accepted submission recorded it: with fixed
    teams both sides (named by their players) and the series; in a round robin each game's
    line-ups and the players ranked by record. Rating changes come from its rated games
    (source ``scrim``: competitive scrims of organizations that rate them). Raises NOT_FOUND
    (scrim), NO_REPORT_CARD (not complete, or no accepted submission)."""
    scrim = await scrims.get_scrim(session, scrim_id=scrim_id, lock=False)
    games = await scrims.game_lineups_of(session, scrim.id)
    submission = await accepted_submission(session, scrim_id=scrim.id)
    if scrim.status != ScrimStatus.COMPLETE or submission is None or not games:
        raise no_card(f"scrim {scrim_id}")
    org, config = await _organization(session, scrim.organization_id)
    mode = (await rows_by_ids(session, GameMode, [scrim.game_mode_id]))[scrim.game_mode_id]
    group = await session.get(SkillGroup, scrim.skill_group_id) if scrim.skill_group_id else None
    lineups = scrim_results.lineups(games)
    everyone = [m for lineup in lineups for m in (*lineup.home, *lineup.away)]
    names = {m.id: m.name for m in (await rows_by_ids(session, Member, everyone)).values()}
    round_robin = scrim.team_mode == ScrimTeamMode.ROUND_ROBIN
    home_won = [bool(g.home_won) for g in games]
    reports = (submission.report or {}).get("games", [])
    if len(reports) != len(games):
        raise no_card(f"scrim {scrim_id}")
    scores = tuple(
        GameScore(
            g.number,
            g.home_goals or 0,
            g.away_goals or 0,
            won,
            tuple(names.get(m, "?") for m in lineup.home) if round_robin else (),
            tuple(names.get(m, "?") for m in lineup.away) if round_robin else (),
        )
        for g, lineup, won in zip(games, lineups, home_won, strict=True)
    )
    spans = await rating_spans(session, source=RatingSource.SCRIM, game_ids=[g.id for g in games])
    kind = "Competitive" if scrim.competitive else "Casual"
    teams = "teams drawn again for each game" if round_robin else "fixed teams"
    first = lineups[0]
    return ReportCard(
        subject="scrim",
        subject_id=scrim.id,
        organization=org.name,
        primary=config["primary_colour"],
        secondary=config["secondary_colour"],
        title=scrim_title(scrim.id, group.name if group else None, mode.name),
        subtitle=f"{kind} scrim, {teams}",
        played=_played([g.played_at for g in games], scrim.finished_at, org.time_zone),
        home=" & ".join(names.get(m, "?") for m in first.home),
        away=" & ".join(names.get(m, "?") for m in first.away),
        games=scores,
        players=player_lines(_scrim_stats(reports, lineups, names, home_won, round_robin), spans),
        round_robin=round_robin,
    )
