"""Drawing a card: a PNG that decodes at the size its games and players need, in the
organization's colours, for fixed sides and for a round robin; and the render time the
benchmark reads."""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image

from sprocket.media import render
from sprocket.media.report_card import GameScore, PlayerLine
from sprocket.media.sample import NAMES, sample_series


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image.convert("RGB")


def test_a_series_card_decodes_at_its_size_in_the_organizations_colours() -> None:
    card = sample_series()
    image = decoded(render.render_png(card))
    # 6 players of two sides, 4 games in one row of chips.
    assert render.card_size(card) == (1000, 780)
    assert image.size == (1000, 780)
    assert image.getpixel((5, 5)) == (0x1F, 0x3A, 0x5F)  # the header: primary colour
    assert image.getpixel((5, render.HEADER + 2)) == (0xE0, 0x7A, 0x1F)  # the bar: secondary
    assert image.getpixel((5, render.HEADER + render.BAR + 5)) == (0x14, 0x18, 0x1F)  # body


def test_more_games_and_players_make_a_taller_card() -> None:
    card = sample_series()
    games = tuple(GameScore(n, 1, 0, n % 2 == 1) for n in range(1, 10))  # two rows of chips
    extra = replace(card.players[0], key="sub", name="Substitute")
    bigger = replace(card, games=games, players=(*card.players, extra))
    width, height = render.card_size(bigger)
    chips = render.CHIP_H + render.CHIP_GAP
    assert (width, height) == (1000, 780 + chips + render.PLAYER_ROW)
    assert decoded(render.render_png(bigger)).size == (width, height)


def test_a_round_robin_card_ranks_its_players_and_lists_each_games_lineups() -> None:
    games = (
        GameScore(1, 2, 1, True, (NAMES[0], NAMES[1]), (NAMES[2], NAMES[3])),
        GameScore(2, 0, 3, False, (NAMES[0], NAMES[2]), (NAMES[1], NAMES[3])),
        GameScore(3, 4, 2, True, (NAMES[0], NAMES[3]), (NAMES[1], NAMES[2])),
    )
    wins = (2, 1, 2, 3)  # the first and third tie on record: the higher score goes first
    players = tuple(
        PlayerLine(n, name, None, 3, wins[n], n, 0, 1, 2, 300 - n, 0, 1000, 1000 + n)
        for n, name in enumerate(NAMES[:4])
    )
    card = replace(sample_series(), subject="scrim", games=games, players=players, round_robin=True)
    expected = (
        render.HEADER + render.BAR + render.SERIES
        + render.CAPTION + 3 * render.LINEUP_ROW + render.GAP
        + render.CAPTION + render.COLUMNS_ROW + 4 * render.PLAYER_ROW
        + render.GAP + render.FOOTER
    )  # fmt: skip
    assert render.card_size(card) == (1000, expected)
    assert decoded(render.render_png(card)).size == (1000, expected)
    assert [p.name for p in card.ranked()] == [NAMES[3], NAMES[0], NAMES[2], NAMES[1]]


def test_an_accent_that_would_not_stand_out_on_the_body_gives_way_to_the_ink() -> None:
    card = sample_series()
    assert render.accent_of(card) == "#e07a1f"
    assert render.accent_of(replace(card, secondary="#202020")) == render.INK
    assert render.ink_on("#ffffff") == render.DARK_INK and render.ink_on("#000000") == render.INK
    assert round(render.contrast("#ffffff", "#000000")) == 21


def test_a_name_too_long_for_its_column_is_cut_with_an_ellipsis() -> None:
    long = "Ouiiidbrownies" * 4
    cut = render.fit(long, 17, 400, 200)
    assert cut.endswith("…") and render.text_width(cut, 17) <= 200
    assert render.fit("Ada", 17, 400, 200) == "Ada"


def test_the_render_time_is_measured_in_milliseconds() -> None:
    assert render.render_ms(sample_series(), repeat=2) > 0


def test_a_card_without_player_lines_says_so_in_one_row() -> None:
    card = replace(sample_series(), players=())  # scores staff entered without replays
    table = render.COLUMNS_ROW + 2 * render.SIDE_ROW + 6 * render.PLAYER_ROW
    size = render.card_size(card)
    assert size == (1000, 780 - table + render.SIDE_ROW)
    image = decoded(render.render_png(card))
    assert image.size == size
    top = size[1] - render.FOOTER - render.GAP - render.SIDE_ROW  # the row saying so
    row = image.crop((render.PAD, top, render.WIDTH - render.PAD, top + render.SIDE_ROW))
    assert len(row.getcolors(maxcolors=4096) or ()) > 1  # written on, not the bare body
