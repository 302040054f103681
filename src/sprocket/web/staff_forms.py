"""What the staff's pages share: post, pass the staff gate (:func:`staff_organization`),
act through a service in one unit of work, then redirect with a notice, or show the page
again with the typed error beside the field of the form that failed (and nothing changed:
the unit of work rolled back). :func:`attempt` runs every staff form; the values are read
with the field each error belongs beside (:func:`whole`, :func:`moment`...).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.dates import time_zone
from sprocket.db import MAX_ID
from sprocket.errors import Conflict, DomainError, InvalidInput, NotFound
from sprocket.identity.access import Actor
from sprocket.league import access
from sprocket.league import service as league
from sprocket.league.models import Organization
from sprocket.runtime import Runtime
from sprocket.web.forms import Fields, beside, field_for, read_form, see_other
from sprocket.web.pages import Moved, status_of, viewer

#: What a staff page shows when no form failed (a failed post gives its own values).
NO_FAILURE: dict[str, object] = {"error": None, "field": None, "form": {}, "failed": None}


def chosen_id(value: str | None) -> int | None:
    """The id a form's field holds, or None when it holds none (the service then says what
    is missing, after checking who may act)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    return int(text) if int(text) <= MAX_ID else None


async def organization_in_path(runtime: Runtime, request: Request, slug: str) -> int:
    """The id of the organization whose slug a staff page's address holds
    (``/staff/{slug}/...``). An address naming it otherwise (its old number,
    ``/staff/1/...``, or its slug in capitals) raises :class:`~sprocket.web.pages.Moved`
    to the same address with the slug (a 308: bookmarks and old forms keep working); a slug
    that is also a number is the organization of that slug. Raises NOT_FOUND for an
    address naming no organization, before asking who may see it."""
    async with runtime.reading() as session:
        org = await league.find_organization(session, slug=slug)
        if org is None and slug.isascii() and slug.isdigit() and 0 < int(slug) <= MAX_ID:
            org = await league.find_organization(session, organization_id=int(slug))
    if org is None:
        raise NotFound(f"There is no organization {slug[:40]!r}.")
    if slug != org.slug:
        prefix = f"/staff/{slug}"
        rest = request.url.path[len(prefix) :]
        query = f"?{request.url.query}" if request.url.query else ""
        raise Moved(f"/staff/{org.slug}{rest}{query}")
    return org.id


async def organization_of(session: AsyncSession, organization_id: int) -> Organization:
    """The organization a staff page is for (after the page's service checked who may see
    it). Raises NOT_FOUND."""
    org = await league.find_organization(session, organization_id=organization_id)
    if org is None:
        raise NotFound("There is no such organization.")
    return org


# -- the league staff's forms of configuration, league structure and schedules ------------

Form = Mapping[str, str]


async def staff_organization(
    session: AsyncSession, who: Actor, organization_id: int
) -> Organization:
    """The organization whose league staff pages (configuration, league structure,
    schedules) ``who`` opens: its admins' and its league staff's only, by the league's
    access rules (as the staff hub), before any value of the page is read. Raises
    UNAUTHENTICATED, PERMISSION_DENIED, then NOT_FOUND."""
    await access.require_staff_anywhere(session, who, organization_id, "open the staff pages")
    return await organization_of(session, organization_id)


def text(form: Form, name: str) -> str:
    """The text of field ``name`` (empty when absent)."""
    return form.get(name, "")


def whole(form: Form, name: str, what: str, *, minimum: int | None = None) -> int | None:
    """The whole number in field ``name`` (None when empty); ``what`` names it in the error.
    Raises INVALID_INPUT beside the field (not a whole number, below ``minimum``)."""
    raw = form.get(name, "")
    if not raw:
        return None
    if not raw.lstrip("-").isdigit() or len(raw) > 12:
        raise beside(name, f"The {what} must be a whole number.")
    value = int(raw)
    if minimum is not None and value < minimum:
        raise beside(name, f"The {what} must be at least {minimum}.")
    return value


