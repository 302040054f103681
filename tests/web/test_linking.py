"""Proving a game account by signing in at its platform, against fakes of Steam's OpenID
provider and Epic's OAuth server: a verified link when the platform's answer holds, and a
clear refusal, with nothing linked, for every answer that does not."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import select

from sprocket.league import members
from sprocket.league.models import PlatformAccount
from sprocket.runtime import Runtime
from tests.web.conftest import Demo, Web, csrf_of, signed_in
from tests.web.fake_epic import ACCOUNT_ID, FakeEpic
from tests.web.fake_steam import STEAM_ID, FakeSteam

CALLBACK = "http://sprocket.test/settings/link/steam/callback"


async def _member(platform: Runtime, user_id: int) -> int:
    async with platform.reading() as session:
        return (await members.memberships_of(session, user_id=user_id))[0].id


async def _links(platform: Runtime) -> list[tuple[int, str, str, str, str | None]]:
    async with platform.reading() as session:
        rows = await session.scalars(select(PlatformAccount).order_by(PlatformAccount.id))
        return [(a.member_id, a.platform, a.account_id, a.status, a.proof) for a in rows]


async def _at_platform(client: httpx.AsyncClient, start: str) -> tuple[str, dict[str, str]]:
    """Start a link at ``start``; the platform (a fake) signs in at once. Returns the path
    and query our callback is called with, and the query the platform was sent."""
    begun = await client.get(start)
    assert begun.status_code == 303, begun.text
    target = begun.headers["location"]
    sent = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
    async with httpx.AsyncClient() as outside:  # the browser at the platform
        answer = await outside.get(target)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    return f"{back.path}?{back.query}", sent


def _refused(page: httpx.Response, sentence: str) -> None:
    assert page.status_code == 400, page.text
    assert sentence in page.text and "Nothing was linked." in page.text
    assert "PLATFORM_SIGN_IN_REFUSED" in page.text


async def test_signing_in_at_steam_links_the_account_verified(
    web: Web, steam: FakeSteam, demo_org: Demo, platform: Runtime
) -> None:
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True, steam_openid_url=steam.url) as client:
        await signed_in(client, demo_org.users["Ada"])
        page = await client.get("/settings")
        assert f'href="/settings/link/steam?member={ada}"' in page.text
        callback, sent = await _at_platform(client, f"/settings/link/steam?member={ada}")
        assert sent["openid.mode"] == "checkid_setup"
        assert sent["openid.return_to"] == CALLBACK
        assert sent["openid.realm"] == "http://sprocket.test/"
        done = await client.get(callback)
        assert done.status_code == 303 and done.headers["location"] == "/settings#accounts"
        settings = await client.get("/settings")
        assert f"Your Steam account {STEAM_ID} is linked and verified." in settings.text
        assert "<strong>Verified</strong>" in settings.text
    assert await _links(platform) == [(ada, "steam", STEAM_ID, "verified", "sign_in")]
    # Steam was asked to confirm the very answer it gave.
    assert [c["openid.mode"] for c in steam.checks] == ["check_authentication"]
    assert steam.checks[0]["openid.claimed_id"].endswith(STEAM_ID)


async def test_a_forged_steam_answer_is_refused(
    web: Web, steam: FakeSteam, demo_org: Demo, platform: Runtime
) -> None:
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True, steam_openid_url=steam.url) as client:
        await signed_in(client, demo_org.users["Ada"])
        callback, _ = await _at_platform(client, f"/settings/link/steam?member={ada}")
        path, _, query = callback.partition("?")
        params = {k: v[0] for k, v in parse_qs(query).items()}
        other = "https://steamcommunity.com/openid/id/76561198000000042"  # someone else's
        params["openid.claimed_id"] = params["openid.identity"] = other
        forged = await client.get(f"{path}?{urlencode(params)}")
        _refused(forged, "Steam did not confirm this answer")
    assert len(steam.checks) == 1  # Steam was asked, and said no
    assert await _links(platform) == []


@pytest.mark.parametrize(
    ("lie", "sentence"),
    [
        (
            {"op_endpoint": "https://steam.example.org/openid/login"},
            "comes from another sign-in server than Steam&#39;s",
        ),
        (
            {"return_to": "https://elsewhere.example.org/settings/link/steam/callback"},
            "was made for another site or address",
        ),
        ({"claimed_id": "https://steamcommunity.com/openid/id/12345"}, "names no Steam account"),
        (
            {"claimed_id": f"https://steam.example.org/openid/id/{STEAM_ID}"},
            "names no Steam account",
        ),
        (
            {"nonce_time": dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)},
            "is too old",
        ),
    ],
    ids=["op-endpoint", "return-to", "short-id", "other-host", "stale-nonce"],
)
async def test_a_steam_answer_that_does_not_hold_is_refused(
    web: Web,
    steam: FakeSteam,
    demo_org: Demo,
    platform: Runtime,
    lie: dict[str, object],
    sentence: str,
) -> None:
    for name, value in lie.items():
        setattr(steam, name, value)
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True, steam_openid_url=steam.url) as client:
        await signed_in(client, demo_org.users["Ada"])
        callback, _ = await _at_platform(client, f"/settings/link/steam?member={ada}")
        _refused(await client.get(callback), sentence)
    assert steam.checks == []  # refused before Steam is asked anything
    assert await _links(platform) == []


async def test_a_replayed_steam_answer_is_refused(
    web: Web, steam: FakeSteam, demo_org: Demo, platform: Runtime
) -> None:
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True, steam_openid_url=steam.url) as client:
        await signed_in(client, demo_org.users["Ada"])
        callback, _ = await _at_platform(client, f"/settings/link/steam?member={ada}")
        assert (await client.get(callback)).status_code == 303
        [account] = await _accounts(platform)
        page = await client.get("/settings")
        unlink = f"/settings/accounts/{account.id}/unlink"
        answer = await client.post(unlink, data={"csrftoken": csrf_of(page.text)})
        assert answer.status_code == 303 and await _links(platform) == []
        # A new link started, but the old answer (whose signature Steam still vouches for)
        # sent in place of a new sign-in.
        assert (await client.get(f"/settings/link/steam?member={ada}")).status_code == 303
        _refused(await client.get(callback), "was already used")
    assert await _links(platform) == []


async def _accounts(platform: Runtime) -> list[PlatformAccount]:
    async with platform.reading() as session:
        return list((await session.scalars(select(PlatformAccount))).all())


async def test_a_steam_answer_this_browser_did_not_ask_for_is_refused(
    web: Web, steam: FakeSteam, demo_org: Demo, platform: Runtime
) -> None:
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True, steam_openid_url=steam.url) as client:
        await signed_in(client, demo_org.users["Ada"])
        callback, _ = await _at_platform(client, f"/settings/link/steam?member={ada}")
    async with web(dev_sign_in=True, steam_openid_url=steam.url) as victim:
        await signed_in(victim, demo_org.users["Bruno"])  # sent the link by someone
        _refused(await victim.get(callback), "does not belong to a link this browser started")
    assert await _links(platform) == []


async def test_only_the_players_own_membership_can_be_linked(
    web: Web, steam: FakeSteam, demo_org: Demo, platform: Runtime
) -> None:
    bruno = await _member(platform, demo_org.users["Bruno"])
    async with web(dev_sign_in=True, steam_openid_url=steam.url) as client:
        # A browser not signed in is sent to sign in, then back to this page.
        spectator = await client.get(f"/settings/link/steam?member={bruno}")
        assert spectator.status_code == 303
        assert spectator.headers["location"] == (
            f"/sign-in?next=%2Fsettings%2Flink%2Fsteam%3Fmember%3D{bruno}"
        )
        await signed_in(client, demo_org.users["Ada"])
        other = await client.get(f"/settings/link/steam?member={bruno}")
        assert other.status_code == 403
        assert "your own membership only" in other.text
        for bad in ("", "abc", "999999"):
            assert (await client.get(f"/settings/link/steam?member={bad}")).status_code == 404
    assert "sprocket_link_state" not in client.cookies
    assert await _links(platform) == []


async def test_signing_in_at_epic_links_the_account_verified(
    web: Web, epic: FakeEpic, demo_org: Demo, platform: Runtime
) -> None:
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True, **epic.settings()) as client:
        await signed_in(client, demo_org.users["Ada"])
        page = await client.get("/settings")
        assert f'href="/settings/link/epic?member={ada}"' in page.text
        callback, sent = await _at_platform(client, f"/settings/link/epic?member={ada}")
        assert sent["redirect_uri"] == "http://sprocket.test/settings/link/epic/callback"
        assert sent["state"] and sent["response_type"] == "code"
        done = await client.get(callback)
        assert done.status_code == 303, done.text
        settings = await client.get("/settings")
        assert f"Your Epic account {ACCOUNT_ID} is linked and verified." in settings.text
        assert "EpicAda" in settings.text
    assert await _links(platform) == [(ada, "epic", ACCOUNT_ID, "verified", "sign_in")]
    assert epic.requests == [
        "GET /id/authorize",
        "POST /epic/oauth/v2/token",
        "GET /epic/oauth/v2/userInfo",
    ]


async def test_a_mismatched_or_replayed_epic_state_is_refused(
    web: Web, epic: FakeEpic, demo_org: Demo, platform: Runtime
) -> None:
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True, **epic.settings()) as client:
        await signed_in(client, demo_org.users["Ada"])
        callback, _ = await _at_platform(client, f"/settings/link/epic?member={ada}")
        started = client.cookies.get("sprocket_link_state")
        path, _, query = callback.partition("?")
        code = parse_qs(query)["code"][0]
        mismatched = await client.get(f"{path}?code={code}&state=someone-elses")
        _refused(mismatched, "does not belong to a link this browser started")
        assert await _links(platform) == []
        assert (await client.get(callback)).status_code == 303  # the real answer, once
        client.cookies.set(
            "sprocket_link_state", started or "", domain="sprocket.test", path="/settings/link"
        )
        _refused(await client.get(callback), "already used")
    assert await _links(platform) == [(ada, "epic", ACCOUNT_ID, "verified", "sign_in")]
    assert epic.requests.count("POST /epic/oauth/v2/token") == 1


async def test_an_epic_refusal_links_nothing(
    web: Web, epic: FakeEpic, demo_org: Demo, platform: Runtime
) -> None:
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True, **epic.settings()) as client:
        await signed_in(client, demo_org.users["Ada"])
        callback, _ = await _at_platform(client, f"/settings/link/epic?member={ada}")
        epic.codes.clear()  # the code expired at Epic
        _refused(await client.get(callback), "Epic refused the sign-in (invalid_grant)")
        callback, _ = await _at_platform(client, f"/settings/link/epic?member={ada}")
        path, _, query = callback.partition("?")
        state = parse_qs(query)["state"][0]
        denied = await client.get(f"{path}?error=access_denied&state={state}")
        _refused(denied, "Epic did not sign you in (no code was given)")
    assert await _links(platform) == []


async def test_without_an_epic_application_there_is_no_epic_sign_in(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    ada = await _member(platform, demo_org.users["Ada"])
    async with web(dev_sign_in=True) as client:
        await signed_in(client, demo_org.users["Ada"])
        page = await client.get("/settings")
        assert "/settings/link/epic" not in page.text
        assert '<option value="epic"' in page.text  # entered by hand, confirmed later
        _refused(
            await client.get(f"/settings/link/epic?member={ada}"),
            "Signing in at Epic is not configured on this server.",
        )
