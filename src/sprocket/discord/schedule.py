"""``/schedule``, ``/standings`` and ``/match``: the calendar through the services the web's
league pages read (:mod:`sprocket.web.league`)."""

from __future__ import annotations

import json

from hikari import ButtonStyle, OptionType

from sprocket.db import MAX_ID, rows_by_ids, utcnow
from sprocket.discord.choose import LEAGUE, TEAM, chosen_league, chosen_team, season_to_show
from sprocket.discord.embeds import Embed, Field
from sprocket.discord.registry import Call, Command, Option
from sprocket.discord.replies import Button, Reply, timestamp
from sprocket.errors import NotFound
from sprocket.league import service as league
from sprocket.league.models import Team
from sprocket.replays import reads as replay_reads
from sprocket.replays.enums import SubmissionStatus
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.overview import MatchLine

#: Matches one answer lists.
UPCOMING = 10


def line_text(line: MatchLine) -> str:
    """A match as one line: week, teams, and its start or its result."""
    teams = f"**{line.home}** vs **{line.away}**"
    if line.status == MatchStatus.FORFEITED:
        outcome = f"forfeited by {line.forfeited_by}"
    elif line.status == MatchStatus.COMPLETED:
        outcome = f"{line.home_wins}-{line.away_wins}"
    else:
        outcome = timestamp(line.starts_at)
    return f"`#{line.id}` Week {line.week} · {teams} · {outcome}"


async def schedule_command(call: Call) -> Reply:
    """The organization's next matches, or one team's matches of its season."""
    async with call.runtime.reading() as session:
        team = await chosen_team(session, call)
        if team is None:
            lines = await overview.upcoming_matches(
                session, at=utcnow(), organization_id=call.organization, first=UPCOMING
            )
            title = "Upcoming matches"
        else:
            season, _ = await season_to_show(session, call, team[1])
            lines = await overview.team_matches(session, team_id=team[0].id, season_id=season.id)
            title = f"{team[0].name}: {season.name}"
    text = "\n".join(line_text(line) for line in lines) or "No match is scheduled."
    return Reply(embeds=[Embed(title, text, footer="/match <id> shows one match.")])


async def standings_tables(call: Call) -> list[tuple[str, str]]:
    """The season's table per skill group, as (title, text) pairs."""
    async with call.runtime.reading() as session:
        season, lg = await season_to_show(session, call, await chosen_league(session, call))
        groups = await league.league_skill_groups(session, league_id=lg.id)
        tables = []
        for group in groups or [None]:
            rows = await schedule.standings(
                session, season_id=season.id, skill_group_id=group.id if group else None
            )
            tables.append((group, rows))
        names = await rows_by_ids(session, Team, [r.team for _, rows in tables for r in rows])
    shown = []
    for group, rows in tables:
        title = f"{lg.name} {season.name}" + (f": {group.name}" if group else "")
        table = "\n".join(
            f"{r.rank:>2}. {names[r.team].name[:24]:<24} {r.series_won}-{r.series_lost}"
            f"{f'-{r.series_drawn}' if r.series_drawn else ''}  GD {r.game_difference:+d}"
            f"  {r.points} pts"
            for r in rows
        )
        shown.append((title, f"```\n{table}\n```" if rows else "No team yet."))
    return shown


async def standings_command(call: Call) -> Reply:
    """The season's table, per skill group: the same for everyone in the organization, so
    remembered for the organization and the ``league`` option under the data version
    (:meth:`~sprocket.runtime.Runtime.remembered`, as the response cache keeps GraphQL's
    standings), which the season and skill groups shown follow from."""

    async def make() -> bytes:
        return json.dumps(await standings_tables(call)).encode()

    name = "discord-standings:" + json.dumps([call.organization, call.option("league")])
    tables = json.loads(await call.runtime.remembered(name, make))
    return Reply(embeds=[Embed(title, text) for title, text in tables])


async def match_command(call: Call) -> Reply:
    """One match: teams, window, games and, while a result waits for answers, the buttons
    to ratify or reject it."""
    match_id = int(call.option("match"))
    async with call.runtime.reading() as session:
        line = await overview.match_line(session, match_id=match_id)
        if line.organization_id != call.organization:
            raise NotFound(f"This organization has no match {match_id}.")
        match = await schedule.match_by_id(session, match_id=match_id)
        games = await schedule.match_games(session, match_id=match_id)
        submissions = await replay_reads.submissions_of_match(session, match_id=match_id)
    fields = [
        Field(f"Game {g.number}", f"{g.home_goals}-{g.away_goals}", inline=True) for g in games
    ]
    description = (
        f"{line.league}, {line.season}, week {line.week}\n"
        f"Window: {timestamp(match.starts_at)} to {timestamp(match.ends_at)}\n"
        f"Series: {line.home_wins}-{line.away_wins} ({line.status.replace('_', ' ')})"
    )
    waiting = next(
        (s for s in submissions if s.status == SubmissionStatus.AWAITING_RATIFICATION), None
    )
    buttons = []
    if waiting is not None:
        description += f"\nSubmission {waiting.id} waits for the other side to ratify it."
        buttons = [
            Button("Ratify", f"ratify:{waiting.id}", ButtonStyle.SUCCESS),
            Button("Reject", f"reject:{waiting.id}", ButtonStyle.DANGER),
        ]
    title = f"Match {line.id}: {line.home} vs {line.away}"
    return Reply(embeds=[Embed(title, description, fields=fields)], buttons=buttons)


COMMANDS = (
    Command(
        "schedule",
        "The next matches, or a team's matches this season.",
        schedule_command,
        options=(TEAM,),
    ),
    Command(
        "standings",
        "A league's table this season, per skill group.",
        standings_command,
        options=(LEAGUE,),
    ),
    Command(
        "match",
        "One match: its window, games, and the result waiting for answers.",
        match_command,
        options=(
            Option(
                "match",
                "The match's number (#id).",
                OptionType.INTEGER,
                True,
                min_value=1,
                max_value=MAX_ID,
            ),
        ),
    ),
)
