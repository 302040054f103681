"""Words for people: counts agree with their nouns wherever a sentence shows one."""

from __future__ import annotations

from sprocket.replays.validation import Problem, Report
from sprocket.text import plural, size_text


def test_plural() -> None:
    assert plural(1, "problem") == "1 problem"
    assert plural(0, "problem") == "0 problems"
    assert plural(3, "match", "matches") == "3 matches"
    assert plural(1, "match", "matches") == "1 match"
    assert plural(12_000, "alias", "aliases") == "12,000 aliases"


def test_size_text() -> None:
    assert size_text(4096) == "4,096 bytes"
    assert size_text(20 * 1024 * 1024) == "20 MB"
    assert size_text(1536 * 1024) == "1.5 MB"


def test_a_report_counts_the_problems_it_leaves_out() -> None:
    def report(count: int) -> Report:
        problems = tuple(Problem("X", f"problem {n}", 1) for n in range(count))
        return Report((), problems, ())

    assert report(6).summary().endswith("; and 1 more problem.")
    assert report(8).summary().endswith("; and 3 more problems.")
    assert report(5).summary() == "; ".join(f"problem {n}" for n in range(5))
