"""`sprocket replay inspect [--json] FILE...` over the real files, and `sprocket submit`.

The JSON contract (issue 3, the outcome since issue 8): one array on standard output, one
object per file in the order given, ``{file, ok: true, replay_id, match_guid, date,
match_type, map, team_size, team0_score, team1_score, winner, forfeit, unfinished,
seconds_played, players: [{name, team, score, goals, assists, saves, shots, platform,
platform_id, is_bot}]}`` or ``{file, ok: false, error: {code, message}}``; exit status 0 when
every file parsed, 1 otherwise; valid JSON (ASCII, escapes for the rest) whatever the
terminal's encoding. The expected values are MANIFEST.md's table, written out below.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sprocket.cli import app
from sprocket.config import load_settings
from sprocket.identity.models import User
from sprocket.jobs import build_runtime
from sprocket.migrate import upgrade
from sprocket.replays.models import Submission
from sprocket.replays.parser import parse_replay
from tests.conftest import REPLAYS
from tests.helpers.replay_writer import PlayerSpec, build_replay

runner = CliRunner()
GOOD, BAD = REPLAYS / "good", REPLAYS / "bad"
needs_replays = pytest.mark.skipif(
    not (GOOD.is_dir() and BAD.is_dir()),
    reason=f"the real replays are absent: {REPLAYS} (good/ and bad/) is not there",
)

REPLAY_KEYS = {
    "file",
    "ok",
    "replay_id",
    "match_guid",
    "date",
    "match_type",
    "map",
    "team_size",
    "team0_score",
    "team1_score",
    "winner",
    "forfeit",
    "unfinished",
    "seconds_played",
    "players",
}
PLAYER_KEYS = {
    "name",
    "team",
    "score",
    "goals",
    "assists",
    "saves",
    "shots",
    "platform",
    "platform_id",
    "is_bot",
}
ERROR_KEYS = {"file", "ok", "error"}

# MANIFEST.md: file, date, match type, team size, players listed, score team 0, team 1, map.
MANIFEST: list[tuple[str, date, str, int | None, int, int, int, str | None]] = [
    ("002c", date(2017, 8, 9), "Online", 3, 6, 0, 4, "Underwater_P"),
    ("00bb", date(2020, 10, 29), "Online", 3, 5, 4, 2, "TrainStation_Dawn_P"),
    ("01d3e5", date(2018, 5, 29), "Offline", 1, 1, 1, 0, "Stadium_P"),
    ("07e9", date(2016, 6, 20), "Offline", 1, 1, 0, 1, "HoopsStadium_P"),
    ("0ca5", date(2019, 10, 17), "Offline", 1, 1, 1, 0, "chn_stadium_P"),
    ("0e62", date(2024, 4, 8), "Private", 3, 0, 0, 0, "FNI_Stadium_P"),
    ("17A7C1084017DFA7DBE66D9C66D81CBD", date(2025, 11, 21), "Private", 2, 4, 1, 5, "UF_Day_P"),
    ("18d6", date(2016, 6, 21), "Offline", 1, 1, 1, 0, "labs_circlepillars_p"),
    ("1afa", date(2025, 1, 18), "Online", 2, 4, 2, 3, "eurostadium_snownight_p"),
    ("1d1d", date(2016, 6, 21), "Offline", 4, 5, 0, 1, "Neotokyo_p"),
    ("22ba", date(2016, 9, 15), "Online", 2, 4, 0, 4, "Stadium_p"),
    ("2b37b", date(2026, 5, 27), "Lan", 4, 4, 5, 4, "EuroStadium_Night_P"),
    ("3bd08", date(2024, 10, 24), "Private", 2, 4, 1, 0, "wasteland_Night_S_P"),
    ("4375", date(2026, 6, 10), "Online", 2, 4, 1, 1, "cs_day_p"),
    ("52b5", date(2024, 4, 21), "Online", 3, 6, 5, 0, "Underwater_GRS_P"),
    ("6688", date(2015, 10, 27), "Online", 2, 1, 0, 0, None),
    ("6d1b", date(2016, 5, 16), "Online", 2, 4, 1, 0, "TrainStation_P"),
    ("7588d", date(2019, 10, 19), "Online", 3, 5, 0, 0, None),
    ("8905", date(2025, 3, 16), "Private", 2, 4, 1, 0, "EuroStadium_Night_P"),
    ("9065", date(2025, 3, 15), "Private", 1, 1, 0, 0, "UF_Day_P"),
    ("9ab7", date(2025, 3, 15), "Private", 1, 1, 0, 1, "UF_Day_P"),
    ("P3_Soccar_Strike", date(2026, 4, 6), "Tournament", 3, 6, 4, 2, "Stadium_P"),
    ("a671", date(2016, 4, 26), "Online", 2, 4, 0, 6, "HoopsStadium_P"),
    ("b62e", date(2024, 12, 2), "Training", 3, 0, 0, 0, "Park_P"),
    ("d50f", date(2025, 5, 3), "Private", 1, 2, 1, 0, "UF_Day_P"),
    ("d9d9", date(2024, 12, 5), "Online", 3, 6, 6, 4, "Stadium_Winter_P"),
    ("dropshot_rumble", date(2025, 3, 15), "Private", None, 1, 0, 1, "UF_Day_P"),
    ("eac", date(2026, 4, 28), "Online", 2, 4, 4, 3, "mall_day_p"),
    ("fba4", date(2024, 8, 10), "Tournament", 2, 4, 1, 8, "CHN_Stadium_P"),
    ("heatseeker", date(2025, 3, 15), "Private", None, 1, 0, 1, "UF_Day_P"),
    ("multiple_balls", date(2025, 6, 2), "Private", 1, 2, 0, 1, "Park_Snowy_P"),
    ("no-frames", date(2015, 9, 28), "Online", 2, 0, 0, 0, None),
    ("possession_rumble", date(2025, 7, 3), "Online", 2, 4, 24, 50, "Labs_CirclePillars_P"),
    ("rl-254", date(2025, 7, 30), "Private", 2, 4, 0, 1, "UtopiaStadium_Lux_P"),
    ("rl-255", date(2025, 8, 22), "Online", 3, 7, 5, 6, "Wasteland_Night_P"),
    ("rlcs", date(2016, 12, 4), "Lan", 4, 6, 2, 5, "Stadium_p"),
    ("small-frames", date(2016, 6, 6), "Private", 1, 1, 1, 0, "Stadium_p"),
    ("sonic_spin", date(2025, 9, 24), "Online", 3, 9, 2, 8, "street_p"),
    ("spike_rush", date(2026, 3, 31), "Tournament", 3, 6, 0, 4, "throwbackstadium_P"),
    ("tourny", date(2020, 9, 30), "Tournament", 3, 6, 4, 2, "farm_p"),
    ("up_to_no_good", date(2025, 11, 4), "Private", 1, 1, 55, 0, "Labs_PillarGlass_P"),
]
EXPECTED = {row[0]: row for row in MANIFEST}


def inspect_json(*paths: Path | str) -> tuple[int, list[dict[str, Any]]]:
    result = runner.invoke(app, ["replay", "inspect", "--json", *map(str, paths)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def check_good(entry: dict[str, Any], path: Path) -> None:
    assert set(entry) == REPLAY_KEYS, entry.keys()
    assert entry["file"] == str(path) and entry["ok"] is True
    _, day, match_type, team_size, players, score0, score1, map_name = EXPECTED[path.stem]
    assert date.fromisoformat(entry["date"][:10]) == day
    assert (entry["match_type"], entry["team_size"], entry["map"]) == (
        match_type,
        team_size,
        map_name,
    )
    assert (entry["team0_score"], entry["team1_score"]) == (score0, score1)
    assert len(entry["players"]) == players
    assert isinstance(entry["replay_id"], str) and re.fullmatch(r"[0-9A-F]{32}", entry["replay_id"])
    # Each line is the parser's, key for key; the outcome is the replay's one outcome.
    replay = parse_replay(path.read_bytes())
    assert entry["replay_id"] == replay.replay_id
    assert entry["match_guid"] == replay.match_guid
    assert entry["seconds_played"] == replay.seconds_played
    outcome = replay.outcome
    assert (entry["winner"], entry["forfeit"], entry["unfinished"]) == (
        outcome.winner,
        outcome.forfeit,
        outcome.unfinished,
    )
    for line, player in zip(entry["players"], replay.players, strict=True):
        assert set(line) == PLAYER_KEYS, line.keys()
        assert line == {key: getattr(player, key) for key in PLAYER_KEYS}
        assert line["team"] in (0, 1, None)
        assert all(isinstance(line[k], int) for k in ("score", "goals", "assists", "saves"))


def check_failed(entry: dict[str, Any], path: Path | str, code: str) -> None:
    assert set(entry) == ERROR_KEYS, entry.keys()
    assert entry["file"] == str(path) and entry["ok"] is False
    assert set(entry["error"]) == {"code", "message"}
    assert entry["error"]["code"] == code, entry
    message = entry["error"]["message"]
    assert message.strip() and message[0].isupper() and message.rstrip().endswith(".")


@needs_replays
def test_the_encoded_manifest_is_the_manifest() -> None:
    rows = {}
    for line in (REPLAYS / "MANIFEST.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0].startswith("good/"):
            name, _, day, kind, size, players, score, map_name = cells
            rows[Path(name).stem] = (
                Path(name).stem,
                date.fromisoformat(day),
                kind,
                None if size == "None" else int(size),
                int(players),
                *map(int, score.split("-")),
                None if map_name == "None" else map_name,
            )
    assert rows == EXPECTED
    assert sorted(p.stem for p in GOOD.glob("*.replay")) == sorted(EXPECTED)


@needs_replays
def test_json_over_every_good_and_bad_file_in_the_order_given() -> None:
    good = sorted(GOOD.glob("*.replay"))
    bad = sorted(BAD.glob("*.replay"))
    assert len(good) == 41 and len(bad) == 7
    # Interleaved and partly reversed: the answer follows the order of the arguments.
    paths = [p for pair in zip(good[::-1], bad + [None] * 34, strict=True) for p in pair if p]
    assert len(paths) == 48
    code, entries = inspect_json(*paths)
    assert code == 1  # the bad files fail
    assert [e["file"] for e in entries] == [str(p) for p in paths]
    for entry, path in zip(entries, paths, strict=True):
        if path.parent == BAD:
            check_failed(entry, path, "CORRUPT_REPLAY")
        else:
            check_good(entry, path)


@needs_replays
def test_exit_status_zero_when_every_file_parses() -> None:
    good = sorted(GOOD.glob("*.replay"))
    code, entries = inspect_json(*good)
    assert code == 0
    assert len(entries) == 41 and all(e["ok"] for e in entries)


@needs_replays
def test_a_missing_and_an_empty_file_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.replay"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.replay"
    one = GOOD / "3bd08.replay"
    code, entries = inspect_json(one, missing, empty)
    assert code == 1
    check_good(entries[0], one)
    check_failed(entries[1], missing, "NOT_A_REPLAY")
    assert "cannot be read" in entries[1]["error"]["message"]
    check_failed(entries[2], empty, "NOT_A_REPLAY")
    assert "empty" in entries[2]["error"]["message"]


@needs_replays
def test_the_readable_form_prints_a_scoreboard() -> None:
    league_game = GOOD / "17A7C1084017DFA7DBE66D9C66D81CBD.replay"
    broken = BAD / "fuzz-corpus.replay"
    result = runner.invoke(app, ["replay", "inspect", str(league_game), str(broken)])
    assert result.exit_code == 1
    out = result.stdout
    assert "Private 2v2 on UF_Day_P" in out and "blue 1 - 5 orange" in out
    for column in ("team", "player", "score", "goals", "assists", "saves", "shots", "account"):
        assert column in out
    replay = parse_replay(league_game.read_bytes())
    for player in replay.players:
        row = next(line for line in out.splitlines() if f" {player.score} " in line)
        assert ("blue" if player.team == 0 else "orange") in row
        assert player.platform in row
    assert "Kaleb077." in out and "Ant" in out
    assert f"{broken}: The replay is damaged" in out and "(CORRUPT_REPLAY)" in out
    assert not out.lstrip().startswith("[")  # not JSON
    assert "orange won; match GUID EE2C782A11F0C756E1F5BA8437901B26; 303.1 s played" in out


@needs_replays
def test_the_outcome_winner_forfeit_unfinished_guid_and_bots() -> None:
    """MANIFEST.md's facts as `replay inspect` shows them, in JSON and on a scoreboard."""
    names = ("4375", "d50f", "eac", "tourny")
    code, entries = inspect_json(*(GOOD / f"{name}.replay" for name in names))
    assert code == 0
    shown = {
        name: (e["winner"], e["forfeit"], e["unfinished"], e["match_guid"])
        for name, e in zip(names, entries, strict=True)
    }
    assert shown == {
        "4375": (1, True, False, "4375F34411F1651138B732B293F5F544"),  # 1-1, forfeited
        "d50f": (None, False, True, "770019C011F0281C754B52B227B6CAA2"),  # 1-0 after 19 s
        "eac": (0, False, False, "A5E9758011F1431C83E2C68C4ED14858"),  # 4-3, no WinningTeam
        "tourny": (0, False, False, None),  # older: no GUID, the goals decide
    }
    assert entries[1]["seconds_played"] == pytest.approx(18.87, abs=0.01)
    assert {(p["name"], p["is_bot"]) for p in entries[1]["players"]} == {
        ("Drogings", False),
        ("Merlin", True),
    }

    result = runner.invoke(app, ["replay", "inspect", *(str(GOOD / f"{n}.replay") for n in names)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "orange won (forfeit); match GUID 4375F34411F1651138B732B293F5F544; 21.0 s played" in out
    assert "unfinished match: no winner; match GUID 770019C011F0281C754B52B227B6CAA2" in out
    assert "blue won; match GUID A5E9758011F1431C83E2C68C4ED14858; 300.0 s played" in out
    assert "blue won; match GUID not recorded" in out
    merlin = next(line for line in out.splitlines() if "Merlin" in line)
    assert "orange" in merlin and "bot" in merlin


# -- player names and file names a terminal cannot show ------------------------------------------

HOSTILE_NAMES = ("Ωmega 日本", "[/]", "[red]Zoë[/red] 🚀", "back\\slash")


def hostile_replay(folder: Path) -> Path:
    """A replay whose player names are outside cp1252 or look like Rich markup, under a file
    name whose bytes are not UTF-8."""
    players = [
        PlayerSpec(name, team=i % 2, platform="steam", platform_id=str(76561198000000001 + i))
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    path = Path(os.fsdecode(bytes(folder) + b"/g\xff\xfeme.replay"))
    path.write_bytes(build_replay(players=players, team0_score=2, team1_score=1))
    return path


def run_sprocket(*args: str, encoding: str) -> subprocess.CompletedProcess[bytes]:
    """The `sprocket` command in a process of its own whose terminal speaks ``encoding``."""
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from sprocket.cli import main; main()", *args],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_cp1252_terminal_gets_escapes_not_a_traceback(tmp_path: Path) -> None:
    path = hostile_replay(tmp_path)

    shown = run_sprocket("replay", "inspect", str(path), encoding="cp1252")

    assert shown.returncode == 0, shown.stderr.decode("cp1252", "replace")
    assert b"Traceback" not in shown.stderr
    out = shown.stdout.decode("cp1252")
    assert "\\u03a9mega \\u65e5\\u672c" in out  # what cp1252 cannot show, escaped
    assert "[/]" in out and "[red]Zoë[/red] \\U0001f680" in out  # printed, not read as markup
    assert "\\udcff\\udcfeme.replay" in out  # the file name's undecodable bytes
    assert "blue won; match GUID not recorded" in out


def test_json_is_valid_and_exact_whatever_the_terminal(tmp_path: Path) -> None:
    path = hostile_replay(tmp_path)
    for encoding in ("cp1252", "ascii", "utf-8"):
        shown = run_sprocket("replay", "inspect", "--json", str(path), encoding=encoding)

        assert shown.returncode == 0, shown.stderr.decode(encoding, "replace")
        assert shown.stdout.isascii()
        (entry,) = json.loads(shown.stdout)
        assert [p["name"] for p in entry["players"]] == list(HOSTILE_NAMES)
        assert entry["file"] == str(path)
        assert (entry["winner"], entry["unfinished"]) == (0, False)


# -- sprocket submit -----------------------------------------------------------------------------


@pytest.fixture
def data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None
) -> Iterator[Path]:
    """A temporary data folder on the embedded defaults; logging restored afterwards."""
    for name in list(os.environ):
        if name.upper().startswith("SPROCKET_") and not name.upper().startswith("SPROCKET_TEST_"):
            monkeypatch.delenv(name)
    data = tmp_path / "data"
    monkeypatch.setenv("SPROCKET_DATA_DIR", str(data))
    monkeypatch.setenv("SPROCKET_DATABASE_URL", f"sqlite+aiosqlite:///{data / 'sprocket.db'}")
    monkeypatch.setenv("SPROCKET_SECRETS_DIR", str(tmp_path / "no-secrets"))
    monkeypatch.setenv("SPROCKET_LOG_FORMAT", "console")
    monkeypatch.chdir(tmp_path)
    data.mkdir()
    yield data


async def _league(tmp_path: Path) -> dict[str, Any]:
    """A World in the data folder, a fresh match of Team 1 and Team 2, its replays on disk."""
    from tests.api.test_replay_api import linked_lineup, new_match
    from tests.league_world import build_world
    from tests.replays.series import sweep

    platform = build_runtime(load_settings())
    await platform.start(relay=False)
    try:
        world = await build_world(platform)
        match_id = await new_match(platform, world)
        files = []
        for upload in sweep(await linked_lineup(platform, match_id)):
            path = tmp_path / upload.filename
            path.write_bytes(upload.data)
            files.append(str(path))
        async with platform.reading() as s:
            discord = {
                role: await s.scalar(select(User.discord_id).where(User.id == user_id))
                for role, user_id in world.user_ids.items()
            }
    finally:
        await platform.stop()
    return {"match_id": match_id, "files": files, "discord": discord}


async def _submissions() -> list[tuple[int, str]]:
    platform = build_runtime(load_settings())
    try:
        async with platform.reading() as s:
            rows = await s.execute(select(Submission.match_id, Submission.status))
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        await platform.stop()


def test_submit_as_staff_prints_the_submission(data_dir: Path, tmp_path: Path) -> None:
    upgrade(load_settings().resolved_database_url)
    league = asyncio.run(_league(tmp_path))
    match_id = league["match_id"]

    for who, sentence in (
        ("outsider", "Only league staff"),
        ("team_captain", "Only league staff"),  # plays the match, but uploads through the API
    ):
        result = runner.invoke(
            app,
            ["submit", str(match_id), *league["files"], "--discord-id", league["discord"][who]],
        )
        assert result.exit_code == 1, result.output
        assert sentence in result.stdout and "Traceback" not in result.output
    unknown = runner.invoke(app, ["submit", str(match_id), *league["files"], "--discord-id", "42"])
    assert unknown.exit_code == 1
    assert "No user has the Discord id 42." in unknown.stdout
    missing = runner.invoke(
        app,
        ["submit", str(match_id), str(tmp_path / "gone.replay"), "--discord-id", "42"],
    )
    assert missing.exit_code == 1
    assert "gone.replay" in missing.stdout and "Traceback" not in missing.output
    assert asyncio.run(_submissions()) == []

    result = runner.invoke(
        app,
        [
            "submit",
            str(match_id),
            *league["files"],
            "--discord-id",
            league["discord"]["league_staff"],
        ],
    )
    assert result.exit_code == 0, result.output
    (submission,) = re.findall(rf"Submission (\d+) for match {match_id}: (\w+)\.", result.stdout)
    assert submission[1] == "processing"
    # The in-process job ran before the command ended: the series awaits ratification.
    assert asyncio.run(_submissions()) == [(match_id, "awaiting_ratification")]
