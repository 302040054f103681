"""``/settings``: the display name, game accounts entered by hand, personal API tokens (the
secret shown once) and the signed-in browsers; every bad input refused beside its field
with nothing changed, every form refused without its CSRF token."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from sprocket.identity import service as identity
from sprocket.identity.models import ApiToken, User, WebSession
from sprocket.league import members
from sprocket.league.models import PlatformAccount
from sprocket.runtime import Runtime
from tests.web.conftest import Demo, Web, csrf_of, sent_to_sign_in, signed_in

ME = {"query": "{ me { user { displayName } } }"}
SECRET = re.compile(r'value="(spk_[A-Za-z0-9_-]+)"')


async def _count(platform: Runtime, model: type) -> int:
    async with platform.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _name(platform: Runtime, user_id: int) -> str:
    async with platform.reading() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user.display_name


async def _post(client: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    """Post a form of the settings page, with the page's CSRF token."""
    token = csrf_of((await client.get("/settings")).text)
    return await client.post(path, data={"csrftoken": token, **fields})


async def test_the_settings_page_needs_a_signed_in_user(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True) as client:
        assert sent_to_sign_in(await client.get("/settings"), "/settings")
        page = await client.get("/settings", headers={"accept": "application/json"})
        assert page.status_code == 401 and "Sign in first" in page.text
        await signed_in(client, demo_org.users["Ada"])
        page = await client.get("/settings")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "private, no-store"
        for label in ("Display name", "Account name or id", "Token name", "Lifetime in days"):
            assert f">{label}</label>" in page.text
        assert "Sprocket Demo League" in page.text and "as Ada" in page.text
        assert 'maxlength="32" autocomplete="nickname"' in page.text


