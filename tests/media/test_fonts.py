"""Names in any script draw without tofu: every character of names in Latin, Cyrillic,
Greek, Chinese, Japanese, Korean and Arabic script is in the character map of the face the
card draws it in, and that face's glyph for it is not the face's empty box (its .notdef)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from sprocket.media import fonts

NAMES = {
    "Latin": "Zoë Ørsted-Núñez",
    "Vietnamese": "Nguyễn Thị Ánh",
    "Cyrillic": "Дмитрий Кузнецов",
    "Greek": "Νίκος Παπαδόπουλος",
    "Chinese": "王小明 蓝队",
    "Japanese": "山田たろう カタカナ",
    "Korean": "김철수",
    "Arabic": "محمد علي",
}
#: A character no face has (plane 16 private use): each face draws its .notdef for it.
NOBODY = "\U0010fffd"


def mask(face: fonts.Face, text: str) -> Image.Image:
    font = fonts.font(face, 32)
    image = Image.new("L", (96, 64))
    ImageDraw.Draw(image).text((16, 48), text, font=font, fill=255, anchor="ls")
    return image


@pytest.mark.parametrize("script", NAMES)
def test_every_character_is_in_the_map_of_the_face_that_draws_it(script: str) -> None:
    name = NAMES[script]
    assert fonts.missing(name) == ""
    runs = fonts.runs(name)
    assert "".join(text for _, text in runs) == name
    for face, text in runs:
        uncovered = [c for c in text if ord(c) not in fonts.coverage(face)]
        assert uncovered == [], (face.name, uncovered)


@pytest.mark.parametrize("script", NAMES)
def test_no_character_is_drawn_as_the_empty_box(script: str) -> None:
    for face, text in fonts.runs(NAMES[script]):
        tofu = mask(face, NOBODY)
        assert tofu.getbbox() is not None  # the face's .notdef is a visible box
        for char in text.replace(" ", ""):
            glyph = mask(face, char)
            assert glyph.getbbox() is not None, (face.name, char)
            assert ImageChops.difference(glyph, tofu).getbbox() is not None, (face.name, char)


def test_each_script_goes_to_the_face_the_table_names() -> None:
    assert {f.name for f, _ in fonts.runs(NAMES["Cyrillic"])} == {"Noto Sans"}
    assert {f.name for f, _ in fonts.runs(NAMES["Greek"])} == {"Noto Sans"}
    # One run for the whole Arabic name, spaces included: shaped right to left as a whole.
    assert [(f.name, t) for f, t in fonts.runs(NAMES["Arabic"])] == [
        ("Noto Sans Arabic", NAMES["Arabic"])
    ]
    assert {f.name for f, _ in fonts.runs(NAMES["Korean"])} == {"Noto Sans CJK JP"}
    mixed = fonts.runs("Ada 山田")
    assert [(f.name, t) for f, t in mixed] == [("Noto Sans", "Ada "), ("Noto Sans CJK JP", "山田")]


def test_every_face_of_the_chain_is_installed_and_a_character_none_has_is_named() -> None:
    for face in fonts.FACES:
        assert fonts.coverage(face), face.name
    assert fonts.missing(f"Ada{NOBODY}") == NOBODY


@pytest.mark.parametrize("face", [fonts.PRIMARY, fonts.CJK], ids=lambda f: f.name)
def test_bold_is_drawn_heavier_than_regular(face: fonts.Face) -> None:
    """The weight axis of the variable faces is set (the CJK face's default is Thin)."""

    def ink(weight: int) -> float:
        image = Image.new("L", (400, 64))
        text = "Premier" if face is fonts.PRIMARY else "蓝队"
        font = fonts.font(face, 32, weight)
        ImageDraw.Draw(image).text((8, 48), text, font=font, fill=255, anchor="ls")
        return sum(ImageStat.Stat(image).sum)

    assert ink(fonts.BOLD) > 1.2 * ink(fonts.REGULAR)
