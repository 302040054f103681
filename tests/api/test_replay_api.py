"""Replay submissions through the API: multipart upload, processing, ratification, and what
the accepted result shows (games, scoreboards, replay downloads, player and team stats,
standings), the typed errors of bad uploads, the ``submissionStatus`` subscription, and the
SQL statements of the stats queries.

Uploads follow the GraphQL multipart request spec: an ``operations`` field (the query, with
``null`` where each file goes), a ``map`` field (which file goes where) and one field per
file. Strawberry checks nothing about cross-site requests, so the app asks a multipart request
for a header a foreign page cannot send without a CORS preflight (``Apollo-Require-Preflight``,
as Apollo Server does): tested here too. The processing job runs the real way: the relay
hands the outbox to the in-process broker, and ``wait_all`` waits for the jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import quote

import httpx
import strawberry
from sqlalchemy import func, select

from sprocket.api.context import Context
from sprocket.api.schema import build_schema
from sprocket.app import create_app
from sprocket.db import StatementCounter
from sprocket.flows import match_results
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import accounts
from sprocket.league.models import Member, PlatformAccount, Player, RosterSpot, Season, Team
from sprocket.replays import service as replays
from sprocket.replays.models import StoredReplay, Submission, storage_key
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.schedule.models import MatchGame, MatchWeek
from sprocket.stats.models import PlayerGameStat, TeamGameStat
from tests.league_world import World
from tests.replays.series import Lineup, game, lineup, sweep

TIMEOUT = 10
PREFLIGHT = {"Apollo-Require-Preflight": "true"}
SCHEMA: strawberry.Schema = build_schema()

SUBMIT = """
mutation($m: ID!, $files: [Upload!]!) {
  submitReplays(matchId: $m, files: $files) { id status games { gameNumber } }
}
"""
RATIFY = "mutation($s: ID!) { ratifySubmission(submissionId: $s) { id status } }"
SUBMISSION = "query($s: ID!) { submission(id: $s) { status rejectionReason report } }"


# -- helpers (also used by the role matrix) ------------------------------------------------------


async def post_multipart(
    http: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any],
    uploads: Sequence[Upload],
    *,
    variable: str = "files",
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A GraphQL multipart request: ``uploads`` become the list variable ``variable``."""
    operations = {"query": document, "variables": {**variables, variable: [None] * len(uploads)}}
    mapping = {str(i): [f"variables.{variable}.{i}"] for i in range(len(uploads))}
    files = {
        str(i): (upload.filename, upload.data, "application/octet-stream")
        for i, upload in enumerate(uploads)
    }
    sent = dict(PREFLIGHT if headers is None else headers)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files=files,
        headers=sent,
    )


async def upload(
    http: httpx.AsyncClient, match_id: int, uploads: Sequence[Upload], *, token: str | None
) -> dict[str, Any]:
    """``submitReplays`` through multipart; the whole JSON answer."""
    response = await post_multipart(http, SUBMIT, {"m": str(match_id)}, uploads, token=token)
    assert response.status_code == 200, response.text
    return response.json()


async def new_match(platform: Runtime, world: World, home: int = 0, away: int = 1) -> int:
    """A fresh scheduled match in the World's season (whose rosters count), between teams
    ``home`` and ``away`` (indexes into ``world.team_ids``), in a new match week of its own
    (so no team plays twice in it) whose window is the season's first seven days, around now
    (the rosters were signed as the season started)."""
    async with platform.unit_of_work() as s:
        season = await s.get(Season, world.season_id)
        assert season is not None
        starts = season.starts_at.replace(microsecond=0) + dt.timedelta(seconds=1)
        ends = starts + dt.timedelta(days=7)
        last = await s.scalar(
            select(func.max(MatchWeek.number)).where(MatchWeek.season_id == world.season_id)
        )
        week = max(last or 0, 999) + 1
        names = [
            (await s.get(Team, world.team_ids[i])).name  # type: ignore[union-attr]
            for i in (home, away)
        ]
        row = f"{week},{names[0]},{names[1]},{starts.isoformat()},{ends.isoformat()}"
        (match,) = await schedule.import_schedule_csv(
            s,
            actor=world.actors["superuser"],
            season_id=world.season_id,
            text=f"week,home,away,start,end\n{row}\n",
        )
    return match.id


