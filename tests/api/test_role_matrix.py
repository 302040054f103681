"""Every mutation of the schema, tried as every role of the World.

``MATRIX`` is the expected table, written out from the rules of
``sprocket/league/access.py`` and the services:

- the platform administrator (superuser) may do anything; only they open organizations;
- an organization admin may do everything league staff may do, in their organization;
- league staff (of the World's league) run that league: seasons, skill groups, teams,
  players, rosters, match weeks, schedules, results;
- a franchise manager may change the rosters of the teams of their franchise, nothing else;
- captains, players and outsiders may only serve themselves: their own API tokens, joining
  an organization, and the platform accounts of their own member;
- the spectator (no token) may do nothing and is told to sign in;
- replay submissions (``sprocket/replays/service.py``): players of either team, the franchise
  manager of either team and league staff submit a match's replays; the players of the other
  side than the submitter's ratify; players of either team and staff reject; staff force-accept,
  reset and invalidate; members of the organization claim an account the report lists as
  unknown, and staff or a player of the other team than the claimant's confirm the claim.
  Ratifying and claiming are a player's own acts: the platform administrator, no player or
  member of the World's league, may not do them (staff force-accept instead), the one
  exception to "the platform admin may do anything" (``PERSONAL_ACTS``).

A role outside the allowed set gets ``PERMISSION_DENIED`` (the spectator ``UNAUTHENTICATED``)
and the attempt changes nothing. Every attempt gets fresh inputs, so an allowed call never
collides with an earlier one and a "changed nothing" check means what it says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import graphql
import pytest
from sqlalchemy import select

from sprocket.api.schema import schema_sdl
from sprocket.db import utcnow
from sprocket.flows import scrim_results
from sprocket.identity.access import Actor
from sprocket.identity.models import ApiToken, User
from sprocket.league.configuration import KEYS
from sprocket.league.models import (
    Franchise,
    League,
    Member,
    Organization,
    OrganizationSetting,
    PlatformAccount,
    Player,
    RoleGrant,
    RosterSpot,
    Season,
    SkillGroup,
    Team,
)
from sprocket.replays import service as replays
from sprocket.replays.models import AccountClaim, Ratification, Submission
from sprocket.replays.service import Upload
from sprocket.schedule.models import Match, MatchGame, MatchWeek
from sprocket.scrims import bans as queue_bans
from sprocket.scrims import lifecycle, matchmaking
from sprocket.scrims import service as scrims
from sprocket.scrims import staff as scrim_staff
from sprocket.scrims.models import QueueBan, QueueTicket, Scrim, ScrimEntry, ScrimGroup
from tests.api.support import SEASON_START, Fresh, fixture_csv, iso, steam_id
from tests.api.test_replay_api import (
    SUBMIT,
    drain,
    linked_lineup,
    new_match,
    post_multipart,
    submit,
    team_users,
    with_unknown_account,
)
from tests.helpers.replay_writer import PlayerSpec, build_replay
from tests.league_world import ROLES
from tests.replays.series import Lineup, sweep

SIGNED_IN = frozenset(ROLES) - {"spectator"}
SUPERUSER = frozenset({"superuser"})
ADMINS = SUPERUSER | {"organization_admin"}
STAFF = ADMINS | {"league_staff"}
TEAM_MANAGERS = STAFF | {"franchise_manager"}

# mutation -> scenario -> the roles allowed to do it.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "createApiToken": {"for yourself": SIGNED_IN},
    "setDisplayName": {"your own": SIGNED_IN},
    "setTimeZone": {"your own": SIGNED_IN},
    "revokeApiToken": {
        "your own token": SIGNED_IN,
        "another user's token": SUPERUSER,
    },
    "grantRole": {"league staff, to another user": ADMINS},
    "revokeRole": {"another user's grant": ADMINS},
    "linkPlatformAccount": {
        "to the player's member": STAFF | {"player"},
        "to the captain's member": STAFF | {"team_captain"},
    },
    "unlinkPlatformAccount": {
        "from the player's member": STAFF | {"player"},
        "from the captain's member": STAFF | {"team_captain"},
    },
    # A member decides alone whether everyone sees their Discord id and game accounts.
    "setIdentitiesPublic": {"the caller's own member": frozenset({"team_captain", "player"})},
    "createOrganization": {"a new organization": SUPERUSER},
    "setOrganizationSetting": {"of the World's organization": ADMINS},
    "setOrganizationTimeZone": {"of the World's organization": ADMINS},
    "createLeague": {"in the World's organization": ADMINS},
    "createSeason": {"in the World's league": STAFF},
    "createSkillGroup": {"in the World's league": STAFF},
    "createFranchise": {"in the World's organization": ADMINS},
    "createTeam": {"in the World's league": STAFF},
    "addMember": {
        # Nobody is enrolled unnamed: a user joins by naming themself.
        "yourself": SIGNED_IN,
        # Staff of any league may add people (they register the league's players).
        "another user": STAFF,
        "another user, by Discord id": STAFF,
    },
    "removeMember": {"a member of the World's organization": STAFF},
    "registerPlayer": {"a member, in the World's league": STAFF},
    "movePlayer": {"a player of the World's league, to its other skill group": STAFF},
    "addToRoster": {
        "a team of the franchise": TEAM_MANAGERS,
        "a team outside the franchise": STAFF,
        # Dating a roster change in the past is league staff's (and audited).
        "a team of the franchise, dated in the past": STAFF,
    },
    "removeFromRoster": {
        "a team of the franchise": TEAM_MANAGERS,
        "a team of the franchise, dated in the past": STAFF,
    },
    "setCaptain": {"a team of the franchise": TEAM_MANAGERS},
    "createMatchWeeks": {"in the World's season": STAFF},
    "generateSchedule": {"a fresh season": STAFF},
    "importSchedule": {
        "a fresh season": STAFF,
        "a team twice in a week, allowed": STAFF,
    },
    "rescheduleMatch": {"a scheduled match": STAFF},
    "recordForfeit": {"a scheduled match": STAFF},
    "recordResult": {"a scheduled match": STAFF},
    "submitReplays": {
        "a match of the franchise's team": TEAM_MANAGERS | {"team_captain", "player"},
        "a match of two other teams": STAFF,
    },
    "ratifySubmission": {
        "the other side's submission": frozenset({"team_captain", "player"}),
        "their own side's submission": frozenset(),
        "another player's scrim result": frozenset({"team_captain", "player"}),
    },
    "rejectSubmission": {"an awaiting submission": STAFF | {"team_captain", "player"}},
    "forceAcceptSubmission": {"an awaiting submission": STAFF},
    "resetSubmission": {"an awaiting submission": STAFF},
    "invalidateSubmission": {"an accepted result": STAFF},
    "claimAccount": {
        "an account the report lists as unknown": frozenset({"team_captain", "player"})
    },
    "confirmAccountClaim": {
        "a claim by a player of the other team": STAFF | {"team_captain", "player"},
        "a claim by the player": STAFF,
    },
    # Scrims (``sprocket/scrims/lifecycle.py``, ``staff.py``, ``bans.py``): members of the
    # organization queue for themselves (the captain and the player are the World's members
    # with a token); staff of any league lock, unlock and cancel scrims and lift queue bans.
    "createScrim": {"a casual scrim": frozenset({"team_captain", "player"})},
    "joinScrim": {"a pending casual scrim": frozenset({"team_captain", "player"})},
    "leaveScrim": {"the caller's seat": frozenset({"team_captain", "player"})},
    "createScrimGroup": {"in the caller's scrim": frozenset({"team_captain", "player"})},
    "checkIn": {"a popped scrim of the caller": frozenset({"team_captain", "player"})},
    # Staff may upload a scrim's replays for its players (for no side), as for league matches.
    "submitScrimReplays": {"the caller's scrim in progress": STAFF | {"team_captain", "player"}},
    "lockScrim": {"a pending scrim": STAFF},
    "unlockScrim": {"a locked scrim": STAFF},
    "cancelScrim": {"a pending scrim": STAFF},
    "liftQueueBan": {"a ban in force": STAFF},
    # The matchmaking queue (``sprocket/scrims/matchmaking.py``): members enter and leave it
    # for themselves, like a scrim.
    "enterScrimQueue": {"a casual queue": frozenset({"team_captain", "player"})},
    "leaveScrimQueue": {"the caller's ticket": frozenset({"team_captain", "player"})},
}

# Acts only a player (or member) does for themselves: not even the platform admin may.
PERSONAL_ACTS = frozenset(
    {
        ("ratifySubmission", "the other side's submission"),
        ("ratifySubmission", "their own side's submission"),
        ("claimAccount", "an account the report lists as unknown"),
        ("setIdentitiesPublic", "the caller's own member"),
        ("createScrim", "a casual scrim"),
        ("joinScrim", "a pending casual scrim"),
        ("leaveScrim", "the caller's seat"),
        ("createScrimGroup", "in the caller's scrim"),
        ("checkIn", "a popped scrim of the caller"),
        ("enterScrimQueue", "a casual queue"),
        ("leaveScrimQueue", "the caller's ticket"),
        ("ratifySubmission", "another player's scrim result"),
    }
)

# Where a denied, signed-in caller is told something other than PERMISSION_DENIED: by
# (mutation, scenario), or by (mutation, scenario, role) for one role.
DENIED_CODE: dict[tuple[str, ...], str] = {
    # Another user's token is reported as not found: its id is not even confirmed to exist.
    ("revokeApiToken", "another user's token"): "NOT_FOUND",
    # The submitting side is told why it may not ratify.
    ("ratifySubmission", "their own side's submission", "team_captain"): "SUBMITTING_SIDE",
    ("ratifySubmission", "their own side's submission", "player"): "SUBMITTING_SIDE",
}


def denied_code(mutation: str, name: str, role: str) -> str:
    return DENIED_CODE.get(
        (mutation, name, role), DENIED_CODE.get((mutation, name), "PERMISSION_DENIED")
    )


@dataclass
class Attempt:
    document: str
    variables: dict[str, Any]
    probe: Callable[[], Awaitable[Any]]  # the state this mutation would change
    uploads: Sequence[Upload] = ()  # sent as the ``files`` variable of a multipart request


Prepare = Callable[[Fresh, str], Awaitable[Attempt]]
SCENARIOS: dict[tuple[str, str], Prepare] = {}


def scenario(mutation: str, name: str) -> Callable[[Prepare], Prepare]:
    def register(prepare: Prepare) -> Prepare:
        SCENARIOS[(mutation, name)] = prepare
        return prepare

    return register


# -- the coverage check -------------------------------------------------------------------------


def mutation_fields(schema: graphql.GraphQLSchema) -> set[str]:
    assert schema.mutation_type is not None
    return set(schema.mutation_type.fields)


def uncovered(schema: graphql.GraphQLSchema) -> set[str]:
    return mutation_fields(schema) - set(MATRIX)


def assert_matrix_covers(schema: graphql.GraphQLSchema) -> None:
    missing = uncovered(schema)
    assert not missing, (
        f"Mutations missing from the role matrix: {', '.join(sorted(missing))}. "
        "Add each to MATRIX (with the roles allowed) and give it a scenario."
    )


def current_schema() -> graphql.GraphQLSchema:
    return graphql.build_schema(schema_sdl())


# -- scenarios: identity ------------------------------------------------------------------------


def _own_user(fresh: Fresh, role: str) -> Awaitable[int] | int:
    return fresh.world.user_ids[role] if role != "spectator" else fresh.user()


async def _user_of(fresh: Fresh, role: str) -> int:
    owner = _own_user(fresh, role)
    return owner if isinstance(owner, int) else await owner


def _token_revoked(fresh: Fresh, token_id: int) -> Callable[[], Awaitable[Any]]:
    async def probe() -> Any:
        return (await fresh.get(ApiToken, token_id)).revoked_at is not None

    return probe


@scenario("createApiToken", "for yourself")
async def _create_api_token(fresh: Fresh, role: str) -> Attempt:
    return Attempt(
        "mutation($n: String!) { createApiToken(name: $n, days: 7) { secret token { id } } }",
        {"n": f"laptop {fresh.n()}"},
        lambda: fresh.count(ApiToken),
    )


@scenario("setDisplayName", "your own")
async def _set_display_name(fresh: Fresh, role: str) -> Attempt:
    user_id = await _user_of(fresh, role)
    return Attempt(
        "mutation($n: String!) { setDisplayName(name: $n) { displayName } }",
        {"n": f"Renamed {fresh.n()}"},
        lambda: fresh.scalar(select(User.display_name).where(User.id == user_id)),
    )


@scenario("setTimeZone", "your own")
async def _set_time_zone(fresh: Fresh, role: str) -> Attempt:
    user_id = await _user_of(fresh, role)
    return Attempt(
        "mutation($z: String) { setTimeZone(zone: $z) { timeZone } }",
        {"z": "Pacific/Auckland"},
        lambda: fresh.scalar(select(User.time_zone).where(User.id == user_id)),
    )


@scenario("revokeApiToken", "your own token")
async def _revoke_own_token(fresh: Fresh, role: str) -> Attempt:
    token_id, _ = await fresh.token(await _user_of(fresh, role))
    return Attempt(
        "mutation($t: ID!) { revokeApiToken(tokenId: $t) { id revokedAt } }",
        {"t": str(token_id)},
        _token_revoked(fresh, token_id),
    )


@scenario("revokeApiToken", "another user's token")
async def _revoke_other_token(fresh: Fresh, role: str) -> Attempt:
    token_id, _ = await fresh.token(await fresh.user())
    return Attempt(
        "mutation($t: ID!) { revokeApiToken(tokenId: $t) { id revokedAt } }",
        {"t": str(token_id)},
        _token_revoked(fresh, token_id),
    )


@scenario("grantRole", "league staff, to another user")
async def _grant_role(fresh: Fresh, role: str) -> Attempt:
    user_id = await fresh.user()
    return Attempt(
        "mutation($o: ID!, $u: ID!, $l: ID) {"
        " grantRole(organizationId: $o, userId: $u, role: LEAGUE_STAFF, leagueId: $l) { id } }",
        {
            "o": str(fresh.world.organization_id),
            "u": str(user_id),
            "l": str(fresh.world.league_id),
        },
        lambda: fresh.count(RoleGrant, RoleGrant.user_id == user_id),
    )


@scenario("revokeRole", "another user's grant")
async def _revoke_role(fresh: Fresh, role: str) -> Attempt:
    grant_id = await fresh.grant(await fresh.user())
    return Attempt(
        "mutation($g: ID!) { revokeRole(grantId: $g) }",
        {"g": str(grant_id)},
        lambda: fresh.count(RoleGrant, RoleGrant.id == grant_id),
    )


def _link(owner: str) -> Prepare:
    async def prepare(fresh: Fresh, role: str) -> Attempt:
        member_id = fresh.world.member_ids[owner]
        return Attempt(
            "mutation($m: ID!, $a: String!) {"
            ' linkPlatformAccount(memberId: $m, platform: "steam", accountId: $a) { id } }',
            {"m": str(member_id), "a": steam_id(fresh.n())},
            lambda: fresh.count(PlatformAccount, PlatformAccount.member_id == member_id),
        )

    return prepare


def _unlink(owner: str) -> Prepare:
    async def prepare(fresh: Fresh, role: str) -> Attempt:
        account_id = await fresh.account(fresh.world.member_ids[owner])
        return Attempt(
            "mutation($a: ID!) { unlinkPlatformAccount(accountId: $a) }",
            {"a": str(account_id)},
            lambda: fresh.count(PlatformAccount, PlatformAccount.id == account_id),
        )

    return prepare


scenario("linkPlatformAccount", "to the player's member")(_link("player"))
scenario("linkPlatformAccount", "to the captain's member")(_link("team_captain"))
scenario("unlinkPlatformAccount", "from the player's member")(_unlink("player"))
scenario("unlinkPlatformAccount", "from the captain's member")(_unlink("team_captain"))


@scenario("setIdentitiesPublic", "the caller's own member")
async def _set_identities_public(fresh: Fresh, role: str) -> Attempt:
    org_id = fresh.world.organization_id

    async def probe() -> Any:
        async with fresh.platform.reading() as s:
            rows = await s.execute(
                select(Member.id, Member.identities_public)
                .where(Member.organization_id == org_id)
                .order_by(Member.id)
            )
            return [tuple(row) for row in rows]

    mine = dict(await probe()).get(fresh.world.member_ids.get(role, -1), False)
    return Attempt(
        "mutation($o: ID!, $p: Boolean!) {"
        " setIdentitiesPublic(organizationId: $o, public: $p) { id identitiesPublic } }",
        {"o": str(org_id), "p": not mine},
        probe,
    )


# -- scenarios: league --------------------------------------------------------------------------


@scenario("createOrganization", "a new organization")
async def _create_organization(fresh: Fresh, role: str) -> Attempt:
    n = fresh.n()
    return Attempt(
        "mutation($s: String!, $n: String!) { createOrganization(slug: $s, name: $n) { id } }",
        {"s": f"new-org-{n}", "n": f"New Org {n}"},
        lambda: fresh.count(Organization),
    )


@scenario("setOrganizationSetting", "of the World's organization")
async def _set_setting(fresh: Fresh, role: str) -> Attempt:
    org_id = fresh.world.organization_id
    key = "scrim_check_in_seconds"
    assert KEYS[key].minimum is not None

    async def probe() -> Any:
        row = await fresh.get(OrganizationSetting, (org_id, key))
        return None if row is None else row.value

    return Attempt(
        "mutation($o: ID!, $v: JSON!) {"
        ' setOrganizationSetting(organizationId: $o, key: "scrim_check_in_seconds", value: $v)'
        " { id } }",
        {"o": str(org_id), "v": 100 + fresh.n()},
        probe,
    )


@scenario("setOrganizationTimeZone", "of the World's organization")
async def _set_time_zone(fresh: Fresh, role: str) -> Attempt:
    org_id = fresh.world.organization_id
    zones = ("Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
    current = await fresh.scalar(select(Organization.time_zone).where(Organization.id == org_id))
    return Attempt(
        "mutation($o: ID!, $z: String!) {"
        " setOrganizationTimeZone(organizationId: $o, timeZone: $z) { timeZone } }",
        {"o": str(org_id), "z": next(z for z in zones if z != current)},
        lambda: fresh.scalar(select(Organization.time_zone).where(Organization.id == org_id)),
    )


@scenario("createLeague", "in the World's organization")
async def _create_league(fresh: Fresh, role: str) -> Attempt:
    org_id = fresh.world.organization_id
    return Attempt(
        "mutation($o: ID!, $n: String!) {"
        ' createLeague(organizationId: $o, name: $n, gameMode: "standard") { id } }',
        {"o": str(org_id), "n": f"Standard {fresh.n()}"},
        lambda: fresh.count(League, League.organization_id == org_id),
    )


@scenario("createSeason", "in the World's league")
async def _create_season(fresh: Fresh, role: str) -> Attempt:
    league_id = fresh.world.league_id
    return Attempt(
        "mutation($l: ID!, $n: Int!, $s: DateTime!, $e: DateTime!) {"
        " createSeason(leagueId: $l, number: $n, startsAt: $s, endsAt: $e) { id } }",
        {
            "l": str(league_id),
            "n": 100 + fresh.n(),
            "s": iso(SEASON_START),
            "e": iso(SEASON_START + dt.timedelta(weeks=10)),
        },
        lambda: fresh.count(Season, Season.league_id == league_id),
    )


@scenario("createSkillGroup", "in the World's league")
async def _create_skill_group(fresh: Fresh, role: str) -> Attempt:
    league_id = fresh.world.league_id
    n = fresh.n()
    return Attempt(
        "mutation($l: ID!, $n: String!, $c: String!, $o: Int!) {"
        " createSkillGroup(leagueId: $l, name: $n, code: $c, ordinal: $o) { id } }",
        {"l": str(league_id), "n": f"Tier {n}", "c": f"T{n}", "o": 100 + n},
        lambda: fresh.count(SkillGroup, SkillGroup.league_id == league_id),
    )


@scenario("createFranchise", "in the World's organization")
async def _create_franchise(fresh: Fresh, role: str) -> Attempt:
    org_id = fresh.world.organization_id
    n = fresh.n()
    return Attempt(
        "mutation($o: ID!, $n: String!, $c: String!) {"
        " createFranchise(organizationId: $o, name: $n, code: $c) { id } }",
        {"o": str(org_id), "n": f"Franchise {n}", "c": f"F{n}"},
        lambda: fresh.count(Franchise, Franchise.organization_id == org_id),
    )


@scenario("createTeam", "in the World's league")
async def _create_team(fresh: Fresh, role: str) -> Attempt:
    league_id = fresh.world.league_id
    return Attempt(
        "mutation($l: ID!, $n: String!, $g: ID) {"
        " createTeam(leagueId: $l, name: $n, skillGroupId: $g) { id } }",
        {
            "l": str(league_id),
            "n": f"New Team {fresh.n()}",
            "g": str(fresh.world.skill_group_ids[1]),
        },
        lambda: fresh.count(Team, Team.league_id == league_id),
    )


@scenario("addMember", "yourself")
async def _join(fresh: Fresh, role: str) -> Attempt:
    org_id = await fresh.organization()
    return Attempt(
        "mutation($o: ID!, $u: ID!) { addMember(organizationId: $o, userId: $u) { id } }",
        {"o": str(org_id), "u": str(await _user_of(fresh, role))},
        lambda: fresh.count(Member, Member.organization_id == org_id),
    )


@scenario("addMember", "another user")
async def _add_member(fresh: Fresh, role: str) -> Attempt:
    user_id = await fresh.user()
    return Attempt(
        "mutation($o: ID!, $u: ID!) { addMember(organizationId: $o, userId: $u) { id } }",
        {"o": str(fresh.world.organization_id), "u": str(user_id)},
        lambda: fresh.count(Member, Member.user_id == user_id),
    )


@scenario("addMember", "another user, by Discord id")
async def _add_member_by_discord(fresh: Fresh, role: str) -> Attempt:
    user_id = await fresh.user()
    discord_id = await fresh.scalar(select(User.discord_id).where(User.id == user_id))
    return Attempt(
        "mutation($o: ID!, $d: String!) { addMember(organizationId: $o, discordId: $d) { id } }",
        {"o": str(fresh.world.organization_id), "d": discord_id},
        lambda: fresh.count(Member, Member.user_id == user_id),
    )


@scenario("removeMember", "a member of the World's organization")
async def _remove_member(fresh: Fresh, role: str) -> Attempt:
    member_id = await fresh.member()
    return Attempt(
        "mutation($o: ID!, $m: ID!) { removeMember(organizationId: $o, memberId: $m) { leftAt } }",
        {"o": str(fresh.world.organization_id), "m": str(member_id)},
        lambda: fresh.scalar(select(Member.left_at).where(Member.id == member_id)),
    )


@scenario("registerPlayer", "a member, in the World's league")
async def _register_player(fresh: Fresh, role: str) -> Attempt:
    member_id = await fresh.member()
    return Attempt(
        "mutation($m: ID!, $l: ID!, $g: ID) {"
        " registerPlayer(memberId: $m, leagueId: $l, skillGroupId: $g) { id } }",
        {
            "m": str(member_id),
            "l": str(fresh.world.league_id),
            "g": str(fresh.world.skill_group_ids[0]),
        },
        lambda: fresh.count(Player, Player.member_id == member_id),
    )


@scenario("movePlayer", "a player of the World's league, to its other skill group")
async def _move_player(fresh: Fresh, role: str) -> Attempt:
    player_id = await fresh.player()
    return Attempt(
        "mutation($p: ID!, $g: ID!) {"
        ' movePlayer(playerId: $p, skillGroupId: $g, reason: "placement") { id } }',
        {"p": str(player_id), "g": str(fresh.world.skill_group_ids[1])},
        lambda: fresh.scalar(select(Player.skill_group_id).where(Player.id == player_id)),
    )


def _add_to_roster(*, franchise: bool) -> Prepare:
    async def prepare(fresh: Fresh, role: str) -> Attempt:
        team_id = await fresh.team(franchise=franchise)
        player_id = await fresh.player()
        return Attempt(
            "mutation($t: ID!, $p: ID!, $s: ID!) {"
            " addToRoster(teamId: $t, playerId: $p, seasonId: $s) { joinedAt } }",
            {"t": str(team_id), "p": str(player_id), "s": str(fresh.world.season_id)},
            lambda: fresh.count(RosterSpot, RosterSpot.team_id == team_id),
        )

    return prepare


scenario("addToRoster", "a team of the franchise")(_add_to_roster(franchise=True))
scenario("addToRoster", "a team outside the franchise")(_add_to_roster(franchise=False))


@scenario("addToRoster", "a team of the franchise, dated in the past")
async def _add_to_roster_dated(fresh: Fresh, role: str) -> Attempt:
    team_id = await fresh.team(franchise=True)
    player_id = await fresh.player()
    return Attempt(
        "mutation($t: ID!, $p: ID!, $s: ID!, $at: DateTime!) {"
        " addToRoster(teamId: $t, playerId: $p, seasonId: $s, at: $at) { joinedAt } }",
        {
            "t": str(team_id),
            "p": str(player_id),
            "s": str(fresh.world.season_id),
            "at": iso(utcnow() - dt.timedelta(hours=1)),  # the World's season began a day ago
        },
        lambda: fresh.count(RosterSpot, RosterSpot.team_id == team_id),
    )


@scenario("removeFromRoster", "a team of the franchise")
async def _remove_from_roster(fresh: Fresh, role: str) -> Attempt:
    team_id = await fresh.team(franchise=True)
    player_id = await fresh.player()
    await fresh.sign(team_id, player_id)
    return Attempt(
        "mutation($t: ID!, $p: ID!, $s: ID!) {"
        " removeFromRoster(teamId: $t, playerId: $p, seasonId: $s) { leftAt } }",
        {"t": str(team_id), "p": str(player_id), "s": str(fresh.world.season_id)},
        lambda: fresh.scalar(select(RosterSpot.left_at).where(RosterSpot.team_id == team_id)),
    )


@scenario("removeFromRoster", "a team of the franchise, dated in the past")
async def _remove_from_roster_dated(fresh: Fresh, role: str) -> Attempt:
    team_id = await fresh.team(franchise=True)
    player_id = await fresh.player()
    await fresh.sign(team_id, player_id, at=utcnow() - dt.timedelta(hours=2))
    return Attempt(
        "mutation($t: ID!, $p: ID!, $s: ID!, $at: DateTime!) {"
        " removeFromRoster(teamId: $t, playerId: $p, seasonId: $s, at: $at) { leftAt } }",
        {
            "t": str(team_id),
            "p": str(player_id),
            "s": str(fresh.world.season_id),
            "at": iso(utcnow() - dt.timedelta(hours=1)),
        },
        lambda: fresh.scalar(select(RosterSpot.left_at).where(RosterSpot.team_id == team_id)),
    )


@scenario("setCaptain", "a team of the franchise")
async def _set_captain(fresh: Fresh, role: str) -> Attempt:
    team_id = await fresh.team(franchise=True)
    first, second = await fresh.player(), await fresh.player()
    await fresh.sign(team_id, first, captain=True)
    await fresh.sign(team_id, second)
    return Attempt(
        "mutation($t: ID!, $p: ID!, $s: ID!) {"
        " setCaptain(teamId: $t, playerId: $p, seasonId: $s) { isCaptain } }",
        {"t": str(team_id), "p": str(second), "s": str(fresh.world.season_id)},
        lambda: fresh.scalar(
            select(RosterSpot.player_id).where(
                RosterSpot.team_id == team_id, RosterSpot.is_captain.is_(True)
            )
        ),
    )


# -- scenarios: schedule ------------------------------------------------------------------------


@scenario("createMatchWeeks", "in the World's season")
async def _create_match_weeks(fresh: Fresh, role: str) -> Attempt:
    season_id = fresh.world.season_id
    return Attempt(
        "mutation($s: ID!) { createMatchWeeks(seasonId: $s, count: 1) { id } }",
        {"s": str(season_id)},
        lambda: fresh.count(MatchWeek, MatchWeek.season_id == season_id),
    )


@scenario("generateSchedule", "a fresh season")
async def _generate_schedule(fresh: Fresh, role: str) -> Attempt:
    season_id = await fresh.season(weeks=1)
    group_id = await fresh.skill_group()
    for _ in range(2):
        await fresh.team(skill_group_id=group_id)
    return Attempt(
        "mutation($s: ID!, $g: ID) { generateSchedule(seasonId: $s, skillGroupId: $g) { id } }",
        {"s": str(season_id), "g": str(group_id)},
        lambda: fresh.count(Match, Match.season_id == season_id),
    )


@scenario("importSchedule", "a fresh season")
async def _import_schedule(fresh: Fresh, role: str) -> Attempt:
    season_id = await fresh.season()
    return Attempt(
        "mutation($s: ID!, $c: String!) { importSchedule(seasonId: $s, csv: $c) { id } }",
        {"s": str(season_id), "c": fixture_csv((1, "Team 1", "Team 2"), (2, "Team 3", "Team 4"))},
        lambda: fresh.count(Match, Match.season_id == season_id),
    )


@scenario("importSchedule", "a team twice in a week, allowed")
async def _import_twice_in_a_week(fresh: Fresh, role: str) -> Attempt:
    season_id = await fresh.season()
    return Attempt(
        "mutation($s: ID!, $c: String!) {"
        " importSchedule(seasonId: $s, csv: $c, allowTwiceInWeek: true) { id } }",
        {"s": str(season_id), "c": fixture_csv((1, "Team 1", "Team 2"), (1, "Team 1", "Team 3"))},
        lambda: fresh.count(Match, Match.season_id == season_id),
    )


def _match_field(match_id: int, fresh: Fresh, column: Any) -> Callable[[], Awaitable[Any]]:
    return lambda: fresh.scalar(select(column).where(Match.id == match_id))


@scenario("rescheduleMatch", "a scheduled match")
async def _reschedule(fresh: Fresh, role: str) -> Attempt:
    match_id = await fresh.match()
    starts = SEASON_START + dt.timedelta(days=2, minutes=fresh.n())  # inside week 1
    return Attempt(
        "mutation($m: ID!, $s: DateTime!, $e: DateTime!) {"
        " rescheduleMatch(matchId: $m, startsAt: $s, endsAt: $e) { startsAt } }",
        {"m": str(match_id), "s": iso(starts), "e": iso(starts + dt.timedelta(hours=3))},
        _match_field(match_id, fresh, Match.starts_at),
    )


@scenario("recordForfeit", "a scheduled match")
async def _forfeit(fresh: Fresh, role: str) -> Attempt:
    match_id = await fresh.match()
    return Attempt(
        "mutation($m: ID!, $t: ID!) { recordForfeit(matchId: $m, teamId: $t) { status } }",
        {"m": str(match_id), "t": str(fresh.world.team_ids[1])},
        _match_field(match_id, fresh, Match.status),
    )


@scenario("recordResult", "a scheduled match")
async def _result(fresh: Fresh, role: str) -> Attempt:
    match_id = await fresh.match()
    games = [{"homeGoals": 3, "awayGoals": 1}, {"homeGoals": 0, "awayGoals": 2}]
    games += [{"homeGoals": 2, "awayGoals": 1}, {"homeGoals": 4, "awayGoals": 0}]
    return Attempt(
        "mutation($m: ID!, $g: [GameScoreInput!]!) { recordResult(matchId: $m, games: $g)"
        " { status games { number } } }",
        {"m": str(match_id), "g": games},
        _match_field(match_id, fresh, Match.status),
    )


# -- scenarios: replay submissions --------------------------------------------------------------
#
# Team 1 (the franchise's team, home) plays Team 2 (away) in a fresh match of the World's
# season; the captain and the player are Team 1's two players, Team 2's are plain players.


async def _team_actor(fresh: Fresh, team: int, k: int) -> Actor:
    """The ``k``-th player of the World's team ``team`` (0-based), as an actor."""
    return Actor(user_id=(await team_users(fresh.platform, fresh.world.team_ids[team]))[k])


