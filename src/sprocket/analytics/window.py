"""The days a league health report covers, in the viewer's time zone, and how a moment falls
into one of its days or weeks (pure: no session).

A report covers whole local days, from ``first`` to ``last`` inclusive: from local midnight
at the start of ``first`` to local midnight at the end of ``last`` (so a day of a daylight
saving change is 23 or 25 hours long). Weeks start on Monday; a weekly row is named by its
Monday and counts only the days of the week inside the range (the first and last weeks may
be partial).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sprocket.dates import time_zone
from sprocket.errors import CommonCode, InvalidInput
from sprocket.league.errors import LeagueCode

#: Weeks a report covers when no first day is given: this week and the eleven before.
DEFAULT_WEEKS = 12
#: The longest range a report covers, in days (a year, with a leap day).
MAX_DAYS = 366
#: The names of the range form's fields, which an error names in its details.
FIELDS = {"first": "from", "last": "to", "zone": "tz"}


@dataclass(frozen=True)
class Window:
    """Local days ``first`` to ``last`` (inclusive) in the time zone ``zone`` (IANA)."""

    first: dt.date
    last: dt.date
    zone: str

    @property
    def tz(self) -> dt.tzinfo:
        return time_zone(self.zone)

    def _midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=self.tz).astimezone(dt.UTC)

    @property
    def start(self) -> dt.datetime:
        """The range's first moment (UTC): local midnight starting ``first``."""
        return self._midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The moment the range ends (UTC, excluded): local midnight ending ``last``."""
        return self._midnight(self.last + dt.timedelta(days=1))

    def days(self) -> list[dt.date]:
        """Every day of the range, in order."""
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def weeks(self) -> list[dt.date]:
        """The Monday of every week the range touches, in order."""
        monday = week_of(self.first)
        return [monday + dt.timedelta(weeks=n) for n in range((self.last - monday).days // 7 + 1)]

    def day_of(self, moment: dt.datetime) -> dt.date:
        """The local day ``moment`` (timezone-aware) falls on."""
        return moment.astimezone(self.tz).date()

    def week_of(self, moment: dt.datetime) -> dt.date:
        """The Monday of the local week ``moment`` (timezone-aware) falls in."""
        return week_of(self.day_of(moment))


def week_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def _invalid(message: str, field: str, code: CommonCode | LeagueCode) -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": FIELDS[field]})


def _day(value: dt.date | str | None, field: str, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _invalid(
            f"The {what} must be a date (YYYY-MM-DD).", field, CommonCode.INVALID_INPUT
        ) from None


def report_window(
    *,
    first: dt.date | str | None,
    last: dt.date | str | None,
    zone: str,
    now: dt.datetime,
) -> Window:
    """The range a report covers. ``first``, ``last``: days (or their YYYY-MM-DD text, as a
    form sends them; blank or None: the default), ``zone``: an IANA time zone name,
    ``now``: the current moment (timezone-aware). By default the range ends today (``now``'s
    day in ``zone``) and starts on the Monday :data:`DEFAULT_WEEKS` - 1 weeks before the
    week of its last day.

    Every error names its form field in ``details`` (``{"field": "from" | "to" | "tz"}``).
    Raises INVALID_TIME_ZONE (``zone`` is no IANA name), INVALID_INPUT (a day that is no
    date, a range over :data:`MAX_DAYS` days), INVALID_DATES (``last`` before ``first``).
    """
    try:
        today = now.astimezone(time_zone(zone)).date()
    except InvalidInput as error:
        raise _invalid(error.message, "zone", CommonCode.INVALID_TIME_ZONE) from None
    first_day = _day(first, "first", "first day")
    given_last = _day(last, "last", "last day")
    last_day = given_last or today
    if first_day is None:
        first_day = week_of(last_day) - dt.timedelta(weeks=DEFAULT_WEEKS - 1)
    if last_day < first_day:
        raise _invalid(
            f"The last day ({last_day.isoformat()}) comes before the first "
            f"({first_day.isoformat()}).",
            "last" if given_last else "first",
            LeagueCode.INVALID_DATES,
        )
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise _invalid(
            f"A report covers at most {MAX_DAYS} days; choose a later first day.",
            "first",
            CommonCode.INVALID_INPUT,
        )
    return Window(first_day, last_day, zone)


def median(values: Sequence[float]) -> float | None:
    """The median of ``values`` (the mean of the middle two for an even count); None for
    no values."""
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest of ``values`` that at least ``share``
    (0 to 1, e.g. 0.9) of them do not exceed; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]
