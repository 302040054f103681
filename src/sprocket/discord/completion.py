"""Autocomplete: suggestions for the option being typed (organizations, leagues, teams,
players, the caller's open matches), at most Discord's 25, each carrying the row's id (or an
organization's slug) as its value. Read only: a person unknown so far is not created by
typing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.discord.interaction import Interaction
from sprocket.discord.registry import Completion
from sprocket.discord.replies import CHOICES, Choices
from sprocket.errors import NotFound
from sprocket.identity import service as identity
from sprocket.identity.access import SPECTATOR, Actor
from sprocket.league import guilds, lookup, members
from sprocket.runtime import Runtime
from sprocket.schedule import overview


async def suggest(runtime: Runtime, interaction: Interaction, kind: Completion) -> Choices:
    """The suggestions for the focused option of ``interaction``, which completes
    ``kind``, from what was typed so far. Raises the refusal of the organization the
    command would act for (GUILD_NOT_LINKED, NO_ORGANIZATION ...)."""
    typed = str(interaction.options.get(interaction.focused or "") or "")
    async with runtime.reading() as session:
        try:
            actor: Actor = await identity.actor_by_discord_id(
                session, discord_id=interaction.user.id
            )
        except NotFound:
            actor = SPECTATOR
        if kind == Completion.ORGANIZATION:
            mine = (
                []
                if actor.user_id is None
                else await guilds.member_organizations(session, user_id=actor.user_id)
            )
            found = await lookup.find_organizations(session, text=typed, first=CHOICES)
            typed_key = typed.strip().casefold()
            ordered = [o for o in mine if typed_key in f"{o.name} {o.slug}".casefold()]
            ordered += [o for o in found if o not in ordered]
            return Choices([(f"{o.name} ({o.slug})", o.slug) for o in ordered[:CHOICES]])
        organization = await guilds.acting_organization(
            session,
            actor=actor,
            guild_id=interaction.guild_id,
            chosen=interaction.options.get("organization"),
        )
        if kind == Completion.LEAGUE:
            leagues = await lookup.find_leagues(
                session, organization_id=organization.id, text=typed, first=CHOICES
            )
            return Choices([(lg.name, str(lg.id)) for lg in leagues])
        if kind == Completion.OPEN_MATCH:
            return await _open_matches(session, actor, organization.id, typed)
        if kind == Completion.TEAM:
            teams = await lookup.find_teams(
                session, organization_id=organization.id, text=typed, first=CHOICES
            )
            return Choices([(f"{team.name} ({lg.name})", str(team.id)) for team, lg in teams])
        members = await lookup.find_members(
            session, organization_id=organization.id, text=typed, first=CHOICES
        )
        return Choices([(member.name, str(member.id)) for member in members])


async def _open_matches(
    session: AsyncSession, actor: Actor, organization_id: int, typed: str
) -> Choices:
    """The matches of the caller's current teams in the organization that wait for a
    result, latest first; typed digits keep those whose number starts with them."""
    if actor.user_id is None:
        return Choices(())
    now = utcnow()
    spots = await members.teams_of(session, user_id=actor.user_id, at=now)
    lines = await overview.open_team_matches(
        session,
        team_ids=[spot.team_id for spot in spots],
        organization_id=organization_id,
        at=now,
        first=CHOICES,
    )
    digits = typed.strip()
    return Choices(
        [
            (f"#{line.id} Week {line.week}: {line.home} vs {line.away} ({line.league})", line.id)
            for line in lines
            if not digits.isdigit() or str(line.id).startswith(digits)
        ]
    )
