"""The error codes of league: one enum, each code with its meaning."""

from __future__ import annotations

from sprocket.errors import ErrorCode


class LeagueCode(ErrorCode):
    """League structure, members, roles and game accounts."""

    ROLE_NOT_GRANTABLE = (
        "ROLE_NOT_GRANTABLE",
        "A role that is not granted (captains and players come from rosters).",
    )
    MISSING_SCOPE = (
        "MISSING_SCOPE",
        "A role grant without the league or franchise it needs.",
    )
    DUPLICATE_ROLE = (
        "DUPLICATE_ROLE",
        "The user already holds that role.",
    )
    INVALID_PLATFORM = (
        "INVALID_PLATFORM",
        "An unknown game platform (Steam, Epic, PlayStation, Xbox, Switch).",
    )
    INVALID_ACCOUNT_ID = (
        "INVALID_ACCOUNT_ID",
        "An account id in the wrong form for its platform.",
    )
    LINK_NOT_PENDING = (
        "LINK_NOT_PENDING",
        "The account link is verified already: staff unlink it rather than refuse it.",
    )
    DUPLICATE_PLATFORM_ACCOUNT = (
        "DUPLICATE_PLATFORM_ACCOUNT",
        "The game account is already linked (verified) to a member of the organization.",
    )
    WRONG_ORGANIZATION = (
        "WRONG_ORGANIZATION",
        "The row named belongs to another organization.",
    )
    INVALID_SLUG = (
        "INVALID_SLUG",
        "An organization's short name outside 2 to 63 lowercase letters, digits and dashes.",
    )
    UNKNOWN_SETTING = (
        "UNKNOWN_SETTING",
        "No organization setting has that key.",
    )
    INVALID_SETTING = (
        "INVALID_SETTING",
        "A value of the wrong kind or range for an organization setting.",
    )
    INVALID_SEASON = (
        "INVALID_SEASON",
        "A season number below 1.",
    )
    INVALID_ORDER = (
        "INVALID_ORDER",
        "A skill group's order below 1 (1 is the top tier).",
    )
    INVALID_SALARY = (
        "INVALID_SALARY",
        "A negative salary, or one past what the column holds.",
    )
    INVALID_SALARY_CAP = (
        "INVALID_SALARY_CAP",
        "A salary cap not above 0, or past what the column holds.",
    )
    INVALID_ROSTER_LIMITS = (
        "INVALID_ROSTER_LIMITS",
        "Roster sizes that do not satisfy team size <= minimum <= maximum <= 50.",
    )
    INVALID_MATCH_FORMAT = (
        "INVALID_MATCH_FORMAT",
        "A match format that is not `boN` (N odd) or `fixedN`.",
    )
    INVALID_DATES = (
        "INVALID_DATES",
        "A window that ends before it starts.",
    )
    INVALID_ROSTER_DATE = (
        "INVALID_ROSTER_DATE",
        "A roster change dated in the future, or outside its season.",
    )
    WRONG_LEAGUE = (
        "WRONG_LEAGUE",
        "The skill group (or team) belongs to another league.",
    )
    DUPLICATE = (
        "DUPLICATE",
        "The row already exists (a second membership, a team name taken in the league...).",
    )
    MEMBER_NAME_TAKEN = (
        "MEMBER_NAME_TAKEN",
        "The member name is taken in the organization, whatever its case, width or spacing.",
    )
    MISSING_USER = (
        "MISSING_USER",
        "`addMember` names nobody, or names a user two ways: name one by user id or Discord id.",
    )
    MEMBER_ALREADY_LEFT = (
        "MEMBER_ALREADY_LEFT",
        "The member was already removed.",
    )
    MEMBER_LEFT = (
        "MEMBER_LEFT",
        "The member left the organization; add them again first.",
    )
    ALREADY_ROSTERED = (
        "ALREADY_ROSTERED",
        "The player is on a roster of this season at that moment already.",
    )
    ROSTER_FULL = (
        "ROSTER_FULL",
        "The roster would exceed the league's maximum at some moment.",
    )
    SALARY_CAP_EXCEEDED = (
        "SALARY_CAP_EXCEEDED",
        "The roster would exceed the skill group's salary cap at some moment.",
    )
    NOT_ON_ROSTER = (
        "NOT_ON_ROSTER",
        "The player is not on that roster (a roster change), or, in a replay report, an account's "
        "owner was on neither team's roster on the game's date.",
    )
    WRONG_SKILL_GROUP = (
        "WRONG_SKILL_GROUP",
        "The player's skill group does not allow this (a roster, a competitive scrim of another "
        "group).",
    )
    SKILL_GROUP_UNCHANGED = (
        "SKILL_GROUP_UNCHANGED",
        "A move of a player to the skill group they are in already.",
    )
    MOVE_REASON_REQUIRED = (
        "MOVE_REASON_REQUIRED",
        "A move of a player to another skill group without a reason (the audit log keeps it).",
    )
    INVALID_GUILD_ID = (
        "INVALID_GUILD_ID",
        "Text that is no Discord server (guild) id: a snowflake of up to 20 digits.",
    )
    GUILD_ALREADY_LINKED = (
        "GUILD_ALREADY_LINKED",
        "The Discord server is linked to an organization already (a server acts for one).",
    )
    GUILD_NOT_LINKED = (
        "GUILD_NOT_LINKED",
        "A Discord command from a server linked to no organization, or unlinking a server "
        "that is not linked.",
    )
    NO_ORGANIZATION = (
        "NO_ORGANIZATION",
        "A Discord command in a direct message from a user who is a member of no organization "
        "and named none.",
    )
    ORGANIZATION_NOT_CHOSEN = (
        "ORGANIZATION_NOT_CHOSEN",
        "A Discord command in a direct message from a member of several organizations who did "
        "not say which one it is for.",
    )
    INVALID_ROLE_ID = (
        "INVALID_ROLE_ID",
        "Text that is no Discord role id: a snowflake of up to 20 digits.",
    )
    ROLE_ALREADY_SYNCED = (
        "ROLE_ALREADY_SYNCED",
        "The Discord role is synced for something else in that server already (a role stands "
        "for one skill group, team, franchise or rating band).",
    )
    ROLE_NOT_SYNCED = (
        "ROLE_NOT_SYNCED",
        "The Discord role is not one Sprocket syncs in that server.",
    )
    INVALID_RATING_BAND = (
        "INVALID_RATING_BAND",
        "A rating band's minimum outside 0 to 5000 (displayed rating), or in a game mode that "
        "does not exist.",
    )
