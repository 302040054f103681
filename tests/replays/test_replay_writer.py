"""The test replay writer: what it writes, the parser reads back."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sprocket.replays.parser import Goal, Player, parse_replay
from tests.helpers.replay_writer import EMPTY_BODY, GoalSpec, PlayerSpec, build_replay

names = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\0"),
    min_size=1,
    max_size=24,
)
stats = st.integers(min_value=0, max_value=2000)


@st.composite
def players(draw: st.DrawFn) -> PlayerSpec:
    platform = draw(st.sampled_from(["steam", "epic", "psn", "xbox", "switch", "unknown"]))
    if platform == "epic":
        platform_id: str | None = draw(
            st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
        )
    elif platform == "unknown":
        platform_id = None
    else:
        platform_id = str(draw(st.integers(min_value=1, max_value=2**64 - 1)))
    return PlayerSpec(
        name=draw(names),
        team=draw(st.integers(0, 1)),
        platform=platform,
        platform_id=platform_id,
        score=draw(stats),
        goals=draw(stats),
        assists=draw(stats),
        saves=draw(stats),
        shots=draw(stats),
        is_bot=platform == "unknown" and draw(st.booleans()),
    )


dates = st.datetimes(min_value=datetime(2015, 7, 7), max_value=datetime(2099, 12, 31))
goals = st.builds(
    GoalSpec, player_name=names, team=st.integers(0, 1), frame=st.integers(0, 2**31 - 1)
)


@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    roster=st.lists(players(), max_size=10),
    goal_list=st.lists(goals, max_size=12),
    score=st.tuples(st.integers(0, 99), st.integers(0, 99)),
    when=dates,
    legacy_date=st.booleans(),
    match_type=st.sampled_from(["Private", "Online", "Offline", "Tournament", "Lan", "Training"]),
    team_size=st.one_of(st.none(), st.integers(1, 4)),
    map_name=st.one_of(st.none(), st.text(alphabet="abcdefghijklmnopqrstuvwxyz_P", min_size=1)),
    replay_id=st.text(alphabet="0123456789ABCDEF", min_size=32, max_size=32),
    frames=st.tuples(st.integers(0, 100_000), st.sampled_from([30.0, 60.0, 120.0])),
)
def test_parser_reads_back_what_the_writer_wrote(
    roster: list[PlayerSpec],
    goal_list: list[GoalSpec],
    score: tuple[int, int],
    when: datetime,
    legacy_date: bool,
    match_type: str,
    team_size: int | None,
    map_name: str | None,
    replay_id: str,
    frames: tuple[int, float],
) -> None:
    data = build_replay(
        players=roster,
        goals=goal_list,
        team0_score=score[0],
        team1_score=score[1],
        date=when,
        legacy_date=legacy_date,
        match_type=match_type,
        team_size=team_size,
        map_name=map_name,
        replay_id=replay_id,
        num_frames=frames[0],
        record_fps=frames[1],
    )
    replay = parse_replay(data)
    expected_date = when.replace(microsecond=0)
    if legacy_date:
        expected_date = expected_date.replace(second=0)
    assert replay.date == expected_date
    assert (replay.team0_score, replay.team1_score) == score
    assert replay.match_type == match_type
    assert replay.team_size == team_size
    assert replay.map == map_name
    assert replay.replay_id == replay_id
    assert replay.duration_seconds == frames[0] / frames[1]
    assert replay.goals == tuple(Goal(g.player_name, g.team, g.frame) for g in goal_list)
    assert replay.players == tuple(
        Player(
            name=p.name,
            team=p.team,
            score=p.score,
            goals=p.goals,
            assists=p.assists,
            saves=p.saves,
            shots=p.shots,
            is_bot=p.is_bot,
            platform=p.platform,  # type: ignore[arg-type]
            platform_id=p.platform_id,
        )
        for p in roster
    )


def test_writer_layout_matches_the_games_empty_body() -> None:
    data = build_replay()
    assert data.endswith(EMPTY_BODY)
    assert parse_replay(data).players == ()


def test_epic_player_without_player_id_struct_has_no_id_without_body() -> None:
    epic = PlayerSpec("Eve", platform="epic", platform_id="ab" * 16)
    replay = parse_replay(build_replay(players=[epic], with_player_id=False))
    assert (replay.players[0].platform, replay.players[0].platform_id) == ("epic", None)


def test_epic_id_next_to_the_name_in_the_body_is_found() -> None:
    """Like 2024 files: no ``PlayerID`` in the header, the id replicated in the body."""
    epic_id = "0aa2b94ab58b4dd7871d4a67f0345737"
    name = "Ève"
    wide = name.encode("utf-16-le") + b"\0\0"
    body = (
        EMPTY_BODY
        + b"\x0b\x21\x00\x00\x00"
        + epic_id.encode()
        + b"\0\0"
        + (-(len(wide) // 2)).to_bytes(4, "little", signed=True)
        + wide
    )
    epic = PlayerSpec(name, platform="epic", platform_id=epic_id)
    other = PlayerSpec("Eve", platform="epic", platform_id="cd" * 16)
    replay = parse_replay(build_replay(players=[epic, other], with_player_id=False, body=body))
    assert [p.platform_id for p in replay.players] == [epic_id, None]
