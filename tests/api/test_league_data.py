"""League data as real leagues have it, through GraphQL: rosters dated in the past and games
judged on their own dates, organization time zones, match windows within their week and
season, explicit members and their removal, display names, ``me``, ``totalCount`` on every
connection, game dates in rating histories and CSV exports a spreadsheet cannot run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.db import utcnow
from sprocket.identity import service as identity
from sprocket.league.models import Member
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from tests.api.support import iso, steam_id
from tests.api.test_errors import Api
from tests.api.test_replay_api import SUBMISSION, drain, upload
from tests.helpers.replay_writer import PlayerSpec, build_replay
from tests.league_world import World
from tests.ratings.support import HOME_WINS_3_1, accept_series


@pytest.fixture
def api(http: httpx.AsyncClient, world: World) -> Api:
    return Api(http, world)


def _local_day(moment: dt.datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b}"


# -- a match before today's rosters ------------------------------------------------------------

SET_ZONE = (
    "mutation($o: ID!, $z: String!) {"
    " setOrganizationTimeZone(organizationId: $o, timeZone: $z) { timeZone } }"
)
CREATE_SEASON = (
    "mutation($l: ID!, $s: DateTime!, $e: DateTime!) {"
    " createSeason(leagueId: $l, number: 2, startsAt: $s, endsAt: $e) { id } }"
)
SIGN = (
    "mutation($t: ID!, $p: ID!, $s: ID!, $at: DateTime) {"
    " addToRoster(teamId: $t, playerId: $p, seasonId: $s, at: $at) { joinedAt } }"
)
RELEASE = (
    "mutation($t: ID!, $p: ID!, $s: ID!, $at: DateTime) {"
    " removeFromRoster(teamId: $t, playerId: $p, seasonId: $s, at: $at) { leftAt } }"
)
IMPORT = (
    "mutation($s: ID!, $c: String!, $twice: Boolean! = false) {"
    " importSchedule(seasonId: $s, csv: $c, allowTwiceInWeek: $twice) { id } }"
)
LINK = (
    "mutation($m: ID!, $a: String!) {"
    ' linkPlatformAccount(memberId: $m, platform: "steam", accountId: $a) { id } }'
)


async def _member_names(platform: Runtime, world: World) -> dict[int, tuple[int, str]]:
    """Player id -> (member id, member name) for the World's players and free players."""
    from sprocket.league.models import Player

    async with platform.reading() as s:
        rows = await s.execute(
            select(Player.id, Member.id, Member.name).join(Member, Member.id == Player.member_id)
        )
        return {p: (m, n) for p, m, n in rows}


def _game(number: int, when: dt.datetime, blue: list[tuple[str, str]], orange) -> Upload:
    """Game ``number``: blue (the home side) wins 2-1; ``blue``/``orange``: (name, steam id)."""
    players = [
        PlayerSpec(name, team=team, platform="steam", platform_id=steam, score=100)
        for team, side in ((0, blue), (1, orange))
        for name, steam in side
    ]
    data = build_replay(
        players=players,
        team0_score=2,
        team1_score=1,
        date=when.replace(tzinfo=None, microsecond=0),
        replay_id=f"{number:032X}",
        team_size=2,
    )
    return Upload(f"game{number}.replay", data)


