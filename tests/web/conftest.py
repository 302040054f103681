"""Fixtures of the web door's tests: an app with chosen settings, a demo-like organization,
the fakes of Discord, Steam and Epic, and the browser tests' Chromium and served app
(defined in :mod:`tests.web.browser`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.demo import SLUG
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import members
from sprocket.league import service as league
from sprocket.runtime import Runtime
from tests.web.browser import chromium, site  # noqa: F401 (the browser tests' fixtures)
from tests.web.fake_discord import FakeDiscord, running_fake_discord
from tests.web.fake_epic import FakeEpic, running_fake_epic
from tests.web.fake_steam import FakeSteam, running_fake_steam

HTML = {"accept": "text/html,application/xhtml+xml"}

Web = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def web(platform: Runtime, settings: Settings) -> Web:
    """``async with web(**changes) as client``: a browser-like client (it keeps cookies and
    asks for HTML) of an app with ``changes`` to the settings."""

    @asynccontextmanager
    async def client(
        address: str = "127.0.0.1", **changes: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings.model_copy(update=changes), runtime=platform)
        transport = httpx.ASGITransport(app=app, client=(address, 5000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sprocket.test", headers=HTML
        ) as http:
            yield http

    return client


@dataclass
class Demo:
    organization_id: int
    admin: Actor
    #: The members' user ids and names, by name.
    users: dict[str, int]


@pytest.fixture
async def demo_org(platform: Runtime) -> Demo:
    """An organization with the demo's slug, its administrator and three members."""
    async with platform.unit_of_work() as session:
        admin_user = await identity.ensure_user(
            session, discord_id="100000000000000001", display_name="Demo Admin", is_superuser=True
        )
        admin = Actor(user_id=admin_user.id, is_superuser=True, name="Demo Admin")
        org = await league.create_organization(
            session, actor=admin, slug=SLUG, name="Sprocket Demo League"
        )
        users = {}
        for n, name in enumerate(("Ada", "Bruno", "Chioma"), start=1):
            user = await identity.ensure_user(
                session, discord_id=str(300000000000000000 + n), display_name=name
            )
            await members.add_member(session, actor=admin, organization_id=org.id, user_id=user.id)
            users[name] = user.id
    return Demo(org.id, admin, users)


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    with running_fake_discord() as fake:
        yield fake


@pytest.fixture
def steam() -> Iterator[FakeSteam]:
    """The fake of Steam's OpenID provider (the setting ``steam_openid_url``: its ``url``)."""
    with running_fake_steam() as fake:
        yield fake


@pytest.fixture
def epic() -> Iterator[FakeEpic]:
    """The fake of Epic's OAuth server (the settings: its ``settings()``)."""
    with running_fake_epic() as fake:
        yield fake


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    marker = 'name="csrftoken" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def sent_to_sign_in(answer: httpx.Response, path: str, start: str = "/sign-in") -> bool:
    """Whether ``answer`` sends a browser to sign in (at ``start``) and back to ``path``."""
    location = answer.headers.get("location")
    return answer.status_code == 303 and location == f"{start}?{urlencode({'next': path})}"


async def signed_in(client: httpx.AsyncClient, user_id: int) -> httpx.Response:
    """Sign ``client`` in as ``user_id`` through the development sign-in (the app must
    allow it: ``web(dev_sign_in=True)``); the sign-in's answer (303 when it worked)."""
    page = await client.get("/sign-in")
    assert page.status_code == 200, page.text
    return await client.post(
        "/sign-in/dev", data={"csrftoken": csrf_of(page.text), "user_id": str(user_id)}
    )
