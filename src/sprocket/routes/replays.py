"""Replay downloads: ``/replays/{sha256}.replay``."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.requests import Request

from sprocket.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from sprocket.http.auth import caller_of
from sprocket.http.errors import error_response
from sprocket.replays.service import replay_download
from sprocket.runtime import Runtime

#: HTTP statuses of a refused download.
DOWNLOAD_STATUS = ((Unauthenticated, 401), (PermissionDenied, 403), (NotFound, 404))


def attachment(sha256: str, filename: str) -> str:
    """The Content-Disposition of a download: saved under the name it was uploaded with
    (RFC 6266's ``filename*``, which browsers prefer), else under its hash."""
    return f"attachment; filename=\"{sha256}.replay\"; filename*=UTF-8''{quote(filename, safe='')}"


def replays_router(runtime: Runtime) -> APIRouter:
    """Downloads of the replay files that ``runtime`` stores. A refusal answers the domain
    error as JSON: 401 (with a Bearer challenge), 403, 404, or 400 for any other code."""
    router = APIRouter()

    @router.get("/replays/{sha256}.replay", include_in_schema=False)
    async def download_replay(sha256: str, request: Request) -> Response:
        """The replay file; an organization may keep its replays to members (whose Bearer
        token the authentication guard has read)."""
        try:
            async with runtime.reading() as session:
                stored, data = await replay_download(
                    session,
                    actor=caller_of(request.scope),
                    storage=runtime.storage,
                    sha256=sha256.lower(),
                )
        except DomainError as error:
            status = next((code for kind, code in DOWNLOAD_STATUS if isinstance(error, kind)), 400)
            challenge = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return error_response(error, status, challenge)
        return Response(
            data,
            media_type="application/octet-stream",
            headers={"Content-Disposition": attachment(stored.sha256, stored.filename)},
        )

    return router