async def test_a_match_before_todays_rosters_is_judged_on_its_own_date(
    platform, world, api, http
) -> None:
    """Season 2 began 60 days ago. Ten days ago Team 1 beat Team 2; two days after that,
    Free 0 joined Team 1 (staff date it now), and P11 had left Team 2 two days before it.
    Both are on the replays: the report says when each joined or left, in the organization's
    time zone, never "on neither roster" for Free 0, who is on Team 1's roster today."""
    zone = "Asia/Kolkata"  # UTC+5:30, no summer time: days shift at 18:30 UTC
    staff = {"as_": "league_staff"}
    await api.ok(SET_ZONE, {"o": str(world.organization_id), "z": zone}, as_="organization_admin")
    now = utcnow().replace(microsecond=0)
    start = now - dt.timedelta(days=60)
    played = now - dt.timedelta(days=10)
    joined, left = played + dt.timedelta(days=2), played - dt.timedelta(days=2)
    season = (
        await api.ok(
            CREATE_SEASON,
            {"l": str(world.league_id), "s": iso(start), "e": iso(now + dt.timedelta(days=30))},
            **staff,
        )
    )["createSeason"]["id"]
    home, away = world.team_ids[0], world.team_ids[1]
    captain, mate, p10, p11 = world.player_ids[:4]
    newcomer = world.free_player_ids[0]
    for team, player in ((home, captain), (home, mate), (away, p10), (away, p11)):
        await api.ok(
            SIGN, {"t": str(team), "p": str(player), "s": season, "at": iso(start)}, **staff
        )
    await api.ok(
        SIGN, {"t": str(home), "p": str(newcomer), "s": season, "at": iso(joined)}, **staff
    )
    await api.ok(RELEASE, {"t": str(away), "p": str(p11), "s": season, "at": iso(left)}, **staff)
    window = (played - dt.timedelta(days=1), played + dt.timedelta(days=1))
    text = f"week,home,away,start,end\n1,Team 1,Team 2,{iso(window[0])},{iso(window[1])}\n"
    (match,) = (await api.ok(IMPORT, {"s": season, "c": text}, **staff))["importSchedule"]
    names = await _member_names(platform, world)
    accounts = {}
    for player in (captain, mate, p10, p11, newcomer):
        member, name = names[player]
        accounts[player] = (name, steam_id(700 + member))
        await api.ok(LINK, {"m": str(member), "a": accounts[player][1]}, **staff)

    uploads = [
        _game(1, played, [accounts[captain], accounts[newcomer]], [accounts[p10], accounts[p11]]),
        _game(2, played + dt.timedelta(minutes=20), [accounts[captain], accounts[mate]],
              [accounts[p10], accounts[p11]]),
        _game(3, played + dt.timedelta(minutes=40), [accounts[captain], accounts[mate]],
              [accounts[p10], accounts[p11]]),
    ]  # fmt: skip
    body = await upload(http, int(match["id"]), uploads, token=world.tokens["team_captain"])
    assert "errors" not in body, body
    await drain(platform)
    submission = body["data"]["submitReplays"]["id"]
    report = (await api.ok(SUBMISSION, {"s": submission}, as_="league_staff"))["submission"]

    assert report["status"] == "REJECTED"
    problems = [(p["code"], p["game"], p["message"]) for p in report["report"]["problems"]]
    game_day = _local_day(played, zone)
    newcomer_name, newcomer_steam = accounts[newcomer]
    leaver_name, leaver_steam = accounts[p11]
    assert problems == [
        (
            "NOT_ON_ROSTER",
            1,
            f"Replay 1: account '{newcomer_name}' (Steam {newcomer_steam}) belongs to "
            f"{newcomer_name}, who joined Team 1 on {_local_day(joined, zone)}, after this game "
            f"on {game_day}.",
        ),
        *(
            (
                "NOT_ON_ROSTER",
                n,
                f"Replay {n}: account '{leaver_name}' (Steam {leaver_steam}) belongs to "
                f"{leaver_name}, who left Team 2 on {_local_day(left, zone)}, before this game "
                f"on {_local_day(played + dt.timedelta(minutes=20 * (n - 1)), zone)}.",
            )
            for n in (1, 2, 3)
        ),
    ]
    assert "neither" not in str(report["report"])
    games = report["report"]["games"]
    assert games[0]["expected_home"] == [accounts[captain][0], accounts[mate][0]]
    assert games[0]["expected_away"] == [accounts[p10][0]]
    # Today Free 0 is on Team 1 in season 2: the roster of now and that of the game differ.
    roster = await api.ok(
        "query($t: ID!, $s: ID!, $at: DateTime) {"
        " team(id: $t) { roster(seasonId: $s, at: $at) { player { id } } } }",
        {"t": str(home), "s": season, "at": None},
    )
    assert str(newcomer) in {e["player"]["id"] for e in roster["team"]["roster"]}
    # Every dated change of season 2 is in the audit log, by the staff member who made it.
    async with platform.reading() as s:
        audit = [
            a
            for a in (await s.scalars(select(AuditEntry))).all()
            if a.action.startswith("roster.") and a.details["season_id"] == int(season)
        ]
    assert sorted(a.action for a in audit) == ["roster.join"] * 5 + ["roster.leave"]
    assert {a.actor_user_id for a in audit} == {world.user_ids["league_staff"]}


