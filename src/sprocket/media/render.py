"""Drawing a report card with Pillow: a PNG :data:`WIDTH` pixels wide, as tall as its games
and players need (:func:`card_size`).

From the top: a header in the organization's primary colour (its name, the card's title,
what was played and when), a bar of its secondary colour, the series (both sides and the
series score; a round robin says so instead), each game's score (a round robin's with its
line-ups), the players' lines (per side, best score first; a round robin's ranked by record;
a result staff entered without replays has none, and the card says so) and a footer naming
the card. Text is drawn in the faces of :mod:`sprocket.media.fonts`,
each character in a face that has it. The secondary colour marks the series winner, each
game's winning side and MVP awards; where it would not stand out from the dark body (a
contrast ratio under 3, as WCAG 2.1 asks of large text) the body's ink is used instead.
"""

from __future__ import annotations

import functools
import io
import statistics
import threading
import time
from collections.abc import Sequence

from PIL import Image, ImageDraw

from sprocket.media import fonts
from sprocket.media.fonts import BOLD, REGULAR
from sprocket.media.report_card import AWAY, HOME, GameScore, PlayerLine, ReportCard
from sprocket.text import plural

WIDTH = 1000
PAD = 40

HEADER = 128
BAR = 6
SERIES = 130
CAPTION = 40
CHIP_W, CHIP_H, CHIP_GAP = 106, 50, 10
CHIPS_PER_ROW = 8
LINEUP_ROW = 36
COLUMNS_ROW = 30
SIDE_ROW = 34
PLAYER_ROW = 34
GAP = 14
FOOTER = 46

BODY = "#14181f"
PANEL = "#1e2430"
ZEBRA = "#191e27"
INK = "#eef1f5"
MUTED = "#98a2b0"
GAIN = "#5cc28a"
LOSS = "#e8716b"
DARK_INK = "#101418"

#: The numeric columns of the players' table: heading and right edge (pixels).
COLUMNS = (
    ("G", 545),
    ("A", 600),
    ("Sv", 655),
    ("Sh", 710),
    ("Score", 795),
    ("MVP", 865),
    ("Rating", WIDTH - PAD),
)
#: The column before them: games played (fixed sides) or the record (a round robin).
FIRST_COLUMN = 480
NAME_WIDTH = 390


# -- colours -------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    value = int(colour.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.1's definition)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two colours ``#rrggbb`` (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(background: str) -> str:
    """The text colour that reads best on ``background``: light or dark."""
    return INK if contrast(INK, background) >= contrast(DARK_INK, background) else DARK_INK


def accent_of(card: ReportCard) -> str:
    """The highlight colour: the secondary colour, or the ink where it would not stand out."""
    return card.secondary if contrast(card.secondary, BODY) >= 3 else INK


# -- text ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16384)
def _glyph(
    face: fonts.Face, size: int, weight: int, char: str
) -> tuple[Image.Image, int, int, float]:
    """One character of a face drawn alone, kept for every card after: its coverage mask,
    the mask's offset from the pen on the baseline, and the pen's advance (pixels)."""
    font = fonts.font(face, size, weight)
    left, top, right, bottom = font.getbbox(char, anchor="ls")
    mask = Image.new("L", (max(right - left, 1), max(bottom - top, 1)))
    ImageDraw.Draw(mask).text((-left, -top), char, font=font, fill=255, anchor="ls")
    return mask, left, top, font.getlength(char)


def _run_width(face: fonts.Face, run: str, size: int, weight: int) -> float:
    if face.shaped:  # shaped as a whole: its glyphs join and may reorder
        return fonts.font(face, size, weight).getlength(run)
    return sum(_glyph(face, size, weight, char)[3] for char in run)


def text_width(text: str, size: int, weight: int = REGULAR) -> float:
    """The advance width of ``text`` in pixels, drawn at ``size`` pixels and ``weight``."""
    return sum(_run_width(face, run, size, weight) for face, run in fonts.runs(text))


