"""Issue 4's "done when", on the demo organization and through the API as its players would:
every rostered player is rated with history; six Standard players join a competitive 3v3
scrim, it pops, they check in, it starts with lobby details, its replays are submitted and
ratified, and the ratings move; the leaderboards answer with every filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import select

from sprocket.db import utcnow
from sprocket.demo import build_demo
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league.models import League, Member, PlatformAccount, Player, RosterSpot, SkillGroup
from sprocket.ratings.models import Rating, RatingPoint
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from tests.api.test_replay_api import drain, post_multipart
from tests.conftest import GraphQLClient
from tests.helpers.replay_writer import PlayerSpec, build_replay

SCRIM = """
id status seats competitive skillGroup { name } skillGroups { name }
lineups { number homeMemberIds awayMemberIds }
lobby { name password }
"""
RATING = """
query($p: ID!) { player(id: $p) {
  rating { displayed games provisional }
  ratingHistory(first: 50) { source displayedAfter }
} }
"""
SUBMIT = (
    "mutation($s: ID!, $files: [Upload!]!) {"
    " submitScrimReplays(scrimId: $s, files: $files) { id status scrim { id } } }"
)


async def _six_standard_players(platform: Runtime) -> list[dict[str, Any]]:
    """Six rostered players of one Standard skill group, with their linked account and a
    token each."""
    async with platform.unit_of_work() as s:
        league = await s.scalar(select(League).where(League.name == "Standard League"))
        rows = (
            await s.execute(
                select(Player.id, Member, PlatformAccount, SkillGroup.name)
                .join(Member, Member.id == Player.member_id)
                .join(RosterSpot, RosterSpot.player_id == Player.id)
                .join(SkillGroup, SkillGroup.id == Player.skill_group_id)
                .join(PlatformAccount, PlatformAccount.member_id == Member.id)
                .where(Player.league_id == league.id, RosterSpot.left_at.is_(None))
                .order_by(SkillGroup.ordinal, Member.id)
            )
        ).all()
        group = rows[0][3]
        people = []
        for player_id, member, account, group_name in rows:
            if group_name != group or any(p["member_id"] == member.id for p in people):
                continue
            _, token = await identity.issue_token(
                s, actor=Actor(user_id=member.user_id), name="scrim", days=1
            )
            people.append(
                {
                    "player_id": player_id,
                    "member_id": member.id,
                    "name": member.name,
                    "account": account,
                    "token": token,
                    "group": group,
                }
            )
            if len(people) == 6:
                return people
    raise AssertionError("the demo has six rostered players in a Standard skill group")


def _replays(
    scrim: dict[str, Any], people: list[dict[str, Any]], started: dt.datetime
) -> list[Upload]:
    """One replay per game from the players' linked accounts: home wins 3-1 every game."""
    by_member = {str(p["member_id"]): p for p in people}
    files = []
    for game in scrim["lineups"]:
        players = [
            PlayerSpec(
                by_member[m]["name"],
                team=team,
                platform=by_member[m]["account"].platform,
                platform_id=by_member[m]["account"].account_id,
                goals=1 - team,
            )
            for team, side in ((0, game["homeMemberIds"]), (1, game["awayMemberIds"]))
            for m in side
        ]
        data = build_replay(
            players=players,
            team0_score=3,
            team1_score=1,
            team_size=3,
            date=(started + dt.timedelta(minutes=8 * game["number"])).replace(tzinfo=None),
            replay_id=f"{int(scrim['id']):08X}{game['number']:024X}",
        )
        files.append(Upload(f"game{game['number']}.replay", data))
    return files


