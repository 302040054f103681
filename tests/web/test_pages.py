"""The web door's skeleton: the home page at ``/``, HTML error pages for browsers, JSON
errors kept for the API, and pages that load nothing from another host."""

from __future__ import annotations

import re

import httpx
from fastapi import APIRouter, FastAPI

from sprocket.errors import InvalidInput
from sprocket.web.pages import WebRoute, is_page

HTML = {"accept": "text/html,application/xhtml+xml"}
#: Every address a page makes the browser load or leave to: src, href, action.
ADDRESS = re.compile(r'(?:src|href|action)\s*=\s*"([^"]*)"')


def foreign_addresses(page: str) -> list[str]:
    """Addresses in ``page`` that lead to another host (the footer's links are ours)."""
    return [
        a for a in ADDRESS.findall(page) if a.startswith(("//", "http:", "https:")) or "://" in a
    ]


async def test_the_root_is_the_home_page(http: httpx.AsyncClient) -> None:
    page = await http.get("/", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert text.startswith("<!doctype html>") and '<html lang="en">' in text
    assert '<meta name="viewport"' in text and '<main id="main">' in text
    assert 'href="/static/site.css"' in text and "<nav" in text
    assert 'href="/sign-in"' in text  # a spectator is offered to sign in
    assert foreign_addresses(text) == []
    css = await http.get("/static/site.css")
    assert css.status_code == 200 and "@media" in css.text
    assert "url(" not in css.text and "@import" not in css.text  # nothing fetched from elsewhere


async def test_an_unknown_page_is_a_404_page_for_a_browser(http: httpx.AsyncClient) -> None:
    page = await http.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no such page." in page.text and "NOT_FOUND" in page.text
    assert "Traceback" not in page.text


async def test_the_api_keeps_its_json_errors(http: httpx.AsyncClient) -> None:
    # A browser asking /graphql's sub-paths, the downloads or the probes gets JSON all the same.
    for path in ("/graphql/nothing", "/replays/nothing", "/static/nothing.css"):
        answer = await http.get(path, headers=HTML)
        assert answer.status_code == 404, path
        assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND", path
    # A client that does not ask for HTML gets JSON anywhere.
    answer = await http.get("/no/such/page")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_which_paths_are_pages() -> None:
    assert is_page("/") and is_page("/sign-in") and is_page("/graphqlish")
    for path in ("/graphql", "/graphql/x", "/replays/a.replay", "/static/site.css"):
        assert not is_page(path), path
    for path in ("/schema.graphql", "/healthz", "/readyz", "/metrics"):
        assert not is_page(path), path


async def test_a_typed_error_of_a_page_is_its_sentence_on_an_error_page() -> None:
    router = APIRouter(route_class=WebRoute)

    @router.get("/broken")
    async def broken() -> None:
        raise InvalidInput("A season needs at least two teams.")

    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        page = await client.get("/broken")
    assert page.status_code == 400
    assert "A season needs at least two teams." in page.text and "INVALID_INPUT" in page.text
