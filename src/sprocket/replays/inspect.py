"""`sprocket replay inspect`: a file's verified header as JSON, or as a scoreboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from sprocket.replays.errors import ReplayCode
from sprocket.replays.parser import ReplayError, parse_replay
from sprocket.replays.summary import header_summary

TEAMS = {0: "blue", 1: "orange"}


def inspect_file(path: Path) -> dict[str, Any]:
    """The contract of `replay inspect --json`: one object per file, ok or an error.

    A readable replay gives ``{file, ok: true}``, its :func:`header_summary` (outcome
    included) and ``players: [{name, team, score, goals, assists, saves, shots, platform,
    platform_id, is_bot}]``; a failure gives ``{file, ok: false, error: {code, message}}``
    (codes of :class:`ReplayError`, ``NOT_A_REPLAY`` for a file that cannot be read).
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        return _failed(path, ReplayCode.NOT_A_REPLAY, f"The file cannot be read: {error.strerror}.")
    try:
        replay = parse_replay(data)
    except ReplayError as error:
        return _failed(path, error.code, error.message)
    return {
        "file": str(path),
        "ok": True,
        **header_summary(replay),
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
                "is_bot": p.is_bot,
            }
            for p in replay.players
        ],
    }


def _failed(path: Path, code: str, message: str) -> dict[str, Any]:
    return {"file": str(path), "ok": False, "error": {"code": code, "message": message}}


def outcome_line(result: dict[str, Any]) -> str:
    """The outcome of an inspected replay in words: "orange won (forfeit)", "unfinished
    match: no winner", "no winner"; then its match GUID and playing time when known."""
    if result["unfinished"]:
        said = "unfinished match: no winner"
    elif result["winner"] is None:
        said = "no winner"
    else:
        said = f"{TEAMS[result['winner']]} won" + (" (forfeit)" if result["forfeit"] else "")
    guid = result["match_guid"]
    seconds = result["seconds_played"]
    return f"{said}; match GUID {guid or 'not recorded'}" + (
        f"; {seconds:.1f} s played" if seconds is not None else ""
    )


def scoreboard(result: dict[str, Any], *, encoding: str = "utf-8") -> Table | str:
    """Rich renderable of one :func:`inspect_file` result for a terminal of ``encoding``.

    File and player names are shown as they are, never read as markup; what ``encoding``
    cannot show is written as escapes (``\\u03a9``), so the columns stay aligned.
    """

    def shown(text: str) -> str:
        return escape(text.encode(encoding, "backslashreplace").decode(encoding))

    if not result["ok"]:
        error = result["error"]
        return f"[red]{shown(result['file'])}: {shown(error['message'])} ({error['code']})[/]"
    size = result["team_size"]
    table = Table(
        title=shown(
            f"{result['file']}\n{result['match_type'] or '?'} "
            f"{f'{size}v{size}' if size else ''} on {result['map'] or '?'}, "
            f"{result['date'] or 'undated'}: blue {result['team0_score']} - "
            f"{result['team1_score']} orange\n{outcome_line(result)}"
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
        account = "bot" if p["is_bot"] else f"{p['platform']} {p['platform_id'] or ''}".strip()
        table.add_row(
            TEAMS.get(p["team"], "-"),
            shown(p["name"]),
            *(str(p[k]) for k in ("score", "goals", "assists", "saves", "shots")),
            account,
        )
    return table
