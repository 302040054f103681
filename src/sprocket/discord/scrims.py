"""``/scrim create|join|leave|checkin|status`` and ``/queue join|leave|status``, and the
Check in button: the scrim queue through the services the web's scrim and queue pages call
(:mod:`sprocket.web.scrims`, :mod:`sprocket.web.queue`)."""

from __future__ import annotations

import datetime as dt

from hikari import ButtonStyle, OptionType

from sprocket.db import MAX_ID
from sprocket.discord.embeds import Embed, Field
from sprocket.discord.registry import Call, Command, Option
from sprocket.discord.replies import Button, Reply, timestamp
from sprocket.errors import InvalidInput, NotFound
from sprocket.league import service as league
from sprocket.scrims import lifecycle, matchmaking, overview, service
from sprocket.scrims.enums import ScrimStatus, ScrimTeamMode, TicketStatus
from sprocket.scrims.errors import ScrimCode

#: Minutes a player waits when they say nothing else (as the web's forms offer).
WAIT_MINUTES = 30

MODE = Option(
    "mode",
    "The game mode.",
    required=True,
    choices=tuple((name, code) for code, name, _ in league.GAME_MODES),
)
KIND = Option(
    "kind",
    "Competitive (your skill group) or casual (anyone; default: competitive).",
    choices=(("Competitive", "competitive"), ("Casual", "casual")),
)
WAIT = Option(
    "wait_minutes",
    f"How long you wait (default {WAIT_MINUTES}).",
    OptionType.INTEGER,
    min_value=1,
    max_value=24 * 60,
)
SCRIM = Option(
    "scrim", "The scrim's number.", OptionType.INTEGER, True, min_value=1, max_value=MAX_ID
)


def wait_of(call: Call) -> dt.timedelta:
    """How long the caller waits (the ``wait_minutes`` option), for the service to judge."""
    return dt.timedelta(minutes=int(call.option("wait_minutes", WAIT_MINUTES)))


async def my_scrim_id(call: Call) -> int:
    """The caller's current scrim in the organization. Raises PERMISSION_DENIED (not a
    member), NOT_IN_SCRIM."""
    async with call.runtime.reading() as session:
        scrim = await service.my_scrim(session, actor=call.actor, organization_id=call.organization)
    if scrim is None:
        raise InvalidInput("You are in no scrim.", code=ScrimCode.NOT_IN_SCRIM)
    return scrim.id


async def create_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        scrim = await lifecycle.create_scrim(
            session,
            actor=call.actor,
            organization_id=call.organization,
            game_mode=call.option("mode"),
            wait_until=wait_of(call),
            competitive=call.option("kind", "competitive") == "competitive",
            team_mode=call.option("team_mode", ScrimTeamMode.FIXED),
            games=int(call.option("games", 3)),
        )
    return Reply(
        f"You opened scrim {scrim.id} and took its first seat: others join with "
        f"`/scrim join scrim:{scrim.id}`."
    )


async def join_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        scrim = await lifecycle.join_scrim(
            session,
            actor=call.actor,
            scrim_id=int(call.option("scrim")),
            wait_until=wait_of(call),
            group_code=call.option("group_code"),
        )
    if scrim.status == ScrimStatus.POPPED:
        return await status_reply(call, scrim.id, "You took the last seat: the scrim popped.")
    return Reply(f"You took a seat in scrim {scrim.id}.")


async def leave_command(call: Call) -> Reply:
    scrim_id = await my_scrim_id(call)
    async with call.runtime.unit_of_work() as session:
        await lifecycle.leave_scrim(session, actor=call.actor, scrim_id=scrim_id)
    return Reply(f"You left scrim {scrim_id}.")


async def check_in(call: Call, scrim_id: int) -> Reply:
    async with call.runtime.unit_of_work() as session:
        scrim = await lifecycle.check_in(session, actor=call.actor, scrim_id=scrim_id)
    if scrim.status == ScrimStatus.IN_PROGRESS:
        return await status_reply(call, scrim_id, "You checked in: the scrim has started.")
    return Reply(f"You checked in to scrim {scrim_id}; it starts once everyone has.")


async def checkin_command(call: Call) -> Reply:
    return await check_in(call, await my_scrim_id(call))


async def checkin_button(call: Call) -> Reply:
    """The Check in button (``checkin:<scrim id>``)."""
    raw = call.argument
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise NotFound(f"There is no scrim {raw[:20]}.")
    return await check_in(call, int(raw))


