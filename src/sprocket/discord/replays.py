"""``/ratify`` and ``/reject``, and the Ratify and Reject buttons (Reject asks the reason
in a modal): the answers to a submitted result, through the services the GraphQL door's
``ratifySubmission`` and ``rejectSubmission`` call."""

from __future__ import annotations

from hikari import OptionType

from sprocket.db import MAX_ID
from sprocket.discord.registry import Call, Command, Option
from sprocket.discord.replies import Modal, Reply
from sprocket.errors import NotFound
from sprocket.replays import reads
from sprocket.replays import service as replays
from sprocket.replays.enums import RatificationDecision, SubmissionStatus

SUBMISSION = Option(
    "submission",
    "The submission's number.",
    OptionType.INTEGER,
    True,
    min_value=1,
    max_value=MAX_ID,
)
REASON = Option("reason", "Why the result is wrong.", required=True, max_length=500)


def submission_of(raw: object) -> int:
    """The submission id an option or a custom id carries. Raises NOT_FOUND."""
    text = str(raw)
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise NotFound(f"There is no submission {text[:20]}.")
    return int(text)


async def ratify(call: Call, submission_id: int) -> Reply:
    """Ratify as the caller; a second answer, or one to a result accepted already, changes
    nothing and says so."""
    user_id = call.actor.user_id
    assert user_id is not None
    async with call.runtime.unit_of_work() as session:
        before = await reads.submission_by_id(session, submission_id=submission_id)
        accepted_before = before.status == SubmissionStatus.ACCEPTED
        answered = await reads.answer_of(session, submission_id=submission_id, user_id=user_id)
        submission = await replays.ratify(session, actor=call.actor, submission_id=submission_id)
    if answered == RatificationDecision.RATIFY:
        return Reply(f"You ratified submission {submission_id} already; nothing changed.")
    if accepted_before:
        return Reply(f"Submission {submission_id} is accepted already; nothing changed.")
    if submission.status == SubmissionStatus.ACCEPTED:
        return Reply(f"You ratified submission {submission_id}: the result is accepted.")
    return Reply(f"You ratified submission {submission_id}; it waits for more ratifications.")


async def reject(call: Call, submission_id: int, reason: str) -> Reply:
    """Reject as the caller, with ``reason``."""
    async with call.runtime.unit_of_work() as session:
        await replays.reject(session, actor=call.actor, submission_id=submission_id, reason=reason)
    return Reply(f"You rejected submission {submission_id}: it waits for a new upload.")


async def ratify_command(call: Call) -> Reply:
    return await ratify(call, submission_of(call.option("submission")))


async def reject_command(call: Call) -> Reply:
    return await reject(call, submission_of(call.option("submission")), call.option("reason"))


async def ratify_button(call: Call) -> Reply:
    """The Ratify button (``ratify:<submission id>``)."""
    return await ratify(call, submission_of(call.argument))


async def reject_button(call: Call) -> Modal:
    """The Reject button (``reject:<submission id>``): the modal asking the reason, for a
    caller who may reject the submission now; anyone else (or a press once it is closed)
    hears the refusal at once."""
    submission_id = submission_of(call.argument)
    async with call.runtime.reading() as session:
        await replays.may_reject(session, actor=call.actor, submission_id=submission_id)
    return Modal(
        f"reject-reason:{submission_id}",
        f"Reject submission {submission_id}",
        inputs=(("reason", "Why is the result wrong?"),),
    )


async def reject_modal(call: Call) -> Reply:
    """The reason modal's submission (``reject-reason:<submission id>``)."""
    submission_id = submission_of(call.argument)
    return await reject(call, submission_id, call.interaction.fields.get("reason", ""))


COMMANDS = (
    Command(
        "ratify",
        "Confirm a result your opponents submitted.",
        ratify_command,
        options=(SUBMISSION,),
        for_organization=False,
        private=True,
    ),
    Command(
        "reject",
        "Send a submitted result back, saying why.",
        reject_command,
        options=(SUBMISSION, REASON),
        for_organization=False,
        private=True,
    ),
)

COMPONENTS = {"ratify": ratify_button, "reject": reject_button, "reject-reason": reject_modal}
