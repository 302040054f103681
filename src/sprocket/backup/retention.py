"""Which backups to keep (pure): the newest of each of the last hours, days and weeks.

The rule is the one restic's ``forget --keep-hourly/--keep-daily/--keep-weekly`` documents:
for each of the last ``n`` hours (UTC days, ISO weeks) that hold a backup, keep that period's
newest; a backup kept by any rule stays. The newest backup always stays, whatever the
settings, so a prune can never leave the location without one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable


def _hour(moment: dt.datetime) -> Hashable:
    return (moment.date(), moment.hour)


def _day(moment: dt.datetime) -> Hashable:
    return moment.date()


def _week(moment: dt.datetime) -> Hashable:
    iso = moment.isocalendar()
    return (iso.year, iso.week)


def kept(
    backups: Iterable[tuple[str, dt.datetime]], *, hourly: int, daily: int, weekly: int
) -> set[str]:
    """The ids to keep among ``backups`` ((id, started at, UTC) pairs, in any order):
    the newest of each of the ``hourly`` most recent hours holding one, of the ``daily``
    most recent days, and of the ``weekly`` most recent ISO weeks, and the newest of all."""
    newest_first = sorted(backups, key=lambda item: (item[1], item[0]), reverse=True)
    keep = {newest_first[0][0]} if newest_first else set()
    rules: tuple[tuple[int, Callable[[dt.datetime], Hashable]], ...] = (
        (hourly, _hour),
        (daily, _day),
        (weekly, _week),
    )
    for count, period in rules:
        seen: set[Hashable] = set()
        for backup_id, moment in newest_first:
            bucket = period(moment.astimezone(dt.UTC))
            if bucket in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(bucket)
            keep.add(backup_id)
    return keep
