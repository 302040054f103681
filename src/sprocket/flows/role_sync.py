"""Discord role and nickname sync: bring each linked server's synced roles and nicknames in
step with the platform, and say what changed.

What someone should hold crosses domains (skill groups, teams and franchises from the
league, rating bands from the ratings), so it is gathered here; the rules are the pure
:mod:`sprocket.league.role_plan`, the configuration :mod:`sprocket.league.discord_roles`,
the calls to Discord :class:`~sprocket.platform.discord_rest.GuildMembers`.

Everything is read first, in a short read of the database, and Discord is called after it,
so no transaction stays open while Discord answers. A sync is a reconciliation: running it
again changes nothing more, so a job delivered twice is harmless. Problems of one member
are reported and skipped, never ending the run: one who left the server (404 Unknown
Member), a nickname longer than Discord's 32 characters, a change Discord refuses (403
Missing Permissions: a role above the bot's own, or the server's owner's nickname).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.league import discord_sync
from sprocket.league.discord_sync import GuildTarget
from sprocket.league.role_plan import NICKNAME_LIMIT, Holding, Standing, plan_member
from sprocket.platform.discord_rest import (
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    DiscordRefused,
    GuildMember,
    GuildMembers,
)
from sprocket.ratings.reads import ratings_by_member

#: A read of the database (``Runtime.reading``).
Reading = Callable[[], AbstractAsyncContextManager[AsyncSession]]

#: What Discord's audit log says of each change.
REASON = "Sprocket role sync"


class SyncAction(StrEnum):
    """What one line of a sync report is about."""

    ADD_ROLE = "add_role"
    REMOVE_ROLE = "remove_role"
    NICKNAME = "nickname"
    MEMBER = "member"  # the member as a whole (not in the server)
    SERVER = "server"  # the server as a whole (its members could not be listed)


class SyncOutcome(StrEnum):
    """How it went: done, planned (a dry run), skipped (reported, nothing tried), refused
    by Discord (403) or failed (any other answer)."""

    DONE = "done"
    PLANNED = "planned"
    SKIPPED = "skipped"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass(frozen=True)
class SyncLine:
    """One change (or problem) of a sync: the server and Discord user, the member's name,
    what, its detail (a role id, a nickname), how it went and why (empty when done)."""

    guild_id: str
    user_id: str
    member: str
    action: SyncAction
    detail: str
    outcome: SyncOutcome
    reason: str = ""

    def as_json(self) -> dict[str, str]:
        return {k: str(v) for k, v in dataclasses.asdict(self).items()}


@dataclass
class SyncReport:
    """What a sync did: servers and members looked at, and a line per change or problem."""

    dry_run: bool
    guilds: int = 0
    members: int = 0
    lines: list[SyncLine] = field(default_factory=list)

    def count(self, outcome: SyncOutcome) -> int:
        return sum(1 for line in self.lines if line.outcome is outcome)

    def as_json(self) -> dict[str, Any]:
        """The report as JSON: the counts by outcome, then every line."""
        return {
            "dry_run": self.dry_run,
            "guilds": self.guilds,
            "members": self.members,
            **{outcome.value: self.count(outcome) for outcome in SyncOutcome},
            "lines": [line.as_json() for line in self.lines],
        }


def _why(refused: DiscordRefused) -> str:
    if refused.code == MISSING_PERMISSIONS:
        return (
            "Discord refused (403 Missing Permissions): the bot's role must be above the "
            "roles it manages and have Manage Roles and Manage Nicknames; nobody may rename "
            "the server's owner."
        )
    if refused.code == MISSING_ACCESS or refused.forbidden:
        return (
            f"Discord refused ({refused}): the bot must be in the server and the application "
            "needs the Server Members intent to list members."
        )
    return f"Discord answered {refused}."


async def _with_ratings(session: AsyncSession, standings: dict[str, Standing]) -> None:
    ratings = await ratings_by_member(session, member_ids=[s.member_id for s in standings.values()])
    for user, standing in standings.items():
        rows = ratings.get(standing.member_id, [])
        standings[user] = dataclasses.replace(
            standing, ratings={row.game_mode_id: row.displayed for row in rows}
        )


async def _make(
    members: GuildMembers, guild: str, user: str, action: SyncAction, detail: str
) -> None:
    if action is SyncAction.ADD_ROLE:
        await members.add_role(guild, user, detail, reason=REASON)
    elif action is SyncAction.REMOVE_ROLE:
        await members.remove_role(guild, user, detail, reason=REASON)
    else:
        await members.set_nickname(guild, user, detail, reason=REASON)


async def _apply(
    members: GuildMembers,
    target: GuildTarget,
    who: GuildMember,
    standing: Standing | None,
    report: SyncReport,
) -> None:
    """Plan one member's changes and make them (a dry run only reports them)."""
    plan = plan_member(target.roles, standing, Holding(who.role_ids, who.nickname))
    name = standing.name if standing is not None else who.name

    def line(action: SyncAction, detail: str, outcome: SyncOutcome, reason: str = "") -> None:
        report.lines.append(
            SyncLine(target.guild_id, who.user_id, name, action, detail, outcome, reason)
        )

    if plan.too_long is not None:
        line(
            SyncAction.NICKNAME,
            plan.too_long,
            SyncOutcome.SKIPPED,
            f"{len(plan.too_long)} characters, over Discord's {NICKNAME_LIMIT}.",
        )
    steps = [(SyncAction.ADD_ROLE, role) for role in plan.add]
    steps += [(SyncAction.REMOVE_ROLE, role) for role in plan.remove]
    if plan.nickname is not None:
        steps.append((SyncAction.NICKNAME, plan.nickname))
    for action, detail in steps:
        if report.dry_run:
            line(action, detail, SyncOutcome.PLANNED)
            continue
        try:
            await _make(members, target.guild_id, who.user_id, action, detail)
        except DiscordRefused as refused:
            if refused.member_gone:
                line(SyncAction.MEMBER, "", SyncOutcome.SKIPPED, "Not in the server (left it).")
                return
            outcome = SyncOutcome.REFUSED if refused.forbidden else SyncOutcome.FAILED
            line(action, detail, outcome, _why(refused))
            continue
        line(action, detail, SyncOutcome.DONE)


