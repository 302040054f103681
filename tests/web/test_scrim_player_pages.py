"""Scrims and the matchmaking queue for signed-in players, through the pages' forms: open,
join (solo or with a premade group's code), leave, check in, the lobby shown to the scrim's
players only; enter and leave the queue and see one's place; the live parts as server-sent
events; and every refusal changing nothing."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page
from sqlalchemy import select

from sprocket.app import create_app
from sprocket.config import Settings
from sprocket.identity import service as identity
from sprocket.league import members
from sprocket.runtime import Runtime
from sprocket.scrims import service
from sprocket.scrims.enums import ScrimStatus, TicketStatus
from sprocket.scrims.models import QueueTicket, Scrim, ScrimEntry
from tests.api.test_subscriptions import TIMEOUT
from tests.web.browser import serve
from tests.web.conftest import HTML, Demo, Web, csrf_of, signed_in

#: How long a browser page may take to show a live change (seconds): generous, since CI's
#: machine runs four Chromium pages at once and may be busy.
BROWSER_WAIT = 90

NAMES = ("Ada", "Bruno", "Chioma", "Dara", "Eve")


@pytest.fixture
async def league_of_five(platform: Runtime, demo_org: Demo) -> Demo:
    """The demo organization with two more members: Dara (four players fill a doubles
    scrim) and Eve (a member who plays in none of them)."""
    async with platform.unit_of_work() as session:
        for n, name in enumerate(("Dara", "Eve"), start=4):
            user = await identity.ensure_user(
                session, discord_id=str(300000000000000000 + n), display_name=name
            )
            await members.add_member(
                session,
                actor=demo_org.admin,
                organization_id=demo_org.organization_id,
                user_id=user.id,
            )
            demo_org.users[name] = user.id
    return demo_org


@dataclass
class People:
    """A signed-in browser per member, by name, and a spectator's."""

    by_name: dict[str, httpx.AsyncClient]
    spectator: httpx.AsyncClient
    organization_id: int

    def __getitem__(self, name: str) -> httpx.AsyncClient:
        return self.by_name[name]


@contextlib.asynccontextmanager
async def browsers(web: Web, demo: Demo) -> AsyncIterator[People]:
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for name in NAMES:
            client = await stack.enter_async_context(web(dev_sign_in=True))
            assert (await signed_in(client, demo.users[name])).status_code == 303
            clients[name] = client
        spectator = await stack.enter_async_context(web(dev_sign_in=True))
        yield People(clients, spectator, demo.organization_id)


async def post(
    client: httpx.AsyncClient, url: str, data: dict[str, str], *, page: str
) -> httpx.Response:
    """Post ``data`` to ``url`` with the CSRF token of the page at ``page``."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(url, data={"csrftoken": csrf_of(shown.text), **data})


async def open_scrim(people: People, name: str = "Ada") -> int:
    """``name`` opens a casual doubles scrim through the form; its id."""
    answer = await post(
        people[name],
        "/scrims",
        {
            "organization": str(people.organization_id),
            "game_mode": "doubles",
            "kind": "casual",
            "skill_group": "",
            "team_mode": "fixed",
            "games": "3",
            "wait_minutes": "30",
        },
        page="/scrims",
    )
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/scrims/(\d+)", answer.headers["location"])
    assert found is not None
    return int(found.group(1))


async def join(people: People, name: str, scrim_id: int, code: str = "") -> httpx.Response:
    return await post(
        people[name],
        f"/scrims/{scrim_id}/join",
        {"wait_minutes": "30", "group_code": code},
        page=f"/scrims/{scrim_id}",
    )


async def seated(platform: Runtime, scrim_id: int) -> list[int]:
    async with platform.reading() as session:
        return [e.member_id for e in await service.active_entries(session, scrim_id=scrim_id)]


async def scrim_row(platform: Runtime, scrim_id: int) -> Scrim:
    async with platform.reading() as session:
        row = await session.get(Scrim, scrim_id)
    assert row is not None
    return row


def words(answer: httpx.Response) -> str:
    """The page's text with its HTML entities read (an apostrophe is &#39; in the page)."""
    return html.unescape(answer.text)


