"""The player pages of results: uploading a match's replays, the submission's report in
sentences, ratifying, rejecting with a reason, claiming an unknown account, and the dashboard.

The match is proven by the real 2v2 league game in ../shared/replays, Orange Crew (Ada,
Bruno) against Blue Crew (Chioma, Dara) as :mod:`tests.web.real_match` builds it; Emeka is a
member on neither team.
"""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

from sprocket.identity.access import Actor
from sprocket.replays.enums import SubmissionStatus
from sprocket.replays.models import Ratification, Submission
from sprocket.replays.report_words import report_words
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from sprocket.scrims import lifecycle, matchmaking
from tests.conftest import REPLAYS
from tests.helpers.database import snapshot
from tests.replays.test_submissions import count, load, objects, run_jobs
from tests.web.conftest import Demo, Web, csrf_of, sent_to_sign_in, signed_in
from tests.web.real_match import ACCOUNTS, REAL, RealMatch, build_real_match
from tests.web.test_league_pages import text_of as page_text
from tests.web.test_pages import foreign_addresses

CORRUPT = REPLAYS / "bad" / "fuzz-corpus.replay"

pytestmark = pytest.mark.replays


def text_of(page: str) -> str:
    """The words of a page's main part, without the space a tag leaves before punctuation."""
    return re.sub(r"\s+([.,;:)])", r"\1", page_text(page))


@pytest.fixture
async def real(platform: Runtime, demo_org: Demo) -> RealMatch:
    return await build_real_match(platform, demo_org)


async def upload(
    client: httpx.AsyncClient, match_id: int, files: list[tuple[str, bytes]], *, csrf: bool = True
) -> httpx.Response:
    """Post ``files`` (name, bytes) through the match's upload form, with the form's CSRF
    token first unless ``csrf`` is False."""
    form = await client.get(f"/matches/{match_id}/submit")
    assert form.status_code == 200, form.text
    data = {"csrftoken": csrf_of(form.text)} if csrf else {}
    return await client.post(
        f"/matches/{match_id}/submit",
        data=data,
        files=[("replays", (name, body, "application/octet-stream")) for name, body in files],
    )


