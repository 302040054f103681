"""Report cards as the doors and jobs ask for them: made once per accepted result (the job
:data:`CARD_JOB`, asked for in the accepting transaction, runs after the ratings it shows
are committed), kept in object storage under a key of the result (its accepted submission,
or when staff entered a league match's scores by hand, the moment they did) and the
organization's colours (so a result invalidated and accepted again, or new colours, get a
new card), drawn again whenever it is missing (regenerable: :func:`make_card` redraws it on
demand), and shown to whoever may see the result: a league match's card to anyone (its page
is public), a scrim's to its players and the organization's staff (a scrim's line-ups are
theirs only, as on its page). The job posts a match's card in the organization's results
channel and sends a scrim's to its players (:func:`post_match_card`, :func:`post_scrim_card`).

For the doors: :func:`find_card` (a match's, a scrim's or the caller's latest), the PNGs of
one match or scrim. For other domains: :func:`card_png` (a match's card, or None) and
:func:`card_key`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import InvalidInput, NotFound, PermissionDenied
from sprocket.identity.access import Actor, require_user
from sprocket.league import access
from sprocket.league import service as league
from sprocket.league.models import Member, Player
from sprocket.media.errors import MediaCode
from sprocket.media.gather import match_card, no_card, scrim_card
from sprocket.media.render import render_png
from sprocket.notifications.channels import Place, channel_for, target_of_channel
from sprocket.notifications.delivery import Delivery, schedule_delivery
from sprocket.notifications.enums import ChannelPurpose, NotificationKind
from sprocket.notifications.message import Attachment, Message
from sprocket.notifications.models import Notification
from sprocket.notifications.service import Notice, notify
from sprocket.platform.outbox import enqueue
from sprocket.platform.storage import ObjectStorage
from sprocket.replays.enums import SubmissionStatus
from sprocket.replays.models import Submission
from sprocket.replays.reads import accepted_submission
from sprocket.schedule import overview
from sprocket.schedule.enums import MatchStatus
from sprocket.schedule.models import Match, MatchGame
from sprocket.scrims import results as scrim_results
from sprocket.scrims import service as scrims
from sprocket.scrims.enums import ScrimStatus
from sprocket.scrims.models import Scrim, ScrimEntry
from sprocket.stats.models import PlayerGameStat

#: The job that makes the card of a just-accepted result (payload: subject, subject_id).
CARD_JOB = "report_card.make"

Subject = Literal["match", "scrim"]


@dataclass(frozen=True)
class Card:
    """A card as a door sends it: what it is of, and its PNG."""

    subject: Subject
    subject_id: int
    png: bytes

    @property
    def filename(self) -> str:
        return card_filename(self.subject, self.subject_id)


def card_filename(subject: Subject, subject_id: int) -> str:
    """The file name a card is sent under (``report-card-match-12.png``)."""
    return f"report-card-{subject}-{subject_id}.png"


def card_key(subject: Subject, subject_id: int, result: int | str, colours: tuple[str, str]) -> str:
    """The storage key of the card of ``subject`` (a match or a scrim, by id) as its result
    ``result`` recorded it (see :func:`result_of`: the accepted submission's id, or the mark
    of scores staff entered), in the organization's ``colours`` (primary, secondary:
    ``#rrggbb``): new colours make a new key, so each card is drawn again in them when next
    asked for."""
    look = "-".join(c.lstrip("#") for c in colours)
    return f"report-cards/{subject}/{subject_id}/{result}-{look}.png"


def request_card(session: AsyncSession, *, subject: Subject, subject_id: int) -> None:
    """Ask for the card of a result accepted in this transaction: the job :data:`CARD_JOB`
    makes it once the transaction commits (with the ratings it changed)."""
    enqueue(session, CARD_JOB, subject=subject, subject_id=subject_id)


async def result_of(session: AsyncSession, *, subject: Subject, subject_id: int) -> str | None:
    """What a card of ``subject`` (by id) shows, as its key names it: the accepted
    submission's id; for a league match whose scores staff entered by hand (completed
    without a submission), ``entered-<unix seconds of its completion>``; None while there is
    no result to show (none accepted, or a forfeit: no game was played). At most two
    statements."""
    submission = await accepted_submission(session, **{f"{subject}_id": subject_id})
    if submission is not None:
        return str(submission.id)
    if subject == "scrim":
        return None
    match = await session.get(Match, subject_id)
    if match is None or match.status != MatchStatus.COMPLETED or match.completed_at is None:
        return None
    return f"entered-{int(match.completed_at.timestamp())}"


async def _result(session: AsyncSession, subject: Subject, subject_id: int) -> str:
    result = await result_of(session, subject=subject, subject_id=subject_id)
    if result is None:
        raise no_card(f"{subject} {subject_id}")
    return result


async def make_card(
    session: AsyncSession, storage: ObjectStorage, *, subject: Subject, subject_id: int
) -> bytes:
    """Draw the card of an accepted result (a match or a scrim, by id) from what the
    database holds now, store it (replacing the one it had) and return its PNG. Rendering
    runs in a worker thread, off the event loop. Raises NOT_FOUND, NO_REPORT_CARD."""
    result = await _result(session, subject, subject_id)
    if subject == "match":
        card = await match_card(session, match_id=subject_id)
    else:
        card = await scrim_card(session, scrim_id=subject_id)
    png = await asyncio.to_thread(render_png, card)
    key = card_key(subject, subject_id, result, (card.primary, card.secondary))
    await storage.put(key, png, content_type="image/png")
    return png


async def _current_key(
    session: AsyncSession, subject: Subject, subject_id: int, organization_id: int
) -> str:
    """The storage key of the card of the subject's result, in the organization's colours
    as they are now. Raises NO_REPORT_CARD."""
    result = await _result(session, subject, subject_id)
    config = await league.organization_config(session, organization_id)
    colours = (config["primary_colour"], config["secondary_colour"])
    return card_key(subject, subject_id, result, colours)


async def post_match_card(session: AsyncSession, *, match_id: int) -> Delivery | None:
    """Post the stored card of a league match's result (made by :func:`make_card`) to its
    organization's results channel, once per result and colours: the card is read from
    object storage when the delivery is sent. Returns the delivery, or None when the
    organization set no results channel, or posted this card already. No permission check:
    the card job's act. Raises NOT_FOUND, NO_REPORT_CARD."""
    line = await overview.match_line(session, match_id=match_id)
    key = await _current_key(session, "match", match_id, line.organization_id)
    channel = await channel_for(
        session, organization_id=line.organization_id, place=Place(ChannelPurpose.RESULTS)
    )
    if channel is None:
        return None
    return await schedule_delivery(
        session,
        key=f"report_card:{key}",
        target=target_of_channel(channel),
        message=Message(
            content=f"Report card of match {match_id}.",
            attachments=(Attachment(card_filename("match", match_id), storage_key=key),),
        ),
        organization_id=line.organization_id,
    )