async def test_dated_roster_changes_are_for_staff(world, api) -> None:
    at = iso(utcnow() - dt.timedelta(hours=2))
    sign = {
        "t": str(world.team_ids[0]),
        "p": str(world.free_player_ids[0]),
        "s": str(world.season_id),
    }
    await api.error("PERMISSION_DENIED", SIGN, {**sign, "at": at}, as_="franchise_manager")
    error = await api.error(
        "INVALID_ROSTER_DATE",
        SIGN,
        {**sign, "at": iso(utcnow() + dt.timedelta(hours=2))},
        as_="league_staff",
    )
    assert "future" in error["message"]
    joined = (await api.ok(SIGN, {**sign, "at": at}, as_="league_staff"))["addToRoster"]
    assert dt.datetime.fromisoformat(joined["joinedAt"]) == dt.datetime.fromisoformat(at)
    release = {**sign, "at": iso(utcnow() - dt.timedelta(hours=3))}
    error = await api.error("INVALID_ROSTER_DATE", RELEASE, release, as_="league_staff")
    assert "they can only leave after that" in error["message"]


# -- organizations, windows and imports --------------------------------------------------------


async def test_time_zones_of_organizations(world, api) -> None:
    made = await api.ok(
        'mutation { createOrganization(slug: "tokyo", name: "Tokyo", timeZone: "Asia/Tokyo")'
        " { timeZone } }",
        as_="superuser",
    )
    assert made["createOrganization"]["timeZone"] == "Asia/Tokyo"
    org = str(world.organization_id)
    assert (await api.ok("query($o: ID!) { organization(id: $o) { timeZone } }", {"o": org}))[
        "organization"
    ] == {"timeZone": "UTC"}
    error = await api.error(
        "INVALID_TIME_ZONE", SET_ZONE, {"o": org, "z": "Europe/Atlantis"}, as_="organization_admin"
    )
    assert "IANA" in error["message"]
    await api.error("PERMISSION_DENIED", SET_ZONE, {"o": org, "z": "Nope"}, as_="league_staff")
    await api.error("UNAUTHENTICATED", SET_ZONE, {"o": org, "z": "UTC"})


async def test_windows_stay_in_their_week_and_a_team_plays_once_a_week(world, api) -> None:
    first = await api.ok(
        "query($s: ID!) { season(id: $s) { startsAt } }", {"s": str(world.season_id)}
    )
    start = dt.datetime.fromisoformat(first["season"]["startsAt"])
    match = str(world.match_ids[0])
    error = await api.error(
        "WINDOW_OUTSIDE_WEEK",
        "mutation($m: ID!, $s: DateTime!, $e: DateTime!) {"
        " rescheduleMatch(matchId: $m, startsAt: $s, endsAt: $e) { id } }",
        {
            "m": match,
            "s": iso(start + dt.timedelta(days=9)),
            "e": iso(start + dt.timedelta(days=10)),
        },
        as_="league_staff",
    )
    assert "lies outside week 1" in error["message"]
    week2 = start + dt.timedelta(days=7, hours=1)
    rows = "\n".join(
        f"2,{home},{away},{iso(week2)},{iso(week2 + dt.timedelta(hours=3))}"
        for home, away in (("Team 1", "Team 2"), ("Team 3", "Team 1"))
    )
    text = f"week,home,away,start,end\n{rows}\n"
    variables = {"s": str(world.season_id), "c": text}
    error = await api.error("SCHEDULE_CSV_INVALID", IMPORT, variables, as_="league_staff")
    assert [d["line"] for d in error["extensions"]["details"]] == [3]
    assert "Team 1 already plays in week 2 (on line 2)" in error["message"]
    made = await api.ok(IMPORT, {**variables, "twice": True}, as_="league_staff")
    assert len(made["importSchedule"]) == 2


