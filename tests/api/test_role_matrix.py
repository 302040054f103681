"""Every mutation of the schema, tried as every role of the World.

``MATRIX`` is the expected table, written out from the rules of
``sprocket/identity/access.py`` and the services:

- the platform administrator (superuser) may do anything; only they open organizations;
- an organization admin may do everything league staff may do, in their organization;
- league staff (of the World's league) run that league: seasons, skill groups, teams,
  players, rosters, match weeks, schedules, results;
- a franchise manager may change the rosters of the teams of their franchise, nothing else;
- captains, players and outsiders may only serve themselves: their own API tokens, joining
  an organization, and the platform accounts of their own member;
- the spectator (no token) may do nothing and is told to sign in.

A role outside the allowed set gets ``PERMISSION_DENIED`` (the spectator ``UNAUTHENTICATED``)
and the attempt changes nothing. Every attempt gets fresh inputs, so an allowed call never
collides with an earlier one and a "changed nothing" check means what it says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import graphql
import pytest
from sqlalchemy import select

from sprocket.api.schema import schema_sdl
from sprocket.identity.models import ApiToken, PlatformAccount, RoleGrant
from sprocket.league.configuration import KEYS
from sprocket.league.models import (
    Franchise,
    League,
    Member,
    Organization,
    OrganizationSetting,
    Player,
    RosterSpot,
    Season,
    SkillGroup,
    Team,
)
from sprocket.schedule.models import Match, MatchWeek
from tests.api.support import SEASON_START, Fresh, fixture_csv, iso, steam_id
from tests.league_world import ROLES

SIGNED_IN = frozenset(ROLES) - {"spectator"}
SUPERUSER = frozenset({"superuser"})
ADMINS = SUPERUSER | {"organization_admin"}
STAFF = ADMINS | {"league_staff"}
TEAM_MANAGERS = STAFF | {"franchise_manager"}

# mutation -> scenario -> the roles allowed to do it.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "createApiToken": {"for yourself": SIGNED_IN},
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
    "createOrganization": {"a new organization": SUPERUSER},
    "setOrganizationSetting": {"of the World's organization": ADMINS},
    "createLeague": {"in the World's organization": ADMINS},
    "createSeason": {"in the World's league": STAFF},
    "createSkillGroup": {"in the World's league": STAFF},
    "createFranchise": {"in the World's organization": ADMINS},
    "createTeam": {"in the World's league": STAFF},
    "addMember": {
        "yourself": SIGNED_IN,
        # Staff of any league may add people (they register the league's players).
        "another user": STAFF,
    },
    "registerPlayer": {"a member, in the World's league": STAFF},
    "addToRoster": {
        "a team of the franchise": TEAM_MANAGERS,
        "a team outside the franchise": STAFF,
    },
    "removeFromRoster": {"a team of the franchise": TEAM_MANAGERS},
    "setCaptain": {"a team of the franchise": TEAM_MANAGERS},
    "createMatchWeeks": {"in the World's season": STAFF},
    "generateSchedule": {"a fresh season": STAFF},
    "importSchedule": {"a fresh season": STAFF},
    "rescheduleMatch": {"a scheduled match": STAFF},
    "recordForfeit": {"a scheduled match": STAFF},
    "recordResult": {"a scheduled match": STAFF},
}

# Where a denied, signed-in caller is told something other than PERMISSION_DENIED.
DENIED_CODE: dict[tuple[str, str], str] = {
    # Another user's token is reported as not found: its id is not even confirmed to exist.
    ("revokeApiToken", "another user's token"): "NOT_FOUND",
}


@dataclass
class Attempt:
    document: str
    variables: dict[str, Any]
    probe: Callable[[], Awaitable[Any]]  # the state this mutation would change


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
        "mutation($o: ID!) { addMember(organizationId: $o) { id } }",
        {"o": str(org_id)},
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


def _match_field(match_id: int, fresh: Fresh, column: Any) -> Callable[[], Awaitable[Any]]:
    return lambda: fresh.scalar(select(column).where(Match.id == match_id))


@scenario("rescheduleMatch", "a scheduled match")
async def _reschedule(fresh: Fresh, role: str) -> Attempt:
    match_id = await fresh.match()
    starts = SEASON_START + dt.timedelta(days=2, hours=fresh.n())
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
        assert "superuser" in allowed, f"{mutation} ({name}): the platform admin may do anything"


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
                body = await gql(attempt.document, attempt.variables, token=world.tokens[role])
                after = await attempt.probe()
                if role in allowed:
                    expected = None
                elif role == "spectator":
                    expected = "UNAUTHENTICATED"
                else:
                    expected = DENIED_CODE.get((mutation, name), "PERMISSION_DENIED")
                label = f"{mutation} ({name}) as {role}"
                problems += _judge(label, mutation, expected, body, before, after)
                tried.add(mutation)
    assert tried == mutation_fields(schema)
    assert not problems, "\n".join(problems)
