"""The fonts of report cards, and the face each character is drawn in.

Player and team names come in any script, so a text is drawn in runs, each in the first face
of :data:`FACES` whose character map (read with fontTools) has its characters: no character
is drawn as the empty box ("tofu") of a face that lacks it. The faces come from two packages
on PyPI that carry the Noto fonts as Noto publishes them (SIL Open Font License 1.1), so a
machine with nothing but Python draws every name the same way:

=======================================  =================  ===============================
face                                     package            covers
=======================================  =================  ===============================
Noto Sans                                manimgx-fonts      Latin (with Vietnamese), Greek,
                                                            Cyrillic, digits, punctuation
Noto Sans Arabic, Hebrew, Armenian,      manimgx-fonts      their scripts (Arabic and the
Georgian, Ethiopic, Devanagari, Bengali,                    Indic and South-East Asian
Gujarati, Gurmukhi, Kannada, Malayalam,                     scripts shaped by raqm, Arabic
Oriya, Tamil, Telugu, Sinhala, Thai,                        and Hebrew right to left)
Lao, Khmer, Myanmar
Noto Sans CJK JP                         manimgx-fonts-cjk  Han (Chinese characters, kanji,
                                                            hanja), hiragana, katakana,
                                                            Hangul, CJK punctuation and
                                                            full-width forms
Noto Sans Symbols                        manimgx-fonts      arrows, signs and other symbols
Noto Emoji                               manimgx-fonts      emoji (in one colour)
=======================================  =================  ===============================

A character no face has (a private-use character, say) is drawn in Noto Sans; :func:`missing`
names such characters, which is how the tests hold the chain to its promise.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from importlib.resources import files

from fontTools.ttLib import TTFont
from PIL import ImageFont, features

#: The weights the cards use (OpenType ``wght`` values).
REGULAR = 400
BOLD = 700


@dataclass(frozen=True)
class Face:
    """One font of the chain: its name, the package and file it comes from, its index in a
    collection (``.ttc``) and whether its script needs shaping (joining, reordering, right
    to left), which the raqm layout engine does."""

    name: str
    package: str
    file: str
    index: int = 0
    shaped: bool = False

    @property
    def path(self) -> str:
        return str(files(self.package) / self.file)


def _noto(script: str, *, shaped: bool = True) -> Face:
    return Face(f"Noto Sans {script}", "manimgx_fonts", f"NotoSans{script}[wght].ttf", 0, shaped)


CJK = Face("Noto Sans CJK JP", "manimgx_fonts_cjk", "NotoSansCJK-VF.otf.ttc", index=0)
#: The chain, first choice first (see the module's table).
FACES: tuple[Face, ...] = (
    Face("Noto Sans", "manimgx_fonts", "NotoSans[wght].ttf"),
    *(
        _noto(script)
        for script in (
            "Arabic",
            "Hebrew",
            "Armenian",
            "Georgian",
            "Ethiopic",
            "Devanagari",
            "Bengali",
            "Gujarati",
            "Gurmukhi",
            "Kannada",
            "Malayalam",
            "Oriya",
            "Tamil",
            "Telugu",
            "Sinhala",
            "Thai",
            "Lao",
            "Khmer",
            "Myanmar",
        )
    ),
    CJK,
    _noto("Symbols", shaped=False),
    Face("Noto Emoji", "manimgx_fonts", "NotoEmoji[wght].ttf"),
)
PRIMARY = FACES[0]


@functools.cache
def coverage(face: Face) -> frozenset[int]:
    """The code points ``face`` has a glyph for (its best Unicode character map), read once
    per process (the CJK collection's takes a second or so: it is read only when a text
    first needs it)."""
    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def covers(face: Face, char: str) -> bool:
    """Whether ``face`` has a glyph for the character ``char``."""
    return ord(char) in coverage(face)


def _first_face(char: str) -> Face | None:
    return next((face for face in FACES if covers(face, char)), None)


#: Unicode general categories (by first letter) of separators, punctuation, symbols, marks.
_CLINGING = frozenset(("Z", "P", "S", "M"))


def _clings(char: str) -> bool:
    """Spaces, punctuation, symbols and combining marks stay in the face of the text around
    them where it has them (so an Arabic name keeps its spaces in the Arabic face and is
    shaped as one run); letters and digits take the first face that has them."""
    return unicodedata.category(char)[0] in _CLINGING


@functools.lru_cache(maxsize=4096)
def runs(text: str) -> tuple[tuple[Face, str], ...]:
    """``text`` cut into runs of characters, each with the face it is drawn in (see the
    module's docstring); a character no face has goes to Noto Sans."""
    out: list[tuple[Face, list[str]]] = []
    for char in text:
        current = out[-1][0] if out else None
        if current is not None and _clings(char) and covers(current, char):
            face = current
        else:
            face = _first_face(char) or PRIMARY
        if face is current:
            out[-1][1].append(char)
        else:
            out.append((face, [char]))
    return tuple((face, "".join(chars)) for face, chars in out)


def missing(text: str) -> str:
    """The characters of ``text`` (each once, in order) that no face of the chain has."""
    return "".join(dict.fromkeys(c for c in text if _first_face(c) is None))


def _layout(face: Face) -> ImageFont.Layout:
    if face.shaped and features.check_feature("raqm"):
        return ImageFont.Layout.RAQM
    return ImageFont.Layout.BASIC  # faster: no shaping needed (or none to be had)


@functools.lru_cache(maxsize=256)
def font(face: Face, size: int, weight: int = REGULAR) -> ImageFont.FreeTypeFont:
    """``face`` at ``size`` pixels and ``weight`` (an OpenType ``wght`` value, clamped to
    the face's range), loaded once per process."""
    loaded = ImageFont.truetype(face.path, size, index=face.index, layout_engine=_layout(face))
    axes = loaded.get_variation_axes()
    wanted = [
        max(a["minimum"], min(a["maximum"], weight)) if a["name"] == b"Weight" else a["default"]
        for a in axes
    ]
    if wanted != [a["default"] for a in axes]:
        loaded.set_variation_by_axes(wanted)
    return loaded
