"""The replay CRC-32 at C speed.

Rocket League protects header and body with a CRC-32 over polynomial 0x04C11DB7, register
started at 0x10340DFE, final xor 0xFFFFFFFF and no bit reflection (MSB first). zlib computes
the reflected twin of that CRC (same polynomial, LSB first), so the MSB-first CRC of ``data``
equals the bit-reversed zlib CRC of ``data`` with every byte's bits reversed:

- a reflected register is the bit-reversal of the plain register, so zlib must start from
  ``reverse32(0x10340DFE)``; zlib xors its ``value`` argument with 0xFFFFFFFF on the way in,
  hence ``value = reverse32(0x10340DFE) ^ 0xFFFFFFFF``;
- zlib xors 0xFFFFFFFF on the way out as well, which commutes with the bit-reversal, so the
  replay CRC is ``reverse32(zlib.crc32(mirrored, value))``.

Mirroring the bytes is a single ``bytes.translate``; both steps run in C.
"""

from __future__ import annotations

import zlib

CRC_POLYNOMIAL = 0x04C11DB7
CRC_INIT = 0x10340DFE

_REVERSED_BYTE = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def reverse32(value: int) -> int:
    """The 32-bit ``value`` with its bit order reversed."""
    return int(f"{value & 0xFFFFFFFF:032b}"[::-1], 2)


_ZLIB_START = reverse32(CRC_INIT) ^ 0xFFFFFFFF


def mirror(data: bytes) -> bytes:
    """``data`` with the bits of every byte reversed (input of :func:`crc_of_mirrored`)."""
    return data.translate(_REVERSED_BYTE)


def crc_of_mirrored(mirrored: bytes, start: int = 0, end: int | None = None) -> int:
    """Replay CRC of ``mirrored[start:end]``, where ``mirrored`` came from :func:`mirror`.

    Lets a caller mirror a whole file once and check several slices of it without copies.
    """
    view = memoryview(mirrored)[start:end]
    return reverse32(zlib.crc32(view, _ZLIB_START))


def replay_crc(data: bytes | bytearray | memoryview) -> int:
    """The Rocket League replay CRC-32 of ``data``."""
    return crc_of_mirrored(mirror(bytes(data)))