async def test_schedule_csv_never_holds_a_formula(world, api) -> None:
    evil = '=HYPERLINK("http://attacker.example/","Open")'
    await api.ok(
        "mutation($l: ID!, $n: String!) { createTeam(leagueId: $l, name: $n) { id } }",
        {"l": str(world.league_id), "n": evil},
        as_="league_staff",
    )
    first = await api.ok(
        "query($s: ID!) { season(id: $s) { startsAt } }", {"s": str(world.season_id)}
    )
    week2 = dt.datetime.fromisoformat(first["season"]["startsAt"]) + dt.timedelta(days=7, hours=1)
    out = io.StringIO()
    csv.writer(out).writerows(
        [["week", "home", "away", "start", "end"],
         [2, evil, "Team 1", iso(week2), iso(week2 + dt.timedelta(hours=2))]]
    )  # fmt: skip
    await api.ok(IMPORT, {"s": str(world.season_id), "c": out.getvalue()}, as_="league_staff")
    exported = (
        await api.ok("query($s: ID!) { scheduleCsv(seasonId: $s) }", {"s": str(world.season_id)})
    )["scheduleCsv"]
    rows = list(csv.reader(io.StringIO(exported)))
    assert ["'" + evil, "Team 1"] in [row[1:3] for row in rows]
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row)


# -- members, display names and me -------------------------------------------------------------

ADD_MEMBER = (
    "mutation($o: ID!, $u: ID, $d: String) {"
    " addMember(organizationId: $o, userId: $u, discordId: $d) { id name leftAt user { id } } }"
)
REMOVE_MEMBER = (
    "mutation($o: ID!, $m: ID!) { removeMember(organizationId: $o, memberId: $m) { id leftAt } }"
)
ME = """
query {
  me {
    isPlatformAdmin
    user { displayName }
    roles { role organization { slug } league { name } franchise { name } }
    memberships { name leftAt organization { slug timeZone } }
    players { league { name } skillGroup { code } }
    teams { isCaptain team { name } season { number } }
  }
}
"""


async def test_add_member_says_whom_it_adds(platform, world, api) -> None:
    org = str(world.organization_id)
    async with platform.unit_of_work() as s:
        user = await identity.ensure_user(s, discord_id="777000000000000001", display_name="Kai")
    await api.error("PERMISSION_DENIED", ADD_MEMBER, {"o": org}, as_="outsider")
    await api.error("MISSING_USER", ADD_MEMBER, {"o": org}, as_="league_staff")
    await api.error("PERMISSION_DENIED", ADD_MEMBER, {"o": org, "u": str(user.id)}, as_="outsider")
    added = (await api.ok(ADD_MEMBER, {"o": org, "d": "777000000000000001"}, as_="league_staff"))[
        "addMember"
    ]
    assert (added["name"], added["user"]["id"], added["leftAt"]) == ("Kai", str(user.id), None)
    own = (
        await api.ok(ADD_MEMBER, {"o": org, "u": str(world.user_ids["outsider"])}, as_="outsider")
    )["addMember"]
    assert own["user"]["id"] == str(world.user_ids["outsider"])


