"""Rocket League replay parser: header, property tree and CRC checks, in pure Python (no I/O).

File layout (little endian)::

    u32 header size, u32 header CRC, header, u32 body size, u32 body CRC, body

The header holds u32 engine version, u32 licensee version, a u32 net version when
engine >= 868 and licensee >= 18, the game type string and a property map. The body (network
frames) is not decoded: only its CRC is checked, and it is searched for the Epic account id of
players whose header entry lacks it.

Strings are an i32 length (terminating NUL included) then the text: Windows-1252 when the
length is positive, UTF-16LE (length counted in code units) when it is negative.

A property is ``name, kind, u32 size, u32 index, value``; a map ends at the name ``None``.
``size`` counts the value without its type prefix (struct name, enum name). Quirks met in real
files: ``BoolProperty`` is one byte, but four in engine-0 files; ``ByteProperty`` is
``enum name, value name``, or ``"None", raw byte`` for a plain byte, or (engine-0 files) just
the value name; ``StructProperty`` is ``struct name, property map``; a repeated name with a
growing ``index`` is a static array (``Dummy`` in ``SceNpOnlineId``).

Every length read from the file is checked against the bytes left before it is used, maps
nest at most :data:`MAX_DEPTH` deep and every loop consumes input, so hostile files cost
time and memory linear in their size, and fail with :class:`ReplayError` only.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeAlias

from sprocket.errors import DomainError
from sprocket.replays.crc import crc_of_mirrored, mirror
from sprocket.replays.errors import ReplayCode

__all__ = [
    "DEFAULT_MAX_SIZE",
    "MAX_DEPTH",
    "REGULATION_SECONDS",
    "ByteValue",
    "Goal",
    "Outcome",
    "Player",
    "Property",
    "PropertyMap",
    "PropertyValue",
    "Replay",
    "ReplayError",
    "ReplayErrorCode",
    "ReplayPlatform",
    "StructValue",
    "parse_replay",
]

DEFAULT_MAX_SIZE = 20 * 1024 * 1024
MAX_DEPTH = 16
"""Deepest nesting of property maps accepted (real files reach 4)."""
REGULATION_SECONDS = 300.0
"""How long a game runs before overtime (five minutes; private matches cannot be shorter)."""

ReplayErrorCode: TypeAlias = Literal[
    ReplayCode.NOT_A_REPLAY,
    ReplayCode.TRUNCATED_REPLAY,
    ReplayCode.CORRUPT_REPLAY,
    ReplayCode.REPLAY_TOO_LARGE,
    ReplayCode.UNSUPPORTED_REPLAY,
]
#: The platform a replay names for a player: a game platform's value
#: (:class:`sprocket.league.enums.GamePlatform`), or ``unknown`` for any other.
ReplayPlatform: TypeAlias = Literal["steam", "epic", "psn", "xbox", "switch", "unknown"]


class ReplayError(DomainError):
    """A file Sprocket cannot accept as a replay; ``code`` says why, ``message`` in words.

    Codes: ``NOT_A_REPLAY`` (empty file, or not shaped like a replay), ``TRUNCATED_REPLAY``
    (the file ends before the sizes it declares), ``CORRUPT_REPLAY`` (a CRC fails, or bytes
    trail the body), ``REPLAY_TOO_LARGE`` (over the size cap, checked before anything else),
    ``UNSUPPORTED_REPLAY`` (intact per CRC, but its header does not follow any layout this
    parser knows).
    """

    code: str = ReplayCode.CORRUPT_REPLAY

    def __init__(self, message: str, *, code: ReplayErrorCode, details: object = None) -> None:
        super().__init__(message, code=code, details=details)


# --------------------------------------------------------------------------- value types


@dataclass(frozen=True, slots=True)
class ByteValue:
    """A ``ByteProperty``: an enum value name, or a raw byte when ``enum`` is None.

    The oldest files store only the value name (``OnlinePlatform_Steam``): ``enum`` is None
    and ``value`` a string.
    """

    enum: str | None
    value: str | int


@dataclass(frozen=True, slots=True)
class StructValue:
    """A ``StructProperty``: the struct's type name and its fields."""

    struct_name: str
    fields: PropertyMap


