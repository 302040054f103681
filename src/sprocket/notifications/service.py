"""Notifying people: :func:`notify` is what every domain calls, in its own transaction,
where an event happens (a scrim pops, a result waits for ratification...).

For each recipient (a user) it writes one inbox row per event key (so an event reported
twice adds nothing) and, by the recipient's preference for the kind
(:mod:`.preferences`), schedules a direct message on Discord; the channel the
organization set for the kind's purpose (:mod:`.channels`) gets one copy of the event,
mentioning the recipients who take the kind in the channel and, for the kinds that ping
one, the channel's role. Deliveries go through the delivery outbox (:mod:`.delivery`),
sent once by its job; with Discord off they are not sent and the inbox alone carries the
notification.

Who gets what, by preference: ``dm``: the inbox and a direct message; ``channel``: the
inbox and a mention in the channel copy (none where the kind is never posted in a channel,
such as a scrim's lobby password, or where the organization set no channel for it);
``off``: the inbox only. ``silent`` sends the direct message without a push notification
and leaves the channel mention without a ping. A user who never linked Discord gets the
inbox only. A team's channel copy mentions that team's players only (:class:`Place`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket import runtime
from sprocket.identity.models import User
from sprocket.notifications import channels
from sprocket.notifications.channels import Place
from sprocket.notifications.delivery import schedule_delivery
from sprocket.notifications.enums import DeliveryMode, NotificationKind
from sprocket.notifications.message import Attachment, Button, DmTarget, Message, WebhookTarget
from sprocket.notifications.models import Notification
from sprocket.notifications.preferences import preferences_of

#: Colour of every notification's embed (Sprocket's orange).
COLOUR = 0xE07A1F
#: Longest event key a caller gives (the deliveries' keys add a suffix to it).
MAX_KEY = 150


@dataclass(frozen=True)
class Notice:
    """What a notification says, as every copy of it shows it: ``title``, ``body``, the
    ``link`` to the page it concerns (a path on the site, ``/scrims/12``), the ``buttons``
    of its Discord messages (Check in, Ratify...; a link button to ``link`` is added when
    the site's address is known) and ``attachments`` (a report card)."""

    title: str
    body: str
    link: str | None = None
    buttons: Sequence[Button] = ()
    attachments: Sequence[Attachment] = ()


def cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def site_url(path: str) -> str | None:
    """The absolute address of ``path`` on this site (the setting ``public_url``, else the
    address ``serve`` listens on), or None outside a running platform."""
    try:
        settings = runtime.current().settings
    except RuntimeError:
        return None
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    return f"{base.rstrip('/')}{path}"


async def notify(
    session: AsyncSession,
    *,
    organization_id: int,
    kind: NotificationKind,
    recipients: Iterable[int],
    notice: Notice,
    key: str,
    places: Sequence[Place] = (),
) -> list[Notification]:
    """Report the event ``key`` (at most 150 characters, e.g. ``scrim_popped:12``; the same
    key twice is one event) of ``kind`` in the organization to ``recipients`` (user ids),
    saying ``notice``; its channel copy goes to each of ``places`` where the organization
    set a channel (none for a kind never posted in a channel). Returns the inbox rows made
    now (none for a recipient who had this event already). No permission check: the caller
    reports what it did. Raises ValueError for an overlong key (a programming error)."""
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"an event key has 1 to {MAX_KEY} characters: {key!r}")
    fresh = await _write_inbox(
        session,
        organization_id=organization_id,
        kind=kind,
        recipients=recipients,
        notice=notice,
        key=key,
    )
    users = {u.id: u for u in await _users(session, [row.user_id for row in fresh])}
    choices = await preferences_of(session, user_ids=list(users), kind=kind)
    in_channel: list[tuple[int, str, bool]] = []  # (user, discord id, silent): for mentions
    for user_id, user in sorted(users.items()):
        choice = choices[user_id]
        if user.discord_id is None or choice.delivery == DeliveryMode.OFF:
            continue
        if choice.delivery == DeliveryMode.CHANNEL:
            in_channel.append((user_id, user.discord_id, choice.silent))
            continue
        await schedule_delivery(
            session,
            key=f"{key}:dm:{user_id}",
            target=DmTarget(user.discord_id),
            message=_message(notice, target_is_webhook=False, silent=choice.silent),
            organization_id=organization_id,
            user_id=user_id,
        )
    if kind.purpose is None:
        return fresh
    for place in places:
        row = await channels.channel_for(session, organization_id=organization_id, place=place)
        if row is None:
            continue
        target = channels.target_of_channel(row)
        roles = (row.role_id,) if kind.role_ping and row.role_id else ()
        await schedule_delivery(
            session,
            key=f"{key}:channel:{place.purpose}:{place.scope_id}",
            target=target,
            message=_message(
                notice,
                target_is_webhook=isinstance(target, WebhookTarget),
                silent=False,
                roles=roles,
                mentioned=[
                    (ident, quiet)
                    for user_id, ident, quiet in in_channel
                    if place.mention is None or user_id in place.mention
                ],
            ),
            organization_id=organization_id,
        )
    return fresh


