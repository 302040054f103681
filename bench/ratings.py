"""Ratings benchmark: a full recompute of 100,000 synthetic 3v3 games among 2,000 players.

    uv run python bench/ratings.py [--games 100000] [--players 2000] [--seed 7]

Each player has a hidden skill drawn from N(25, 4^2). A game takes six distinct players at
random (the first three at home); every player performs N(skill, beta^2) with openskill's beta
(25/6) and the side with the larger total wins, which is exactly the Thurstone model the
ratings assume. The games are generated before the clock starts.

Printed:

* the time of one full :func:`recompute` over all games, and updates per second (games, and
  player-rating updates = 6 per game);
* the prediction accuracy of our ratings: before each game, the side with the higher
  ``win_probability`` is predicted to win (the home side on an exact 0.5), computed on the
  pre-game ratings of an incremental pass of ``rate_game`` calls that must end with exactly the
  ratings of the recompute (checked), over all games and over the first tenth;
* the same accuracy for the baseline, plain team Elo (start 1500, a team's rating is its
  players' average, K = 32, every player of a side moves by the team's change), on the same
  games in the same order;
* for scale, the accuracy of an oracle that knows the hidden skills.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from sprocket.ratings.skill import (
    MODEL,
    GameRecord,
    Skill,
    new_skill,
    rate_game,
    recompute,
    win_probability,
)

TEAM_SIZE = 3
TARGET_RECOMPUTE_S = 20.0
ELO_START, ELO_K = 1500.0, 32.0


def make_games(
    n_games: int, n_players: int, seed: int
) -> tuple[list[float], list[GameRecord[int]]]:
    rng = random.Random(seed)
    hidden = [rng.gauss(25.0, 4.0) for _ in range(n_players)]
    beta = MODEL.beta
    games = []
    for game_id in range(n_games):
        picked = rng.sample(range(n_players), 2 * TEAM_SIZE)
        home, away = tuple(picked[:TEAM_SIZE]), tuple(picked[TEAM_SIZE:])
        home_perf = sum(rng.gauss(hidden[p], beta) for p in home)
        away_perf = sum(rng.gauss(hidden[p], beta) for p in away)
        games.append(GameRecord(game_id, home, away, home_perf > away_perf))
    return hidden, games


def rated_predictions(games: list[GameRecord[int]]) -> tuple[list[bool], dict[int, Skill]]:
    """Predict each game with the ratings before it, then rate it incrementally."""
    skills: dict[int, Skill] = {}
    fresh = new_skill()
    correct = []
    for game in games:
        home = [skills.get(p, fresh) for p in game.home]
        away = [skills.get(p, fresh) for p in game.away]
        correct.append((win_probability(home, away) >= 0.5) == game.home_won)
        new_home, new_away = rate_game(home, away, home_won=game.home_won)
        skills.update(zip(game.home, new_home, strict=True))
        skills.update(zip(game.away, new_away, strict=True))
    return correct, skills


def elo_predictions(games: list[GameRecord[int]]) -> list[bool]:
    elo: dict[int, float] = {}
    correct = []
    for game in games:
        home = sum(elo.get(p, ELO_START) for p in game.home) / len(game.home)
        away = sum(elo.get(p, ELO_START) for p in game.away) / len(game.away)
        expected_home = 1.0 / (1.0 + 10.0 ** ((away - home) / 400.0))
        correct.append((expected_home >= 0.5) == game.home_won)
        change = ELO_K * ((1.0 if game.home_won else 0.0) - expected_home)
        for p in game.home:
            elo[p] = elo.get(p, ELO_START) + change
        for p in game.away:
            elo[p] = elo.get(p, ELO_START) - change
    return correct


def share(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


def oracle_accuracy(hidden: list[float], games: list[GameRecord[int]]) -> float:
    correct = 0
    for game in games:
        home = sum(hidden[p] for p in game.home)
        away = sum(hidden[p] for p in game.away)
        correct += (home >= away) == game.home_won
    return correct / len(games)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--games", type=int, default=100_000)
    parser.add_argument("--players", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    hidden, games = make_games(args.games, args.players, args.seed)
    print(f"{len(games):,} games ({TEAM_SIZE}v{TEAM_SIZE}) among {args.players:,} players")

    started = time.perf_counter()
    ratings = recompute(games)
    recompute_s = time.perf_counter() - started
    per_s = len(games) / recompute_s
    print(
        f"full recompute: {recompute_s:.2f} s (target < {TARGET_RECOMPUTE_S:.0f} s), "
        f"{per_s:,.0f} games/s, {per_s * 2 * TEAM_SIZE:,.0f} player updates/s"
    )

    started = time.perf_counter()
    ours, incremental = rated_predictions(games)
    incremental_s = time.perf_counter() - started
    if incremental != ratings:
        raise SystemExit("recompute differs from the incremental updates")
    print(
        f"incremental pass (win_probability + rate_game per game): {incremental_s:.2f} s; "
        "its ratings equal the recompute's exactly (float-equal, every player)"
    )
    elo = elo_predictions(games)
    oracle = oracle_accuracy(hidden, games)
    accuracy, elo_accuracy = share(ours), share(elo)
    early = max(1, len(games) // 10)
    print(f"prediction accuracy: ours {accuracy:.5f}, team Elo (K=32) {elo_accuracy:.5f}")
    print(
        f"  first {early:,} games (players still new): ours {share(ours[:early]):.5f}, "
        f"Elo {share(elo[:early]):.5f}"
    )
    print(f"  an oracle that knows the hidden skills: {oracle:.5f}")

    displayed = sorted(s.displayed for s in ratings.values())
    games_played = statistics.median(s.games for s in ratings.values())
    quart = statistics.quantiles(displayed, n=4)
    print(
        f"displayed ratings after a median of {games_played:.0f} games: "
        f"min {displayed[0]}, quartiles {quart[0]:.0f}/{quart[1]:.0f}/{quart[2]:.0f}, "
        f"max {displayed[-1]}"
    )
    print(
        json.dumps(
            {
                "games": len(games),
                "recompute_s": round(recompute_s, 3),
                "accuracy": round(accuracy, 4),
                "elo_accuracy": round(elo_accuracy, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
