"""Each user's choice per kind of notification: a direct message, the channel only, or
off, and whether mentions are silent. A kind the user never chose takes its default
(:attr:`~sprocket.notifications.enums.NotificationKind.default`: a direct message for scrim
pops and starts and queue bans, the channel for the rest, never silent)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.errors import InvalidInput
from sprocket.identity.access import Actor, require_user
from sprocket.notifications.enums import DeliveryMode, NotificationKind
from sprocket.notifications.errors import NotificationCode
from sprocket.notifications.models import NotificationPreference


@dataclass(frozen=True)
class Preference:
    """How one kind reaches a user: ``delivery``, ``silent`` mentions, and whether it is
    the kind's default (never chosen)."""

    kind: NotificationKind
    delivery: DeliveryMode
    silent: bool
    default: bool


def kind_of(value: NotificationKind | str) -> NotificationKind:
    """``value`` (a kind, or its stored text) as the kind. Raises InvalidInput
    ``INVALID_KIND`` naming the kinds."""
    if value not in list(NotificationKind):
        raise InvalidInput(
            f"'{str(value)[:40]}' is no kind of notification. Use one of: "
            f"{', '.join(NotificationKind)}.",
            code=NotificationCode.INVALID_KIND,
            details={"field": "kind"},
        )
    return NotificationKind(value)


def delivery_of(value: DeliveryMode | str) -> DeliveryMode:
    """``value`` (a delivery, or its text) as the delivery. Raises InvalidInput
    ``INVALID_DELIVERY``."""
    if value not in list(DeliveryMode):
        raise InvalidInput(
            f"'{str(value)[:40]}' is no delivery: use dm, channel or off.",
            code=NotificationCode.INVALID_DELIVERY,
            details={"field": "delivery"},
        )
    return DeliveryMode(value)


def _default(kind: NotificationKind) -> Preference:
    return Preference(kind, kind.default, False, True)


async def preferences_of(
    session: AsyncSession, *, user_ids: Iterable[int], kind: NotificationKind
) -> dict[int, Preference]:
    """Each of ``user_ids``'s preference for ``kind`` (the default where they chose none),
    by user id. One statement. No permission check: the notifier's read. Raises nothing."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.user_id.in_(wanted), NotificationPreference.kind == kind
        )
    )
    chosen = {row.user_id: Preference(kind, row.delivery, row.silent, False) for row in rows.all()}
    return {user_id: chosen.get(user_id, _default(kind)) for user_id in wanted}


async def my_preferences(session: AsyncSession, *, actor: Actor) -> list[Preference]:
    """The caller's preference for every kind, in the kinds' order. Raises
    UNAUTHENTICATED."""
    user_id = require_user(actor)
    rows = await session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    )
    chosen = {row.kind: row for row in rows.all()}
    return [
        Preference(kind, chosen[kind].delivery, chosen[kind].silent, False)
        if kind in chosen
        else _default(kind)
        for kind in NotificationKind
    ]


async def set_preference(
    session: AsyncSession,
    *,
    actor: Actor,
    kind: NotificationKind | str,
    delivery: DeliveryMode | str | None = None,
    silent: bool | None = None,
) -> Preference:
    """Set how ``kind`` reaches the caller: ``delivery`` (dm, channel or off) and
    ``silent`` mentions; either left None keeps what it was (or the default). Returns the
    preference now. Raises UNAUTHENTICATED, then INVALID_KIND, INVALID_DELIVERY."""
    user_id = require_user(actor)
    chosen_kind = kind_of(kind)
    chosen_delivery = None if delivery is None else delivery_of(delivery)
    row = await session.get(NotificationPreference, (user_id, chosen_kind))
    if row is None:
        row = NotificationPreference(
            user_id=user_id, kind=chosen_kind, delivery=chosen_kind.default, silent=False
        )
        session.add(row)
    if chosen_delivery is not None:
        row.delivery = chosen_delivery
    if silent is not None:
        row.silent = silent
    await session.flush()
    return Preference(chosen_kind, row.delivery, row.silent, False)
