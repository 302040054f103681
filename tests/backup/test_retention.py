"""The retention rule (pure): the newest backup of each of the last hours, days and weeks."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sprocket.backup.retention import kept

START = dt.datetime(2025, 6, 2, 0, 30, tzinfo=dt.UTC)  # a Monday


def hourly_for(days: int) -> list[tuple[str, dt.datetime]]:
    """A backup every hour at half past, for ``days`` days from START."""
    return [(f"b{n:04d}", START + dt.timedelta(hours=n)) for n in range(days * 24)]


def test_three_weeks_of_hourly_backups_keep_the_right_ones() -> None:
    backups = hourly_for(21)  # 2 June to 22 June 2025, 00:30 to 23:30
    moments = dict(backups)
    keep = kept(backups, hourly=24, daily=7, weekly=4)
    times = sorted(moments[k] for k in keep)
    last = backups[-1][1]
    # The last 24 hours, each hour's one.
    last_day = [m for m in times if m > last - dt.timedelta(hours=24)]
    assert len(last_day) == 24
    # The newest of each of the last 7 days: 23:30 of 16 to 22 June.
    evenings = {m.date() for m in times if m.hour == 23}
    assert {dt.date(2025, 6, d) for d in range(16, 23)} <= evenings
    # The newest of each ISO week: Sundays 8, 15, 22 June at 23:30 (only 3 weeks exist).
    assert {dt.date(2025, 6, 8), dt.date(2025, 6, 15)} <= evenings
    # 22 June whole (24), the evenings of 16 to 21 June (6), Sundays 8 and 15 June (2).
    assert len(keep) == 24 + 6 + 2
    assert dt.date(2025, 6, 9) not in {m.date() for m in times}  # a plain Monday went


def test_nothing_to_keep_and_zero_counts_still_keep_the_newest() -> None:
    assert kept([], hourly=1, daily=1, weekly=1) == set()
    backups = hourly_for(2)
    assert kept(backups, hourly=0, daily=0, weekly=0) == {backups[-1][0]}


def test_order_of_the_input_does_not_matter() -> None:
    backups = hourly_for(9)
    assert kept(backups, hourly=5, daily=3, weekly=2) == kept(
        list(reversed(backups)), hourly=5, daily=3, weekly=2
    )


moments = st.lists(
    st.datetimes(
        min_value=dt.datetime(2024, 1, 1),
        max_value=dt.datetime(2026, 1, 1),
        timezones=st.just(dt.UTC),
    ),
    min_size=1,
    max_size=60,
    unique=True,
)
counts = st.integers(min_value=0, max_value=10)


@given(moments, counts, counts, counts)
def test_the_rule_keeps_the_newest_at_most_its_counts_and_is_stable(
    times: list[dt.datetime], hourly: int, daily: int, weekly: int
) -> None:
    backups = [(f"b{n}", moment) for n, moment in enumerate(times)]
    keep = kept(backups, hourly=hourly, daily=daily, weekly=weekly)
    newest = max(backups, key=lambda item: item[1])[0]
    assert newest in keep
    assert len(keep) <= hourly + daily + weekly + 1
    # Pruning again keeps what was kept: a second prune deletes nothing more.
    again = [item for item in backups if item[0] in keep]
    assert kept(again, hourly=hourly, daily=daily, weekly=weekly) == keep
