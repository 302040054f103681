"""``/matches/{id}/report-card.png`` and ``/scrims/{id}/report-card.png``: the report card of
an accepted result as an image of this site (the match page shows it to everyone, a finished
scrim's page to its players and staff). A card missing from storage is drawn on the way."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sprocket.media import service as report_cards
from sprocket.runtime import Runtime
from sprocket.web.league import page_id
from sprocket.web.pages import WebRoute, viewer


def png(data: bytes, *, public: bool) -> Response:
    """A card's answer: a PNG, cached a minute by anyone for a public card, by nobody else
    for a card that is its viewers' only."""
    cache = "public, max-age=60" if public else "private, no-store"
    return Response(data, media_type="image/png", headers={"Cache-Control": cache})


def report_cards_router(runtime: Runtime) -> APIRouter:
    """The two card images; a refusal is the site's error page (404 NO_REPORT_CARD while a
    result is not accepted, 401/403 for a scrim's card)."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/matches/{raw_id}/report-card.png")
    async def match_card(request: Request, raw_id: str) -> Response:
        match_id = page_id(raw_id, "match")
        async with runtime.reading() as session:
            data = await report_cards.match_card_png(session, runtime.storage, match_id=match_id)
        return png(data, public=True)

    @router.get("/scrims/{raw_id}/report-card.png")
    async def scrim_card(request: Request, raw_id: str) -> Response:
        scrim_id = page_id(raw_id, "scrim")
        async with runtime.reading() as session:
            data = await report_cards.scrim_card_png(
                session, runtime.storage, actor=viewer(request), scrim_id=scrim_id
            )
        return png(data, public=False)

    return router
