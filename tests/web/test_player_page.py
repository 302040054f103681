"""The player profile over the demo organization: accounts by the privacy rule, teams over
time, rating with its SVG chart and form, per-game averages, latest games; 404s."""

from __future__ import annotations

import httpx

from sprocket.db import children_of, rows_by_ids
from sprocket.demo import ADMIN_DISCORD_ID, build_demo
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import accounts, members, rosters
from sprocket.league.models import Member, Player
from sprocket.ratings import reads
from sprocket.ratings import service as ratings
from sprocket.ratings.leaderboards import Filters, PlayerBoard, player_leaderboard
from sprocket.runtime import Runtime
from sprocket.stats import service as stats
from sprocket.web.players import rating_chart
from tests.web.conftest import HTML, Web, csrf_of
from tests.web.test_pages import foreign_addresses


async def top_doubles_member(platform: Runtime) -> Member:
    """The demo's best rated Doubles player's member."""
    async with platform.unit_of_work() as s:
        org_id = (await build_demo(s)).organization_id
        mode = await ratings.game_mode_id(s, "doubles")
        board = await player_leaderboard(
            s,
            by=PlayerBoard.RATING,
            filters=Filters(organization_id=org_id, game_mode_id=mode),
            first=1,
        )
        member_id = board.entries[0].member_id
        return (await rows_by_ids(s, Member, [member_id]))[member_id]


async def test_the_profile_of_a_rated_player(http: httpx.AsyncClient, platform: Runtime) -> None:
    member = await top_doubles_member(platform)
    async with platform.reading() as s:
        [rating] = (await reads.ratings_by_member(s, member_ids=[member.id]))[member.id]
        history = (
            await reads.recent_points(
                s, member_ids=[member.id], game_mode_id=rating.game_mode_id, limit=50
            )
        )[member.id]
        teams = await rosters.member_teams(s, member_id=member.id)
        [player] = (await children_of(s, Player.member_id, [member.id]))[member.id]
        totals = (await stats.player_totals(s, player_ids=[player.id]))[player.id]
        games = await stats.player_games(s, player_ids=[player.id], first=20)
    page = await http.get(f"/players/{member.id}", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert f"<h1>{member.name}</h1>" in text and "Sprocket Demo League" in text
    assert f'Doubles: <span class="rating-value">{rating.displayed}</span>' in text
    assert f"{rating.games} rated games, {rating.wins} won" in text
    form = "".join(
        f'<abbr title="{"won" if p.won else "lost"}">{"W" if p.won else "L"}</abbr>'
        for p in history[:5]
    )
    assert f'<span class="form">{form}</span>' in text
    chart = rating_chart(history)
    assert chart is not None and f'<polyline points="{chart.points}"' in text
    assert "<script" not in text and foreign_addresses(text) == []
    assert f'<a href="/teams/{teams[0].team_id}">{teams[0].team}</a>' in text
    assert f'<td class="num">{totals.games}</td>' in text
    assert f'<td class="num">{totals.per_game(totals.goals):.2f}</td>' in text
    assert games and text.count("<td>Won") + text.count("<td>Lost") == len(games)
    assert f"<td>{games[0].opponent}</td>" in text
    # A member's accounts are private by default: a spectator sees none of them.
    assert f"{member.name} keeps their accounts private." in text


async def test_accounts_follow_the_privacy_rule(platform: Runtime, http: httpx.AsyncClient) -> None:
    member = await top_doubles_member(platform)
    owner = Actor(user_id=member.user_id, name=member.name)
    async with platform.unit_of_work() as s:
        hidden = await accounts.accounts_shown(s, actor=Actor(), member=member)
        own = await accounts.accounts_shown(s, actor=owner, member=member)
        await members.set_identities_public(
            s, actor=owner, organization_id=member.organization_id, public=True
        )
    assert hidden is None and own and len(own) == 1
    async with platform.reading() as s:
        shown = await accounts.accounts_shown(
            s, actor=Actor(), member=await s.get(Member, member.id)
        )
    assert shown  # the demo's links are made by staff: verified
    assert [a.id for a in shown] == [a.id for a in own if a.status == "verified"]
    page = await http.get(f"/players/{member.id}", headers=HTML)
    assert "keeps their accounts private" not in page.text
    for account in shown:
        assert f"{account.platform}: {account.display_name or account.account_id}" in page.text


async def test_a_player_never_signed_and_a_missing_one(
    http: httpx.AsyncClient, platform: Runtime
) -> None:
    member = await top_doubles_member(platform)
    async with platform.unit_of_work() as s:
        admin = Actor(user_id=1, is_superuser=True, name="Demo Admin")
        user = await identity.ensure_user(s, discord_id="399999999999999999", display_name="Newbie")
        newbie = await members.add_member(
            s, actor=admin, organization_id=member.organization_id, user_id=user.id
        )
    page = await http.get(f"/players/{newbie.id}", headers=HTML)
    assert page.status_code == 200
    for sentence in (
        "Not rated yet.",
        "Never signed to a team.",
        "No accepted game yet.",
        "No game played yet.",
    ):
        assert sentence in page.text
    for path in ("/players/999999", "/players/nobody", "/players/0"):
        answer = await http.get(path, headers=HTML)
        assert answer.status_code == 404 and "Traceback" not in answer.text, path


async def test_staff_signed_in_see_private_accounts(web: Web, platform: Runtime) -> None:
    member = await top_doubles_member(platform)
    async with platform.reading() as s:
        own = await accounts.accounts_shown(
            s, actor=Actor(user_id=member.user_id, name=member.name), member=member
        )
        admin = await identity.actor_by_discord_id(s, discord_id=ADMIN_DISCORD_ID)
    assert own and admin.user_id is not None
    async with web(dev_sign_in=True) as client:
        form = await client.get("/sign-in")
        signed = await client.post(
            "/sign-in/dev", data={"csrftoken": csrf_of(form.text), "user_id": str(admin.user_id)}
        )
        assert signed.status_code == 303
        page = await client.get(f"/players/{member.id}")
        assert page.status_code == 200 and "Signed in as" in page.text
        assert "keeps their accounts private" not in page.text
        for account in own:
            assert f"{account.platform}: {account.display_name or account.account_id}" in page.text
        assert page.headers["cache-control"] == "private, no-store"
