"""``/submit``: a series' replays attached to the command (``replay1`` to ``replay7``: one
per game, in order, enough for a best of seven) for a match (the ``match`` option, which
suggests the caller's open matches) or else the caller's current scrim, through the services
the web's upload pages call (:mod:`sprocket.web.submit`). The answer is the submission's
per-game report, once the background check has run.

The command is deferred at once (downloading and checking take seconds) and answered for the
caller's eyes only. Who may submit is asked before any file is downloaded; the files come
from Discord's CDN only, within the replay size cap (:mod:`sprocket.discord.attachments`);
the service judges their content as it judges the web's uploads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from hikari import OptionType
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.db import MAX_ID
from sprocket.discord import attachments
from sprocket.discord.embeds import Embed, Field
from sprocket.discord.errors import DiscordCode
from sprocket.discord.registry import Call, Command, Completion, Option
from sprocket.discord.replies import Reply, timestamp
from sprocket.errors import DomainError, InvalidInput
from sprocket.flows import match_results, scrim_results
from sprocket.flows.submission_report import SubmissionReport, submission_report
from sprocket.replays import reads
from sprocket.replays import service as replays
from sprocket.replays.enums import SubmissionStatus
from sprocket.runtime import Runtime
from sprocket.scrims import service as scrims
from sprocket.text import plural

#: Replay options: one per game of a best of seven (the web's upload page takes more).
REPLAYS = 7
#: A submission's states while its replays are read and checked.
CHECKING = (SubmissionStatus.PROCESSING, SubmissionStatus.VALIDATING)

MATCH = Option(
    "match",
    "The match (type to see your open ones); without it, your current scrim.",
    OptionType.INTEGER,
    min_value=1,
    max_value=MAX_ID,
    complete=Completion.OPEN_MATCH,
)
FILES = tuple(
    Option(f"replay{n}", f"Game {n}'s replay file.", OptionType.ATTACHMENT, required=n == 1)
    for n in range(1, REPLAYS + 1)
)


@dataclass(frozen=True)
class Target:
    """What the replays prove: the service keyword of its id and the id, with the upload
    service and its refusal (as the web's :class:`sprocket.web.submit.Subject`)."""

    key: str
    ident: int
    refusal: Callable[..., Awaitable[DomainError | None]]
    submit: Callable[..., Awaitable[Any]]


async def target_of(session: AsyncSession, call: Call) -> Target:
    """The match the ``match`` option names, else the caller's current scrim in the
    organization. Raises NOT_FOUND (no such match), PERMISSION_DENIED (not a member),
    NOTHING_TO_SUBMIT (no match named and no scrim)."""
    match_id = call.option("match")
    if match_id is not None:
        return Target(
            "match_id",
            int(match_id),
            match_results.match_submit_refusal,
            match_results.submit_match_replays,
        )
    scrim = await scrims.my_scrim(session, actor=call.actor, organization_id=call.organization)
    if scrim is None:
        raise InvalidInput(
            "Name the match with the match option: you are in no scrim to submit for.",
            code=DiscordCode.NOTHING_TO_SUBMIT,
        )
    return Target(
        "scrim_id",
        scrim.id,
        scrim_results.scrim_submit_refusal,
        scrim_results.submit_scrim_replays,
    )


async def checked(runtime: Runtime, submission_id: int, *, within: float) -> None:
    """Wait until the check of submission ``submission_id`` has run (its state leaves
    processing and validating), at most ``within`` seconds: each change of its state is
    published on its channel (:func:`sprocket.replays.service.submission_channel`), which
    is listened to before the state is read, so none is missed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    channel = replays.submission_channel(submission_id)
    async with runtime.cache.subscribe(channel) as messages:
        events = aiter(messages)
        while True:
            async with runtime.reading() as session:
                row = await reads.submission_by_id(session, submission_id=submission_id)
            left = deadline - loop.time()
            if row.status not in CHECKING or left <= 0:
                return
            try:
                await asyncio.wait_for(anext(events), timeout=left)
            except (TimeoutError, StopAsyncIteration):
                return


def status_words(shown: SubmissionReport, link: str | None) -> str:
    """The submission's state in a sentence, saying what comes next."""
    number = shown.submission.id
    status = shown.submission.status
    if status == SubmissionStatus.ACCEPTED:
        return "Accepted: this result stands."
    if status == SubmissionStatus.AWAITING_RATIFICATION:
        return (
            "Checked: the other side ratifies the result (the Ratify button, or "
            f"`/ratify submission:{number}`) or rejects it saying why."
        )
    if status == SubmissionStatus.REJECTED:
        return "Rejected: fix what the report says, then `/submit` the replays again."
    where = f" at {link}" if link else ""
    return f"The replays are still being checked; the report will be on the web{where}."


def report_reply(shown: SubmissionReport, *, files: int, link: str | None) -> Reply:
    """The answer to ``/submit``: the submission's state and its per-game report, each game
    a field (who was expected, which accounts the replay shows, its problems), times as
    Discord timestamps."""
    words = shown.words(lambda moment: timestamp(moment))
    number = shown.submission.id
    lines = [status_words(shown, link)]
    fields = []
    if words is not None:
        lines += [f"- {message}" for message in words.series_problems]
        for game in words.games:
            problems = [f"Problem: {message}" for message in game.problems]
            fields.append(Field(game.heading, "\n".join([*game.expected, *game.others, *problems])))
        if words.unknown:
            claims = "\n".join(
                f"'{line.name}' ({line.label}), {line.where}" for line in words.unknown
            )
            where = f" on the submission's page ({link})" if link else " on the web"
            fields.append(Field("Accounts linked to nobody", f"{claims}\nClaim yours{where}."))
    content = f"You submitted {plural(files, 'replay')} for {shown.title}: submission {number}."
    embed = Embed(f"Submission {number}: {shown.title}", "\n".join(lines), fields, url=link)
    return Reply(content, embeds=[embed])


async def submit_command(call: Call) -> Reply:
    """Ask whether the caller may submit for the target now (its refusal is the answer),
    then download the attached files, submit them, wait for the check and answer with the
    report."""
    runtime = call.runtime
    settings = runtime.settings
    async with runtime.reading() as session:
        target = await target_of(session, call)
        refusal = await target.refusal(session, actor=call.actor, **{target.key: target.ident})
    if refusal is not None:
        raise refusal
    files = [f for f in (call.attachment(option.name) for option in FILES) if f is not None]
    uploads = await attachments.download(
        files,
        origins=attachments.allowed_origins(settings.discord_attachment_origins),
        max_size=settings.replay_max_bytes,
    )
    async with runtime.unit_of_work() as session:
        submission = await target.submit(
            session,
            actor=call.actor,
            storage=runtime.storage,
            files=uploads,
            max_size=settings.replay_max_bytes,
            **{target.key: target.ident},
        )
    await checked(runtime, submission.id, within=settings.discord_report_wait_seconds)
    async with runtime.reading() as session:
        shown = await submission_report(session, actor=call.actor, submission_id=submission.id)
    link = (
        f"{settings.public_url.rstrip('/')}/submissions/{submission.id}"
        if settings.public_url
        else None
    )
    return report_reply(shown, files=len(uploads), link=link)


COMMANDS = (
    Command(
        "submit",
        "Submit a series' replays: one file per game, in order.",
        submit_command,
        options=(*FILES, MATCH),
        private=True,
        defer=True,
    ),
)