def fit(text: str, size: int, weight: int, width: float) -> str:
    """``text``, cut with an ellipsis where it is wider than ``width`` pixels."""
    if text_width(text, size, weight) <= width:
        return text
    while text and text_width(text + "…", size, weight) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _text(
    draw: ImageDraw.ImageDraw,
    x: float,
    baseline: float,
    text: str,
    size: int,
    *,
    fill: str,
    weight: int = REGULAR,
    align: str = "left",
    width: float | None = None,
) -> None:
    """Draw ``text`` on ``baseline``, starting at ``x`` (``align`` left), ending at it
    (right) or centred on it, cut to ``width`` pixels when given; each run in its face.

    A run of a shaped script is laid out whole by raqm; any other run is drawn glyph by glyph
    from :func:`_glyph`'s cache (its faces need no shaping, and the basic layout would place
    the glyphs at the same advances), so a card rasterizes only the characters no card
    before it used."""
    if width is not None:
        text = fit(text, size, weight, width)
    pen = x
    if align != "left":
        total = text_width(text, size, weight)
        pen = x - total if align == "right" else x - total / 2
    for face, run in fonts.runs(text):
        if face.shaped:
            font = fonts.font(face, size, weight)
            draw.text((pen, baseline), run, font=font, fill=fill, anchor="ls")
            pen += font.getlength(run)
            continue
        for char in run:
            mask, left, top, advance = _glyph(face, size, weight, char)
            draw.bitmap((round(pen) + left, round(baseline) + top), mask, fill=fill)
            pen += advance


def _parts(
    draw: ImageDraw.ImageDraw,
    centre: float,
    baseline: float,
    parts: Sequence[tuple[str, str]],
    size: int,
) -> None:
    """Draw bold ``parts`` (text, colour) one after the other, centred on ``centre``."""
    x = centre - sum(text_width(t, size, BOLD) for t, _ in parts) / 2
    for text, colour in parts:
        _text(draw, x, baseline, text, size, fill=colour, weight=BOLD)
        x += text_width(text, size, BOLD)


def _signed(value: int | None) -> tuple[str, str]:
    """A rating change as shown ("+12", "−8", "0", or a dash when unrated) and its colour."""
    if value is None:
        return "–", MUTED
    if value > 0:
        return f"+{value}", GAIN
    if value < 0:
        return f"−{-value}", LOSS
    return "0", INK


# -- layout --------------------------------------------------------------------------------


