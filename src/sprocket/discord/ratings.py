"""``/leaderboard``, ``/rating`` and ``/profile``: ratings and players through the services
the web's leaderboard and player pages read."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import rows_by_ids
from sprocket.discord.choose import LEAGUE, PLAYER, chosen_league, chosen_member
from sprocket.discord.embeds import Embed, Field
from sprocket.discord.registry import Call, Command, Option
from sprocket.discord.replies import Reply, timestamp
from sprocket.errors import NotFound
from sprocket.league import lookup, rosters
from sprocket.league import service as league
from sprocket.league.models import GameMode, Member
from sprocket.ratings import reads
from sprocket.ratings import service as ratings
from sprocket.ratings.leaderboards import Filters, PlayerBoard, player_leaderboard

#: Players one leaderboard answer lists.
BOARD = 15
#: What a board ranks by, as the option offers it.
BOARDS = (
    ("Rating", PlayerBoard.RATING.value),
    ("Goals per game", PlayerBoard.GOALS.value),
    ("Assists per game", PlayerBoard.ASSISTS.value),
    ("Saves per game", PlayerBoard.SAVES.value),
    ("Shots per game", PlayerBoard.SHOTS.value),
    ("Win rate", PlayerBoard.WIN_RATE.value),
)
MODE = Option(
    "mode",
    "The game mode (default: the league's, else the organization's first league's).",
    choices=tuple((name, code) for code, name, _ in league.GAME_MODES),
)


async def mode_to_show(session: AsyncSession, call: Call) -> int:
    """The game mode id a board shows: the ``mode`` option's, the ``league`` option's
    league's, else the organization's first league's (by name). Raises NOT_FOUND,
    UNKNOWN_GAME_MODE."""
    if call.option("mode") is not None:
        return await ratings.game_mode_id(session, str(call.option("mode")))
    chosen = await chosen_league(session, call)
    if chosen is None:
        first = await lookup.find_leagues(
            session, organization_id=call.organization, text="", first=1
        )
        if not first:
            raise NotFound("This organization has no league yet.")
        chosen = first[0]
    return chosen.game_mode_id


def value_text(by: PlayerBoard, value: float) -> str:
    """A board's value as people read it."""
    if by == PlayerBoard.RATING:
        return f"{value:.0f}"
    if by == PlayerBoard.WIN_RATE:
        return f"{value:.0%}"
    return f"{value:.2f}"


async def leaderboard_command(call: Call) -> Reply:
    """The best players of a game mode, by rating or a per-game stat."""
    by = PlayerBoard(call.option("by", PlayerBoard.RATING.value))
    async with call.runtime.reading() as session:
        mode_id = await mode_to_show(session, call)
        filters = Filters(
            organization_id=call.organization,
            game_mode_id=mode_id,
            min_games=int(call.option("min_games", 0)),
        )
        page = await player_leaderboard(session, by=by, filters=filters, first=BOARD)
        names = await rows_by_ids(session, Member, [e.member_id for e in page.entries])
        mode = (await rows_by_ids(session, GameMode, [mode_id]))[mode_id]
    label = dict((value, name) for name, value in BOARDS)[by.value]
    lines = "\n".join(
        f"{e.rank:>2}. {names[e.member_id].name[:24]:<24} {value_text(by, e.value):>6}"
        f"  ({e.games} games, {e.wins} won)"
        for e in page.entries
        if e.member_id in names
    )
    text = f"```\n{lines}\n```" if lines else "Nobody is on this board yet."
    return Reply(embeds=[Embed(f"{mode.name} leaderboard: {label}", text)])


async def _ratings_fields(session: AsyncSession, member: Member) -> list[Field]:
    rated = (await reads.ratings_by_member(session, member_ids=[member.id])).get(member.id, [])
    threshold = (await ratings.provisional_thresholds(session, [member.organization_id]))[
        member.organization_id
    ]
    modes = await rows_by_ids(session, GameMode, [r.game_mode_id for r in rated])
    return [
        Field(
            modes[r.game_mode_id].name,
            f"**{r.displayed}**{' (provisional)' if r.games < threshold else ''}\n"
            f"{r.games} games, {r.wins} won",
            inline=True,
        )
        for r in rated
    ]


async def rating_command(call: Call) -> Reply:
    """A player's rating in each game mode."""
    async with call.runtime.reading() as session:
        member = await chosen_member(session, call)
        fields = await _ratings_fields(session, member)
    text = "" if fields else "Not rated yet: ratings come with accepted games."
    return Reply(embeds=[Embed(f"{member.name}: ratings", text, fields=fields)])


async def profile_command(call: Call) -> Reply:
    """A player's teams (current ones first) and ratings."""
    async with call.runtime.reading() as session:
        member = await chosen_member(session, call)
        teams = await rosters.member_teams(session, member_id=member.id)
        fields = await _ratings_fields(session, member)
    current = [t for t in teams if t.left_at is None]
    team_lines = "\n".join(
        f"{t.team} ({t.league}, {t.season}){' · captain' if t.is_captain else ''}, since "
        f"{timestamp(t.joined_at, 'd')}"
        for t in current
    )
    description = f"Member since {timestamp(member.joined_at, 'd')}\n" + (
        f"**Teams**\n{team_lines}" if team_lines else "On no team now."
    )
    return Reply(embeds=[Embed(member.name, description, fields=fields)])


COMMANDS = (
    Command(
        "leaderboard",
        "The best players of a game mode, by rating or a per-game stat.",
        leaderboard_command,
        options=(
            MODE,
            LEAGUE,
            Option("by", "What to rank by (default: rating).", choices=BOARDS),
            Option(
                "min_games", "Only players with this many games.", 4, min_value=0, max_value=1000
            ),
        ),
    ),
    Command("rating", "A player's rating in each game mode.", rating_command, options=(PLAYER,)),
    Command("profile", "A player's teams and ratings.", profile_command, options=(PLAYER,)),
)
