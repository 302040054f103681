"""A small league with one person in each role, built through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sprocket.db import utcnow
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import members, roles, rosters
from sprocket.league import service as league
from sprocket.league.enums import Role
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule

#: The slug of the world's organization (its staff pages' addresses hold it).
WORLD_SLUG = "test-org"

ROLES = (
    "superuser",
    "organization_admin",
    "league_staff",
    "franchise_manager",
    "team_captain",
    "player",
    "outsider",
    "spectator",
)


@dataclass
class World:
    organization_id: int
    league_id: int
    season_id: int
    skill_group_ids: list[int]
    franchise_id: int
    team_ids: list[int]
    player_ids: list[int]
    free_player_ids: list[int]
    member_ids: dict[str, int]
    actors: dict[str, Actor] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    match_ids: list[int] = field(default_factory=list)


async def build_world(platform: Runtime, *, teams: int = 4, with_schedule: bool = True) -> World:
    """Organization > doubles league > season 1 with ``teams`` teams of two, one skill group
    (plus an empty second one), one franchise owning the first team, and a token per role."""
    async with platform.unit_of_work() as s:
        users = {}
        for i, role in enumerate(ROLES[:-1], start=1):
            users[role] = await identity.ensure_user(
                s,
                discord_id=str(900000000000000000 + i),
                display_name=role.replace("_", " ").title(),
                is_superuser=role == "superuser",
            )
        actors = {
            role: Actor(user_id=u.id, is_superuser=u.is_superuser, name=u.display_name)
            for role, u in users.items()
        }
        actors["spectator"] = Actor()
        root = actors["superuser"]
        tokens: dict[str, str | None] = {"spectator": None}
        for role, actor in actors.items():
            if actor.user_id is not None:
                tokens[role] = (await identity.issue_token(s, actor=actor, name="t", days=30))[1]
        org = await league.create_organization(s, actor=root, slug=WORLD_SLUG, name="Test Org")
        await roles.grant_role(
            s,
            actor=root,
            organization_id=org.id,
            user_id=users["organization_admin"].id,
            role=Role.ORGANIZATION_ADMIN,
        )
        lg = await league.create_league(
            s, actor=root, organization_id=org.id, name="Doubles", game_mode="doubles"
        )
        await roles.grant_role(
            s,
            actor=root,
            organization_id=org.id,
            user_id=users["league_staff"].id,
            role=Role.LEAGUE_STAFF,
            league_id=lg.id,
        )
        franchise = await league.create_franchise(
            s, actor=root, organization_id=org.id, name="Aces", code="ACE"
        )
        await roles.grant_role(
            s,
            actor=root,
            organization_id=org.id,
            user_id=users["franchise_manager"].id,
            role=Role.FRANCHISE_MANAGER,
            franchise_id=franchise.id,
        )
        start = utcnow() - dt.timedelta(days=1)
        season = await league.create_season(
            s,
            actor=root,
            league_id=lg.id,
            number=1,
            starts_at=start,
            ends_at=start + dt.timedelta(weeks=12),
        )
        groups = [
            (
                await league.create_skill_group(
                    s, actor=root, league_id=lg.id, name=name, code=code, ordinal=n
                )
            ).id
            for n, (name, code) in enumerate((("Premier", "PL"), ("Master", "ML")), start=1)
        ]
        team_ids, player_ids, role_members = [], [], {}
        for t in range(teams):
            team = await league.create_team(
                s,
                actor=root,
                league_id=lg.id,
                name=f"Team {t + 1}",
                skill_group_id=groups[0],
                franchise_id=franchise.id if t == 0 else None,
            )
            team_ids.append(team.id)
            for p in range(2):
                role = {(0, 0): "team_captain", (0, 1): "player"}.get((t, p))
                user = (
                    users[role]
                    if role
                    else await identity.ensure_user(
                        s, discord_id=str(910000000000000000 + t * 10 + p), display_name=f"P{t}{p}"
                    )
                )
                member = await members.add_member(
                    s, actor=root, organization_id=org.id, user_id=user.id
                )
                if role:
                    role_members[role] = member.id
                player = await members.register_player(
                    s, actor=root, member_id=member.id, league_id=lg.id, skill_group_id=groups[0]
                )
                await rosters.add_to_roster(
                    s,
                    actor=root,
                    team_id=team.id,
                    player_id=player.id,
                    season_id=season.id,
                    captain=p == 0,
                    at=start,
                )
                player_ids.append(player.id)
        free = []
        for f in range(3):
            user = await identity.ensure_user(
                s, discord_id=str(920000000000000000 + f), display_name=f"Free {f}"
            )
            member = await members.add_member(
                s, actor=root, organization_id=org.id, user_id=user.id
            )
            player = await members.register_player(
                s, actor=root, member_id=member.id, league_id=lg.id, skill_group_id=groups[0]
            )
            free.append(player.id)
        world = World(
            organization_id=org.id,
            league_id=lg.id,
            season_id=season.id,
            skill_group_ids=groups,
            franchise_id=franchise.id,
            team_ids=team_ids,
            player_ids=player_ids,
            free_player_ids=free,
            member_ids=role_members,
            actors=actors,
            tokens=tokens,
            user_ids={role: u.id for role, u in users.items()},
        )
        if with_schedule:
            await schedule.create_match_weeks(s, actor=root, season_id=season.id, count=6)
            matches = await schedule.generate_schedule(s, actor=root, season_id=season.id)
            world.match_ids = [m.id for m in matches]
    return world
