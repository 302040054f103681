"""A submission's report without the game account ids of members who keep them hidden.

A report names, per game, each player's platform id and the member it is linked to, so shown
as it is it would list members' linked accounts to anyone (see
:func:`sprocket.league.access.identity_view`). Pure: the door says whose ids are hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sprocket.league.accounts import platform_name

HIDDEN = "(hidden)"


def report_members(report: dict[str, Any] | None) -> set[int]:
    """The member ids a report (a ``Report.as_json()``, or None) links players to."""
    return {
        found["member_id"]
        for game in (report or {}).get("games", [])
        for found in game.get("found", [])
        if found.get("member_id") is not None
    }


def without_account_ids(report: dict[str, Any], hidden_members: Iterable[int]) -> dict[str, Any]:
    """``report`` (a ``Report.as_json()``) with the accounts of ``hidden_members`` left out:
    their players' ``platform_id`` is None, and every sentence that quotes such an account
    ("Steam 76561198...") says "Steam (hidden)" instead. Returns a new report; an unchanged one
    when nobody is hidden."""
    hidden = set(hidden_members)
    labels = {
        f"{platform_name(found['platform'])} {found['platform_id']}": platform_name(
            found["platform"]
        )
        for game in report.get("games", [])
        for found in game.get("found", [])
        if found.get("member_id") in hidden and found.get("platform_id")
    }
    if not labels:
        return report

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            hide = value.get("member_id") in hidden
            return {k: None if hide and k == "platform_id" else scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, str):
            for label, platform in labels.items():
                value = value.replace(label, f"{platform} {HIDDEN}")
            return value
        return value

    return scrub(report)