async def linked_lineup(platform: Runtime, match_id: int) -> Lineup:
    """The match's two rosters, each player's Steam account linked (once, whatever the match)."""
    found = await lineup(platform, match_id, link=False)
    async with platform.unit_of_work() as s:
        for member_id, _, steam in [*found.home, *found.away]:
            linked = await s.scalar(
                select(PlatformAccount.id).where(
                    PlatformAccount.platform == "steam", PlatformAccount.account_id == steam
                )
            )
            if linked is None:
                await accounts.link_verified_account(
                    s,
                    member_id=member_id,
                    platform="steam",
                    account_id=steam,
                )
    return found


async def team_users(platform: Runtime, team_id: int) -> list[int]:
    """User ids of a team's current players, in member order."""
    async with platform.reading() as s:
        rows = await s.scalars(
            select(Member.user_id)
            .join(Player, Player.member_id == Member.id)
            .join(RosterSpot, RosterSpot.player_id == Player.id)
            .where(RosterSpot.team_id == team_id, RosterSpot.left_at.is_(None))
            .order_by(Member.id)
        )
        return list(rows)


async def token_for(platform: Runtime, user_id: int) -> str:
    async with platform.unit_of_work() as s:
        _, secret = await identity.issue_token(s, actor=Actor(user_id=user_id), name="t", days=1)
    return secret


async def drain(platform: Runtime) -> None:
    """Relay every outbox message and wait for its job, until nothing is left."""
    async with asyncio.timeout(TIMEOUT):
        while await platform.relay.relay_once():
            await platform.broker.wait_all()  # type: ignore[attr-defined]


async def submit(platform: Runtime, actor: Actor, match_id: int, uploads: Sequence[Upload]) -> int:
    """A submission through the service (as a door would), not yet processed."""
    async with platform.unit_of_work() as s:
        row = await match_results.submit_match_replays(
            s,
            actor=actor,
            storage=platform.storage,
            match_id=match_id,
            files=list(uploads),
            max_size=platform.settings.replay_max_bytes,
        )
    return row.id


async def status_of(platform: Runtime, submission_id: int) -> str:
    async with platform.reading() as s:
        row = await s.get(Submission, submission_id)
        assert row is not None
        return row.status


async def count(platform: Runtime, model: Any, *where: Any) -> int:
    async with platform.reading() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def series_3_1(found: Lineup) -> list[Upload]:
    """Home wins 3-1 in games; game 2 (won by the away side) has the home side on orange."""
    return [
        game(found, 1, home_goals=3, away_goals=1),
        game(found, 2, home_goals=0, away_goals=2, home_blue=False),
        game(found, 3, home_goals=2, away_goals=1),
        game(found, 4, home_goals=1, away_goals=0),
    ]


# -- the whole way, through GraphQL --------------------------------------------------------------

MATCH = """
query($m: ID!) {
  match(id: $m) {
    status
    homeTeam { name } awayTeam { name }
    games {
      number homeGoals awayGoals homeWon
      replay { sha256 size filename downloadUrl }
      players { name score goals mvp won }
      teams { teamId goals goalsAgainst won }
    }
  }
}
"""

PLAYER = """
query($p: ID!) {
  player(id: $p) {
    name
    stats { games wins mvps goals goalsPerGame shotsPerGame winRate }
    gameLines { name score goals mvp won }
  }
}
"""

TEAM = """
query($t: ID!) {
  team(id: $t) { name stats { games wins goals assists saves shots goalsPerGame winRate } }
}
"""

STANDINGS = """
query($s: ID!) {
  standings(seasonId: $s) {
    team { name } played seriesWon seriesLost gamesWon gamesLost goalsFor goalsAgainst points
  }
}
"""


