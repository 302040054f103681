"""Signing in and out of the web door: the development sign-in, Discord through a fake
OAuth2 server, the session cookie, CSRF on every form, and each refusal changing nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update

from sprocket.db import utcnow
from sprocket.identity.models import User, WebSession
from sprocket.league import members
from sprocket.runtime import Runtime
from tests.web.conftest import Demo, Web, csrf_of, sent_to_sign_in, signed_in
from tests.web.fake_discord import FakeDiscord

ME = {"query": "{ me { user { displayName } } }"}


async def _sessions(platform: Runtime) -> int:
    async with platform.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(WebSession)) or 0)


async def test_the_development_sign_in_signs_in_and_out(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as client:
        page = await client.get("/sign-in")
        assert '<label for="user">User</label>' in page.text
        assert ">Ada</option>" in page.text and "Demo Admin" in page.text
        assert "the first 40 of its members by name" in page.text  # says who is offered
        answer = await signed_in(client, demo_org.users["Bruno"])
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        cookie = next(
            v for k, v in answer.headers.multi_items() if v.startswith("sprocket_session=")
        )
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        home = await client.get("/")
        assert "Signed in as" in home.text and "Bruno" in home.text
        assert home.headers["cache-control"] == "private, no-store"
        assert await _sessions(platform) == 1

        # /graphql never reads the session cookie: Bearer tokens only.
        me = await client.post("/graphql", json=ME)
        assert me.json() == {"data": {"me": None}}

        kept = client.cookies.get("sprocket_session")
        out = await client.post("/sign-out", data={"csrftoken": csrf_of(home.text)})
        assert out.status_code == 303
        assert await _sessions(platform) == 0
        assert 'href="/sign-in"' in (await client.get("/")).text

        # The cookie of the ended session, sent again, is nobody's.
        client.cookies.set("sprocket_session", kept or "", domain="sprocket.test")
        again = await client.get("/")
        assert "Signed in as" not in again.text
        assert "Your session has ended; sign in again." in again.text


async def test_the_development_sign_in_is_off_unless_allowed(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as allowed:  # a valid CSRF cookie and token to post with
        token = csrf_of((await allowed.get("/sign-in")).text)
        jar = allowed.cookies
    for changes in ({}, {"dev_sign_in": True, "public_url": "https://sprocket.example.org"}):
        async with web(**changes) as client:
            page = await client.get("/sign-in")
            assert "Development sign-in" not in page.text
            client.cookies = jar
            user = str(demo_org.users["Ada"])
            answer = await client.post("/sign-in/dev", data={"csrftoken": token, "user_id": user})
            assert answer.status_code == 403, answer.text
            assert "The development sign-in is off on this server." in answer.text
    assert await _sessions(platform) == 0


async def test_a_user_outside_the_demo_cannot_be_picked(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as client:
        answer = await signed_in(client, 999999)
        assert answer.status_code == 400
        assert "Pick one of the demo organization&#39;s users." in answer.text
    assert await _sessions(platform) == 0


async def test_a_form_without_its_csrf_token_is_refused(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    user = str(demo_org.users["Ada"])
    async with web(dev_sign_in=True) as client:
        # No cookie, no token: a forged sign-in from another site.
        missing = await client.post("/sign-in/dev", data={"user_id": user})
        assert missing.status_code == 403
        assert "was not sent from a page of ours" in missing.text
        assert missing.headers["content-type"].startswith("text/html")
        # The cookie, but a token that is not its own.
        await client.get("/sign-in")
        forged = await client.post("/sign-in/dev", data={"csrftoken": "forged", "user_id": user})
        assert forged.status_code == 403
        assert await _sessions(platform) == 0
        # Signed in, a forged sign-out ends nothing.
        assert (await signed_in(client, int(user))).status_code == 303
        out = await client.post("/sign-out", data={"csrftoken": "forged"})
        assert out.status_code == 403
        assert await _sessions(platform) == 1
        assert "Signed in as" in (await client.get("/")).text


async def test_an_expired_session_is_a_spectator_told_to_sign_in_again(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        async with platform.unit_of_work() as session:
            await session.execute(
                update(WebSession).values(expires_at=utcnow() - dt.timedelta(seconds=1))
            )
        page = await client.get("/")
        assert "Signed in as" not in page.text
        assert "Your session has expired; sign in again." in page.text


async def test_a_made_up_session_cookie_is_nobody(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True) as client:
        client.cookies.set("sprocket_session", "not-signed", domain="sprocket.test")
        page = await client.get("/")
        assert page.status_code == 200 and "Signed in as" not in page.text


async def test_the_rate_limit_counts_a_signed_in_user_apart(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True, rate_limit_points=4) as client:
        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        # The address spent 2 points (the sign-in page, the form); the user has 4 of their own.
        answers = [(await client.get("/sign-in")).status_code for _ in range(5)]
        assert answers == [200, 200, 200, 200, 429]
    async with web() as anonymous:  # same address, not signed in: 2 points left
        assert (await anonymous.get("/sign-in")).status_code == 200


async def _authorize(client: httpx.AsyncClient) -> str:
    """Start a Discord sign-in; Discord (the fake) signs in at once: returns the path and
    query our callback is called with."""
    start = await client.get("/sign-in/discord")
    assert start.status_code == 303, start.text
    target = start.headers["location"]
    query = parse_qs(urlsplit(target).query)
    assert query["scope"] == ["identify"] and query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["http://sprocket.test/sign-in/discord/callback"]
    async with httpx.AsyncClient() as outside:  # the browser at Discord
        answer = await outside.get(target)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["location"])
    return f"{callback.path}?{callback.query}"


async def test_discord_sign_in_creates_the_user_from_their_identity(
    web: Web, fake_discord: FakeDiscord, platform: Runtime
) -> None:
    async with web(**fake_discord.settings()) as client:
        page = await client.get("/sign-in")
        assert 'href="/sign-in/discord"' in page.text
        done = await client.get(await _authorize(client))
        assert done.status_code == 303, done.text
        home = await client.get("/")
        assert "Signed in as" in home.text and "Rocket Fan" in home.text
    assert fake_discord.requests == [
        "GET /api/oauth2/authorize",
        "POST /api/oauth2/token",
        "GET /api/users/@me",
        "GET /avatars/480000000000000001/a1b2c3d4.png",
    ]
    async with platform.reading() as session:
        user = await session.scalar(select(User).where(User.discord_id == "480000000000000001"))
    assert user is not None
    assert (user.display_name, user.discord_name) == ("Rocket Fan", "rocketfan")
    digest = hashlib.sha256(fake_discord.avatar).hexdigest()
    assert user.avatar_url == f"avatars/{user.id}/{digest}"  # our copy, not Discord's address
    assert await _sessions(platform) == 1


async def test_a_replayed_or_mismatched_state_is_refused(
    web: Web, fake_discord: FakeDiscord, platform: Runtime
) -> None:
    async with web(**fake_discord.settings()) as client:
        callback = await _authorize(client)
        started = client.cookies.get("sprocket_oauth_state")
        # A state this browser did not start (an attacker's own sign-in).
        path, _, query = callback.partition("?")
        params = parse_qs(query)
        other = f"{path}?code={params['code'][0]}&state=someone-elses"
        mismatched = await client.get(other)
        assert mismatched.status_code == 400
        assert "does not belong to a sign-in this browser started" in mismatched.text
        assert "SIGN_IN_REFUSED" in mismatched.text
        # The real answer works once...
        assert (await client.get(callback)).status_code == 303
        # ...and replayed (with the state cookie put back), it is refused.
        client.cookies.set(
            "sprocket_oauth_state", started or "", domain="sprocket.test", path="/sign-in/discord"
        )
        replayed = await client.get(callback)
        assert replayed.status_code == 400
        assert "already used" in replayed.text
    assert await _sessions(platform) == 1


async def test_a_callback_without_a_started_sign_in_is_refused(
    web: Web, fake_discord: FakeDiscord, platform: Runtime
) -> None:
    async with web(**fake_discord.settings()) as client:
        answer = await client.get("/sign-in/discord/callback?code=abc&state=xyz")
        assert answer.status_code == 400 and "SIGN_IN_REFUSED" in answer.text
    assert await _sessions(platform) == 0


async def _discord_user(platform: Runtime) -> User:
    async with platform.reading() as session:
        user = await session.scalar(select(User).where(User.discord_id == "480000000000000001"))
    assert user is not None
    return user


async def test_the_discord_avatar_is_copied_and_served_from_our_own_routes(
    web: Web, fake_discord: FakeDiscord, platform: Runtime
) -> None:
    async with web(**fake_discord.settings()) as client:
        assert (await client.get(await _authorize(client))).status_code == 303
        user = await _discord_user(platform)
        assert user.avatar_url is not None and await platform.storage.exists(user.avatar_url)
        home = await client.get("/")
        assert '<img class="avatar" src="/avatars/me"' in home.text
        assert "cdn.discordapp.com" not in home.text and fake_discord.cdn_url not in home.text
        mine = await client.get("/avatars/me")
        assert mine.status_code == 200 and mine.content == fake_discord.avatar
        assert mine.headers["content-type"] == "image/png"
        assert mine.headers["cache-control"] == "private, max-age=300"
        settings = await client.get("/settings")
        assert f'src="/{user.avatar_url}"' in settings.text
    async with web() as spectator:  # the picture's own address: anyone shown it, cached for good
        copy = await spectator.get(f"/{user.avatar_url}")
        assert copy.status_code == 200 and copy.content == fake_discord.avatar
        assert copy.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert copy.headers["x-content-type-options"] == "nosniff"
        other = f"/avatars/{user.id}/{'0' * 64}"
        for address in (other, f"/avatars/{user.id}/not-a-digest", "/avatars/x/y"):
            assert (await spectator.get(address)).status_code == 404, address
        # A spectator has no picture of their own: refused to an <img>; opened, a sign-in.
        mine = await spectator.get("/avatars/me", headers={"accept": "image/*"})
        assert mine.status_code == 401
        assert sent_to_sign_in(await spectator.get("/avatars/me"), "/avatars/me")


async def test_a_later_sign_in_replaces_the_avatar_or_removes_it(
    web: Web, fake_discord: FakeDiscord, platform: Runtime
) -> None:
    async with web(**fake_discord.settings()) as client:
        assert (await client.get(await _authorize(client))).status_code == 303
        first = (await _discord_user(platform)).avatar_url
        fake_discord.avatar = fake_discord.avatar + b"\0"  # another picture
        assert (await client.get(await _authorize(client))).status_code == 303
        second = (await _discord_user(platform)).avatar_url
        assert first and second and first != second
        assert not await platform.storage.exists(first)
        assert await platform.storage.exists(second)
        fake_discord.person["avatar"] = None  # removed at Discord
        assert (await client.get(await _authorize(client))).status_code == 303
        assert (await _discord_user(platform)).avatar_url is None
        assert not await platform.storage.exists(second)


@pytest.mark.parametrize(
    ("status", "image", "changes"),
    [
        (503, b"", {}),  # the CDN fails
        (200, b"<html>not a picture</html>", {}),
        (200, b"GIF89a" + b"\0" * 64, {"avatar_max_bytes": 32}),  # over the size cap
    ],
    ids=["cdn-down", "not-an-image", "too-large"],
)
async def test_a_sign_in_works_without_an_avatar_it_cannot_copy(
    web: Web,
    fake_discord: FakeDiscord,
    platform: Runtime,
    status: int,
    image: bytes,
    changes: dict[str, int],
) -> None:
    fake_discord.avatar_status, fake_discord.avatar = status, image
    async with web(**fake_discord.settings(), **changes) as client:
        assert (await client.get(await _authorize(client))).status_code == 303
        assert "Signed in as" in (await client.get("/")).text
        assert (await _discord_user(platform)).avatar_url is None
        mine = await client.get("/avatars/me")  # the header's placeholder: the name's letter
        assert mine.headers["content-type"] == "image/svg+xml"
        assert b">R</text>" in mine.content
    assert "GET /avatars/480000000000000001/a1b2c3d4.png" in fake_discord.requests


async def test_the_player_page_shows_the_avatar_to_whom_it_shows_the_accounts(
    web: Web, fake_discord: FakeDiscord, platform: Runtime, demo_org: Demo
) -> None:
    async with web(**fake_discord.settings()) as client:
        assert (await client.get(await _authorize(client))).status_code == 303
        user = await _discord_user(platform)
        async with platform.unit_of_work() as session:
            member = await members.add_member(
                session,
                actor=demo_org.admin,
                organization_id=demo_org.organization_id,
                user_id=user.id,
            )
        picture = f'src="/{user.avatar_url}"'
        assert picture in (await client.get(f"/players/{member.id}")).text
    async with web() as spectator:  # the member keeps their identity private
        assert picture not in (await spectator.get(f"/players/{member.id}")).text


async def test_a_sign_in_returns_to_an_address_of_this_site_only(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    ada = str(demo_org.users["Ada"])
    cases = [
        ("/settings/link/steam?member=3", "/settings/link/steam?member=3"),
        ("https://elsewhere.example.org/", "/"),
        ("//elsewhere.example.org/", "/"),
        ("/\\elsewhere.example.org/", "/"),
        ("/settings\r\nSet-Cookie: x=1", "/"),
    ]
    for asked, landed in cases:
        async with web(dev_sign_in=True) as client:
            page = await client.get("/sign-in", params={"next": asked})
            assert f'name="next" value="{landed}"' in page.text.replace("&amp;", "&")
            answer = await client.post(
                "/sign-in/dev",
                data={"csrftoken": csrf_of(page.text), "user_id": ada, "next": asked},
            )
            assert answer.status_code == 303 and answer.headers["location"] == landed, asked
    assert await _sessions(platform) == len(cases)


async def test_the_discord_sign_in_returns_to_its_next_address(
    web: Web, fake_discord: FakeDiscord, platform: Runtime
) -> None:
    async with web(**fake_discord.settings()) as client:
        page = await client.get("/sign-in", params={"next": "/me"})
        assert 'href="/sign-in/discord?next=%2Fme"' in page.text
        start = await client.get("/sign-in/discord", params={"next": "/me"})
        async with httpx.AsyncClient() as outside:
            back = urlsplit((await outside.get(start.headers["location"])).headers["location"])
        done = await client.get(f"{back.path}?{back.query}")
        assert done.status_code == 303 and done.headers["location"] == "/me"
        # Without one, or with another site's, the home page.
        start = await client.get("/sign-in/discord", params={"next": "https://elsewhere.test"})
        async with httpx.AsyncClient() as outside:
            back = urlsplit((await outside.get(start.headers["location"])).headers["location"])
        done = await client.get(f"{back.path}?{back.query}")
        assert done.headers["location"] == "/"
