"""The scrim queue through GraphQL: the whole flow with lobby details for the players only,
typed errors, queue bans, and the two subscriptions fed by the outbox and pub/sub."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sprocket.api.context import Context
from sprocket.api.schema import build_schema
from sprocket.db import StatementCounter, utcnow
from sprocket.identity import service as identity
from sprocket.runtime import Runtime
from sprocket.scrims import bans as queue_bans
from sprocket.scrims import lifecycle
from tests.conftest import GraphQLClient
from tests.league_world import World
from tests.scrims.helpers import premier_people

TIMEOUT = 10
SCHEMA = build_schema()

SCRIM_FIELDS = """
id status competitive teamMode games seats checkInDeadline
gameMode { code teamSize }
skillGroup { name }
skillGroups { name }
players { member { name } skillGroup { code } team checkedIn }
lineups { number homeMemberIds awayMemberIds }
lobby { name password }
"""
CREATE = (
    'mutation($o: ID!) { createScrim(organizationId: $o, gameMode: "doubles", waitMinutes: 30)'
    f" {{ {SCRIM_FIELDS} }} }}"
)
JOIN = (
    "mutation($s: ID!, $c: String) { joinScrim(scrimId: $s, waitMinutes: 30, groupCode: $c)"
    f" {{ {SCRIM_FIELDS} }} }}"
)
CHECK_IN = f"mutation($s: ID!) {{ checkIn(scrimId: $s) {{ {SCRIM_FIELDS} }} }}"
SCRIM = f"query($s: ID!) {{ scrim(id: $s) {{ {SCRIM_FIELDS} }} }}"
QUEUE = (
    'query($o: ID!) { scrims(organizationId: $o, gameMode: "doubles")'
    " { id status skillGroups { name } players { member { name } } } }"
)


async def tokens_of(platform: Runtime, world: World) -> list[str]:
    """API tokens of four Premier players: the captain, the player and two more."""
    people = await premier_people(platform, world)
    known = {world.user_ids["team_captain"]: world.tokens["team_captain"]}
    known[world.user_ids["player"]] = world.tokens["player"]
    found = [known[p.user_id] for p in people if p.user_id in known]
    async with platform.unit_of_work() as s:
        for person in people:
            if person.user_id not in known and len(found) < 4:
                found.append(
                    (await identity.issue_token(s, actor=person.actor, name="scrim", days=1))[1]
                )
    assert len(found) == 4 and all(found)
    return [t for t in found if t]


async def test_a_scrim_through_the_api_from_queue_to_lobby(
    platform: Runtime, world: World, gql: GraphQLClient
) -> None:
    tokens = await tokens_of(platform, world)
    org = str(world.organization_id)
    created = (await gql.ok(CREATE, {"o": org}, token=tokens[0]))["createScrim"]
    assert created["status"] == "PENDING" and created["seats"] == 4
    assert created["skillGroup"] == {"name": "Premier"}
    assert created["gameMode"] == {"code": "doubles", "teamSize": 2}
    scrim_id = created["id"]

    # Anyone sees the queue and the skill groups of those in it before joining.
    queue = (await gql.ok(QUEUE, {"o": org}))["scrims"]
    assert [(s["id"], s["skillGroups"]) for s in queue] == [(scrim_id, [{"name": "Premier"}])]

    # A premade group: the second player joins the first's group by its code.
    group = (
        await gql.ok(
            "mutation($s: ID!) { createScrimGroup(scrimId: $s) { code scrimId } }",
            {"s": scrim_id},
            token=tokens[0],
        )
    )["createScrimGroup"]
    assert group["scrimId"] == scrim_id
    error = await gql.error(JOIN, {"s": scrim_id, "c": "ZZZZZZ"}, token=tokens[1])
    assert error["extensions"]["code"] == "GROUP_NOT_FOUND"
    await gql.ok(JOIN, {"s": scrim_id, "c": group["code"]}, token=tokens[1])
    await gql.ok(JOIN, {"s": scrim_id}, token=tokens[2])
    popped = (await gql.ok(JOIN, {"s": scrim_id}, token=tokens[3]))["joinScrim"]
    assert popped["status"] == "POPPED" and popped["checkInDeadline"]
    assert popped["lobby"] is None

    for n, token in enumerate(tokens):
        row = (await gql.ok(CHECK_IN, {"s": scrim_id}, token=token))["checkIn"]
        assert row["status"] == ("IN_PROGRESS" if n == 3 else "POPPED")
    error = await gql.error(CHECK_IN, {"s": scrim_id}, token=tokens[0])
    assert error["extensions"]["code"] == "ALREADY_CHECKED_IN"

    mine = (await gql.ok(SCRIM, {"s": scrim_id}, token=tokens[2]))["scrim"]
    assert mine["lobby"]["name"] and len(mine["lobby"]["password"]) == 8
    assert [g["number"] for g in mine["lineups"]] == [1, 2, 3]
    teams = [p["team"] for p in mine["players"]]
    assert sorted(teams) == [0, 0, 1, 1] and teams[0] == teams[1]  # the group plays together
    assert all(p["checkedIn"] and p["skillGroup"] == {"code": "PL"} for p in mine["players"])
    # The lobby is for the players and staff, not for everyone else.
    assert (await gql.ok(SCRIM, {"s": scrim_id}))["scrim"]["lobby"] is None
    outsider = await gql.ok(SCRIM, {"s": scrim_id}, token=world.tokens["outsider"])
    assert outsider["scrim"]["lobby"] is None
    staff = await gql.ok(SCRIM, {"s": scrim_id}, token=world.tokens["league_staff"])
    assert staff["scrim"]["lobby"] == mine["lobby"]

    my = await gql.ok(
        "query($o: ID!) { myScrim(organizationId: $o) { id status } }", {"o": org}, token=tokens[1]
    )
    assert my["myScrim"] == {"id": scrim_id, "status": "IN_PROGRESS"}
    error = await gql.error(
        "mutation($s: ID!) { leaveScrim(scrimId: $s) { id } }", {"s": scrim_id}, token=tokens[1]
    )
    assert error["extensions"]["code"] == "SCRIM_STARTED"


async def test_refusals_carry_their_code(
    platform: Runtime, world: World, gql: GraphQLClient
) -> None:
    tokens = await tokens_of(platform, world)
    org = str(world.organization_id)
    scrim_id = (await gql.ok(CREATE, {"o": org}, token=tokens[0]))["createScrim"]["id"]
    error = await gql.error(CREATE, {"o": org}, token=tokens[0])
    assert error["extensions"]["code"] == "ALREADY_IN_SCRIM"
    error = await gql.error(
        "mutation($s: ID!) { joinScrim(scrimId: $s, waitMinutes: 0) { id } }",
        {"s": scrim_id},
        token=tokens[1],
    )
    assert error["extensions"]["code"] == "INVALID_WAIT"
    error = await gql.error(CHECK_IN, {"s": scrim_id}, token=tokens[1])
    assert error["extensions"]["code"] == "NOT_IN_SCRIM"
    error = await gql.error(JOIN, {"s": scrim_id})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    # The status is a GraphQL enum: a word that is none of its values fails validation (the
    # service's own INVALID_STATUS is for doors that pass text: tests/scrims/test_service.py).
    error = await gql.error(
        "query($o: ID!) { scrims(organizationId: $o, status: LOST) { id } }", {"o": org}
    )
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_queue_bans_are_listed_for_staff_and_their_player_and_staff_lift_them(
    platform: Runtime, world: World, gql: GraphQLClient
) -> None:
    org = str(world.organization_id)
    async with platform.unit_of_work() as s:
        ban = await queue_bans.ban_member(
            s,
            organization_id=world.organization_id,
            member_id=world.member_ids["player"],
            reason="missed the check-in of scrim 7",
            now=utcnow(),
        )
    assert ban is not None
    query = "query($o: ID!) { queueBans(organizationId: $o) { id reason member { id } } }"
    staff = (await gql.ok(query, {"o": org}, token=world.tokens["league_staff"]))["queueBans"]
    assert [b["id"] for b in staff] == [str(ban.id)]
    own = (await gql.ok(query, {"o": org}, token=world.tokens["player"]))["queueBans"]
    assert own == staff
    assert (await gql.ok(query, {"o": org}, token=world.tokens["team_captain"]))["queueBans"] == []

    error = await gql.error(CREATE, {"o": org}, token=world.tokens["player"])
    assert error["extensions"]["code"] == "QUEUE_BANNED" and " until " in error["message"]
    lifted = await gql.ok(
        "mutation($b: ID!) { liftQueueBan(banId: $b) { liftedAt } }",
        {"b": str(ban.id)},
        token=world.tokens["league_staff"],
    )
    assert lifted["liftQueueBan"]["liftedAt"]
    assert (await gql.ok(CREATE, {"o": org}, token=world.tokens["player"]))["createScrim"]["id"]


# -- subscriptions --------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _subscribe(
    platform: Runtime, document: str, variables: dict[str, Any], token: str | None = None
) -> AsyncIterator[Any]:
    context = Context(platform, token or None)
    stream = await SCHEMA.subscribe(document, variable_values=variables, context_value=context)
    assert hasattr(stream, "__anext__"), getattr(stream, "errors", stream)
    try:
        yield stream
    finally:
        await stream.aclose()


async def _next(stream: Any, field: str) -> Any:
    result = await asyncio.wait_for(anext(stream), timeout=TIMEOUT)
    assert result.errors is None, result.errors
    return result.data[field]


async def _relay(platform: Runtime) -> None:
    assert await platform.relay.relay_once() >= 1


async def test_the_queue_subscription_streams_each_change(
    platform: Runtime, world: World, gql: GraphQLClient
) -> None:
    tokens = await tokens_of(platform, world)
    org = str(world.organization_id)
    document = (
        'subscription($o: ID!) { scrimQueue(organizationId: $o, gameMode: "doubles")'
        " { gameMode scrims { id status players { member { name } } } } }"
    )
    async with _subscribe(platform, document, {"o": org}) as stream:
        assert (await _next(stream, "scrimQueue")) == {"gameMode": "doubles", "scrims": []}
        scrim_id = (await gql.ok(CREATE, {"o": org}, token=tokens[0]))["createScrim"]["id"]
        await _relay(platform)
        event = await _next(stream, "scrimQueue")
        assert [(s["id"], len(s["players"])) for s in event["scrims"]] == [(scrim_id, 1)]
        await gql.ok(JOIN, {"s": scrim_id}, token=tokens[1])
        await _relay(platform)
        event = await _next(stream, "scrimQueue")
        assert [(s["id"], len(s["players"])) for s in event["scrims"]] == [(scrim_id, 2)]


async def test_my_scrim_subscription_follows_the_players_scrim(
    platform: Runtime, world: World, gql: GraphQLClient
) -> None:
    tokens = await tokens_of(platform, world)
    org = str(world.organization_id)
    document = (
        "subscription($o: ID!) { myScrimUpdates(organizationId: $o)"
        " { scrim { id status players { checkedIn } } } }"
    )
    async with _subscribe(platform, document, {"o": org}, token=tokens[3]) as stream:
        assert (await _next(stream, "myScrimUpdates")) == {"scrim": None}
        scrim_id = (await gql.ok(CREATE, {"o": org}, token=tokens[0]))["createScrim"]["id"]
        for token in tokens[1:3]:
            await gql.ok(JOIN, {"s": scrim_id}, token=token)
        await gql.ok(JOIN, {"s": scrim_id}, token=tokens[3])
        while await platform.relay.relay_once():
            pass
        event = await _next(stream, "myScrimUpdates")
        assert event["scrim"]["id"] == scrim_id and event["scrim"]["status"] == "POPPED"
        await gql.ok(CHECK_IN, {"s": scrim_id}, token=tokens[3])
        await _relay(platform)
        event = await _next(stream, "myScrimUpdates")
        assert [p["checkedIn"] for p in event["scrim"]["players"]] == [False, False, False, True]


async def test_my_scrim_subscription_needs_a_member(platform: Runtime, world: World) -> None:
    document = "subscription($o: ID!) { myScrimUpdates(organizationId: $o) { scrim { id } } }"
    context = Context(platform, world.tokens["outsider"])
    stream = await SCHEMA.subscribe(
        document, variable_values={"o": str(world.organization_id)}, context_value=context
    )
    result = await asyncio.wait_for(anext(stream), timeout=TIMEOUT)
    assert result.errors and "members" in result.errors[0].message
    await stream.aclose()


# -- statement counts -----------------------------------------------------------------------------

QUEUE_IN_FULL = (
    'query($o: ID!) { scrims(organizationId: $o, gameMode: "doubles") {'
    " id seats gameMode { code } skillGroup { name } skillGroups { name }"
    " players { member { name } skillGroup { name } checkedIn } lineups { number } } }"
)


async def _statements(platform: Runtime, query: str, variables: dict[str, Any]) -> tuple[int, Any]:
    await SCHEMA.execute(query, variables, context_value=Context(platform, None))  # warm-up
    with StatementCounter(platform.engine) as counter:
        result = await SCHEMA.execute(query, variables, context_value=Context(platform, None))
    assert result.errors is None, result.errors
    return counter.count, result.data


async def test_the_queue_query_does_not_grow_with_scrims_or_players(
    platform: Runtime, world: World
) -> None:
    people = await premier_people(platform, world)
    wait = utcnow() + dt.timedelta(minutes=30)
    org = {"o": str(world.organization_id)}

    async def open_with(members: list[Any]) -> None:
        async with platform.unit_of_work() as s:
            scrim = await lifecycle.create_scrim(
                s,
                actor=members[0].actor,
                organization_id=world.organization_id,
                game_mode="doubles",
                wait_until=wait,
            )
            for person in members[1:]:
                await lifecycle.join_scrim(
                    s, actor=person.actor, scrim_id=scrim.id, wait_until=wait
                )

    await open_with(people[:1])
    small, data = await _statements(platform, QUEUE_IN_FULL, org)
    assert len(data["scrims"]) == 1
    await open_with(people[1:4])
    await open_with(people[4:7])
    large, data = await _statements(platform, QUEUE_IN_FULL, org)
    assert [len(s["players"]) for s in data["scrims"]] == [1, 3, 3]
    assert large == small
