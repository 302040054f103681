"""The demo organization: two leagues, three skill groups, eight franchises, ~150 players,
and a double round robin season that is partly played, built through the real services.

The demo has no replays, so its played series get synthetic stat lines: for each game,
``team_size`` players of each roster (drawn at random) with goals that add up to the score,
written by the same ``stats.record_series`` as a validated submission. The players' ratings
then come from those lines through ``ratings.rate_match_games``, exactly as for a result
proven by replays, so every demo player who played has a rating, a history and stats.
Their report cards are not asked for up front (a history of some 160 series would keep the
first server busy drawing them, and the demo sets no results channel to post them in): each
is drawn the first time it is shown, as any missing card is (:mod:`sprocket.media.service`).

It is built in one transaction and recognized by its slug, so running it again adds nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import utcnow
from sprocket.errors import NotFound
from sprocket.identity import service as identity
from sprocket.identity.access import Actor
from sprocket.league import accounts, members, rosters
from sprocket.league import service as league
from sprocket.league.models import Member, Organization, PlatformAccount, Player, RosterSpot
from sprocket.ratings import service as ratings
from sprocket.schedule import service as schedule
from sprocket.stats import service as stats

SLUG = "demo"
ADMIN_DISCORD_ID = "100000000000000001"
FRANCHISES = (
    ("Aurora Aces", "AUR"),
    ("Boreal Bandits", "BOR"),
    ("Cinder Comets", "CIN"),
    ("Delta Dynamos", "DEL"),
    ("Ember Eagles", "EMB"),
    ("Frost Falcons", "FRO"),
    ("Granite Giants", "GRA"),
    ("Harbor Hawks", "HAR"),
)
SKILL_GROUPS = (
    ("Premier", "PL", 1, 900.0),
    ("Master", "ML", 2, 700.0),
    ("Champion", "CL", 3, 500.0),
)
LEAGUES = (("Doubles League", "doubles"), ("Standard League", "standard"))
FREE_AGENTS = 6
FIRST = (
    "Ace",
    "Blaze",
    "Comet",
    "Dash",
    "Echo",
    "Flick",
    "Gale",
    "Halo",
    "Ion",
    "Jet",
    "Kite",
    "Lynx",
    "Mako",
    "Nova",
    "Onyx",
    "Pulse",
    "Quill",
    "Rune",
    "Sonic",
    "Turbo",
    "Vex",
    "Zed",
)


@dataclass(frozen=True)
class DemoResult:
    created: bool
    organization_id: int
    players: int
    matches: int
    played: int
    admin_token: str | None


async def build_demo(session: AsyncSession, *, seed: int = 7) -> DemoResult:
    existing = await session.scalar(select(Organization).where(Organization.slug == SLUG))
    if existing is not None:
        return DemoResult(False, existing.id, 0, 0, 0, None)
    rng = random.Random(seed)
    admin_user = await identity.ensure_user(
        session, discord_id=ADMIN_DISCORD_ID, display_name="Demo Admin", is_superuser=True
    )
    admin = Actor(user_id=admin_user.id, is_superuser=True, name="Demo Admin")
    _, token = await identity.issue_token(session, actor=admin, name="demo", days=365)
    org = await league.create_organization(
        session, actor=admin, slug=SLUG, name="Sprocket Demo League"
    )
    franchises = [
        await league.create_franchise(
            session, actor=admin, organization_id=org.id, name=name, code=code
        )
        for name, code in FRANCHISES
    ]
    now = utcnow()
    season_start = (now - dt.timedelta(weeks=7)).replace(hour=0, minute=0, second=0, microsecond=0)
    player_count = matches = played = 0
    next_discord = 200000000000000000
    for league_name, mode in LEAGUES:
        lg = await league.create_league(
            session, actor=admin, organization_id=org.id, name=league_name, game_mode=mode
        )
        season = await league.create_season(
            session,
            actor=admin,
            league_id=lg.id,
            number=1,
            starts_at=season_start,
            ends_at=season_start + dt.timedelta(weeks=14),
        )
        await schedule.create_match_weeks(session, actor=admin, season_id=season.id, count=14)
        team_size = 2 if mode == "doubles" else 3
        strength: dict[int, float] = {}
        for group_name, code, ordinal, cap in SKILL_GROUPS:
            group = await league.create_skill_group(
                session,
                actor=admin,
                league_id=lg.id,
                name=group_name,
                code=code,
                ordinal=ordinal,
                salary_cap=cap,
            )
            for franchise in franchises:
                team = await league.create_team(
                    session,
                    actor=admin,
                    league_id=lg.id,
                    name=f"{franchise.name} {code}",
                    skill_group_id=group.id,
                    franchise_id=franchise.id,
                )
                strength[team.id] = rng.gauss(0, 1)
                roster_size = team_size + (1 if mode == "doubles" else 0)
                for slot in range(roster_size):
                    next_discord += 1
                    player = await _demo_player(
                        session, rng, admin, org.id, lg.id, group.id, next_discord, cap
                    )
                    await rosters.add_to_roster(
                        session,
                        actor=admin,
                        team_id=team.id,
                        player_id=player,
                        season_id=season.id,
                        captain=slot == 0,
                        at=season_start,
                    )
                    player_count += 1
        created = await schedule.generate_schedule(
            session, actor=admin, season_id=season.id, double=True
        )
        matches += len(created)
        played += await _play_past_matches(
            session, rng, admin, created, strength, now, lines=_Lines(seed, lg.id, team_size)
        )
    for _ in range(FREE_AGENTS):
        next_discord += 1
        await _demo_player(session, rng, admin, org.id, None, None, next_discord, None)
        player_count += 1
    return DemoResult(True, org.id, player_count, matches, played, token)


#: How many of the demo organization's members the development sign-in offers.
SIGN_IN_CHOICES = 40


async def sign_in_choices(session: AsyncSession) -> list[tuple[int, str]]:
    """The users the development sign-in offers, as (user id, name): the demo's
    administrator, then up to ``SIGN_IN_CHOICES`` of its members by name. Empty when the
    demo organization is not there."""
    org = await league.find_organization(session, slug=SLUG)
    if org is None:
        return []
    choices: list[tuple[int, str]] = []
    with contextlib.suppress(NotFound):
        admin = await identity.actor_by_discord_id(session, discord_id=ADMIN_DISCORD_ID)
        if admin.user_id is not None:
            choices.append((admin.user_id, "Demo Admin (platform administrator)"))
    for member in await members.current_members(
        session, organization_id=org.id, first=SIGN_IN_CHOICES
    ):
        choices.append((member.user_id, member.name))
    return choices


async def _demo_player(
    session: AsyncSession,
    rng: random.Random,
    admin: Actor,
    organization_id: int,
    league_id: int | None,
    group_id: int | None,
    discord_id: int,
    cap: float | None,
) -> int | None:
    name = f"{rng.choice(FIRST)}{rng.randint(10, 9999)}"
    user = await identity.ensure_user(session, discord_id=str(discord_id), display_name=name)
    member = await members.add_member(
        session, actor=admin, organization_id=organization_id, user_id=user.id
    )
    platform = rng.choice(("steam", "steam", "epic", "epic", "psn", "xbox", "switch"))
    if platform == "steam":
        account = str(76561197960265728 + discord_id % 1_000_000_000)
    elif platform == "epic":
        account = f"{rng.getrandbits(128):032x}"
    else:
        account = str(rng.randrange(10**15, 10**19))  # numeric, as replays carry them
    await accounts.link_platform_account(
        session, actor=admin, member_id=member.id, platform=platform, account_id=account
    )
    if league_id is None:
        return None
    salary = round(rng.uniform(0.15, 0.3) * (cap or 0), 0) if cap else None
    player = await members.register_player(
        session,
        actor=admin,
        member_id=member.id,
        league_id=league_id,
        skill_group_id=group_id,
        salary=salary,
    )
    return player.id


async def _play_past_matches(
    session: AsyncSession,
    rng: random.Random,
    admin: Actor,
    matches: list,
    strength: dict[int, float],
    now: dt.datetime,
    *,
    lines: _Lines,
) -> int:
    """Synthetic best-of-five results for every match whose window has closed, with stat
    lines and ratings for their games."""
    from sprocket.schedule.models import Fixture

    played = 0
    for match in matches:
        if match.ends_at > now:
            continue
        fixture = await session.get(Fixture, match.fixture_id)
        edge = strength[fixture.home_team_id] - strength[fixture.away_team_id]
        if rng.random() < 0.03:
            loser = fixture.home_team_id if edge < 0 else fixture.away_team_id
            await schedule.record_forfeit(session, actor=admin, match_id=match.id, team_id=loser)
        else:
            await schedule.record_result(
                session, actor=admin, match_id=match.id, games=_series(rng, edge)
            )
            await lines.record(session, match.id, fixture.home_team_id, fixture.away_team_id)
            await ratings.rate_match_games(session, match_id=match.id)
        # Recorded within its window (not all at once, now): the league health reads so.
        match.completed_at = match.starts_at + (match.ends_at - match.starts_at) * (
            0.3 + match.id % 7 / 10
        )
        played += 1
    return played


def _series(rng: random.Random, edge: float) -> list[tuple[int, int]]:
    home_wins = away_wins = 0
    games = []
    p_home = 1 / (1 + 10 ** (-edge / 2))
    while home_wins < 3 and away_wins < 3:
        winner_goals = rng.choice((1, 2, 2, 3, 3, 4, 5))
        loser_goals = rng.randint(0, winner_goals - 1)
        if rng.random() < p_home:
            games.append((winner_goals, loser_goals))
            home_wins += 1
        else:
            games.append((loser_goals, winner_goals))
            away_wins += 1
    return games


class _Lines:
    """Synthetic stat lines for a league's games (its own random stream, so the results the
    demo always had stay the same)."""

    def __init__(self, seed: int, league_id: int, team_size: int) -> None:
        self.rng = random.Random(seed * 7919 + league_id)
        self.league_id = league_id
        self.team_size = team_size
        self.rosters: dict[int, list[tuple[int, str, str, str]]] = {}

    async def _roster(self, session: AsyncSession, team_id: int) -> list[tuple[int, str, str, str]]:
        if team_id not in self.rosters:
            rows = await session.execute(
                select(Member.id, Member.name, PlatformAccount.platform, PlatformAccount.account_id)
                .join(Player, Player.member_id == Member.id)
                .join(RosterSpot, RosterSpot.player_id == Player.id)
                .join(PlatformAccount, PlatformAccount.member_id == Member.id)
                .where(RosterSpot.team_id == team_id, RosterSpot.left_at.is_(None))
                .order_by(Member.id, PlatformAccount.id)
            )
            seen: dict[int, tuple[int, str, str, str]] = {}
            for member_id, name, platform, account in rows:
                seen.setdefault(member_id, (member_id, name, platform, account))
            self.rosters[team_id] = list(seen.values())
        return self.rosters[team_id]

    def _side(self, team_id: int, roster: list, goals: int) -> list[dict]:
        rng = self.rng
        players = rng.sample(roster, min(self.team_size, len(roster)))
        line = {m: {"goals": 0, "assists": 0} for m, _, _, _ in players}
        for _ in range(goals):
            scorer = rng.choice(players)[0]
            line[scorer]["goals"] += 1
            helpers = [m for m, _, _, _ in players if m != scorer]
            if helpers and rng.random() < 0.6:
                line[rng.choice(helpers)]["assists"] += 1
        found = []
        for member_id, name, platform, account in players:
            goals_, assists = line[member_id]["goals"], line[member_id]["assists"]
            shots = goals_ + rng.randint(0, 3)
            saves = rng.randint(0, 3)
            found.append(
                {
                    "member_id": member_id,
                    "team_id": team_id,
                    "name": name,
                    "platform": platform,
                    "platform_id": account,
                    "goals": goals_,
                    "assists": assists,
                    "saves": saves,
                    "shots": shots,
                    "score": 100 * goals_
                    + 50 * assists
                    + 50 * saves
                    + 10 * shots
                    + rng.randint(20, 120),
                }
            )
        return found

    async def record(self, session: AsyncSession, match_id: int, home: int, away: int) -> None:
        from sprocket.schedule.models import MatchGame

        games = (
            await session.scalars(
                select(MatchGame).where(MatchGame.match_id == match_id).order_by(MatchGame.number)
            )
        ).all()
        home_roster, away_roster = (
            await self._roster(session, home),
            await self._roster(session, away),
        )
        reports = [
            {
                "found": self._side(home, home_roster, g.home_goals)
                + self._side(away, away_roster, g.away_goals)
            }
            for g in games
        ]
        await stats.record_series(
            session,
            league_id=self.league_id,
            games=games,
            reports=reports,
            home_team_id=home,
            away_team_id=away,
        )
