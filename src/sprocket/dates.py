"""Dates for people: an organization's time zone, and the one way to write a moment in it.

Moments are stored and compared in UTC everywhere; only sentences for people (validation
reports, errors that show dates, pages) turn them into an organization's local time, through
:func:`for_people`. Zones are IANA names ("Europe/London", "America/New_York") read from the
system's time zone database by :mod:`zoneinfo`.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from sprocket.errors import CommonCode, InvalidInput

DEFAULT_ZONE = "UTC"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.cache
def _known_zones() -> frozenset[str]:
    """The zones of the system's database, without the host's own "localtime" and the
    placeholder "Factory", which name no place."""
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory"}


def time_zone(name: str) -> dt.tzinfo:
    """The IANA time zone called ``name``.

    Raises InvalidInput ``INVALID_TIME_ZONE`` for a name the time zone database does not list
    (a bad spelling, an offset such as "+02:00", a path, "localtime").
    """
    if name == DEFAULT_ZONE:
        return dt.UTC
    try:
        if name not in _known_zones():
            raise zoneinfo.ZoneInfoNotFoundError(name)
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            f"'{name[:64]}' is not a time zone; use an IANA name such as Europe/London, "
            "America/New_York or UTC.",
            code=CommonCode.INVALID_TIME_ZONE,
        ) from None


def zone_name(name: str) -> str:
    """``name`` without surrounding spaces, checked by :func:`time_zone` (same errors)."""
    name = name.strip()
    time_zone(name)
    return name


def day_for_people(day: dt.date, *, year: bool = True) -> str:
    """The day ``day`` as people read it: "24 Nov 2025" (``year=False``: "24 Nov"). A day is
    no moment, so no zone applies: :func:`for_people` writes a moment's day in its zone."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def for_people(moment: dt.datetime, zone: str, *, time: bool = True, year: bool = True) -> str:
    """``moment`` (timezone-aware) as people of an organization in ``zone`` read it.

    "24 Nov 2025 19:00 CET" by default; ``time=False`` drops the time and the zone's
    abbreviation ("24 Nov 2025"), ``year=False`` drops the year ("24 Nov 19:00 CET",
    "24 Nov"): for sentences whose dates all fall in one season.
    """
    local = moment.astimezone(time_zone(zone))
    # Not strftime: it costs several times the rest (a page writes a thousand moments).
    text = day_for_people(local, year=year)
    return f"{text} {local.hour:02d}:{local.minute:02d} {local.tzname()}" if time else text
