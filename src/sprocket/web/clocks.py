"""How every page writes dates and times: through a :class:`Clock`, which writes them the
one way people read them anywhere (:mod:`sprocket.dates`: pages, Discord, error sentences).

Two forms only. A moment (a match window, a season's start, a submission, a notification, a
token's expiry: anything stored as a moment) is written with its time and zone, "24 Nov 2025
19:00 CET" (``when(moment)``); a day is written "24 Nov 2025" (``when.date(day)``): the
league health's days, which are no moments, and the day of a moment where a list wants the
day alone (a player's latest games), which is its day in the clock's zone.
Templates call the clock a page hands them (``when``, or one per organization) and never
format a moment themselves; a ``<time datetime>`` attribute keeps the ISO form, for machines.

A moment is written in its viewer's time zone. A signed-in person may choose a zone of their
own (on their settings page: ``users.time_zone``); every clock of the pages they are shown
then writes in it (:data:`viewer_zone`, set for the request by the page route, as a locale
would be). Otherwise a moment of an organization is written in that organization's zone, a
person's own times (their tokens, their sessions) in the zone of the organization they
belong to (:func:`sprocket.league.service.person_zone`). Spectators, whose pages are shared
(and cached), always read the organization's zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.dates import day_for_people, for_people, time_zone
from sprocket.league import service as league

#: The zone the signed-in viewer of the page being made chose (an IANA name), or None: set
#: by the page route for each request (:func:`sprocket.web.pages.know_viewer`).
viewer_zone: ContextVar[str | None] = ContextVar("viewer_zone", default=None)


@dataclass(frozen=True)
class Clock:
    """Writes moments and days for people in the time zone ``zone`` (an IANA name), or in
    the zone the page's viewer chose (:data:`viewer_zone`) when they chose one."""

    zone: str

    @property
    def reading_zone(self) -> str:
        """The zone moments are written in: the viewer's choice, else :attr:`zone`."""
        return viewer_zone.get() or self.zone

    def __call__(self, moment: dt.datetime) -> str:
        """``moment`` (timezone-aware) with its time: "24 Nov 2025 19:00 CET"."""
        return for_people(moment, self.reading_zone)

    def date(self, day: dt.date) -> str:
        """The day ``day`` ("24 Nov 2025"); for a moment (timezone-aware), its day in the
        clock's zone."""
        if isinstance(day, dt.datetime):
            day = day.astimezone(time_zone(self.reading_zone))
        return day_for_people(day)


def when(zone: str) -> Clock:
    """The clock of the time zone ``zone`` (an IANA name)."""
    return Clock(zone)


async def clocks(session: AsyncSession, organization_ids: Iterable[int]) -> dict[int, Clock]:
    """A clock for each of the organizations ``organization_ids``, in its zone, by id
    (for a page showing moments of several organizations). One statement."""
    zones = await league.organization_zones(session, set(organization_ids))
    return {org: Clock(zone) for org, zone in zones.items()}