def refusal(answer: httpx.Response, status: int, sentence: str) -> None:
    assert answer.status_code == status, answer.text
    assert sentence in words(answer), answer.text


# -- scrims ------------------------------------------------------------------------------------


async def test_four_players_fill_a_scrim_and_only_they_see_its_lobby(
    web: Web, league_of_five: Demo, platform: Runtime
) -> None:
    async with browsers(web, league_of_five) as people:
        scrim_id = await open_scrim(people)
        page = await people["Ada"].get(f"/scrims/{scrim_id}")
        assert "You opened a scrim and took its first seat." in page.text
        assert "1 of 4 seats taken." in page.text and "Waiting for players." in page.text
        assert ">Ada</a> (you)" in page.text

        assert (await join(people, "Bruno", scrim_id)).status_code == 303
        # Ada starts a premade group; Chioma joins it with its code, in any case.
        group = await post(
            people["Ada"], f"/scrims/{scrim_id}/group", {}, page=f"/scrims/{scrim_id}"
        )
        assert group.status_code == 303
        page = await people["Ada"].get(f"/scrims/{scrim_id}")
        code = re.search(r'<code class="group-code">(\w+)</code>', page.text)
        assert code is not None and f"Your premade group's code is {code.group(1)}" in words(page)
        assert (await join(people, "Chioma", scrim_id, code.group(1).lower())).status_code == 303
        chioma = await people["Chioma"].get(f"/scrims/{scrim_id}")
        assert f'<code class="group-code">{code.group(1)}</code>' in chioma.text

        assert (await join(people, "Dara", scrim_id)).status_code == 303
        page = await people["Dara"].get(f"/scrims/{scrim_id}")
        assert "4 of 4 seats taken." in page.text and "Full: every player checks in" in page.text
        assert "Check in</button>" in page.text and "lobby-name" not in page.text

        # A popped scrim cannot be left: the refusal changes nothing.
        left = await post(
            people["Dara"], f"/scrims/{scrim_id}/leave", {}, page=f"/scrims/{scrim_id}"
        )
        refusal(left, 400, "This scrim has popped: check in")
        assert len(await seated(platform, scrim_id)) == 4

        for name in ("Ada", "Bruno", "Chioma", "Dara"):
            checked = await post(
                people[name], f"/scrims/{scrim_id}/check-in", {}, page=f"/scrims/{scrim_id}"
            )
            assert checked.status_code == 303, checked.text
        row = await scrim_row(platform, scrim_id)
        assert row.status == ScrimStatus.IN_PROGRESS and row.lobby_name and row.lobby_password

        for name in ("Ada", "Bruno", "Chioma", "Dara"):
            mine = await people[name].get(f"/scrims/{scrim_id}")
            assert f'<code class="lobby-name">{row.lobby_name}</code>' in mine.text
            assert f'<code class="lobby-password">{row.lobby_password}</code>' in mine.text
            assert "Game 1:" in mine.text and "(home) against" in mine.text
        # A member who is not in it, and a spectator: the summary, never the lobby nor names.
        for outsider in (people["Eve"], people.spectator):
            theirs = await outsider.get(f"/scrims/{scrim_id}")
            assert theirs.status_code == 200 and "4 of 4 seats taken." in theirs.text
            assert row.lobby_name not in theirs.text and row.lobby_password not in theirs.text
            for name in ("Ada", "Bruno", "Chioma", "Dara"):
                assert f">{name}<" not in theirs.text
        listed = await people.spectator.get("/scrims")
        assert f'href="/scrims/{scrim_id}"' in listed.text and row.lobby_name not in listed.text


