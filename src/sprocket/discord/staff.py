"""``/staff forfeit|reschedule|ban|unban|force-accept|reset|move|announce``: staff's acts,
through the services the GraphQL door's ``recordForfeit``, ``rescheduleMatch``,
``forceAcceptSubmission``, ``resetSubmission`` and ``movePlayer`` call, the queue bans of
:mod:`sprocket.scrims.bans` and the announcements of
:mod:`sprocket.notifications.announcements` (as the web's staff page makes them). Who may act
is the services' to say: anyone else hears their refusal."""

from __future__ import annotations

from hikari import OptionType

from sprocket.db import MAX_ID
from sprocket.discord.choose import LEAGUE, chosen_league, moment_of
from sprocket.discord.registry import Call, Command, Completion, Handler, Option
from sprocket.discord.replays import SUBMISSION, submission_of
from sprocket.discord.replies import Reply, timestamp
from sprocket.league import lookup, members
from sprocket.league import service as league
from sprocket.notifications import announcements
from sprocket.replays import service as replays
from sprocket.schedule import service as schedule
from sprocket.scrims import bans

MATCH = Option(
    "match", "The match's number (#id).", OptionType.INTEGER, True, min_value=1, max_value=MAX_ID
)
TEAM = Option(
    "team",
    "The team that forfeits (type to search).",
    required=True,
    complete=Completion.TEAM,
    max_length=100,
)
MEMBER = Option(
    "player",
    "The member (type to search).",
    required=True,
    complete=Completion.PLAYER,
    max_length=100,
)


async def forfeit_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        team, _ = await lookup.team_named(
            session, organization_id=call.organization, value=str(call.option("team"))
        )
        match = await schedule.record_forfeit(
            session, actor=call.actor, match_id=int(call.option("match")), team_id=team.id
        )
    return Reply(f"Match {match.id}: {team.name} forfeits.")


async def reschedule_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        zone = await league.organization_zone(session, call.organization)
        match = await schedule.reschedule_match(
            session,
            actor=call.actor,
            match_id=int(call.option("match")),
            starts_at=moment_of(call.option("starts"), zone, what="start"),
            ends_at=moment_of(call.option("ends"), zone, what="end"),
        )
    return Reply(
        f"Match {match.id} now runs from {timestamp(match.starts_at)} to "
        f"{timestamp(match.ends_at)}."
    )


async def ban_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        member = await lookup.member_named(
            session, organization_id=call.organization, value=str(call.option("player"))
        )
        ban = await bans.ban_from_queue(
            session,
            actor=call.actor,
            organization_id=call.organization,
            member_id=member.id,
            minutes=int(call.option("minutes")),
            reason=str(call.option("reason", "")),
        )
    return Reply(f"{member.name} is kept out of the scrim queue until {timestamp(ban.ends_at)}.")


async def unban_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        member = await lookup.member_named(
            session, organization_id=call.organization, value=str(call.option("player"))
        )
        await bans.lift_member_ban(
            session, actor=call.actor, organization_id=call.organization, member_id=member.id
        )
    return Reply(f"{member.name}'s queue ban is lifted.")


async def force_accept_command(call: Call) -> Reply:
    submission_id = submission_of(call.option("submission"))
    async with call.runtime.unit_of_work() as session:
        await replays.force_accept(session, actor=call.actor, submission_id=submission_id)
    return Reply(f"Submission {submission_id} is accepted, by staff.")


async def reset_command(call: Call) -> Reply:
    submission_id = submission_of(call.option("submission"))
    async with call.runtime.unit_of_work() as session:
        await replays.reset(session, actor=call.actor, submission_id=submission_id)
    return Reply(f"Submission {submission_id} is reset: it is checked and answered again.")


async def move_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        member = await lookup.member_named(
            session, organization_id=call.organization, value=str(call.option("player"))
        )
        player = await lookup.player_of(
            session, member=member, league=await chosen_league(session, call)
        )
        group = await lookup.skill_group_named(
            session, league_id=player.league_id, value=str(call.option("skill_group"))
        )
        await members.move_player(
            session,
            actor=call.actor,
            player_id=player.id,
            skill_group_id=group.id,
            reason=str(call.option("reason", "")),
        )
    return Reply(f"{member.name} moved to {group.name}.")


async def announce_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        row = await announcements.announce(
            session,
            actor=call.actor,
            organization_id=call.organization,
            title=str(call.option("title", "")),
            body=str(call.option("text", "")),
        )
    return Reply(f"Announced: {row.title}. It is on the home page, and posted where set.")


def _staff(name: str, description: str, run: Handler, *options: Option) -> Command:
    return Command(name, description, run, options=options, private=True)


STAFF_COMMAND = Command(
    "staff",
    "League staff's acts.",
    subcommands=(
        _staff("forfeit", "Record that a team forfeits a match.", forfeit_command, MATCH, TEAM),
        _staff(
            "reschedule",
            "Move a match's window (the organization's time).",
            reschedule_command,
            MATCH,
            Option("starts", "New start: YYYY-MM-DD HH:MM.", required=True, max_length=16),
            Option("ends", "New end: YYYY-MM-DD HH:MM.", required=True, max_length=16),
        ),
        _staff(
            "ban",
            "Keep a member out of the scrim queue for a while.",
            ban_command,
            MEMBER,
            Option(
                "minutes",
                "How long, in minutes.",
                OptionType.INTEGER,
                True,
                min_value=1,
                max_value=bans.MAX_BAN_MINUTES,
            ),
            Option("reason", "Why (the member reads it).", required=True, max_length=200),
        ),
        _staff("unban", "Lift a member's queue ban.", unban_command, MEMBER),
        _staff(
            "force-accept",
            "Accept a submitted result as it stands.",
            force_accept_command,
            SUBMISSION,
        ),
        _staff("reset", "Check a submission again from scratch.", reset_command, SUBMISSION),
        _staff(
            "move",
            "Move a player to another skill group of their league.",
            move_command,
            MEMBER,
            Option("skill_group", "The skill group's name or code.", required=True, max_length=64),
            Option("reason", "Why (kept in the audit log).", required=True, max_length=200),
            LEAGUE,
        ),
        _staff(
            "announce",
            "Announce to the organization (home page and announcements channel).",
            announce_command,
            Option("title", "The announcement's title.", required=True, max_length=200),
            Option("text", "What it says.", required=True, max_length=2000),
        ),
    ),
)

COMMANDS = (STAFF_COMMAND,)