async def test_upload_process_ratify_and_see_the_result(platform, world: World, http, gql) -> None:
    match_id = await new_match(platform, world)
    found = await linked_lineup(platform, match_id)
    uploads = series_3_1(found)
    captain = world.tokens["team_captain"]

    body = await upload(http, match_id, uploads, token=captain)
    assert "errors" not in body, body
    submitted = body["data"]["submitReplays"]
    assert submitted["status"] == "PROCESSING"
    assert [g["gameNumber"] for g in submitted["games"]] == [1, 2, 3, 4]

    await drain(platform)
    data = await gql.ok(SUBMISSION, {"s": submitted["id"]}, token=captain)
    assert data["submission"]["status"] == "AWAITING_RATIFICATION", data
    assert data["submission"]["report"]["ok"] is True

    # The other side ratifies (one ratification is the default requirement).
    other_side = await team_users(platform, world.team_ids[1])
    ratified = await gql.ok(
        RATIFY, {"s": submitted["id"]}, token=await token_for(platform, other_side[0])
    )
    assert ratified["ratifySubmission"]["status"] == "ACCEPTED"

    match = (await gql.ok(MATCH, {"m": str(match_id)}))["match"]
    assert match["status"] == "COMPLETED"
    assert (match["homeTeam"]["name"], match["awayTeam"]["name"]) == ("Team 1", "Team 2")
    scores = [(g["number"], g["homeGoals"], g["awayGoals"]) for g in match["games"]]
    assert scores == [(1, 3, 1), (2, 0, 2), (3, 2, 1), (4, 1, 0)]
    home_names = {name for _, name, _ in found.home}
    away_names = {name for _, name, _ in found.away}
    for played, sent in zip(match["games"], uploads, strict=True):
        digest = hashlib.sha256(sent.data).hexdigest()
        assert played["replay"] == {
            "sha256": digest,
            "size": len(sent.data),
            "filename": sent.filename,
            "downloadUrl": f"/replays/{digest}.replay",
        }
        home_won = played["homeGoals"] > played["awayGoals"]
        assert played["homeWon"] is home_won  # no forfeit here: the goals decide
        winners = home_names if home_won else away_names
        lines = played["players"]
        assert {line["name"] for line in lines} == home_names | away_names
        # series.game: the second player of each side scores 200, the first 100 and one goal.
        (mvp,) = [line for line in lines if line["mvp"]]
        assert mvp["name"] in winners and mvp["score"] == 200
        assert all(line["won"] == (line["name"] in winners) for line in lines)
        assert sorted(line["goals"] for line in lines) == [0, 0, 1, 1]
        assert played["teams"] == [
            {
                "teamId": str(found.home_team_id),
                "goals": played["homeGoals"],
                "goalsAgainst": played["awayGoals"],
                "won": home_won,
            },
            {
                "teamId": str(found.away_team_id),
                "goals": played["awayGoals"],
                "goalsAgainst": played["homeGoals"],
                "won": not home_won,
            },
        ]

    # The captain (home, first player): one goal and 100 points a game, three wins of four.
    player = (await gql.ok(PLAYER, {"p": str(world.player_ids[0])}))["player"]
    assert player["stats"] == {
        "games": 4,
        "wins": 3,
        "mvps": 0,
        "goals": 4,
        "goalsPerGame": 1.0,
        "shotsPerGame": 2.0,
        "winRate": 0.75,
    }
    assert [line["won"] for line in player["gameLines"]] == [True, True, False, True]  # newest 1st
    assert {line["name"] for line in player["gameLines"]} == {player["name"]}
    assert all(line["score"] == 100 and not line["mvp"] for line in player["gameLines"])
    # A page of the newest lines; a size out of 1 to 100 is refused like every page's.
    lines = "query($p: ID!, $n: Int!) { player(id: $p) { gameLines(first: $n) { won } } }"
    newest = await gql.ok(lines, {"p": str(world.player_ids[0]), "n": 2})
    assert [line["won"] for line in newest["player"]["gameLines"]] == [True, True]
    for size in (0, -1, 101):
        error = await gql.error(lines, {"p": str(world.player_ids[0]), "n": size})
        assert error["extensions"]["code"] == "INVALID_PAGE_SIZE", size
    # The captain's teammate scored 200 in every game: the MVP of each game Team 1 won.
    mate = (await gql.ok(PLAYER, {"p": str(world.player_ids[1])}))["player"]
    assert (mate["stats"]["mvps"], mate["stats"]["goals"]) == (3, 0)

    team = (await gql.ok(TEAM, {"t": str(world.team_ids[0])}))["team"]
    assert team["stats"] == {
        "games": 4,
        "wins": 3,
        "goals": 6,
        "assists": 0,
        "saves": 8,
        "shots": 16,
        "goalsPerGame": 1.5,
        "winRate": 0.75,
    }
    loser = (await gql.ok(TEAM, {"t": str(world.team_ids[1])}))["team"]
    assert (loser["stats"]["games"], loser["stats"]["wins"], loser["stats"]["goals"]) == (4, 1, 4)

    table = {
        row["team"]["name"]: row
        for row in (await gql.ok(STANDINGS, {"s": str(world.season_id)}))["standings"]
    }
    assert {k: table["Team 1"][k] for k in ("played", "seriesWon", "gamesWon", "gamesLost")} == {
        "played": 1,
        "seriesWon": 1,
        "gamesWon": 3,
        "gamesLost": 1,
    }
    assert (table["Team 1"]["goalsFor"], table["Team 1"]["goalsAgainst"]) == (6, 4)
    assert (table["Team 2"]["seriesLost"], table["Team 2"]["gamesWon"]) == (1, 1)
    assert table["Team 1"]["points"] > table["Team 2"]["points"]
    assert table["Team 3"]["played"] == 0

    # Every replay downloads as the very bytes uploaded; anyone may download (no token).
    for played, sent in zip(match["games"], uploads, strict=True):
        response = await http.get(played["replay"]["downloadUrl"])
        assert response.status_code == 200
        assert response.content == sent.data
        assert response.headers["content-type"] == "application/octet-stream"
        assert played["replay"]["sha256"] in response.headers["content-disposition"]
        # ...saved under the name it was uploaded with.
        original = quote(played["replay"]["filename"], safe="")
        assert f"filename*=UTF-8''{original}" in response.headers["content-disposition"]
    assert (await http.get(f"/replays/{'0' * 64}.replay")).status_code == 404
    assert (await http.get("/replays/not-a-hash.replay")).status_code == 404

    # Ratifying again changes nothing more.
    again = await gql.ok(
        RATIFY, {"s": submitted["id"]}, token=await token_for(platform, other_side[1])
    )
    assert again["ratifySubmission"]["status"] == "ACCEPTED"
    assert await count(platform, MatchGame, MatchGame.match_id == match_id) == 4
    assert await count(platform, TeamGameStat) == 8
    assert await count(platform, PlayerGameStat) == 16