async def _submission(
    fresh: Fresh,
    by: Actor,
    *,
    unknown_on: str | None = None,
    accept: bool = False,
) -> tuple[int, str]:
    """A processed Team 1 vs Team 2 submission by ``by``; with ``unknown_on`` ("home" or
    "away"), that side's second player played on a fresh unlinked account (then the
    submission is rejected, listing it). Returns the submission id and that account."""
    match_id = await new_match(fresh.platform, fresh.world)
    found: Lineup = await linked_lineup(fresh.platform, match_id)
    account = steam_id(800_000 + fresh.n())
    if unknown_on:
        found = with_unknown_account(
            found, away=unknown_on == "away", account=account, name=f"Smurf {fresh.n()}"
        )
    submission_id = await submit(fresh.platform, by, match_id, sweep(found))
    await drain(fresh.platform)
    if accept:
        async with fresh.platform.unit_of_work() as s:
            await replays.force_accept(s, actor=fresh.root, submission_id=submission_id)
    return submission_id, account


def _submission_state(fresh: Fresh, submission_id: int) -> Callable[[], Awaitable[Any]]:
    async def probe() -> Any:
        row = await fresh.get(Submission, submission_id)
        return (
            row.status,
            row.rejection_reason,
            await fresh.count(Ratification, Ratification.submission_id == submission_id),
            await fresh.count(MatchGame, MatchGame.match_id == row.match_id),
        )

    return probe


