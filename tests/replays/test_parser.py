"""The replay parser against the real files of ../shared/replays and against hostile input."""

from __future__ import annotations

import copy
import pickle
import random
import re
import struct
from datetime import UTC, date, datetime
from typing import TypeVar, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sprocket.errors import DomainError
from sprocket.league.enums import GamePlatform
from sprocket.replays import parser
from sprocket.replays.crc import CRC_INIT, CRC_POLYNOMIAL, replay_crc
from sprocket.replays.parser import (
    ByteValue,
    Goal,
    Player,
    Replay,
    ReplayError,
    StructValue,
    parse_replay,
)
from tests.helpers.replay_writer import (
    array_prop,
    build_replay,
    int_prop,
    prop,
    prop_map,
    resign,
    str_prop,
    struct_prop,
)
from tests.replays.hostile import (
    GOOD,
    HOSTILE_LENGTHS,
    REPLAYS,
    UNREADABLE_HEADERS,
    corpus,
    flooded_body,
    flooded_replay,
    header_byte_flips,
    inflated_lengths,
    length_field_positions,
    parser_player,
    read,
    signed,
)

BAD = REPLAYS / "bad"


_T = TypeVar("_T")


def needs_replays(test: _T) -> _T:
    """Mark a test (or class) as reading ../shared/replays, and skip it when absent."""
    marked = pytest.mark.replays(test)
    return pytest.mark.skipif(
        not REPLAYS.is_dir(),
        reason=f"the shared replay files are not here ({REPLAYS} is absent)",
    )(marked)


# file, bytes, date, match type, team size, players listed, team 0, team 1, map (MANIFEST.md)
MANIFEST = [
    ("002c", 1070729, date(2017, 8, 9), "Online", 3, 6, 0, 4, "Underwater_P"),
    ("00bb", 1210867, date(2020, 10, 29), "Online", 3, 5, 4, 2, "TrainStation_Dawn_P"),
    ("01d3e5", 35217, date(2018, 5, 29), "Offline", 1, 1, 1, 0, "Stadium_P"),
    ("07e9", 30063, date(2016, 6, 20), "Offline", 1, 1, 0, 1, "HoopsStadium_P"),
    ("0ca5", 43378, date(2019, 10, 17), "Offline", 1, 1, 1, 0, "chn_stadium_P"),
    ("0e62", 32112, date(2024, 4, 8), "Private", 3, 0, 0, 0, "FNI_Stadium_P"),
    (
        "17A7C1084017DFA7DBE66D9C66D81CBD",
        1214814,
        date(2025, 11, 21),
        "Private",
        2,
        4,
        1,
        5,
        "UF_Day_P",
    ),
    ("18d6", 21996, date(2016, 6, 21), "Offline", 1, 1, 1, 0, "labs_circlepillars_p"),
    ("1afa", 1418939, date(2025, 1, 18), "Online", 2, 4, 2, 3, "eurostadium_snownight_p"),
    ("1d1d", 59943, date(2016, 6, 21), "Offline", 4, 5, 0, 1, "Neotokyo_p"),
    ("22ba", 315922, date(2016, 9, 15), "Online", 2, 4, 0, 4, "Stadium_p"),
    ("2b37b", 1348157, date(2026, 5, 27), "Lan", 4, 4, 5, 4, "EuroStadium_Night_P"),
    ("3bd08", 48734, date(2024, 10, 24), "Private", 2, 4, 1, 0, "wasteland_Night_S_P"),
    ("4375", 163798, date(2026, 6, 10), "Online", 2, 4, 1, 1, "cs_day_p"),
    ("52b5", 1521121, date(2024, 4, 21), "Online", 3, 6, 5, 0, "Underwater_GRS_P"),
    ("6688", 1026, date(2015, 10, 27), "Online", 2, 1, 0, 0, None),
    ("6d1b", 91217, date(2016, 5, 16), "Online", 2, 4, 1, 0, "TrainStation_P"),
    ("7588d", 3004, date(2019, 10, 19), "Online", 3, 5, 0, 0, None),
    ("8905", 63796, date(2025, 3, 16), "Private", 2, 4, 1, 0, "EuroStadium_Night_P"),
    ("9065", 55152, date(2025, 3, 15), "Private", 1, 1, 0, 0, "UF_Day_P"),
    ("9ab7", 52320, date(2025, 3, 15), "Private", 1, 1, 0, 1, "UF_Day_P"),
    ("P3_Soccar_Strike", 1633617, date(2026, 4, 6), "Tournament", 3, 6, 4, 2, "Stadium_P"),
    ("a671", 221897, date(2016, 4, 26), "Online", 2, 4, 0, 6, "HoopsStadium_P"),
    ("b62e", 107054, date(2024, 12, 2), "Training", 3, 0, 0, 0, "Park_P"),
    ("d50f", 44788, date(2025, 5, 3), "Private", 1, 2, 1, 0, "UF_Day_P"),
    ("d9d9", 1518799, date(2024, 12, 5), "Online", 3, 6, 6, 4, "Stadium_Winter_P"),
    ("dropshot_rumble", 41294, date(2025, 3, 15), "Private", None, 1, 0, 1, "UF_Day_P"),
    ("eac", 1684430, date(2026, 4, 28), "Online", 2, 4, 4, 3, "mall_day_p"),
    ("fba4", 1026876, date(2024, 8, 10), "Tournament", 2, 4, 1, 8, "CHN_Stadium_P"),
    ("heatseeker", 42870, date(2025, 3, 15), "Private", None, 1, 0, 1, "UF_Day_P"),
    ("multiple_balls", 199413, date(2025, 6, 2), "Private", 1, 2, 0, 1, "Park_Snowy_P"),
    ("no-frames", 605, date(2015, 9, 28), "Online", 2, 0, 0, 0, None),
    (
        "possession_rumble",
        680164,
        date(2025, 7, 3),
        "Online",
        2,
        4,
        24,
        50,
        "Labs_CirclePillars_P",
    ),
    ("rl-254", 72552, date(2025, 7, 30), "Private", 2, 4, 0, 1, "UtopiaStadium_Lux_P"),
    ("rl-255", 1590288, date(2025, 8, 22), "Online", 3, 7, 5, 6, "Wasteland_Night_P"),
    ("rlcs", 1072362, date(2016, 12, 4), "Lan", 4, 6, 2, 5, "Stadium_p"),
    ("small-frames", 21607, date(2016, 6, 6), "Private", 1, 1, 1, 0, "Stadium_p"),
    ("sonic_spin", 2604187, date(2025, 9, 24), "Online", 3, 9, 2, 8, "street_p"),
    ("spike_rush", 719852, date(2026, 3, 31), "Tournament", 3, 6, 0, 4, "throwbackstadium_P"),
    ("tourny", 1503650, date(2020, 9, 30), "Tournament", 3, 6, 4, 2, "farm_p"),
    ("up_to_no_good", 433476, date(2025, 11, 4), "Private", 1, 1, 55, 0, "Labs_PillarGlass_P"),
]

