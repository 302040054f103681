"""Who calls: the :class:`Actor` every service takes, and the checks that need no league
(signed in, platform administrator). Role checks within an organization:
:mod:`sprocket.league.access`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sprocket.errors import PermissionDenied, Unauthenticated


@dataclass(frozen=True)
class Actor:
    """The caller of a service: a signed-in user, or the anonymous spectator."""

    user_id: int | None = None
    is_superuser: bool = False
    name: str = "spectator"
    token_id: int | None = None  # the API token the caller signed in with, if any

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


SPECTATOR = Actor()


def require_user(actor: Actor) -> int:
    """The caller's user id. Raises UNAUTHENTICATED for the spectator."""
    if actor.user_id is None:
        raise Unauthenticated("Sign in first: send a personal API token as a Bearer token.")
    return actor.user_id


def require_superuser(actor: Actor, doing: str) -> None:
    """Refuse all but platform administrators; ``doing`` completes the sentence "Only a
    platform administrator may ...". Raises UNAUTHENTICATED, PERMISSION_DENIED."""
    require_user(actor)
    if not actor.is_superuser:
        raise PermissionDenied(f"Only a platform administrator may {doing}.")