def _submit_replays(home: int, away: int) -> Prepare:
    async def prepare(fresh: Fresh, role: str) -> Attempt:
        match_id = await new_match(fresh.platform, fresh.world, home, away)
        uploads = sweep(await linked_lineup(fresh.platform, match_id))
        return Attempt(
            SUBMIT,
            {"m": str(match_id)},
            lambda: fresh.count(Submission, Submission.match_id == match_id),
            uploads,
        )

    return prepare


scenario("submitReplays", "a match of the franchise's team")(_submit_replays(0, 1))
scenario("submitReplays", "a match of two other teams")(_submit_replays(2, 3))


def _ratify(submitted_by: Callable[[Fresh], Awaitable[Actor]]) -> Prepare:
    async def prepare(fresh: Fresh, role: str) -> Attempt:
        submission_id, _ = await _submission(fresh, await submitted_by(fresh))
        return Attempt(
            "mutation($s: ID!) { ratifySubmission(submissionId: $s) { status } }",
            {"s": str(submission_id)},
            _submission_state(fresh, submission_id),
        )

    return prepare


async def _as_player(fresh: Fresh) -> Actor:
    return fresh.world.actors["player"]


scenario("ratifySubmission", "the other side's submission")(
    _ratify(lambda fresh: _team_actor(fresh, 1, 0))
)
scenario("ratifySubmission", "their own side's submission")(_ratify(_as_player))