async def test_staff_remove_a_member_and_the_past_stays(platform, world, api) -> None:
    await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    org, member = str(world.organization_id), str(world.member_ids["player"])
    await api.error("PERMISSION_DENIED", REMOVE_MEMBER, {"o": org, "m": member}, as_="team_captain")
    removed = (await api.ok(REMOVE_MEMBER, {"o": org, "m": member}, as_="league_staff"))[
        "removeMember"
    ]
    assert removed["leftAt"] is not None
    await api.error("MEMBER_ALREADY_LEFT", REMOVE_MEMBER, {"o": org, "m": member}, as_="superuser")
    data = await api.ok(
        "query($p: ID!, $t: ID!, $s: ID!) {"
        " player(id: $p) { member { leftAt } stats { games } ratingHistory { won } }"
        " team(id: $t) { roster(seasonId: $s) { player { id } } } }",
        {"p": str(world.player_ids[1]), "t": str(world.team_ids[0]), "s": str(world.season_id)},
    )
    assert data["player"]["member"]["leftAt"] == removed["leftAt"]
    assert data["player"]["stats"]["games"] == 4 and len(data["player"]["ratingHistory"]) == 4
    assert str(world.player_ids[1]) not in {e["player"]["id"] for e in data["team"]["roster"]}
    me = (await api.ok(ME, as_="player"))["me"]
    assert me["memberships"][0]["leftAt"] == removed["leftAt"] and me["teams"] == []


async def test_users_set_their_display_name(world, api) -> None:
    mutation = "mutation($n: String!) { setDisplayName(name: $n) { displayName } }"
    renamed = await api.ok(mutation, {"n": " Captain Zed "}, as_="team_captain")
    assert renamed["setDisplayName"] == {"displayName": "Captain Zed"}
    assert (await api.ok(ME, as_="team_captain"))["me"]["user"]["displayName"] == "Captain Zed"
    for bad in ("", "x" * 33, "two\nlines", "hidden\u200bspace"):
        await api.error("INVALID_NAME", mutation, {"n": bad}, as_="team_captain")
    await api.error("UNAUTHENTICATED", mutation, {"n": "Ghost"})


async def test_me_lists_memberships_players_teams_and_roles(world, api) -> None:
    captain = (await api.ok(ME, as_="team_captain"))["me"]
    assert captain["isPlatformAdmin"] is False and captain["roles"] == []
    assert captain["memberships"] == [
        {
            "name": "Team Captain",
            "leftAt": None,
            "organization": {"slug": "test-org", "timeZone": "UTC"},
        }
    ]
    assert captain["players"] == [{"league": {"name": "Doubles"}, "skillGroup": {"code": "PL"}}]
    assert captain["teams"] == [
        {"isCaptain": True, "team": {"name": "Team 1"}, "season": {"number": 1}}
    ]
    staff = (await api.ok(ME, as_="league_staff"))["me"]
    assert staff["roles"] == [
        {
            "role": "LEAGUE_STAFF",
            "organization": {"slug": "test-org"},
            "league": {"name": "Doubles"},
            "franchise": None,
        }
    ]
    manager = (await api.ok(ME, as_="franchise_manager"))["me"]
    assert [(r["role"], r["franchise"]) for r in manager["roles"]] == [
        ("FRANCHISE_MANAGER", {"name": "Aces"})
    ]
    root = (await api.ok(ME, as_="superuser"))["me"]
    assert root["isPlatformAdmin"] is True
    assert [(r["role"], r["organization"]["slug"]) for r in root["roles"]] == [
        ("ORGANIZATION_ADMIN", "test-org")
    ]
    assert (await api.ok(ME))["me"] is None  # the spectator


# -- totalCount --------------------------------------------------------------------------------


async def _total(api: Api, query: str, variables: dict[str, Any]) -> tuple[int, int]:
    """(totalCount, the number of nodes over every page of 1)."""
    data = await api.ok(query, {**variables, "first": 1})
    (connection,) = data.values()
    seen, after = len(connection["nodes"]), connection["pageInfo"]["endCursor"]
    while connection["pageInfo"]["hasNextPage"]:
        (connection,) = (await api.ok(query, {**variables, "first": 1, "after": after})).values()
        seen, after = seen + len(connection["nodes"]), connection["pageInfo"]["endCursor"]
    return connection["totalCount"], seen


