"""`sprocket replay inspect`: a file's verified header as JSON, or as a scoreboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from sprocket.replays.parser import ReplayError, parse_replay


def inspect_file(path: Path) -> dict[str, Any]:
    """The contract of `replay inspect --json`: one object per file, ok or an error."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return _failed(path, "not_a_replay", f"The file cannot be read: {error.strerror}.")
    try:
        replay = parse_replay(data)
    except ReplayError as error:
        return _failed(path, error.code, error.message)
    return {
        "file": str(path),
        "ok": True,
        "replay_id": replay.replay_id,
        "date": replay.date.isoformat() if replay.date else None,
        "match_type": replay.match_type,
        "map": replay.map,
        "team_size": replay.team_size,
        "team0_score": replay.team0_score,
        "team1_score": replay.team1_score,
        "players": [
            {
                "name": p.name,
                "team": p.team,
                "score": p.score,
                "goals": p.goals,
                "assists": p.assists,
                "saves": p.saves,
                "shots": p.shots,
                "platform": p.platform,
                "platform_id": p.platform_id,
            }
            for p in replay.players
        ],
    }


def _failed(path: Path, code: str, message: str) -> dict[str, Any]:
    return {"file": str(path), "ok": False, "error": {"code": code, "message": message}}


def scoreboard(result: dict[str, Any]) -> Table | str:
    if not result["ok"]:
        error = result["error"]
        return f"[red]{result['file']}: {error['message']} ({error['code']})[/]"
    size = result["team_size"]
    table = Table(
        title=(
            f"{result['file']}\n{result['match_type'] or '?'} "
            f"{f'{size}v{size}' if size else ''} on {result['map'] or '?'}, "
            f"{result['date'] or 'undated'}: blue {result['team0_score']} - "
            f"{result['team1_score']} orange"
        ),
        title_justify="left",
    )
    for column in ("team", "player", "score", "goals", "assists", "saves", "shots", "account"):
        text = column in ("team", "player", "account")
        # Names and account ids fold onto a second line in a narrow terminal, never cut short.
        table.add_column(
            column, justify="left" if text else "right", overflow="fold" if text else "ellipsis"
        )
    for p in sorted(result["players"], key=lambda p: (p["team"] is None, p["team"], -p["score"])):
        team = {0: "blue", 1: "orange"}.get(p["team"], "-")
        account = f"{p['platform']} {p['platform_id'] or ''}".strip()
        table.add_row(
            team,
            p["name"],
            *(str(p[k]) for k in ("score", "goals", "assists", "saves", "shots")),
            account,
        )
    return table