async def test_the_display_name_is_changed_and_a_bad_one_refused_beside_its_field(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    ada = demo_org.users["Ada"]
    async with web(dev_sign_in=True) as client:
        await signed_in(client, ada)
        done = await _post(client, "/settings/name", display_name="  Ada Lovelace ")
        assert done.status_code == 303 and done.headers["location"] == "/settings"
        page = await client.get("/settings")
        assert "Your display name is now Ada Lovelace." in page.text
        assert '<strong class="viewer-name">Ada Lovelace</strong>' in page.text
        for bad, sentence in (
            ("", "A display name has 1 to 32 characters."),
            ("x" * 33, "A display name has 1 to 32 characters."),
            ("Ada\u202eevil", "may not hold control or invisible characters"),
        ):
            refused = await _post(client, "/settings/name", display_name=bad)
            assert refused.status_code == 400
            assert 'id="f-display_name-error"' in refused.text and sentence in refused.text
            assert 'aria-invalid="true"' in refused.text
        assert await _name(platform, ada) == "Ada Lovelace"


async def test_a_token_is_shown_once_works_and_is_revoked(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as client:
        await signed_in(client, demo_org.users["Bruno"])
        created = await _post(client, "/settings/tokens", token_name="stats bot", days="30")
        assert created.status_code == 200
        assert "copy it now, it will not be shown again" in created.text
        assert created.headers["cache-control"] == "private, no-store"
        found = SECRET.search(created.text)
        assert found is not None
        secret = found.group(1)
        page = await client.get("/settings")
        assert secret not in page.text and "stats bot" in page.text and "Active" in page.text
        bearer = {"authorization": f"Bearer {secret}"}
        async with web() as program:
            me = await program.post("/graphql", json=ME, headers=bearer)
            assert me.json() == {"data": {"me": {"user": {"displayName": "Bruno"}}}}
            async with platform.reading() as session:
                [row] = (await session.scalars(select(ApiToken))).all()
            revoked = await _post(client, f"/settings/tokens/{row.id}/revoke")
            assert revoked.status_code == 303
            assert "The token stats bot is revoked" in (await client.get("/settings")).text
            refused = await program.post("/graphql", json=ME, headers=bearer)
            assert refused.status_code == 401


async def test_a_bad_token_form_is_refused_beside_its_field(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True, token_max_days=365) as client:
        await signed_in(client, demo_org.users["Ada"])
        for fields, where, sentence in (
            ({"token_name": "x", "days": "0"}, "days", "at least 1"),
            ({"token_name": "x", "days": "abc"}, "days", "must be a whole number"),
            ({"token_name": "x", "days": "366"}, "days", "between 1 and 365 days; asked for 366"),
            ({"token_name": "  ", "days": "30"}, "token_name", "Give the token a name"),
        ):
            refused = await _post(client, "/settings/tokens", **fields)
            assert refused.status_code == 400, fields
            assert f'id="f-{where}-error"' in refused.text and sentence in refused.text
            assert "spk_" not in refused.text
    assert await _count(platform, ApiToken) == 0


async def test_someone_elses_token_cannot_be_revoked(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with platform.unit_of_work() as session:
        row, _ = await identity.issue_token(session, actor=demo_org.admin, name="admin", days=5)
    async with web(dev_sign_in=True) as client:
        await signed_in(client, demo_org.users["Ada"])
        refused = await _post(client, f"/settings/tokens/{row.id}/revoke")
        assert refused.status_code == 404
        assert (await _post(client, "/settings/tokens/abc/revoke")).status_code == 404
    async with platform.reading() as session:
        assert (await session.get(ApiToken, row.id)).revoked_at is None  # type: ignore[union-attr]


async def test_an_account_entered_by_hand_waits_for_a_proof(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    ada = demo_org.users["Ada"]
    async with platform.reading() as session:
        member = (await members.memberships_of(session, user_id=ada))[0].id
        bruno = (await members.memberships_of(session, user_id=demo_org.users["Bruno"]))[0].id
    async with web(dev_sign_in=True) as client:
        await signed_in(client, ada)
        page = await client.get("/settings")
        assert "confirmed" in page.text and "pending" in page.text
        fields = {"member_id": str(member), "platform": "xbox", "account_id": "AdaOnXbox"}
        done = await _post(client, "/settings/accounts", **fields)
        assert done.status_code == 303
        page = await client.get("/settings")
        assert "Your Xbox account AdaOnXbox waits for a proof." in page.text
        assert "<code>AdaOnXbox</code>" in page.text and "Pending" in page.text
        # Bad values: the error beside its field, nothing linked.
        for bad, where, status in (
            ({**fields, "account_id": ""}, "account_id", 400),
            ({**fields, "platform": "gamecube"}, "platform", 400),
            (fields, "account_id", 409),  # linked already
        ):
            refused = await _post(client, "/settings/accounts", **bad)
            assert refused.status_code == status, bad
            assert f'id="f-{where}-error"' in refused.text
        # Another player's membership.
        other = await _post(client, "/settings/accounts", **{**fields, "member_id": str(bruno)})
        assert other.status_code == 403
        async with platform.reading() as session:
            [account] = (await session.scalars(select(PlatformAccount))).all()
        assert (account.member_id, account.status) == (member, "pending")
        async with web(dev_sign_in=True) as bruno_client:  # nobody else unlinks it
            await signed_in(bruno_client, demo_org.users["Bruno"])
            path = f"/settings/accounts/{account.id}/unlink"
            assert (await _post(bruno_client, path)).status_code == 403
        assert await _count(platform, PlatformAccount) == 1
        unlinked = await _post(client, f"/settings/accounts/{account.id}/unlink")
        assert unlinked.status_code == 303
    assert await _count(platform, PlatformAccount) == 0


async def test_a_user_of_no_organization_is_told_to_join_one(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    admin = demo_org.admin.user_id
    assert admin is not None
    async with platform.reading() as session:
        assert await members.memberships_of(session, user_id=admin) == []
    async with web(dev_sign_in=True) as client:
        await signed_in(client, admin)
        page = await client.get("/settings")
        assert "You are a member of no organization yet" in page.text
        assert "/settings/link/steam" not in page.text
        assert 'action="/settings/accounts"' not in page.text


async def test_other_browsers_are_signed_out_and_this_one_kept(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    ada = demo_org.users["Ada"]
    async with web(dev_sign_in=True) as phone, web(dev_sign_in=True) as laptop:
        await signed_in(phone, ada)
        await signed_in(laptop, ada)
        await signed_in(phone, demo_org.users["Bruno"])  # another user's session stays
        page = await laptop.get("/settings")
        assert page.text.count("<strong>This browser</strong>") == 1
        assert page.text.count("Another browser") == 1
        ended = await _post(laptop, "/settings/sessions/end-others")
        assert ended.status_code == 303
        assert "Signed out: 1 other session ended." in (await laptop.get("/settings")).text
        assert "Signed in as" in (await laptop.get("/")).text
    assert await _count(platform, WebSession) == 2  # the laptop's, and Bruno's


async def test_every_settings_form_needs_its_csrf_token(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    ada = demo_org.users["Ada"]
    async with web(dev_sign_in=True) as client:
        await signed_in(client, ada)
        for path, fields in (
            ("/settings/name", {"display_name": "Forged"}),
            ("/settings/tokens", {"token_name": "forged", "days": "3"}),
            ("/settings/accounts", {"member_id": "1", "platform": "xbox", "account_id": "F"}),
            ("/settings/sessions/end-others", {}),
        ):
            for token in ({}, {"csrftoken": "forged"}):
                refused = await client.post(path, data={**fields, **token})
                assert refused.status_code == 403, path
                assert "was not sent from a page of ours" in refused.text
    assert await _name(platform, ada) == "Ada"
    assert await _count(platform, ApiToken) == 0
    assert await _count(platform, PlatformAccount) == 0
    assert await _count(platform, WebSession) == 1
