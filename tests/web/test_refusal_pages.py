"""Refusals of the HTTP guards as pages: a browser asking for a page that is rate limited
(429) or fails (500) gets an HTML page with the sentence and the code; /graphql, the other
API paths and clients that do not ask for HTML keep the typed JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.runtime import Runtime
from tests.web.conftest import HTML, Demo, Web, csrf_of, signed_in

JSON = {"accept": "application/json"}
FAULTY = ("/a-page-that-fails", "/graphql/a-route-that-fails")


@pytest.fixture
async def faulty(platform: Runtime, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the app with two test-only routes that fail: a page's path
    and an API path."""
    app = create_app(settings.model_copy(update={"dev_sign_in": True}), runtime=platform)
    add_failing_routes(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sprocket.test", headers=HTML
    ) as client:
        yield client


def add_failing_routes(app: FastAPI) -> None:
    async def fails() -> None:
        raise RuntimeError("a fault no door answers")

    for path in FAULTY:
        app.add_api_route(path, fails, methods=["GET"])


async def test_a_rate_limited_page_answers_a_browser_with_a_page(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True, rate_limit_points=1) as client:
        assert (await client.get("/sign-in")).status_code == 200
        page = await client.get("/sign-in")
        assert page.status_code == 429
        assert page.headers["content-type"].startswith("text/html")
        assert int(page.headers["retry-after"]) >= 1
        assert "<h1>Too many requests</h1>" in page.text
        assert "Too many requests: try again in" in page.text
        assert "<code>RATE_LIMITED</code> (HTTP 429)" in page.text
        # The security headers as on every answer.
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

        # The API keeps its JSON, and so does a client that does not read pages.
        api = await client.post("/graphql", json={"query": "{ __typename }"})
        assert api.status_code == 429 and "retry-after" in api.headers
        assert api.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        plain = await client.get("/sign-in", headers=JSON)
        assert plain.status_code == 429
        assert plain.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_an_unexpected_fault_answers_a_browser_with_a_page(
    faulty: httpx.AsyncClient,
) -> None:
    page = await faulty.get(FAULTY[0])
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in page.text
    assert "Something went wrong on our side; it has been logged." in page.text
    assert "<code>INTERNAL_SERVER_ERROR</code> (HTTP 500)" in page.text
    assert "a fault no door answers" not in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

    # An API path keeps its JSON, whatever the client accepts.
    api = await faulty.get(FAULTY[1])
    assert api.status_code == 500 and api.headers["content-type"] == "application/json"
    assert api.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


async def test_a_signed_in_viewer_can_sign_out_from_a_fault_page(
    faulty: httpx.AsyncClient, demo_org: Demo
) -> None:
    assert (await signed_in(faulty, demo_org.users["Ada"])).status_code == 303
    page = await faulty.get(FAULTY[0])
    assert page.status_code == 500 and "Signed in as" in page.text
    # The page's sign-out form carries the visitor's own CSRF token: it works.
    assert csrf_of(page.text) == faulty.cookies["csrftoken"]
    out = await faulty.post("/sign-out", data={"csrftoken": csrf_of(page.text)})
    assert out.status_code == 303
    assert "Signed in as" not in (await faulty.get("/")).text