async def _kept_or_made(
    session: AsyncSession,
    storage: ObjectStorage,
    subject: Subject,
    subject_id: int,
    organization_id: int,
) -> bytes:
    key = await _current_key(session, subject, subject_id, organization_id)
    try:
        return await storage.get(key)
    except NotFound:
        return await make_card(session, storage, subject=subject, subject_id=subject_id)


async def match_card_png(
    session: AsyncSession,
    storage: ObjectStorage,
    *,
    match_id: int,
    organization_id: int | None = None,
) -> bytes:
    """The PNG of a league match's card (anyone may see it), drawn now if it is missing;
    ``organization_id``: the organization a door acts for (a match of another is not
    found). Raises NOT_FOUND (no such match, or not the organization's), NO_REPORT_CARD."""
    line = await overview.match_line(session, match_id=match_id)
    if organization_id is not None and line.organization_id != organization_id:
        raise NotFound(f"This organization has no match {match_id}.")
    return await _kept_or_made(session, storage, "match", match_id, line.organization_id)


async def card_png(session: AsyncSession, storage: ObjectStorage, match_id: int) -> bytes | None:
    """A match's card for a notification of its accepted result: its PNG, None while the
    match has no accepted result (where :func:`match_card_png` raises NO_REPORT_CARD).
    Raises NOT_FOUND (no such match)."""
    try:
        return await match_card_png(session, storage, match_id=match_id)
    except NotFound as error:
        if error.code == MediaCode.NO_REPORT_CARD:
            return None
        raise