BAD_FILES = [
    "fuzz-corpus",
    "fuzz-large-object-id",
    "fuzz-list-too-large",
    "fuzz-slice-index",
    "fuzz-string-too-long",
    "fuzz-string-too-long2",
    "fuzz-too-many-frames",
]

_cache: dict[str, Replay] = {}


def parsed(name: str) -> Replay:
    if name not in _cache:
        _cache[name] = parse_replay(read(f"{name}.replay"))
    return _cache[name]


def player(replay: Replay, name: str) -> Player:
    (found,) = [p for p in replay.players if p.name == name]
    return found


# --------------------------------------------------------------------------- good files


@pytest.mark.parametrize("row", MANIFEST, ids=[row[0] for row in MANIFEST])
@needs_replays
def test_good_file_matches_manifest(row: tuple) -> None:
    name, size, day, match_type, team_size, players, score0, score1, map_name = row
    data = read(f"{name}.replay")
    assert len(data) == size
    replay = parse_replay(data)
    assert replay.date is not None and replay.date.date() == day
    assert replay.match_type == match_type
    assert replay.team_size == team_size
    assert len(replay.players) == players
    assert (replay.team0_score, replay.team1_score) == (score0, score1)
    assert replay.map == map_name
    assert replay.game_type == "TAGame.Replay_Soccar_TA"
    assert replay.replay_id and re.fullmatch(r"[0-9A-F]{32}", replay.replay_id)


@needs_replays
def test_manifest_table_covers_every_good_file() -> None:
    assert sorted(p.stem for p in GOOD.glob("*.replay")) == sorted(row[0] for row in MANIFEST)


