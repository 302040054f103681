"""GraphQL types and operations of the league's structure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from sprocket.api.context import Context
from sprocket.api.identity import PlatformAccountNode, UserNode, identity_view
from sprocket.api.ids import RawId, gid, maybe_int, to_int
from sprocket.api.lazy import above
from sprocket.api.limits import ListSize
from sprocket.api.pagination import Connection, connection
from sprocket.api.stats import PlayerStatLineNode, TotalsNode
from sprocket.identity.models import User
from sprocket.league import members, rosters, service
from sprocket.league.access import IdentityView
from sprocket.league.accounts import visible_accounts
from sprocket.league.configuration import KEYS
from sprocket.league.models import (
    Franchise,
    GameMode,
    League,
    Member,
    Organization,
    OrganizationSetting,
    PlatformAccount,
    Player,
    RosterSpot,
    Season,
    SkillGroup,
    Team,
)
from sprocket.paging import check_page_size
from sprocket.stats import service as stats
from sprocket.stats.models import PlayerGameStat

if TYPE_CHECKING:
    from sprocket.api.ratings import GameOutcome, RatingNode, RatingPointNode
    from sprocket.api.schedule import StandingRowNode

Info = strawberry.Info[Context, None]

# Types and resolvers of the doors above (lazily: they import this module).
_RATINGS = "sprocket.api.ratings"
_SCHEDULE = "sprocket.api.schedule"


@strawberry.type(name="Setting")
class SettingNode:
    key: str
    value: JSON
    default: JSON
    description: str
    is_default: bool


@strawberry.type(name="GameMode")
class GameModeNode:
    code: str
    name: str
    team_size: int
    team_count: int

    @classmethod
    async def load(cls, info: Info, game_mode_id: int) -> GameModeNode:
        mode = await info.context.by_id(GameMode).load(game_mode_id)
        return cls(
            code=mode.code, name=mode.name, team_size=mode.team_size, team_count=mode.team_count
        )


@strawberry.type(name="Organization")
class OrganizationNode:
    id: strawberry.ID
    slug: str
    name: str
    time_zone: str = strawberry.field(
        description="The IANA time zone its people read dates in (e.g. Europe/London)."
    )

    @classmethod
    def of(cls, row: Organization) -> OrganizationNode:
        return cls(id=gid(row.id), slug=row.slug, name=row.name, time_zone=row.time_zone)

    @strawberry.field(description="Every configuration key, with its effective value.")
    async def settings(self, info: Info) -> list[SettingNode]:
        rows = await info.context.children(OrganizationSetting.organization_id).load(int(self.id))
        stored = {r.key: r.value for r in rows}
        return [
            SettingNode(
                key=key,
                value=stored.get(key, spec.default),
                default=spec.default,
                description=spec.description,
                is_default=key not in stored,
            )
            for key, spec in KEYS.items()
        ]

    @strawberry.field
    async def leagues(self, info: Info) -> list[LeagueNode]:
        rows = await info.context.children(League.organization_id, League.id).load(int(self.id))
        return [LeagueNode.of(r) for r in rows]

    @strawberry.field
    async def franchises(self, info: Info) -> list[FranchiseNode]:
        rows = await info.context.children(Franchise.organization_id, Franchise.name).load(
            int(self.id)
        )
        return [FranchiseNode.of(r) for r in rows]


@strawberry.type(name="League")
class LeagueNode:
    id: strawberry.ID
    name: str
    roster_min: int
    roster_max: int
    match_format: str
    organization_id: strawberry.Private[int]
    game_mode_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: League) -> LeagueNode:
        return cls(
            id=gid(row.id),
            name=row.name,
            roster_min=row.roster_min,
            roster_max=row.roster_max,
            match_format=row.match_format,
            organization_id=row.organization_id,
            game_mode_id=row.game_mode_id,
        )

    @strawberry.field
    async def game_mode(self, info: Info) -> GameModeNode:
        return await GameModeNode.load(info, self.game_mode_id)

    @strawberry.field
    async def organization(self, info: Info) -> OrganizationNode:
        return OrganizationNode.of(
            await info.context.by_id(Organization).load(self.organization_id)
        )

    @strawberry.field
    async def seasons(self, info: Info) -> list[SeasonNode]:
        rows = await info.context.children(Season.league_id, Season.number).load(int(self.id))
        return [SeasonNode.of(r) for r in rows]

    @strawberry.field
    async def skill_groups(self, info: Info) -> list[SkillGroupNode]:
        rows = await info.context.children(SkillGroup.league_id, SkillGroup.ordinal).load(
            int(self.id)
        )
        return [SkillGroupNode.of(r) for r in rows]

    @strawberry.field
    async def teams(self, info: Info) -> list[TeamNode]:
        rows = await info.context.children(Team.league_id, Team.name).load(int(self.id))
        return [TeamNode.of(r) for r in rows]


@strawberry.type(name="Season")
class SeasonNode:
    id: strawberry.ID
    number: int
    name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    league_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: Season) -> SeasonNode:
        return cls(
            id=gid(row.id),
            number=row.number,
            name=row.name,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            league_id=row.league_id,
        )

    @strawberry.field
    async def league(self, info: Info) -> LeagueNode:
        return LeagueNode.of(await info.context.by_id(League).load(self.league_id))


@strawberry.type(name="SkillGroup")
class SkillGroupNode:
    id: strawberry.ID
    name: str
    code: str
    ordinal: int
    salary_cap: float | None

    @classmethod
    def of(cls, row: SkillGroup) -> SkillGroupNode:
        return cls(
            id=gid(row.id),
            name=row.name,
            code=row.code,
            ordinal=row.ordinal,
            salary_cap=row.salary_cap,
        )

    @classmethod
    async def load(cls, info: Info, skill_group_id: int | None) -> SkillGroupNode | None:
        """The skill group of a player, team, match, scrim or queue (none: none)."""
        if skill_group_id is None:
            return None
        row = await info.context.by_id(SkillGroup).load(skill_group_id)
        return cls.of(row) if row else None


@strawberry.type(name="Franchise")
class FranchiseNode:
    id: strawberry.ID
    name: str
    code: str

    @classmethod
    def of(cls, row: Franchise) -> FranchiseNode:
        return cls(id=gid(row.id), name=row.name, code=row.code)

    @strawberry.field
    async def teams(self, info: Info) -> list[TeamNode]:
        rows = await info.context.children(Team.franchise_id, Team.name).load(int(self.id))
        return [TeamNode.of(r) for r in rows]


@strawberry.type(name="Member")
class MemberNode:
    id: strawberry.ID
    name: str
    identities_public: bool = strawberry.field(
        description="The member shows their Discord identity and verified game accounts to "
        "everyone (default: only to themself and the organization's staff)."
    )
    joined_at: dt.datetime
    left_at: dt.datetime | None = strawberry.field(
        description="When the member left the organization (null: a current member)."
    )
    user_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: Member) -> MemberNode:
        return cls(
            id=gid(row.id),
            name=row.name,
            identities_public=row.identities_public,
            joined_at=row.joined_at,
            left_at=row.left_at,
            user_id=row.user_id,
            organization_id=row.organization_id,
        )

    async def _view(self, info: Info) -> IdentityView:
        return await identity_view(
            info,
            organization_id=self.organization_id,
            owner_user_id=self.user_id,
            public=self.identities_public,
        )

    @strawberry.field
    async def user(self, info: Info) -> UserNode:
        return UserNode.of(
            await info.context.by_id(User).load(self.user_id), await self._view(info)
        )

    @strawberry.field
    async def organization(self, info: Info) -> OrganizationNode:
        return OrganizationNode.of(
            await info.context.by_id(Organization).load(self.organization_id)
        )

    @strawberry.field(
        directives=[ListSize(assumed_size=5)],
        description="Linked game accounts; null when the member keeps them hidden from you. "
        "Everyone else sees only verified ones; the member and staff see pending links too.",
    )
    async def accounts(self, info: Info) -> list[PlatformAccountNode] | None:
        view = await self._view(info)
        rows = await info.context.children(PlatformAccount.member_id, PlatformAccount.id).load(
            int(self.id)
        )
        shown = visible_accounts(accounts=rows, view=view)
        return None if shown is None else [PlatformAccountNode.of(r) for r in shown]

    @strawberry.field(description="The member's rating in each game mode they were rated in.")
    async def ratings(self, info: Info) -> list[Annotated[RatingNode, strawberry.lazy(_RATINGS)]]:
        return await above(_RATINGS, "member_ratings")(info, member_id=int(self.id))


@strawberry.type(name="Player")
class PlayerNode:
    id: strawberry.ID
    salary: float | None
    member_id: strawberry.Private[int]
    league_id: strawberry.Private[int]
    skill_group_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: Player) -> PlayerNode:
        return cls(
            id=gid(row.id),
            salary=row.salary,
            member_id=row.member_id,
            league_id=row.league_id,
            skill_group_id=row.skill_group_id,
        )

    @strawberry.field
    async def member(self, info: Info) -> MemberNode:
        return MemberNode.of(await info.context.by_id(Member).load(self.member_id))

    @strawberry.field
    async def name(self, info: Info) -> str:
        return (await info.context.by_id(Member).load(self.member_id)).name

    @strawberry.field
    async def league(self, info: Info) -> LeagueNode:
        return LeagueNode.of(await info.context.by_id(League).load(self.league_id))

    @strawberry.field
    async def skill_group(self, info: Info) -> SkillGroupNode | None:
        return await SkillGroupNode.load(info, self.skill_group_id)

    @strawberry.field(description="Totals and per-game averages over every accepted game.")
    async def stats(self, info: Info) -> TotalsNode:
        totals = await info.context.batch(
            "player_totals", lambda s, ids: stats.player_totals(s, player_ids=ids)
        ).load(int(self.id))
        return TotalsNode.of(totals)

    @strawberry.field(description="The player's stat line of each accepted game, newest first.")
    async def game_lines(self, info: Info, first: int = 20) -> list[PlayerStatLineNode]:
        check_page_size(first)
        rows = await info.context.children(
            PlayerGameStat.player_id, PlayerGameStat.match_game_id.desc()
        ).load(int(self.id))
        return [PlayerStatLineNode.of(r) for r in rows[:first]]

    @strawberry.field(description="The member's rating in this league's game mode, if rated.")
    async def rating(self, info: Info) -> Annotated[RatingNode, strawberry.lazy(_RATINGS)] | None:
        return await above(_RATINGS, "player_rating")(
            info, member_id=self.member_id, league_id=self.league_id
        )

    @strawberry.field(description="The rating after each rated game, newest first.")
    async def rating_history(
        self, info: Info, first: int = 20
    ) -> list[Annotated[RatingPointNode, strawberry.lazy(_RATINGS)]]:
        return await above(_RATINGS, "player_history")(
            info, member_id=self.member_id, league_id=self.league_id, first=first
        )

    @strawberry.field(description="Won or lost, for the last `games` rated games, newest first.")
    async def recent_form(
        self, info: Info, games: int = 5
    ) -> list[Annotated[GameOutcome, strawberry.lazy(_RATINGS)]]:
        return await above(_RATINGS, "player_form")(
            info, member_id=self.member_id, league_id=self.league_id, games=games
        )


@strawberry.type(name="RosterEntry")
class RosterEntryNode:
    is_captain: bool
    joined_at: dt.datetime
    left_at: dt.datetime | None
    player_id: strawberry.Private[int]
    team_id: strawberry.Private[int]
    season_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: RosterSpot) -> RosterEntryNode:
        return cls(
            is_captain=row.is_captain,
            joined_at=row.joined_at,
            left_at=row.left_at,
            player_id=row.player_id,
            team_id=row.team_id,
            season_id=row.season_id,
        )

    @strawberry.field
    async def player(self, info: Info) -> PlayerNode:
        return PlayerNode.of(await info.context.by_id(Player).load(self.player_id))

    @strawberry.field
    async def team(self, info: Info) -> TeamNode:
        return TeamNode.of(await info.context.by_id(Team).load(self.team_id))

    @strawberry.field
    async def season(self, info: Info) -> SeasonNode:
        return SeasonNode.of(await info.context.by_id(Season).load(self.season_id))


@strawberry.type(name="Team")
class TeamNode:
    id: strawberry.ID
    name: str
    league_id: strawberry.Private[int]
    skill_group_id: strawberry.Private[int | None]
    franchise_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: Team) -> TeamNode:
        return cls(
            id=gid(row.id),
            name=row.name,
            league_id=row.league_id,
            skill_group_id=row.skill_group_id,
            franchise_id=row.franchise_id,
        )

    @strawberry.field
    async def league(self, info: Info) -> LeagueNode:
        return LeagueNode.of(await info.context.by_id(League).load(self.league_id))

    @strawberry.field
    async def skill_group(self, info: Info) -> SkillGroupNode | None:
        return await SkillGroupNode.load(info, self.skill_group_id)

    @strawberry.field
    async def franchise(self, info: Info) -> FranchiseNode | None:
        if self.franchise_id is None:
            return None
        return FranchiseNode.of(await info.context.by_id(Franchise).load(self.franchise_id))

    @strawberry.field(description="Totals and per-game averages over every accepted game.")
    async def stats(self, info: Info) -> TotalsNode:
        totals = await info.context.batch(
            "team_totals", lambda s, ids: stats.team_totals(s, team_ids=ids)
        ).load(int(self.id))
        return TotalsNode.of(totals)

    @strawberry.field(description="The team's row in its skill group's table of a season.")
    async def record(
        self, info: Info, season_id: strawberry.ID
    ) -> Annotated[StandingRowNode, strawberry.lazy(_SCHEDULE)] | None:
        return await above(_RATINGS, "team_record")(
            info, team_id=int(self.id), season_id=to_int(season_id)
        )

    @strawberry.field(description="The roster of a season as it stood at `at` (default: now).")
    async def roster(
        self, info: Info, season_id: strawberry.ID, at: dt.datetime | None = None
    ) -> list[RosterEntryNode]:
        moment = at or info.context.now
        season = to_int(season_id)

        async def fetch(session: Any, ids: Sequence[int]) -> dict[int, list[RosterSpot]]:
            return await rosters.rosters_at(session, team_ids=ids, season_id=season, at=moment)

        rows = await info.context.grouped(f"roster:{season}:{moment.isoformat()}", fetch).load(
            int(self.id)
        )
        return [RosterEntryNode.of(r) for r in rows]


@strawberry.type
class LeagueQuery:
    @strawberry.field
    async def organizations(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[OrganizationNode]:
        reading = info.context.runtime.reading
        async with reading() as session:
            page = await service.organizations(session, first=first, after=after)
        return connection(page, convert=OrganizationNode.of, reading=reading)

    @strawberry.field
    async def organization(
        self, info: Info, id: strawberry.ID | None = None, slug: str | None = None
    ) -> OrganizationNode | None:
        organization_id = None if id is None else to_int(id)
        async with info.context.runtime.reading() as session:
            row = await service.find_organization(
                session, organization_id=organization_id, slug=slug
            )
        return OrganizationNode.of(row) if row else None

    @strawberry.field
    async def league(self, info: Info, id: strawberry.ID) -> LeagueNode | None:
        row = await info.context.by_id(League).load(to_int(id))
        return LeagueNode.of(row) if row else None

    @strawberry.field
    async def season(self, info: Info, id: strawberry.ID) -> SeasonNode | None:
        row = await info.context.by_id(Season).load(to_int(id))
        return SeasonNode.of(row) if row else None

    @strawberry.field
    async def team(self, info: Info, id: strawberry.ID) -> TeamNode | None:
        row = await info.context.by_id(Team).load(to_int(id))
        return TeamNode.of(row) if row else None

    @strawberry.field
    async def player(self, info: Info, id: strawberry.ID) -> PlayerNode | None:
        row = await info.context.by_id(Player).load(to_int(id))
        return PlayerNode.of(row) if row else None

    @strawberry.field
    async def teams(
        self,
        info: Info,
        league_id: strawberry.ID,
        skill_group_id: strawberry.ID | None = None,
        franchise_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[TeamNode]:
        reading = info.context.runtime.reading
        async with reading() as session:
            page = await service.teams(
                session,
                league_id=to_int(league_id),
                skill_group_id=maybe_int(skill_group_id),
                franchise_id=maybe_int(franchise_id),
                first=first,
                after=after,
            )
        return connection(page, convert=TeamNode.of, reading=reading)

    @strawberry.field
    async def players(
        self,
        info: Info,
        league_id: strawberry.ID,
        skill_group_id: strawberry.ID | None = None,
        name_contains: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[PlayerNode]:
        reading = info.context.runtime.reading
        async with reading() as session:
            page = await members.search_players(
                session,
                league_id=to_int(league_id),
                skill_group_id=maybe_int(skill_group_id),
                name_contains=name_contains,
                first=first,
                after=after,
            )
        return connection(page, convert=PlayerNode.of, reading=reading)


@strawberry.type
class LeagueMutation:
    @strawberry.mutation(description="Platform admins open an organization and administer it.")
    async def create_organization(
        self, info: Info, slug: str, name: str, time_zone: str = "UTC"
    ) -> OrganizationNode:
        row = await info.context.mutate(
            service.create_organization, slug=slug, name=name, time_zone=time_zone
        )
        return OrganizationNode.of(row)

    @strawberry.mutation(
        description="Set the IANA time zone (e.g. Europe/London) the organization reads dates in."
    )
    async def set_organization_time_zone(
        self, info: Info, organization_id: strawberry.ID, time_zone: str
    ) -> OrganizationNode:
        row = await info.context.mutate(
            service.set_organization_time_zone,
            organization_id=RawId(organization_id),
            time_zone=time_zone,
        )
        return OrganizationNode.of(row)

    @strawberry.mutation
    async def set_organization_setting(
        self, info: Info, organization_id: strawberry.ID, key: str, value: JSON
    ) -> OrganizationNode:
        await info.context.mutate(
            service.set_organization_setting,
            organization_id=RawId(organization_id),
            key=key,
            value=value,
        )
        row = await info.context.by_id(Organization).load(to_int(organization_id))
        return OrganizationNode.of(row)

    @strawberry.mutation
    async def create_league(
        self,
        info: Info,
        organization_id: strawberry.ID,
        name: str,
        game_mode: str,
        roster_min: int | None = None,
        roster_max: int | None = None,
        match_format: str = "bo5",
    ) -> LeagueNode:
        row = await info.context.mutate(
            service.create_league,
            organization_id=RawId(organization_id),
            name=name,
            game_mode=game_mode,
            roster_min=roster_min,
            roster_max=roster_max,
            match_format=match_format,
        )
        return LeagueNode.of(row)

    @strawberry.mutation
    async def create_season(
        self,
        info: Info,
        league_id: strawberry.ID,
        number: int,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        name: str | None = None,
    ) -> SeasonNode:
        row = await info.context.mutate(
            service.create_season,
            league_id=RawId(league_id),
            number=number,
            starts_at=starts_at,
            ends_at=ends_at,
            name=name,
        )
        return SeasonNode.of(row)

    @strawberry.mutation
    async def create_skill_group(
        self,
        info: Info,
        league_id: strawberry.ID,
        name: str,
        code: str,
        ordinal: int,
        salary_cap: float | None = None,
    ) -> SkillGroupNode:
        row = await info.context.mutate(
            service.create_skill_group,
            league_id=RawId(league_id),
            name=name,
            code=code,
            ordinal=ordinal,
            salary_cap=salary_cap,
        )
        return SkillGroupNode.of(row)

    @strawberry.mutation
    async def create_franchise(
        self, info: Info, organization_id: strawberry.ID, name: str, code: str
    ) -> FranchiseNode:
        row = await info.context.mutate(
            service.create_franchise, organization_id=RawId(organization_id), name=name, code=code
        )
        return FranchiseNode.of(row)

    @strawberry.mutation
    async def create_team(
        self,
        info: Info,
        league_id: strawberry.ID,
        name: str,
        skill_group_id: strawberry.ID | None = None,
        franchise_id: strawberry.ID | None = None,
    ) -> TeamNode:
        row = await info.context.mutate(
            service.create_team,
            league_id=RawId(league_id),
            name=name,
            skill_group_id=RawId.maybe(skill_group_id),
            franchise_id=RawId.maybe(franchise_id),
        )
        return TeamNode.of(row)

    @strawberry.mutation(
        description="Add the user named by `userId` or `discordId` (one of them): yourself, or "
        "(staff) anyone. A member who left becomes current again."
    )
    async def add_member(
        self,
        info: Info,
        organization_id: strawberry.ID,
        user_id: strawberry.ID | None = None,
        discord_id: str | None = None,
        name: str | None = None,
    ) -> MemberNode:
        row = await info.context.mutate(
            members.add_member,
            organization_id=RawId(organization_id),
            user_id=RawId.maybe(user_id),
            discord_id=discord_id,
            name=name,
        )
        return MemberNode.of(row)

    @strawberry.mutation(
        description="Show (public: true) or hide your Discord identity and verified game "
        "accounts to everyone in this organization; staff always see them."
    )
    async def set_identities_public(
        self, info: Info, organization_id: strawberry.ID, public: bool
    ) -> MemberNode:
        row = await info.context.mutate(
            members.set_identities_public, organization_id=RawId(organization_id), public=public
        )
        return MemberNode.of(row)

    @strawberry.mutation(
        description="Staff remove a member: marked left, their open roster spots ended; their "
        "past rosters, games and stats stay."
    )
    async def remove_member(
        self, info: Info, organization_id: strawberry.ID, member_id: strawberry.ID
    ) -> MemberNode:
        row = await info.context.mutate(
            members.remove_member,
            organization_id=RawId(organization_id),
            member_id=RawId(member_id),
        )
        return MemberNode.of(row)

    @strawberry.mutation
    async def register_player(
        self,
        info: Info,
        member_id: strawberry.ID,
        league_id: strawberry.ID,
        skill_group_id: strawberry.ID | None = None,
        salary: float | None = None,
    ) -> PlayerNode:
        row = await info.context.mutate(
            members.register_player,
            member_id=RawId(member_id),
            league_id=RawId(league_id),
            skill_group_id=RawId.maybe(skill_group_id),
            salary=salary,
        )
        return PlayerNode.of(row)

    @strawberry.mutation(
        description="League staff move a player to another skill group of their league, "
        "saying why (kept in the audit log); the player and the transactions channel are told."
    )
    async def move_player(
        self, info: Info, player_id: strawberry.ID, skill_group_id: strawberry.ID, reason: str
    ) -> PlayerNode:
        change = await info.context.mutate(
            members.move_player,
            player_id=RawId(player_id),
            skill_group_id=RawId(skill_group_id),
            reason=reason,
        )
        return PlayerNode.of(change.player)

    @strawberry.mutation(
        description="Sign a player; staff may date the signing in the past (`at`, within the "
        "season), which the audit log records."
    )
    async def add_to_roster(
        self,
        info: Info,
        team_id: strawberry.ID,
        player_id: strawberry.ID,
        season_id: strawberry.ID,
        captain: bool = False,
        at: dt.datetime | None = None,
    ) -> RosterEntryNode:
        row = await info.context.mutate(
            rosters.add_to_roster,
            team_id=RawId(team_id),
            player_id=RawId(player_id),
            season_id=RawId(season_id),
            captain=captain,
            at=at,
        )
        return RosterEntryNode.of(row)

    @strawberry.mutation(
        description="Release a player (the spot is kept, ended); staff may date the departure "
        "in the past (`at`, within the season), which the audit log records."
    )
    async def remove_from_roster(
        self,
        info: Info,
        team_id: strawberry.ID,
        player_id: strawberry.ID,
        season_id: strawberry.ID,
        at: dt.datetime | None = None,
    ) -> RosterEntryNode:
        row = await info.context.mutate(
            rosters.remove_from_roster,
            team_id=RawId(team_id),
            player_id=RawId(player_id),
            season_id=RawId(season_id),
            at=at,
        )
        return RosterEntryNode.of(row)

    @strawberry.mutation
    async def set_captain(
        self, info: Info, team_id: strawberry.ID, player_id: strawberry.ID, season_id: strawberry.ID
    ) -> RosterEntryNode:
        row = await info.context.mutate(
            rosters.set_captain,
            team_id=RawId(team_id),
            player_id=RawId(player_id),
            season_id=RawId(season_id),
        )
        return RosterEntryNode.of(row)
