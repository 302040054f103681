"""The real 2v2 league game of ../shared/replays as a match of the demo organization, built
through the services (for the upload pages' tests and the player's browser scenario).

``17A7C1084017DFA7DBE66D9C66D81CBD.replay`` (21 Nov 2025, orange won 5-1; see
tests/replays/test_validation.py for its players): the demo organization's Ada and Bruno
play it on orange for Orange Crew, Chioma and Dara on blue for Blue Crew, each through the
account the replay shows; Emeka is a member on neither team. The season's first week holds the
game's date, its second week runs now (the return match, best of one like the first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from sprocket.db import utcnow
from sprocket.flows import match_results
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import accounts, members, rosters
from sprocket.league import service as league
from sprocket.replays import service as replays
from sprocket.replays.service import Upload
from sprocket.runtime import Runtime
from sprocket.schedule import service as schedule
from tests.conftest import REPLAYS
from tests.replays.test_submissions import run_jobs
from tests.web.conftest import Demo

REAL = REPLAYS / "good" / "17A7C1084017DFA7DBE66D9C66D81CBD.replay"

#: Each player's account in the replay: (platform, account id), by member name.
ACCOUNTS = {
    "Ada": ("psn", "4421738174632351326"),  # Ouiiidbrownies, orange
    "Bruno": ("epic", "c94906c1e0cb4014aa414edabdcae2d7"),  # Kaleb077., orange
    "Chioma": ("steam", "76561198027585918"),  # Ant, blue
    "Dara": ("epic", "724b831736dc4b9e96668d4410655857"),  # xZ Golden Zx, blue
}


@dataclass
class RealMatch:
    demo: Demo
    match_id: int  # the game's week
    next_match_id: int  # the return match, this week
    users: dict[str, int]  # every member's user id, by name (Emeka too)


async def build_real_match(platform: Runtime, demo: Demo, *, unlinked: tuple[str, ...] = ()):
    """The league, season, teams, rosters and linked accounts of the module's docstring;
    the players in ``unlinked`` keep their replay account unlinked."""
    if not REAL.is_file():
        pytest.skip(f"the shared replay {REAL} is absent")
    admin, org = demo.admin, demo.organization_id
    now = utcnow()
    async with platform.unit_of_work() as s:
        users = dict(demo.users)
        for name, discord in (("Dara", "300000000000000004"), ("Emeka", "300000000000000005")):
            user = await identity.ensure_user(s, discord_id=discord, display_name=name)
            await members.add_member(s, actor=admin, organization_id=org, user_id=user.id)
            users[name] = user.id
        lg = await league.create_league(
            s, actor=admin, organization_id=org, name="Doubles", game_mode="doubles",
            match_format="bo1",
        )  # fmt: skip
        season = await league.create_season(
            s,
            actor=admin,
            league_id=lg.id,
            number=1,
            starts_at=dt.datetime(2025, 11, 1, tzinfo=dt.UTC),
            ends_at=now + dt.timedelta(days=60),
        )
        group = await league.create_skill_group(
            s, actor=admin, league_id=lg.id, name="Premier", code="PL", ordinal=1
        )
        for team_name, players in (
            ("Orange Crew", ("Ada", "Bruno")),
            ("Blue Crew", ("Chioma", "Dara")),
        ):
            team = await league.create_team(
                s, actor=admin, league_id=lg.id, name=team_name, skill_group_id=group.id
            )
            for n, name in enumerate(players):
                (member,) = await members.memberships_of(s, user_id=users[name])
                player = await members.register_player(
                    s, actor=admin, member_id=member.id, league_id=lg.id, skill_group_id=group.id
                )
                await rosters.add_to_roster(
                    s, actor=admin, team_id=team.id, player_id=player.id, season_id=season.id,
                    captain=n == 0, at=season.starts_at,
                )  # fmt: skip
                if name not in unlinked:
                    platform_kind, account = ACCOUNTS[name]
                    await accounts.link_verified_account(
                        s, member_id=member.id, platform=platform_kind, account_id=account
                    )
        await schedule.create_match_weeks(
            s,
            actor=admin,
            season_id=season.id,
            count=1,
            first_starts_at=dt.datetime(2025, 11, 17, tzinfo=dt.UTC),
        )
        await schedule.create_match_weeks(
            s, actor=admin, season_id=season.id, count=1, first_starts_at=now - dt.timedelta(days=1)
        )
        first, second = await schedule.generate_schedule(
            s, actor=admin, season_id=season.id, double=True
        )
    return RealMatch(demo, first.id, second.id, users)


async def accept_real_match(platform: Runtime, real: RealMatch) -> int:
    """Ada uploads the real game for the first match through the service, the job checks
    it, Chioma ratifies it and the jobs after acceptance run (the report card's among them).
    Returns the accepted submission's id."""
    async with platform.unit_of_work() as s:
        submission = await match_results.submit_match_replays(
            s,
            actor=Actor(user_id=real.users["Ada"]),
            storage=platform.storage,
            match_id=real.match_id,
            files=[Upload(REAL.name, REAL.read_bytes())],
            max_size=platform.settings.replay_max_bytes,
        )
    await run_jobs(platform)
    async with platform.unit_of_work() as s:
        accepted = await replays.ratify(
            s, actor=Actor(user_id=real.users["Chioma"]), submission_id=submission.id
        )
        assert accepted.status == "accepted", accepted.status
    await run_jobs(platform)
    return submission.id
