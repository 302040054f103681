"""Bad input gets a typed error (a sentence and ``extensions.code``) and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from sprocket.identity.models import ApiToken
from sprocket.league.models import PlatformAccount
from sprocket.schedule.models import Fixture, Match, MatchWeek
from tests.api.support import Fresh, epic_id, steam_id, world_fixture_csv
from tests.league_world import World


class Api:
    """Posts to /graphql and checks that no answer ever carries a stack trace."""

    def __init__(self, http: httpx.AsyncClient, world: World) -> None:
        self.http = http
        self.world = world

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str = "spectator"
    ) -> dict[str, Any]:
        token = self.world.tokens.get(as_, as_)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert "Traceback" not in response.text, response.text
        assert 'File "' not in response.text, response.text
        return response.json()

    async def ok(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        body = await self.post(query, variables, **kw)
        assert not body.get("errors"), body
        return body["data"]

    async def error(
        self, code: str, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        """The one error of a request that must fail with ``code``; its message is a sentence."""
        body = await self.post(query, variables, **kw)
        errors = body.get("errors") or []
        assert [(e.get("extensions") or {}).get("code") for e in errors] == [code], body
        message = errors[0]["message"]
        assert message.strip() and message.rstrip()[-1] in ".!?", message
        return errors[0]


@pytest.fixture
def api(http: httpx.AsyncClient, world: World) -> Api:
    return Api(http, world)


@pytest.fixture
def fresh(platform, world) -> Fresh:
    return Fresh(platform, world)


LINK = (
    "mutation($m: ID!, $p: String!, $a: String!) {"
    " linkPlatformAccount(memberId: $m, platform: $p, accountId: $a) { id platform accountId } }"
)
ROSTER = "query($t: ID!, $s: ID!) { team(id: $t) { roster(seasonId: $s) { player { id } } } }"
ADD = (
    "mutation($t: ID!, $p: ID!, $s: ID!) {"
    " addToRoster(teamId: $t, playerId: $p, seasonId: $s) { joinedAt } }"
)


async def _roster(api: Api, world: World, team_id: int) -> list[str]:
    data = await api.ok(ROSTER, {"t": str(team_id), "s": str(world.season_id)})
    return [entry["player"]["id"] for entry in data["team"]["roster"]]


# -- platform accounts --------------------------------------------------------------------------


async def test_duplicate_platform_account(api, world, fresh) -> None:
    player, captain = world.member_ids["player"], world.member_ids["team_captain"]
    # Staff links are verified at once; a verified account is the player's alone.
    linked = await api.ok(
        LINK, {"m": str(player), "p": "steam", "a": steam_id(1)}, as_="league_staff"
    )
    assert linked["linkPlatformAccount"]["accountId"] == steam_id(1)
    await api.ok(LINK, {"m": str(player), "p": "epic", "a": epic_id(7).upper()}, as_="superuser")
    before = await fresh.count(PlatformAccount)

    error = await api.error(
        "DUPLICATE_PLATFORM_ACCOUNT",
        LINK,
        {"m": str(captain), "p": "steam", "a": f" {steam_id(1)} "},
        as_="team_captain",
    )
    assert steam_id(1) in error["message"] and "another player" in error["message"]
    # Epic ids are compared in their canonical (lowercase) form.
    await api.error(
        "DUPLICATE_PLATFORM_ACCOUNT",
        LINK,
        {"m": str(captain), "p": "EPIC", "a": epic_id(7)},
        as_="superuser",
    )
    error = await api.error(
        "DUPLICATE_PLATFORM_ACCOUNT",
        LINK,
        {"m": str(player), "p": "steam", "a": steam_id(1)},
        as_="player",
    )
    assert "this player" in error["message"]
    assert await fresh.count(PlatformAccount) == before
    assert await fresh.count(PlatformAccount, PlatformAccount.member_id == captain) == 0


BAD_ACCOUNT_IDS = [
    ("steam", "7656119801234567"),  # 16 digits
    ("steam", "765611980123456789"),  # 18 digits
    ("steam", "7656119801234567x"),
    ("steam", "76561198-01234567"),
    ("steam", "７６５６１１９８０１２３４５６７８"),  # digits, but not ASCII ones
    ("steam", "12345678901234567"),  # 17 digits, not an individual account
    ("steam", "76561197960265728"),  # the public universe's account number 0
    ("steam", ""),
    ("epic", "0123456789abcdef0123456789abcde"),  # 31 hex digits
    ("epic", "0123456789abcdef0123456789abcdef0"),  # 33
    ("epic", "0123456789abcdef0123456789abcdeg"),
    ("epic", "01234567-89ab-cdef-0123-456789abcdef"),
    ("epic", ""),
    ("psn", ""),
    ("psn", "   "),
    ("xbox", "x" * 65),
    ("switch", "bell\x07"),
]


async def test_bad_account_id_formats(api, world, fresh) -> None:
    member = str(world.member_ids["player"])
    for platform, account_id in BAD_ACCOUNT_IDS:
        error = await api.error(
            "INVALID_ACCOUNT_ID", LINK, {"m": member, "p": platform, "a": account_id}, as_="player"
        )
        assert "is not a valid" in error["message"] and "expected" in error["message"], error
    error = await api.error(
        "INVALID_PLATFORM", LINK, {"m": member, "p": "origin", "a": "someone"}, as_="player"
    )
    assert "steam" in error["message"]
    assert await fresh.count(PlatformAccount) == 0

    good = [
        ("steam", "76561198012345678", "76561198012345678"),
        ("epic", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef"),
        ("psn", "Some_Player-1", "Some_Player-1"),
        ("xbox", "x" * 64, "x" * 64),
        ("switch", "SW-1234-5678-9012", "SW-1234-5678-9012"),
    ]
    for platform, account_id, canonical in good:
        data = await api.ok(LINK, {"m": member, "p": platform, "a": account_id}, as_="player")
        assert data["linkPlatformAccount"]["accountId"] == canonical
    assert await fresh.count(PlatformAccount) == len(good)


# -- rosters ------------------------------------------------------------------------------------


async def test_roster_over_its_limit(api, world) -> None:
    league = await api.ok(
        "query($l: ID!) { league(id: $l) { rosterMax } }", {"l": str(world.league_id)}
    )
    team = world.team_ids[0]
    assert league["league"]["rosterMax"] == 4 and len(await _roster(api, world, team)) == 2
    first, second, third = world.free_player_ids
    for player in (first, second):
        await api.ok(
            ADD, {"t": str(team), "p": str(player), "s": str(world.season_id)}, as_="league_staff"
        )
    before = await _roster(api, world, team)

    error = await api.error(
        "ROSTER_FULL",
        ADD,
        {"t": str(team), "p": str(third), "s": str(world.season_id)},
        as_="league_staff",
    )
    assert "Team 1" in error["message"] and "4" in error["message"]
    assert await _roster(api, world, team) == before and str(third) not in before


async def test_a_player_on_two_teams_in_one_season(api, world) -> None:
    taken = world.player_ids[0]  # on Team 1
    before = await _roster(api, world, world.team_ids[1])
    error = await api.error(
        "ALREADY_ROSTERED",
        ADD,
        {"t": str(world.team_ids[1]), "p": str(taken), "s": str(world.season_id)},
        as_="superuser",
    )
    assert "Team 1" in error["message"]
    assert await _roster(api, world, world.team_ids[1]) == before
    assert str(taken) in await _roster(api, world, world.team_ids[0])


# -- schedules ----------------------------------------------------------------------------------

GENERATE = "mutation($s: ID!, $g: ID) { generateSchedule(seasonId: $s, skillGroupId: $g) { id } }"


async def test_schedule_for_zero_or_one_team(api, world, fresh) -> None:
    empty_group = world.skill_group_ids[1]
    before = await fresh.count(Match)
    error = await api.error(
        "SCHEDULE_TOO_FEW_TEAMS",
        GENERATE,
        {"s": str(world.season_id), "g": str(empty_group)},
        as_="league_staff",
    )
    assert "at least two teams" in error["message"] and "0" in error["message"]

    await fresh.team(skill_group_id=empty_group)
    error = await api.error(
        "SCHEDULE_TOO_FEW_TEAMS",
        GENERATE,
        {"s": str(world.season_id), "g": str(empty_group)},
        as_="league_staff",
    )
    assert "has 1" in error["message"]

    season = await fresh.season(weeks=3)  # a league with no other group: still one team
    await api.error(
        "SCHEDULE_TOO_FEW_TEAMS",
        GENERATE,
        {"s": str(season), "g": str(empty_group)},
        as_="superuser",
    )
    assert await fresh.count(Match) == before


IMPORT = "mutation($s: ID!, $c: String!) { importSchedule(seasonId: $s, csv: $c) { id } }"


async def test_a_csv_with_bad_lines_imports_nothing(api, world, fresh) -> None:
    csv = (
        "week,home,away,start,end\n"
        "7,Team 1,Team 2,2030-03-01T19:00Z,2030-03-01T22:00Z\n"
        "7,Team 3,Nobody FC,2030-03-01T19:00Z,2030-03-01T22:00Z\n"
        "8,Team 1,Team 3,2030-03-08 19:00,not a date\n"
        "7,Team 2,Team 1,2030-03-02T19:00Z,2030-03-02T22:00Z\n"
        "9,Team 4,Team 4,2030-03-15T19:00Z,2030-03-15T22:00Z\n"
    )
    weeks, fixtures, matches = (
        await fresh.count(MatchWeek),
        await fresh.count(Fixture),
        await fresh.count(Match),
    )
    error = await api.error(
        "SCHEDULE_CSV_INVALID", IMPORT, {"s": str(world.season_id), "c": csv}, as_="league_staff"
    )
    details = error["extensions"]["details"]
    assert [d["line"] for d in details] == [3, 4, 5, 6]
    assert all(isinstance(d["message"], str) and d["message"] for d in details)
    assert "Nobody FC" in details[0]["message"]
    assert "not a valid date" in details[1]["message"]
    assert "line 2" in details[2]["message"]
    assert "itself" in details[3]["message"]
    assert "nothing was imported" in error["message"] and "Line 3" in error["message"]

    # A pairing already in the season's schedule is a bad line too (week 1 of the World).
    existing = await api.ok(
        "query($s: ID!) { matches(seasonId: $s, week: 1) { nodes {"
        " homeTeam { name } awayTeam { name } } } }",
        {"s": str(world.season_id)},
    )
    pair = existing["matches"]["nodes"][0]
    again = await world_fixture_csv(
        fresh.platform,
        world,
        (2, "Team 1", "Team 2"),  # week 2 of the World has no fixtures: a good line
        (1, pair["awayTeam"]["name"], pair["homeTeam"]["name"]),
    )
    error = await api.error(
        "SCHEDULE_CSV_INVALID", IMPORT, {"s": str(world.season_id), "c": again}, as_="superuser"
    )
    assert [d["line"] for d in error["extensions"]["details"]] == [3]
    assert "already meet in week 1" in error["extensions"]["details"][0]["message"]

    for bad in ("", "week,home,away\n1,Team 1,Team 2\n", "week,home,away,start,end\n"):
        await api.error(
            "SCHEDULE_CSV_INVALID", IMPORT, {"s": str(world.season_id), "c": bad}, as_="superuser"
        )
    assert (
        await fresh.count(MatchWeek),
        await fresh.count(Fixture),
        await fresh.count(Match),
    ) == (weeks, fixtures, matches)


# -- tokens -------------------------------------------------------------------------------------

ME = "{ me { user { displayName } } }"
NEW_TOKEN = 'mutation { createApiToken(name: "another") { secret } }'


async def _refused(api: Api, fresh: Fresh, token: str, code: str) -> None:
    """A bad token gets a 401 (see test_bad_token.py), whatever the document."""
    before = await fresh.count(ApiToken)
    for document in (ME, NEW_TOKEN):
        response = await api.http.post(
            "/graphql", json={"query": document}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, response.text
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == code
        assert "token" in error["message"].lower()
    assert await fresh.count(ApiToken) == before


async def test_expired_revoked_and_garbage_tokens(api, world, platform, fresh) -> None:
    user_id = world.user_ids["outsider"]
    expired_id, expired = await fresh.token(user_id)
    revoked_id, revoked = await fresh.token(user_id)
    for token in (expired, revoked):
        assert (await api.ok(ME, as_=token))["me"]["user"]["displayName"] == "Outsider"

    async with platform.unit_of_work() as session:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.id == expired_id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    await api.ok(
        "mutation($t: ID!) { revokeApiToken(tokenId: $t) { revokedAt } }",
        {"t": str(revoked_id)},
        as_=revoked,
    )

    await _refused(api, fresh, expired, "TOKEN_EXPIRED")
    await _refused(api, fresh, revoked, "TOKEN_REVOKED")
    await _refused(api, fresh, "spk_" + "x" * 43, "INVALID_TOKEN")
    await _refused(api, fresh, "garbage", "INVALID_TOKEN")
    # The owner's other token still works.
    assert (await api.ok(ME, as_="outsider"))["me"]["user"]["displayName"] == "Outsider"


# -- GraphQL documents and ids ------------------------------------------------------------------


async def test_a_malformed_query(api) -> None:
    for document in ("{ standings(seasonId: 1 { rank } }", "query {", "}{", "   "):
        error = await api.error("GRAPHQL_PARSE_FAILED", document)
        assert error["message"].startswith("Syntax Error")


def _nested(depth: int, team_id: int) -> str:
    """A query whose deepest field is ``depth`` levels below the root field."""
    chain = ["teams", "league", "organization", "leagues"]
    body = "name"
    for level in range(depth - 1, 0, -1):
        body = f"{chain[level % 4]} {{ {body} }}"
    return f'{{ team(id: "{team_id}") {{ {body} }} }}'


async def test_a_too_deep_query(api, world) -> None:
    assert (await api.ok(_nested(10, world.team_ids[0])))["team"] is not None
    error = await api.error("QUERY_TOO_COMPLEX", _nested(11, world.team_ids[0]))
    assert "10 levels" in error["message"]
    assert error["extensions"]["details"] == {"limit": "depth", "max": 10, "found": 11}
    await api.error("QUERY_TOO_COMPLEX", _nested(40, world.team_ids[0]))


async def test_an_unknown_field(api, world) -> None:
    error = await api.error("GRAPHQL_VALIDATION_FAILED", "{ nope }")
    await api.error(
        "GRAPHQL_VALIDATION_FAILED",
        "query($s: ID!) { standings(seasonId: $s) { rank team { colour } } }",
        {"s": str(world.season_id)},
    )
    assert "nope" in error["message"]


async def test_a_wrong_id(api, world) -> None:
    for bad in ("abc", "0", "-3", "1.5", "", str(2**70)):
        error = await api.error(
            "INVALID_ID", "query($t: ID!) { team(id: $t) { name } }", {"t": bad}
        )
        assert "not a valid" in error["message"]
    before = await api.ok(
        "query($s: ID!) { standings(seasonId: $s) { played } }", {"s": str(world.season_id)}
    )
    await api.error(
        "INVALID_ID",
        'mutation { recordForfeit(matchId: "abc", teamId: "1") { status } }',
        as_="superuser",
    )
    after = await api.ok(
        "query($s: ID!) { standings(seasonId: $s) { played } }", {"s": str(world.season_id)}
    )
    assert after == before


async def test_an_unknown_id(api, world, fresh) -> None:
    error = await api.error("NOT_FOUND", '{ standings(seasonId: "99999") { rank } }')
    assert "season" in error["message"] and "99999" in error["message"]
    await api.error("NOT_FOUND", '{ scheduleCsv(seasonId: "99999") }')
    before = await fresh.count(Match, Match.status == "scheduled")
    error = await api.error(
        "NOT_FOUND",
        'mutation { recordResult(matchId: "99999", games: []) { status } }',
        as_="superuser",
    )
    assert "match" in error["message"]
    await api.error(
        "NOT_FOUND",
        'mutation { linkPlatformAccount(memberId: "99999", platform: "psn", accountId: "a")'
        " { id } }",
        as_="superuser",
    )
    assert await fresh.count(Match, Match.status == "scheduled") == before
    assert await fresh.count(PlatformAccount) == 0
    # A missing single object is just null, not an error.
    assert (await api.ok('{ team(id: "99999") { name } }'))["team"] is None