@needs_replays
class TestRealFiles:
    def test_league_game_scoreboard_and_accounts(self) -> None:
        replay = parsed("17A7C1084017DFA7DBE66D9C66D81CBD")
        assert (replay.engine_version, replay.licensee_version, replay.net_version) == (
            868,
            32,
            10,
        )
        assert replay.replay_id == "17A7C1084017DFA7DBE66D9C66D81CBD"
        assert replay.date == datetime(2025, 11, 21, 22, 1, 2)
        assert replay.started_at == datetime.fromtimestamp(1763783662, UTC)
        assert replay.duration_seconds == pytest.approx(10914 / 30)
        assert player(replay, "Ant") == Player(
            name="Ant",
            team=0,
            score=266,
            goals=1,
            assists=0,
            saves=0,
            shots=3,
            is_bot=False,
            platform="steam",
            platform_id="76561198027585918",
        )
        epic = player(replay, "xZ Golden Zx")
        assert (epic.platform, epic.platform_id) == ("epic", "724b831736dc4b9e96668d4410655857")
        psn = player(replay, "Ouiiidbrownies")
        assert (psn.platform, psn.platform_id, psn.team) == ("psn", "4421738174632351326", 1)
        assert len(replay.goals) == replay.team0_score + replay.team1_score == 6
        assert replay.goals[0] == Goal(player_name="Ouiiidbrownies", team=1, frame=555)

    def test_xbox_switch_psn_and_epic_players(self) -> None:
        replay = parsed("d9d9")
        expected = {
            "JBarnes8": ("xbox", "2533274858220453"),
            "Ash": ("switch", "4665877300750708935"),
            "Philbee1389": ("psn", "1577450933844141196"),
            "vaterzz": ("epic", "95a921bd8e27429eb51120f3e09787e4"),
        }
        for name, account in expected.items():
            found = player(replay, name)
            assert (found.platform, found.platform_id) == account

    def test_old_xbox_player(self) -> None:
        kimbo = player(parsed("002c"), "Kimboleet")
        assert (kimbo.platform, kimbo.platform_id) == ("xbox", "2535459558984209")

    @pytest.mark.parametrize(
        ("name", "player_name", "epic_id"),
        [
            ("52b5", "ShoreRL", "d1251b6e117940519d425031c6108037"),
            ("fba4", "OTMAN_KING06", "0aa2b94ab58b4dd7871d4a67f0345737"),
        ],
    )
    def test_epic_id_found_in_body_when_header_lacks_it(
        self, name: str, player_name: str, epic_id: str
    ) -> None:
        replay = parsed(name)
        entry = next(e for e in replay.properties["PlayerStats"] if e["Name"] == player_name)
        assert "PlayerID" not in entry and entry["OnlineID"] == 0
        found = player(replay, player_name)
        assert (found.platform, found.platform_id) == ("epic", epic_id)

    def test_body_search_agrees_with_every_header_epic_id(self) -> None:
        """Where the header has the id, the body search must find the same one or none."""
        checked = 0
        for row in MANIFEST:
            data = read(f"{row[0]}.replay")
            replay = parsed(row[0])
            header_end = 8 + struct.unpack_from("<I", data, 0)[0]
            for entry in replay.properties.get("PlayerStats", ()):
                player_id = entry.get("PlayerID")
                if not isinstance(player_id, StructValue):
                    continue
                header_id = player_id.fields.get("EpicAccountId")
                if not header_id:
                    continue
                name = entry["Name"]
                found = parser._epic_ids_in_body(data, header_end + 8, len(data), [name])
                assert found.get(name) in (None, header_id), name
                checked += found.get(name) is not None
        assert checked >= 15

    def test_bots_have_no_account(self) -> None:
        for name in ("Boomer", "Foamer", "Tex", "Shepard"):
            bot = player(parsed("1d1d"), name)
            assert (bot.is_bot, bot.platform, bot.platform_id) == (True, "unknown", None)

    def test_oldest_files(self) -> None:
        """Engine-0 files: four-byte bools, one-string platform bytes, no net version."""
        replay = parsed("6688")
        assert (replay.engine_version, replay.licensee_version, replay.net_version) == (0, 0, None)
        assert replay.date == datetime(2015, 10, 27, 18, 29)
        assert replay.duration_seconds is None and replay.map is None
        assert replay.players == (
            Player("Gompers", 0, 0, 0, 0, 0, 0, False, "steam", "76561197960464457"),
        )
        stats = replay.properties["PlayerStats"][0]
        assert stats["Platform"] == ByteValue(None, "OnlinePlatform_Steam")
        assert stats["bBot"] is False
        maeff = player(parsed("7588d"), "Maeffmeister")
        assert (maeff.platform, maeff.platform_id) == ("psn", "482397886860854028")

    def test_both_date_formats(self) -> None:
        assert parsed("rlcs").date == datetime(2016, 12, 4, 15, 12)
        assert parsed("tourny").date == datetime(2020, 9, 30, 19, 16, 28)

    def test_absent_team_score_means_zero(self) -> None:
        replay = parsed("002c")
        assert "Team0Score" not in replay.properties
        assert replay.team0_score == 0 and replay.team1_score == 4

    def test_property_tree_keeps_every_kind_and_static_arrays(self) -> None:
        props = parsed("17A7C1084017DFA7DBE66D9C66D81CBD").properties
        assert props["TeamSize"] == 2
        assert props["RecordFPS"] == 30.0
        assert props["MatchType"] == "Private"
        assert props["MatchStartEpoch"] == 1763783662
        assert next(e.kind for e in props.entries if e.name == "MatchType") == "NameProperty"
        player_id = props["PlayerStats"][0]["PlayerID"]
        assert isinstance(player_id, StructValue) and player_id.struct_name == "UniqueNetId"
        handle = player_id.fields["NpId"].fields["Handle"].fields
        assert [e.index for e in handle.all("Dummy")] == [0, 1, 2]
        assert handle["Term"] == ByteValue(None, 0)
        assert player_id.fields["Platform"] == ByteValue("OnlinePlatform", "OnlinePlatform_Steam")
        with pytest.raises(TypeError):
            props["TeamSize"] = 3  # type: ignore[index]
        assert hash(props) == hash(parse_replay(read(f"{props['Id']}.replay")).properties)

    def test_replay_pickles_and_copies(self) -> None:
        replay = parsed("d9d9")
        assert pickle.loads(pickle.dumps(replay)) == replay
        assert copy.deepcopy(replay).properties["PlayerStats"][0]["PlayerID"].fields == (
            replay.properties["PlayerStats"][0]["PlayerID"].fields
        )

    def test_unicode_names(self) -> None:
        names = {p.name for p in parsed("002c").players}
        assert "★ OC Tommynator ★" in names
        rumble = player(parsed("possession_rumble"), "ПMLП")
        assert rumble.platform_id == "1b64d64f3c6547e5a72fe3a4203bae7c"

    def test_substitutes_listed(self) -> None:
        replay = parsed("sonic_spin")
        assert len(replay.players) == 9 > 2 * (replay.team_size or 0)


