"""GraphQL types and operations of identity: users, tokens, roles, platform accounts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.api.context import Context
from sprocket.api.ids import RawId, gid, to_int
from sprocket.api.lazy import above
from sprocket.identity import service
from sprocket.identity.models import ApiToken, User
from sprocket.league import access, accounts, members, roles
from sprocket.league.access import IdentityView
from sprocket.league.enums import AccountProof, AccountStatus, Role
from sprocket.league.models import Franchise, League, Organization, PlatformAccount, RoleGrant

if TYPE_CHECKING:
    from sprocket.api.league import (
        FranchiseNode,
        LeagueNode,
        MemberNode,
        OrganizationNode,
        PlayerNode,
        RosterEntryNode,
    )

Info = strawberry.Info[Context, None]
RoleEnum = strawberry.enum(Role, name="Role")
AccountStatusEnum = strawberry.enum(AccountStatus, name="AccountStatus")
AccountProofEnum = strawberry.enum(AccountProof, name="AccountProof")
# The league's types (lazily: that module imports this one).
_LEAGUE = "sprocket.api.league"


async def identity_view(
    info: Info, *, organization_id: int, owner_user_id: int, public: bool
) -> IdentityView:
    """What the caller sees of a member's identity (the rule:
    :func:`sprocket.league.access.identity_view`); whether the caller is staff is asked once
    per request for all the organizations a list shows."""
    actor = await info.context.actor()
    staff = False
    if actor.user_id is not None:

        async def fetch(session: AsyncSession, ids: list[int]) -> dict[int, bool]:
            return dict.fromkeys(await access.staff_organizations(session, actor, ids), True)

        staff = bool(await info.context.batch("staff_organizations", fetch).load(organization_id))
    return access.identity_view(actor, owner_user_id=owner_user_id, public=public, staff=staff)


@strawberry.type(name="User")
class UserNode:
    id: strawberry.ID
    display_name: str
    discord_id: str | None = strawberry.field(
        description="Shown to the user themself, staff, and everyone if they chose so."
    )
    discord_name: str | None = strawberry.field(
        description="Shown to the user themself, staff, and everyone if they chose so."
    )
    time_zone: str | None = strawberry.field(
        description="The IANA time zone the user reads the web pages in (null: each "
        "organization's own); shown to the user themself, staff and platform admins."
    )

    @classmethod
    def of(cls, row: User, view: IdentityView) -> UserNode:
        shown = view is not IdentityView.NONE
        return cls(
            id=gid(row.id),
            display_name=row.display_name,
            discord_id=row.discord_id if shown else None,
            discord_name=row.discord_name if shown else None,
            time_zone=row.time_zone if view is IdentityView.FULL else None,
        )


@strawberry.type(name="PlatformAccount")
class PlatformAccountNode:
    id: strawberry.ID
    platform: str
    account_id: str
    display_name: str | None
    status: AccountStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="PENDING links count for nothing until a proof verifies them."
    )
    proof: AccountProofEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="What verified it: STAFF, CLAIM, SIGN_IN or LEGACY (linked before proofs)."
    )

    @classmethod
    def of(cls, row: PlatformAccount) -> PlatformAccountNode:
        return cls(
            id=gid(row.id),
            platform=row.platform,
            account_id=row.account_id,
            display_name=row.display_name,
            status=row.status,
            proof=row.proof,
        )


@strawberry.type(name="ApiToken")
class ApiTokenNode:
    id: strawberry.ID
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> ApiTokenNode:
        return cls(
            id=gid(row.id),
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type
class NewApiToken:
    token: ApiTokenNode
    secret: str = strawberry.field(description="Shown once; store it now.")


@strawberry.type(name="RoleGrant")
class RoleGrantNode:
    id: strawberry.ID
    user_id: strawberry.ID
    organization_id: strawberry.ID
    role: RoleEnum  # type: ignore[valid-type]
    league_id: strawberry.ID | None
    franchise_id: strawberry.ID | None

    @classmethod
    def of(cls, row: RoleGrant) -> RoleGrantNode:
        return cls(
            id=gid(row.id),
            user_id=gid(row.user_id),
            organization_id=gid(row.organization_id),
            role=row.role,
            league_id=gid(row.league_id) if row.league_id else None,
            franchise_id=gid(row.franchise_id) if row.franchise_id else None,
        )

    @strawberry.field(description="The organization the role is held in.")
    async def organization(
        self, info: Info
    ) -> Annotated[OrganizationNode, strawberry.lazy(_LEAGUE)]:
        row = await info.context.by_id(Organization).load(to_int(self.organization_id))
        return above(_LEAGUE, "OrganizationNode").of(row)

    @strawberry.field(description="The league a league staff role is limited to (null: all).")
    async def league(self, info: Info) -> Annotated[LeagueNode, strawberry.lazy(_LEAGUE)] | None:
        if self.league_id is None:
            return None
        return above(_LEAGUE, "LeagueNode").of(
            await info.context.by_id(League).load(to_int(self.league_id))
        )

    @strawberry.field(description="The franchise a franchise manager manages.")
    async def franchise(
        self, info: Info
    ) -> Annotated[FranchiseNode, strawberry.lazy(_LEAGUE)] | None:
        if self.franchise_id is None:
            return None
        return above(_LEAGUE, "FranchiseNode").of(
            await info.context.by_id(Franchise).load(to_int(self.franchise_id))
        )


@strawberry.type
class Viewer:
    """The signed-in user and what they are: roles, memberships, players and teams."""

    user: UserNode
    is_platform_admin: bool = strawberry.field(
        description="A platform administrator, who may do anything anywhere."
    )

    @strawberry.field
    async def tokens(self, info: Info) -> list[ApiTokenNode]:
        async with info.context.runtime.reading() as session:
            rows = await service.list_tokens(session, actor=await info.context.actor())
        return [ApiTokenNode.of(r) for r in rows]

    @strawberry.field(description="Granted roles, each with its scope.")
    async def roles(self, info: Info) -> list[RoleGrantNode]:
        async with info.context.runtime.reading() as session:
            rows = await roles.role_grants_of(session, actor=await info.context.actor())
        return [RoleGrantNode.of(r) for r in rows]

    @strawberry.field(description="Memberships of organizations, current and left.")
    async def memberships(
        self, info: Info
    ) -> list[Annotated[MemberNode, strawberry.lazy(_LEAGUE)]]:
        async with info.context.runtime.reading() as session:
            rows = await members.memberships_of(session, user_id=to_int(self.user.id))
        return [above(_LEAGUE, "MemberNode").of(r) for r in rows]

    @strawberry.field(description="Players: one per league played in.")
    async def players(self, info: Info) -> list[Annotated[PlayerNode, strawberry.lazy(_LEAGUE)]]:
        async with info.context.runtime.reading() as session:
            rows = await members.players_of(session, user_id=to_int(self.user.id))
        return [above(_LEAGUE, "PlayerNode").of(r) for r in rows]

    @strawberry.field(
        description="The teams played for now: the roster spots that run now (a captain's says so)."
    )
    async def teams(self, info: Info) -> list[Annotated[RosterEntryNode, strawberry.lazy(_LEAGUE)]]:
        async with info.context.runtime.reading() as session:
            rows = await members.teams_of(
                session, user_id=to_int(self.user.id), at=info.context.now
            )
        return [above(_LEAGUE, "RosterEntryNode").of(r) for r in rows]


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The signed-in user, or null for a spectator.")
    async def me(self, info: Info) -> Viewer | None:
        actor = await info.context.actor()
        if actor.user_id is None:
            return None
        user = await info.context.by_id(User).load(actor.user_id)
        if user is None:
            return None
        return Viewer(
            user=UserNode.of(user, IdentityView.FULL), is_platform_admin=user.is_superuser
        )


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description="Choose the name people see (1 to 32 characters, no control characters)."
    )
    async def set_display_name(self, info: Info, name: str) -> UserNode:
        row = await info.context.mutate(service.set_display_name, name=name)
        return UserNode.of(row, IdentityView.FULL)

    @strawberry.mutation(
        description="Choose the time zone you read the web pages in: an IANA name such as "
        "Europe/London; null or empty for each organization's own."
    )
    async def set_time_zone(self, info: Info, zone: str | None = None) -> UserNode:
        row = await info.context.mutate(service.set_time_zone, zone=zone)
        return UserNode.of(row, IdentityView.FULL)

    @strawberry.mutation(
        description="Create a personal API token for yourself, living `days` days (default: "
        "the setting token_days; at most token_max_days). Revoking the token you sign in "
        "with revokes this one too."
    )
    async def create_api_token(self, info: Info, name: str, days: int | None = None) -> NewApiToken:
        settings = info.context.runtime.settings
        row, secret = await info.context.mutate(
            service.issue_token,
            name=name,
            days=settings.token_days if days is None else days,
            max_days=settings.token_max_days,
        )
        return NewApiToken(token=ApiTokenNode.of(row), secret=secret)

    @strawberry.mutation(description="Revoke a token and every token created with it.")
    async def revoke_api_token(self, info: Info, token_id: strawberry.ID) -> ApiTokenNode:
        row = await info.context.mutate(service.revoke_token, token_id=RawId(token_id))
        return ApiTokenNode.of(row)

    @strawberry.mutation
    async def grant_role(
        self,
        info: Info,
        organization_id: strawberry.ID,
        user_id: strawberry.ID,
        role: RoleEnum,  # type: ignore[valid-type]
        league_id: strawberry.ID | None = None,
        franchise_id: strawberry.ID | None = None,
    ) -> RoleGrantNode:
        row = await info.context.mutate(
            roles.grant_role,
            organization_id=RawId(organization_id),
            user_id=RawId(user_id),
            role=Role(role),
            league_id=RawId(league_id) if league_id else None,
            franchise_id=RawId(franchise_id) if franchise_id else None,
        )
        return RoleGrantNode.of(row)

    @strawberry.mutation
    async def revoke_role(self, info: Info, grant_id: strawberry.ID) -> bool:
        await info.context.mutate(roles.revoke_role, grant_id=RawId(grant_id))
        return True

    @strawberry.mutation(
        description="Staff link a member's game account (verified at once, audited); a member "
        "linking their own makes a PENDING link, which counts once a proof verifies it."
    )
    async def link_platform_account(
        self,
        info: Info,
        member_id: strawberry.ID,
        platform: str,
        account_id: str,
        display_name: str | None = None,
    ) -> PlatformAccountNode:
        row = await info.context.mutate(
            accounts.link_platform_account,
            member_id=RawId(member_id),
            platform=platform,
            account_id=account_id,
            display_name=display_name,
        )
        return PlatformAccountNode.of(row)

    @strawberry.mutation
    async def unlink_platform_account(self, info: Info, account_id: strawberry.ID) -> bool:
        await info.context.mutate(accounts.unlink_platform_account, account_id=RawId(account_id))
        return True