async def test_leaving_and_the_refusals_of_joining_and_leaving(
    web: Web, league_of_five: Demo, platform: Runtime
) -> None:
    async with browsers(web, league_of_five) as people:
        scrim_id = await open_scrim(people)
        assert (await join(people, "Bruno", scrim_id)).status_code == 303
        gone = await post(
            people["Bruno"], f"/scrims/{scrim_id}/leave", {}, page=f"/scrims/{scrim_id}"
        )
        assert gone.status_code == 303
        assert gone.headers["location"] == f"/scrims?organization={people.organization_id}"
        assert "You left the scrim." in (await people["Bruno"].get(gone.headers["location"])).text
        assert len(await seated(platform, scrim_id)) == 1

        # Leaving a scrim one is not in.
        refusal(
            await post(
                people["Chioma"], f"/scrims/{scrim_id}/leave", {}, page=f"/scrims/{scrim_id}"
            ),
            400,
            f"You are not in scrim {scrim_id}.",
        )
        # Joining a scrim that does not exist, or with a code no group has.
        unknown = await post(
            people["Chioma"],
            "/scrims/999999/join",
            {"wait_minutes": "30"},
            page=f"/scrims/{scrim_id}",
        )
        refusal(unknown, 404, "There is no scrim with id 999999.")
        refusal(
            await join(people, "Chioma", scrim_id, "NOPE12"),
            400,
            "There is no group 'NOPE12' in this scrim; check the code.",
        )
        # An invalid wait: the sentence beside its field, the value shown again.
        for minutes, sentence in (
            ("soon", "The wait must be a whole number of at least 1."),
            ("5000", "You can wait for a scrim from 1 minute to 24 hours."),
            ("9" * 30, "You can wait for a scrim from 1 minute to 24 hours."),
        ):
            answer = await post(
                people["Chioma"],
                f"/scrims/{scrim_id}/join",
                {"wait_minutes": minutes},
                page=f"/scrims/{scrim_id}",
            )
            refusal(answer, 400, sentence)
            assert 'aria-describedby="f-wait_minutes-error"' in answer.text
            assert f'value="{minutes}"' in answer.text
        # Two players in a scrim already: nobody joins a second one.
        other = await open_scrim(people, "Dara")
        refusal(
            await join(people, "Ada", other),
            409,
            "You are already in a scrim; leave it before joining another.",
        )
        assert (
            len(await seated(platform, scrim_id)) == 1 and len(await seated(platform, other)) == 1
        )

        # A full scrim (it popped) takes nobody.
        for name in ("Bruno", "Chioma", "Eve"):
            assert (await join(people, name, scrim_id)).status_code == 303
        left = await post(people["Dara"], f"/scrims/{other}/leave", {}, page=f"/scrims/{other}")
        assert left.status_code == 303
        refusal(
            await join(people, "Dara", scrim_id),
            400,
            "This scrim is no longer taking players; join or create another.",
        )
        assert len(await seated(platform, scrim_id)) == 4

        # Unknown scrims' pages, and malformed addresses.
        for address in ("/scrims/999999", "/scrims/abc", "/scrims/0", "/scrims/99999999999"):
            assert (await people["Ada"].get(address)).status_code == 404, address


async def test_forged_forms_and_spectators_change_nothing(
    web: Web, league_of_five: Demo, platform: Runtime
) -> None:
    async with browsers(web, league_of_five) as people:
        scrim_id = await open_scrim(people)
        forged = await people["Bruno"].post(
            f"/scrims/{scrim_id}/join", data={"csrftoken": "forged", "wait_minutes": "30"}
        )
        refusal(forged, 403, "This form was not sent from a page of ours")
        missing = await people["Bruno"].post(
            f"/scrims/{scrim_id}/join", data={"wait_minutes": "30"}
        )
        assert missing.status_code == 403
        # A spectator's form carries a good token, but nobody to act as.
        for url, data in (
            (f"/scrims/{scrim_id}/join", {"wait_minutes": "30"}),
            (f"/scrims/{scrim_id}/join", {"wait_minutes": "soon"}),
            (f"/scrims/{scrim_id}/check-in", {}),
            ("/scrims", {"organization": str(people.organization_id), "wait_minutes": "x"}),
            (
                "/queue/enter",
                {
                    "organization": str(people.organization_id),
                    "game_mode": "doubles",
                    "kind": "casual",
                    "wait_minutes": "30",
                },
            ),
        ):
            answer = await post(people.spectator, url, data, page="/sign-in")
            assert answer.status_code == 401, (url, answer.text)
            assert "sign in" in answer.text.lower()
        assert len(await seated(platform, scrim_id)) == 1
        async with platform.reading() as session:
            assert (await session.scalars(select(QueueTicket))).all() == []
        page = await people.spectator.get(f"/scrims/{scrim_id}")
        assert "Sign in</a> to join this scrim." in page.text