@scenario("rejectSubmission", "an awaiting submission")
async def _reject(fresh: Fresh, role: str) -> Attempt:
    submission_id, _ = await _submission(fresh, await _team_actor(fresh, 1, 0))
    return Attempt(
        "mutation($s: ID!, $r: String!) {"
        " rejectSubmission(submissionId: $s, reason: $r) { status } }",
        {"s": str(submission_id), "r": f"Game 2 was a scrim ({fresh.n()})."},
        _submission_state(fresh, submission_id),
    )


def _staff_override(field: str, *, accept: bool = False, reason: bool = False) -> Prepare:
    async def prepare(fresh: Fresh, role: str) -> Attempt:
        submission_id, _ = await _submission(fresh, await _team_actor(fresh, 1, 0), accept=accept)
        arguments, declared = "submissionId: $s", "$s: ID!"
        variables = {"s": str(submission_id)}
        if reason:
            arguments, declared = f"{arguments}, reason: $r", f"{declared}, $r: String!"
            variables["r"] = "The away side fielded an ineligible player."
        return Attempt(
            f"mutation({declared}) {{ {field}({arguments}) {{ status }} }}",
            variables,
            _submission_state(fresh, submission_id),
        )

    return prepare


scenario("forceAcceptSubmission", "an awaiting submission")(
    _staff_override("forceAcceptSubmission")
)
scenario("resetSubmission", "an awaiting submission")(_staff_override("resetSubmission"))
scenario("invalidateSubmission", "an accepted result")(
    _staff_override("invalidateSubmission", accept=True, reason=True)
)