# -- typed errors of bad uploads -----------------------------------------------------------------


async def _nothing_stored(platform: Runtime, match_id: int, uploads: Sequence[Upload]) -> None:
    assert await count(platform, Submission, Submission.match_id == match_id) == 0
    for sent in uploads:
        digest = hashlib.sha256(sent.data).hexdigest()
        assert await count(platform, StoredReplay, StoredReplay.sha256 == digest) == 0
        assert not await platform.storage.exists(storage_key(digest))


async def _refused(
    http: httpx.AsyncClient, match_id: int, uploads: Sequence[Upload], token: str | None
) -> dict[str, Any]:
    body = await upload(http, match_id, uploads, token=token)
    assert (body.get("data") or {}).get("submitReplays") is None, body  # nothing submitted
    (error,) = body["errors"]
    assert error["message"].strip() and "Traceback" not in error["message"]
    return error


async def test_an_upload_over_the_size_cap_is_refused(platform, settings, world, http) -> None:
    match_id = await new_match(platform, world)
    uploads = sweep(await linked_lineup(platform, match_id))
    settings.replay_max_bytes = max(len(u.data) for u in uploads) - 1
    error = await _refused(http, match_id, uploads, world.tokens["team_captain"])
    assert error["extensions"]["code"] == "REPLAY_TOO_LARGE"
    assert f"{settings.replay_max_bytes:,} bytes" in error["message"]
    await _nothing_stored(platform, match_id, uploads)
    # Without a token the caller is told to sign in; the files are not even read.
    error = await _refused(http, match_id, uploads, None)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_request_too_large_for_any_series_is_refused_unread(
    platform, settings, world
) -> None:
    settings.replay_max_bytes = 1000  # so a request may carry 15 x 1,000 bytes plus 1 MB
    app = create_app(settings, runtime=platform)
    match_id = await new_match(platform, world)
    uploads = [Upload(f"game{n}.replay", bytes(100_000)) for n in range(1, 12)]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sprocket.test"
    ) as client:
        response = await post_multipart(
            client, SUBMIT, {"m": str(match_id)}, uploads, token=world.tokens["team_captain"]
        )
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert "MB" in error["message"]
    await _nothing_stored(platform, match_id, uploads)


