"""Spectators' pages from the cache, keyed by the data version: served again until a write,
never to or from a signed-in viewer, never with another visitor's CSRF token, and not
charged to the rate limit when served from the cache."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import update

from sprocket.config import Settings
from sprocket.db import note_change, utcnow
from sprocket.identity import service as identity
from sprocket.identity.models import WebSession
from sprocket.league import service as league
from sprocket.league.models import Organization
from sprocket.runtime import Runtime
from sprocket.web.forms import NOTICE_COOKIE, Notices
from sprocket.web.page_cache import accepts_gzip
from tests.web.conftest import HTML, Demo, Web, csrf_of, signed_in
from tests.web.test_scrim_player_pages import People, next_event, open_scrim, served

CACHE = "x-sprocket-cache"


async def test_a_spectators_second_request_is_served_from_the_cache(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web() as client:
        first = await client.get("/")
        assert first.status_code == 200 and first.headers[CACHE] == "miss"
        second = await client.get("/")
        assert second.headers[CACHE] == "hit"
        assert second.text == first.text
        assert second.headers["content-type"] == first.headers["content-type"]
        # Stored compressed, and served so to a client that takes gzip (httpx does).
        assert second.headers["content-encoding"] == "gzip"
        assert second.headers["vary"] == "Accept-Encoding"
        plain = await client.get("/", headers={"accept-encoding": "identity"})
        assert plain.headers[CACHE] == "hit" and "content-encoding" not in plain.headers
        assert plain.headers["content-length"] == str(len(plain.content))
        assert plain.text == first.text
        # The security headers are added outside the cache, on every answer.
        assert "frame-ancestors 'none'" in second.headers["content-security-policy"]
        # A change that does not bump the data version is not seen: the page handler did
        # not run. (Every service write goes through unit_of_work, which bumps it.)
        async with platform.sessions() as session:
            await session.execute(
                update(Organization)
                .where(Organization.id == demo_org.organization_id)
                .values(name="Renamed Behind The Cache")
            )
            await session.commit()
        stale = await client.get("/")
        assert stale.headers[CACHE] == "hit" and "Renamed Behind The Cache" not in stale.text
        await platform.data_changed()
        fresh = await client.get("/")
        assert fresh.headers[CACHE] == "miss" and "Renamed Behind The Cache" in fresh.text


@pytest.mark.parametrize(
    ("header", "takes"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("deflate, gzip; q=0.000", False),
        ("identity", False),
        ("", False),
    ],
)
def test_who_takes_gzip(header: str, takes: bool) -> None:
    scope = {"type": "http", "headers": [(b"accept-encoding", header.encode())]}
    assert accepts_gzip(scope) is takes


async def test_the_address_and_its_query_string_are_part_of_the_key(
    web: Web, demo_org: Demo
) -> None:
    async with web() as client:
        assert (await client.get("/leaderboards")).headers[CACHE] == "miss"
        assert (await client.get("/leaderboards?min_games=0")).headers[CACHE] == "miss"
        assert (await client.get("/leaderboards?min_games=0")).headers[CACHE] == "hit"
        assert (await client.get("/scrims")).headers[CACHE] == "miss"


async def test_a_write_bumps_the_data_version_and_the_next_page_shows_it(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web() as client:
        assert (await client.get("/")).headers[CACHE] == "miss"
        assert (await client.get("/")).headers[CACHE] == "hit"
        async with platform.unit_of_work() as session:
            await league.create_organization(
                session, actor=demo_org.admin, slug="second", name="Second Division League"
            )
        page = await client.get("/")
        assert page.headers[CACHE] == "miss" and "Second Division League" in page.text


async def test_a_signed_in_viewer_never_gets_nor_fills_the_cache(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as spectator, web(dev_sign_in=True) as member:
        assert (await spectator.get("/")).headers[CACHE] == "miss"
        assert (await signed_in(member, demo_org.users["Ada"])).status_code == 303
        mine = await member.get("/")
        assert CACHE not in mine.headers
        assert "Signed in as" in mine.text and mine.headers["cache-control"] == "private, no-store"
        # The member's pages are not stored for spectators.
        assert CACHE not in (await member.get("/leaderboards")).headers
        assert (await spectator.get("/leaderboards")).headers[CACHE] == "miss"
        # Nor is a page asked for with an API token.
        async with platform.unit_of_work() as session:
            _, token = await identity.issue_token(
                session, actor=demo_org.admin, name="pages", days=1
            )
        as_token = await spectator.get("/scrims", headers={"authorization": f"Bearer {token}"})
        assert as_token.status_code == 200 and CACHE not in as_token.headers
        assert (await spectator.get("/scrims")).headers[CACHE] == "miss"


async def test_a_page_with_a_form_token_is_never_shared(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True) as first, web(dev_sign_in=True) as second:
        pages = [await first.get("/sign-in"), await first.get("/sign-in")]
        pages.append(await second.get("/sign-in"))
        for page in pages:
            assert page.status_code == 200 and CACHE not in page.headers
            assert "Cookie" in page.headers["vary"]
        tokens = [csrf_of(page.text) for page in pages]
        # One visitor keeps their token (their cookie); another visitor gets their own.
        assert tokens[0] == tokens[1] != tokens[2]
        # Each visitor's own token signs them in.
        assert (await signed_in(second, demo_org.users["Bruno"])).status_code == 303


async def test_a_notice_or_an_ended_session_is_shown_not_a_stored_page(
    web: Web, demo_org: Demo, platform: Runtime, settings: Settings
) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await client.get("/")).headers[CACHE] == "miss"
        notice = Notices(settings.resolved_secret_key, secure=False).signer.dumps("All done.")
        client.cookies.set(NOTICE_COOKIE, notice, domain="sprocket.test")
        page = await client.get("/")
        assert CACHE not in page.headers and "All done." in page.text
        client.cookies.delete(NOTICE_COOKIE, domain="sprocket.test")

        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        assert (await client.get("/")).headers.get(CACHE) is None
        async with platform.unit_of_work() as session:
            await session.execute(
                update(WebSession).values(expires_at=utcnow() - dt.timedelta(seconds=1))
            )
            note_change(session)
        ended = await client.get("/")
        assert CACHE not in ended.headers
        assert "Your session has expired; sign in again." in ended.text


async def test_refusals_are_not_stored(web: Web, demo_org: Demo) -> None:
    async with web() as client:
        for _ in range(2):
            missing = await client.get("/seasons/999999")
            assert missing.status_code == 404 and CACHE not in missing.headers


async def test_a_cached_page_costs_no_rate_limit_but_a_render_does(
    web: Web, demo_org: Demo
) -> None:
    async with web(rate_limit_points=2) as client:
        assert (await client.get("/")).headers[CACHE] == "miss"  # a render: 1 point
        for _ in range(3):
            assert (await client.get("/")).headers[CACHE] == "hit"  # free
        assert (await client.get("/scrims")).headers[CACHE] == "miss"  # the last point
        refused = await client.get("/?again")
        assert refused.status_code == 429 and "retry-after" in refused.headers
        assert (await client.get("/")).headers[CACHE] == "hit"  # still served


async def test_spectators_watching_one_live_stream_each_get_theirs(
    web: Web, demo_org: Demo, platform: Runtime, settings: Settings
) -> None:
    """A stream of server-sent events is not shared: a second spectator does not wait for
    the first one's stream to end (which it never does while they watch)."""
    async with web(dev_sign_in=True) as ada:
        assert (await signed_in(ada, demo_org.users["Ada"])).status_code == 303
        scrim_id = await open_scrim(People({"Ada": ada}, ada, demo_org.organization_id))
    url = f"/scrims/{scrim_id}/events"
    async with (
        served(platform, settings) as base,
        httpx.AsyncClient(base_url=base) as first,
        httpx.AsyncClient(base_url=base) as second,
        first.stream("GET", url, headers=HTML) as one,
    ):
        assert one.headers["content-type"].startswith("text/event-stream")
        assert CACHE not in one.headers
        watching = one.aiter_lines()  # kept: dropping it would close the first stream
        assert (await next_event(watching))[0] == "update"
        async with second.stream("GET", url, headers=HTML) as two:
            assert two.status_code == 200 and CACHE not in two.headers
            assert (await next_event(two.aiter_lines()))[0] == "update"