@scenario("claimAccount", "an account the report lists as unknown")
async def _claim(fresh: Fresh, role: str) -> Attempt:
    submission_id, account = await _submission(fresh, fresh.root, unknown_on="home")
    return Attempt(
        "mutation($s: ID!, $a: String!) {"
        ' claimAccount(submissionId: $s, platform: "steam", accountId: $a) { status } }',
        {"s": str(submission_id), "a": account},
        lambda: fresh.count(AccountClaim, AccountClaim.submission_id == submission_id),
    )


def _confirm(claimant: Callable[[Fresh], Awaitable[Actor]], unknown_on: str) -> Prepare:
    async def prepare(fresh: Fresh, role: str) -> Attempt:
        submission_id, account = await _submission(fresh, fresh.root, unknown_on=unknown_on)
        async with fresh.platform.unit_of_work() as s:
            claim = await replays.claim_account(
                s,
                actor=await claimant(fresh),
                submission_id=submission_id,
                platform="steam",
                account_id=account,
            )

        async def probe() -> Any:
            return (await fresh.get(AccountClaim, claim.id)).status

        return Attempt(
            "mutation($c: ID!) { confirmAccountClaim(claimId: $c) { status } }",
            {"c": str(claim.id)},
            probe,
        )

    return prepare


scenario("confirmAccountClaim", "a claim by a player of the other team")(
    _confirm(lambda fresh: _team_actor(fresh, 1, 1), "away")
)
scenario("confirmAccountClaim", "a claim by the player")(_confirm(_as_player, "home"))


