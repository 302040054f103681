"""Matchmaking benchmark: form every 3v3 lobby from a queue of 1,000 players of one skill group.

    uv run python bench/matchmaking.py [--players 1000] [--runs 9] [--seed 11]

Each player has a hidden skill drawn from N(25, 4^2) and a rating derived from it the way a
season of games leaves it: mu = hidden skill + N(0, 1.5^2) estimation error, sigma uniform in
[1.5, 4], and joined the queue at a uniform moment of the last 30 minutes.

Timed: one :func:`form_lobbies` call over the whole queue (every lobby anchored on the longest
waiter, filled by nearest skill, split exhaustively by :func:`split_teams`); the median of
``--runs`` runs after one warm-up.

Compared, on the same queue: the original platform's random filling (consecutive queue order,
six at a time, a random 3/3 split). For both, the mean absolute deviation from 1/2 of the
predicted home win probability (openskill's ``predict_win`` through ``win_probability``, on the
ratings) is printed, with, for context, the same figure on the hidden skills (how fair the games
really are) and the mean mu spread inside a lobby. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time
from collections.abc import Sequence

from sprocket.ratings.balance import Entrant, form_lobbies
from sprocket.ratings.skill import MODEL, Skill, win_probability

TEAM_SIZE = 3
TARGET_FORM_MS, TARGET_DEV, TARGET_RATIO = 50.0, 0.03, 5.0
_phi = statistics.NormalDist().cdf


def make_queue(n: int, seed: int) -> tuple[list[Entrant[int]], dict[int, float]]:
    rng = random.Random(seed)
    queue: list[Entrant[int]] = []
    hidden: dict[int, float] = {}
    for key in range(n):
        hidden[key] = rng.gauss(25.0, 4.0)
        skill = Skill(
            hidden[key] + rng.gauss(0.0, 1.5), rng.uniform(1.5, 4.0), rng.randint(10, 200)
        )
        queue.append(Entrant(key, skill, wait_since=rng.uniform(0.0, 1800.0)))
    return queue, hidden


def random_fill(queue: Sequence[Entrant[int]], rng: random.Random) -> list[tuple[list, list]]:
    """The original behaviour: consecutive queue order, a random split of each six."""
    waiting = sorted(queue, key=lambda p: p.wait_since)
    lobbies = []
    for start in range(0, len(waiting) - 2 * TEAM_SIZE + 1, 2 * TEAM_SIZE):
        lobby = waiting[start : start + 2 * TEAM_SIZE]
        rng.shuffle(lobby)
        lobbies.append((lobby[:TEAM_SIZE], lobby[TEAM_SIZE:]))
    return lobbies


def deviations(
    teams: list[tuple[Sequence[Entrant[int]], Sequence[Entrant[int]]]], hidden: dict[int, float]
) -> tuple[float, float, float]:
    """(mean |P - 1/2| on the ratings, the same on the hidden skills, mean mu spread)."""
    rated, true, spread = [], [], []
    true_scale = math.sqrt(2 * TEAM_SIZE) * MODEL.beta  # every player performs N(skill, beta^2)
    for home, away in teams:
        rated.append(abs(win_probability([p.skill for p in home], [p.skill for p in away]) - 0.5))
        gap = sum(hidden[p.key] for p in home) - sum(hidden[p.key] for p in away)
        true.append(abs(_phi(gap / true_scale) - 0.5))
        mus = [p.skill.mu for p in (*home, *away)]
        spread.append(max(mus) - min(mus))
    return statistics.fmean(rated), statistics.fmean(true), statistics.fmean(spread)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    queue, hidden = make_queue(args.players, args.seed)
    lobbies = form_lobbies(queue, team_size=TEAM_SIZE)  # warm-up
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        lobbies = form_lobbies(queue, team_size=TEAM_SIZE)
        times.append((time.perf_counter() - started) * 1000)
    form_ms = statistics.median(times)

    oldest = min(queue, key=lambda p: p.wait_since)
    assert oldest in lobbies[0].players, "the longest waiter must be in the first lobby"
    balanced = deviations([(lb.split.home, lb.split.away) for lb in lobbies], hidden)
    randomly = deviations(random_fill(queue, random.Random(args.seed)), hidden)

    print(
        f"{args.players:,} queued players, {TEAM_SIZE}v{TEAM_SIZE}: {len(lobbies)} lobbies, "
        f"{args.players - len(lobbies) * 2 * TEAM_SIZE} left waiting"
    )
    print(
        f"form all lobbies: {form_ms:.1f} ms median of {args.runs} "
        f"(min {min(times):.1f}, max {max(times):.1f}; target < {TARGET_FORM_MS:.0f} ms)"
    )
    print("mean |P(home wins) - 0.5|     on ratings   on hidden skills   mean mu spread in lobby")
    print(
        f"  balanced (ours)            {balanced[0]:.4f}       {balanced[1]:.4f}"
        f"             {balanced[2]:.2f}"
    )
    print(
        f"  random filling (original)  {randomly[0]:.4f}       {randomly[1]:.4f}"
        f"             {randomly[2]:.2f}"
    )
    ratio = randomly[0] / balanced[0] if balanced[0] else math.inf
    print(
        f"balanced deviation {balanced[0]:.4f} (target < {TARGET_DEV}), "
        f"{ratio:.1f}x smaller than random (target > {TARGET_RATIO:.0f}x)"
    )
    print(
        json.dumps(
            {
                "players": args.players,
                "form_ms": round(form_ms, 2),
                "balanced_mean_abs_dev": round(balanced[0], 5),
                "random_mean_abs_dev": round(randomly[0], 5),
            }
        )
    )


if __name__ == "__main__":
    main()