async def status_reply(call: Call, scrim_id: int, heading: str = "") -> Reply:
    """Scrim ``scrim_id`` as the caller may see it (seats, check-ins, teams and, for its
    players once started, the lobby), with the Check in button while they owe one; for
    the caller's eyes only."""
    async with call.runtime.reading() as session:
        view = await overview.scrim_view(session, actor=call.actor, scrim_id=scrim_id)
    summary = view.summary
    lines = [
        f"{summary.game_mode}, {'competitive' if summary.competitive else 'casual'}, "
        f"{summary.games} games, {summary.team_mode.replace('_', ' ')} teams",
        f"Status: {summary.status.replace('_', ' ')}; seats {summary.taken} of {summary.seats}",
    ]
    if view.scrim.check_in_deadline is not None and summary.status == ScrimStatus.POPPED:
        lines.append(f"Check in by {timestamp(view.scrim.check_in_deadline)}")
    if view.group_code:
        lines.append(f"Your premade group's code: `{view.group_code}`")
    fields = []
    if view.seats:
        fields.append(
            Field(
                "Players",
                "\n".join(f"{s.name}{' ✓' if s.checked_in else ''}" for s in view.seats),
            )
        )
    fields += [
        Field(f"Game {g.number}", f"{', '.join(g.home)} vs {', '.join(g.away)}")
        for g in view.lineups
    ]
    if view.lobby is not None:
        fields.append(Field("Lobby", f"Name `{view.lobby[0]}`, password `{view.lobby[1]}`"))
    buttons = []
    if view.seated and not view.checked_in and summary.status == ScrimStatus.POPPED:
        buttons = [Button("Check in", f"checkin:{scrim_id}", ButtonStyle.SUCCESS)]
    embed = Embed(f"Scrim {scrim_id}", "\n".join(lines), fields=fields)
    # Who plays and the lobby are for the scrim's insiders: never shown in a channel.
    return Reply(heading, embeds=[embed], buttons=buttons, ephemeral=True)


async def status_command(call: Call) -> Reply:
    """The caller's scrim, else the organization's open scrims."""
    async with call.runtime.reading() as session:
        mine = await service.my_scrim(session, actor=call.actor, organization_id=call.organization)
        if mine is None:
            lines = await service.public_scrims(session, organization_id=call.organization)
    if mine is not None:
        return await status_reply(call, mine.id)
    text = "\n".join(
        f"`#{s.id}` {s.game_mode} {'competitive' if s.competitive else 'casual'}"
        f"{f' ({s.skill_group.name})' if s.skill_group else ''}: {s.taken} of {s.seats} seats, "
        f"{s.status.replace('_', ' ')}"
        for s in lines
    )
    return Reply(embeds=[Embed("Open scrims", text or "No scrim is open: `/scrim create`.")])


async def queue_join_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        ticket = await matchmaking.enter_queue(
            session,
            actor=call.actor,
            organization_id=call.organization,
            game_mode=call.option("mode"),
            wait_until=wait_of(call),
            competitive=call.option("kind", "competitive") == "competitive",
        )
    if ticket.status == TicketStatus.PLACED and ticket.scrim_id is not None:
        return await status_reply(call, ticket.scrim_id, "A lobby formed at once: check in.")
    return Reply(f"You are waiting in the queue until {timestamp(ticket.wait_until)}.")


async def queue_leave_command(call: Call) -> Reply:
    async with call.runtime.unit_of_work() as session:
        await matchmaking.leave_queue(session, actor=call.actor, organization_id=call.organization)
    return Reply("You left the queue.")


async def queue_status_command(call: Call) -> Reply:
    """The caller's place in line, and how many wait in each queue (counts, no names)."""
    async with call.runtime.reading() as session:
        place = await overview.my_queue_place(
            session, actor=call.actor, organization_id=call.organization
        )
        lines = await overview.queue_lines(session, organization_id=call.organization)
    queues = "\n".join(
        f"{q.game_mode.name}{f' ({q.skill_group.name})' if q.skill_group else ' casual'}: "
        f"{q.waiting} waiting, {q.lobby_size} make a lobby"
        for q in lines
    )
    mine = (
        f"You are number {place.position} of {place.waiting} in the {place.game_mode.name} "
        f"queue, until {timestamp(place.ticket.wait_until)}."
        if place is not None
        else "You are not waiting in the queue."
    )
    return Reply(embeds=[Embed("Scrim queue", f"{mine}\n\n{queues or 'Every queue is empty.'}")])


SCRIM_COMMAND = Command(
    "scrim",
    "Scrims: open one, join, leave, check in, see where you stand.",
    subcommands=(
        Command(
            "create",
            "Open a scrim and take its first seat.",
            create_command,
            options=(
                MODE,
                KIND,
                Option(
                    "team_mode",
                    "Fixed teams, or a new balanced split per game.",
                    choices=(("Fixed", "fixed"), ("Round robin", "round_robin")),
                ),
                Option(
                    "games",
                    "How many games (default 3).",
                    OptionType.INTEGER,
                    min_value=1,
                    max_value=service.MAX_GAMES,
                ),
                WAIT,
            ),
        ),
        Command(
            "join",
            "Take a seat in a scrim.",
            join_command,
            options=(
                SCRIM,
                WAIT,
                Option("group_code", "Your premade group's code.", max_length=6),
            ),
        ),
        Command("leave", "Give up your seat before the scrim pops.", leave_command),
        Command("checkin", "Check in to your popped scrim.", checkin_command),
        Command(
            "status",
            "Your scrim (lobby included), else the open scrims.",
            status_command,
            private=True,
        ),
    ),
)

QUEUE_COMMAND = Command(
    "queue",
    "The matchmaking queue: wait for a balanced lobby.",
    subcommands=(
        Command(
            "join",
            "Wait in the queue of a game mode.",
            queue_join_command,
            options=(MODE, KIND, WAIT),
        ),
        Command("leave", "Stop waiting in the queue.", queue_leave_command),
        Command(
            "status", "Your place in line, and how many wait.", queue_status_command, private=True
        ),
    ),
)

COMMANDS = (SCRIM_COMMAND, QUEUE_COMMAND)
COMPONENTS = {"checkin": checkin_button}