# -- scenarios: scrims ----------------------------------------------------------------------
#
# The World's captain and player are freed from any scrim before each attempt (staff cancel
# it), so every attempt starts from the same place.

_QUEUERS = ("team_captain", "player")


async def _free_queuers(fresh: Fresh) -> None:
    ids = [fresh.world.member_ids[r] for r in _QUEUERS]
    async with fresh.platform.unit_of_work() as s:
        busy = set(
            (
                await s.scalars(
                    select(ScrimEntry.scrim_id).where(
                        ScrimEntry.member_id.in_(ids), ScrimEntry.active.is_(True)
                    )
                )
            ).all()
        )
        for scrim_id in busy:
            await scrim_staff.cancel_scrim(s, actor=fresh.root, scrim_id=scrim_id)
        for role in _QUEUERS:  # and out of the matchmaking queue
            if await scrims.current_ticket(s, member_id=fresh.world.member_ids[role]):
                await matchmaking.leave_queue(
                    s, actor=fresh.world.actors[role], organization_id=fresh.world.organization_id
                )


async def _fresh_scrim(fresh: Fresh, *, mode: str = "doubles", joiners: Sequence[str] = ()) -> int:
    """A casual scrim opened by a fresh member, joined by the World's ``joiners``."""
    await _free_queuers(fresh)
    user_id = await fresh.user()
    await fresh.member(user_id)
    wait = utcnow() + dt.timedelta(hours=1)
    async with fresh.platform.unit_of_work() as s:
        scrim = await lifecycle.create_scrim(
            s,
            actor=Actor(user_id=user_id),
            organization_id=fresh.world.organization_id,
            game_mode=mode,
            wait_until=wait,
            competitive=False,
        )
        for role in joiners:
            await lifecycle.join_scrim(
                s, actor=fresh.world.actors[role], scrim_id=scrim.id, wait_until=wait
            )
    return scrim.id


def _seats(fresh: Fresh, scrim_id: int) -> Callable[[], Awaitable[Any]]:
    return lambda: fresh.count(
        ScrimEntry, ScrimEntry.scrim_id == scrim_id, ScrimEntry.active.is_(True)
    )


def _scrim_status(fresh: Fresh, scrim_id: int) -> Callable[[], Awaitable[Any]]:
    return lambda: fresh.scalar(select(Scrim.status).where(Scrim.id == scrim_id))


@scenario("createScrim", "a casual scrim")
async def _create_scrim(fresh: Fresh, role: str) -> Attempt:
    await _free_queuers(fresh)
    org_id = fresh.world.organization_id
    return Attempt(
        'mutation($o: ID!) { createScrim(organizationId: $o, gameMode: "doubles",'
        " waitMinutes: 30, competitive: false) { id status } }",
        {"o": str(org_id)},
        lambda: fresh.count(Scrim, Scrim.organization_id == org_id),
    )


