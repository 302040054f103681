"""Options that name rows: a league, team or member given by a suggestion's id or by name,
read through :mod:`sprocket.league.lookup` within the organization the command acts for,
and the season a league command shows; moments staff write, in the organization's zone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import time_zone
from sprocket.db import utcnow
from sprocket.discord.registry import Call, Completion, Option
from sprocket.errors import CommonCode, InvalidInput, NotFound
from sprocket.league import lookup
from sprocket.league import service as league
from sprocket.league.models import League, Member, Season, Team

LEAGUE = Option(
    "league", "The league (type to search).", complete=Completion.LEAGUE, max_length=100
)
TEAM = Option("team", "The team (type to search).", complete=Completion.TEAM, max_length=100)
PLAYER = Option(
    "player",
    "The player (type to search; default: you).",
    complete=Completion.PLAYER,
    max_length=100,
)


async def chosen_league(session: AsyncSession, call: Call) -> League | None:
    """The league the ``league`` option names, None when not given. Raises NOT_FOUND."""
    value = call.option("league")
    if value is None:
        return None
    return await lookup.league_named(session, organization_id=call.organization, value=str(value))


async def chosen_team(session: AsyncSession, call: Call) -> tuple[Team, League] | None:
    """The team the ``team`` option names, with its league; None when not given.
    Raises NOT_FOUND."""
    value = call.option("team")
    if value is None:
        return None
    return await lookup.team_named(session, organization_id=call.organization, value=str(value))


async def chosen_member(session: AsyncSession, call: Call) -> Member:
    """The member the ``player`` option names, else the caller's membership of the
    organization. Raises NOT_FOUND (no such member; the caller is none)."""
    value = call.option("player")
    if value is not None:
        return await lookup.member_named(
            session, organization_id=call.organization, value=str(value)
        )
    mine = None
    if call.actor.user_id is not None:
        mine = await lookup.current_member(
            session, organization_id=call.organization, user_id=call.actor.user_id
        )
    if mine is None:
        raise NotFound("You are no member of this organization: name a player.")
    return mine


async def season_to_show(
    session: AsyncSession, call: Call, chosen: League | None
) -> tuple[Season, League]:
    """The season a command about one league shows: the running season of ``chosen`` (its
    latest when none runs), else the organization's only running season. Raises NOT_FOUND
    (no season), INVALID_INPUT (several run: the sentence names their leagues)."""
    running = await league.current_seasons(
        session, at=utcnow(), organization_ids=[call.organization]
    )
    if chosen is not None:
        mine = [(s, lg) for s, lg in running if lg.id == chosen.id]
        if mine:
            return mine[0]
        seasons = await league.league_seasons(session, league_id=chosen.id)
        if not seasons:
            raise NotFound(f"{chosen.name} has no season yet.")
        return seasons[-1], chosen
    if not running:
        raise NotFound("No season is running in this organization; name a league.")
    if len({lg.id for _, lg in running}) > 1:
        names = ", ".join(sorted({lg.name for _, lg in running}))
        raise InvalidInput(
            f"Several leagues are playing ({names}): name one with the league option.",
            code=CommonCode.INVALID_INPUT,
        )
    return running[0]


def moment_of(text: str, zone: str, *, what: str) -> dt.datetime:
    """``text`` (``YYYY-MM-DD HH:MM``) as a moment in the organization's ``zone`` (IANA).
    Raises INVALID_INPUT."""
    try:
        local = dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(
            f"Write the {what} as YYYY-MM-DD HH:MM (the organization's time, {zone}).",
            code=CommonCode.INVALID_INPUT,
        ) from None
    return local.replace(tzinfo=time_zone(zone))
