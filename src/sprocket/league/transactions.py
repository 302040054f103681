"""Player transactions: a player signed onto or released from a team (:class:`RosterChange`),
or moved to another skill group (:class:`SkillGroupChange`), and who is told of them.

The notifications live above the league, which cannot call them: they register a listener
here (:func:`on_transaction`), and the services that make a transaction call :func:`tell`
in its database transaction, so the notice commits or rolls back with the change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sprocket.league.models import League, Member, Player, RosterSpot, SkillGroup, Team


@dataclass(frozen=True)
class RosterChange:
    """A player signed onto (``joined``) or released from a team: the spot, its team and
    league, and the member."""

    spot: RosterSpot
    team: Team
    league: League
    member: Member
    joined: bool


@dataclass(frozen=True)
class SkillGroupChange:
    """League staff moved a player from one skill group (``before``; None: none) to
    another (``after``), for ``reason`` (may be empty); ``audit_id`` is the audit log's
    entry of the move, which names it."""

    player: Player
    league: League
    member: Member
    before: SkillGroup | None
    after: SkillGroup
    reason: str
    audit_id: int


Transaction = RosterChange | SkillGroupChange

#: Told of each transaction, in its database transaction.
TransactionListener = Callable[[AsyncSession, Transaction], Awaitable[None]]
_listeners: list[TransactionListener] = []


def on_transaction(listener: TransactionListener) -> TransactionListener:
    """Register ``listener`` (an async function of the session and the
    :data:`Transaction`) to run after every signing, release and skill-group move, in the
    same database transaction; returns it (usable as a decorator). Registering it twice
    keeps one. Raises nothing."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


async def tell(session: AsyncSession, change: Transaction) -> None:
    """Run every registered listener on ``change``, in registration order. Raises what a
    listener raises (the caller's transaction then rolls back)."""
    for listener in _listeners:
        await listener(session, change)