def submission_id_of(answer: httpx.Response) -> int:
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/submissions/([0-9]+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, fields: dict[str, str] | None = None
) -> httpx.Response:
    """Post ``fields`` to ``action`` with the CSRF token of ``page``."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(action, data={"csrftoken": csrf_of(shown.text), **(fields or {})})


async def uploaded_by_ada(web: Web, platform: Runtime, real: RealMatch) -> int:
    """Ada uploads the real game for the first match; the job checks it. The submission id."""
    async with web(dev_sign_in=True) as ada:
        assert (await signed_in(ada, real.users["Ada"])).status_code == 303
        answer = await upload(ada, real.match_id, [(REAL.name, REAL.read_bytes())])
    submission_id = submission_id_of(answer)
    await run_jobs(platform)
    return submission_id


# -- upload and report ---------------------------------------------------------------------------


async def test_an_upload_shows_the_report_in_sentences(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    async with web(dev_sign_in=True) as ada:
        assert (await signed_in(ada, real.users["Ada"])).status_code == 303
        match_page = await ada.get(f"/matches/{real.match_id}")
        assert f'href="/matches/{real.match_id}/submit">Submit replays</a>' in match_page.text
        form = await ada.get(f"/matches/{real.match_id}/submit")
        assert form.status_code == 200
        assert 'enctype="multipart/form-data"' in form.text and 'type="file"' in form.text
        assert '<script src="/static/upload.js" defer></script>' in form.text
        assert foreign_addresses(form.text) == []
        # The token comes first: the CSRF guard reads it before any file.
        assert form.text.index('name="csrftoken"') < form.text.index('type="file"')

        answer = await upload(ada, real.match_id, [(REAL.name, REAL.read_bytes())])
        submission_id = submission_id_of(answer)
        waiting = await ada.get(answer.headers["location"])
        assert waiting.status_code == 200
        assert "Replays uploaded" in waiting.text  # the notice
        assert "processing" in text_of(waiting.text)
        assert f"Game 1: {REAL.name}" in text_of(waiting.text)

        await run_jobs(platform)
        page = await ada.get(f"/submissions/{submission_id}")
    text = text_of(page.text)
    assert "State: awaiting ratification." in text
    assert "Every game checks out." in text
    # The game's UTC start (its local-time Date says 21 Nov); Blue Crew is at home.
    assert (
        f"Game 1 ({REAL.name}), played 22 Nov 2025 03:54 UTC: Blue Crew 1–5 Orange Crew, "
        "Blue Crew on blue; won by Orange Crew."
    ) in text
    # Ada sees her own account; the others' ids are theirs to show.
    assert (
        "We expected Ada for Orange Crew on orange; the replay has their account "
        "'Ouiiidbrownies' (PlayStation 4421738174632351326) on orange."
    ) in text
    assert (
        "We expected Chioma for Blue Crew on blue; the replay has their account 'Ant' (Steam"
        in text
    )
    assert (
        "We expected Dara for Blue Crew on blue; the replay has their account 'xZ Golden Zx' (Epic"
        in text
    )
    # Ada's side submitted: she may reject, not ratify.
    assert "Ratify this result" not in page.text
    assert "Reject this result" in page.text
    assert foreign_addresses(page.text) == []


async def test_an_unknown_account_is_told_and_its_player_claims_it(
    web: Web, platform: Runtime, demo_org: Demo
) -> None:
    real = await build_real_match(platform, demo_org, unlinked=("Dara",))
    submission_id = await uploaded_by_ada(web, platform, real)
    assert (await load(platform, submission_id)).status == SubmissionStatus.REJECTED
    async with web(dev_sign_in=True) as dara:
        assert (await signed_in(dara, real.users["Dara"])).status_code == 303
        page = await dara.get(f"/submissions/{submission_id}")
        text = text_of(page.text)
        assert "Dara (Blue Crew) does not appear in this replay." in text
        assert (
            "The replay's player 'xZ Golden Zx' (Epic 724b831736dc4b9e96668d4410655857) on blue "
            "is not linked to anyone."
        ) in text
        assert (
            "account 'xZ Golden Zx' (Epic 724b831736dc4b9e96668d4410655857) is linked to nobody."
            in text
        )
        assert "This account is mine" in page.text
        claimed = await post_form(
            dara,
            f"/submissions/{submission_id}",
            f"/submissions/{submission_id}/claim",
            {"platform": "epic", "account_id": ACCOUNTS["Dara"][1]},
        )
        assert claimed.status_code == 303
        after = text_of((await dara.get(claimed.headers["location"])).text)
    assert "Your claim is recorded" in after
    assert (
        "Dara says 'xZ Golden Zx' (Epic 724b831736dc4b9e96668d4410655857) is theirs: pending."
        in after
    )
    assert "Claimed; waiting for confirmation." in after
    # An opponent (Ada, on the other side) confirms it: linked, and the replays checked again.
    async with web(dev_sign_in=True) as ada:
        assert (await signed_in(ada, real.users["Ada"])).status_code == 303
        page = await ada.get(f"/submissions/{submission_id}")
        claim = re.search(r'action="(/submissions/\d+/claims/\d+/confirm)"', page.text)
        assert claim, "Ada may confirm Dara's claim"
        confirmed = await post_form(ada, f"/submissions/{submission_id}", claim.group(1))
        assert confirmed.status_code == 303
    await run_jobs(platform)
    assert (await load(platform, submission_id)).status == SubmissionStatus.AWAITING_RATIFICATION


# -- answers --------------------------------------------------------------------------------------


async def test_the_opponent_ratifies_and_the_result_is_accepted(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    submission_id = await uploaded_by_ada(web, platform, real)
    async with web(dev_sign_in=True) as chioma:
        assert (await signed_in(chioma, real.users["Chioma"])).status_code == 303
        dashboard = await chioma.get("/me")
        assert dashboard.status_code == 200
        assert f'href="/submissions/{submission_id}">Submission {submission_id}' in dashboard.text
        page = await chioma.get(f"/submissions/{submission_id}")
        assert "Ratify this result" in page.text
        answer = await post_form(
            chioma, f"/submissions/{submission_id}", f"/submissions/{submission_id}/ratify"
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/submissions/{submission_id}"
        after = await chioma.get(answer.headers["location"])
        text = text_of(after.text)
        assert "You ratified the result: it is accepted." in text
        assert "State: accepted." in text and "Chioma ratified the result" in text
        assert "Ratify this result" not in after.text and "Reject this result" not in after.text
        dashboard = text_of((await chioma.get("/me")).text)
        match_page = text_of((await chioma.get(f"/matches/{real.match_id}")).text)
    assert (await load(platform, submission_id)).status == SubmissionStatus.ACCEPTED
    assert "Nothing waits for your ratification." in dashboard
    assert re.search(
        r"Sprocket Demo League, Doubles: \d+ \(1 rated game, 0 won; provisional\)", dashboard
    )
    assert "Game 1: Blue Crew 1–5 Orange Crew" in match_page and "Won by Orange Crew" in match_page


async def test_rejecting_needs_a_reason(web: Web, platform: Runtime, real: RealMatch) -> None:
    submission_id = await uploaded_by_ada(web, platform, real)
    async with web(dev_sign_in=True) as chioma:
        assert (await signed_in(chioma, real.users["Chioma"])).status_code == 303
        before = await snapshot(platform)
        answer = await post_form(
            chioma,
            f"/submissions/{submission_id}",
            f"/submissions/{submission_id}/reject",
            {"reason": "   "},
        )
        assert answer.status_code == 400
        assert await snapshot(platform) == before
        beside = '<span id="f-reason-error" class="error" role="alert">'
        assert beside + "Say why the result is wrong.</span>" in answer.text
        assert 'aria-invalid="true" aria-describedby="f-reason-error"' in answer.text
        answer = await post_form(
            chioma,
            f"/submissions/{submission_id}",
            f"/submissions/{submission_id}/reject",
            {"reason": "Game 2 is missing."},
        )
        assert answer.status_code == 303
        text = text_of((await chioma.get(answer.headers["location"])).text)
    assert "State: rejected." in text and "Why: Game 2 is missing." in text
    assert "Chioma rejected the result: Game 2 is missing." in text
    assert (await load(platform, submission_id)).status == SubmissionStatus.REJECTED


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.skipif(not CORRUPT.is_file(), reason=f"the shared replay {CORRUPT} is absent")
async def test_a_corrupt_file_is_told_beside_the_field_and_changes_nothing(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    async with web(dev_sign_in=True) as ada:
        assert (await signed_in(ada, real.users["Ada"])).status_code == 303
        before, stored = await snapshot(platform), objects(platform)
        answer = await upload(
            ada,
            real.match_id,
            [(REAL.name, REAL.read_bytes()), ("broken.replay", CORRUPT.read_bytes())],
        )
    assert answer.status_code == 400
    assert await snapshot(platform) == before and objects(platform) == stored
    error = re.search(
        r'<span id="f-replays-error" class="error" role="alert">(.*?)</span>', answer.text, re.S
    )
    assert error, answer.text
    assert error.group(1).startswith("Replay 2 (broken.replay): ")
    assert "CORRUPT_REPLAY" in error.group(1)
    assert 'aria-invalid="true"' in answer.text
    assert await count(platform, Submission) == 0


async def test_no_file_is_told_beside_the_field(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    async with web(dev_sign_in=True) as ada:
        assert (await signed_in(ada, real.users["Ada"])).status_code == 303
        answer = await upload(ada, real.match_id, [("", b"")])
    assert answer.status_code == 400
    assert "Choose the series&#39; replay files, one per game." in answer.text
    assert await count(platform, Submission) == 0


async def test_a_player_of_neither_team_is_refused(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    async with web(dev_sign_in=True) as emeka:
        assert (await signed_in(emeka, real.users["Emeka"])).status_code == 303
        match_page = await emeka.get(f"/matches/{real.match_id}")
        assert "Submit replays" not in match_page.text
        form = await emeka.get(f"/matches/{real.match_id}/submit")
        assert form.status_code == 403
        assert "Only players of the two teams" in form.text and "PERMISSION_DENIED" in form.text
        home = await emeka.get("/")  # any page's token will do for the guard
        answer = await emeka.post(
            f"/matches/{real.match_id}/submit",
            data={"csrftoken": csrf_of(home.text)},
            files=[("replays", (REAL.name, REAL.read_bytes(), "application/octet-stream"))],
        )
    assert answer.status_code == 403
    assert "Only players of the two teams" in answer.text
    assert await count(platform, Submission) == 0


async def test_a_player_of_neither_team_cannot_answer(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    submission_id = await uploaded_by_ada(web, platform, real)
    async with web(dev_sign_in=True) as emeka:
        assert (await signed_in(emeka, real.users["Emeka"])).status_code == 303
        page = await emeka.get(f"/submissions/{submission_id}")
        assert page.status_code == 200
        assert "Ratify this result" not in page.text and "Reject this result" not in page.text
        answer = await post_form(
            emeka, f"/submissions/{submission_id}", f"/submissions/{submission_id}/ratify"
        )
    assert answer.status_code == 403
    assert await count(platform, Ratification) == 0


async def test_forms_without_the_csrf_token_are_refused(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    async with web(dev_sign_in=True) as ada:
        assert (await signed_in(ada, real.users["Ada"])).status_code == 303
        answer = await upload(ada, real.match_id, [(REAL.name, REAL.read_bytes())], csrf=False)
        assert answer.status_code == 403
        assert "not sent from a page of ours" in answer.text
        forged = await ada.post(
            f"/matches/{real.match_id}/submit",
            data={"csrftoken": "forged"},
            files=[("replays", (REAL.name, REAL.read_bytes(), "application/octet-stream"))],
        )
        assert forged.status_code == 403
    assert await count(platform, Submission) == 0
    submission_id = await uploaded_by_ada(web, platform, real)
    async with web(dev_sign_in=True) as chioma:
        assert (await signed_in(chioma, real.users["Chioma"])).status_code == 303
        answer = await chioma.post(f"/submissions/{submission_id}/ratify")
    assert answer.status_code == 403
    assert await count(platform, Ratification) == 0


async def test_unknown_ids_are_404_pages(web: Web, real: RealMatch) -> None:
    async with web(dev_sign_in=True) as ada:
        assert (await signed_in(ada, real.users["Ada"])).status_code == 303
        for path in ("/submissions/999999", "/submissions/abc", "/matches/999999/submit"):
            page = await ada.get(path)
            assert page.status_code == 404, path
            assert "NOT_FOUND" in page.text and "Traceback" not in page.text, path


# -- the dashboard --------------------------------------------------------------------------------


async def test_the_player_pages_need_a_sign_in(web: Web, real: RealMatch) -> None:
    submit = f"/matches/{real.match_id}/submit"
    async with web() as spectator:
        assert sent_to_sign_in(await spectator.get("/me"), "/me")
        assert sent_to_sign_in(await spectator.get(submit), submit)
        plain = {"accept": "application/json"}  # not a browser's visit: the refusal itself
        page = await spectator.get("/me", headers=plain)
        form = await spectator.get(submit, headers=plain)
        match_page = await spectator.get(f"/matches/{real.match_id}")
    assert page.status_code == 401
    assert "Sign in to see your dashboard." in page.text and "UNAUTHENTICATED" in page.text
    assert form.status_code == 401 and "Sign in to submit replays." in form.text
    assert "Submit replays" not in match_page.text


async def test_the_dashboard_shows_the_next_match_with_its_window(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    async with web(dev_sign_in=True) as bruno:
        assert (await signed_in(bruno, real.users["Bruno"])).status_code == 303
        page = await bruno.get("/me")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "You play for Orange Crew." in text
    async with platform.reading() as session:
        nxt = await schedule.match_by_id(session, match_id=real.next_match_id)
    assert f'href="/matches/{real.next_match_id}"' in page.text
    assert f'<time datetime="{nxt.starts_at.isoformat()}">' in page.text
    assert f'<time datetime="{nxt.ends_at.isoformat()}">' in page.text
    assert f'href="/matches/{real.next_match_id}/submit">Submit replays</a>' in page.text
    assert f'href="/matches/{real.match_id}"' not in page.text  # last year's window is over
    assert "Nothing waits for your ratification." in text
    assert "You are in no scrim and no queue." in text
    assert "Not rated yet" in text
    assert foreign_addresses(page.text) == []


# -- in a browser: the upload with its progress script --------------------------------------------


async def no_axe_violations(page: Page) -> None:
    """axe-core finds no accessibility violation on the page as it stands."""
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


async def test_the_upload_script_sends_the_form_and_shows_the_submission(
    chromium: Browser,
    site: str,
    platform: Runtime,
    real: RealMatch,
) -> None:
    context = await chromium.new_context()
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.goto(site + "/sign-in")
    await page.get_by_label("User").select_option(label="Ada")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(site + "/")
    await page.goto(f"{site}/matches/{real.match_id}")
    await page.get_by_role("link", name="Submit replays").click()
    await page.wait_for_url(f"{site}/matches/{real.match_id}/submit")
    assert await page.locator(".upload-progress").is_hidden()
    await no_axe_violations(page)
    await page.evaluate("window.stayed = true")  # gone if the browser loaded a new page
    await page.get_by_label("Replay files").set_input_files(str(REAL))
    await page.get_by_role("button", name="Upload the replays").click()
    # The script shows the answer in place and moves the address to the submission.
    await page.wait_for_url(re.compile(r".*/submissions/[0-9]+$"))
    number = page.url.rsplit("/", 1)[1]
    assert await page.evaluate("window.stayed === true")
    assert await page.title() == f"Submission {number} · Sprocket"
    assert await page.get_by_role("heading", level=1).inner_text() == (
        f"Submission {number} · Blue Crew vs Orange Crew"
    )
    assert await page.get_by_text("Replays uploaded").is_visible()
    await no_axe_violations(page)
    await page.goto(site + "/me")
    await no_axe_violations(page)
    await context.close()
    assert problems == []
    assert await count(platform, Submission) == 1


# -- the report's sentences (pure) ---------------------------------------------------------------


def test_the_report_words_every_kind_of_player() -> None:
    game = {
        "number": 2,
        "filename": "g2.replay",
        "expected_home": ["Ada"],
        "expected_away": ["Chioma"],
        "found": [
            {"name": "ada_rl", "platform": "epic", "platform_id": "AB12", "replay_team": 1,
             "member_id": 1, "team_id": 10},
            {"name": "Ant", "platform": "steam", "platform_id": None, "replay_team": 0,
             "member_id": 3, "team_id": 20},
            {"name": "xyz", "platform": "steam", "platform_id": "76561190000000001",
             "replay_team": 0, "member_id": None, "team_id": None},
            {"name": "Emeka", "platform": "psn", "platform_id": "77", "replay_team": 1,
             "member_id": 5, "team_id": None},
            {"name": "Guest", "platform": None, "platform_id": None, "replay_team": 1,
             "member_id": None, "team_id": None},
        ],
        "home_index": 1, "home_goals": 3, "away_goals": 2, "home_won": True, "forfeit": False,
        "played_at": "2025-11-22T03:54:00+00:00",
        "problems": [{"code": "UNKNOWN_ACCOUNT", "message": "Replay 2: ...", "game": 2}],
    }  # fmt: skip
    unreadable = {
        "number": 3, "filename": "g3.replay", "expected_home": ["Ada"], "expected_away": [],
        "found": [],
        "problems": [{"code": "CORRUPT_REPLAY", "message": "Replay 3 (g3.replay): broken.",
                      "game": 3}],
    }  # fmt: skip
    report = {
        "ok": False,
        "games": [game, unreadable],
        "problems": [{"code": "X", "message": "Home FC fielded 3 players.", "game": None}],
        "unknown_accounts": [
            {"game": 2, "name": "xyz", "platform": "steam", "platform_id": "76561190000000001"}
        ],
    }
    words = report_words(
        report,
        home="Home FC",
        away="Away FC",
        names={1: "Ada", 3: "Chioma", 5: "Emeka"},
        when=lambda moment: moment.strftime("%d %b %Y %H:%M"),
    )
    second, third = words.games
    assert second.heading == (
        "Game 2 (g2.replay), played 22 Nov 2025 03:54: Home FC 3–2 Away FC, Home FC on orange; "
        "won by Home FC."
    )
    assert second.expected == [
        "We expected Ada for Home FC on orange; the replay has their account 'ada_rl' "
        "(Epic AB12) on orange.",
        "We expected Chioma for Away FC on blue; the replay has their account 'Ant' "
        "(Steam, hidden) on blue.",
    ]
    assert second.others == [
        "The replay's player 'xyz' (Steam 76561190000000001) on blue is not linked to anyone.",
        "The replay's player 'Emeka' (PlayStation 77) on orange is Emeka's account, but Emeka "
        "was not expected in this game.",
        "The replay's player 'Guest' (no platform id) on orange cannot be matched to anyone "
        "(see the problems below).",
    ]
    assert third.heading == "Game 3 (g3.replay): the file could not be read."
    assert third.expected == ["Ada (Home FC) does not appear in this replay."]
    assert third.problems == ["Replay 3 (g3.replay): broken."]
    assert words.series_problems == ["Home FC fielded 3 players."]
    assert words.problem_count == "3 problems"
    (unknown,) = words.unknown
    assert (unknown.label, unknown.where) == ("Steam 76561190000000001", "game 2")


async def test_the_dashboard_shows_the_viewers_scrim_and_queue_ticket(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    org = real.demo.organization_id
    async with platform.unit_of_work() as session:
        scrim = await lifecycle.create_scrim(
            session,
            actor=Actor(user_id=real.users["Emeka"], name="Emeka"),
            organization_id=org,
            game_mode="doubles",
            wait_until=dt.timedelta(hours=1),
            competitive=False,
        )
        ticket = await matchmaking.enter_queue(
            session,
            actor=Actor(user_id=real.users["Dara"], name="Dara"),
            organization_id=org,
            game_mode="doubles",
            wait_until=dt.timedelta(hours=1),
            competitive=False,
        )
    async with web(dev_sign_in=True) as emeka:
        assert (await signed_in(emeka, real.users["Emeka"])).status_code == 303
        mine = text_of((await emeka.get("/me")).text)
    async with web(dev_sign_in=True) as dara:
        assert (await signed_in(dara, real.users["Dara"])).status_code == 303
        page = await dara.get("/me")
    assert f"Scrim {scrim.id} (Doubles, casual, 3 games): pending." in mine
    assert "Submit its replays" not in mine  # not in progress: nothing to submit yet
    assert "You play for" not in mine and "You are on no team's roster now." in mine
    assert "In the Doubles queue since" in text_of(page.text)
    assert f'<time datetime="{ticket.wait_until.isoformat()}">' in page.text


async def test_only_a_signed_in_caller_may_send_an_upload_sized_body(
    web: Web, platform: Runtime, real: RealMatch
) -> None:
    """The real replay (1.2 MB) is over the ordinary body limit (1 MiB): the upload pages take
    it from a signed-in player (above), a spectator's is refused before it is read."""
    assert REAL.stat().st_size > platform.settings.max_body_bytes
    async with web() as spectator:
        answer = await spectator.post(
            f"/matches/{real.match_id}/submit",
            data={"csrftoken": "any"},  # the body limit answers before the CSRF guard
            files=[("replays", (REAL.name, REAL.read_bytes(), "application/octet-stream"))],
        )
    assert answer.status_code == 413  # a browser's page: the refusal as a page
    assert answer.headers["content-type"].startswith("text/html")
    assert "<code>REQUEST_TOO_LARGE</code> (HTTP 413)" in answer.text
    assert await count(platform, Submission) == 0