def _games_height(card: ReportCard) -> int:
    if card.round_robin:
        return CAPTION + LINEUP_ROW * len(card.games)
    rows = -(-len(card.games) // CHIPS_PER_ROW)
    return CAPTION + rows * (CHIP_H + CHIP_GAP)


def _players_height(card: ReportCard) -> int:
    if not card.players:
        return CAPTION + SIDE_ROW
    sides = 0 if card.round_robin else 2
    return CAPTION + COLUMNS_ROW + sides * SIDE_ROW + PLAYER_ROW * len(card.players)


def card_size(card: ReportCard) -> tuple[int, int]:
    """The card's size in pixels (width, height): :data:`WIDTH` wide, the sections' heights
    added up (two sides' captions for fixed teams, a row per game line-up in a round robin,
    a row of up to :data:`CHIPS_PER_ROW` game scores otherwise, a row per player; without
    players, one row saying so)."""
    height = HEADER + BAR + SERIES + _games_height(card) + GAP + _players_height(card)
    return WIDTH, height + GAP + FOOTER


def _header(draw: ImageDraw.ImageDraw, card: ReportCard) -> None:
    ink = ink_on(card.primary)
    draw.rectangle((0, 0, WIDTH, HEADER), fill=card.primary)
    _text(draw, PAD, 40, card.organization, 20, fill=ink, weight=BOLD, width=WIDTH - 2 * PAD)
    _text(draw, PAD, 86, card.title, 36, fill=ink, weight=BOLD, width=WIDTH - 2 * PAD)
    _text(draw, WIDTH - PAD, 114, card.played, 18, fill=ink, align="right")
    played = text_width(card.played, 18) + 24
    _text(draw, PAD, 114, card.subtitle, 18, fill=ink, width=WIDTH - 2 * PAD - played)
    draw.rectangle((0, HEADER, WIDTH, HEADER + BAR), fill=card.secondary)


def _series(draw: ImageDraw.ImageDraw, card: ReportCard, top: int, accent: str) -> None:
    middle = WIDTH / 2
    if card.round_robin:
        _text(draw, middle, top + 62, "Round robin", 32, fill=INK, weight=BOLD, align="centre")
        games, players = plural(len(card.games), "game"), plural(len(card.players), "player")
        words = f"{games}, {players}: ranked by record"
        _text(draw, middle, top + 98, words, 18, fill=MUTED, align="centre")
        return
    winner = card.winner
    for side, name, x, align in (
        (HOME, card.home, PAD, "left"),
        (AWAY, card.away, WIDTH - PAD, "right"),
    ):
        colour = accent if winner == side else INK
        _text(draw, x, top + 62, name, 30, fill=colour, weight=BOLD, align=align, width=330)
        label = "Home" if side == HOME else "Away"
        _text(draw, x, top + 92, label, 15, fill=MUTED, align=align)
    home = (str(card.home_wins), accent if winner == HOME else INK)
    away = (str(card.away_wins), accent if winner == AWAY else INK)
    _parts(draw, middle, top + 82, (home, (" – ", MUTED), away), 64)
    _text(draw, middle, top + 112, "Series", 15, fill=MUTED, align="centre")


def _chip(draw: ImageDraw.ImageDraw, game: GameScore, x: int, y: int, accent: str) -> None:
    draw.rounded_rectangle((x, y, x + CHIP_W, y + CHIP_H), radius=8, fill=PANEL)
    centre = x + CHIP_W / 2
    _text(draw, centre, y + 17, f"Game {game.number}", 13, fill=MUTED, align="centre")
    home = (str(game.home_goals), accent if game.home_won else INK)
    away = (str(game.away_goals), INK if game.home_won else accent)
    _parts(draw, centre, y + 41, (home, ("–", MUTED), away), 22)


def _lineup(draw: ImageDraw.ImageDraw, game: GameScore, y: int, accent: str) -> None:
    """A round robin's game on one row: its number, the home line-up (right-aligned to the
    score), the score and the away line-up; the winning side in the accent colour."""
    middle, baseline = WIDTH / 2, y + 24
    _text(draw, PAD, baseline, f"Game {game.number}", 15, fill=MUTED)
    home, away = (accent, INK) if game.home_won else (INK, accent)
    room = middle - 45 - (PAD + 75)  # from after "Game n" to before the score
    left = ", ".join(game.home)
    _text(draw, middle - 45, baseline, left, 17, fill=home, align="right", width=room)
    score = ((str(game.home_goals), home), ("–", MUTED), (str(game.away_goals), away))
    _parts(draw, middle, baseline, score, 18)
    _text(draw, middle + 45, baseline, ", ".join(game.away), 17, fill=away, width=room)


def _games(draw: ImageDraw.ImageDraw, card: ReportCard, top: int, accent: str) -> None:
    _text(draw, PAD, top + 28, "Games", 18, fill=MUTED, weight=BOLD)
    y = top + CAPTION
    if card.round_robin:
        for game in card.games:
            _lineup(draw, game, y, accent)
            y += LINEUP_ROW
        return
    for n, game in enumerate(card.games):
        row, column = divmod(n, CHIPS_PER_ROW)
        x = PAD + column * (CHIP_W + CHIP_GAP)
        _chip(draw, game, x, y + row * (CHIP_H + CHIP_GAP), accent)


def _player(
    draw: ImageDraw.ImageDraw,
    player: PlayerLine,
    y: int,
    *,
    rank: int | None,
    zebra: bool,
    accent: str,
) -> None:
    if zebra:
        draw.rectangle((PAD - 12, y, WIDTH - PAD + 12, y + PLAYER_ROW), fill=ZEBRA)
    baseline = y + 23
    x = PAD
    if rank is not None:
        _text(draw, PAD + 22, baseline, f"{rank}.", 17, fill=MUTED, align="right")
        x = PAD + 32
    _text(draw, x, baseline, player.name, 17, fill=INK, width=NAME_WIDTH - (x - PAD))
    first = f"{player.wins}-{player.losses}" if rank is not None else str(player.games)
    _text(draw, FIRST_COLUMN, baseline, first, 17, fill=INK, align="right")
    change, colour = _signed(player.rating_change)
    values = (
        (str(player.goals), INK),
        (str(player.assists), INK),
        (str(player.saves), INK),
        (str(player.shots), INK),
        (str(player.score), INK),
        (str(player.mvps), accent if player.mvps else MUTED),
        (change, colour),
    )
    for (_, right), (value, fill) in zip(COLUMNS, values, strict=True):
        _text(draw, right, baseline, value, 17, fill=fill, align="right")


def _players(draw: ImageDraw.ImageDraw, card: ReportCard, top: int, accent: str) -> None:
    caption = "Players by record" if card.round_robin else "Players"
    _text(draw, PAD, top + 28, caption, 18, fill=MUTED, weight=BOLD)
    y = top + CAPTION
    if not card.players:
        words = "No player lines: the scores were entered without replays."
        _text(draw, PAD, y + 24, words, 17, fill=INK, width=WIDTH - 2 * PAD)
        return
    first = "W-L" if card.round_robin else "GP"
    _text(draw, FIRST_COLUMN, y + 20, first, 14, fill=MUTED, weight=BOLD, align="right")
    for heading, right in COLUMNS:
        _text(draw, right, y + 20, heading, 14, fill=MUTED, weight=BOLD, align="right")
    y += COLUMNS_ROW
    if card.round_robin:
        for rank, player in enumerate(card.ranked(), start=1):
            _player(draw, player, y, rank=rank, zebra=rank % 2 == 1, accent=accent)
            y += PLAYER_ROW
        return
    for side, name in ((HOME, card.home), (AWAY, card.away)):
        colour = accent if card.winner == side else INK
        _text(draw, PAD, y + 24, name, 18, fill=colour, weight=BOLD, width=NAME_WIDTH)
        y += SIDE_ROW
        for n, player in enumerate(card.side(side)):
            _player(draw, player, y, rank=None, zebra=n % 2 == 0, accent=accent)
            y += PLAYER_ROW


def _draw_card(card: ReportCard) -> Image.Image:
    """The card as an RGB image of :func:`card_size`."""
    size = card_size(card)
    image = Image.new("RGB", size, BODY)
    draw = ImageDraw.Draw(image)
    accent = accent_of(card)
    _header(draw, card)
    top = HEADER + BAR
    _series(draw, card, top, accent)
    top += SERIES
    _games(draw, card, top, accent)
    top += _games_height(card) + GAP
    _players(draw, card, top, accent)
    bottom = size[1] - FOOTER
    draw.line((PAD, bottom, WIDTH - PAD, bottom), fill=PANEL, width=2)
    noun = "Match" if card.subject == "match" else "Scrim"
    _text(
        draw, PAD, bottom + 29, f"Sprocket report card · {noun} {card.subject_id}", 15, fill=MUTED
    )
    _text(
        draw,
        WIDTH - PAD,
        bottom + 29,
        card.organization,
        15,
        fill=MUTED,
        align="right",
        width=WIDTH / 2 - PAD,
    )
    return image


#: One card is drawn at a time: the faces (FreeType's) and the glyph cache are shared, and a
#: FreeType face is not to be used by two threads at once (cards are drawn in worker threads).
_DRAWING = threading.Lock()


def render_png(card: ReportCard) -> bytes:
    """The card as PNG bytes (zlib level 1: a card's large flat areas pack small enough, and
    the fastest level keeps a card well under 100 ms). Safe to call from several threads."""
    with _DRAWING:
        image = _draw_card(card)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def render_ms(card: ReportCard, *, repeat: int = 20) -> float:
    """The median time to render ``card`` to PNG, in milliseconds, over ``repeat`` renders
    after one that loads the fonts it needs (for the benchmark's ``card_ms``)."""
    render_png(card)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        render_png(card)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
