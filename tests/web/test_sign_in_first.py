"""A stranger's browser opening a page that needs a signed-in viewer is sent through the
sign-in and back (303 to ``/sign-in?next=<the address>``), while a form's post, a client
that does not read pages (an event stream, an image, a script) and a signed-in viewer
without the right keep their 401 or 403."""

from __future__ import annotations

import re

from sprocket.config import Settings
from sprocket.demo import SLUG
from sprocket.http.sessions import SessionCookies
from sprocket.runtime import Runtime
from sprocket.web.door import area_routers
from sprocket.web.pages import WebRoute
from tests.web.conftest import Demo, Web, csrf_of, sent_to_sign_in, signed_in
from tests.web.fake_discord import FakeDiscord
from tests.web.staff_support import refused_unchanged

#: What each path parameter of a page stands for when every page is opened: an id names
#: the first row (which may not exist: its page may answer 404, never 401).
PLACEHOLDERS = {
    "slug": SLUG,
    "raw_id": "1",
    "member_id": "1",
    "team_id": "1",
    "season_id": "1",
    "league_id": "1",
    "match_id": "1",
    "submission_id": "1",
    "user_id": "1",
    "digest": "0" * 64,
    "series": "active-players",
}

#: Pages that need a signed-in viewer (a query string too comes back).
NEEDING_SIGN_IN = (
    "/me",
    "/settings",
    "/settings/notifications",
    "/inbox",
    "/inbox?unread=1",
    "/staff",
    "/settings/link/steam?member=1",
)


def page_gets(settings: Settings, platform: Runtime) -> list[str]:
    """Every GET route of the web door, its parameters filled (:data:`PLACEHOLDERS`), but
    the event streams (``.../events``: not pages, and a public one never ends)."""
    cookies = SessionCookies(secret_key="test", secure=False, max_age=60)
    paths = []
    for area in area_routers(platform, settings, cookies):
        for route in area.routes:
            assert isinstance(route, WebRoute), route
            if "GET" in route.methods and not route.path.endswith("/events"):
                names = re.findall(r"{(\w+)}", route.path)
                assert set(names) <= set(PLACEHOLDERS), (route.path, "add its placeholder")
                paths.append(route.path.format(**PLACEHOLDERS))
    return paths


async def test_no_page_answers_a_strangers_browser_401(
    web: Web, settings: Settings, platform: Runtime, demo_org: Demo
) -> None:
    pages = page_gets(settings, platform)
    assert len(pages) > 30
    sent = []
    async with web(dev_sign_in=True) as client:
        for path in pages:
            answer = await client.get(path)
            assert answer.status_code != 401, (path, answer.text[:500])
            if answer.status_code == 303 and answer.headers["location"].startswith("/sign-in?"):
                assert sent_to_sign_in(answer, path), path
                sent.append(path)
    staff = [path for path in sent if path.startswith("/staff/")]
    assert len(staff) >= 15, sent  # every staff page of the organization
    for path in ("/me", "/settings", "/settings/notifications", "/inbox", "/staff"):
        assert path in sent


async def test_a_stranger_signs_in_and_lands_on_the_page_asked_for(
    web: Web, demo_org: Demo
) -> None:
    for path in NEEDING_SIGN_IN:
        async with web(dev_sign_in=True) as client:
            answer = await client.get(path)
            assert sent_to_sign_in(answer, path), (path, answer.status_code)
            page = await client.get(answer.headers["location"])
            assert page.status_code == 200
            shown = page.text.replace("&amp;", "&")
            assert f'name="next" value="{path}"' in shown, path
            assert "sign in, and you go on to it" in shown, path
    async with web(dev_sign_in=True) as client:
        assert "go on to it" not in (await client.get("/sign-in")).text  # asked for nothing
        asked = "/inbox?unread=1"
        page = await client.get((await client.get(asked)).headers["location"])
        signed = await client.post(
            "/sign-in/dev",
            data={
                "csrftoken": csrf_of(page.text),
                "user_id": str(demo_org.users["Ada"]),
                "next": asked,
            },
        )
        assert signed.status_code == 303 and signed.headers["location"] == asked
        landed = await client.get(asked)
        assert landed.status_code == 200 and "<h1>Inbox" in landed.text


async def test_with_discord_the_only_way_in_the_stranger_goes_straight_to_it(
    web: Web, fake_discord: FakeDiscord, demo_org: Demo
) -> None:
    async with web(**fake_discord.settings()) as client:
        answer = await client.get("/settings")
        assert sent_to_sign_in(answer, "/settings", "/sign-in/discord")
    async with web(dev_sign_in=True, **fake_discord.settings()) as client:
        answer = await client.get("/settings")  # the page offering both ways
        assert sent_to_sign_in(answer, "/settings")


async def test_posts_scripts_streams_and_images_keep_their_refusal(
    web: Web, platform: Runtime, demo_org: Demo
) -> None:
    async with web(dev_sign_in=True) as client:
        await refused_unchanged(platform, client, "/inbox/read-all", {}, 401)
        for accept in ("application/json", "text/event-stream", "image/avif,image/*,*/*;q=0.8"):
            answer = await client.get("/me", headers={"accept": accept})
            assert answer.status_code == 401, accept
            assert "location" not in answer.headers
        assert (await client.get("/avatars/me", headers={"accept": "image/*"})).status_code == 401
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        refused = await client.get(f"/staff/{SLUG}")
        assert refused.status_code == 403 and "PERMISSION_DENIED" in refused.text
