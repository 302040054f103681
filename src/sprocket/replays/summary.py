"""A verified replay's header as plain JSON data.

The one description of a replay that a submission's per-game summary and
`sprocket replay inspect --json` share; its outcome is :attr:`Replay.outcome`'s.
"""

from __future__ import annotations

from typing import Any

from sprocket.replays.parser import Replay


def header_summary(replay: Replay) -> dict[str, Any]:
    """``{replay_id, match_guid, date, match_type, map, team_size, team0_score, team1_score,
    winner, forfeit, unfinished, seconds_played}``: ``date`` in ISO 8601 (the game's local
    time, naive), ``winner`` the replay team (0 blue, 1 orange) or None, ``seconds_played``
    the header's playing time in seconds or None. Every value is JSON-safe (finite numbers,
    strings, booleans, None)."""
    outcome = replay.outcome
    return {
        "replay_id": replay.replay_id,
        "match_guid": replay.match_guid,
        "date": replay.date.isoformat() if replay.date else None,
        "match_type": replay.match_type,
        "map": replay.map,
        "team_size": replay.team_size,
        "team0_score": replay.team0_score,
        "team1_score": replay.team1_score,
        "winner": outcome.winner,
        "forfeit": outcome.forfeit,
        "unfinished": outcome.unfinished,
        "seconds_played": replay.seconds_played,
    }