async def test_opening_a_scrim_with_invalid_values_says_which_field(
    web: Web, league_of_five: Demo, platform: Runtime
) -> None:
    async with browsers(web, league_of_five) as people:
        base = {
            "organization": str(people.organization_id),
            "game_mode": "doubles",
            "kind": "casual",
            "team_mode": "fixed",
            "games": "3",
            "wait_minutes": "30",
        }
        for change, field, sentence, status in (
            ({"games": "99"}, "games", "A scrim has 1 to 15 games.", 400),
            ({"kind": "competitive"}, "kind", "You play in no Doubles league here", 400),
            ({"kind": "ranked"}, "kind", "Choose competitive or casual.", 400),
            ({"team_mode": "chaos"}, "team_mode", "'chaos' is not a team mode", 400),
            ({"wait_minutes": ""}, "wait_minutes", "Say the wait.", 400),
        ):
            answer = await post(people["Ada"], "/scrims", {**base, **change}, page="/scrims")
            refusal(answer, status, sentence)
            assert f'aria-describedby="f-{field}-error"' in answer.text, field
        unknown_mode = await post(
            people["Ada"], "/scrims", {**base, "game_mode": "hoops"}, page="/scrims"
        )
        refusal(unknown_mode, 400, "Unknown game mode 'hoops'.")
        async with platform.reading() as session:
            assert (await session.scalars(select(Scrim))).all() == []
        # An organization that does not exist: the 404 page.
        for organization in ("999999", "9" * 30):
            nowhere = await post(
                people["Eve"], "/scrims", {**base, "organization": organization}, page="/scrims"
            )
            assert nowhere.status_code == 404, organization
        assert (await people["Eve"].get("/scrims?organization=" + "9" * 30)).status_code == 404


# -- the queue -----------------------------------------------------------------------------------


def queue_form(people: People) -> dict[str, str]:
    """The queue's form for a casual doubles ticket (without the wait)."""
    return {
        "organization": str(people.organization_id),
        "game_mode": "doubles",
        "kind": "casual",
        "skill_group": "",
    }


async def enter(people: People, name: str) -> httpx.Response:
    return await post(
        people[name], "/queue/enter", {**queue_form(people), "wait_minutes": "30"}, page="/queue"
    )


async def leave_queue(people: People, name: str) -> httpx.Response:
    return await post(
        people[name], "/queue/leave", {"organization": str(people.organization_id)}, page="/queue"
    )


def place(page: str) -> str:
    found = re.search(r'place <span class="position">(\d+)</span> of (\d+)', page)
    assert found is not None, page
    return f"{found.group(1)} of {found.group(2)}"


async def test_entering_and_leaving_the_queue_and_one_s_place(
    web: Web, league_of_five: Demo, platform: Runtime
) -> None:
    async with browsers(web, league_of_five) as people:
        first = await enter(people, "Ada")
        assert first.status_code == 303
        assert first.headers["location"] == f"/queue?organization={people.organization_id}"
        page = await people["Ada"].get(first.headers["location"])
        assert "You are waiting in the queue." in page.text and place(page.text) == "1 of 1"
        assert (await enter(people, "Bruno")).status_code == 303
        assert place((await people["Bruno"].get("/queue")).text) == "2 of 2"
        spectator = await people.spectator.get("/queue")
        assert "<td>Casual</td>" in spectator.text and '<td class="num">2</td>' in spectator.text
        assert "Bruno" not in spectator.text and "Ada" not in spectator.text

        assert (await leave_queue(people, "Ada")).status_code == 303
        assert place((await people["Bruno"].get("/queue")).text) == "1 of 1"
        refusal(await leave_queue(people, "Ada"), 400, "You are not waiting in the scrim queue.")
        refusal(
            await enter(people, "Bruno"),
            409,
            "You are already waiting in the scrim queue; leave it first.",
        )

        # The fourth player fills a lobby: a popped scrim, and everyone is sent to it.
        for name in ("Chioma", "Dara"):
            assert (await enter(people, name)).status_code == 303
        last = await enter(people, "Ada")
        assert last.status_code == 303 and last.headers["location"].startswith("/scrims/")
        scrim_id = int(last.headers["location"].rsplit("/", 1)[1])
        page = await people["Ada"].get(last.headers["location"])
        assert "A lobby formed at once" in page.text and "Check in</button>" in page.text
        bruno = await people["Bruno"].get("/queue")
        assert f'<a href="/scrims/{scrim_id}">scrim {scrim_id}</a>' in bruno.text
        assert "check in there now" in bruno.text
        async with platform.reading() as session:
            tickets = (await session.scalars(select(QueueTicket))).all()
        assert {t.status for t in tickets if t.scrim_id == scrim_id} == {TicketStatus.PLACED}


