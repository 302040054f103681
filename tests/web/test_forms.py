"""What every form shares: the one-time notice after post/redirect/get, a made-up notice
ignored, and text no database stores refused before anything is done."""

from __future__ import annotations

from sqlalchemy import select

from sprocket.identity.models import User
from sprocket.runtime import Runtime
from sprocket.web.forms import NOTICE_COOKIE
from tests.web.conftest import Demo, Web, csrf_of, signed_in


async def _name_of(platform: Runtime, user_id: int) -> str:
    async with platform.reading() as session:
        return str(await session.scalar(select(User.display_name).where(User.id == user_id)))


async def test_a_notice_shows_once_after_the_redirect(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        page = await client.get("/settings")
        answer = await client.post(
            "/settings/name", data={"csrftoken": csrf_of(page.text), "display_name": "Ada L"}
        )
        assert answer.status_code == 303
        first = await client.get(answer.headers["location"])
        assert "Your display name is now Ada L." in first.text
        again = await client.get(answer.headers["location"])
        assert "Your display name is now" not in again.text


async def test_a_made_up_notice_is_not_shown(web: Web, demo_org: Demo) -> None:
    async with web() as client:
        client.cookies.set(NOTICE_COOKIE, "You won a prize: visit evil.example")
        page = await client.get("/")
        assert page.status_code == 200
        assert "You won a prize" not in page.text


async def test_text_with_a_nul_character_is_refused_and_changes_nothing(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    ada = demo_org.users["Ada"]
    before = await _name_of(platform, ada)
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, ada)).status_code == 303
        page = await client.get("/settings")
        answer = await client.post(
            "/settings/name", data={"csrftoken": csrf_of(page.text), "display_name": "A\x00da"}
        )
        assert answer.status_code == 400
        assert "NUL character" in answer.text
        assert "INVALID_INPUT" in answer.text
    assert await _name_of(platform, ada) == before