@scenario("joinScrim", "a pending casual scrim")
async def _join_scrim(fresh: Fresh, role: str) -> Attempt:
    scrim_id = await _fresh_scrim(fresh)
    return Attempt(
        "mutation($s: ID!) { joinScrim(scrimId: $s, waitMinutes: 30) { id status } }",
        {"s": str(scrim_id)},
        _seats(fresh, scrim_id),
    )


@scenario("leaveScrim", "the caller's seat")
async def _leave_scrim(fresh: Fresh, role: str) -> Attempt:
    scrim_id = await _fresh_scrim(fresh, mode="standard", joiners=_QUEUERS)
    return Attempt(
        "mutation($s: ID!) { leaveScrim(scrimId: $s) { id status } }",
        {"s": str(scrim_id)},
        _seats(fresh, scrim_id),
    )


@scenario("createScrimGroup", "in the caller's scrim")
async def _create_scrim_group(fresh: Fresh, role: str) -> Attempt:
    scrim_id = await _fresh_scrim(fresh, mode="standard", joiners=_QUEUERS)
    return Attempt(
        "mutation($s: ID!) { createScrimGroup(scrimId: $s) { code } }",
        {"s": str(scrim_id)},
        lambda: fresh.count(ScrimGroup, ScrimGroup.scrim_id == scrim_id),
    )


@scenario("checkIn", "a popped scrim of the caller")
async def _check_in(fresh: Fresh, role: str) -> Attempt:
    await _free_queuers(fresh)
    wait = utcnow() + dt.timedelta(hours=1)
    async with fresh.platform.unit_of_work() as s:
        scrim = await lifecycle.create_scrim(
            s,
            actor=fresh.world.actors["team_captain"],
            organization_id=fresh.world.organization_id,
            game_mode="duel",
            wait_until=wait,
            competitive=False,
        )
        await lifecycle.join_scrim(
            s, actor=fresh.world.actors["player"], scrim_id=scrim.id, wait_until=wait
        )
    assert scrim.status == "popped"
    return Attempt(
        "mutation($s: ID!) { checkIn(scrimId: $s) { id status } }",
        {"s": str(scrim.id)},
        lambda: fresh.count(
            ScrimEntry, ScrimEntry.scrim_id == scrim.id, ScrimEntry.checked_in_at.is_not(None)
        ),
    )


async def _scrim_in_progress(
    fresh: Fresh, *, mode: str, others: int, team_mode: str = "fixed"
) -> tuple[int, list[int]]:
    """A casual scrim of the World's captain and player (and ``others`` fresh members, who
    open it), checked in and started; every player has a linked Steam account. Returns the
    scrim and the fresh members' user ids."""
    await _free_queuers(fresh)
    wait = utcnow() + dt.timedelta(hours=1)
    users = [await fresh.user() for _ in range(others)]
    for user_id in users:
        await fresh.member(user_id)
    actors = [Actor(user_id=u) for u in users] + [fresh.world.actors[r] for r in _QUEUERS]
    async with fresh.platform.unit_of_work() as s:
        scrim = await lifecycle.create_scrim(
            s,
            actor=actors[0],
            organization_id=fresh.world.organization_id,
            game_mode=mode,
            wait_until=wait,
            competitive=False,
            team_mode=team_mode,
        )
        for actor in actors[1:]:
            await lifecycle.join_scrim(s, actor=actor, scrim_id=scrim.id, wait_until=wait)
    for actor in actors:
        async with fresh.platform.unit_of_work() as s:
            await lifecycle.check_in(s, actor=actor, scrim_id=scrim.id)
    async with fresh.platform.unit_of_work() as s:
        assert (await s.get(Scrim, scrim.id)).status == "in_progress"
        for game in await scrims.game_lineups_of(s, scrim.id):
            for member in (game.home_member_ids + "," + game.away_member_ids).split(","):
                account = steam_id(700_000 + int(member))
                linked = await s.scalar(
                    select(PlatformAccount).where(PlatformAccount.account_id == account)
                )
                if linked is None:
                    s.add(
                        PlatformAccount(
                            organization_id=fresh.world.organization_id,
                            member_id=int(member),
                            platform="steam",
                            account_id=account,
                            status="verified",
                            proof="staff",
                        )
                    )
    return scrim.id, users


async def _scrim_uploads(fresh: Fresh, scrim_id: int, team_size: int) -> list[Upload]:
    """Home wins every game of the scrim 2-0."""
    async with fresh.platform.reading() as s:
        games = await scrims.game_lineups_of(s, scrim_id)
    uploads = []
    for game in games:
        players = [
            PlayerSpec(f"P{m}", team=team, platform_id=steam_id(700_000 + int(m)))
            for team, side in ((0, game.home_member_ids), (1, game.away_member_ids))
            for m in side.split(",")
        ]
        data = build_replay(
            players=players,
            team0_score=2,
            # "5C" for scrim: never a league game's id (tests.replays.series), as real ids
            # (random per copy) never meet either.
            replay_id=f"5C{scrim_id:06X}{game.number:024X}",
            team_size=team_size,
            date=utcnow().replace(tzinfo=None),
        )
        uploads.append(Upload(f"game{game.number}.replay", data))
    return uploads


@scenario("submitScrimReplays", "the caller's scrim in progress")
async def _submit_scrim_replays(fresh: Fresh, role: str) -> Attempt:
    scrim_id, _ = await _scrim_in_progress(fresh, mode="duel", others=0)
    return Attempt(
        "mutation($s: ID!, $files: [Upload!]!) {"
        " submitScrimReplays(scrimId: $s, files: $files) { id status } }",
        {"s": str(scrim_id)},
        lambda: fresh.count(Submission, Submission.scrim_id == scrim_id),
        await _scrim_uploads(fresh, scrim_id, 1),
    )


@scenario("ratifySubmission", "another player's scrim result")
async def _ratify_scrim_result(fresh: Fresh, role: str) -> Attempt:
    # A round robin: every player but the uploader is a side of their own and may ratify.
    scrim_id, users = await _scrim_in_progress(
        fresh, mode="doubles", others=2, team_mode="round_robin"
    )
    async with fresh.platform.unit_of_work() as s:
        submission = await scrim_results.submit_scrim_replays(
            s,
            actor=Actor(user_id=users[0]),
            storage=fresh.platform.storage,
            scrim_id=scrim_id,
            files=await _scrim_uploads(fresh, scrim_id, 2),
            max_size=fresh.platform.settings.replay_max_bytes,
        )
    await drain(fresh.platform)

    async def probe() -> Any:
        return (
            await fresh.scalar(select(Submission.status).where(Submission.id == submission.id)),
            await fresh.count(Ratification, Ratification.submission_id == submission.id),
        )

    return Attempt(
        "mutation($s: ID!) { ratifySubmission(submissionId: $s) { status } }",
        {"s": str(submission.id)},
        probe,
    )