async def test_total_count_answers_on_every_connection_under_its_filters(platform, world, api):
    await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    page = "totalCount nodes { __typename } pageInfo { hasNextPage endCursor }"
    league, season = str(world.league_id), str(world.season_id)
    queries: list[tuple[str, dict[str, Any], int]] = [
        (f"query($first: Int!, $after: String) {{ organizations(first: $first, after: $after)"
         f" {{ {page} }} }}", {}, 1),
        (f"query($l: ID!, $first: Int!, $after: String) {{ teams(leagueId: $l, first: $first,"
         f" after: $after) {{ {page} }} }}", {"l": league}, 4),
        (f"query($l: ID!, $f: ID!, $first: Int!, $after: String) {{ teams(leagueId: $l,"
         f" franchiseId: $f, first: $first, after: $after) {{ {page} }} }}",
         {"l": league, "f": str(world.franchise_id)}, 1),
        (f"query($l: ID!, $first: Int!, $after: String) {{ players(leagueId: $l, first: $first,"
         f" after: $after) {{ {page} }} }}", {"l": league}, 11),
        (f"query($l: ID!, $first: Int!, $after: String) {{ players(leagueId: $l,"
         f' nameContains: "free", first: $first, after: $after) {{ {page} }} }}', {"l": league}, 3),
        (f"query($s: ID!, $first: Int!, $after: String) {{ matches(seasonId: $s, first: $first,"
         f" after: $after) {{ {page} }} }}", {"s": season}, 7),
        (f"query($s: ID!, $first: Int!, $after: String) {{ matches(seasonId: $s, week: 1,"
         f" first: $first, after: $after) {{ {page} }} }}", {"s": season}, 2),
        (f"query($s: ID!, $t: ID!, $first: Int!, $after: String) {{ matches(seasonId: $s,"
         f' teamId: $t, status: COMPLETED, first: $first, after: $after) {{ {page} }} }}',
         {"s": season, "t": str(world.team_ids[0])}, 1),
        (f"query($o: ID!, $first: Int!, $after: String) {{ playerLeaderboard(organizationId: $o,"
         f' gameMode: "doubles", first: $first, after: $after) {{ {page} }} }}',
         {"o": str(world.organization_id)}, 4),
        (f"query($o: ID!, $first: Int!, $after: String) {{ playerLeaderboard(organizationId: $o,"
         f' gameMode: "doubles", by: GOALS, minGames: 5, first: $first, after: $after)'
         f" {{ {page} }} }}", {"o": str(world.organization_id)}, 0),
    ]  # fmt: skip
    for query, variables, expected in queries:
        total, seen = await _total(api, query, variables)
        assert (total, seen) == (expected, expected), query


# -- game dates ----------------------------------------------------------------------------------


async def test_rating_history_and_games_show_each_games_own_time(platform, world, api) -> None:
    match_id, line, _ = await accept_series(platform, world, 0, 1, HOME_WINS_3_1)
    data = await api.ok(
        "query($m: ID!, $p: ID!) { match(id: $m) { startsAt games { number playedAt } }"
        " player(id: $p) { ratingHistory(first: 10) { gameId playedAt } } }",
        {"m": str(match_id), "p": str(world.player_ids[0])},
    )
    played = {g["number"]: dt.datetime.fromisoformat(g["playedAt"]) for g in data["match"]["games"]}
    assert played == {
        n: line.starts_at + dt.timedelta(hours=2, minutes=10 * n) for n in range(1, 5)
    }
    history = [dt.datetime.fromisoformat(p["playedAt"]) for p in data["player"]["ratingHistory"]]
    assert sorted(history) == sorted(played.values())
    assert dt.datetime.fromisoformat(data["match"]["startsAt"]) not in history
