"""Hostile replay files, shared by the parser's tests (tests/replays/test_parser.py) and its
benchmark (bench/parser.py): intact headers Sprocket cannot read, real files with a header
byte flipped or a length field inflated (re-signed, so they get past the CRCs), and a body
flooded with look-alike player ids."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

from tests.conftest import REPLAYS
from tests.helpers.replay_writer import (
    PlayerSpec,
    assemble,
    build_replay,
    header_bytes,
    int_prop,
    resign,
    text,
)

GOOD = REPLAYS / "good"

#: Property maps whose every size claim is hostile, by name.
UNREADABLE_HEADERS = {
    # a string claiming 2 GB
    "long-string": text("TeamSize") + text("IntProperty") + struct.pack("<i", 0x7FFFFFFF),
    # a UTF-16 string claiming the most negative length
    "negative-string": struct.pack("<i", -0x80000000) + b"ab",
    # a list of four billion entries
    "huge-list": text("Goals") + text("ArrayProperty") + struct.pack("<III", 0, 0, 0xFFFFFFFF),
    # the map never ends
    "no-terminator": int_prop("TeamSize", 2),
    # an int cut in half
    "short-int": text("TeamSize") + text("IntProperty") + struct.pack("<II", 4, 0) + b"\1\0",
}
#: Values written over a real length field.
HOSTILE_LENGTHS = (0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0xFFFFFFF0, 0x10000)


def read(name: str) -> bytes:
    """The bytes of ``name`` in ../shared/replays/good/."""
    return (GOOD / name).read_bytes()


def parser_player(name: str) -> PlayerSpec:
    """A Steam player of the first team (0)."""
    return PlayerSpec(name=name, team=0, platform="steam", platform_id="76561197960464457")


def signed(properties: bytes) -> bytes:
    """A whole replay (valid CRCs) whose header's property map is ``properties``."""
    return assemble(header_bytes(properties))


def length_field_positions(data: bytes) -> list[int]:
    """Offsets of real length fields: the two section sizes and every string length and
    list count in the header (found as i32 n followed by n-1 printable bytes and NUL)."""
    header_end = 8 + struct.unpack_from("<I", data, 0)[0]
    positions = [0, header_end]
    for match in re.finditer(rb"(?=([\x01-\x7f])\x00\x00\x00)", data[:header_end]):
        start = match.start()
        length = data[start]
        body = data[start + 4 : start + 3 + length]
        if data[start + 3 + length : start + 4 + length] == b"\0" and body.isascii():
            positions.append(start)
    positions += [m.end() + 8 for m in re.finditer(rb"ArrayProperty\x00", data[:header_end])]
    return positions


def corpus() -> list[bytes]:
    """A written two-player replay, and three small real ones when ../shared/replays is here."""
    written = build_replay(players=[parser_player("Ann"), parser_player("Bob")], team1_score=2)
    if not REPLAYS.is_dir():
        return [written]
    return [written, read("6688.replay"), read("7588d.replay"), read("small-frames.replay")]


def header_byte_flips(data: bytes) -> Iterator[bytes]:
    """``data`` with each byte of its header XORed with 0x01, 0x80 and 0xFF, re-signed."""
    header_end = 8 + struct.unpack_from("<I", data, 0)[0]
    for spot in range(8, header_end):
        for mask in (0x01, 0x80, 0xFF):
            mutated = bytearray(data)
            mutated[spot] ^= mask
            yield resign(bytes(mutated))


def inflated_lengths(data: bytes, positions: list[int], value: int) -> Iterator[bytes]:
    """``data`` with each length field at ``positions`` set to ``value``, re-signed."""
    for spot in positions:
        mutated = bytearray(data)
        struct.pack_into("<I", mutated, spot, value)
        yield resign(bytes(mutated))


def flooded_body(hits: int = 150_000) -> bytes:
    """A network stream of ``hits`` look-alike 32-character ids each followed by a huge name
    length, then two real-looking ids both named "Eve" (which makes her id ambiguous)."""
    hit = b"\x0b\x21\x00\x00\x00" + b"a" * 32 + b"\0\0"
    flood = (hit + struct.pack("<i", 0x7FFFFFFF)) * hits
    twice = b"".join(hit.replace(b"a", c) + text("Eve") for c in (b"b", b"c"))
    return flood + twice


def flooded_replay(body: bytes) -> bytes:
    """A replay whose only player, Epic's Eve, has no id in the header: the parser looks for
    it in ``body``."""
    eve = PlayerSpec("Eve", platform="epic", platform_id="ab" * 16)
    return build_replay(players=[eve], with_player_id=False, body=body)
