"""The matchmaking queue through GraphQL: enter, see your ticket and the queue sizes (counts,
no names), leave, typed refusals, and a full lobby popping a scrim that then checks in."""

from __future__ import annotations

from typing import Any

from sprocket.api.context import Context
from sprocket.api.schema import build_schema
from sprocket.db import StatementCounter
from sprocket.identity import service as identity
from sprocket.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.league_world import World
from tests.scrims.helpers import new_person, premier_people

SCHEMA = build_schema()

TICKET = """
id status competitive waitUntil leftAt gameMode { code } skillGroup { name }
scrim { id status seats players { member { name } } }
"""
ENTER = (
    "mutation($o: ID!, $w: Int! = 30, $c: Boolean! = true) {"
    ' enterScrimQueue(organizationId: $o, gameMode: "doubles", waitMinutes: $w, competitive: $c)'
    f" {{ {TICKET} }} }}"
)
LEAVE = f"mutation($o: ID!) {{ leaveScrimQueue(organizationId: $o) {{ {TICKET} }} }}"
MINE = f"query($o: ID!) {{ myScrimQueueTicket(organizationId: $o) {{ {TICKET} }} }}"
SIZES = """
query($o: ID!) {
  scrimQueueSizes(organizationId: $o) {
    gameMode { code } skillGroup { name } competitive waiting lobbySize
  }
}
"""
CHECK_IN = "mutation($s: ID!) { checkIn(scrimId: $s) { id status } }"


async def tokens_of(platform: Runtime, world: World, count: int = 4) -> list[str]:
    """API tokens of the first ``count`` Premier players."""
    people = (await premier_people(platform, world))[:count]
    async with platform.unit_of_work() as s:
        return [
            (await identity.issue_token(s, actor=p.actor, name="queue", days=1))[1] for p in people
        ]


async def test_the_queue_through_the_api_from_entry_to_a_started_scrim(
    platform: Runtime, world: World, gql: GraphQLClient
) -> None:
    tokens = await tokens_of(platform, world)
    org = {"o": str(world.organization_id)}
    for token in tokens[:3]:
        ticket = (await gql.ok(ENTER, org, token=token))["enterScrimQueue"]
        assert ticket["status"] == "QUEUED" and ticket["competitive"]
        assert ticket["gameMode"] == {"code": "doubles"}
        assert ticket["skillGroup"] == {"name": "Premier"} and ticket["scrim"] is None

    # Anyone sees how many wait where; nobody sees who.
    sizes = (await gql.ok(SIZES, org))["scrimQueueSizes"]
    assert sizes == [
        {
            "gameMode": {"code": "doubles"},
            "skillGroup": {"name": "Premier"},
            "competitive": True,
            "waiting": 3,
            "lobbySize": 4,
        }
    ]
    mine = (await gql.ok(MINE, org, token=tokens[0]))["myScrimQueueTicket"]
    assert mine["status"] == "QUEUED"
    assert (await gql.ok(MINE, org, token=tokens[3]))["myScrimQueueTicket"] is None

    left = (await gql.ok(LEAVE, org, token=tokens[2]))["leaveScrimQueue"]
    assert left["status"] == "LEFT" and left["leftAt"]
    assert (await gql.ok(ENTER, org, token=tokens[2]))["enterScrimQueue"]["status"] == "QUEUED"

    # Refusals carry their code.
    for variables, token, code in (
        (org, tokens[0], "ALREADY_QUEUED"),
        (org, None, "UNAUTHENTICATED"),
        ({**org, "w": 0}, tokens[3], "INVALID_WAIT"),
        (org, world.tokens["outsider"], "PERMISSION_DENIED"),
    ):
        error = await gql.error(ENTER, variables, token=token)
        assert error["extensions"]["code"] == code, error
        assert error["message"].strip()
    error = await gql.error(LEAVE, org, token=tokens[3])
    assert error["extensions"]["code"] == "NOT_QUEUED"
    error = await gql.error(MINE, org)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"

    # The fourth completes the lobby: a popped scrim, with everyone seated.
    placed = (await gql.ok(ENTER, org, token=tokens[3]))["enterScrimQueue"]
    assert placed["status"] == "PLACED"
    scrim = placed["scrim"]
    assert scrim["status"] == "POPPED" and scrim["seats"] == 4 and len(scrim["players"]) == 4
    assert (await gql.ok(MINE, org, token=tokens[0]))["myScrimQueueTicket"] is None
    assert (await gql.ok(SIZES, org))["scrimQueueSizes"] == []
    error = await gql.error(ENTER, org, token=tokens[0])
    assert error["extensions"]["code"] == "ALREADY_IN_SCRIM"
    my = await gql.ok(
        "query($o: ID!) { myScrim(organizationId: $o) { id status } }", org, token=tokens[1]
    )
    assert my["myScrim"] == {"id": scrim["id"], "status": "POPPED"}

    for n, token in enumerate(tokens):
        row = (await gql.ok(CHECK_IN, {"s": scrim["id"]}, token=token))["checkIn"]
        assert row["status"] == ("IN_PROGRESS" if n == 3 else "POPPED")


async def _statements(platform: Runtime, variables: dict[str, Any]) -> tuple[int, Any]:
    await SCHEMA.execute(SIZES, variables, context_value=Context(platform, None))  # warm-up
    with StatementCounter(platform.engine) as counter:
        result = await SCHEMA.execute(SIZES, variables, context_value=Context(platform, None))
    assert result.errors is None, result.errors
    return counter.count, result.data


async def test_the_queue_sizes_do_not_grow_in_statements_with_queues(
    platform: Runtime, world: World, gql: GraphQLClient
) -> None:
    tokens = await tokens_of(platform, world, 3)
    org = {"o": str(world.organization_id)}
    await gql.ok(ENTER, org, token=tokens[0])
    few, data = await _statements(platform, org)
    assert len(data["scrimQueueSizes"]) == 1

    await gql.ok(ENTER, {**org, "c": False}, token=tokens[1])
    await gql.ok(
        'mutation($o: ID!) { enterScrimQueue(organizationId: $o, gameMode: "standard",'
        " waitMinutes: 30, competitive: false) { id } }",
        org,
        token=tokens[2],
    )
    master = await new_person(platform, world, 7, skill_group=world.skill_group_ids[1])
    async with platform.unit_of_work() as s:
        secret = (await identity.issue_token(s, actor=master.actor, name="q", days=1))[1]
    await gql.ok(ENTER, org, token=secret)
    many, data = await _statements(platform, org)
    groups = [
        (q["gameMode"]["code"], (q["skillGroup"] or {}).get("name"))
        for q in data["scrimQueueSizes"]
    ]
    assert groups[-1] == ("standard", None)
    assert len(groups) == 4 and ("doubles", None) in groups
    assert many == few
