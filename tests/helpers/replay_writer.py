"""Write header-only Rocket League replays for tests.

The files follow the layout the parser reads (see ``sprocket.replays.parser``): a header with
versions, game type and property tree, then an empty but well-formed body (ten empty lists),
each behind its size and CRC. Tests build whatever series they need from ``PlayerSpec`` and
``GoalSpec``; the low-level encoders (``text``, ``int_prop``...) let them craft odd headers.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sprocket.replays.crc import replay_crc

GAME_TYPE = "TAGame.Replay_Soccar_TA"
EMPTY_BODY = bytes(40)
"""Levels, keyframes, network stream, debug log, tick marks, packages, objects, names,
class indices and net cache, all empty: what the game writes for a replay with no frames."""

ONLINE_PLATFORMS = {
    "steam": "OnlinePlatform_Steam",
    "epic": "OnlinePlatform_Epic",
    "psn": "OnlinePlatform_PS4",
    "xbox": "OnlinePlatform_Dingo",
    "switch": "OnlinePlatform_NNX",
    "unknown": "OnlinePlatform_Unknown",
}


@dataclass(frozen=True)
class PlayerSpec:
    """One scoreboard line. ``platform_id``: decimal for Steam, PSN, Xbox and Switch, the
    32-hex account id for Epic, None for accounts without one (bots)."""

    name: str
    team: int = 0
    platform: str = "steam"
    platform_id: str | None = None
    score: int = 0
    goals: int = 0
    assists: int = 0
    saves: int = 0
    shots: int = 0
    is_bot: bool = False


@dataclass(frozen=True)
class GoalSpec:
    player_name: str
    team: int
    frame: int


# --------------------------------------------------------------------------- encoders


def text(value: str) -> bytes:
    """A length-prefixed string: ASCII as is, anything else as UTF-16 (like the game)."""
    if value.isascii():
        raw = value.encode("ascii") + b"\0"
        return struct.pack("<i", len(raw)) + raw
    raw = value.encode("utf-16-le") + b"\0\0"
    return struct.pack("<i", -(len(raw) // 2)) + raw


def prop(name: str, kind: str, payload: bytes, *, size: int | None = None, index: int = 0) -> bytes:
    """``name, kind, size, index, payload``; ``size`` defaults to the payload's length."""
    declared = len(payload) if size is None else size
    return text(name) + text(kind) + struct.pack("<II", declared, index) + payload


def prop_map(props: Iterable[bytes]) -> bytes:
    return b"".join(props) + text("None")


def int_prop(name: str, value: int) -> bytes:
    return prop(name, "IntProperty", struct.pack("<i", value))


def str_prop(name: str, value: str) -> bytes:
    return prop(name, "StrProperty", text(value))


def name_prop(name: str, value: str) -> bytes:
    return prop(name, "NameProperty", text(value))


def float_prop(name: str, value: float) -> bytes:
    return prop(name, "FloatProperty", struct.pack("<f", value))


def qword_prop(name: str, value: int) -> bytes:
    return prop(name, "QWordProperty", struct.pack("<Q", value))


def bool_prop(name: str, value: bool) -> bytes:
    return prop(name, "BoolProperty", bytes([value]), size=0)


def byte_prop(name: str, enum: str, value: str) -> bytes:
    encoded = text(value)
    return prop(name, "ByteProperty", text(enum) + encoded, size=len(encoded))


def raw_byte_prop(name: str, value: int, *, index: int = 0) -> bytes:
    return prop(name, "ByteProperty", text("None") + bytes([value]), size=1, index=index)


def array_prop(name: str, maps: Sequence[bytes]) -> bytes:
    """``maps``: already encoded property maps (see :func:`prop_map`)."""
    return prop(name, "ArrayProperty", struct.pack("<I", len(maps)) + b"".join(maps))


def struct_prop(name: str, struct_name: str, fields: bytes) -> bytes:
    """``fields``: an encoded property map."""
    return prop(name, "StructProperty", text(struct_name) + fields, size=len(fields))


def header_bytes(
    properties: bytes,
    *,
    engine: int = 868,
    licensee: int = 32,
    net: int | None = 10,
    game_type: str = GAME_TYPE,
) -> bytes:
    """``properties``: an encoded property map."""
    versions = struct.pack("<II", engine, licensee)
    if net is not None:
        versions += struct.pack("<I", net)
    return versions + text(game_type) + properties


def assemble(header: bytes, body: bytes = EMPTY_BODY) -> bytes:
    """Sizes and CRCs around a header and a body."""
    return (
        struct.pack("<II", len(header), replay_crc(header))
        + header
        + struct.pack("<II", len(body), replay_crc(body))
        + body
    )


