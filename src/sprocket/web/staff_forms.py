"""What the staff's action forms share (submissions, scrims, people): post, act through a
service in one unit of work, then redirect with a notice, or show the page again with the
typed error beside the field of the form that failed (and nothing changed: the unit of work
rolled back)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from sprocket.db import MAX_ID
from sprocket.errors import Conflict, InvalidInput, NotFound
from sprocket.league import service as league
from sprocket.league.models import Organization
from sprocket.runtime import Runtime
from sprocket.web.forms import field_of, read_form, see_other
from sprocket.web.pages import status_of

#: What a staff page shows when no form failed (a failed post gives its own values).
NO_FAILURE: dict[str, object] = {"error": None, "field": None, "form": {}, "failed": None}

#: A staff action: the posted form -> the notice saying what happened.
Action = Callable[[AsyncSession, dict[str, str]], Awaitable[str]]
#: Shows a staff page again; keyword arguments: status, error, field, form, failed.
Show = Callable[..., Awaitable[Response]]


async def staff_form(
    request: Request, runtime: Runtime, *, act: Action, done: str, show: Show, failed: str
) -> Response:
    """Run ``act`` on the posted form in a unit of work and redirect (303) to ``done`` with
    its notice; on InvalidInput or Conflict, ``show`` the page again with the error, the
    field it concerns, the posted values and ``failed`` (which form of the page failed, e.g.
    "invalidate", "cancel-12"). Other typed errors (refused, unknown id) become error pages."""
    form = await read_form(request)
    try:
        async with runtime.unit_of_work() as session:
            notice = await act(session, form)
    except (InvalidInput, Conflict) as error:
        return await show(
            status=status_of(error), error=error, field=field_of(error), form=form, failed=failed
        )
    return see_other(request, done, notice)


def chosen_id(value: str | None) -> int | None:
    """The id a form's field holds, or None when it holds none (the service then says what
    is missing, after checking who may act)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    return int(text) if int(text) <= MAX_ID else None


async def organization_of(session: AsyncSession, organization_id: int) -> Organization:
    """The organization a staff page is for (after the page's service checked who may see
    it). Raises NOT_FOUND."""
    org = await league.find_organization(session, organization_id=organization_id)
    if org is None:
        raise NotFound("There is no such organization.")
    return org
