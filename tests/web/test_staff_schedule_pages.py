"""The league staff's schedule pages: match weeks, a generated round robin, a CSV import (a
file with an error lists its line numbers and imports nothing) and export (a download), and
a match rescheduled or forfeited (the forfeit shows on the match page). A player is refused
every page and every form, a spectator is asked to sign in, a form without its CSRF token is
refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from sprocket.audit import AuditEntry
from sprocket.dates import for_people
from sprocket.demo import SLUG
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from sprocket.schedule import service as schedule
from sprocket.schedule.models import Match, MatchWeek
from tests.web.conftest import Demo, Web, csrf_of, sent_to_sign_in, signed_in
from tests.web.staff_support import Little, beside, league_rows, little_league, post_from, words


@pytest.fixture
async def little(platform: Runtime, demo_org: Demo) -> Little:
    return await little_league(platform, demo_org, teams=4)


@pytest.fixture
async def admin(web: Web, demo_org: Demo) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as the demo organization's admin."""
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.admin.user_id)).status_code == 303
        yield client


@pytest.fixture
async def scheduled(platform: Runtime, demo_org: Demo, little: Little) -> Little:
    """The little league with 4 weeks and a generated round robin (6 matches)."""
    async with platform.unit_of_work() as s:
        await schedule.create_match_weeks(
            s, actor=demo_org.admin, season_id=little.season_id, count=4
        )
        matches = await schedule.generate_schedule(
            s, actor=demo_org.admin, season_id=little.season_id
        )
    little.extra["match_ids"] = [m.id for m in matches]
    return little