def resign(data: bytes) -> bytes:
    """Recompute both CRCs of a (mutated) replay, so the parser goes past its CRC checks.

    Sections whose declared size runs past the end are left as they are.
    """
    out = bytearray(data)
    if len(out) < 8:
        return bytes(out)
    header_size = struct.unpack_from("<I", out, 0)[0]
    header_end = 8 + header_size
    if header_end > len(out):
        return bytes(out)
    struct.pack_into("<I", out, 4, replay_crc(out[8:header_end]))
    if header_end + 8 > len(out):
        return bytes(out)
    body_end = header_end + 8 + struct.unpack_from("<I", out, header_end)[0]
    if body_end <= len(out):
        struct.pack_into("<I", out, header_end + 4, replay_crc(out[header_end + 8 : body_end]))
    return bytes(out)


# --------------------------------------------------------------------------- whole replays


def player_stats(player: PlayerSpec, *, with_player_id: bool = True) -> bytes:
    """A ``PlayerStats`` entry laid out like 2025 files (``PlayerID`` struct first)."""
    platform = ONLINE_PLATFORMS[player.platform]
    numeric_id = 0
    if player.platform != "epic" and player.platform_id is not None:
        numeric_id = int(player.platform_id)
    epic_id = player.platform_id if player.platform == "epic" and player.platform_id else ""
    props = []
    if with_player_id:
        unique_net_id = prop_map(
            [
                qword_prop("Uid", numeric_id),
                str_prop("EpicAccountId", epic_id),
                byte_prop("Platform", "OnlinePlatform", platform),
                raw_byte_prop("SplitscreenID", 0),
            ]
        )
        props.append(struct_prop("PlayerID", "UniqueNetId", unique_net_id))
    props += [
        str_prop("Name", player.name),
        byte_prop("Platform", "OnlinePlatform", platform),
        qword_prop("OnlineID", numeric_id),
        int_prop("Team", player.team),
        int_prop("Score", player.score),
        int_prop("Goals", player.goals),
        int_prop("Assists", player.assists),
        int_prop("Saves", player.saves),
        int_prop("Shots", player.shots),
        bool_prop("bBot", player.is_bot),
    ]
    return prop_map(props)


def build_replay(
    *,
    players: Sequence[PlayerSpec] = (),
    goals: Sequence[GoalSpec] = (),
    team0_score: int = 0,
    team1_score: int = 0,
    date: datetime = datetime(2025, 3, 15, 20, 0, 0),
    legacy_date: bool = False,
    match_type: str = "Private",
    team_size: int | None = 2,
    map_name: str | None = "Stadium_P",
    replay_id: str = "0123456789ABCDEF0123456789ABCDEF",
    num_frames: int = 9000,
    record_fps: float = 30.0,
    with_player_id: bool = True,
    body: bytes = EMPTY_BODY,
    winning_team: int | None = None,
    forfeit: bool = False,
    unfinished: bool = False,
    seconds_played: float | None = None,
    match_guid: str | None = None,
    guid_key: str = "MatchGUID",
) -> bytes:
    """A complete header-only replay. Zero scores are left out, as the game does;
    ``legacy_date`` writes the pre-2017 ``YYYY-MM-DD:HH-MM`` form.

    The outcome properties are written only when given, like newer game versions do:
    ``winning_team`` (``WinningTeam``: 0, 1 or -1), ``forfeit`` (``bForfeit``),
    ``unfinished`` (``bIsUnfinishedMatchReplay``), ``seconds_played``
    (``TotalSecondsPlayed``) and ``match_guid`` under ``guid_key`` (``MatchGUID`` or
    ``MatchGuid``, both spellings occur)."""
    props = []
    if team_size is not None:
        props.append(int_prop("TeamSize", team_size))
    if team0_score:
        props.append(int_prop("Team0Score", team0_score))
    if team1_score:
        props.append(int_prop("Team1Score", team1_score))
    if goals:
        goal_maps = [
            prop_map(
                [
                    int_prop("frame", goal.frame),
                    str_prop("PlayerName", goal.player_name),
                    int_prop("PlayerTeam", goal.team),
                ]
            )
            for goal in goals
        ]
        props.append(array_prop("Goals", goal_maps))
    if players:
        stats = [player_stats(player, with_player_id=with_player_id) for player in players]
        props.append(array_prop("PlayerStats", stats))
    date_text = date.strftime("%Y-%m-%d:%H-%M" if legacy_date else "%Y-%m-%d %H-%M-%S")
    props += [
        float_prop("RecordFPS", record_fps),
        str_prop("Id", replay_id),
        str_prop("Date", date_text),
        int_prop("NumFrames", num_frames),
        name_prop("MatchType", match_type),
    ]
    if map_name is not None:
        props.append(name_prop("MapName", map_name))
    if winning_team is not None:
        props.append(int_prop("WinningTeam", winning_team))
    if forfeit:
        props.append(bool_prop("bForfeit", True))
    if unfinished:
        props.append(bool_prop("bIsUnfinishedMatchReplay", True))
    if seconds_played is not None:
        props.append(float_prop("TotalSecondsPlayed", seconds_played))
    if match_guid is not None:
        props.append(str_prop(guid_key, match_guid))
    return assemble(header_bytes(prop_map(props)), body)