async def _write_inbox(
    session: AsyncSession,
    *,
    organization_id: int,
    kind: NotificationKind,
    recipients: Iterable[int],
    notice: Notice,
    key: str,
) -> list[Notification]:
    """One inbox row per recipient who has none for ``key`` yet; the rows made."""
    wanted = set(recipients)
    if not wanted:
        return []
    had = set(
        await session.scalars(
            select(Notification.user_id).where(
                Notification.key == key, Notification.user_id.in_(wanted)
            )
        )
    )

    def row(user_id: int) -> Notification:
        return Notification(
            user_id=user_id,
            organization_id=organization_id,
            kind=kind,
            key=key,
            title=cut(notice.title, 200),
            body=cut(notice.body, 2000),
            link=notice.link,
        )

    fresh = sorted(wanted - had)
    if not fresh:
        return []
    try:  # all at once: the usual case
        async with session.begin_nested():
            made = [row(user_id) for user_id in fresh]
            session.add_all(made)
            await session.flush()
        return made
    except IntegrityError:  # the same event reported by a concurrent transaction
        pass
    made = []
    for user_id in fresh:  # one by one, leaving out those the other transaction wrote
        one = row(user_id)
        try:
            async with session.begin_nested():
                session.add(one)
                await session.flush()
        except IntegrityError:
            continue
        made.append(one)
    return made


async def _users(session: AsyncSession, user_ids: Sequence[int]) -> list[User]:
    if not user_ids:
        return []
    return list((await session.scalars(select(User).where(User.id.in_(user_ids)))).all())


def _message(
    notice: Notice,
    *,
    target_is_webhook: bool,
    silent: bool,
    roles: Sequence[str] = (),
    mentioned: Sequence[tuple[str, bool]] = (),
) -> Message:
    """The Discord message of ``notice``: an embed (title, body, link), the buttons (a
    webhook takes link buttons only), and the mentions: ``roles`` pinged, each of
    ``mentioned`` (Discord id, silent) named and pinged unless silent."""
    url = site_url(notice.link) if notice.link else None
    embed: dict[str, object] = {
        "title": cut(notice.title, 256),
        "description": cut(notice.body, 4096),
        "color": COLOUR,
    }
    if url:
        embed["url"] = url
    buttons = [b for b in notice.buttons if not (target_is_webhook and b.custom_id)]
    if url and not any(b.url for b in buttons):
        buttons.append(Button("Open on the web", url=url))
    names = [f"<@&{role}>" for role in roles] + [f"<@{ident}>" for ident, _ in mentioned]
    return Message(
        content=" ".join(names),
        embeds=(embed,),
        buttons=tuple(buttons[:25]),
        silent=silent,
        mention_role_ids=tuple(roles),
        mention_user_ids=tuple(ident for ident, quiet in mentioned if not quiet)[:100],
        attachments=tuple(notice.attachments),
    )