def choice(form: Form, name: str, what: str) -> int | None:
    """The id chosen in the select ``name`` (None: none chosen). Raises INVALID_INPUT beside
    the field for a value that is no id."""
    return whole(form, name, what, minimum=1)


def amount(form: Form, name: str, what: str) -> float | None:
    """The number (a salary, a cap) in field ``name`` (None when empty). Raises INVALID_INPUT
    beside the field when it is no finite number."""
    raw = form.get(name, "").replace(",", "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise beside(name, f"The {what} must be a number, such as 250 or 12.5.") from None
    if not math.isfinite(value):
        raise beside(name, f"The {what} must be a number, such as 250 or 12.5.")
    return value


def moment(form: Form, name: str, what: str, zone: str) -> dt.datetime | None:
    """The moment in field ``name`` (a date and time, ``YYYY-MM-DDTHH:MM`` as a browser's
    date-time field sends it, read in the organization's ``zone``), in UTC; None when empty.
    Raises INVALID_INPUT beside the field."""
    raw = form.get(name, "")
    if not raw:
        return None
    try:
        local = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise beside(
            name, f"The {what} must be a date and time, such as 2026-01-05 19:00."
        ) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=time_zone(zone))
    return local.astimezone(dt.UTC)


def local_input(value: dt.datetime | None, zone: str) -> str:
    """``value`` as a date-time field shows it in the organization's ``zone`` (empty: none)."""
    if value is None:
        return ""
    return value.astimezone(time_zone(zone)).strftime("%Y-%m-%dT%H:%M")


class Again(Protocol):
    """A page shown again after a refused form: the error, the field it belongs beside, what
    was posted, which of the page's forms failed, and the status."""

    def __call__(
        self, *, error: DomainError, field: str | None, form: Form, failed: str, status: int
    ) -> Awaitable[Response]: ...


def name_or_code(name: str, code: str) -> Callable[[DomainError], str]:
    """For INVALID_NAME, which both a thing's name and its short code raise: the ``code``
    field when the sentence speaks of the code, else the ``name`` field."""
    return lambda error: code if " code " in error.message else name


#: A form's work: given the session, the viewer and the posted values, act through the
#: services and say where to go next and what happened (the notice).
Work = Callable[[AsyncSession, Actor, Form], Awaitable[tuple[str, str]]]


async def attempt(
    runtime: Runtime,
    request: Request,
    organization_id: int,
    work: Work,
    *,
    again: Again,
    failed: str,
    fields: Fields | None = None,
) -> Response:
    """Post/redirect/get for the page's form ``failed``: in one unit of work, pass the staff
    gate, then ``work``; on success redirect (303) with its notice. A refused value
    (InvalidInput, Conflict) rolls everything back and shows the page again with the error
    beside its field (:func:`field_for`). Who may not act (401, 403) or an id that names
    nothing (404) gets the error page."""
    form = await read_form(request)
    who = viewer(request)
    try:
        async with runtime.unit_of_work() as session:
            await staff_organization(session, who, organization_id)
            url, notice = await work(session, who, form)
    except (InvalidInput, Conflict) as error:
        return await again(
            error=error,
            field=field_for(error, fields),
            form=form,
            failed=failed,
            status=status_of(error),
        )
    return see_other(request, url, notice)


#: A staff action that always leads back to the same page: the posted form -> the notice.
Action = Callable[[AsyncSession, Form], Awaitable[str]]


async def staff_form(
    request: Request,
    runtime: Runtime,
    organization_id: int,
    *,
    act: Action,
    done: str,
    show: Again,
    failed: str,
) -> Response:
    """:func:`attempt` for the action forms (submissions, scrims, people) that lead back to
    ``done`` whatever they did: ``act`` says only what happened."""

    async def work(session: AsyncSession, _who: Actor, form: Form) -> tuple[str, str]:
        return done, await act(session, form)

    return await attempt(runtime, request, organization_id, work, again=show, failed=failed)
