"""The staff area's entry: who sees which organizations, and who is refused."""

from __future__ import annotations

from sprocket.runtime import Runtime
from tests.web.conftest import Demo, Web, sent_to_sign_in, signed_in


async def test_staff_lists_only_organizations_the_viewer_runs(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        page = await client.get("/staff")
        assert page.status_code == 200
        assert f'href="/staff/{demo_org.organization_id}"' in page.text
        hub = await client.get(f"/staff/{demo_org.organization_id}")
        assert hub.status_code == 200
        assert f"/staff/{demo_org.organization_id}/schedules" in hub.text


async def test_a_player_is_refused_the_hub(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        page = await client.get("/staff")
        assert page.status_code == 200
        assert "not league staff" in page.text
        hub = await client.get(f"/staff/{demo_org.organization_id}")
        assert hub.status_code == 403
        assert "PERMISSION_DENIED" in hub.text


async def test_a_spectator_must_sign_in(web: Web, demo_org: Demo) -> None:
    async with web() as client:
        assert sent_to_sign_in(await client.get("/staff"), "/staff")
        assert (await client.get("/staff/0")).status_code == 404