# --------------------------------------------------------------------------- CRC


def slow_crc(data: bytes) -> int:
    """Bit-by-bit MSB-first CRC-32 exactly as MANIFEST.md states it."""
    register = CRC_INIT
    for byte in data:
        register ^= byte << 24
        for _ in range(8):
            register <<= 1
            if register & 0x1_0000_0000:
                register ^= 0x1_0000_0000 | CRC_POLYNOMIAL
    return register ^ 0xFFFFFFFF


@settings(max_examples=100, derandomize=True)
@given(st.binary(max_size=200))
def test_fast_crc_matches_slow_reference(data: bytes) -> None:
    assert replay_crc(data) == slow_crc(data)


def test_crc_known_values() -> None:
    assert replay_crc(b"") == 0xEFCBF201 == slow_crc(b"")
    assert replay_crc(bytearray(b"replay")) == replay_crc(memoryview(b"replay"))


@needs_replays
def test_crc_of_real_header_matches_slow_reference() -> None:
    data = read("6688.replay")
    size, crc = struct.unpack_from("<II", data, 0)
    assert replay_crc(data[8 : 8 + size]) == slow_crc(data[8 : 8 + size]) == crc


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name", BAD_FILES)
@needs_replays
def test_bad_file_is_corrupt(name: str) -> None:
    with pytest.raises(ReplayError) as caught:
        parse_replay((BAD / f"{name}.replay").read_bytes())
    assert caught.value.code == "CORRUPT_REPLAY"
    assert caught.value.message.startswith("The replay is damaged")


@needs_replays
def test_bad_files_listed() -> None:
    assert sorted(p.stem for p in BAD.glob("*.replay")) == BAD_FILES


