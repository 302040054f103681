"""Read queries: pagination, filters, rosters over time, standings, schedules, settings, me."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sprocket.db import utcnow
from tests.api.support import Fresh, iso
from tests.league_world import World

MATCHES = """
query($s: ID!, $week: Int, $team: ID, $group: ID, $status: MatchStatus, $first: Int! = 50,
      $after: String) {
  matches(seasonId: $s, week: $week, teamId: $team, skillGroupId: $group, status: $status,
          first: $first, after: $after) {
    nodes { id status week { number } homeTeam { id name } awayTeam { id name }
            forfeitedBy { name } games { number homeGoals awayGoals } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

STANDINGS = """
query($s: ID!, $g: ID) {
  standings(seasonId: $s, skillGroupId: $g) {
    rank played seriesWon seriesDrawn seriesLost forfeits gamesWon gamesLost gameDifference
    goalsFor goalsAgainst goalDifference points team { name }
  }
}
"""

RECORD = """
mutation($m: ID!, $g: [GameScoreInput!]!) {
  recordResult(matchId: $m, games: $g) { status games { number homeGoals awayGoals } }
}
"""


@pytest.fixture
def fresh(platform, world) -> Fresh:
    return Fresh(platform, world)


async def _matches(gql, world: World, **filters: Any) -> dict[str, Any]:
    variables = {"s": str(world.season_id), **filters}
    return (await gql.ok(MATCHES, variables))["matches"]


async def _match_between(gql, world: World, a: int, b: int) -> dict[str, Any]:
    nodes = (await _matches(gql, world, team=str(a)))["nodes"]
    (match,) = [m for m in nodes if {m["homeTeam"]["id"], m["awayTeam"]["id"]} == {str(a), str(b)}]
    return match


async def _play(gql, world: World, a: int, b: int, games: list[tuple[int, int]]) -> None:
    """Record a result between teams ``a`` and ``b``; ``games`` are (a's goals, b's goals)."""
    match = await _match_between(gql, world, a, b)
    home_is_a = match["homeTeam"]["id"] == str(a)
    scores = [
        {"homeGoals": x, "awayGoals": y} if home_is_a else {"homeGoals": y, "awayGoals": x}
        for x, y in games
    ]
    data = await gql.ok(RECORD, {"m": match["id"], "g": scores}, token=world.tokens["league_staff"])
    assert data["recordResult"]["status"] == "COMPLETED"
    assert len(data["recordResult"]["games"]) == len(games)


async def _forfeit(gql, world: World, loser: int, other: int) -> None:
    match = await _match_between(gql, world, loser, other)
    data = await gql.ok(
        "mutation($m: ID!, $t: ID!) { recordForfeit(matchId: $m, teamId: $t)"
        " { status forfeitedBy { id } } }",
        {"m": match["id"], "t": str(loser)},
        token=world.tokens["organization_admin"],
    )
    assert data["recordForfeit"] == {"status": "FORFEITED", "forfeitedBy": {"id": str(loser)}}


async def _play_the_table(gql, world: World) -> None:
    """Team 1 beats Team 2 3-0; Team 4 forfeits to Team 3; Team 3 beats Team 1 3-2."""
    t1, t2, t3, t4 = world.team_ids
    await _play(gql, world, t1, t2, [(3, 1), (2, 0), (4, 2)])
    await _forfeit(gql, world, t4, t3)
    await _play(gql, world, t1, t3, [(1, 2), (2, 1), (0, 3), (3, 2), (1, 4)])


async def _standings(gql, world: World) -> dict[str, dict[str, Any]]:
    rows = (await gql.ok(STANDINGS, {"s": str(world.season_id)}))["standings"]
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    return {row["team"]["name"]: row for row in rows}


# -- organizations and pagination ---------------------------------------------------------------

ORGS = """
query($first: Int!, $after: String) {
  organizations(first: $first, after: $after) {
    nodes { id slug } pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_organizations_pages_with_cursors(gql, world, fresh) -> None:
    for _ in range(4):
        await fresh.organization()
    seen: list[str] = []
    after = None
    pages = []
    while True:
        page = (await gql.ok(ORGS, {"first": 2, "after": after}))["organizations"]
        pages.append((len(page["nodes"]), page["pageInfo"]["hasNextPage"]))
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after
    assert pages == [(2, True), (2, True), (1, False)]
    assert seen == sorted(seen, key=int) and len(set(seen)) == 5

    everything = (await gql.ok(ORGS, {"first": 100}))["organizations"]
    assert [n["id"] for n in everything["nodes"]] == seen
    assert everything["pageInfo"]["hasNextPage"] is False
    past_the_end = await gql.ok(ORGS, {"first": 2, "after": everything["pageInfo"]["endCursor"]})
    assert past_the_end["organizations"] == {
        "nodes": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }

    for bad in ("garbage", "Yzp4", "eDox", ""):
        error = await gql.error(ORGS, {"first": 2, "after": bad})
        assert error["extensions"]["code"] == "INVALID_CURSOR", (bad, error)
    for size in (0, -1, 101):
        error = await gql.error(ORGS, {"first": size})
        assert error["extensions"]["code"] == "INVALID_PAGE_SIZE"


# -- filters ------------------------------------------------------------------------------------

TEAMS = """
query($l: ID!, $g: ID, $f: ID, $first: Int! = 50, $after: String) {
  teams(leagueId: $l, skillGroupId: $g, franchiseId: $f, first: $first, after: $after) {
    nodes { name skillGroup { code } franchise { code } } pageInfo { hasNextPage endCursor }
  }
}
"""

PLAYERS = """
query($l: ID!, $g: ID, $name: String) {
  players(leagueId: $l, skillGroupId: $g, nameContains: $name) {
    nodes { name skillGroup { code } }
  }
}
"""


async def test_teams_filters(gql, world, fresh) -> None:
    premier, master = world.skill_group_ids
    await fresh.team(skill_group_id=master, name="Master One")

    async def names(**filters: Any) -> list[str]:
        data = await gql.ok(TEAMS, {"l": str(world.league_id), **filters})
        return [node["name"] for node in data["teams"]["nodes"]]

    assert await names() == ["Team 1", "Team 2", "Team 3", "Team 4", "Master One"]
    assert await names(g=str(premier)) == ["Team 1", "Team 2", "Team 3", "Team 4"]
    assert await names(g=str(master)) == ["Master One"]
    assert await names(f=str(world.franchise_id)) == ["Team 1"]
    assert await names(f=str(world.franchise_id), g=str(master)) == []
    first = (await gql.ok(TEAMS, {"l": str(world.league_id), "first": 3}))["teams"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await gql.ok(
        TEAMS, {"l": str(world.league_id), "first": 3, "after": first["pageInfo"]["endCursor"]}
    )
    assert [n["name"] for n in rest["teams"]["nodes"]] == ["Team 4", "Master One"]


async def test_players_filters(gql, world, fresh) -> None:
    master = world.skill_group_ids[1]
    await fresh.player(skill_group_id=master)

    async def names(**filters: Any) -> list[str]:
        data = await gql.ok(PLAYERS, {"l": str(world.league_id), **filters})
        return sorted(node["name"] for node in data["players"]["nodes"])

    everyone = await names()
    assert len(everyone) == 4 * 2 + 3 + 1
    assert await names(g=str(master)) == ["Fresh User 1"]
    assert len(await names(g=str(world.skill_group_ids[0]))) == 11
    assert await names(name="free") == ["Free 0", "Free 1", "Free 2"]
    assert await names(name="  P1 ") == ["P10", "P11"]
    assert await names(name="Captain") == ["Team Captain"]
    assert await names(name="fresh", g=str(world.skill_group_ids[0])) == []
    # Characters that are wildcards in SQL are matched literally.
    assert await names(name="_") == []
    assert await names(name="%") == []


async def test_matches_filters(gql, world) -> None:
    everything = (await _matches(gql, world))["nodes"]
    assert len(everything) == 6  # a single round robin of four teams
    by_week: dict[int, int] = {}
    for match in everything:
        by_week[match["week"]["number"]] = by_week.get(match["week"]["number"], 0) + 1
    for week, count in by_week.items():
        nodes = (await _matches(gql, world, week=week))["nodes"]
        assert len(nodes) == count == 2
        assert {m["week"]["number"] for m in nodes} == {week}
    empty_weeks = [week for week in range(1, 7) if week not in by_week]
    assert len(empty_weeks) == 3  # three rounds spread over six weeks
    for week in empty_weeks:
        assert (await _matches(gql, world, week=week))["nodes"] == []

    t1 = str(world.team_ids[0])
    mine = (await _matches(gql, world, team=t1))["nodes"]
    assert len(mine) == 3
    assert all(t1 in (m["homeTeam"]["id"], m["awayTeam"]["id"]) for m in mine)
    week = mine[0]["week"]["number"]
    (both,) = (await _matches(gql, world, team=t1, week=week))["nodes"]
    assert both["id"] == mine[0]["id"]

    assert len((await _matches(gql, world, group=str(world.skill_group_ids[0])))["nodes"]) == 6
    assert (await _matches(gql, world, group=str(world.skill_group_ids[1])))["nodes"] == []

    await _play_the_table(gql, world)
    completed = (await _matches(gql, world, status="COMPLETED"))["nodes"]
    assert len(completed) == 2 and all(len(m["games"]) in (3, 5) for m in completed)
    (forfeited,) = (await _matches(gql, world, status="FORFEITED"))["nodes"]
    assert forfeited["forfeitedBy"] == {"name": "Team 4"} and forfeited["games"] == []
    assert len((await _matches(gql, world, status="SCHEDULED"))["nodes"]) == 3
    assert len((await _matches(gql, world, status="SCHEDULED", team=t1))["nodes"]) == 1

    page = await _matches(gql, world, first=4)
    assert len(page["nodes"]) == 4 and page["pageInfo"]["hasNextPage"]
    rest = await _matches(gql, world, first=4, after=page["pageInfo"]["endCursor"])
    assert len(rest["nodes"]) == 2 and not rest["pageInfo"]["hasNextPage"]


# -- rosters over time --------------------------------------------------------------------------

ROSTER = """
query($t: ID!, $s: ID!, $at: DateTime) {
  team(id: $t) { roster(seasonId: $s, at: $at) { isCaptain leftAt player { id name } } }
}
"""


async def test_team_roster_now_and_in_the_past(gql, world) -> None:
    team = str(world.team_ids[0])
    captain, player = (str(p) for p in world.player_ids[:2])

    async def roster(at: dt.datetime | None = None) -> list[tuple[str, bool, bool]]:
        variables = {"t": team, "s": str(world.season_id), "at": iso(at) if at else None}
        entries = (await gql.ok(ROSTER, variables))["team"]["roster"]
        return [(e["player"]["id"], e["isCaptain"], e["leftAt"] is not None) for e in entries]

    assert await roster() == [(captain, True, False), (player, False, False)]
    before_release = utcnow()
    await gql.ok(
        "mutation($t: ID!, $p: ID!, $s: ID!) {"
        " removeFromRoster(teamId: $t, playerId: $p, seasonId: $s) { leftAt } }",
        {"t": team, "p": player, "s": str(world.season_id)},
        token=world.tokens["franchise_manager"],
    )
    newcomer = str(world.free_player_ids[0])
    await gql.ok(
        "mutation($t: ID!, $p: ID!, $s: ID!) {"
        " addToRoster(teamId: $t, playerId: $p, seasonId: $s) { joinedAt } }",
        {"t": team, "p": newcomer, "s": str(world.season_id)},
        token=world.tokens["franchise_manager"],
    )

    assert await roster() == [(captain, True, False), (newcomer, False, False)]
    # The past keeps the released player (with the date they left), and not the newcomer.
    assert await roster(before_release) == [(captain, True, False), (player, False, True)]
    assert await roster(before_release - dt.timedelta(days=3)) == []
    # A moment without an offset is UTC.
    naive = await gql.ok(
        ROSTER,
        {
            "t": team,
            "s": str(world.season_id),
            "at": before_release.replace(tzinfo=None).isoformat(),
        },
    )
    assert [e["player"]["id"] for e in naive["team"]["roster"]] == [captain, player]
    names = (await gql.ok(ROSTER, {"t": team, "s": str(world.season_id)}))["team"]["roster"]
    assert names[0]["player"]["name"] == "Team Captain"


# -- standings ----------------------------------------------------------------------------------


async def test_standings_after_results_and_a_forfeit(gql, world) -> None:
    table = await _standings(gql, world)
    assert all(row["played"] == 0 and row["points"] == 0 for row in table.values())

    await _play_the_table(gql, world)
    table = await _standings(gql, world)
    assert [name for name, _ in sorted(table.items(), key=lambda kv: kv[1]["rank"])] == [
        "Team 3",  # 2 wins
        "Team 1",  # 1 win
        "Team 4",  # level with Team 2 on points and head-to-head; better game difference
        "Team 2",
    ]

    def row(name: str, **expected: int) -> None:
        got = {key: table[name][key] for key in expected}
        assert got == expected, name

    row(
        "Team 3", played=2, seriesWon=2, seriesLost=0, forfeits=0, points=2,
        gamesWon=3, gamesLost=2, gameDifference=1, goalsFor=12, goalsAgainst=7, goalDifference=5,
    )  # fmt: skip
    row(
        "Team 1", played=2, seriesWon=1, seriesLost=1, forfeits=0, points=1,
        gamesWon=5, gamesLost=3, gameDifference=2, goalsFor=16, goalsAgainst=15, goalDifference=1,
    )  # fmt: skip
    row(
        "Team 4", played=1, seriesWon=0, seriesLost=1, forfeits=1, points=0,
        gamesWon=0, gamesLost=0, gameDifference=0, goalsFor=0, goalsAgainst=0, goalDifference=0,
    )  # fmt: skip
    row(
        "Team 2", played=1, seriesWon=0, seriesLost=1, forfeits=0, points=0,
        gamesWon=0, gamesLost=3, gameDifference=-3, goalsFor=3, goalsAgainst=9, goalDifference=-6,
    )  # fmt: skip
    assert all(r["seriesDrawn"] == 0 for r in table.values())

    per_group = (
        await gql.ok(STANDINGS, {"s": str(world.season_id), "g": str(world.skill_group_ids[0])})
    )["standings"]
    assert [r["team"]["name"] for r in per_group] == ["Team 3", "Team 1", "Team 4", "Team 2"]
    empty = (
        await gql.ok(STANDINGS, {"s": str(world.season_id), "g": str(world.skill_group_ids[1])})
    )["standings"]
    assert empty == []


# -- CSV export and import ----------------------------------------------------------------------


async def test_schedule_csv_round_trips_into_a_second_season(gql, world) -> None:
    exported = (
        await gql.ok("query($s: ID!) { scheduleCsv(seasonId: $s) }", {"s": str(world.season_id)})
    )["scheduleCsv"]
    lines = exported.strip().splitlines()
    assert lines[0] == "week,home,away,start,end" and len(lines) == 7

    first = await gql.ok(
        "query($s: ID!) { season(id: $s) { startsAt endsAt } }", {"s": str(world.season_id)}
    )
    season = await gql.ok(  # the same dates, so that every match window fits it
        "mutation($l: ID!, $s: DateTime!, $e: DateTime!) {"
        " createSeason(leagueId: $l, number: 2, startsAt: $s, endsAt: $e) { id name } }",
        {
            "l": str(world.league_id),
            "s": first["season"]["startsAt"],
            "e": first["season"]["endsAt"],
        },
        token=world.tokens["league_staff"],
    )
    second = season["createSeason"]["id"]
    assert season["createSeason"]["name"] == "Season 2"
    imported = await gql.ok(
        "mutation($s: ID!, $c: String!) { importSchedule(seasonId: $s, csv: $c) { id status } }",
        {"s": second, "c": exported},
        token=world.tokens["league_staff"],
    )
    assert len(imported["importSchedule"]) == 6
    assert {m["status"] for m in imported["importSchedule"]} == {"SCHEDULED"}
    again = (await gql.ok("query($s: ID!) { scheduleCsv(seasonId: $s) }", {"s": second}))[
        "scheduleCsv"
    ]
    assert again == exported

    weeks_in_file = sorted({int(line.split(",")[0]) for line in lines[1:]})
    weeks = await gql.ok("query($s: ID!) { matchWeeks(seasonId: $s) { number } }", {"s": second})
    assert [w["number"] for w in weeks["matchWeeks"]] == weeks_in_file


async def test_match_weeks(gql, world) -> None:
    weeks = (
        await gql.ok(
            "query($s: ID!) { matchWeeks(seasonId: $s) { id number startsAt endsAt } }",
            {"s": str(world.season_id)},
        )
    )["matchWeeks"]
    assert [w["number"] for w in weeks] == [1, 2, 3, 4, 5, 6]
    starts = [dt.datetime.fromisoformat(w["startsAt"]) for w in weeks]
    ends = [dt.datetime.fromisoformat(w["endsAt"]) for w in weeks]
    assert all(end - start == dt.timedelta(days=7) for start, end in zip(starts, ends, strict=True))
    assert all(ends[i] == starts[i + 1] for i in range(5))
    season = (
        await gql.ok("query($s: ID!) { season(id: $s) { startsAt } }", {"s": str(world.season_id)})
    )["season"]
    assert dt.datetime.fromisoformat(season["startsAt"]) == starts[0]

    added = await gql.ok(
        "mutation($s: ID!) { createMatchWeeks(seasonId: $s, count: 2, days: 3) { number } }",
        {"s": str(world.season_id)},
        token=world.tokens["league_staff"],
    )
    assert [w["number"] for w in added["createMatchWeeks"]] == [7, 8]


# -- nested fields ------------------------------------------------------------------------------

ORGANIZATION = """
query($slug: String) {
  organization(slug: $slug) {
    id slug name
    leagues {
      id name rosterMin rosterMax matchFormat
      gameMode { code name teamSize teamCount }
      organization { slug }
      seasons { number name league { name } }
      skillGroups { code name ordinal salaryCap }
      teams { name skillGroup { code } franchise { code } league { name } }
    }
    franchises { name code teams { name } }
  }
}
"""


async def test_league_and_organization_nested_fields(gql, world) -> None:
    org = (await gql.ok(ORGANIZATION, {"slug": " TEST-ORG "}))["organization"]
    assert org["id"] == str(world.organization_id) and org["name"] == "Test Org"
    (league,) = org["leagues"]
    assert league["name"] == "Doubles" and league["matchFormat"] == "bo5"
    assert (league["rosterMin"], league["rosterMax"]) == (2, 4)
    assert league["gameMode"] == {
        "code": "doubles",
        "name": "Doubles",
        "teamSize": 2,
        "teamCount": 2,
    }
    assert league["organization"] == {"slug": "test-org"}
    assert league["seasons"] == [{"number": 1, "name": "Season 1", "league": {"name": "Doubles"}}]
    assert [(g["code"], g["ordinal"]) for g in league["skillGroups"]] == [("PL", 1), ("ML", 2)]
    assert [t["name"] for t in league["teams"]] == ["Team 1", "Team 2", "Team 3", "Team 4"]
    assert league["teams"][0]["franchise"] == {"code": "ACE"}
    assert {t["skillGroup"]["code"] for t in league["teams"]} == {"PL"}
    assert [t["franchise"] for t in league["teams"][1:]] == [None, None, None]
    assert org["franchises"] == [{"name": "Aces", "code": "ACE", "teams": [{"name": "Team 1"}]}]

    by_id = await gql.ok(
        "query($o: ID, $l: ID!, $p: ID!, $m: ID!) {"
        " organization(id: $o) { slug }"
        " league(id: $l) { name organization { name } }"
        " player(id: $p) { name league { name } skillGroup { code }"
        " member { name user { displayName } } }"
        " match(id: $m) { format skillGroup { code } homeTeam { league { name } } }"
        " }",
        {
            "o": str(world.organization_id),
            "l": str(world.league_id),
            "p": str(world.player_ids[1]),
            "m": str(world.match_ids[0]),
        },
    )
    assert by_id["organization"] == {"slug": "test-org"}
    assert by_id["league"] == {"name": "Doubles", "organization": {"name": "Test Org"}}
    assert by_id["player"] == {
        "name": "Player",
        "league": {"name": "Doubles"},
        "skillGroup": {"code": "PL"},
        "member": {"name": "Player", "user": {"displayName": "Player"}},
    }
    assert by_id["match"] == {
        "format": "bo5",
        "skillGroup": {"code": "PL"},
        "homeTeam": {"league": {"name": "Doubles"}},
    }
    missing = await gql.ok('{ organization(slug: "nope") { id } none: organization { id } }')
    assert missing == {"organization": None, "none": None}


# -- organization settings ----------------------------------------------------------------------

SETTINGS = "query($o: ID) { organization(id: $o) { settings { key value default isDefault } } }"
SET = (
    "mutation($o: ID!, $k: String!, $v: JSON!) {"
    " setOrganizationSetting(organizationId: $o, key: $k, value: $v)"
    " { settings { key value isDefault } } }"
)


async def test_organization_settings_change_the_standings(gql, world) -> None:
    org = str(world.organization_id)
    admin = world.tokens["organization_admin"]
    settings = (await gql.ok(SETTINGS, {"o": org}))["organization"]["settings"]
    by_key = {s["key"]: s for s in settings}
    assert by_key["points_win"] == {
        "key": "points_win",
        "value": 1,
        "default": 1,
        "isDefault": True,
    }
    assert by_key["tie_breaks"]["value"] == [
        "head_to_head",
        "game_difference",
        "goal_difference",
        "goals_for",
    ]
    assert all(s["isDefault"] for s in settings)

    await _play_the_table(gql, world)
    before = await _standings(gql, world)
    assert [before[t]["points"] for t in ("Team 3", "Team 1", "Team 4", "Team 2")] == [2, 1, 0, 0]

    changed = await gql.ok(SET, {"o": org, "k": "points_win", "v": 3}, token=admin)
    after_set = {s["key"]: s for s in changed["setOrganizationSetting"]["settings"]}
    assert after_set["points_win"] == {"key": "points_win", "value": 3, "isDefault": False}
    await gql.ok(SET, {"o": org, "k": "points_forfeit_loss", "v": -1}, token=admin)

    after = await _standings(gql, world)
    assert {name: row["points"] for name, row in after.items()} == {
        "Team 3": 6,
        "Team 1": 3,
        "Team 2": 0,
        "Team 4": -1,
    }
    # The forfeit now costs Team 4 a point: it drops below Team 2.
    assert (after["Team 2"]["rank"], after["Team 4"]["rank"]) == (3, 4)

    snapshot = (await gql.ok(SETTINGS, {"o": org}))["organization"]["settings"]
    for key, value in (
        ("points_win", "three"),
        ("points_win", 11),
        ("points_win", True),
        ("points_win", 1.5),
        ("tie_breaks", ["goals_for", "goals_for"]),
        ("tie_breaks", ["coin_toss"]),
        ("ratification_mode", "all"),
        ("require_private_match", "yes"),
    ):
        error = await gql.error(SET, {"o": org, "k": key, "v": value}, token=admin)
        assert error["extensions"]["code"] == "INVALID_SETTING", (key, value, error)
        assert key in error["message"]
    error = await gql.error(SET, {"o": org, "k": "points_for_style", "v": 1}, token=admin)
    assert error["extensions"]["code"] == "UNKNOWN_SETTING"
    assert "points_win" in error["message"]  # the sentence lists the known keys
    assert (await gql.ok(SETTINGS, {"o": org}))["organization"]["settings"] == snapshot
    assert await _standings(gql, world) == after


# -- me and tokens ------------------------------------------------------------------------------

ME = """
{ me { user { id displayName discordId } tokens { id name prefix revokedAt expiresAt }
       roles { role organizationId leagueId franchiseId } } }
"""


async def test_me_and_tokens(gql, world) -> None:
    assert (await gql.ok(ME))["me"] is None

    me = (await gql.ok(ME, token=world.tokens["player"]))["me"]
    assert me["user"]["id"] == str(world.user_ids["player"])
    assert me["user"]["displayName"] == "Player"
    assert me["roles"] == []
    (token,) = me["tokens"]
    assert token["name"] == "t" and token["revokedAt"] is None
    assert world.tokens["player"].startswith(token["prefix"])
    assert dt.datetime.fromisoformat(token["expiresAt"]) > utcnow()

    created = await gql.ok(
        'mutation { createApiToken(name: "  bot  ", days: 2) { secret token { id name prefix } } }',
        token=world.tokens["player"],
    )
    new = created["createApiToken"]
    assert new["token"]["name"] == "bot" and new["secret"].startswith(new["token"]["prefix"])
    assert (await gql.ok(ME, token=new["secret"]))["me"]["user"]["displayName"] == "Player"
    await gql.ok(
        "mutation($t: ID!) { revokeApiToken(tokenId: $t) { id } }",
        {"t": new["token"]["id"]},
        token=world.tokens["player"],
    )
    tokens = (await gql.ok(ME, token=world.tokens["player"]))["me"]["tokens"]
    assert [(t["name"], t["revokedAt"] is not None) for t in tokens] == [
        ("t", False),
        ("bot", True),
    ]
    assert all(t["prefix"] != new["secret"] for t in tokens)

    admin = (await gql.ok(ME, token=world.tokens["organization_admin"]))["me"]
    assert admin["roles"] == [
        {
            "role": "ORGANIZATION_ADMIN",
            "organizationId": str(world.organization_id),
            "leagueId": None,
            "franchiseId": None,
        }
    ]
    staff = (await gql.ok(ME, token=world.tokens["league_staff"]))["me"]["roles"]
    assert staff == [
        {
            "role": "LEAGUE_STAFF",
            "organizationId": str(world.organization_id),
            "leagueId": str(world.league_id),
            "franchiseId": None,
        }
    ]
    manager = (await gql.ok(ME, token=world.tokens["franchise_manager"]))["me"]["roles"]
    assert [(r["role"], r["franchiseId"]) for r in manager] == [
        ("FRANCHISE_MANAGER", str(world.franchise_id))
    ]
    # Each viewer sees only their own tokens.
    outsider = (await gql.ok(ME, token=world.tokens["outsider"]))["me"]["tokens"]
    assert [t["name"] for t in outsider] == ["t"]
