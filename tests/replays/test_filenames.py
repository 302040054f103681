"""The name an uploaded replay is stored and shown under (a security review finding, issue 8):
uploaded file names were stored and echoed raw: paths, control characters, a NUL byte that
PostgreSQL refuses."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sprocket.replays.filenames import MAX_LENGTH, clean_filename


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("game1.replay", "game1.replay"),
        ("Finals – game 3 (Zoë).replay", "Finals – game 3 (Zoë).replay"),
        ("../../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\me\\Documents\\My Games\\Rocket League\\g.replay", "g.replay"),
        ("mixed/..\\path/x.replay", "x.replay"),
        ("nul\x00byte.replay", "nulbyte.replay"),
        ("line\r\nInjected: yes.replay", "lineInjected: yes.replay"),
        ("\x1b[2J\x1b[31mred.replay", "[2J[31mred.replay"),
        ("bell\x07del\x7fc1\x85.replay", "belldelc1.replay"),
        ("evil\u202eyalper.exe", "evilyalper.exe"),  # no right-to-left disguise
        ("zero\u200bwidth\ufeff.replay", "zerowidth.replay"),
        ("sep\u2028arated\u2029.replay", "separated.replay"),
        ("lone\udcffsurrogate.replay", "lonesurrogate.replay"),
        ("  spaced out.replay  ", "spaced out.replay"),
        ("", "game2.replay"),
        (None, "game2.replay"),
        ("/", "game2.replay"),
        ("folder/", "game2.replay"),
        ("..", "game2.replay"),
        ("\x00\x01\x02", "game2.replay"),
    ],
)
def test_clean_names(raw: str | None, clean: str) -> None:
    assert clean_filename(raw, number=2) == clean


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    long = "a" * 1000 + ".replay"
    cut = clean_filename(long, number=1)
    assert len(cut) == MAX_LENGTH == 255
    assert cut == "a" * 247 + "\u2026.replay"
    assert clean_filename("b" * 400 + ".REPLAY", number=1).endswith("\u2026.REPLAY")
    other = clean_filename("c" * 400, number=1)
    assert other == "c" * 254 + "\u2026"
    exact = "d" * 248 + ".replay"
    assert clean_filename(exact, number=1) == exact  # 255 characters: kept whole


@settings(max_examples=300, derandomize=True)
@given(raw=st.text(max_size=600), number=st.integers(1, 15))
def test_any_name_comes_out_printable_bounded_and_stable(raw: str, number: int) -> None:
    clean = clean_filename(raw, number=number)
    assert 0 < len(clean) <= MAX_LENGTH
    assert "/" not in clean and "\\" not in clean
    assert clean not in (".", "..") and clean == clean.strip()
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in clean)
    clean.encode("utf-8")  # storable as text anywhere
    assert clean_filename(clean, number=number) == clean