def _staff_scrim_action(field: str, *, locked: bool = False) -> Prepare:
    async def prepare(fresh: Fresh, role: str) -> Attempt:
        scrim_id = await _fresh_scrim(fresh)
        if locked:
            async with fresh.platform.unit_of_work() as s:
                await scrim_staff.lock_scrim(s, actor=fresh.root, scrim_id=scrim_id)
        return Attempt(
            f"mutation($s: ID!) {{ {field}(scrimId: $s) {{ id status }} }}",
            {"s": str(scrim_id)},
            _scrim_status(fresh, scrim_id),
        )

    return prepare


scenario("lockScrim", "a pending scrim")(_staff_scrim_action("lockScrim"))
scenario("unlockScrim", "a locked scrim")(_staff_scrim_action("unlockScrim", locked=True))
scenario("cancelScrim", "a pending scrim")(_staff_scrim_action("cancelScrim"))


@scenario("liftQueueBan", "a ban in force")
async def _lift_ban(fresh: Fresh, role: str) -> Attempt:
    member_id = await fresh.member()
    async with fresh.platform.unit_of_work() as s:
        ban = await queue_bans.ban_member(
            s,
            organization_id=fresh.world.organization_id,
            member_id=member_id,
            reason="missed a check-in",
            now=utcnow(),
        )
    assert ban is not None
    return Attempt(
        "mutation($b: ID!) { liftQueueBan(banId: $b) { id liftedAt } }",
        {"b": str(ban.id)},
        lambda: fresh.scalar(select(QueueBan.lifted_at).where(QueueBan.id == ban.id)),
    )


def _tickets(fresh: Fresh) -> Callable[[], Awaitable[Any]]:
    return lambda: fresh.count(QueueTicket, QueueTicket.active.is_(True))


@scenario("enterScrimQueue", "a casual queue")
async def _enter_scrim_queue(fresh: Fresh, role: str) -> Attempt:
    await _free_queuers(fresh)
    return Attempt(
        'mutation($o: ID!) { enterScrimQueue(organizationId: $o, gameMode: "doubles",'
        " waitMinutes: 30, competitive: false) { id status } }",
        {"o": str(fresh.world.organization_id)},
        _tickets(fresh),
    )


@scenario("leaveScrimQueue", "the caller's ticket")
async def _leave_scrim_queue(fresh: Fresh, role: str) -> Attempt:
    await _free_queuers(fresh)
    wait = utcnow() + dt.timedelta(hours=1)
    async with fresh.platform.unit_of_work() as s:
        for queuer in _QUEUERS:  # two of the six a casual standard lobby takes
            await matchmaking.enter_queue(
                s,
                actor=fresh.world.actors[queuer],
                organization_id=fresh.world.organization_id,
                game_mode="standard",
                wait_until=wait,
                competitive=False,
            )
    return Attempt(
        "mutation($o: ID!) { leaveScrimQueue(organizationId: $o) { id status } }",
        {"o": str(fresh.world.organization_id)},
        _tickets(fresh),
    )


# -- the tests ----------------------------------------------------------------------------------


def _operation_field(document: str) -> str:
    (operation,) = graphql.parse(document).definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    assert operation.operation is graphql.OperationType.MUTATION
    (selection,) = operation.selection_set.selections
    assert isinstance(selection, graphql.FieldNode)
    return selection.name.value


def _judge(
    label: str,
    mutation: str,
    expected: str | None,
    body: dict[str, Any],
    before: Any,
    after: Any,
) -> list[str]:
    errors = body.get("errors") or []
    if expected is None:
        if errors:
            return [f"{label}: should succeed, got {errors}"]
        if not (body.get("data") or {}).get(mutation):
            return [f"{label}: should succeed, got no data: {body}"]
        if after == before:
            return [f"{label}: succeeded but changed nothing (still {before!r})"]
        return []
    problems = []
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    if codes != [expected]:
        problems.append(f"{label}: should fail with {expected}, got {codes or body}")
    elif not errors[0].get("message", "").strip() or "Traceback" in str(body):
        problems.append(f"{label}: the refusal should be a plain sentence, got {errors[0]}")
    if after != before:
        problems.append(f"{label}: was refused but changed {before!r} into {after!r}")
    return problems


def test_every_scenario_belongs_to_the_matrix() -> None:
    table = {(mutation, name) for mutation, names in MATRIX.items() for name in names}
    assert table == set(SCENARIOS), (
        f"in MATRIX without a scenario: {sorted(table - set(SCENARIOS))}; "
        f"a scenario missing from MATRIX: {sorted(set(SCENARIOS) - table)}"
    )
    for (mutation, name), allowed in (
        ((m, n), a) for m, names in MATRIX.items() for n, a in names.items()
    ):
        assert allowed <= SIGNED_IN, f"{mutation} ({name}): the spectator may never mutate"
        if (mutation, name) in PERSONAL_ACTS:
            assert "superuser" not in allowed, f"{mutation} ({name}): a player's own act"
        else:
            assert "superuser" in allowed, (
                f"{mutation} ({name}): the platform admin may do anything"
            )
    assert table >= PERSONAL_ACTS


def test_the_matrix_covers_every_mutation_of_the_schema() -> None:
    assert_matrix_covers(current_schema())
    assert not set(MATRIX) - mutation_fields(current_schema()), "MATRIX names unknown mutations"


def test_a_mutation_missing_from_the_matrix_fails_the_check() -> None:
    extended = graphql.extend_schema(
        current_schema(),
        graphql.parse("extend type Mutation { banPlayer(playerId: ID!): Boolean! }"),
    )
    assert uncovered(extended) == {"banPlayer"}
    with pytest.raises(AssertionError, match="banPlayer"):
        assert_matrix_covers(extended)


async def test_every_mutation_as_every_role(platform, world, gql) -> None:
    schema = current_schema()
    assert_matrix_covers(schema)
    fresh = Fresh(platform, world)
    problems: list[str] = []
    tried: set[str] = set()
    for mutation in sorted(mutation_fields(schema)):
        for name, allowed in MATRIX[mutation].items():
            prepare = SCENARIOS[(mutation, name)]
            for role in ROLES:
                attempt = await prepare(fresh, role)
                assert _operation_field(attempt.document) == mutation, (mutation, name)
                before = await attempt.probe()
                if attempt.uploads:
                    response = await post_multipart(
                        gql.http,
                        attempt.document,
                        attempt.variables,
                        attempt.uploads,
                        token=world.tokens[role],
                    )
                    assert response.status_code == 200, response.text
                    body = response.json()
                else:
                    body = await gql(attempt.document, attempt.variables, token=world.tokens[role])
                after = await attempt.probe()
                if role in allowed:
                    expected = None
                elif role == "spectator":
                    expected = "UNAUTHENTICATED"
                else:
                    expected = denied_code(mutation, name, role)
                label = f"{mutation} ({name}) as {role}"
                problems += _judge(label, mutation, expected, body, before, after)
                tried.add(mutation)
    assert tried == mutation_fields(schema)
    assert not problems, "\n".join(problems)
