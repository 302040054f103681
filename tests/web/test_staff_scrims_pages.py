"""The staff's scrim page: lock, unlock and cancel (with a reason) a scrim, ban a member from
the queue and lift the ban, each written to the audit trail the page shows; a missing
reason or length is shown beside its field, and refusals (a player, the spectator, no CSRF
token, an unknown id, an action the scrim's state refuses) change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.db import utcnow
from sprocket.errors import DomainError
from sprocket.league.models import Member
from sprocket.runtime import Runtime
from sprocket.scrims import bans, lifecycle
from sprocket.scrims.models import QueueBan, Scrim
from tests.helpers.database import snapshot
from tests.league_world import WORLD_SLUG, World
from tests.scrims.helpers import Person, premier_people
from tests.web.conftest import Demo, Web, sent_to_sign_in
from tests.web.staff_support import (
    client_as,
    error_beside,
    let_sign_in,
    post_from,
    refused_unchanged,
)


@pytest.fixture
async def people(platform: Runtime, world: World, demo_org: Demo) -> list[Person]:
    await let_sign_in(platform, world, demo_org)
    return await premier_people(platform, world)


async def open_scrim(platform: Runtime, world: World, *players: Person) -> int:
    """A casual doubles scrim the first player opens and the others join, now."""
    now = utcnow()
    async with platform.unit_of_work() as s:
        scrim = await lifecycle.create_scrim(
            s,
            actor=players[0].actor,
            organization_id=world.organization_id,
            game_mode="doubles",
            wait_until=now + dt.timedelta(minutes=30),
            competitive=False,
            now=now,
        )
    for person in players[1:]:
        async with platform.unit_of_work() as s:
            await lifecycle.join_scrim(
                s,
                actor=person.actor,
                scrim_id=scrim.id,
                wait_until=now + dt.timedelta(minutes=30),
                now=now,
            )
    return scrim.id


async def scrim_status(platform: Runtime, scrim_id: int) -> str:
    async with platform.reading() as s:
        return (await s.get(Scrim, scrim_id)).status


async def audit_entries(platform: Runtime, prefix: str) -> list[tuple[str, str, dict]]:
    async with platform.reading() as s:
        rows = await s.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
        )
        return [(r.action, r.subject, r.details) for r in rows]


async def name_of(platform: Runtime, member_id: int) -> str:
    async with platform.reading() as s:
        return (await s.get(Member, member_id)).name


async def test_staff_lock_unlock_and_cancel_a_scrim_with_a_reason(
    web: Web, platform: Runtime, world: World, people: list[Person]
) -> None:
    a, b = people[:2]
    scrim = await open_scrim(platform, world, a, b)
    page_url = f"/staff/{WORLD_SLUG}/scrims"
    async with client_as(web, world.user_ids["league_staff"]) as client:
        page = await client.get(page_url)
        assert page.status_code == 200
        assert f"Scrim {scrim}: Doubles, casual" in page.text
        assert "2 of 4 seats taken" in page.text
        assert (
            f"{await name_of(platform, a.member_id)}, {await name_of(platform, b.member_id)}"
            in (page.text)
        )

        answer = await post_from(client, page_url, f"{page_url}/{scrim}/lock")
        assert answer.status_code == 303
        assert await scrim_status(platform, scrim) == "locked"
        page = await client.get(page_url)
        assert f"Scrim {scrim} is locked" in page.text and f"Unlock scrim {scrim}" in page.text

        # Locking it again: the service's refusal at the top of the page, nothing changed.
        before = await snapshot(platform)
        answer = await post_from(client, page_url, f"{page_url}/{scrim}/lock")
        assert answer.status_code == 400 and "SCRIM_NOT_LOCKABLE" in answer.text
        assert await snapshot(platform) == before

        answer = await post_from(client, page_url, f"{page_url}/{scrim}/unlock")
        assert answer.status_code == 303
        assert await scrim_status(platform, scrim) == "pending"

        before = await snapshot(platform)
        answer = await post_from(client, page_url, f"{page_url}/{scrim}/cancel", {"reason": " "})
        assert answer.status_code == 400
        assert error_beside(answer.text, f"f-cancel-{scrim}-reason") == (
            "Say why the scrim is cancelled."
        )
        assert await snapshot(platform) == before

        answer = await post_from(
            client, page_url, f"{page_url}/{scrim}/cancel", {"reason": "Server trouble tonight."}
        )
        assert answer.status_code == 303
        assert await scrim_status(platform, scrim) == "cancelled"
        page = await client.get(page_url)
        assert f"Scrim {scrim} is cancelled" in page.text
        assert "No scrim is open." in page.text
        for words in ("locked a scrim", "unlocked a scrim", "cancelled a scrim"):
            assert words in page.text
        assert "Server trouble tonight." in page.text
    assert await audit_entries(platform, "scrim.") == [
        ("scrim.lock", f"scrim:{scrim}", {}),
        ("scrim.unlock", f"scrim:{scrim}", {}),
        ("scrim.cancel", f"scrim:{scrim}", {"reason": "Server trouble tonight."}),
    ]


async def test_staff_ban_a_member_from_the_queue_then_lift_it(
    web: Web, platform: Runtime, world: World, people: list[Person]
) -> None:
    a = people[0]
    org = world.organization_id
    page_url = f"/staff/{WORLD_SLUG}/scrims"
    form = {"member": str(a.member_id), "minutes": "90", "reason": "Missed three check-ins."}
    async with client_as(web, world.user_ids["league_staff"]) as client:
        for changed, field, sentence in (
            ({"minutes": ""}, "minutes", "Say how long the ban lasts"),
            ({"minutes": "ninety"}, "minutes", "Say how long the ban lasts"),
            ({"minutes": "0"}, "minutes", "Say how long the ban lasts"),
            ({"reason": ""}, "reason", "Say why the member is banned from the queue."),
        ):
            before = await snapshot(platform)
            answer = await post_from(
                client, page_url, f"/staff/{WORLD_SLUG}/queue-bans", {**form, **changed}
            )
            assert answer.status_code == 400
            assert error_beside(answer.text, f"f-ban-{field}").startswith(sentence)
            assert f'<option value="{a.member_id}" selected>' in answer.text  # kept
            assert await snapshot(platform) == before

        answer = await post_from(client, page_url, f"/staff/{WORLD_SLUG}/queue-bans", form)
        assert answer.status_code == 303
        page = await client.get(page_url)
        assert "Banned from the scrim queue for 90 minutes." in page.text
        async with platform.reading() as s:
            [ban] = await bans.list_bans(s, actor=world.actors["league_staff"], organization_id=org)
        assert (ban.member_id, ban.reason) == (a.member_id, "Missed three check-ins.")
        assert ban.ends_at - ban.starts_at == dt.timedelta(minutes=90)
        assert f"Lift the ban of {await name_of(platform, a.member_id)}" in page.text
        with pytest.raises(DomainError) as refused:  # the ban holds: no scrim for them
            await open_scrim(platform, world, a)
        assert refused.value.code == "QUEUE_BANNED"

        answer = await post_from(client, page_url, f"/staff/{WORLD_SLUG}/queue-bans/{ban.id}/lift")
        assert answer.status_code == 303
        page = await client.get(page_url)
        assert "The queue ban is lifted." in page.text
        assert "Nobody is banned from the queue." in page.text
        assert "banned from the queue" in page.text and "lifted a queue ban" in page.text
        assert await open_scrim(platform, world, a)  # free to play again

        # Lifting it twice: refused, at the top of the page, nothing changed.
        before = await snapshot(platform)
        answer = await post_from(client, page_url, f"/staff/{WORLD_SLUG}/queue-bans/{ban.id}/lift")
        assert answer.status_code == 400 and "no longer in force" in answer.text
        assert await snapshot(platform) == before
    assert await audit_entries(platform, "queue_ban.") == [
        (
            "queue_ban.add",
            f"member:{a.member_id}",
            {"ban_id": ban.id, "reason": "Missed three check-ins.", "minutes": 90},
        ),
        ("queue_ban.lift", f"member:{a.member_id}", {"ban_id": ban.id}),
    ]


async def test_players_spectators_forged_forms_and_unknown_ids_change_nothing(
    web: Web, platform: Runtime, world: World, people: list[Person]
) -> None:
    a, b = people[:2]
    scrim = await open_scrim(platform, world, a, b)
    org = world.organization_id
    async with platform.unit_of_work() as s:
        ban = await bans.ban_member(
            s, organization_id=org, member_id=b.member_id, reason="No-show.", now=utcnow()
        )
    assert ban is not None
    posts = {
        f"/staff/{WORLD_SLUG}/scrims/{scrim}/lock": {},
        f"/staff/{WORLD_SLUG}/scrims/{scrim}/unlock": {},
        f"/staff/{WORLD_SLUG}/scrims/{scrim}/cancel": {"reason": "Because."},
        f"/staff/{WORLD_SLUG}/queue-bans": {
            "member": str(a.member_id),
            "minutes": "5",
            "reason": "x",
        },
        f"/staff/{WORLD_SLUG}/queue-bans/{ban.id}/lift": {},
    }
    async with client_as(web, world.user_ids["player"]) as client:
        answer = await client.get(f"/staff/{WORLD_SLUG}/scrims")
        assert answer.status_code == 403 and "PERMISSION_DENIED" in answer.text
        for path, data in posts.items():
            await refused_unchanged(platform, client, path, data, 403)
        # Permission first: a player's empty ban form is a refusal, not a form error.
        await refused_unchanged(platform, client, f"/staff/{WORLD_SLUG}/queue-bans", {}, 403)
    async with client_as(web, None) as client:
        assert sent_to_sign_in(
            await client.get(f"/staff/{WORLD_SLUG}/scrims"), f"/staff/{WORLD_SLUG}/scrims"
        )
        for path, data in posts.items():
            await refused_unchanged(platform, client, path, data, 401)
    async with client_as(web, world.user_ids["league_staff"]) as client:
        before = await snapshot(platform)
        for path, data in posts.items():
            answer = await client.post(path, data=data)  # no CSRF token
            assert answer.status_code == 403 and "nothing was changed" in answer.text, path
        assert await snapshot(platform) == before
        for path, data in (
            (f"/staff/{WORLD_SLUG}/scrims/999999/lock", {}),
            (f"/staff/{WORLD_SLUG}/scrims/{scrim}/explode", {}),
            (f"/staff/{WORLD_SLUG}/queue-bans/999999/lift", {}),
            (
                f"/staff/{WORLD_SLUG}/queue-bans",
                {"member": "999999", "minutes": "5", "reason": "x"},
            ),
        ):
            await refused_unchanged(platform, client, path, data, 404)
        assert (await client.get("/staff/abc/scrims")).status_code == 404
    async with platform.reading() as s:
        assert (await s.get(Scrim, scrim)).status == "pending"
        assert (await s.scalar(select(QueueBan).where(QueueBan.id == ban.id))).lifted_at is None