async def test_six_demo_players_play_a_rated_3v3_scrim_through_the_api(
    platform: Runtime, http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    async with platform.unit_of_work() as s:
        demo = await build_demo(s)
    org = str(demo.organization_id)

    # Every rostered player of the demo has a rating and a history.
    async with platform.reading() as s:
        rostered = set(
            await s.scalars(
                select(Player.member_id).join(RosterSpot, RosterSpot.player_id == Player.id)
            )
        )
        rated = set(await s.scalars(select(Rating.member_id)))
        with_history = set(await s.scalars(select(RatingPoint.member_id).distinct()))
    assert rostered and rostered <= rated and rostered <= with_history

    people = await _six_standard_players(platform)
    before = {
        p["member_id"]: (await gql.ok(RATING, {"p": str(p["player_id"])}))["player"] for p in people
    }
    assert all(b["rating"] and b["ratingHistory"] for b in before.values())

    # Six players: one opens the competitive 3v3 scrim, five join; the sixth seat pops it.
    created = await gql.ok(
        'mutation($o: ID!) { createScrim(organizationId: $o, gameMode: "standard",'
        f" waitMinutes: 30) {{ {SCRIM} }} }}",
        {"o": org},
        token=people[0]["token"],
    )
    scrim = created["createScrim"]
    assert scrim["seats"] == 6 and scrim["competitive"]
    assert scrim["skillGroup"] == {"name": people[0]["group"]}
    scrim_id = scrim["id"]
    for person in people[1:]:
        joined = await gql.ok(
            f"mutation($s: ID!) {{ joinScrim(scrimId: $s, waitMinutes: 30) {{ {SCRIM} }} }}",
            {"s": scrim_id},
            token=person["token"],
        )
        scrim = joined["joinScrim"]
    assert scrim["status"] == "POPPED"

    for person in people:
        checked = await gql.ok(
            f"mutation($s: ID!) {{ checkIn(scrimId: $s) {{ {SCRIM} }} }}",
            {"s": scrim_id},
            token=person["token"],
        )
        scrim = checked["checkIn"]
    started = utcnow()
    assert scrim["status"] == "IN_PROGRESS"
    assert scrim["lobby"]["name"] and len(scrim["lobby"]["password"]) >= 6
    assert len(scrim["lineups"]) == 3
    teams = {frozenset(g["homeMemberIds"]) for g in scrim["lineups"]}
    assert len(teams) == 1 and len(next(iter(teams))) == 3  # fixed teams of three
    # The lobby is for the players: a spectator does not see it.
    seen = await gql.ok(f"query($s: ID!) {{ scrim(id: $s) {{ {SCRIM} }} }}", {"s": scrim_id})
    assert seen["scrim"]["lobby"] is None

    # A home player uploads the three replays; the job checks them against the line-ups.
    home = scrim["lineups"][0]["homeMemberIds"]
    by_member = {str(p["member_id"]): p for p in people}
    uploader, opponent = by_member[home[0]], by_member[scrim["lineups"][0]["awayMemberIds"][0]]
    response = await post_multipart(
        http,
        SUBMIT,
        {"s": scrim_id},
        _replays(scrim, people, started),
        token=uploader["token"],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    submission = body["data"]["submitScrimReplays"]
    assert submission["status"] == "PROCESSING" and submission["scrim"] == {"id": scrim_id}
    await drain(platform)
    status = await gql.ok(
        "query($i: ID!) { submission(id: $i) { status report } }", {"i": submission["id"]}
    )
    assert status["submission"]["status"] == "AWAITING_RATIFICATION", status
    assert status["submission"]["report"]["ok"] is True

    # The other side ratifies; the scrim completes and the six players' ratings move.
    ratified = await gql.ok(
        "mutation($i: ID!) { ratifySubmission(submissionId: $i) { status } }",
        {"i": submission["id"]},
        token=opponent["token"],
    )
    assert ratified["ratifySubmission"]["status"] == "ACCEPTED"
    done = await gql.ok("query($s: ID!) { scrim(id: $s) { status } }", {"s": scrim_id})
    assert done["scrim"]["status"] == "COMPLETE"
    for person in people:
        after = (await gql.ok(RATING, {"p": str(person["player_id"])}))["player"]
        was = before[person["member_id"]]
        assert after["rating"]["games"] == was["rating"]["games"] + 3
        assert len(after["ratingHistory"]) == min(50, len(was["ratingHistory"]) + 3)
        assert [h["source"] for h in after["ratingHistory"][:3]] == ["SCRIM"] * 3
        won = str(person["member_id"]) in home
        moved = after["rating"]["displayed"] - was["rating"]["displayed"]
        assert moved > 0 if won else moved < 0, (person["name"], moved)

    # The leaderboards answer with every filter.
    async with platform.reading() as s:
        group_id, season_id = (
            await s.execute(
                select(Player.skill_group_id, RosterSpot.season_id)
                .join(RosterSpot, RosterSpot.player_id == Player.id)
                .where(Player.id == people[0]["player_id"])
            )
        ).one()
    for by in ("RATING", "GOALS", "SAVES", "SHOTS", "ASSISTS", "WIN_RATE"):
        board = await gql.ok(
            "query($o: ID!, $g: ID, $s: ID, $since: DateTime, $until: DateTime, $by:"
            " PlayerLeaderboardBy!) { playerLeaderboard(organizationId: $o, gameMode:"
            ' "standard", by: $by, skillGroupId: $g, seasonId: $s, since: $since,'
            " until: $until, minGames: 1, first: 5) { nodes { rank value games member { id } }"
            " pageInfo { hasNextPage endCursor } } }",
            {
                "o": org,
                "g": str(group_id),
                "s": str(season_id),
                "since": (started - dt.timedelta(days=120)).isoformat(),
                "until": (utcnow() + dt.timedelta(days=1)).isoformat(),
                "by": by,
            },
        )
        nodes = board["playerLeaderboard"]["nodes"]
        assert nodes and [n["rank"] for n in nodes] == list(range(1, len(nodes) + 1)), by
        assert all(n["games"] >= 1 for n in nodes)
    teams_board = await gql.ok(
        "query($s: ID!, $g: ID) { teamLeaderboard(seasonId: $s, skillGroupId: $g) { played } }",
        {"s": str(season_id), "g": str(group_id)},
    )
    assert teams_board["teamLeaderboard"]