def test_replay_error_is_a_domain_error() -> None:
    error = ReplayError("x", code="TRUNCATED_REPLAY")
    assert isinstance(error, DomainError) and error.code == "TRUNCATED_REPLAY" and str(error) == "x"


def test_empty_file_is_not_a_replay() -> None:
    with pytest.raises(ReplayError) as caught:
        parse_replay(b"")
    assert caught.value.code == "NOT_A_REPLAY"
    assert "empty" in caught.value.message


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + bytes(200),  # a zip archive
        b"\x89PNG\r\n\x1a\n" + bytes(100),
        b"Hello, this is a text file and not a replay at all.",
        random.Random(7).randbytes(5000),
    ],
    ids=["zip", "png", "text", "random"],
)
def test_other_files_are_not_replays(data: bytes) -> None:
    with pytest.raises(ReplayError) as caught:
        parse_replay(data)
    assert caught.value.code == "NOT_A_REPLAY"
    assert caught.value.message == "This file is not a Rocket League replay."


@settings(max_examples=200, derandomize=True)
@given(st.binary(max_size=2000))
def test_random_bytes_raise_replay_error(data: bytes) -> None:
    with pytest.raises(ReplayError):
        parse_replay(data)


def test_too_large_is_refused_before_anything_else() -> None:
    with pytest.raises(ReplayError) as caught:
        parse_replay(bytes(20 * 1024 * 1024 + 1))
    assert caught.value.code == "REPLAY_TOO_LARGE"
    assert "20.0 MB" in caught.value.message
    small = build_replay()
    with pytest.raises(ReplayError) as caught:
        parse_replay(small, max_size=len(small) - 1)
    assert caught.value.code == "REPLAY_TOO_LARGE"
    assert parse_replay(small, max_size=len(small)).team_size == 2


def test_written_replay_cut_anywhere_is_truncated() -> None:
    data = build_replay(players=[parser_player("Ann")])
    for cut in range(1, len(data)):
        with pytest.raises(ReplayError) as caught:
            parse_replay(data[:cut])
        assert caught.value.code == "TRUNCATED_REPLAY", cut
        assert caught.value.message.startswith("The replay is cut short")


@pytest.mark.parametrize("name", ["17A7C1084017DFA7DBE66D9C66D81CBD", "6688", "rlcs", "no-frames"])
@needs_replays
def test_real_replay_cut_at_many_points_is_truncated(name: str) -> None:
    data = read(f"{name}.replay")
    header_end = 8 + struct.unpack_from("<I", data, 0)[0]
    rng = random.Random(name)
    cuts = set(range(1, 64)) | set(range(len(data) - 64, len(data)))
    cuts |= set(range(header_end - 8, min(header_end + 24, len(data))))
    cuts |= {rng.randrange(1, len(data)) for _ in range(150)}
    for cut in sorted(cuts):
        with pytest.raises(ReplayError) as caught:
            parse_replay(data[:cut])
        assert caught.value.code == "TRUNCATED_REPLAY", cut


def test_trailing_bytes_are_corrupt() -> None:
    with pytest.raises(ReplayError) as caught:
        parse_replay(build_replay() + b"\0")
    assert caught.value.code == "CORRUPT_REPLAY"


def test_flipped_byte_fails_the_crc() -> None:
    data = bytearray(build_replay())
    data[60] ^= 0x01
    with pytest.raises(ReplayError) as caught:
        parse_replay(bytes(data))
    assert caught.value.code == "CORRUPT_REPLAY"
    assert caught.value.details == {"part": "header"}
    data = bytearray(build_replay())
    data[-1] ^= 0x80
    with pytest.raises(ReplayError) as caught:
        parse_replay(bytes(data))
    assert caught.value.details == {"part": "body"}


@pytest.mark.parametrize("properties", UNREADABLE_HEADERS.values(), ids=UNREADABLE_HEADERS.keys())
def test_intact_but_unreadable_header_is_unsupported(properties: bytes) -> None:
    with pytest.raises(ReplayError) as caught:
        parse_replay(signed(properties))
    assert caught.value.code == "UNSUPPORTED_REPLAY"
    assert caught.value.message.startswith("Sprocket cannot read this replay's header")


