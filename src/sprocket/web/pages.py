"""What every page shares: the templates, the viewer, the error pages and the paths the web
door answers (everything but the API's and the operators' routes)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from sprocket.errors import (
    CommonCode,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from sprocket.http.auth import caller_of
from sprocket.http.sessions import SESSION_ENDED_KEY
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.notifications import inbox
from sprocket.web.clocks import viewer_zone
from sprocket.web.forms import NOTICE_COOKIE, notices_of
from sprocket.web.params import local_path

#: Paths that are not pages: the API, file downloads, the schema, static files and the
#: operators' probes. They keep their JSON answers (errors too); every other path is the
#: web door's.
NOT_PAGES = frozenset({"/graphql", "/schema.graphql", "/healthz", "/readyz", "/metrics"})
NOT_PAGES_UNDER = ("/graphql/", "/replays/", "/static/", "/discord/")
#: Where a page's handler finds the viewer's unread notifications, counted before it runs.
UNREAD_KEY = "sprocket.unread"

#: The HTTP status each kind of domain error is answered with on a page (else 400).
ERROR_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (Unauthenticated, 401),
    (Conflict, 409),
    (InvalidInput, 400),
)

templates = Environment(
    loader=PackageLoader("sprocket.web", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def is_page(path: str) -> bool:
    """Whether ``path`` belongs to the web door (not to /graphql, downloads, probes...)."""
    return path not in NOT_PAGES and not path.startswith(NOT_PAGES_UNDER)


def wants_html(request: Request) -> bool:
    """Whether the client reads pages (a browser says so in ``Accept``)."""
    return "text/html" in request.headers.get("accept", "")


def viewer(request: Request) -> Actor:
    """Who is looking: the caller the authentication guard resolved (the web session's
    user, or a Bearer token's), else the spectator."""
    return caller_of(request.scope)


def signed_in_viewer(request: Request, doing: str) -> Actor:
    """The signed-in viewer; raises UNAUTHENTICATED ("Sign in to ``doing``.") for a
    spectator, before anything is read."""
    who = viewer(request)
    if not who.authenticated:
        raise Unauthenticated(f"Sign in to {doing}.")
    return who


def csrf_token(request: Request) -> str:
    """The CSRF token every form of the page carries (the CSRF guard's double-submit
    cookie); empty where no guard runs."""
    make: Callable[[], str] | None = request.scope.get("csrftoken")
    return make() if make is not None else ""


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """The page ``template`` with ``values``, the viewer and the CSRF token for its forms."""
    who = viewer(request)
    notices = notices_of(request)
    notice = notices.read(request) if notices is not None else None
    page = templates.get_template(template).render(
        request=request,
        viewer=who,
        session_ended=request.scope.get(SESSION_ENDED_KEY),
        csrf=lambda: csrf_token(request),
        notice=notice,
        unread=request.scope.get(UNREAD_KEY, 0),
        **values,
    )
    # A signed-in person's page is theirs alone: no shared cache keeps it.
    headers = {"Cache-Control": "private, no-store"} if who.authenticated else None
    response = HTMLResponse(page, status_code=status, headers=headers)
    if notice is not None:
        response.delete_cookie(NOTICE_COOKIE)
    return response


def status_of(error: DomainError) -> int:
    """The HTTP status a page answers ``error`` with (:data:`ERROR_STATUS`, else 400)."""
    return next((code for kind, code in ERROR_STATUS if isinstance(error, kind)), 400)


def error_page(request: Request, error: DomainError, status: int | None = None) -> HTMLResponse:
    """A page answering a typed error: its sentence, its code, and the status of its kind."""
    if status is None:
        status = status_of(error)
    return render(request, "error.html", status=status, error=error, status_code=status)


def not_found_page(request: Request) -> HTMLResponse:
    """The 404 page of an address that names no page."""
    return error_page(
        request, DomainError("There is no such page.", code=CommonCode.NOT_FOUND), 404
    )


async def know_viewer(request: Request) -> None:
    """What a signed-in viewer's pages need of them, read once per request: the time zone
    they chose (:data:`sprocket.web.clocks.viewer_zone`, for every clock of the request)
    and their unread notifications for the header (:data:`UNREAD_KEY`; a refused form's
    page shows the header too). Nothing for the spectator, whose pages are shared."""
    who = viewer(request)
    runtime = getattr(request.app.state, "runtime", None)
    if not who.authenticated or runtime is None:
        return
    async with runtime.reading() as session:
        viewer_zone.set(await identity.chosen_time_zone(session, actor=who))
        request.scope[UNREAD_KEY] = await inbox.unread_count(session, actor=who)


class Moved(Exception):
    """A page asked for at an old address: its route answers 308 to ``location`` (moved for
    good, the method kept, so an old form's post arrives too)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def sends_to_sign_in(request: Request, error: DomainError) -> bool:
    """Whether ``error`` is better answered by the sign-in page than by an error page: a
    spectator's browser opening (GET) a page that needs a signed-in viewer. A form's post,
    a signed-in viewer without the right (403), and a client that does not read pages (an
    event stream, an image, a script's request: no ``text/html`` in ``Accept``) keep the
    error's status."""
    return (
        isinstance(error, Unauthenticated)
        and request.method == "GET"
        and not viewer(request).authenticated
        and wants_html(request)
    )


def sign_in_first(request: Request) -> RedirectResponse:
    """A 303 to the sign-in (the app's ``state.sign_in``:
    :func:`sprocket.web.auth.sign_in_start`) whose ``next`` is the address asked for (path and
    query), where the sign-in ends; an address that is not this site's
    (:func:`~sprocket.web.params.local_path`) ends on the home page."""
    start = getattr(request.app.state, "sign_in", "/sign-in")
    asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    back = local_path(asked)
    return RedirectResponse(
        start if back == "/" else f"{start}?{urlencode({'next': back})}", status_code=303
    )


class WebRoute(APIRoute):
    """A page's route: a typed error its handler raises becomes an error page with the
    error's sentence (never a trace), or, for a spectator opening a page that needs a
    signed-in viewer, a redirect through the sign-in and back (:func:`sends_to_sign_in`);
    a page asked for at an old address (:class:`Moved`) moves for good."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            zone = viewer_zone.set(None)
            try:
                await know_viewer(request)
                return await handler(request)
            except Moved as moved:
                return RedirectResponse(moved.location, status_code=308)
            except DomainError as error:
                if sends_to_sign_in(request, error):
                    return sign_in_first(request)
                return error_page(request, error)
            finally:
                viewer_zone.reset(zone)

        return page
