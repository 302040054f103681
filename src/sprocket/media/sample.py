"""Sample report cards, made of plain data: what the benchmark renders (``card_ms``) and the
tests hold the fonts and the drawing to. Their players are named in Latin, Cyrillic, Greek,
Chinese, Japanese, Korean and Arabic script, as real players are."""

from __future__ import annotations

from sprocket.media.report_card import AWAY, HOME, GameScore, GameStat, ReportCard, player_lines

#: The names of the samples' players, one script (or two) each.
NAMES = (
    "Ouiiidbrownies",
    "Дмитрий Кузнецов",
    "Νίκος Παπαδόπουλος",
    "山田太郎",
    "김철수",
    "محمد علي",
)


def sample_series() -> ReportCard:
    """A 3v3 best of five won 3-1: six players of six scripts, every game rated."""
    games = (
        GameScore(1, 3, 1, True),
        GameScore(2, 2, 4, False),
        GameScore(3, 5, 2, True),
        GameScore(4, 1, 0, True),
    )
    stats = []
    for game in games:
        for n, name in enumerate(NAMES):
            side = HOME if n < 3 else AWAY
            won = game.home_won == (side == HOME)
            goals = (game.home_goals if side == HOME else game.away_goals) if n % 3 == 0 else 0
            stats.append(
                GameStat(
                    key=n,
                    name=name,
                    side=side,
                    won=won,
                    goals=goals,
                    assists=n % 2,
                    saves=(n + game.number) % 4,
                    shots=goals + 2,
                    score=100 + 90 * goals + 17 * n + 11 * game.number,
                    mvp=won and n % 3 == 0,
                )
            )
    ratings = {n: (1000 + 40 * n, 1000 + 40 * n + (18 if n < 3 else -15)) for n in range(6)}
    return ReportCard(
        subject="match",
        subject_id=42,
        organization="Sprocket Demo League",
        primary="#1f3a5f",
        secondary="#e07a1f",
        title="Week 4 - Premier - Standard",
        subtitle="Standard League, Season 3: Orange Crew against Blue Crew",
        played="24 Nov 2025",
        home="Orange Crew",
        away="Синие 蓝队",
        games=games,
        players=player_lines(stats, ratings),
    )