async def test_a_corrupt_or_foreign_file_is_refused(platform, world, http) -> None:
    match_id = await new_match(platform, world)
    uploads = sweep(await linked_lineup(platform, match_id))
    broken = bytearray(uploads[1].data)
    broken[len(broken) // 2] ^= 0xFF
    cases = {
        "CORRUPT_REPLAY": Upload("game2.replay", bytes(broken)),
        "NOT_A_REPLAY": Upload("notes.txt", b"these are not the replays you are looking for\n"),
    }
    for code, bad in cases.items():
        sent = [uploads[0], bad, uploads[2]]
        error = await _refused(http, match_id, sent, world.tokens["team_captain"])
        assert error["extensions"]["code"] == code, error
        assert "Replay 2" in error["message"] and bad.filename in error["message"]
        await _nothing_stored(platform, match_id, sent)
    empty = await _refused(
        http, match_id, [Upload("empty.replay", b"")], world.tokens["team_captain"]
    )
    assert empty["extensions"]["code"] == "NOT_A_REPLAY"
    assert "empty" in empty["message"]


# -- hostile file names, sent raw -----------------------------------------------------------------

SUBMIT_NAMES = """
mutation($m: ID!, $files: [Upload!]!) {
  submitReplays(matchId: $m, files: $files) { id games { gameNumber replay { filename } } }
}
"""


async def post_raw_names(
    http: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any],
    files: Sequence[tuple[bytes, bytes]],
    *,
    token: str,
) -> dict[str, Any]:
    """A multipart request written byte by byte, so that each file name (``files``: raw
    name, data) reaches the server as it is: NUL, escape and bidi characters included
    (httpx would percent-encode them)."""
    boundary = b"sprocket-raw-boundary"
    operations = {"query": document, "variables": {**variables, "files": [None] * len(files)}}
    mapping = {str(i): [f"variables.files.{i}"] for i in range(len(files))}
    parts = [
        b'Content-Disposition: form-data; name="operations"\r\n\r\n'
        + json.dumps(operations).encode(),
        b'Content-Disposition: form-data; name="map"\r\n\r\n' + json.dumps(mapping).encode(),
    ]
    parts += [
        f'Content-Disposition: form-data; name="{i}"; filename="'.encode()
        + name
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
        for i, (name, data) in enumerate(files)
    ]
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    response = await http.post(
        "/graphql",
        content=body + b"--" + boundary + b"--\r\n",
        headers={
            **PREFLIGHT,
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary.decode()}",
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


HOSTILE_NAMES = {
    b"../../../etc/passwd.replay": "passwd.replay",
    b"\\\\server\\share\\nul\x00byte.replay": "nulbyte.replay",
    b"tab\tesc\x1b[31mred\xe2\x80\xae.replay": "tabesc[31mred.replay",
}


async def test_hostile_file_names_are_cleaned_through_the_upload(
    platform, settings, world, http
) -> None:
    match_id = await new_match(platform, world)
    uploads = sweep(await linked_lineup(platform, match_id))
    token = world.tokens["team_captain"]
    files = [(name, sent.data) for name, sent in zip(HOSTILE_NAMES, uploads, strict=True)]

    body = await post_raw_names(http, SUBMIT_NAMES, {"m": str(match_id)}, files, token=token)

    assert "errors" not in body, body
    submitted = body["data"]["submitReplays"]
    shown = [g["replay"]["filename"] for g in submitted["games"]]
    assert shown == list(HOSTILE_NAMES.values())
    await drain(platform)
    async with platform.reading() as s:
        row = await s.get(Submission, int(submitted["id"]))
        stored = (await s.scalars(select(StoredReplay.filename).order_by(StoredReplay.id))).all()
    assert row is not None and row.status == "awaiting_ratification", row.report
    assert [g["filename"] for g in row.report["games"]] == shown
    assert list(stored) == shown


async def test_a_refusal_names_a_hostile_file_by_its_clean_name(
    platform, settings, world, http
) -> None:
    match_id = await new_match(platform, world)
    uploads = sweep(await linked_lineup(platform, match_id))
    token = world.tokens["team_captain"]
    broken = bytearray(uploads[1].data)
    broken[-1] ^= 0xFF
    hostile = b"C:/tmp/../\x1b]0;pwned\x07game\x00.replay"

    corrupt = await post_raw_names(
        http,
        SUBMIT_NAMES,
        {"m": str(match_id)},
        [(b"game1.replay", uploads[0].data), (hostile, bytes(broken))],
        token=token,
    )
    settings.replay_max_bytes = len(uploads[0].data) - 1
    too_large = await post_raw_names(
        http, SUBMIT_NAMES, {"m": str(match_id)}, [(hostile, uploads[0].data)], token=token
    )

    for body, code, start in (
        (corrupt, "CORRUPT_REPLAY", "Replay 2 (]0;pwnedgame.replay): The replay is damaged"),
        (too_large, "REPLAY_TOO_LARGE", "Replay 1 (]0;pwnedgame.replay) is larger than"),
    ):
        (error,) = body["errors"]
        assert error["extensions"]["code"] == code
        assert error["message"].startswith(start), error["message"]
    await _nothing_stored(platform, match_id, uploads)


async def test_a_replay_already_used_is_refused(platform, world, http) -> None:
    first, second = await new_match(platform, world), await new_match(platform, world)
    uploads = sweep(await linked_lineup(platform, first))
    body = await upload(http, first, uploads, token=world.tokens["team_captain"])
    submission_id = int(body["data"]["submitReplays"]["id"])
    error = await _refused(http, second, uploads[:1], world.tokens["league_staff"])
    assert error["extensions"]["code"] == "REPLAY_ALREADY_USED"
    assert str(submission_id) in error["message"]
    assert await count(platform, Submission, Submission.match_id == second) == 0
    assert await count(platform, StoredReplay) == 3


async def test_only_the_entitled_may_upload(platform, world, http) -> None:
    match_id = await new_match(platform, world, home=2, away=3)  # Team 3 vs Team 4
    uploads = sweep(await linked_lineup(platform, match_id))
    for role, code in (
        ("outsider", "PERMISSION_DENIED"),
        ("team_captain", "PERMISSION_DENIED"),  # a captain, but of another team
        ("franchise_manager", "PERMISSION_DENIED"),  # whose franchise plays neither side
        ("spectator", "UNAUTHENTICATED"),
    ):
        error = await _refused(http, match_id, uploads, world.tokens[role])
        assert error["extensions"]["code"] == code, (role, error)
        await _nothing_stored(platform, match_id, uploads)
    assert (await upload(http, match_id, uploads, token=world.tokens["league_staff"]))["data"]


async def test_the_submitting_side_cannot_ratify(platform, world, http, gql) -> None:
    match_id = await new_match(platform, world)
    body = await upload(
        http,
        match_id,
        sweep(await linked_lineup(platform, match_id)),
        token=world.tokens["team_captain"],
    )
    submission_id = body["data"]["submitReplays"]["id"]
    await drain(platform)
    error = await gql.error(RATIFY, {"s": submission_id}, token=world.tokens["player"])
    assert error["extensions"]["code"] == "SUBMITTING_SIDE"
    assert await status_of(platform, int(submission_id)) == "awaiting_ratification"


async def test_a_multipart_request_needs_the_preflight_header(platform, world, http) -> None:
    match_id = await new_match(platform, world)
    uploads = sweep(await linked_lineup(platform, match_id))
    response = await post_multipart(
        http,
        SUBMIT,
        {"m": str(match_id)},
        uploads,
        token=world.tokens["team_captain"],
        headers={},
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "PREFLIGHT_REQUIRED"
    assert "Apollo-Require-Preflight" in error["message"]
    await _nothing_stored(platform, match_id, uploads)
    # The other header Apollo's clients send works as well.
    response = await post_multipart(
        http,
        SUBMIT,
        {"m": str(match_id)},
        uploads,
        token=world.tokens["team_captain"],
        headers={"X-Apollo-Operation-Name": "Submit"},
    )
    assert response.json()["data"]["submitReplays"]["status"] == "PROCESSING"


# -- the subscription ----------------------------------------------------------------------------

SUBSCRIPTION = (
    "subscription($s: ID!) { submissionStatus(submissionId: $s) { submissionId status } }"
)


@contextlib.asynccontextmanager
async def _subscribe(platform: Runtime, submission_id: int) -> AsyncIterator[Any]:
    stream = await SCHEMA.subscribe(
        SUBSCRIPTION,
        variable_values={"s": str(submission_id)},
        context_value=Context(platform, None),
    )
    assert hasattr(stream, "__anext__"), getattr(stream, "errors", stream)
    try:
        yield stream
    finally:
        await stream.aclose()


async def _next_status(stream: Any, submission_id: int) -> str:
    result = await asyncio.wait_for(anext(stream), timeout=TIMEOUT)
    assert result.errors is None, result.errors
    event = result.data["submissionStatus"]
    assert event["submissionId"] == str(submission_id)
    return event["status"]


async def test_the_status_streams_from_processing_to_accepted(platform, world: World) -> None:
    match_id = await new_match(platform, world)
    uploads = sweep(await linked_lineup(platform, match_id))
    submission_id = await submit(platform, world.actors["team_captain"], match_id, uploads)
    async with _subscribe(platform, submission_id) as stream:
        assert await _next_status(stream, submission_id) == "PROCESSING"
        await drain(platform)
        assert await _next_status(stream, submission_id) == "AWAITING_RATIFICATION"
        other_side = await team_users(platform, world.team_ids[1])
        async with platform.unit_of_work() as s:
            await replays.ratify(s, actor=Actor(user_id=other_side[0]), submission_id=submission_id)
        await drain(platform)
        assert await _next_status(stream, submission_id) == "ACCEPTED"


async def test_an_unknown_submission_is_not_found(platform, world: World) -> None:
    stream = await SCHEMA.subscribe(
        SUBSCRIPTION, variable_values={"s": "99999"}, context_value=Context(platform, None)
    )
    if hasattr(stream, "__anext__"):
        try:
            result = await asyncio.wait_for(anext(stream), timeout=TIMEOUT)
        finally:
            await stream.aclose()
    else:
        result = stream
    assert [e.extensions["code"] for e in result.errors or []] == ["NOT_FOUND"]
    assert await platform.cache.subscriber_count(replays.submission_channel(99999)) == 0


# -- statements of the stats queries -------------------------------------------------------------

SCOREBOARDS = """
query($s: ID!) {
  matches(seasonId: $s, status: COMPLETED, first: 100) {
    nodes {
      homeTeam { name } awayTeam { name }
      games {
        number homeGoals awayGoals
        replay { sha256 downloadUrl }
        players { name score goals mvp }
        teams { goals won }
      }
    }
  }
}
"""

ONE_MATCH = """
query($m: ID!) {
  match(id: $m) {
    games {
      number replay { sha256 downloadUrl } players { name score goals mvp } teams { goals won }
    }
  }
}
"""

PLAYERS = """
query($l: ID!) {
  players(leagueId: $l, first: 100) {
    nodes {
      name
      stats { games wins goalsPerGame winRate }
      gameLines { score goals mvp won }
    }
  }
  teams(leagueId: $l, first: 100) { nodes { name stats { games wins goals winRate } } }
}
"""


async def _statements(platform: Runtime, query: str, variables: dict[str, Any]) -> int:
    warm = await SCHEMA.execute(query, variables, context_value=Context(platform, None))
    assert warm.errors is None, warm.errors
    with StatementCounter(platform.engine) as counter:
        result = await SCHEMA.execute(query, variables, context_value=Context(platform, None))
    assert result.errors is None, result.errors
    assert counter.count > 0
    return counter.count


async def _accept_series(platform: Runtime, world: World, home: int, away: int, games: int) -> int:
    """A series of ``games`` games (home wins the last three) accepted by staff."""
    match_id = await new_match(platform, world, home, away)
    found = await linked_lineup(platform, match_id)
    uploads = [
        game(found, n, home_goals=1 if n > games - 3 else 0, away_goals=0 if n > games - 3 else 2)
        for n in range(1, games + 1)
    ]
    submission_id = await submit(platform, world.actors["league_staff"], match_id, uploads)
    await drain(platform)
    async with platform.unit_of_work() as s:
        await replays.force_accept(
            s, actor=world.actors["league_staff"], submission_id=submission_id
        )
    return match_id


async def test_stats_queries_do_not_grow_with_rows(platform, world: World) -> None:
    season, league_id = {"s": str(world.season_id)}, {"l": str(world.league_id)}
    first = await _accept_series(platform, world, 0, 1, games=3)
    small = {
        "scoreboards": await _statements(platform, SCOREBOARDS, season),
        "one match": await _statements(platform, ONE_MATCH, {"m": str(first)}),
        "players": await _statements(platform, PLAYERS, league_id),
    }
    # Three more series, longer ones, between other teams: more games, lines, players, teams.
    await _accept_series(platform, world, 2, 3, games=5)
    await _accept_series(platform, world, 1, 2, games=4)
    longest = await _accept_series(platform, world, 3, 0, games=5)
    large = {
        "scoreboards": await _statements(platform, SCOREBOARDS, season),
        "one match": await _statements(platform, ONE_MATCH, {"m": str(longest)}),
        "players": await _statements(platform, PLAYERS, league_id),
    }
    result = await SCHEMA.execute(SCOREBOARDS, season, context_value=Context(platform, None))
    nodes = result.data["matches"]["nodes"]
    assert sorted(len(n["games"]) for n in nodes) == [3, 4, 5, 5]
    assert all(len(g["players"]) == 4 and len(g["teams"]) == 2 for n in nodes for g in n["games"])
    assert await count(platform, PlayerGameStat) == 4 * (3 + 5 + 4 + 5)
    print(f"statements (one series, four series): {small} vs {large}")
    assert small == large, f"statements (one series, four series): {small} vs {large}"


# -- the report lists unknown accounts; a claim links them ---------------------------------------


def with_unknown_account(found: Lineup, *, away: bool, account: str, name: str) -> Lineup:
    """The lineup with the second player of one side on an account linked to nobody."""
    side = list(found.away if away else found.home)
    member_id, _, _ = side[1]
    side[1] = (member_id, name, account)
    return dataclasses.replace(found, **{"away" if away else "home": side})


CLAIM = """
mutation($s: ID!, $p: String!, $a: String!) {
  claimAccount(submissionId: $s, platform: $p, accountId: $a) { id status accountName }
}
"""
CONFIRM = "mutation($c: ID!) { confirmAccountClaim(claimId: $c) { id status } }"


async def test_an_unknown_account_is_claimed_and_the_series_checked_again(
    platform, world: World, http, gql
) -> None:
    match_id = await new_match(platform, world)
    found = await linked_lineup(platform, match_id)
    smurf = str(76561198000000000 + 900_001)
    # The "player" (Team 1's second member) played on an account nobody linked.
    uploads = sweep(with_unknown_account(found, away=False, account=smurf, name="Smurf"))
    body = await upload(http, match_id, uploads, token=world.tokens["team_captain"])
    submission_id = body["data"]["submitReplays"]["id"]
    await drain(platform)

    submission = (await gql.ok(SUBMISSION, {"s": submission_id}))["submission"]
    assert submission["status"] == "REJECTED"
    assert "Smurf" in submission["rejectionReason"]
    unknown = submission["report"]["unknown_accounts"]
    assert unknown == [
        {"game": n, "name": "Smurf", "platform": "steam", "platform_id": smurf} for n in (1, 2, 3)
    ]

    claim = (
        await gql.ok(
            CLAIM, {"s": submission_id, "p": "steam", "a": smurf}, token=world.tokens["player"]
        )
    )["claimAccount"]
    assert (claim["status"], claim["accountName"]) == ("PENDING", "Smurf")
    # The claimant's own side does not confirm; the other side does.
    refused = await gql.error(CONFIRM, {"c": claim["id"]}, token=world.tokens["team_captain"])
    assert refused["extensions"]["code"] == "PERMISSION_DENIED"
    other_side = await team_users(platform, world.team_ids[1])
    confirmed = await gql.ok(
        CONFIRM, {"c": claim["id"]}, token=await token_for(platform, other_side[0])
    )
    assert confirmed["confirmAccountClaim"]["status"] == "CONFIRMED"
    async with platform.reading() as s:
        owner = await s.scalar(
            select(Member.user_id)
            .join(PlatformAccount, PlatformAccount.member_id == Member.id)
            .where(PlatformAccount.platform == "steam", PlatformAccount.account_id == smurf)
        )
    assert owner == world.user_ids["player"]

    # Checked again from the same replays, without a new upload.
    await drain(platform)
    submission = (await gql.ok(SUBMISSION, {"s": submission_id}))["submission"]
    assert submission["status"] == "AWAITING_RATIFICATION", submission["report"]
    assert submission["report"]["unknown_accounts"] == []
    assert await count(platform, StoredReplay) == 3