async def _scrim_players(session: AsyncSession, scrim_id: int) -> set[int]:
    """The member ids of everyone who played one of the scrim's games."""
    games = await scrims.game_lineups_of(session, scrim_id)
    return {m for lineup in scrim_results.lineups(games) for m in (*lineup.home, *lineup.away)}


async def may_see_scrim_card(session: AsyncSession, *, actor: Actor, scrim: Scrim) -> bool:
    """Whether ``actor`` may see the scrim's card: a player of one of its games, or staff of
    its organization (anyone else: no; the spectator: no)."""
    if actor.user_id is None:
        return False
    if await access.is_staff_anywhere(session, actor, scrim.organization_id):
        return True
    member_id = await session.scalar(
        select(Member.id).where(
            Member.organization_id == scrim.organization_id, Member.user_id == actor.user_id
        )
    )
    return member_id in await _scrim_players(session, scrim.id)


async def post_scrim_card(session: AsyncSession, *, scrim_id: int) -> list[Notification]:
    """Send the stored card of a scrim's accepted result (made by :func:`make_card`) to its
    players, as a notification of kind RESULT_ACCEPTED (:func:`~sprocket.notifications.
    service.notify`): in each one's inbox, and by direct message with the card to those who
    take results by DM; never in a channel, since a scrim's line-ups are its players' only
    (as its page shows them). Once per result and colours. Returns the inbox rows made now
    (none when sent already). No permission check: the card job's act. Raises NOT_FOUND,
    NO_REPORT_CARD."""
    scrim = await scrims.get_scrim(session, scrim_id=scrim_id, lock=False)
    key = await _current_key(session, "scrim", scrim_id, scrim.organization_id)
    players = await _scrim_players(session, scrim_id)
    users = await session.scalars(select(Member.user_id).where(Member.id.in_(players)))
    return await notify(
        session,
        organization_id=scrim.organization_id,
        kind=NotificationKind.RESULT_ACCEPTED,
        recipients=set(users.all()),
        notice=Notice(
            f"Report card of scrim {scrim_id}",
            f"Scrim {scrim_id}'s result is in: each game's score and your lines.",
            link=f"/scrims/{scrim_id}",
            attachments=(Attachment(card_filename("scrim", scrim_id), storage_key=key),),
        ),
        key=f"report_card:{key}",
    )


async def scrim_card_png(
    session: AsyncSession,
    storage: ObjectStorage,
    *,
    actor: Actor,
    scrim_id: int,
    organization_id: int | None = None,
) -> bytes:
    """The PNG of a scrim's card for one of its players or the organization's staff, drawn
    now if it is missing; ``organization_id`` as for :func:`match_card_png`. Raises
    UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED, NO_REPORT_CARD."""
    require_user(actor)
    scrim = await scrims.get_scrim(session, scrim_id=scrim_id, lock=False)
    if organization_id is not None and scrim.organization_id != organization_id:
        raise NotFound(f"This organization has no scrim {scrim_id}.")
    if not await may_see_scrim_card(session, actor=actor, scrim=scrim):
        raise PermissionDenied(
            f"Only the players of scrim {scrim_id} and staff may see its report card."
        )
    return await _kept_or_made(session, storage, "scrim", scrim_id, scrim.organization_id)


async def has_card(session: AsyncSession, *, subject: Subject, subject_id: int) -> bool:
    """Whether the match or scrim has a result to show, so a card (for a page to show; see
    :func:`result_of`). At most two statements."""
    return await result_of(session, subject=subject, subject_id=subject_id) is not None