async def _sync_guild(
    members: GuildMembers,
    target: GuildTarget,
    standings: dict[str, Standing],
    report: SyncReport,
) -> None:
    report.guilds += 1
    try:
        async for who in members.members(target.guild_id):
            if who.is_bot:
                continue
            report.members += 1
            await _apply(members, target, who, standings.get(who.user_id), report)
    except DiscordRefused as refused:
        outcome = SyncOutcome.REFUSED if refused.forbidden else SyncOutcome.FAILED
        report.lines.append(
            SyncLine(
                target.guild_id, "", "", SyncAction.SERVER, "list members", outcome, _why(refused)
            )
        )


async def sync_guilds(
    *,
    reading: Reading,
    members: GuildMembers,
    organization_id: int | None = None,
    dry_run: bool = False,
) -> SyncReport:
    """Reconcile every linked server that syncs roles or nicknames (of one organization, or
    of all): each of its members (bots aside) gets the synced roles they should hold and
    loses the ones they should not, and their nickname when the server writes franchise
    tags. ``dry_run``: change nothing, report what would change. Returns the report; a
    server whose members cannot be listed is one line of it. Raises nothing of its own."""
    report = SyncReport(dry_run=dry_run)
    async with reading() as session:
        targets = await discord_sync.sync_targets(session, organization_id=organization_id)
        standings: dict[int, dict[str, Standing]] = {}
        for org in sorted({t.organization_id for t in targets}):
            standings[org] = await discord_sync.standings(session, organization_id=org)
            await _with_ratings(session, standings[org])
    for target in targets:
        await _sync_guild(members, target, standings[target.organization_id], report)
    return report


async def sync_member(
    *, reading: Reading, members: GuildMembers, member_id: int, dry_run: bool = False
) -> SyncReport:
    """Reconcile one member (a current or former member of an organization, by id) in each
    of their organization's linked servers that sync anything, as :func:`sync_guilds` does
    for everyone. A member without a Discord id, or not in a server, is left alone (the
    latter reported). Returns the report. Raises nothing of its own."""
    report = SyncReport(dry_run=dry_run)
    targets: Sequence[GuildTarget] = ()
    async with reading() as session:
        identity = await discord_sync.member_identity(session, member_id=member_id)
        if identity is None:
            return report
        organization_id, user_id = identity
        targets = await discord_sync.sync_targets(session, organization_id=organization_id)
        standings = await discord_sync.standings(
            session, organization_id=organization_id, member_ids=[member_id]
        )
        await _with_ratings(session, standings)
    for target in targets:
        report.guilds += 1
        try:
            who = await members.member(target.guild_id, user_id)
        except DiscordRefused as refused:
            gone = refused.member_gone
            report.lines.append(
                SyncLine(
                    target.guild_id,
                    user_id,
                    "",
                    SyncAction.MEMBER,
                    "",
                    SyncOutcome.SKIPPED if gone else SyncOutcome.FAILED,
                    "Not in the server." if gone else _why(refused),
                )
            )
            continue
        report.members += 1
        await _apply(members, target, who, standings.get(user_id), report)
    return report
