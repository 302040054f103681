"""The staff area's entry: who sees which organizations, and who is refused; each
organization's staff pages named by its slug, their old numbered addresses moved there."""

from __future__ import annotations

from sprocket.demo import SLUG
from sprocket.league import service as league
from sprocket.runtime import Runtime
from tests.web.conftest import Demo, Web, csrf_of, sent_to_sign_in, signed_in


async def test_staff_lists_only_organizations_the_viewer_runs(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        page = await client.get("/staff")
        assert page.status_code == 200
        assert f'href="/staff/{SLUG}"' in page.text
        assert f'href="/staff/{demo_org.organization_id}"' not in page.text
        hub = await client.get(f"/staff/{SLUG}")
        assert hub.status_code == 200
        assert f'href="/staff/{SLUG}/schedules"' in hub.text


async def test_a_player_is_refused_the_hub(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Ada"])).status_code == 303
        page = await client.get("/staff")
        assert page.status_code == 200
        assert "not league staff" in page.text
        hub = await client.get(f"/staff/{SLUG}")
        assert hub.status_code == 403
        assert "PERMISSION_DENIED" in hub.text


async def test_a_spectator_must_sign_in(web: Web, demo_org: Demo) -> None:
    async with web() as client:
        assert sent_to_sign_in(await client.get("/staff"), "/staff")
        assert (await client.get("/staff/0")).status_code == 404


async def test_old_numbered_addresses_move_to_the_slug_for_good(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    org = demo_org.organization_id
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        moves = {
            f"/staff/{org}": f"/staff/{SLUG}",
            f"/staff/{org}/schedules": f"/staff/{SLUG}/schedules",
            f"/staff/{org}/analytics?from=2025-03-01&to=2025-03-14": (
                f"/staff/{SLUG}/analytics?from=2025-03-01&to=2025-03-14"
            ),
            f"/staff/{SLUG.upper()}/people": f"/staff/{SLUG}/people",
        }
        for old, new in moves.items():
            moved = await client.get(old)
            assert moved.status_code == 308 and moved.headers["location"] == new, old
            assert (await client.get(new)).status_code == 200, new
        # An old form's post moves too, keeping its method (the browser posts it again).
        page = await client.get(f"/staff/{SLUG}/configuration")
        old_form = f"/staff/{org}/configuration/time-zone"
        data = {"csrftoken": csrf_of(page.text), "time_zone": "Europe/Paris"}
        moved = await client.post(old_form, data=data)
        assert moved.status_code == 308
        assert moved.headers["location"] == f"/staff/{SLUG}/configuration/time-zone"
        async with platform.reading() as s:
            assert await league.organization_zone(s, org) == "UTC"  # nothing done at the old one
        done = await client.post(moved.headers["location"], data=data)
        assert done.status_code == 303
        async with platform.reading() as s:
            assert await league.organization_zone(s, org) == "Europe/Paris"
    async with web() as spectator:  # moved before anything else: then sent to sign in
        moved = await spectator.get(f"/staff/{org}/people")
        assert moved.status_code == 308 and moved.headers["location"] == f"/staff/{SLUG}/people"


async def test_a_slug_that_is_a_number_names_its_own_organization(
    web: Web, demo_org: Demo, platform: Runtime
) -> None:
    async with platform.unit_of_work() as s:
        others = [
            await league.create_organization(
                s, actor=demo_org.admin, slug=f"other-{n}", name=f"Other {n}"
            )
            for n in range(10)
        ]
        taken = others[-1].id  # an id of two digits or more: a slug may be it
        numbered = await league.create_organization(
            s, actor=demo_org.admin, slug=str(taken), name="Numbered"
        )
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        hub = await client.get(f"/staff/{taken}")
        assert hub.status_code == 200 and "<h1>Numbered" in hub.text
        moved = await client.get(f"/staff/{numbered.id}")
        assert moved.status_code == 308
        assert moved.headers["location"] == f"/staff/{numbered.slug}"


async def test_an_address_naming_no_organization_is_not_found(web: Web, demo_org: Demo) -> None:
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        for path in ("/staff/0", "/staff/999999", "/staff/no-such-org", "/staff/x/schedules"):
            page = await client.get(path)
            assert page.status_code == 404 and "NOT_FOUND" in page.text, path
