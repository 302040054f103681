"""Who may act answers first (issue 8): every mutation of the schema, sent through GraphQL by
callers who may not make it, with inputs wrong in every way a validator would catch.

The cases come from the schema itself (``build_schema()``'s Mutation type): each mutation
field is called with every one of its arguments, as variables named like the arguments, so a
new mutation or a new argument cannot be forgotten (the test fails until it has a case).

- The spectator (no token) is told to sign in, ``UNAUTHENTICATED``, whatever the ids.
- The outsider (signed in, a member of nothing here) is refused, ``PERMISSION_DENIED``, when
  every id names a row that exists: the permission check is what must answer, before a
  validator could speak. The mutations a signed-in user makes for themself are the exceptions,
  each written down with its reason in ``OWN_ACTS``.
- An id that names nothing: the outsider learns ``NOT_FOUND`` or ``PERMISSION_DENIED``, never
  a validation code.
- An id that is no id at all ("abc"): ``INVALID_ID`` for a signed-in caller (it names no row,
  and saying so tells nothing about the data); the spectator still hears ``UNAUTHENTICATED``
  first.
- A caller who may act gets a refusal for the same inputs that is neither success nor a
  permission code: so the inputs really are invalid, and the refusals above prove the order.
- None of these calls changes anything (a snapshot of every table per mutation).

"Invalid" means values of the right GraphQL types: a value of the wrong type (text for an
Int, an unknown enum value, a date that does not parse) is refused by GraphQL itself before
any resolver runs, identically for every caller, so it tells nobody anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import graphql
import pytest

from sprocket.api.schema import build_schema
from sprocket.db import utcnow
from sprocket.identity.access import Actor
from sprocket.replays import service as replays
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.scrims import bans as queue_bans
from sprocket.scrims import lifecycle
from tests.api.support import Fresh, steam_id
from tests.api.test_replay_api import (
    drain,
    linked_lineup,
    new_match,
    post_multipart,
    submit,
    with_unknown_account,
)
from tests.helpers.database import snapshot
from tests.league_world import World
from tests.replays.series import sweep

MISSING = "987654321"  # an id no row of these small databases has
MALFORMED = "abc"  # text that is no id at all
DENIED = "PERMISSION_DENIED"
PERMISSION_CODES = frozenset({"UNAUTHENTICATED", DENIED})
REPLAY_CAP = 20_000  # bytes: the size cap of a replay while the refused uploads are sent


@pytest.fixture
def settings(settings):
    # Several hundred requests from one address: more than the default rate limit allows.
    settings.rate_limit_points = 100_000
    return settings


# -- what the cases point at: rows that exist -------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """Rows of every kind a mutation names, each one that exists (made as the platform admin
    of a :class:`~tests.league_world.World`)."""

    world: World
    user_id: int  # a user who belongs to nothing
    other_token_id: int  # a token of that user
    grant_id: int
    account_id: int  # a Steam account linked to the World's "player"
    submission_id: int  # checked, rejected: it lists an unknown account
    claim_id: int  # the "player"'s pending claim of that account
    scrim_id: int  # a pending casual scrim of someone else
    ban_id: int  # a queue ban in force
    bystander_team_id: int  # a team of the league that does not play the World's first match

    @property
    def org(self) -> str:
        return str(self.world.organization_id)

    @property
    def league(self) -> str:
        return str(self.world.league_id)

    @property
    def season(self) -> str:
        return str(self.world.season_id)


async def build_targets(platform: Runtime, world: World) -> Targets:
    fresh = Fresh(platform, world)
    root = world.actors["superuser"]
    user_id = await fresh.user()
    token_id, _ = await fresh.token(user_id)
    grant_id = await fresh.grant(await fresh.user())
    account_id = await fresh.account(world.member_ids["player"])
    # A submission whose report lists the account the "player" (home side) played on.
    match_id = await new_match(platform, world)
    unknown = steam_id(810_000)
    found = with_unknown_account(
        await linked_lineup(platform, match_id), away=False, account=unknown, name="Smurf"
    )
    submission_id = await submit(platform, root, match_id, sweep(found))
    await drain(platform)
    async with platform.unit_of_work() as s:
        claim = await replays.claim_account(
            s,
            actor=world.actors["player"],
            submission_id=submission_id,
            platform="steam",
            account_id=unknown,
        )
    opener = await fresh.user()
    await fresh.member(opener)
    banned = await fresh.member()
    async with platform.unit_of_work() as s:
        scrim = await lifecycle.create_scrim(
            s,
            actor=Actor(user_id=opener),
            organization_id=world.organization_id,
            game_mode="doubles",
            wait_until=utcnow() + dt.timedelta(hours=1),
            competitive=False,
        )
        ban = await queue_bans.ban_member(
            s,
            organization_id=world.organization_id,
            member_id=banned,
            reason="missed a check-in",
            now=utcnow(),
        )
    assert ban is not None
    async with platform.reading() as s:
        _, fixture, _ = await schedule.match_context(s, world.match_ids[0])
    playing = {fixture.home_team_id, fixture.away_team_id}
    return Targets(
        world=world,
        user_id=user_id,
        other_token_id=token_id,
        grant_id=grant_id,
        account_id=account_id,
        submission_id=submission_id,
        claim_id=claim.id,
        scrim_id=scrim.id,
        ban_id=ban.id,
        bystander_team_id=next(t for t in world.team_ids if t not in playing),
    )


# -- the cases ------------------------------------------------------------------------------------

FUTURE = "2999-01-01T00:00:00Z"
LONG_AGO = "1990-01-01T00:00:00Z"
CONTROL_NAME = "\u202eevil\x1b[31m" + "x" * 200  # a right-to-left override, an escape, too long


def not_replays() -> list[Upload]:
    """Files no validator would pass: text, nothing, and one over the size cap."""
    return [
        Upload("notes.txt", b"these are not the replays you are looking for\n"),
        Upload("empty.replay", b""),
        Upload("huge.replay", bytes(REPLAY_CAP + 1)),
    ]


@dataclass(frozen=True)
class Case:
    """One mutation's call: its arguments (``values``: every argument, by name, as JSON)
    and files (for an ``[Upload!]!`` argument called ``files``, sent as a multipart request);
    ``allowed``: a role that may make the call, whose refusal of these inputs shows they are
    invalid (None where the arguments are ids alone: that call would simply succeed)."""

    values: Callable[[Targets], dict[str, Any]]
    allowed: str | None = "superuser"
    uploads: Callable[[], list[Upload]] | None = None


CASES: dict[str, Case] = {
    # -- identity
    "setDisplayName": Case(lambda t: {"name": CONTROL_NAME}, allowed="outsider"),
    "setTimeZone": Case(lambda t: {"zone": "+02:00"}, allowed="outsider"),
    "createApiToken": Case(lambda t: {"name": "  ", "days": -5}, allowed="outsider"),
    "revokeApiToken": Case(lambda t: {"tokenId": str(t.other_token_id)}, allowed=None),
    "grantRole": Case(
        lambda t: {
            "organizationId": t.org,
            "userId": str(t.user_id),
            "role": "TEAM_CAPTAIN",  # not granted: captains come from rosters
            "leagueId": t.league,
            "franchiseId": str(t.world.franchise_id),
        }
    ),
    "revokeRole": Case(lambda t: {"grantId": str(t.grant_id)}, allowed=None),
    "linkPlatformAccount": Case(
        lambda t: {
            "memberId": str(t.world.member_ids["player"]),
            "platform": "nintendo64",
            "accountId": "",
            "displayName": "z" * 10_000,
        }
    ),
    "unlinkPlatformAccount": Case(lambda t: {"accountId": str(t.account_id)}, allowed=None),
    # -- league
    "createOrganization": Case(
        lambda t: {"slug": "Not A Slug!", "name": "", "timeZone": "Mars/Olympus_Mons"}
    ),
    "setOrganizationTimeZone": Case(
        lambda t: {"organizationId": t.org, "timeZone": "Europe/Atlantis"}
    ),
    "setOrganizationSetting": Case(
        lambda t: {"organizationId": t.org, "key": "no_such_setting", "value": -1}
    ),
    "createLeague": Case(
        lambda t: {
            "organizationId": t.org,
            "name": "",
            "gameMode": "curling",
            "rosterMin": -1,
            "rosterMax": -2,
            "matchFormat": "bo4",
        }
    ),
    "createSeason": Case(
        lambda t: {
            "leagueId": t.league,
            "number": -1,
            "startsAt": FUTURE,
            "endsAt": LONG_AGO,
            "name": "",
        }
    ),
    "createSkillGroup": Case(
        lambda t: {"leagueId": t.league, "name": "", "code": "", "ordinal": -1, "salaryCap": -5.0}
    ),
    "createFranchise": Case(lambda t: {"organizationId": t.org, "name": "", "code": " "}),
    "createTeam": Case(
        lambda t: {
            "leagueId": t.league,
            "name": "",
            "skillGroupId": str(t.world.skill_group_ids[0]),
            "franchiseId": str(t.world.franchise_id),
        }
    ),
    "addMember": Case(
        lambda t: {
            "organizationId": t.org,
            # Someone else: staff's to add. (Naming themself, any signed-in user may join, an
            # act of their own like setDisplayName's: then the name's own check answers.)
            "userId": str(t.user_id),
            "discordId": "not a discord id",  # and both ids at once
            "name": "",
        }
    ),
    "setIdentitiesPublic": Case(lambda t: {"organizationId": t.org, "public": True}, allowed=None),
    "removeMember": Case(
        lambda t: {"organizationId": t.org, "memberId": str(t.world.member_ids["player"])},
        allowed=None,
    ),
    "registerPlayer": Case(
        lambda t: {
            "memberId": str(t.world.member_ids["player"]),
            "leagueId": t.league,
            "skillGroupId": str(t.world.skill_group_ids[1]),
            "salary": -5.0,
        }
    ),
    "movePlayer": Case(
        lambda t: {
            "playerId": str(t.world.free_player_ids[0]),
            "skillGroupId": str(t.world.skill_group_ids[1]),
            "reason": "   ",
        }
    ),
    "addToRoster": Case(
        lambda t: {
            "teamId": str(t.world.team_ids[0]),
            "playerId": str(t.world.free_player_ids[0]),
            "seasonId": t.season,
            "captain": True,
            "at": FUTURE,
        }
    ),
    "removeFromRoster": Case(
        lambda t: {
            "teamId": str(t.world.team_ids[0]),
            "playerId": str(t.world.free_player_ids[0]),  # on no team
            "seasonId": t.season,
            "at": LONG_AGO,
        }
    ),
    "setCaptain": Case(
        lambda t: {
            "teamId": str(t.world.team_ids[0]),
            "playerId": str(t.world.free_player_ids[0]),
            "seasonId": t.season,
        }
    ),
    # -- schedule
    "createMatchWeeks": Case(
        lambda t: {"seasonId": t.season, "count": -1, "firstStartsAt": LONG_AGO, "days": 0}
    ),
    "generateSchedule": Case(
        lambda t: {
            "seasonId": t.season,
            "skillGroupId": str(t.world.skill_group_ids[1]),
            "doubleRoundRobin": True,
            "matchFormat": "bo4",
        }
    ),
    "importSchedule": Case(
        # Over the 1 MB a schedule file may hold (and no CSV at all).
        lambda t: {"seasonId": t.season, "csv": "x" * 1_000_001, "allowTwiceInWeek": False}
    ),
    "rescheduleMatch": Case(
        lambda t: {"matchId": str(t.world.match_ids[0]), "startsAt": FUTURE, "endsAt": LONG_AGO}
    ),
    "recordForfeit": Case(
        lambda t: {"matchId": str(t.world.match_ids[0]), "teamId": str(t.bystander_team_id)}
    ),
    "recordResult": Case(
        lambda t: {
            "matchId": str(t.world.match_ids[0]),
            "games": [{"homeGoals": -1, "awayGoals": -3}],
        }
    ),
    # -- replay submissions
    "submitReplays": Case(lambda t: {"matchId": str(t.world.match_ids[0])}, uploads=not_replays),
    "ratifySubmission": Case(lambda t: {"submissionId": str(t.submission_id)}, allowed=None),
    "rejectSubmission": Case(
        lambda t: {"submissionId": str(t.submission_id), "reason": "   "}, allowed="player"
    ),
    "forceAcceptSubmission": Case(lambda t: {"submissionId": str(t.submission_id)}, allowed=None),
    "resetSubmission": Case(lambda t: {"submissionId": str(t.submission_id)}, allowed=None),
    "invalidateSubmission": Case(lambda t: {"submissionId": str(t.submission_id), "reason": ""}),
    "claimAccount": Case(
        lambda t: {"submissionId": str(t.submission_id), "platform": "", "accountId": ""},
        allowed="player",
    ),
    "confirmAccountClaim": Case(lambda t: {"claimId": str(t.claim_id)}, allowed=None),
    # -- scrims and the matchmaking queue
    "createScrim": Case(
        lambda t: {
            "organizationId": t.org,
            "gameMode": "curling",
            "waitMinutes": -5,
            "competitive": True,
            "teamMode": "ROUND_ROBIN",
            "games": 99,
            "skillGroupId": str(t.world.skill_group_ids[1]),
        },
        allowed="team_captain",
    ),
    "joinScrim": Case(
        lambda t: {"scrimId": str(t.scrim_id), "waitMinutes": 2**31 - 1, "groupCode": "??"},
        allowed="team_captain",
    ),
    "leaveScrim": Case(lambda t: {"scrimId": str(t.scrim_id)}, allowed="team_captain"),
    "createScrimGroup": Case(lambda t: {"scrimId": str(t.scrim_id)}, allowed="team_captain"),
    "checkIn": Case(lambda t: {"scrimId": str(t.scrim_id)}, allowed="team_captain"),
    "submitScrimReplays": Case(lambda t: {"scrimId": str(t.scrim_id)}, uploads=not_replays),
    "lockScrim": Case(lambda t: {"scrimId": str(t.scrim_id)}, allowed=None),
    "unlockScrim": Case(lambda t: {"scrimId": str(t.scrim_id)}),  # not locked
    "cancelScrim": Case(lambda t: {"scrimId": str(t.scrim_id)}, allowed=None),
    "liftQueueBan": Case(lambda t: {"banId": str(t.ban_id)}, allowed=None),
    "enterScrimQueue": Case(
        lambda t: {
            "organizationId": t.org,
            "gameMode": "curling",
            "waitMinutes": 0,
            "competitive": True,
            "skillGroupId": str(t.world.skill_group_ids[1]),
        },
        allowed="team_captain",
    ),
    "leaveScrimQueue": Case(lambda t: {"organizationId": t.org}, allowed="team_captain"),
}

# The outsider's answer where it is not PERMISSION_DENIED, and why.
OWN_ACTS: dict[str, tuple[str, str]] = {
    "setDisplayName": (
        "INVALID_NAME",
        "every signed-in user names themself and only themself: no one else's right is at "
        "stake, so the name's own check answers",
    ),
    "setTimeZone": (
        "INVALID_TIME_ZONE",
        "every signed-in user sets their own time zone and only theirs: the zone's own check "
        "answers",
    ),
    "createApiToken": (
        "INVALID_TOKEN_LIFETIME",
        "every signed-in user makes tokens for themself and only themself: the lifetime's "
        "check answers",
    ),
    "revokeApiToken": (
        "NOT_FOUND",
        "a caller revokes only their own tokens, and another user's token is answered as one "
        "that does not exist, so its id is not even confirmed (identity.service.revoke_token)",
    ),
}


# -- the schema's mutations as documents ------------------------------------------------------


def current_schema() -> graphql.GraphQLSchema:
    return graphql.build_schema(build_schema().as_str())


def mutations(schema: graphql.GraphQLSchema) -> dict[str, graphql.GraphQLField]:
    assert schema.mutation_type is not None
    return dict(schema.mutation_type.fields)


def uncovered(schema: graphql.GraphQLSchema) -> set[str]:
    return set(mutations(schema)) - set(CASES)


def assert_cases_cover(schema: graphql.GraphQLSchema) -> None:
    missing = uncovered(schema)
    assert not missing, (
        f"Mutations without a permission-first case: {', '.join(sorted(missing))}. "
        "Add each to CASES, with inputs a validator refuses and ids that exist."
    )


def document(name: str, field: graphql.GraphQLField) -> str:
    """The mutation with every argument passed as the variable of the same name."""
    declared = ", ".join(f"${arg}: {spec.type}" for arg, spec in field.args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    returns = graphql.get_named_type(field.type)
    selection = " { __typename }" if isinstance(returns, graphql.GraphQLObjectType) else ""
    return f"mutation({declared}) {{ {name}({passed}){selection} }}"


def id_arguments(field: graphql.GraphQLField) -> list[str]:
    return [
        arg
        for arg, spec in field.args.items()
        if graphql.get_named_type(spec.type) is graphql.GraphQLID
    ]


def upload_arguments(field: graphql.GraphQLField) -> list[str]:
    return [
        arg
        for arg, spec in field.args.items()
        if graphql.get_named_type(spec.type).name == "Upload"
    ]


# -- calling and judging ----------------------------------------------------------------------


@dataclass
class Caller:
    http: Any
    world: World

    async def __call__(
        self, role: str, name: str, field: graphql.GraphQLField, case: Case, values: dict
    ) -> dict[str, Any]:
        token = self.world.tokens[role]
        if case.uploads is not None:
            response = await post_multipart(
                self.http, document(name, field), values, case.uploads(), token=token
            )
        else:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await self.http.post(
                "/graphql",
                json={"query": document(name, field), "variables": values},
                headers=headers,
            )
        assert response.status_code == 200, response.text
        return response.json()


def refusal(name: str, body: dict[str, Any]) -> str | None:
    """The code of the call's one refusal, at the mutation's own path (None: no refusal)."""
    errors = body.get("errors") or []
    if not errors:
        return None
    (error,) = errors
    assert error.get("path") == [name], error
    assert error.get("message", "").strip() and "Traceback" not in error["message"], error
    assert (body.get("data") or {}).get(name) is None, body
    return (error.get("extensions") or {}).get("code")


# -- the tests --------------------------------------------------------------------------------


def test_every_mutation_has_a_case_with_every_argument() -> None:
    schema = current_schema()
    assert_cases_cover(schema)
    assert not set(CASES) - set(mutations(schema)), "CASES names unknown mutations"
    assert set(OWN_ACTS) <= set(CASES)
    world = World(1, 2, 3, [4, 5], 6, [7, 8], [9], [10], {"player": 11}, match_ids=[12])
    targets = Targets(world, *range(20, 29))
    for name, field in mutations(schema).items():
        case = CASES[name]
        given = set(case.values(targets)) | set(upload_arguments(field))
        assert given == set(field.args), f"{name}: give every argument, {sorted(field.args)}"
        assert (case.uploads is not None) == bool(upload_arguments(field)), name


def test_a_mutation_without_a_case_fails_the_check() -> None:
    extended = graphql.extend_schema(
        current_schema(),
        graphql.parse("extend type Mutation { banPlayer(playerId: ID!): Boolean }"),
    )
    assert uncovered(extended) == {"banPlayer"}
    with pytest.raises(AssertionError, match="banPlayer"):
        assert_cases_cover(extended)


async def test_who_may_act_answers_before_any_validator(platform, world, http, settings) -> None:
    schema = current_schema()
    assert_cases_cover(schema)
    targets = await build_targets(platform, world)
    settings.replay_max_bytes = REPLAY_CAP  # the uploads' oversize file is over it
    call = Caller(http, world)
    problems: list[str] = []

    def expect(label: str, body: dict[str, Any], name: str, wanted: Sequence[str]) -> str | None:
        code = refusal(name, body)
        if code not in wanted:
            problems.append(f"{label}: expected {' or '.join(wanted)}, got {code or body}")
        return code

    for name, field in sorted(mutations(schema).items()):
        case = CASES[name]
        values = case.values(targets)
        ids = id_arguments(field)
        before = await snapshot(platform)

        # Ids that exist, inputs a validator refuses.
        body = await call("spectator", name, field, case, values)
        expect(f"{name} as the spectator", body, name, ["UNAUTHENTICATED"])
        body = await call("outsider", name, field, case, values)
        expect(f"{name} as the outsider", body, name, [OWN_ACTS.get(name, (DENIED,))[0]])

        # One id at a time that names nothing, then one that is no id at all.
        for arg in ids:
            if values[arg] is None:
                continue
            gone = {**values, arg: MISSING}
            body = await call("outsider", name, field, case, gone)
            label = f"{name} as the outsider, {arg} naming nothing"
            expect(label, body, name, ["NOT_FOUND", DENIED])
            bad = {**values, arg: MALFORMED}
            body = await call("outsider", name, field, case, bad)
            label = f"{name} as the outsider, {arg} no id"
            expect(label, body, name, ["INVALID_ID"])
            body = await call("spectator", name, field, case, bad)
            expect(f"{name} as the spectator, {arg} no id", body, name, ["UNAUTHENTICATED"])
        if ids:
            nothing = {**values, **{arg: MISSING for arg in ids}}
            body = await call("spectator", name, field, case, nothing)
            expect(
                f"{name} as the spectator, no id naming anything", body, name, ["UNAUTHENTICATED"]
            )

        # A caller who may act is refused these inputs by a validator (or the row's state).
        if case.allowed is not None:
            body = await call(case.allowed, name, field, case, values)
            code = refusal(name, body)
            if code is None or code in PERMISSION_CODES:
                problems.append(
                    f"{name} as {case.allowed}: the inputs should be refused as invalid, "
                    f"got {code or body}"
                )

        after = await snapshot(platform)
        changed = [table for table in before if before[table] != after[table]]
        if changed:
            problems.append(f"{name}: refused calls changed the tables {changed}")

    assert not problems, "\n".join(problems)


GRANT = """
mutation($o: ID!, $u: ID!, $r: Role!, $l: ID, $f: ID) {
  grantRole(organizationId: $o, userId: $u, role: $r, leagueId: $l, franchiseId: $f) { id }
}
"""


async def test_a_malformed_id_is_invalid_id_for_a_caller_who_may_act(platform, world, gql) -> None:
    """A malformed id is INVALID_ID before the service runs, even one the grant would not have
    used; nothing changes."""
    user_id = await Fresh(platform, world).user()
    manager = {
        "o": str(world.organization_id),
        "u": str(user_id),
        "r": "FRANCHISE_MANAGER",
        "l": None,
        "f": str(world.franchise_id),
    }
    for variables in (
        {**manager, "o": MALFORMED, "r": "LEAGUE_STAFF", "f": None},  # the scope itself
        {**manager, "l": MALFORMED},  # an id a franchise manager's grant does not use
    ):
        before = await snapshot(platform)
        error = await gql.error(GRANT, variables, token=world.tokens["superuser"])
        assert error["extensions"]["code"] == "INVALID_ID", error
        assert error["message"] == f"'{MALFORMED}' is not a valid id."
        assert await snapshot(platform) == before
    # With the malformed id left out, the same grant is made: the refusal was the id's.
    made = await gql.ok(GRANT, manager, token=world.tokens["superuser"])
    assert made["grantRole"]["id"]


CONFIRM = "mutation($c: ID!) { confirmAccountClaim(claimId: $c) { id status } }"


async def test_an_answered_claim_is_still_refused_to_the_outsider(platform, world, gql) -> None:
    """Confirming a claim already confirmed changes nothing, for those who may confirm it;
    anyone else is refused first (they were handed the claim back)."""
    targets = await build_targets(platform, world)
    async with platform.unit_of_work() as s:
        await replays.confirm_claim(s, actor=world.actors["superuser"], claim_id=targets.claim_id)
    variables = {"c": str(targets.claim_id)}
    before = await snapshot(platform)
    for role, code in (("outsider", DENIED), ("spectator", "UNAUTHENTICATED")):
        error = await gql.error(CONFIRM, variables, token=world.tokens[role])
        assert error["extensions"]["code"] == code, (role, error)
    again = await gql.ok(CONFIRM, variables, token=world.tokens["league_staff"])
    assert again["confirmAccountClaim"]["status"] == "CONFIRMED"
    assert await snapshot(platform) == before
