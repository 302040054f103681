"""League staff's work in a real browser (Debian's Chromium through Playwright, headless):
Nia, league staff of the demo organization's doubles league (:func:`little_league`, four
teams), signs in with the development sign-in, adds match weeks and generates a round robin,
imports a CSV file with an error (its line named, nothing imported), then force-accepts a
submission (built through the services) with a reason that the audit trail shows. Nothing but
127.0.0.1 is asked for."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from sprocket.demo import SLUG
from sprocket.identity import service as identity
from sprocket.league import members, roles, rosters
from sprocket.league.enums import Role
from sprocket.replays.enums import SubmissionStatus
from sprocket.runtime import Runtime
from sprocket.schedule import overview
from tests.replays.series import actor_of, lineup, sweep
from tests.replays.test_submissions import load, run_jobs, submit
from tests.web.browser import Requests, shoot
from tests.web.conftest import Demo
from tests.web.staff_support import Little, little_league

#: Long enough for a slow machine; every wait ends as soon as the page shows what it awaits.
PATIENCE = 30_000
REASON = "The away captain confirmed the score by e-mail; his side cannot sign in this week."


async def make_staff(platform: Runtime, demo: Demo, little: Little) -> None:
    """Nia, a member of the demo organization, league staff of the little league."""
    async with platform.unit_of_work() as s:
        nia = await identity.ensure_user(s, discord_id="300000000000000010", display_name="Nia")
        await members.add_member(
            s, actor=demo.admin, organization_id=demo.organization_id, user_id=nia.id
        )
        await roles.grant_role(
            s,
            actor=demo.admin,
            organization_id=demo.organization_id,
            user_id=nia.id,
            role=Role.LEAGUE_STAFF,
            league_id=little.league_id,
        )


async def awaiting_submission(platform: Runtime, demo: Demo, little: Little) -> int:
    """Through the services, once the round robin is generated: the week-1 match that Blue
    Ants (Ada's team) do not play, Bruno and Chioma on its home team and Dara and Emeka on its
    away team from the season's start, each with a linked Steam account; the home side
    uploads a 3-0 sweep (the test replay writer's files) and the check passes. Returns the
    submission's id, awaiting ratification."""
    async with platform.reading() as s:
        lines = await overview.season_schedule(s, season_id=little.season_id)
    match = next(m for m in lines if m.week == 1 and "Blue Ants" not in (m.home, m.away))
    admin = demo.admin
    async with platform.unit_of_work() as s:
        player_ids = {"Bruno": little.player_ids["Bruno"]}
        users = {"Chioma": demo.users["Chioma"]}
        for n, name in enumerate(("Dara", "Emeka"), start=4):
            user = await identity.ensure_user(
                s, discord_id=str(300000000000000000 + n), display_name=name
            )
            await members.add_member(
                s, actor=admin, organization_id=demo.organization_id, user_id=user.id
            )
            users[name] = user.id
        for name, user_id in users.items():
            (member,) = await members.memberships_of(s, user_id=user_id)
            player = await members.register_player(
                s,
                actor=admin,
                member_id=member.id,
                league_id=little.league_id,
                skill_group_id=little.group_id,
            )
            player_ids[name] = player.id
        teams = {match.home: ("Bruno", "Chioma"), match.away: ("Dara", "Emeka")}
        for team, names in teams.items():
            for name in names:
                await rosters.add_to_roster(
                    s,
                    actor=admin,
                    team_id=little.team_ids[team],
                    player_id=player_ids[name],
                    season_id=little.season_id,
                    at=little.season_start,
                )
    line = await lineup(platform, match.id)
    uploaded = await submit(
        platform, await actor_of(platform, line.home[0][0]), match.id, sweep(line)
    )
    await run_jobs(platform)
    assert (await load(platform, uploaded.id)).status == SubmissionStatus.AWAITING_RATIFICATION
    return uploaded.id


async def generate_and_import(page: Page, site: str, little: Little, tmp_path: Path) -> None:
    """On the season's staff page: three match weeks, a round robin, then a CSV file whose
    third line names an unknown team: refused with that line, nothing imported."""
    await page.goto(f"{site}/staff/{SLUG}")
    await page.get_by_role("link", name="Schedules").click()
    await page.get_by_role("link", name="Season 1").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Doubles, Season 1", timeout=PATIENCE
    )
    assert page.url == f"{site}/staff/{SLUG}/seasons/{little.season_id}"
    await expect(page.get_by_text("No match scheduled yet.")).to_be_visible()

    await page.get_by_label("Number of weeks").fill("3")
    await page.get_by_role("button", name="Add the weeks").click()
    await expect(page.get_by_text("Added 3 match weeks to Season 1.")).to_be_visible(
        timeout=PATIENCE
    )
    await page.get_by_role("button", name="Generate the schedule").click()
    await expect(page.get_by_text("Generated a round robin of 6 matches.")).to_be_visible(
        timeout=PATIENCE
    )
    matches = page.get_by_role("link", name="Manage")
    await expect(matches).to_have_count(6)
    for week in (1, 2, 3):
        await expect(page.get_by_role("heading", name=f"Week {week}", exact=True)).to_be_visible()
    await shoot(page, tmp_path, "staff-schedule")

    # A file whose second line is good and third is not: all or nothing.
    csv = (
        "week,home,away,start,end\n"
        "3,Blue Ants,Red Foxes,2030-01-05T19:00Z,2030-01-05T21:00Z\n"
        "3,Green Owls,Nobody,2030-01-06T19:00Z,2030-01-06T21:00Z\n"
    )
    await page.get_by_label("Schedule file").set_input_files(
        files=[{"name": "week3.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    await page.get_by_label("Allow a team two matches in one week").check()
    await page.get_by_role("button", name="Import the file").click()
    problems = page.locator("#f-import_file-error")
    await expect(problems).to_contain_text(
        "The schedule file has 1 problem; nothing was imported.", timeout=PATIENCE
    )
    await expect(problems.get_by_role("listitem")).to_have_text(["Line 3: unknown team 'Nobody'."])
    await expect(page.get_by_label("Schedule file")).to_have_attribute("aria-invalid", "true")
    await expect(matches).to_have_count(6)  # nothing imported
    await problems.scroll_into_view_if_needed()
    await shoot(page, tmp_path, "staff-import-error")


async def test_staff_generate_a_schedule_import_a_bad_file_and_force_accept(
    chromium: Browser, site: str, platform: Runtime, demo_org: Demo, tmp_path: Path
) -> None:
    little = await little_league(platform, demo_org, teams=4)
    await make_staff(platform, demo_org, little)
    requests = Requests()
    context = requests.watch(await chromium.new_context())
    page = await context.new_page()
    await page.goto(site + "/sign-in")
    await page.get_by_label("User").select_option(label="Nia")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator(".viewer-name")).to_have_text("Nia", timeout=PATIENCE)

    await generate_and_import(page, site, little, tmp_path)
    async with platform.reading() as s:
        scheduled = await overview.season_schedule(s, season_id=little.season_id)
    assert len(scheduled) == 6

    submission_id = await awaiting_submission(platform, demo_org, little)
    await page.goto(f"{site}/staff/{SLUG}")
    await page.get_by_role("link", name="Submissions").click()
    waiting = page.get_by_role("region", name="Waiting for ratification")
    await waiting.get_by_role("link", name=f"Submission {submission_id}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Submission {submission_id}", timeout=PATIENCE
    )
    await expect(page.locator(".state").first).to_have_text("awaiting ratification")
    await page.get_by_label("Why force-accept it").fill(REASON)
    await page.get_by_role("button", name=f"Force-accept submission {submission_id}").click()
    await expect(page.locator(".state").first).to_have_text("accepted", timeout=PATIENCE)
    trail = page.get_by_role("table", name="Staff actions on this submission, newest first")
    row = trail.get_by_role("row").nth(1)
    await expect(row.get_by_role("cell")).to_have_text(
        [
            re.compile(r".+"),
            "Nia",
            "force-accepted a submission",
            f"submission {submission_id}",
            REASON,
        ]
    )
    await shoot(page, tmp_path, "staff-force-accepted")
    await context.close()

    assert (await load(platform, submission_id)).status == SubmissionStatus.ACCEPTED
    assert requests.hosts() == {"127.0.0.1"}, requests.urls