def test_nesting_is_bounded() -> None:
    fields = prop_map([int_prop("Depth", 0)])
    for _ in range(5000):
        fields = prop_map([struct_prop("Inner", "Nested", fields)])
    with pytest.raises(ReplayError) as caught:
        parse_replay(signed(fields))
    assert caught.value.code == "UNSUPPORTED_REPLAY"
    assert "nest" in caught.value.message
    shallow = prop_map([array_prop("Goals", [prop_map([struct_prop("S", "T", prop_map([]))])])])
    assert parse_replay(signed(shallow)).goals == (Goal("", None, None),)


def test_unknown_property_kind_is_skipped_by_its_size() -> None:
    properties = prop_map(
        [prop("Future", "DoubleProperty", bytes(8)), int_prop("TeamSize", 3), str_prop("Id", "X")]
    )
    replay = parse_replay(signed(properties))
    assert replay.team_size == 3 and replay.properties["Future"] == bytes(8)
    misaligned = prop_map([prop("Future", "DoubleProperty", bytes(8), size=3)])
    with pytest.raises(ReplayError) as caught:
        parse_replay(signed(misaligned))
    assert caught.value.code == "UNSUPPORTED_REPLAY" and "DoubleProperty" in caught.value.message


def test_wrongly_typed_known_properties_are_ignored() -> None:
    properties = prop_map(
        [str_prop("TeamSize", "two"), str_prop("Team0Score", "1"), int_prop("Date", 5)]
    )
    replay = parse_replay(signed(properties))
    assert (replay.team_size, replay.team0_score, replay.date) == (None, 0, None)


# --------------------------------------------------------------------------- fuzzing


CORPUS = corpus()
POSITIONS = [length_field_positions(data) for data in CORPUS]


@st.composite
def mutated_replays(draw: st.DrawFn) -> bytes:
    which = draw(st.integers(0, len(CORPUS) - 1))
    data = bytearray(CORPUS[which])
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "flip", "inflate", "inflate", "zero", "cut"]))
        if action == "flip" and data:
            spot = draw(st.integers(0, len(data) - 1))
            data[spot] ^= draw(st.integers(1, 255))
        elif action == "cut":
            data = data[: draw(st.integers(0, len(data)))]
        elif action in ("inflate", "zero"):
            spots = [p for p in POSITIONS[which] if p + 4 <= len(data)]
            if spots:
                spot = draw(st.sampled_from(spots))
                value = (
                    0
                    if action == "zero"
                    else draw(
                        st.sampled_from([0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x10000, len(data)])
                    )
                )
                struct.pack_into("<I", data, spot, value)
    if draw(st.booleans()):
        return resign(bytes(data))  # get past the CRCs to reach the header reader
    return bytes(data)


def _parses_or_refuses(data: bytes) -> None:
    try:
        result = parse_replay(data)
    except ReplayError as error:
        assert error.code in {
            "NOT_A_REPLAY",
            "TRUNCATED_REPLAY",
            "CORRUPT_REPLAY",
            "REPLAY_TOO_LARGE",
            "UNSUPPORTED_REPLAY",
        }
        assert error.message and error.message[0].isupper() and error.message.endswith(".")
    else:
        assert isinstance(result, Replay)


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_replays())
def test_mutated_replays_only_return_a_replay_or_raise_replay_error(data: bytes) -> None:
    _parses_or_refuses(data)


@needs_replays
def test_every_single_byte_flip_of_a_small_header_after_resigning() -> None:
    """Exhaustive over the header of the smallest real file, with valid CRCs each time."""
    for mutated in header_byte_flips(read("no-frames.replay")):
        _parses_or_refuses(mutated)


@needs_replays
@pytest.mark.parametrize("value", HOSTILE_LENGTHS)
def test_every_length_field_inflated_after_resigning(value: int) -> None:
    """Each real length field of small real files set to a hostile value, CRCs made valid."""
    for data, positions in zip(CORPUS, POSITIONS, strict=True):
        assert len(positions) > 20
        for mutated in inflated_lengths(data, positions, value):
            _parses_or_refuses(mutated)


def test_a_flooded_body_leaves_an_ambiguous_id_unset() -> None:
    replay = parse_replay(flooded_replay(flooded_body()))
    assert replay.players[0].platform_id is None


def test_a_replays_platforms_are_the_game_platforms_and_unknown() -> None:
    """The pure parser spells its platforms as a Literal; they stay the game platforms' values."""
    assert set(get_args(parser.ReplayPlatform)) == {*GamePlatform, "unknown"}