def local(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


async def season_matches(platform: Runtime, season_id: int) -> list[Match]:
    async with platform.reading() as s:
        return (await schedule.matches(s, season_id=season_id, first=100)).rows


async def match_and_week(platform: Runtime, match_id: int) -> tuple[Match, MatchWeek, int, int]:
    """The match, its week, and its home and away team ids."""
    async with platform.reading() as s:
        match, fixture, _ = await schedule.match_context(s, match_id)
        week = await s.get(MatchWeek, fixture.match_week_id)
    return match, week, fixture.home_team_id, fixture.away_team_id


# -- match weeks and the round robin ----------------------------------------------------------


async def test_weeks_are_added_and_a_round_robin_generated(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    page = f"/staff/{SLUG}/seasons/{little.season_id}"
    refused = await post_from(admin, page, f"{page}/generate", {})
    assert refused.status_code == 400  # no week yet: said above the form
    assert "Season 1 has no match weeks yet; create them first." in words(refused.text)

    done = await post_from(admin, page, f"{page}/weeks", {"weeks_count": "4", "weeks_days": "7"})
    assert done.status_code == 303 and done.headers["location"] == page
    shown = await admin.get(page)
    text = words(shown.text)
    assert "Added 4 match weeks to Season 1." in text
    week_two = little.season_start + dt.timedelta(days=7)
    assert (
        f"2 {for_people(week_two, 'UTC')} {for_people(week_two + dt.timedelta(days=7), 'UTC')}"
        in text
    )

    done = await post_from(
        admin,
        page,
        f"{page}/generate",
        {"generate_group": str(little.group_id), "generate_format": "bo3"},
    )
    assert done.status_code == 303
    shown = await admin.get(page)
    text = words(shown.text)
    assert "Generated a round robin of 6 matches." in text
    matches = await season_matches(platform, little.season_id)
    assert len(matches) == 6 and {m.format for m in matches} == {"bo3"}
    async with platform.reading() as s:
        lines = await overview.season_schedule(s, season_id=little.season_id)
    for line in lines:
        assert f"Week {line.week} Home Away Starts State" in text
        assert f"{line.home} {line.away} {for_people(line.starts_at, 'UTC')} scheduled" in text
        assert f'href="/staff/{SLUG}/matches/{line.id}"' in shown.text


async def test_invalid_weeks_and_generation_are_refused_and_change_nothing(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, scheduled: Little
) -> None:
    page = f"/staff/{SLUG}/seasons/{scheduled.season_id}"
    before = await league_rows(platform)
    refused = await post_from(admin, page, f"{page}/weeks", {"weeks_count": "0"})
    assert refused.status_code == 400
    assert "Create 1 to 104 match weeks" in beside(refused.text, "weeks_count")
    refused = await post_from(admin, page, f"{page}/weeks", {"weeks_count": ""})
    assert beside(refused.text, "weeks_count") == "Give the number of weeks to add."
    refused = await post_from(admin, page, f"{page}/generate", {"generate_format": "bo4"})
    assert refused.status_code == 400 and beside(refused.text, "generate_format")
    again = await post_from(admin, page, f"{page}/generate", {})
    assert again.status_code == 409
    assert "a schedule is generated once" in words(again.text)
    assert "SCHEDULE_EXISTS" in again.text
    assert await league_rows(platform) == before


# -- CSV import and export ---------------------------------------------------------------------


async def test_a_csv_file_is_imported_and_its_matches_listed(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    page = f"/staff/{SLUG}/seasons/{little.season_id}"
    day = little.season_start + dt.timedelta(days=2)
    csv = (
        "week,home,away,start,end\r\n"
        f"1,Blue Ants,Red Foxes,{iso(day)},{iso(day + dt.timedelta(hours=2))}\r\n"
        f"1,green owls,Gold Bees,{iso(day)},{iso(day + dt.timedelta(hours=2))}\r\n"
    )
    done = await post_from(
        admin,
        page,
        f"{page}/import",
        {},
        files={"import_file": ("week1.csv", csv.encode(), "text/csv")},
    )
    assert done.status_code == 303, done.text[-800:]
    text = words((await admin.get(page)).text)
    assert "Imported 2 matches into Season 1." in text
    assert f"Blue Ants Red Foxes {for_people(day, 'UTC')} scheduled" in text
    assert f"Green Owls Gold Bees {for_people(day, 'UTC')} scheduled" in text
    assert len(await season_matches(platform, little.season_id)) == 2


async def test_a_csv_file_with_errors_lists_them_by_line_and_imports_nothing(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    page = f"/staff/{SLUG}/seasons/{little.season_id}"
    day = little.season_start + dt.timedelta(days=2)
    window = f"{iso(day)},{iso(day + dt.timedelta(hours=2))}"
    csv = (
        "week,home,away,start,end\n"
        f"1,Blue Ants,Red Foxes,{window}\n"
        f"1,Nobody,Gold Bees,{window}\n"
        f"2,Green Owls,Gold Bees,yesterday,{iso(day)}\n"
    )
    before = await league_rows(platform)
    refused = await post_from(
        admin,
        page,
        f"{page}/import",
        {},
        files={"import_file": ("bad.csv", csv.encode(), "text/csv")},
    )
    assert refused.status_code == 400
    assert 'aria-describedby="f-import_file-error"' in refused.text
    text = words(refused.text)
    assert "The schedule file has 2 problems; nothing was imported." in text
    assert "Line 3: unknown team 'Nobody'." in text
    assert "Line 4: the start time 'yesterday' is not a valid date and time" in text
    assert "<li>Line 3: unknown team" in refused.text.replace("&#39;", "'")
    assert await league_rows(platform) == before

    not_text = await post_from(
        admin,
        page,
        f"{page}/import",
        {},
        files={"import_file": ("x.csv", b"\xff\xfe\x00", "text/csv")},
    )
    assert not_text.status_code == 400
    assert "not UTF-8 text" in words(not_text.text)
    no_file = await post_from(admin, page, f"{page}/import", {"import_twice": "yes"})
    assert no_file.status_code == 400 and "Choose a CSV file to import." in words(no_file.text)
    assert await league_rows(platform) == before


async def test_the_export_is_a_csv_download_of_the_schedule(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, scheduled: Little
) -> None:
    page = f"/staff/{SLUG}/seasons/{scheduled.season_id}"
    assert f'href="{page}/schedule.csv"' in (await admin.get(page)).text
    download = await admin.get(f"{page}/schedule.csv")
    assert download.status_code == 200
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        download.headers["content-disposition"]
        == 'attachment; filename="doubles-season-1-schedule.csv"'
    )
    async with platform.reading() as s:
        expected = await schedule.export_schedule_csv(s, season_id=scheduled.season_id)
    assert download.text == expected
    lines = download.text.splitlines()
    assert lines[0] == "week,home,away,start,end" and len(lines) == 7


# -- one match ---------------------------------------------------------------------------------


async def test_a_match_is_rescheduled_within_its_week(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, scheduled: Little
) -> None:
    match_id = scheduled.extra["match_ids"][0]
    match, week, _, _ = await match_and_week(platform, match_id)
    page = f"/staff/{SLUG}/matches/{match_id}"
    shown = await admin.get(page)
    assert f'value="{local(match.starts_at)}"' in shown.text  # the window now, to edit

    before = await league_rows(platform)
    outside = week.ends_at + dt.timedelta(days=1)
    refused = await post_from(
        admin,
        page,
        f"{page}/reschedule",
        {"starts_at": local(outside), "ends_at": local(outside + dt.timedelta(hours=2))},
    )
    assert refused.status_code == 400
    assert f"outside week {week.number}" in beside(refused.text, "starts_at")
    backwards = await post_from(
        admin,
        page,
        f"{page}/reschedule",
        {
            "starts_at": local(week.starts_at + dt.timedelta(hours=3)),
            "ends_at": local(week.starts_at + dt.timedelta(hours=1)),
        },
    )
    assert beside(backwards.text, "ends_at") == "A match window must end after it starts."
    assert await league_rows(platform) == before

    new_start = week.starts_at + dt.timedelta(days=1, hours=2)
    done = await post_from(
        admin,
        page,
        f"{page}/reschedule",
        {"starts_at": local(new_start), "ends_at": local(new_start + dt.timedelta(hours=3))},
    )
    assert done.status_code == 303 and done.headers["location"] == page
    assert f"now runs from {for_people(new_start, 'UTC')}" in words((await admin.get(page)).text)
    moved, _, _, _ = await match_and_week(platform, match_id)
    assert (moved.starts_at, moved.ends_at) == (new_start, new_start + dt.timedelta(hours=3))


async def test_a_forfeit_asks_for_the_side_and_a_reason_and_shows_on_the_match_page(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, scheduled: Little
) -> None:
    match_id = scheduled.extra["match_ids"][0]
    _, _, home, away = await match_and_week(platform, match_id)
    names = {team_id: name for name, team_id in scheduled.team_ids.items()}
    outsider = next(t for t in scheduled.team_ids.values() if t not in (home, away))
    page = f"/staff/{SLUG}/matches/{match_id}"

    before = await league_rows(platform)
    cases = [
        (
            {"forfeit_team": str(home), "forfeit_reason": "  "},
            "forfeit_reason",
            "Say why the team forfeits.",
        ),
        ({"forfeit_reason": "No-show."}, "forfeit_team", "Choose the side that forfeits."),
        (
            {"forfeit_team": str(outsider), "forfeit_reason": "No-show."},
            "forfeit_team",
            "Only a team playing the match can forfeit it.",
        ),
    ]
    for data, name, sentence in cases:
        refused = await post_from(admin, page, f"{page}/forfeit", data)
        assert refused.status_code == 400, data
        assert beside(refused.text, name) == sentence
    assert await league_rows(platform) == before

    done = await post_from(
        admin, page, f"{page}/forfeit", {"forfeit_team": str(away), "forfeit_reason": "No-show."}
    )
    assert done.status_code == 303
    text = words((await admin.get(page)).text)
    assert f"{names[away]} forfeits match {match_id} against {names[home]}." in text
    assert f"Forfeited by {names[away]}." in text
    assert "can no longer be rescheduled or forfeited" in text
    public = await admin.get(f"/matches/{match_id}")
    assert f"Forfeited by {names[away]}." in words(public.text)
    match, _, _, _ = await match_and_week(platform, match_id)
    assert (match.status, match.forfeited_by_team_id) == ("forfeited", away)
    async with platform.reading() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "match.forfeit"))
    assert entry.details == {"team_id": away, "team": names[away], "reason": "No-show."}
    assert f"Demo Admin recorded a forfeit match {match_id} No-show. team: {names[away]}" in text

    late = await post_from(
        admin,
        page,
        f"{page}/reschedule",
        {"starts_at": local(match.starts_at), "ends_at": local(match.ends_at)},
    )
    assert late.status_code == 409
    assert "is already forfeited; it cannot change now." in words(late.text)


# -- who may -----------------------------------------------------------------------------------


def every_form(little: Little) -> list[tuple[str, str, dict[str, str]]]:
    """(page, action, valid values) of every form of the schedule pages."""
    season = f"/staff/{SLUG}/seasons/{little.season_id}"
    match_id = little.extra["match_ids"][0]
    match = f"/staff/{SLUG}/matches/{match_id}"
    start = little.season_start + dt.timedelta(hours=1)
    return [
        (season, f"{season}/weeks", {"weeks_count": "1"}),
        (season, f"{season}/generate", {}),
        (season, f"{season}/import", {}),
        (
            match,
            f"{match}/reschedule",
            {"starts_at": local(start), "ends_at": local(start + dt.timedelta(hours=1))},
        ),
        (
            match,
            f"{match}/forfeit",
            {"forfeit_team": str(little.team_ids["Blue Ants"]), "forfeit_reason": "No-show."},
        ),
    ]


def csv_file(little: Little) -> dict[str, tuple[str, bytes, str]]:
    day = little.season_start + dt.timedelta(days=30)
    window = f"{iso(day)},{iso(day + dt.timedelta(hours=1))}"
    csv = f"week,home,away,start,end\n9,Blue Ants,Red Foxes,{window}\n"
    return {"import_file": ("s.csv", csv.encode(), "text/csv")}


async def test_a_player_is_refused_every_page_and_every_form(
    web: Web, demo_org: Demo, platform: Runtime, scheduled: Little
) -> None:
    forms = every_form(scheduled)
    pages = [
        f"/staff/{SLUG}/schedules",
        f"/staff/{SLUG}/seasons/{scheduled.season_id}",
        f"/staff/{SLUG}/seasons/{scheduled.season_id}/schedule.csv",
        f"/staff/{SLUG}/matches/{scheduled.extra['match_ids'][0]}",
    ]
    before = await league_rows(platform)
    async with web(dev_sign_in=True) as client:
        assert (await signed_in(client, demo_org.users["Bruno"])).status_code == 303
        for page in pages:
            opened = await client.get(page)
            assert opened.status_code == 403, page
            assert "PERMISSION_DENIED" in opened.text
        for page, action, data in forms:
            files = csv_file(scheduled) if action.endswith("/import") else None
            refused = await post_from(client, page, action, data, files=files)
            assert refused.status_code == 403, action
            assert "PERMISSION_DENIED" in refused.text
    async with web() as client:
        for page in pages:
            assert sent_to_sign_in(await client.get(page), page), page
    assert await league_rows(platform) == before


async def test_a_form_without_its_csrf_token_is_refused(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, scheduled: Little
) -> None:
    before = await league_rows(platform)
    for page, action, data in every_form(scheduled):
        await admin.get(page)
        files = csv_file(scheduled) if action.endswith("/import") else None
        refused = await admin.post(action, data=data, files=files)
        assert refused.status_code == 403, action
        assert "not sent from a page of ours" in refused.text
        forged = await admin.post(action, data={"csrftoken": "forged", **data}, files=files)
        assert forged.status_code == 403, action
    assert await league_rows(platform) == before


async def test_an_upload_form_whose_token_follows_the_file_is_refused(
    admin: httpx.AsyncClient, demo_org: Demo, platform: Runtime, little: Little
) -> None:
    """The token of a file-upload form is read by our guard before the files (our forms put
    it first, as browsers send fields in page order): one that follows a file is not looked
    for, so the form is refused and nothing is imported."""
    page = f"/staff/{SLUG}/seasons/{little.season_id}"
    token = csrf_of((await admin.get(page)).text)
    body, boundary = b"", "sprocket-test-boundary"
    for name, value, filename in (
        ("import_file", csv_file(little)["import_file"][1], "s.csv"),
        ("csrftoken", token.encode(), None),
    ):
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += value + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    done = await admin.post(
        f"{page}/import",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert done.status_code == 403
    assert await season_matches(platform, little.season_id) == []


async def test_ids_of_nothing_are_404_pages(
    admin: httpx.AsyncClient, demo_org: Demo, scheduled: Little
) -> None:
    for url in (
        f"/staff/{SLUG}/seasons/99999",
        f"/staff/{SLUG}/seasons/99999/schedule.csv",
        f"/staff/{SLUG}/matches/99999",
        f"/staff/{SLUG}/matches/x1",
    ):
        page = await admin.get(url)
        assert page.status_code == 404, url
        assert "NOT_FOUND" in page.text
