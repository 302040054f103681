"""Uploading a series' replays: ``/matches/{id}/submit`` and ``/scrims/{id}/submit``.

The page's form posts the files as ``multipart/form-data`` (the CSRF token first: the guard
reads it before any file) to the address it came from; it works without JavaScript, and our
small ``/static/upload.js`` shows the upload's progress where scripts run. The same services
as GraphQL's ``submitReplays`` and ``submitScrimReplays`` take the files and decide who may
submit; the request's size is bounded by :class:`sprocket.http.body.BodyLimit` (these pages
are among its upload paths: :class:`UploadPaths`), each file by the replay limit.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from sprocket.errors import Conflict, DomainError, InvalidInput
from sprocket.flows import match_results, scrim_results
from sprocket.league import service as league
from sprocket.replays import service as replays
from sprocket.replays.errors import ReplayCode
from sprocket.replays.parser import ReplayError
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.scrims import service as scrims
from sprocket.text import size_text
from sprocket.web.clocks import when
from sprocket.web.forms import see_other
from sprocket.web.pages import WebRoute, render, signed_in_viewer, status_of
from sprocket.web.params import path_id

#: The form's file field.
FILES_FIELD = "replays"
#: The upload pages, as :class:`UploadPaths` recognizes them.
UPLOAD_PAGE = re.compile(r"/(?:matches|scrims)/[0-9]{1,18}/submit")


class UploadPaths:
    """The paths that take replay files (``BodyLimit``'s ``upload_paths``): GraphQL's
    ``/graphql`` and the web door's upload pages."""

    def __contains__(self, path: object) -> bool:
        return path == "/graphql" or (
            isinstance(path, str) and UPLOAD_PAGE.fullmatch(path) is not None
        )


async def read_files(request: Request, max_size: int) -> list[replays.Upload]:
    """The posted replay files, in the order chosen; each read to at most ``max_size`` + 1
    bytes. Raises InvalidInput ``NO_FILES`` (nothing chosen: a browser sends one empty,
    unnamed part), ReplayError ``REPLAY_TOO_LARGE`` (a file over ``max_size`` bytes); both
    name the field (``details``)."""
    form = await request.form(max_files=replays.MAX_FILES * 2)
    uploads = []
    chosen = [
        part
        for part in form.getlist(FILES_FIELD)
        if isinstance(part, UploadFile) and (part.filename or part.size)
    ]
    for number, part in enumerate(chosen, start=1):
        data = await part.read(max_size + 1)
        if len(data) > max_size:
            raise ReplayError(
                f"Replay {number} ({part.filename}) is larger than the {size_text(max_size)} "
                "limit for a replay.",
                code=ReplayCode.REPLAY_TOO_LARGE,
                details={"field": FILES_FIELD, "max_size": max_size},
            )
        uploads.append(replays.Upload(part.filename or "", data))
    if not uploads:
        raise InvalidInput(
            "Choose the series' replay files, one per game.",
            code=ReplayCode.NO_FILES,
            details={"field": FILES_FIELD},
        )
    return uploads


@dataclass(frozen=True)
class Subject:
    """A kind of thing replays prove, as its upload page needs it: its path's plural, the
    service's keyword for its id, how the page describes it, the refusal an upload would meet
    and the upload itself (the same services as GraphQL's)."""

    plural: str
    noun: str
    key: str
    describe: Callable[[AsyncSession, int], Awaitable[dict[str, Any]]]
    refusal: Callable[..., Awaitable[DomainError | None]]
    submit: Callable[..., Awaitable[Any]]


async def describe_match(session: AsyncSession, match_id: int) -> dict[str, Any]:
    """The upload page's words about a match. Raises NOT_FOUND."""
    line = await overview.match_line(session, match_id=match_id)
    match = await schedule.match_by_id(session, match_id=match_id)
    zone = await league.organization_zone(session, line.organization_id)
    return {
        "title": f"{line.home} vs {line.away}",
        "back": (f"/matches/{match_id}", "Back to the match"),
        "line": line,
        "match": match,
        "when": when(zone),
    }


async def describe_scrim(session: AsyncSession, scrim_id: int) -> dict[str, Any]:
    """The upload page's words about a scrim. Raises NOT_FOUND."""
    scrim = await scrims.get_scrim(session, scrim_id=scrim_id, lock=False)
    zone = await league.organization_zone(session, scrim.organization_id)
    return {
        "title": f"Scrim {scrim.id}",
        "back": ("/scrims", "Back to the scrims"),
        "scrim": scrim,
        "when": when(zone),
    }


SUBJECTS = (
    Subject(
        "matches",
        "match",
        "match_id",
        describe_match,
        match_results.match_submit_refusal,
        match_results.submit_match_replays,
    ),
    Subject(
        "scrims",
        "scrim",
        "scrim_id",
        describe_scrim,
        scrim_results.scrim_submit_refusal,
        scrim_results.submit_scrim_replays,
    ),
)


def submit_router(runtime: Runtime) -> APIRouter:
    """``/matches/{id}/submit`` and ``/scrims/{id}/submit``: the upload form (GET) and the
    upload (POST), which leads to the new submission's page."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    max_size = runtime.settings.replay_max_bytes

    async def form_page(
        request: Request, subject: Subject, ident: int, error: DomainError | None = None
    ) -> Response:
        """The form; a caller who may never submit (a spectator, a player of neither team)
        gets the error page, one who may not submit now (an open submission, a decided
        match) the reason instead of the form."""
        who = signed_in_viewer(request, "submit replays")
        async with runtime.reading() as session:
            values = await subject.describe(session, ident)
            refusal = await subject.refusal(session, actor=who, **{subject.key: ident})
        if refusal is not None and not isinstance(refusal, Conflict):
            raise refusal
        return render(
            request,
            "submit.html",
            status=status_of(error) if error is not None else 200,
            action=f"/{subject.plural}/{ident}/submit",
            refusal=refusal,
            error=error,
            field=FILES_FIELD if error is not None else None,
            files_field=FILES_FIELD,
            max_size=size_text(max_size),
            max_files=replays.MAX_FILES,
            **values,
        )

    async def upload(request: Request, subject: Subject, ident: int) -> Response:
        """The upload through the subject's service; its typed refusal of the files is shown
        beside the file field, nothing changed."""

        who = signed_in_viewer(request, "submit replays")

        async def files() -> Sequence[replays.Upload]:
            return await read_files(request, max_size)

        try:
            async with runtime.unit_of_work() as session:
                submission = await subject.submit(
                    session,
                    actor=who,
                    storage=runtime.storage,
                    files=files,  # read once the caller may submit
                    max_size=max_size,
                    **{subject.key: ident},
                )
        except (InvalidInput, Conflict, ReplayError) as error:
            return await form_page(request, subject, ident, error)
        return see_other(
            request,
            f"/submissions/{submission.id}",
            "Replays uploaded: they are being checked; the report appears here when ready.",
        )

    def routes(subject: Subject) -> None:
        path = f"/{subject.plural}/{{raw_id}}/submit"

        async def show(request: Request, raw_id: str) -> Response:
            return await form_page(request, subject, path_id(raw_id, subject.noun))

        async def take(request: Request, raw_id: str) -> Response:
            return await upload(request, subject, path_id(raw_id, subject.noun))

        router.add_api_route(path, show, methods=["GET"])
        router.add_api_route(path, take, methods=["POST"])

    for subject in SUBJECTS:
        routes(subject)
    return router
