"""A game's outcome from its own record (``Replay.outcome``), and the keys that tell one game
from another (``replay_id``, ``match_guid``): MANIFEST.md's facts on the real files, then the
edges on written ones.

MANIFEST.md ("A game's outcome, where the header records it"): ``WinningTeam`` 0 or 1 (-1
or absent when there is none: ``eac``, 4-3 after 300 s, has none); ``bForfeit`` (``4375``:
1-1 after 21 s, forfeited, ``WinningTeam`` 1); ``bIsUnfinishedMatchReplay`` (``d50f``: 1-0
after 19 s, ``WinningTeam`` -1); ``TotalSecondsPlayed`` in newer files (a regulation game
lasts 300 s: ``3bd08`` stopped at 2.7 s and ``8905`` at 9 s, both 1-0, with no winner or
flag); the match GUID spelled ``MatchGUID`` or ``MatchGuid`` (absent in older files such as
``tourny``); ``Id`` is the replay's own id, different per copy.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sprocket.replays.parser import REGULATION_SECONDS, Outcome, Replay, parse_replay
from tests.helpers.replay_writer import build_replay

GOOD = Path(__file__).resolve().parents[2].parent / "shared" / "replays" / "good"
needs_replays = pytest.mark.skipif(
    not GOOD.is_dir(), reason=f"the shared replay files are not here ({GOOD} is absent)"
)
BLUE, ORANGE = 0, 1

# file -> (winner, forfeit, unfinished, match GUID), read from each header by hand.
OUTCOMES: dict[str, tuple[int | None, bool, bool, str | None]] = {
    # The header records the winner (and it agrees with the goals)...
    "17A7C1084017DFA7DBE66D9C66D81CBD": (ORANGE, False, False, "EE2C782A11F0C756E1F5BA8437901B26"),
    "1afa": (ORANGE, False, False, "519C8BE811EFD5D62159EC84B0B6C663"),  # spelled MatchGuid
    "multiple_balls": (ORANGE, False, False, "35D429DC11F03FA0BC11249EAF19E2AD"),
    "possession_rumble": (ORANGE, False, False, "141F6FB011F0579A3F94438E513C40BD"),
    "rl-254": (ORANGE, False, False, "CF1C846411F06D7BD2DC3D8AA58FAB1B"),  # 9.8 s, recorded
    "rl-255": (ORANGE, False, False, "20D57B4211F07F21574374AD0E97E74B"),
    "sonic_spin": (ORANGE, False, False, "8DBF75C011F09991F36DB9A595A970F4"),
    # ... also where a side forfeited: at a level score the record alone decides.
    "4375": (ORANGE, True, False, "4375F34411F1651138B732B293F5F544"),  # 1-1 after 21 s
    "spike_rush": (ORANGE, True, False, "A68BB54411F12D2C97F025B9BA7C9F3F"),
    # Flagged as unfinished by the header: no winner, whatever the score.
    "d50f": (None, False, True, "770019C011F0281C754B52B227B6CAA2"),  # 1-0 after 19 s
    "9065": (None, False, True, "F71920FA11F001AE90453AA5B6E28E5A"),
    "9ab7": (None, False, True, "E305E2DC11F001AFCCE05DABB78C084D"),
    "dropshot_rumble": (None, False, True, "B7778C3211F001B56940F387A37BC12B"),
    "heatseeker": (None, False, True, "DF8614B211F001B2CCE00E8CB78C084D"),
    # No flag and no winner, stopped before 300 s of play: unfinished.
    "3bd08": (None, False, True, "989A0BD011EF9209E639EA80DD4705C1"),  # 1-0 after 2.7 s
    "8905": (None, False, True, "4F5EF97611F00225F2C06F9A5DC5F2FE"),  # 1-0 after 9 s
    # No recorded winner after at least 300 s (overtime included): the goals decide.
    "eac": (BLUE, False, False, "A5E9758011F1431C83E2C68C4ED14858"),  # 4-3 after 300 s
    "2b37b": (BLUE, False, False, None),  # 5-4 after 350 s: overtime; a LAN game, no GUID
    "d9d9": (BLUE, False, False, "1451C02611EFB3415A6EE6BA7FA316B0"),
    "P3_Soccar_Strike": (BLUE, False, False, "551A9B2211F132267D458B9DCBA4052F"),
    "up_to_no_good": (BLUE, False, False, "6E956CD211F0B9D99BD8B0BAB6670E51"),
    # Older files: no outcome properties at all; the goals decide, a level score has none.
    "002c": (ORANGE, False, False, None),
    "00bb": (BLUE, False, False, None),
    "01d3e5": (BLUE, False, False, None),
    "07e9": (ORANGE, False, False, None),
    "0ca5": (BLUE, False, False, None),
    "0e62": (None, False, False, None),
    "18d6": (BLUE, False, False, None),
    "1d1d": (ORANGE, False, False, None),
    "22ba": (ORANGE, False, False, None),
    "52b5": (BLUE, False, False, None),
    "6688": (None, False, False, None),
    "6d1b": (BLUE, False, False, None),
    "7588d": (None, False, False, None),
    "a671": (ORANGE, False, False, None),
    "b62e": (None, False, False, None),
    "fba4": (ORANGE, False, False, None),
    "no-frames": (None, False, False, None),
    "rlcs": (ORANGE, False, False, None),
    "small-frames": (BLUE, False, False, None),
    "tourny": (BLUE, False, False, None),
}


def real(name: str) -> Replay:
    return parse_replay((GOOD / f"{name}.replay").read_bytes())


@needs_replays
def test_the_table_covers_every_good_file() -> None:
    assert sorted(OUTCOMES) == sorted(p.stem for p in GOOD.glob("*.replay"))


@needs_replays
@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_outcome_of_each_real_file(name: str) -> None:
    winner, forfeit, unfinished, guid = OUTCOMES[name]
    replay = real(name)
    assert replay.outcome == Outcome(winner, forfeit, unfinished)
    assert replay.match_guid == guid
    assert replay.replay_id is not None and replay.replay_id != guid


@needs_replays
def test_manifest_facts_about_the_outcome() -> None:
    eac = real("eac")
    assert "WinningTeam" not in eac.properties
    assert (eac.team0_score, eac.team1_score) == (4, 3)
    assert eac.seconds_played == pytest.approx(300, abs=0.01)
    forfeited = real("4375")
    assert (forfeited.properties["WinningTeam"], forfeited.properties["bForfeit"]) == (1, True)
    assert (forfeited.team0_score, forfeited.team1_score) == (1, 1)
    assert forfeited.seconds_played == pytest.approx(21, abs=0.1)
    assert forfeited.replay_id == "67B7003611F16511FB9332B2F4D6E9E4"  # its own, not the GUID
    flagged = real("d50f")
    assert flagged.properties["WinningTeam"] == -1
    assert flagged.properties["bIsUnfinishedMatchReplay"] is True
    assert flagged.seconds_played == pytest.approx(19, abs=0.2)
    for name, seconds in (("3bd08", 2.7), ("8905", 9.0)):
        stopped = real(name)
        assert (stopped.team0_score, stopped.team1_score) == (1, 0)
        assert "WinningTeam" not in stopped.properties
        assert "bIsUnfinishedMatchReplay" not in stopped.properties
        assert stopped.seconds_played == pytest.approx(seconds, abs=0.1)
    assert "MatchGUID" in real("17A7C1084017DFA7DBE66D9C66D81CBD").properties
    assert "MatchGuid" in real("1afa").properties
    tourny = real("tourny")
    assert tourny.match_guid is None and tourny.seconds_played is None
    overtime = real("2b37b")
    assert overtime.seconds_played is not None and overtime.seconds_played > REGULATION_SECONDS


# -- written replays: the edges ------------------------------------------------------------------


def outcome(**header: object) -> Outcome:
    return parse_replay(build_replay(**header)).outcome  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # The goals decide when nothing is recorded, whatever the replay's length.
        ({"team0_score": 2, "team1_score": 1}, Outcome(BLUE, False, False)),
        ({"team0_score": 0, "team1_score": 3, "num_frames": 30}, Outcome(ORANGE, False, False)),
        ({"team0_score": 1, "team1_score": 1}, Outcome(None, False, False)),
        # A recorded winner stands, even against the goals (a side that led and forfeited).
        (
            {"team0_score": 2, "team1_score": 2, "winning_team": 1, "forfeit": True},
            Outcome(ORANGE, True, False),
        ),
        (
            {"team0_score": 3, "team1_score": 0, "winning_team": 1, "forfeit": True},
            Outcome(ORANGE, True, False),
        ),
        (
            {"team0_score": 1, "winning_team": 0, "seconds_played": 12.0},
            Outcome(BLUE, False, False),
        ),
        # -1, or a value that is no team, records nothing: the goals decide.
        ({"team0_score": 1, "winning_team": -1}, Outcome(BLUE, False, False)),
        ({"team1_score": 1, "winning_team": 7}, Outcome(ORANGE, False, False)),
        # The header's flag: no winner.
        ({"team0_score": 1, "winning_team": -1, "unfinished": True}, Outcome(None, False, True)),
        ({"team0_score": 1, "winning_team": 0, "unfinished": True}, Outcome(None, False, True)),
        # Older versions: no winner and less than 300 s of play.
        ({"team0_score": 1, "seconds_played": 299.5}, Outcome(None, False, True)),
        ({"team0_score": 1, "seconds_played": 0.0}, Outcome(None, False, True)),
        ({"team0_score": 1, "seconds_played": 300.0}, Outcome(BLUE, False, False)),
        (
            {"team0_score": 3, "team1_score": 2, "seconds_played": 412.3},
            Outcome(BLUE, False, False),
        ),
        # A full game at a level score is finished, but has no winner.
        (
            {"team0_score": 2, "team1_score": 2, "seconds_played": 300.1},
            Outcome(None, False, False),
        ),
        # A playing time that is no time proves nothing.
        ({"team0_score": 1, "seconds_played": math.nan}, Outcome(BLUE, False, False)),
        ({"team0_score": 1, "seconds_played": -math.inf}, Outcome(BLUE, False, False)),
        ({"team0_score": 1, "seconds_played": -5.0}, Outcome(BLUE, False, False)),
    ],
)
def test_outcome_rules(header: dict[str, object], expected: Outcome) -> None:
    assert outcome(**header) == expected


def test_seconds_played_is_the_header_playing_time_or_none() -> None:
    assert parse_replay(build_replay(seconds_played=301.5)).seconds_played == 301.5
    assert parse_replay(build_replay()).seconds_played is None
    assert parse_replay(build_replay(seconds_played=math.inf)).seconds_played is None


@pytest.mark.parametrize("key", ["MatchGUID", "MatchGuid"])
def test_match_guid_in_either_spelling(key: str) -> None:
    guid = "4375F34411F1651138B732B293F5F544"
    replay = parse_replay(build_replay(match_guid=guid, guid_key=key))
    assert replay.match_guid == guid
    assert replay.replay_id == "0123456789ABCDEF0123456789ABCDEF"


@pytest.mark.parametrize(
    "value",
    ["", "not a guid", "A" * 65, "4375F344\x0011F1", "../../etc/passwd", "Ωmega"],
)
def test_an_id_that_is_no_id_is_none(value: str) -> None:
    """Ids are stored and compared: only 1-64 letters, digits, dashes or braces count."""
    replay = parse_replay(build_replay(match_guid=value, replay_id=value))
    assert replay.match_guid is None and replay.replay_id is None
