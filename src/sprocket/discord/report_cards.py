"""``/reportcard``: the report card of a match, a scrim or the caller's latest result, as an
image attached to the reply (a scrim's for the caller's eyes only: its line-ups are its
players')."""

from __future__ import annotations

from hikari import OptionType

from sprocket.db import MAX_ID
from sprocket.discord.registry import Call, Command, Option
from sprocket.discord.replies import Attachment, Reply
from sprocket.media import service as report_cards


async def report_card_command(call: Call) -> Reply:
    """The card asked for (see :func:`sprocket.media.service.find_card`), attached."""
    match_id, scrim_id = call.option("match"), call.option("scrim")
    async with call.runtime.reading() as session:
        card = await report_cards.find_card(
            session,
            call.runtime.storage,
            actor=call.actor,
            organization_id=call.organization,
            match_id=None if match_id is None else int(match_id),
            scrim_id=None if scrim_id is None else int(scrim_id),
        )
    noun = f"match #{card.subject_id}" if card.subject == "match" else f"scrim {card.subject_id}"
    return Reply(
        content=f"Report card of {noun}.",
        attachments=[Attachment(card.filename, card.png)],
        ephemeral=card.subject == "scrim",
    )


def _id_option(name: str, description: str) -> Option:
    return Option(name, description, OptionType.INTEGER, min_value=1, max_value=MAX_ID)


COMMANDS = (
    Command(
        "reportcard",
        "The report card of a match or scrim (default: your latest result).",
        report_card_command,
        options=(
            _id_option("match", "The match's number (#id)."),
            _id_option("scrim", "The scrim's number (yours, or any as staff)."),
        ),
    ),
)
