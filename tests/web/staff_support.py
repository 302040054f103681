"""Helpers of the staff pages' tests: the World's people signed in through the development
sign-in, forms posted with the page's CSRF token, and nothing-changed checks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from sprocket.league import members
from sprocket.runtime import Runtime
from tests.helpers.database import snapshot
from tests.league_world import World
from tests.web.conftest import Demo, Web, csrf_of, signed_in

#: The World's people the tests sign in as.
SIGNING_IN = ("league_staff", "organization_admin", "player", "team_captain", "outsider")


async def let_sign_in(platform: Runtime, world: World, demo: Demo) -> None:
    """Make the World's people (:data:`SIGNING_IN`) members of the demo organization too,
    so that the development sign-in (which offers the demo organization's people) takes
    them; what they may do in the World's organization is unchanged."""
    async with platform.unit_of_work() as s:
        for role in SIGNING_IN:
            await members.add_member(
                s,
                actor=demo.admin,
                organization_id=demo.organization_id,
                user_id=world.user_ids[role],
            )


@asynccontextmanager
async def client_as(web: Web, user_id: int | None) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as ``user_id`` (the spectator for None)."""
    async with web(dev_sign_in=True) as client:
        if user_id is not None:
            answer = await signed_in(client, user_id)
            assert answer.status_code == 303, answer.text
        yield client


async def post_from(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str] | None = None
) -> httpx.Response:
    """Post ``data`` to ``action`` with the CSRF token of a form of ``page`` (a page that
    has a form: the staff page itself, or the sign-in page for a spectator)."""
    shown = await client.get(page)
    assert 'name="csrftoken"' in shown.text, (page, shown.status_code)
    return await client.post(action, data={"csrftoken": csrf_of(shown.text), **(data or {})})


async def refused_unchanged(
    platform: Runtime, client: httpx.AsyncClient, action: str, data: dict[str, str], status: int
) -> httpx.Response:
    """Post to ``action`` (with the sign-in page's valid CSRF token): answered with
    ``status`` and an error page or message, and no row of any table changed."""
    before = await snapshot(platform)
    answer = await post_from(client, "/sign-in", action, data)
    assert answer.status_code == status, (answer.status_code, answer.text[:2000])
    assert "Traceback" not in answer.text
    assert await snapshot(platform) == before
    return answer


def error_beside(page: str, field_id: str) -> str:
    """The error sentence shown beside the field ``field_id`` (its aria-describedby)."""
    assert f'id="{field_id}"' in page
    assert re.search(
        rf'id="{field_id}"[^>]*aria-invalid="true" aria-describedby="{field_id}-error"', page
    ), page
    found = re.search(
        rf'<span id="{field_id}-error" class="error" role="alert">([^<]*)</span>', page
    )
    assert found, page
    return found.group(1)