@dataclass(frozen=True, slots=True)
class Property:
    """One entry of a property map, in file order."""

    name: str
    kind: str
    value: PropertyValue
    index: int = 0


@dataclass(frozen=True)
class PropertyMap(Mapping[str, "PropertyValue"]):
    """An immutable property map. As a mapping, a name gives its first value (index 0);
    ``entries`` keeps every entry in file order, repeated names included."""

    __slots__ = ("entries", "_first")
    entries: tuple[Property, ...]

    def __post_init__(self) -> None:
        first: dict[str, PropertyValue] = {}
        for entry in self.entries:
            first.setdefault(entry.name, entry.value)
        object.__setattr__(self, "_first", first)

    def __getitem__(self, name: str) -> PropertyValue:
        return self._first[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def __contains__(self, name: object) -> bool:
        return name in self._first

    def __reduce__(self) -> tuple[type[PropertyMap], tuple[tuple[Property, ...]]]:
        return (PropertyMap, (self.entries,))  # rebuilds ``_first``; frozen blocks setattr

    def all(self, name: str) -> tuple[Property, ...]:
        """Every entry called ``name`` (a static array has one per index)."""
        return tuple(entry for entry in self.entries if entry.name == name)


PropertyValue: TypeAlias = (
    int | float | str | bool | bytes | ByteValue | StructValue | tuple[PropertyMap, ...]
)
_NO_FIELDS = PropertyMap(())


@dataclass(frozen=True, slots=True)
class Goal:
    """A goal as the header lists it (``team`` / ``frame`` None when left out)."""

    player_name: str
    team: int | None
    frame: int | None


@dataclass(frozen=True, slots=True)
class Player:
    """One ``PlayerStats`` entry; ``platform_id`` is None when no account id exists."""

    name: str
    team: int | None
    score: int
    goals: int
    assists: int
    saves: int
    shots: int
    is_bot: bool
    platform: ReplayPlatform
    platform_id: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a game ended, from its own record: the one answer to "who won?" for everything
    that shows or counts a replay's result (reports, stat lines, ratings, `replay inspect`).

    ``winner`` is the replay team (0 blue, 1 orange) the header records as ``WinningTeam``
    (a forfeit can be won at a level score), else the side with more goals; None when the
    game has no winner: a level score with none recorded, or an unfinished match.
    ``unfinished``: the header's ``bIsUnfinishedMatchReplay``, or, in files older than that
    flag, a game without a recorded winner that stopped before :data:`REGULATION_SECONDS`
    of play (``TotalSecondsPlayed``; a game that went to overtime ran longer). A file
    without ``TotalSecondsPlayed`` is never called unfinished: missing data proves nothing.
    """

    winner: int | None
    forfeit: bool
    unfinished: bool


@dataclass(frozen=True, slots=True)
class Replay:
    """What the header of a verified replay says.

    ``date`` is the game's local ``Date`` property (naive: the file carries no time zone);
    ``started_at`` is the UTC ``MatchStartEpoch`` that newer files carry. ``replay_id`` is
    this copy's own ``Id``; ``match_guid`` (``MatchGUID`` or ``MatchGuid``, newer files) is
    shared by every player's copy of the same game. ``seconds_played`` is the header's
    ``TotalSecondsPlayed`` (playing time, overtime included), None in older files.
    """

    engine_version: int
    licensee_version: int
    net_version: int | None
    game_type: str
    replay_id: str | None
    match_guid: str | None
    date: datetime | None
    started_at: datetime | None
    match_type: str | None
    map: str | None
    team_size: int | None
    duration_seconds: float | None
    seconds_played: float | None
    team0_score: int
    team1_score: int
    outcome: Outcome
    goals: tuple[Goal, ...]
    players: tuple[Player, ...]
    properties: PropertyMap


# --------------------------------------------------------------------------- entry point

_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_F32 = struct.Struct("<f")
_U64 = struct.Struct("<Q")
_U32_PAIR = struct.Struct("<II")

_GAME_TYPE_PREFIX = b"TAGame.Replay_"
_MIN_MAP_BYTES = 9  # the shortest map is the 9-byte string "None"


def parse_replay(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE) -> Replay:
    """Verify both CRCs of a replay file's bytes and read its header.

    ``max_size``: the largest file accepted, in bytes (20 MiB by default), checked first.
    Raises ReplayError: REPLAY_TOO_LARGE (``details``: size and max_size), NOT_A_REPLAY,
    TRUNCATED_REPLAY, CORRUPT_REPLAY, UNSUPPORTED_REPLAY. An empty file is ``NOT_A_REPLAY``
    (nothing in it is a replay); a file too short to show its header is ``TRUNCATED_REPLAY``
    unless its first bytes already rule out a replay.
    """
    size = len(data)
    if size > max_size:
        raise ReplayError(
            f"The file is {_megabytes(size)}, over the {_megabytes(max_size)} limit for a replay.",
            code=ReplayCode.REPLAY_TOO_LARGE,
            details={"size": size, "max_size": max_size},
        )
    if not isinstance(data, bytes):
        data = bytes(data)
    if size == 0:
        raise ReplayError(
            "The file is empty: it is not a Rocket League replay.", code=ReplayCode.NOT_A_REPLAY
        )
    if _looks_like_replay(data) is False:
        raise ReplayError("This file is not a Rocket League replay.", code=ReplayCode.NOT_A_REPLAY)
    header_end = _header_end(data)
    mirrored = mirror(data)  # one C pass; both CRCs then read slices of it
    if crc_of_mirrored(mirrored, 8, header_end) != _U32.unpack_from(data, 4)[0]:
        raise _corrupt("its header checksum does not match", part="header")
    body_start, body_end = _body_span(data, header_end)
    body_crc = _U32.unpack_from(data, header_end + 4)[0]
    if crc_of_mirrored(mirrored, body_start, body_end) != body_crc:
        raise _corrupt("its match data checksum does not match", part="body")
    return _read_header(data, header_end, body_start, body_end)


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):.1f} MB"


def _corrupt(what: str, *, part: str) -> ReplayError:
    return ReplayError(
        f"The replay is damaged: {what}. It was changed or corrupted after the game saved "
        "it; upload the original file.",
        code=ReplayCode.CORRUPT_REPLAY,
        details={"part": part},
    )


def _truncated(what: str, details: dict[str, int]) -> ReplayError:
    return ReplayError(
        f"The replay is cut short: {what}. The upload or copy was probably interrupted; "
        "upload the complete file.",
        code=ReplayCode.TRUNCATED_REPLAY,
        details=details,
    )


def _looks_like_replay(data: bytes) -> bool | None:
    """True if the game type string starts where it should, False if the bytes rule a replay
    out, None if the file is too short to tell."""
    verdicts = (_game_type_at(data, 16), _game_type_at(data, 20))
    if True in verdicts:
        return True
    if None in verdicts:
        return None
    return False


def _game_type_at(data: bytes, offset: int) -> bool | None:
    if len(data) < offset + 4:
        return None
    length = _I32.unpack_from(data, offset)[0]
    if not len(_GAME_TYPE_PREFIX) < length <= 256:
        return False
    text = data[offset + 4 : offset + 4 + len(_GAME_TYPE_PREFIX)]
    if not _GAME_TYPE_PREFIX.startswith(text):
        return False
    return True if len(text) == len(_GAME_TYPE_PREFIX) else None


def _header_end(data: bytes) -> int:
    """Where the header ends, once the file is known to hold all of it."""
    size = len(data)
    if size < 8:
        raise _truncated(f"the file holds only {size} bytes", {"size": size})
    header_end = 8 + _U32.unpack_from(data, 0)[0]
    if header_end > size:
        raise _truncated(
            f"its header needs {header_end} bytes but the file ends after {size}",
            {"needed": header_end, "size": size},
        )
    return header_end


def _body_span(data: bytes, header_end: int) -> tuple[int, int]:
    """(start, end) of the body, checked against the file's length."""
    size = len(data)
    body_start = header_end + 8
    if body_start > size:
        raise _truncated(
            "the file ends right after the header, before the match data",
            {"needed": body_start, "size": size},
        )
    body_end = body_start + _U32.unpack_from(data, header_end)[0]
    if body_end > size:
        raise _short_body_error(data, body_start, body_end)
    if body_end < size:
        raise _corrupt(
            f"{size - body_end} unexpected bytes follow the end of the replay", part="end"
        )
    return body_start, body_end


class _Cut(Exception):
    """The body frame runs into the end of the file."""


class _Broken(Exception):
    """The body frame contradicts its own declared size."""


_BODY_TRAILER = 8  # newer bodies end with a few bytes after the last list


def _short_body_error(data: bytes, start: int, end: int) -> ReplayError:
    """The file ends before the declared body does: cut short, or sizes that lie?

    Walks the body's outer lists (levels, keyframes, network stream size, debug log, tick
    marks, packages, objects, names, class indices, net cache) without decoding the network
    stream. A cut file stays consistent with its declared size up to the cut (truncated);
    a length or count that could not fit even in the declared body, or a body that ends well
    inside the file, means the sizes are wrong (corrupt). Runs only on this error path.
    """
    details = {"needed": end, "size": len(data)}
    try:
        frame_end = _walk_body_frame(data, start, end)
    except _Cut:
        frame_end = None
    except _Broken:
        return _corrupt("its match data does not match its declared size", part="body")
    if frame_end is not None and end - frame_end > _BODY_TRAILER:
        return _corrupt("its match data does not match its declared size", part="body")
    return _truncated(
        f"its match data needs {end} bytes but the file ends after {len(data)}", details
    )


def _walk_body_frame(data: bytes, pos: int, end: int) -> int:
    available = len(data)

    def need(count: int) -> int:
        nonlocal pos
        if count < 0 or pos + count > end:
            raise _Broken
        if pos + count > available:
            raise _Cut
        start, pos = pos, pos + count
        return start

    def u32() -> int:
        return _U32.unpack_from(data, need(4))[0]

    def string() -> None:
        length = _I32.unpack_from(data, need(4))[0]
        need(length if length >= 0 else -2 * length)

    def count(min_item: int) -> int:
        items = u32()
        if items * min_item > end - pos:
            raise _Broken
        return items

    for _ in range(count(4)):  # levels
        string()
    need(12 * count(12))  # keyframes
    need(u32())  # network stream
    for _ in range(count(12)):  # debug log: frame, user, text
        need(4)
        string()
        string()
    for _ in range(count(8)):  # tick marks: type, frame
        string()
        need(4)
    for _ in range(3):  # packages, objects, names
        for _ in range(count(4)):
            string()
    for _ in range(count(8)):  # class indices: class, index
        string()
        need(4)
    for _ in range(count(16)):  # net cache: object, parent, cache id, properties
        need(12)
        need(8 * count(8))
    return pos


# --------------------------------------------------------------------------- header reader


class _FormatError(Exception):
    """The header bytes break the format; becomes ReplayError ``UNSUPPORTED_REPLAY``."""


def _past_end(position: int) -> _FormatError:
    return _FormatError(f"a value at byte {position} runs past the end of the header")


class _Reader:
    """Cursor over ``data[pos:end]``; every read checks what it needs against ``end``.

    Hot path of the header: strings are decoded once per parse (names and kinds repeat
    hundreds of times) and the common reads are inlined rather than layered.
    """

    __slots__ = ("data", "end", "pos", "skipped_kinds", "_texts")

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data = data
        self.pos = pos
        self.end = end
        self.skipped_kinds: list[str] = []
        self._texts: dict[bytes, str] = {}

    def take(self, count: int) -> int:
        """Claim ``count`` bytes and return where they start."""
        start = self.pos
        if count < 0 or start + count > self.end:
            raise _past_end(start)
        self.pos = start + count
        return start

    def u32(self) -> int:
        return _U32.unpack_from(self.data, self.take(4))[0]

    def u32_pair(self) -> tuple[int, int]:
        return _U32_PAIR.unpack_from(self.data, self.take(8))

    def string(self) -> str:
        data, pos, end = self.data, self.pos, self.end
        if pos + 4 > end:
            raise _past_end(pos)
        length = _I32.unpack_from(data, pos)[0]
        pos += 4
        stop = pos + length if length >= 0 else pos - 2 * length
        if stop > end:
            raise _past_end(pos)
        self.pos = stop
        raw = data[pos:stop]
        text = self._texts.get(raw)
        if text is None:
            text = _decode_narrow(raw) if length >= 0 else _decode_wide(raw)
            self._texts[raw] = text
        return text

    def peek_i32(self) -> int | None:
        if self.pos + 4 > self.end:
            return None
        return _I32.unpack_from(self.data, self.pos)[0]


def _decode_narrow(raw: bytes) -> str:
    if raw.endswith(b"\0"):
        raw = raw[:-1]
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode_wide(raw: bytes) -> str:
    text = raw.decode("utf-16-le", "replace")
    return text[:-1] if text.endswith("\0") else text


def _read_map(reader: _Reader, depth: int) -> PropertyMap:
    if depth > MAX_DEPTH:
        raise _FormatError(f"properties nest deeper than {MAX_DEPTH} levels")
    entries: list[Property] = []
    string, u32_pair = reader.string, reader.u32_pair
    while True:
        name = string()
        if name == "None":
            return PropertyMap(tuple(entries))
        kind = string()
        size, index = u32_pair()
        read = _READERS.get(kind)
        value = _read_unknown(reader, kind, size) if read is None else read(reader, size, depth)
        entries.append(Property(name, kind, value, index))


def _read_int(reader: _Reader, size: int, depth: int) -> int:
    return _I32.unpack_from(reader.data, reader.take(4))[0]


def _read_float(reader: _Reader, size: int, depth: int) -> float:
    return _F32.unpack_from(reader.data, reader.take(4))[0]


def _read_qword(reader: _Reader, size: int, depth: int) -> int:
    return _U64.unpack_from(reader.data, reader.take(8))[0]


def _read_text(reader: _Reader, size: int, depth: int) -> str:
    return reader.string()


def _read_bool(reader: _Reader, size: int, depth: int) -> bool:
    """One byte, but four in engine-0 files: then the next i32 cannot be a string length
    (it reads 0x??000000) while three zero bytes later one starts."""
    start = reader.take(1)
    following = reader.peek_i32()
    left = reader.end - reader.pos
    if (
        following is not None
        and not -(left // 2) <= following <= left
        and reader.data[reader.pos : reader.pos + 3] == b"\0\0\0"
    ):
        reader.take(3)
    return reader.data[start] != 0


def _read_byte(reader: _Reader, size: int, depth: int) -> ByteValue:
    start = reader.pos
    first = reader.string()
    if first == "None":
        return ByteValue(None, reader.data[reader.take(1)])
    # Oldest form: only the value name, and ``size`` covers exactly that string. In the
    # usual form ``size`` covers the second string, whose length field is then size - 4.
    if reader.pos - start == size and reader.peek_i32() != size - 4:
        return ByteValue(None, first)
    return ByteValue(first, reader.string())


def _read_array(reader: _Reader, size: int, depth: int) -> tuple[PropertyMap, ...]:
    count = reader.u32()
    if count * _MIN_MAP_BYTES > reader.end - reader.pos:
        raise _FormatError(f"a list of {count} entries cannot fit in the header")
    return tuple(_read_map(reader, depth + 1) for _ in range(count))


def _read_struct(reader: _Reader, size: int, depth: int) -> StructValue:
    return StructValue(reader.string(), _read_map(reader, depth + 1))


def _read_unknown(reader: _Reader, kind: str, size: int) -> bytes:
    """Keep an unknown kind's declared bytes, so a kind added by a future game version does
    not lock players out; if the guess misaligns the reader, the error names the kind."""
    reader.skipped_kinds.append(kind)
    start = reader.take(size)
    return reader.data[start : reader.pos]


_READERS: dict[str, Callable[[_Reader, int, int], PropertyValue]] = {
    "IntProperty": _read_int,
    "StrProperty": _read_text,
    "NameProperty": _read_text,
    "FloatProperty": _read_float,
    "QWordProperty": _read_qword,
    "BoolProperty": _read_bool,
    "ByteProperty": _read_byte,
    "ArrayProperty": _read_array,
    "StructProperty": _read_struct,
}


def _read_header(data: bytes, header_end: int, body_start: int, body_end: int) -> Replay:
    reader = _Reader(data, 8, header_end)
    try:
        engine, licensee = reader.u32(), reader.u32()
        net = reader.u32() if engine >= 868 and licensee >= 18 else None
        game_type = reader.string()
        properties = _read_map(reader, 0)
    except (_FormatError, RecursionError) as error:
        skipped = f" (after skipping unknown kinds {', '.join(reader.skipped_kinds)})"
        raise ReplayError(
            "Sprocket cannot read this replay's header: "
            f"{error}{skipped if reader.skipped_kinds else ''}. The file is intact, so it "
            "probably comes from a game version Sprocket does not know yet.",
            code=ReplayCode.UNSUPPORTED_REPLAY,
            details={"offset": reader.pos},
        ) from None
    return _build_replay(engine, licensee, net, game_type, properties, data, body_start, body_end)


# --------------------------------------------------------------------------- interpretation


def _build_replay(
    engine: int,
    licensee: int,
    net: int | None,
    game_type: str,
    props: PropertyMap,
    data: bytes,
    body_start: int,
    body_end: int,
) -> Replay:
    stats = _maps(props, "PlayerStats")
    wanted = _names_needing_body_ids(stats)
    body_ids = _epic_ids_in_body(data, body_start, body_end, wanted) if wanted else {}
    scores = (_int(props, "Team0Score"), _int(props, "Team1Score"))
    seconds = _seconds_played(props)
    return Replay(
        engine_version=engine,
        licensee_version=licensee,
        net_version=net,
        game_type=game_type,
        replay_id=_identifier(props, "Id"),
        match_guid=_identifier(props, "MatchGUID", "MatchGuid"),
        date=_parse_date(_str(props, "Date")),
        started_at=_epoch(props.get("MatchStartEpoch")),
        match_type=_str(props, "MatchType"),
        map=_str(props, "MapName"),
        team_size=_int_or_none(props, "TeamSize"),
        duration_seconds=_duration(props),
        seconds_played=seconds,
        team0_score=scores[0],
        team1_score=scores[1],
        outcome=_outcome(props, scores, seconds),
        goals=tuple(_goal(entry) for entry in _maps(props, "Goals")),
        players=tuple(_player(entry, body_ids) for entry in stats),
        properties=props,
    )


_IDENTIFIER = re.compile(r"[0-9A-Za-z{}-]{1,64}")


def _identifier(props: PropertyMap, *names: str) -> str | None:
    """An id property (the first of ``names`` present): up to 64 letters, digits, dashes or
    braces (real ids are 32 hex digits); anything else is no id at all."""
    for name in names:
        value = _str(props, name)
        if value is not None:
            return value if _IDENTIFIER.fullmatch(value) else None
    return None


def _seconds_played(props: PropertyMap) -> float | None:
    value = props.get("TotalSecondsPlayed")
    if not isinstance(value, float) or not math.isfinite(value) or value < 0:
        return None
    return value


def _outcome(props: PropertyMap, scores: tuple[int, int], seconds: float | None) -> Outcome:
    """See :class:`Outcome`. ``WinningTeam`` is -1 (or absent) when the header names none."""
    recorded = _int_or_none(props, "WinningTeam")
    recorded = recorded if recorded in (0, 1) else None
    unfinished = props.get("bIsUnfinishedMatchReplay") is True or (
        recorded is None and seconds is not None and seconds < REGULATION_SECONDS
    )
    if unfinished:
        winner = None
    elif recorded is not None:
        winner = recorded
    elif scores[0] != scores[1]:
        winner = 0 if scores[0] > scores[1] else 1
    else:
        winner = None
    return Outcome(winner, props.get("bForfeit") is True, unfinished)


def _str(props: PropertyMap, name: str) -> str | None:
    value = props.get(name)
    return value if isinstance(value, str) else None


def _int_or_none(props: PropertyMap, name: str) -> int | None:
    value = props.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _int(props: PropertyMap, name: str) -> int:
    """An int property; absent means 0 (the game leaves out zero scores and stats)."""
    value = _int_or_none(props, name)
    return 0 if value is None else value


def _maps(props: PropertyMap, name: str) -> tuple[PropertyMap, ...]:
    value = props.get(name)
    if isinstance(value, tuple):
        return value
    return ()


_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ :](\d{2})-(\d{2})(?:-(\d{2}))?")


def _parse_date(text: str | None) -> datetime | None:
    """``2016-12-04:15-12`` (to 2017) or ``2020-09-30 19-16-28``; None if neither."""
    match = _DATE.fullmatch(text or "")
    if match is None:
        return None
    try:
        return datetime(*(int(part) for part in match.groups(default="0")))
    except ValueError:
        return None


def _epoch(value: PropertyValue | None) -> datetime | None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _duration(props: PropertyMap) -> float | None:
    frames = _int_or_none(props, "NumFrames")
    fps = props.get("RecordFPS")
    if (
        frames is None
        or frames < 0
        or not isinstance(fps, float)
        or not math.isfinite(fps)
        or fps <= 0
    ):
        return None
    return frames / fps


def _goal(entry: PropertyMap) -> Goal:
    return Goal(
        player_name=_str(entry, "PlayerName") or "",
        team=_int_or_none(entry, "PlayerTeam"),
        frame=_int_or_none(entry, "frame"),
    )


_PLATFORMS: dict[str, ReplayPlatform] = {
    "OnlinePlatform_Steam": "steam",
    "OnlinePlatform_Epic": "epic",
    "OnlinePlatform_PS4": "psn",
    "OnlinePlatform_PS3": "psn",
    "OnlinePlatform_PS5": "psn",
    "OnlinePlatform_Dingo": "xbox",
    "OnlinePlatform_Durango": "xbox",
    "OnlinePlatform_XboxOne": "xbox",
    "OnlinePlatform_NNX": "switch",
    "OnlinePlatform_Switch": "switch",
}


def _platform(value: PropertyValue | None) -> ReplayPlatform:
    if isinstance(value, ByteValue) and isinstance(value.value, str):
        return _PLATFORMS.get(value.value, "unknown")
    return "unknown"


def _player(entry: PropertyMap, body_ids: Mapping[str, str | None]) -> Player:
    name = _str(entry, "Name") or ""
    platform = _platform(entry.get("Platform"))
    return Player(
        name=name,
        team=_int_or_none(entry, "Team"),
        score=_int(entry, "Score"),
        goals=_int(entry, "Goals"),
        assists=_int(entry, "Assists"),
        saves=_int(entry, "Saves"),
        shots=_int(entry, "Shots"),
        is_bot=entry.get("bBot") is True,
        platform=platform,
        platform_id=_platform_id(entry, platform, body_ids.get(name)),
    )


def _platform_id(
    entry: PropertyMap, platform: ReplayPlatform, body_epic_id: str | None
) -> str | None:
    """OnlineID, else the ``PlayerID`` struct (``Uid`` / ``EpicAccountId``); for Epic
    players whose header has neither (2024 builds), the id found next to their name in
    the body. None when the account has no id (bots, split-screen guests)."""
    fields = _player_id_fields(entry)
    if platform == "epic":
        return _str(fields, "EpicAccountId") or body_epic_id
    for source, key in ((entry, "OnlineID"), (fields, "Uid")):
        value = source.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value:
            return str(value)
    return None


def _player_id_fields(entry: PropertyMap) -> PropertyMap:
    player_id = entry.get("PlayerID")
    return player_id.fields if isinstance(player_id, StructValue) else _NO_FIELDS


def _names_needing_body_ids(entries: tuple[PropertyMap, ...]) -> set[str]:
    """Names of Epic players whose header entry lacks their account id."""
    return {
        name
        for entry in entries
        if _platform(entry.get("Platform")) == "epic"
        and not _str(_player_id_fields(entry), "EpicAccountId")
        and (name := _str(entry, "Name"))
    }


_EPIC_ID_THEN_NAME = re.compile(rb"\x0b\x21\x00\x00\x00([0-9a-f]{32})\x00\x00")


def _epic_ids_in_body(
    data: bytes, start: int, end: int, names: Iterable[str]
) -> dict[str, str | None]:
    """Epic ids of ``names``, from ``0x0B, i32 33, <32 hex>\\0, \\0, <name string>``.

    The network stream replicates each player's Epic unique id (platform byte 11) right
    before their name; many copies sit on byte boundaries, so a plain search finds them
    without decoding the stream. The name string right after the id ties the two; a name
    seen with two different ids maps to None. One C-speed regex pass, then a dict lookup of
    bounded slices per hit. Cross-checked in the tests against every file whose header
    carries the id.
    """
    wanted = {encoded: name for name in names for encoded in _string_encodings(name)}
    if not wanted:
        return {}
    longest = max(map(len, wanted))
    ids: dict[str, str | None] = {}
    for match in _EPIC_ID_THEN_NAME.finditer(data, start, end):
        name = _name_at(data, match.end(), end, wanted, longest)
        if name is not None:
            epic_id = match.group(1).decode("ascii")
            ids[name] = epic_id if ids.get(name, epic_id) == epic_id else None
    return ids


def _name_at(
    data: bytes, pos: int, end: int, wanted: Mapping[bytes, str], longest: int
) -> str | None:
    """The wanted name whose encoded string starts at ``pos``, if any."""
    if pos + 4 > end:
        return None
    length = _I32.unpack_from(data, pos)[0]
    size = 4 + (length if length >= 0 else -2 * length)
    if size > longest or pos + size > end:
        return None
    return wanted.get(data[pos : pos + size])


def _string_encodings(text: str) -> list[bytes]:
    """The ways the game may have written ``text`` as a length-prefixed string."""
    encodings = []
    try:
        narrow = text.encode("cp1252") + b"\0"
        encodings.append(_I32.pack(len(narrow)) + narrow)
    except UnicodeEncodeError:
        pass
    wide = text.encode("utf-16-le") + b"\0\0"
    encodings.append(_I32.pack(-(len(wide) // 2)) + wide)
    return encodings