async def _latest_match(
    session: AsyncSession, member_ids: list[int]
) -> tuple[dt.datetime, int] | None:
    """When the members' newest completed league match with a line of theirs was recorded,
    and its id (completed: its result accepted or entered by staff)."""
    row = (
        await session.execute(
            select(Match.completed_at, Match.id)
            .join(MatchGame, MatchGame.match_id == Match.id)
            .join(PlayerGameStat, PlayerGameStat.match_game_id == MatchGame.id)
            .join(Player, Player.id == PlayerGameStat.player_id)
            .where(Player.member_id.in_(member_ids), Match.status == MatchStatus.COMPLETED)
            .order_by(Match.completed_at.desc(), Match.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None or row[0] is None else (row[0], row[1])


async def _latest_scrim(
    session: AsyncSession, member_ids: list[int]
) -> tuple[dt.datetime, int] | None:
    """When the members' newest completed scrim finished, and its id."""
    row = (
        await session.execute(
            select(Scrim.finished_at, Scrim.id)
            .join(ScrimEntry, ScrimEntry.scrim_id == Scrim.id)
            .join(Submission, Submission.scrim_id == Scrim.id)
            .where(ScrimEntry.member_id.in_(member_ids), Scrim.status == ScrimStatus.COMPLETE)
            .where(Submission.status == SubmissionStatus.ACCEPTED)
            .order_by(Scrim.finished_at.desc(), Scrim.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None or row[0] is None else (row[0], row[1])


async def latest_card(
    session: AsyncSession, storage: ObjectStorage, *, actor: Actor, organization_id: int
) -> Card:
    """The card of the caller's newest accepted result in the organization: a league match
    they played in or a scrim they sat in, whichever was accepted last. Raises
    UNAUTHENTICATED, NO_REPORT_CARD (none yet)."""
    user_id = require_user(actor)
    member_ids = list(
        (
            await session.scalars(
                select(Member.id).where(
                    Member.organization_id == organization_id, Member.user_id == user_id
                )
            )
        ).all()
    )
    match = await _latest_match(session, member_ids) if member_ids else None
    scrim = await _latest_scrim(session, member_ids) if member_ids else None
    if match is None and scrim is None:
        raise NotFound(
            "You have played no match or scrim with an accepted result here yet, so you have "
            "no report card.",
            code=MediaCode.NO_REPORT_CARD,
        )
    if scrim is None or (match is not None and match[0] >= scrim[0]):
        assert match is not None
        png = await match_card_png(session, storage, match_id=match[1])
        return Card("match", match[1], png)
    png = await scrim_card_png(session, storage, actor=actor, scrim_id=scrim[1])
    return Card("scrim", scrim[1], png)


async def find_card(
    session: AsyncSession,
    storage: ObjectStorage,
    *,
    actor: Actor,
    organization_id: int,
    match_id: int | None = None,
    scrim_id: int | None = None,
) -> Card:
    """The card a person asks for in an organization: a league match's (by id), a scrim's
    (by id, for its players and staff) or, naming neither, their latest
    (:func:`latest_card`). Raises UNAUTHENTICATED, MATCH_OR_SCRIM (both named), NOT_FOUND
    (not the organization's), PERMISSION_DENIED (a scrim's card), NO_REPORT_CARD."""
    require_user(actor)
    if match_id is not None and scrim_id is not None:
        raise InvalidInput(
            "Name a match or a scrim, not both: a card is of one of them.",
            code=MediaCode.MATCH_OR_SCRIM,
        )
    if match_id is not None:
        png = await match_card_png(
            session, storage, match_id=match_id, organization_id=organization_id
        )
        return Card("match", match_id, png)
    if scrim_id is not None:
        png = await scrim_card_png(
            session, storage, actor=actor, scrim_id=scrim_id, organization_id=organization_id
        )
        return Card("scrim", scrim_id, png)
    return await latest_card(session, storage, actor=actor, organization_id=organization_id)
