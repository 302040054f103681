"""States and kinds of the league's data, as stored (the lowercase values)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Roles of DESIGN.md. Captain and player come from rosters; the others are granted."""

    ORGANIZATION_ADMIN = "organization_admin"
    LEAGUE_STAFF = "league_staff"
    FRANCHISE_MANAGER = "franchise_manager"
    TEAM_CAPTAIN = "team_captain"
    PLAYER = "player"
    SPECTATOR = "spectator"


class GamePlatform(StrEnum):
    """The platforms a Rocket League account lives on."""

    STEAM = "steam"
    EPIC = "epic"
    PSN = "psn"
    XBOX = "xbox"
    SWITCH = "switch"


class AccountStatus(StrEnum):
    """A linked game account counts (``verified``) only once someone vouched for it."""

    PENDING = "pending"  # the member says it is theirs; nothing proves it yet
    VERIFIED = "verified"


class AccountProof(StrEnum):
    """What made a link verified."""

    STAFF = "staff"  # league staff linked it for the member
    CLAIM = "claim"  # staff or the other side confirmed the member's claim from a replay
    SIGN_IN = "sign_in"  # the member signed in at the platform (Steam, Epic, ...)
    LEGACY = "legacy"  # linked before links needed a proof (migration 0007)


class TieBreak(StrEnum):
    """What separates teams level on points, in the order an organization chooses."""

    HEAD_TO_HEAD = "head_to_head"
    GAME_DIFFERENCE = "game_difference"
    GOAL_DIFFERENCE = "goal_difference"
    GOALS_FOR = "goals_for"


class DiscordRoleKind(StrEnum):
    """What a Discord role synced by Sprocket stands for in a server: a skill group, a team,
    a franchise, or a band of the displayed rating in one game mode."""

    SKILL_GROUP = "skill_group"
    TEAM = "team"
    FRANCHISE = "franchise"
    RATING_BAND = "rating_band"