async def test_queue_refusals(web: Web, league_of_five: Demo, platform: Runtime) -> None:
    async with browsers(web, league_of_five) as people:
        answer = await post(
            people["Ada"],
            "/queue/enter",
            {
                "organization": str(people.organization_id),
                "game_mode": "doubles",
                "kind": "casual",
                "wait_minutes": "0",
            },
            page="/queue",
        )
        refusal(answer, 400, "The wait must be a whole number of at least 1.")
        assert 'aria-describedby="f-wait_minutes-error"' in answer.text
        forged = await people["Ada"].post(
            "/queue/enter", data={"csrftoken": "x", "organization": str(people.organization_id)}
        )
        assert forged.status_code == 403
        assert (await people["Ada"].get("/queue?organization=999999")).status_code == 404
        async with platform.reading() as session:
            assert (await session.scalars(select(QueueTicket))).all() == []
            assert (await session.scalars(select(ScrimEntry))).all() == []


# -- live ----------------------------------------------------------------------------------------


async def next_event(lines: AsyncIterator[str]) -> tuple[str, str]:
    """The stream's next event with data (its name and data), within the deadline."""
    name, data = "message", []
    async with asyncio.timeout(TIMEOUT):
        async for line in lines:
            if not line:
                if data:
                    return name, "\n".join(data)
                name = "message"
            elif not line.startswith(":"):
                key, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if key == "event":
                    name = value
                elif key == "data":
                    data.append(value)
    raise AssertionError("the stream ended")


@contextlib.asynccontextmanager
async def served(platform: Runtime, settings: Settings) -> AsyncIterator[str]:
    """The app (development sign-in on) over real HTTP on a free local port; its base URL."""
    app = create_app(settings.model_copy(update={"dev_sign_in": True}), runtime=platform)
    async with contextlib.asynccontextmanager(serve)(app) as url:
        yield url


def cookies_of(client: httpx.AsyncClient) -> dict[str, str]:
    """The session and CSRF cookies of a client signed in through the ASGI transport."""
    return {name: client.cookies[name] for name in ("sprocket_session", "csrftoken")}


async def test_a_scrim_page_hears_another_player_join_live(
    web: Web, league_of_five: Demo, platform: Runtime, settings: Settings
) -> None:
    async with browsers(web, league_of_five) as people, served(platform, settings) as base:
        scrim_id = await open_scrim(people)
        await platform.relay.relay_once()
        page = await people["Ada"].get(f"/scrims/{scrim_id}")
        assert f'data-live="/scrims/{scrim_id}/events"' in page.text
        assert '<script src="/static/live.js" defer></script>' in page.text
        async with (
            httpx.AsyncClient(base_url=base, cookies=cookies_of(people["Ada"])) as ada,
            ada.stream("GET", f"/scrims/{scrim_id}/events", headers=HTML) as events,
        ):
            assert events.status_code == 200
            assert events.headers["content-type"].startswith("text/event-stream")
            assert events.headers["cache-control"] == "no-store"
            lines = events.aiter_lines()
            name, first = await next_event(lines)
            assert name == "update" and "1 of 4 seats taken." in first and ">Ada</a>" in first

            assert (await join(people, "Bruno", scrim_id)).status_code == 303
            await platform.relay.relay_once()
            name, second = await next_event(lines)
            assert name == "update" and "2 of 4 seats taken." in second and ">Bruno</a>" in second
            assert csrf_of(second) == csrf_of(page.text)  # its forms work once swapped in

            # Ada signs out elsewhere: the next event finds her session ended.
            home = await people["Ada"].get("/")
            assert (
                await people["Ada"].post("/sign-out", data={"csrftoken": csrf_of(home.text)})
            ).status_code == 303
            row = await scrim_row(platform, scrim_id)
            channel = service.queue_channel(row.organization_id, row.game_mode_id)
            await platform.cache.publish(channel, b"nudge")
            name, ended = await next_event(lines)
            assert name == "ended" and "sign in again" in ended.lower()


