"""Discord role and nickname sync, the pure part: from what the platform says of a person
(:class:`Standing`) and what Discord shows of them in a server (:class:`Holding`), the
changes that bring the server in step (:class:`MemberPlan`). No session, no I/O.

Rules
-----
- Sprocket manages only the roles a server's :class:`RoleMap` names: it adds the ones a
  person should hold and removes the ones they should not, and never touches any other role.
- A person holds the role of each skill group they are placed in, each team they are
  signed to now, each franchise of those teams, and in each game mode with rating bands the
  role of the highest band whose minimum their displayed rating reaches (none below the
  lowest). Someone who is no current member of the organization should hold none.
- With the server's nickname prefix on, a person on a franchise's team is called
  ``[TAG] Name`` (the franchise's code, their member name), as "[HAW] Chioma"; a nickname
  longer than Discord's 32 characters is not set but reported. Someone on no franchise
  loses a prefix of one of the organization's tags that their nickname starts with, and
  keeps any other nickname. With the prefix off, nicknames are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: Discord's longest member nickname, in characters (Discord's developer documentation,
#: Guild Member object: ``nick``, and Modify Guild Member: 1 to 32 characters).
NICKNAME_LIMIT = 32


@dataclass(frozen=True)
class Band:
    """A rating band: a displayed rating of at least ``minimum`` gives ``role_id``."""

    minimum: int
    role_id: str


@dataclass(frozen=True)
class RoleMap:
    """One server's synced roles as plain data: role ids by skill group, team and franchise
    id; rating bands by game mode id (lowest minimum first); whether nicknames carry the
    franchise tag, and every franchise tag of the organization (so a prefix can be taken
    off again)."""

    skill_groups: Mapping[int, str] = field(default_factory=dict)
    teams: Mapping[int, str] = field(default_factory=dict)
    franchises: Mapping[int, str] = field(default_factory=dict)
    bands: Mapping[int, tuple[Band, ...]] = field(default_factory=dict)
    nickname_prefix: bool = False
    tags: frozenset[str] = frozenset()

    @property
    def managed(self) -> frozenset[str]:
        """Every role id Sprocket manages in the server."""
        ids = {*self.skill_groups.values(), *self.teams.values(), *self.franchises.values()}
        ids.update(band.role_id for bands in self.bands.values() for band in bands)
        return frozenset(ids)

    @property
    def syncs_anything(self) -> bool:
        """Whether the server has any role to sync or nicknames to write."""
        return self.nickname_prefix or bool(self.managed)


@dataclass(frozen=True)
class Standing:
    """What the platform says of one current member of the organization: their member id
    and name, the skill groups they are placed in, the teams they are signed to now and
    those teams' franchises, the tag of their newest signing's franchise (None: on no
    franchise), and their displayed rating by game mode id."""

    member_id: int
    name: str
    skill_groups: frozenset[int] = frozenset()
    teams: frozenset[int] = frozenset()
    franchises: frozenset[int] = frozenset()
    tag: str | None = None
    ratings: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Holding:
    """What Discord shows of a person in the server: their role ids and nickname."""

    role_ids: frozenset[str]
    nickname: str | None


@dataclass(frozen=True)
class MemberPlan:
    """The changes for one person: roles to add and to remove (sorted), the nickname to set
    (None: leave it), and a wanted nickname too long to set (None: none)."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    nickname: str | None = None
    too_long: str | None = None

    @property
    def changes_nothing(self) -> bool:
        return not (self.add or self.remove or self.nickname is not None or self.too_long)


def band_role(bands: Iterable[Band], rating: int | None) -> str | None:
    """The role of the highest band whose minimum ``rating`` reaches (None: no rating, or
    below every band)."""
    if rating is None:
        return None
    reached = [band for band in bands if rating >= band.minimum]
    return max(reached, key=lambda band: band.minimum).role_id if reached else None


def band_crossed(bands: Iterable[Band], before: int, after: int) -> bool:
    """Whether a displayed rating going from ``before`` to ``after`` changes band."""
    bands = tuple(bands)
    return band_role(bands, before) != band_role(bands, after)


def wanted_roles(roles: RoleMap, standing: Standing | None) -> frozenset[str]:
    """The managed roles the person should hold (none for a non-member: ``standing`` None)."""
    if standing is None:
        return frozenset()
    wanted = {roles.skill_groups[g] for g in standing.skill_groups if g in roles.skill_groups}
    wanted.update(roles.teams[t] for t in standing.teams if t in roles.teams)
    wanted.update(roles.franchises[f] for f in standing.franchises if f in roles.franchises)
    for mode, bands in roles.bands.items():
        role = band_role(bands, standing.ratings.get(mode))
        if role is not None:
            wanted.add(role)
    return frozenset(wanted)


def tagged(tag: str, name: str) -> str:
    """The nickname of ``name`` with the franchise tag: ``[HAW] Chioma``."""
    return f"[{tag}] {name}"


def untagged(nickname: str | None, tags: Iterable[str]) -> str | None:
    """The nickname without a leading ``[TAG] `` of one of ``tags`` (None: it has none, or
    nothing would be left)."""
    if not nickname:
        return None
    for tag in tags:
        prefix = f"[{tag}] "
        if nickname.startswith(prefix) and nickname[len(prefix) :].strip():
            return nickname[len(prefix) :]
    return None


def wanted_nickname(roles: RoleMap, standing: Standing | None, current: str | None) -> str | None:
    """The nickname the person should have, or None to leave theirs as it is (see the
    module's rules; the length is not checked here)."""
    if not roles.nickname_prefix:
        return None
    if standing is not None and standing.tag is not None:
        return tagged(standing.tag, standing.name)
    return untagged(current, roles.tags)


def plan_member(roles: RoleMap, standing: Standing | None, holding: Holding) -> MemberPlan:
    """The changes that bring one person's managed roles and nickname in the server in step
    with the platform (``standing`` None: not a current member of the organization)."""
    managed = roles.managed
    wanted = wanted_roles(roles, standing)
    held = holding.role_ids & managed
    nickname = wanted_nickname(roles, standing, holding.nickname)
    too_long = None
    if nickname == holding.nickname:
        nickname = None
    elif nickname is not None and len(nickname) > NICKNAME_LIMIT:
        nickname, too_long = None, nickname
    return MemberPlan(
        add=tuple(sorted(wanted - held)),
        remove=tuple(sorted(held - wanted)),
        nickname=nickname,
        too_long=too_long,
    )