async def test_the_queue_page_hears_its_place_move_live(
    web: Web, league_of_five: Demo, platform: Runtime, settings: Settings
) -> None:
    async with browsers(web, league_of_five) as people, served(platform, settings) as base:
        assert (await enter(people, "Bruno")).status_code == 303
        assert (await enter(people, "Ada")).status_code == 303
        await platform.relay.relay_once()
        url = f"/queue/events?organization={people.organization_id}"
        async with (
            httpx.AsyncClient(base_url=base, cookies=cookies_of(people["Ada"])) as ada,
            ada.stream("GET", url, headers=HTML) as events,
        ):
            lines = events.aiter_lines()
            name, first = await next_event(lines)
            assert name == "update" and place(first) == "2 of 2"
            assert (await leave_queue(people, "Bruno")).status_code == 303
            await platform.relay.relay_once()
            name, moved = await next_event(lines)
            assert name == "update" and place(moved) == "1 of 1"


async def browser_page(chromium: Browser, site: str, client: httpx.AsyncClient) -> Page:
    """A page in a browser context of its own, signed in as ``client`` is."""
    context = await chromium.new_context()
    session = client.cookies["sprocket_session"]
    await context.add_cookies([{"name": "sprocket_session", "value": session, "url": site}])
    return await context.new_page()


async def test_four_browsers_see_check_ins_and_the_lobby_appear_without_reloading(
    chromium: Browser,
    web: Web,
    league_of_five: Demo,
    platform: Runtime,
    settings: Settings,
) -> None:
    players = ("Ada", "Bruno", "Chioma", "Dara")
    async with browsers(web, league_of_five) as people, served(platform, settings) as site:
        scrim_id = await open_scrim(people)
        for name in players[1:]:
            assert (await join(people, name, scrim_id)).status_code == 303
        await platform.relay.relay_once()
        pages = {}
        for name in players:
            pages[name] = await browser_page(chromium, site, people[name])
            await pages[name].goto(f"{site}/scrims/{scrim_id}")
            await pages[name].evaluate("window.notReloaded = true")
        try:
            for name in players:
                page = pages[name]
                async with page.expect_navigation():
                    await page.get_by_role("button", name="Check in").click()
                await page.evaluate("window.notReloaded = true")
                await platform.relay.relay_once()
            # Everyone's page showed the lobby as the last check-in started the scrim.
            row = await scrim_row(platform, scrim_id)
            for name in players:
                lobby = pages[name].locator(".lobby-name")
                await lobby.wait_for(timeout=BROWSER_WAIT * 1000)
                assert await lobby.inner_text() == row.lobby_name
                assert await pages[name].evaluate("window.notReloaded === true")
            # Ada's page got the others' check-ins live: its last load came before theirs.
            seats = await pages["Ada"].locator("table.seats tbody tr").all_inner_texts()
            assert len(seats) == 4 and all("yes" in line for line in seats)
            # The pages and their forms pass axe-core's checks (labels, contrast, roles...).
            pages["Eve"] = await browser_page(chromium, site, people["Eve"])
            for name, address in (
                ("Ada", f"/scrims/{scrim_id}"),
                ("Eve", "/scrims"),
                ("Eve", "/queue"),
                ("Eve", f"/scrims/{scrim_id}"),
            ):
                await pages[name].goto(site + address)
                results = await Axe().run(pages[name])
                assert results.response["testEngine"]["name"] == "axe-core"
                assert results.violations_count == 0, results.generate_report()
        finally:
            for page in pages.values():
                await page.context.close()
